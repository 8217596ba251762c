"""Reports regenerate byte-identically; the CLI runs scenarios, compares, checks reports."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resilience.cli import app
from resilience.reports import (
    TimelineSpec,
    build_reports,
    diff_trees,
    markdown_table,
    stable_folium_html,
)

DATA = Path(__file__).parent.parent / "data"
SMALL_TIMELINE = TimelineSpec(
    file="tests/data/frontline_small.geojson",
    start=dt.date(2024, 1, 1),
    end=dt.date(2024, 9, 1),
    every_days=60,
    graph="toy",
)
SCENARIOS = {
    "bravo-falls": 'description = "Bravo falls"\ngraph = "toy"\n[removals]\nplaces = ["bravo"]\n',
    "h01-cut": 'description = "The H-01 is cut"\ngraph = "toy"\n[removals]\nrefs = ["H-01"]\n',
    "front": (
        'description = "The front on 2024-06-01"\ngraph = "toy"\n[removals.frontline]\n'
        'file = "tests/data/frontline_small.geojson"\ndate = "2024-06-01"\n'
    ),
}


@pytest.fixture(autouse=True)
def toy_graphs(monkeypatch):
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(DATA))


def _scenario_folder(root: Path) -> Path:
    folder = root / "scenarios"
    folder.mkdir()
    for name, text in SCENARIOS.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def scenarios(tmp_path):
    return _scenario_folder(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The toy reports built twice into two folders (shared: rendering takes seconds)."""
    root = tmp_path_factory.mktemp("reports")
    folder = _scenario_folder(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RESILIENCE_GRAPHS", str(DATA))
        a = build_reports(root / "a", folder, timeline_spec=SMALL_TIMELINE, progress=False)
        b = build_reports(root / "b", folder, timeline_spec=SMALL_TIMELINE, progress=False)
    return root, a, b


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_reports_regenerate_byte_identically(built):
    root, a, b = built
    assert a.written == b.written
    first, second = files(root / "a"), files(root / "b")
    assert sorted(first) == a.written
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    for kind in ("map.png", "map.html", "index.html", "index.md", "layers.gpkg", "od.parquet"):
        assert f"scenarios/bravo-falls/{kind}" in first
    assert "timeline/timeline.png" in first
    assert "compare/compare.csv" in first
    assert not [n for n in first if n.endswith(".tmp")]


def test_report_pages_are_self_contained(built):
    root = built[0] / "a"
    page = (root / "scenarios" / "front" / "index.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "<script" not in page
    folium_page = (root / "scenarios" / "front" / "map.html").read_text(encoding="utf-8")
    assert "map_0001" in folium_page


def test_missing_frontline_file_is_skipped_with_reason(tmp_path, scenarios):
    (scenarios / "gone.toml").write_text(
        'description = "x"\ngraph = "toy"\n[removals.frontline]\n'
        'file = "no/such.geojson"\ndate = "2024-06-01"\n',
        encoding="utf-8",
    )
    spec = TimelineSpec(file="no/such.geojson", graph="toy")
    outcome = build_reports(tmp_path / "out", scenarios, timeline_spec=spec, progress=False)
    assert set(outcome.skipped) == {"scenarios/gone", "timeline"}
    assert "front-line file absent" in outcome.skipped["timeline"]
    assert list(outcome.table["scenario"]) == ["bravo-falls", "front", "h01-cut"]


def test_diff_trees_lists_changed_missing_and_stale(tmp_path, built):
    shutil.copytree(built[0] / "a", tmp_path / "a")
    shutil.copytree(built[0] / "a", tmp_path / "b")
    assert diff_trees(tmp_path / "a", tmp_path / "b") == []
    (tmp_path / "b" / "compare" / "compare.csv").write_text("changed\n", encoding="utf-8")
    (tmp_path / "b" / "compare" / "old.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "b" / "index.md").unlink()
    (tmp_path / "b" / "cut").mkdir()
    (tmp_path / "b" / "cut" / "not-managed.csv").write_text("x\n", encoding="utf-8")
    assert diff_trees(tmp_path / "b", tmp_path / "a") == [
        "compare/compare.csv (changed)",
        "compare/old.csv (stale)",
        "index.md (missing)",
    ]


def test_stable_folium_ids_and_markdown():
    hex_a, hex_b = "a" * 32, "b" * 32
    text = f"map_{hex_a} geo_json_{hex_b}_styler map_{hex_a}"
    assert stable_folium_html(text) == "map_0001 geo_json_0002_styler map_0001"
    assert markdown_table(__import__("pandas").DataFrame()) == "(none)"


@pytest.fixture
def runner():
    return CliRunner(env={"COLUMNS": "200"})


def test_cli_run_and_compare(tmp_path, scenarios, runner):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenarios / "bravo-falls.toml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Minimum cut origins → destinations: 3 → 2 link(s)" in result.output
    # Each run writes into its own <name>-<hash8>/ folder with a run.json manifest.
    (page,) = (out / "scenarios").glob("bravo-falls-*/index.md")
    assert (page.parent / "run.json").is_file()
    assert (page.parent / "layers.gpkg").is_file()
    result = runner.invoke(
        app,
        [
            "compare",
            str(scenarios / "bravo-falls.toml"),
            str(scenarios / "h01-cut.toml"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "h01-cut" in result.output
    assert len(list((out / "compare").rglob("compare.png"))) == 1


def test_cli_bad_scenario_is_one_line_exit_2(tmp_path, runner):
    bad = tmp_path / "bad.toml"
    bad.write_text('description = "x"\nplaces = ["a"]\n', encoding="utf-8")
    result = runner.invoke(app, ["run", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {bad}: unknown key 'places'"


def test_cli_timeline(tmp_path, runner):
    args = [
        "timeline",
        "--graph",
        "toy",
        "--frontline",
        str(DATA / "frontline_small.geojson"),
        "--from",
        "2024-01-01",
        "--to",
        "2024-09-01",
        "--every",
        "100d",
        "--out",
        str(tmp_path),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2024-07-19" in result.output
    assert len(list((tmp_path / "timeline").rglob("timeline.csv"))) == 1
    # Without the first --every: a repeated option is refused before its value is read.
    result = runner.invoke(app, [*args[:-4], "--every", "monthly"])
    assert result.exit_code == 2
    assert "--every must be a number of days" in result.output


def test_cli_report_check(tmp_path, scenarios, runner, monkeypatch):
    import importlib

    from resilience.reports import build

    out = tmp_path / "reports"
    for name in ("bravo-falls", "front"):  # one scenario is enough to check --check
        (scenarios / f"{name}.toml").unlink()
    # The default timeline runs on the real layer and region; the toy one is enough here.
    # check_reports calls build.build_reports; the CLI calls the name it imported.
    toy_build = _with_timeline(build.build_reports)
    for module in ("resilience.reports.build", "resilience.reports"):
        monkeypatch.setattr(importlib.import_module(module), "build_reports", toy_build)
    result = runner.invoke(app, ["report", "--scenarios", str(scenarios), "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["report", "--check", "--scenarios", str(scenarios), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    (out / "scenarios" / "h01-cut" / "od.csv").write_text("edited\n", encoding="utf-8")
    result = runner.invoke(
        app, ["report", "--check", "--scenarios", str(scenarios), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "scenarios/h01-cut/od.csv (changed)" in result.output


def _with_timeline(build):
    def wrapped(out, scenarios_dir=None, **kwargs):
        kwargs["timeline_spec"] = SMALL_TIMELINE
        return build(out, scenarios_dir, **kwargs)

    return wrapped


def test_cli_unknown_scenario_name_lists_known_ones(runner):
    result = runner.invoke(app, ["run", "no-such-scenario"])
    assert result.exit_code == 2
    assert "no such scenario file, nor a scenario of that name (known: " in result.output
    assert "pokrovsk-falls" in result.output


# --------------------------------------------------------------------- publishable reports

LAYER_TYPES = {
    "edges": {"LineString"},
    "network_after": {"LineString"},
    "routes": {"LineString"},  # a pair without a route has no geometry
    "nodes": {"Point"},
    "occupied_area": {"MultiPolygon"},
    "worst_links": {"LineString"},
}
LINK_COLUMNS = ["u", "v", "key", "mode", "ref", "name", "length_m", "travel_time_s"]
LAYER_COLUMNS = {
    "edges": [*LINK_COLUMNS, "status", "critical_rank"],
    "network_after": LINK_COLUMNS,
    "nodes": ["id", "name", "kind", "mode", "status", "role"],
    "routes": [
        "origin",
        "destination",
        "when",
        "status",
        "time_min",
        "length_km",
        "hops",
        "via",
    ],
    "occupied_area": ["category", "layer_date", "source"],
    "worst_links": [
        "label",
        "ref",
        "mode",
        "u",
        "v",
        "key",
        "u_label",
        "v_label",
        "single_loss_t_per_day",
        "single_rank",
    ],
}


def test_every_geopackage_layer_reads_back_with_crs_geometry_and_columns(built):
    import geopandas as gpd
    import pyogrio

    root = built[0] / "a" / "scenarios"
    seen: dict[str, set[str]] = {}
    for gpkg in sorted(root.glob("*/layers.gpkg")):
        names = {str(n) for n, _ in pyogrio.list_layers(gpkg)}
        seen[gpkg.parent.name] = names
        for name in names:
            layer = gpd.read_file(gpkg, layer=name)
            assert layer.crs is not None
            assert layer.crs.to_epsg() == 4326, (gpkg, name)
            assert set(layer.geom_type.dropna().unique()) <= LAYER_TYPES[name], (gpkg, name)
            assert list(layer.columns) == [*LAYER_COLUMNS[name], "geometry"], (gpkg, name)
            assert len(layer) > 0
    base = {"edges", "network_after", "nodes", "routes"}
    # The front takes the origin: nothing is deliverable, so there is no worst set.
    assert seen == {
        "bravo-falls": base | {"worst_links"},
        "h01-cut": base | {"worst_links"},
        "front": base | {"occupied_area"},
    }
    area = gpd.read_file(root / "front" / "layers.gpkg", layer="occupied_area")
    assert area["layer_date"].tolist() == ["2024-06-01"]
    assert "DeepStateMap" in area["source"].iloc[0]


def test_routes_layer_lists_each_pair_before_and_after(built):
    import geopandas as gpd
    import pandas as pd

    folder = built[0] / "a" / "scenarios" / "bravo-falls"
    routes = gpd.read_file(folder / "layers.gpkg", layer="routes")
    od = pd.read_csv(folder / "od.csv")
    assert len(routes) == 2 * len(od)
    before = routes[routes["when"] == "before"].set_index(["origin", "destination"])
    after = routes[routes["when"] == "after"].set_index(["origin", "destination"])
    for row in od.itertuples():
        b = before.loc[(row.origin, row.destination)]
        a = after.loc[(row.origin, row.destination)]
        # The OD table names places; the layer keeps node ids: same times when both exist.
        if pd.notna(row.time_before_min):
            assert b["time_min"] == pytest.approx(row.time_before_min, abs=0.06)
        if pd.isna(row.time_after_min):
            assert a["status"] in {"cut off", "lost"}
            assert a.geometry is None
        else:
            assert a["time_min"] == pytest.approx(row.time_after_min, abs=0.06)
            assert a.geometry.geom_type == "LineString"


def test_data_dictionary_covers_every_column_written(built):
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    from resilience.columns import missing

    root = built[0] / "a"
    names: set[str] = set()
    for csv in root.rglob("*.csv"):
        frame = pd.read_csv(csv)
        names |= set(frame.columns)
        if frame.columns[0] in ("measure", "metric"):
            names |= set(frame.iloc[:, 0].astype(str))
    for gpkg in root.rglob("*.gpkg"):
        for layer, _ in pyogrio.list_layers(gpkg):
            names |= set(gpd.read_file(gpkg, layer=layer).columns)
    assert len(names) > 40
    assert missing(names) == []


def test_docs_columns_is_generated_from_the_dictionary():
    from resilience import columns

    doc = Path(__file__).parents[2] / "docs" / "columns.md"
    assert doc.read_text(encoding="utf-8") == columns.markdown()


def test_pages_start_with_provenance_and_end_with_columns(built):
    root = built[0] / "a"
    for page in [root / "index.md", *root.rglob("*/index.md")]:
        text = page.read_text(encoding="utf-8")
        body = text.split("\n\n", 1)[1]
        assert body.startswith("**Provenance**\n\n- Version: resilience "), page
        if page.parent != root:
            assert "\n## Columns\n" in text, page
            assert text.rsplit("## Columns", 1)[1].count("\n| ") >= 3, page
    front = (root / "scenarios" / "front" / "index.md").read_text(encoding="utf-8")
    assert "- Command: `resilience run front`" in front
    assert "sha256 of region source files" in front
    assert "- Front-line layer: tests/data/frontline_small.geojson, layer date 2024-06-01" in front
    assert "| detour_pct | % |" in front
    timeline = (root / "timeline" / "index.md").read_text(encoding="utf-8")
    assert "- Analysis date (as of): 2024-01-01 to 2024-09-01, every 60 days" in timeline
    index = (root / "index.md").read_text(encoding="utf-8")
    assert "- Scenarios: bravo-falls, front, h01-cut" in index
    # No wall-clock time: nothing looking like today's date or a clock time.
    assert dt.date.today().isoformat() not in front  # noqa: DTZ011


def _map_texts(res, ctx, monkeypatch) -> list[str]:
    """Every text matplotlib draws on a scenario map."""
    from matplotlib.text import Text

    from resilience.reports import maps

    figs = []
    monkeypatch.setattr(maps, "png_bytes", lambda fig: figs.append(fig) or b"")
    maps.map_png(res, ctx)
    return [t.get_text() for t in figs[0].findobj(Text)]


def test_every_map_credits_its_datasets(built, monkeypatch):
    from resilience.reports.build import _frontline_context
    from resilience.scenario import load_scenario, run_scenario

    folder = built[0] / "scenarios"
    for name in SCENARIOS:
        sc = load_scenario(folder / f"{name}.toml")
        res, ctx = run_scenario(sc), _frontline_context(sc)
        texts = "\n".join(_map_texts(res, ctx, monkeypatch))
        assert "© OpenStreetMap contributors" in texts, name
        assert "DCW railway layer" in texts, name
        assert "km" in texts  # the scale bar
        assert "N" in texts.split("\n")  # the north arrow
        html_map = (built[0] / "a" / "scenarios" / name / "map.html").read_text(encoding="utf-8")
        assert "OpenStreetMap contributors" in html_map
        assert 'id="legend"' in html_map
        assert "plain background (offline)" in html_map
        if name == "front":
            assert "Occupied area: DeepStateMap (deepstatemap.live), layer of 2024-06-01" in texts
            assert "occupied area (2024-06-01)" in texts  # its legend entry
            assert "layer of 2024-06-01" in html_map
        else:
            assert "occupied area" not in texts


def _flow_texts(res, ctx, monkeypatch) -> list[str]:
    """Every text matplotlib draws on a scenario's flow map."""
    from matplotlib.text import Text

    from resilience.reports import maps

    figs = []
    monkeypatch.setattr(maps, "png_bytes", lambda fig: figs.append(fig) or b"png")
    assert maps.flow_map_png(res, ctx) == b"png"
    return [t.get_text() for t in figs[0].findobj(Text)]


def test_flow_map_widths_saturation_legend_and_credits(built, monkeypatch):
    from resilience.analysis.flow import max_flow
    from resilience.reports.build import _frontline_context
    from resilience.reports.maps import link_flows
    from resilience.scenario import load_scenario, run_scenario

    folder = built[0] / "scenarios"
    for name in SCENARIOS:
        assert f"scenarios/{name}/flow.png" in built[1].written, name
        page = (built[0] / "a" / "scenarios" / name / "index.md").read_text(encoding="utf-8")
        assert "![supply flow map](flow.png)" in page
        sc = load_scenario(folder / f"{name}.toml")
        res, ctx = run_scenario(sc), _frontline_context(sc)
        G = res.graph
        value, links = link_flows(res)
        after = max_flow(G, res.origins, res.destinations, removal=res.removal)
        before = max_flow(G, res.origins, res.destinations, min_cost=False)
        assert value == after.value_t_per_day <= before.value_t_per_day
        for f in links:
            ways = [(f.u, f.v, f.key), (f.v, f.u, f.key)]
            caps = [G.edges[e]["capacity_t_per_day"] for e in ways if G.has_edge(*e)]
            assert 0 < f.flow_t_per_day <= sum(caps) + 0.5
            assert not any(e in res.removal.edges for e in ways)
            assert f.saturated == any(e in set(after.saturated) for e in ways)
        if value:
            # Flow delivered into the destinations adds up to the maximum flow.
            into = sum(
                fl for (u, v, _), fl in after.flows.items() if v in set(res.destinations)
            ) - sum(fl for (u, v, _), fl in after.flows.items() if u in set(res.destinations))
            assert abs(into - value) <= 1
        texts = "\n".join(_flow_texts(res, ctx, monkeypatch))
        assert f"{value:,} t/day reach the front" in texts
        assert "© OpenStreetMap contributors" in texts, name
        assert "Line width: tonnes per day" in texts
        samples = [t for t in texts.split("\n") if re.fullmatch(r"[\d,]+ t/day", t)]
        assert bool(samples) == any(f.mode != "transfer" for f in links), name  # width legend
        assert ("saturated (at capacity)" in texts) == any(f.saturated for f in links)
        assert ("occupied area" in texts) == (name == "front")


def test_scenario_pages_have_the_interdiction_curve_and_the_worst_set_map(built):
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    root, a, _ = built
    first, second = files(root / "a"), files(root / "b")
    for name in SCENARIOS:
        folder = f"scenarios/{name}"
        for kind in ("interdiction.png", "worst_map.png", "interdiction.csv", "worst_set.csv"):
            assert f"{folder}/{kind}" in a.written, (name, kind)
            assert first[f"{folder}/{kind}"] == second[f"{folder}/{kind}"], (name, kind)
        page = (root / "a" / folder / "index.md").read_text(encoding="utf-8")
        assert "## Worst k further losses (interdiction curve, k = 0..5)" in page
        assert "![interdiction curve](interdiction.png)" in page
        assert "## Map of the worst set (k = 5)" in page
        assert "![worst set map](worst_map.png)" in page
        if name == "front":  # the front takes the origin: nothing left to interdict
            assert "Curve flat for k = 0..5: the scenario removes every origin" in page
        else:
            assert "Every k = 1..5 is proven optimal" in page
        html_page = (root / "a" / folder / "index.html").read_text(encoding="utf-8")
        assert 'alt="worst set map"' in html_page
        curve = pd.read_csv(root / "a" / folder / "interdiction.csv")
        after = list(curve["deliverable_after_t_per_day"])
        assert after == sorted(after, reverse=True)
        assert (curve["loss_pct"] >= curve["top_singles_loss_pct"]).all()
        worst = pd.read_csv(root / "a" / folder / "worst_set.csv")
        gpkg = root / "a" / folder / "layers.gpkg"
        layers = {layer for layer, _ in pyogrio.list_layers(gpkg)}
        if len(worst):
            assert "worst_links" in layers
            lines = gpd.read_file(gpkg, layer="worst_links")
            assert list(lines["label"]) == list(worst["label"])
            assert set(lines.geom_type) == {"LineString"}
        else:
            assert "worst_links" not in layers


def test_worst_map_labels_the_worst_links_with_legend_scale_and_north(built, monkeypatch):
    from matplotlib.text import Text

    from resilience.reports import maps
    from resilience.reports.build import _frontline_context
    from resilience.reports.interdiction import scenario_interdiction
    from resilience.scenario import load_scenario, run_scenario

    sc = load_scenario(built[0] / "scenarios" / "bravo-falls.toml")
    res, ctx = run_scenario(sc), _frontline_context(sc)
    inter = scenario_interdiction(res)
    figs = []
    monkeypatch.setattr(maps, "png_bytes", lambda fig: figs.append(fig) or b"png")
    assert maps.worst_map_png(res, inter, ctx) == b"png"
    texts = [t.get_text() for t in figs[0].findobj(Text)]
    assert "1 P-02 (road)" in texts
    assert any(t.startswith("worst set, k ≤ 5 (") for t in texts)  # legend entry
    assert "N" in texts
    assert any(t.endswith(" km") for t in texts)
    assert any("© OpenStreetMap contributors" in t for t in texts)
