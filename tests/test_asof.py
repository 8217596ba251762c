"""The network on a date: date resolution, shipped dates, front-line layers (offline)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from resilience.asof import (
    AsOf,
    as_of_removal,
    element_lost,
    lost_area,
    lost_places,
    network_on,
    resolve_as_of,
)
from resilience.cli import app
from resilience.errors import BadGraphError, BadInputError
from resilience.frontline import load_frontline, timeline
from resilience.scenario import load_scenario, resolve_path, run_scenario
from resilience.sources.bundled import load_region
from resilience.targets import resolve_od

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "frontline_small.geojson"

# The fixture region's dates: Echo held since 2024-01-01; Delta occupied for a while
# (2024-03-01 to 2024-04-01) then free; the Alpha-Charlie road cut from 2024-05-01.
TOY_LOST_ON = """\
element,id,source,target,mode,lost_on,layer,category,occupied_before,grey_from
place,echo,,,,2024-01-01,test,occupied,,
place,delta,,,,,,,2024-03-01/2024-04-01,
place,bravo,,,,,,,,2024-02-01
link,,alpha,charlie,road,2024-05-01,test,occupied,,
"""


@pytest.fixture
def dated_toy(tmp_path: Path) -> nx.MultiDiGraph:
    folder = tmp_path / "toy"
    shutil.copytree(DATA / "toy", folder)
    (folder / "lost_on.csv").write_text(TOY_LOST_ON, encoding="utf-8")
    toml = folder / "region.toml"
    toml.write_text(
        'reference_date = "2024-03-15"\nlost_on_until = "2024-12-31"\n'
        + toml.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return load_region(folder)


@pytest.fixture(scope="module")
def region() -> nx.MultiDiGraph:
    return load_region()


def test_loader_puts_dates_on_nodes_and_both_link_directions(dated_toy):
    assert dated_toy.nodes["echo"]["lost_on"] == "2024-01-01"
    assert "lost_on" not in dated_toy.nodes["alpha"]
    for u, v in (("alpha", "charlie"), ("charlie", "alpha")):
        assert all(d["lost_on"] == "2024-05-01" for d in dated_toy[u][v].values())
    assert dated_toy.graph["reference_date"] == "2024-03-15"


def test_loader_refuses_a_row_naming_an_unknown_place(tmp_path):
    folder = tmp_path / "toy"
    shutil.copytree(DATA / "toy", folder)
    (folder / "lost_on.csv").write_text(
        TOY_LOST_ON + "link,,alpha,echo,road,2024-01-01,test,occupied,,\n", encoding="utf-8"
    )
    with pytest.raises(BadGraphError, match="no road link alpha–echo"):
        load_region(folder)


def test_default_date_is_the_reference_date_and_latest_the_last_known(dated_toy):
    assert resolve_as_of(None, dated_toy).date == dt.date(2024, 3, 15)
    assert resolve_as_of("latest", dated_toy).date == dt.date(2024, 12, 31)
    assert resolve_as_of(None, dated_toy, pre_war=True) == AsOf(None, "none")


@pytest.mark.parametrize(
    ("value", "pre_war", "match"),
    [
        ("2024-13-01", False, "YYYY-MM-DD"),
        ("2024-06-01", True, "not both"),
        ("2025-01-01", False, "after the last day"),
    ],
)
def test_bad_dates_are_one_line_errors(dated_toy, value, pre_war, match):
    with pytest.raises(BadInputError, match=match):
        resolve_as_of(value, dated_toy, pre_war=pre_war)


def test_a_graph_without_dates_is_pre_war_by_default_and_needs_a_layer_for_a_date(toy):
    assert resolve_as_of(None, toy).date is None
    with pytest.raises(BadInputError, match="--frontline"):
        resolve_as_of("2024-06-01", toy)


@pytest.mark.parametrize(
    ("day", "nodes", "edges"),
    [
        ("2023-12-31", set(), set()),
        ("2024-01-01", {"echo"}, set()),
        ("2024-03-01", {"echo", "delta"}, set()),
        ("2024-03-31", {"echo", "delta"}, set()),
        ("2024-04-01", {"echo"}, set()),  # Delta free again
        ("2024-05-01", {"echo"}, {("alpha", "charlie"), ("charlie", "alpha")}),
    ],
)
def test_shipped_dates_give_the_removal_of_the_day(dated_toy, day, nodes, edges):
    removal = as_of_removal(dated_toy, resolve_as_of(day, dated_toy))
    assert set(removal.nodes) == nodes
    assert {(u, v) for u, v, _ in removal.edges} == edges
    assert removal.labels == (f"as of {day}",)


def test_grey_counts_only_when_asked(dated_toy):
    day = "2024-02-01"
    assert "bravo" not in as_of_removal(dated_toy, resolve_as_of(day, dated_toy)).nodes
    grey = as_of_removal(dated_toy, resolve_as_of(day, dated_toy, grey=True))
    assert "bravo" in grey.nodes


def test_network_on_takes_out_what_is_lost_and_says_the_date(dated_toy):
    H, info = network_on(dated_toy, "2024-06-01")
    assert "echo" not in H
    assert not H.has_edge("alpha", "charlie")
    assert "echo" in dated_toy  # the input is not changed
    assert H.graph["as_of"] == "2024-06-01"
    assert "lost_on.csv" in info.as_of.describe()
    assert lost_places(dated_toy, ["alpha", "echo"], info.removal) == [("echo", "2024-01-01")]
    full, pre = network_on(dated_toy, pre_war=True)
    assert pre.removal.empty
    assert full.number_of_nodes() == dated_toy.number_of_nodes()


def test_a_front_line_layer_gives_the_same_kind_of_removal(toy):
    front = load_frontline(SMALL)
    H, info = network_on(toy, "2024-06-15", frontline=front)
    assert {"delta", "delta-station", "echo"} <= set(info.removal.nodes)
    assert "frontline_small.geojson, layer of 2024-06-01" in info.as_of.describe()
    assert "bravo" in H
    _, grey = network_on(toy, "2024-06-15", frontline=front, grey=True)
    assert "bravo" in grey.removal.nodes
    _, latest = network_on(toy, "latest", frontline=front)
    assert latest.as_of.date == dt.date(2024, 9, 1)
    with pytest.raises(BadInputError, match="starts on 2024-01-01"):
        network_on(toy, "2023-01-01", frontline=front)


def test_lost_area_unites_occupied_and_the_last_ordlo_polygons(tmp_path):
    square = "[[[{0}, 48.0], [{1}, 48.0], [{1}, 48.1], [{0}, 48.1], [{0}, 48.0]]]"
    feats = [
        ("2024-01-01", "occupied_pre2022_ordlo", square.format(37.0, 37.1)),
        ("2024-01-01", "occupied", square.format(37.2, 37.3)),
        # ORDLO polygon missing on 01-02, a broken fragment on 01-03
        ("2024-01-02", "occupied", square.format(37.2, 37.3)),
        ("2024-01-03", "occupied", square.format(37.2, 37.3)),
        ("2024-01-03", "occupied_pre2022_ordlo", square.format(37.0, 37.0001)),
    ]
    text = ",".join(
        f'{{"type":"Feature","properties":{{"date":"{d}","category":"{c}"}},'
        f'"geometry":{{"type":"Polygon","coordinates":{g}}}}}'
        for d, c, g in feats
    )
    path = tmp_path / "layer.geojson"
    path.write_text(f'{{"type":"FeatureCollection","features":[{text}]}}', encoding="utf-8")
    front = load_frontline(path)
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        area = lost_area(front, day)
        assert area.area == pytest.approx(0.02, rel=1e-3), day


def test_element_lost_reads_periods_end_exclusive():
    attrs = {"occupied_before": "2022-04-03/2022-05-15;2022-09-11/2022-10-01"}
    assert element_lost(attrs, dt.date(2022, 4, 3))
    assert not element_lost(attrs, dt.date(2022, 5, 15))
    assert element_lost(attrs, dt.date(2022, 9, 30))
    assert not element_lost(attrs, dt.date(2022, 10, 1))


def test_embedded_region_on_its_reference_date(region):
    """Held since 2014 is gone on the default date; Pokrovsk (lost 2025-11-20) is not."""
    H, info = network_on(region)
    assert info.as_of.date == dt.date(2025, 8, 3)
    for place in ("donetsk", "yasynuvata", "horlivka", "makiivka", "avdiivka", "selydove"):
        assert place not in H, place
    for place in ("pokrovsk", "myrnohrad", "kostiantynivka", "kramatorsk", "zaporizhzhia"):
        assert place in H, place
    _, fallen = network_on(region, "2025-11-20")
    assert "pokrovsk" in fallen.removal.nodes
    assert "myrnohrad" not in fallen.removal.nodes


def test_no_baseline_path_on_a_date_enters_anything_lost_by_then(region):
    """The issue's case: Zaporizhzhia to Kostiantynivka without Pokrovsk and Selydove."""
    for day in ("2022-04-03", "2024-07-08", "2025-08-03", "latest"):
        H, info = network_on(region, day)
        assert info.as_of.date is not None
        H.remove_nodes_from(["pokrovsk", "selydove"])
        if not nx.has_path(H, "zaporizhzhia", "kostiantynivka"):
            continue
        path = nx.shortest_path(H, "zaporizhzhia", "kostiantynivka", weight="travel_time")
        for n in path:
            assert not element_lost(region.nodes[n], info.as_of.date), (day, n)
        for u, v in itertools.pairwise(path):
            assert any(not element_lost(d, info.as_of.date) for d in region[u][v].values())
        assert not {"donetsk", "yasynuvata", "marinka"} & set(path), (day, path)


# -- the command line ----------------------------------------------------------------------

runner = CliRunner(env={"COLUMNS": "200"})


def _paths_via(output: str) -> list[list[str]]:
    """The ``via`` column of the printed paths table, as lists of place names."""
    return [line.split(" > ") for line in output.splitlines() if " > " in line]


@pytest.mark.parametrize("shared_data", [True, False])
def test_paths_of_the_issue_avoid_everything_held_on_the_date(tmp_path, monkeypatch, shared_data):
    """Zaporizhzhia → Kostiantynivka without Pokrovsk and Selydove, with and without
    ../shared/data: a route (or "cut off") that enters no place lost by the default date."""
    if not shared_data:
        monkeypatch.setenv("RESILIENCE_SHARED_DATA", str(tmp_path / "absent"))
    args = ["paths", "-s", "zaporizhzhia", "-t", "kostiantynivka", "-n", "pokrovsk"]
    res = runner.invoke(app, [*args, "-n", "selydove", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "network as of 2025-08-03" in res.output
    assert "Selydove is already lost on 2024-10-27" in res.output
    region = load_region()
    lost_names = {
        d["name"] for n, d in region.nodes(data=True) if element_lost(d, dt.date(2025, 8, 3))
    }
    routes = _paths_via(res.output)
    assert routes or "cut off" in res.output
    for route in routes:
        names = {part.strip().split("  ")[-1].strip() for part in route}
        assert not names & (lost_names | {"Donetsk", "Yasynuvata", "Marinka"}), route
    pre = runner.invoke(app, [*args, "-n", "selydove", "--pre-war", "--out", str(tmp_path)])
    assert "Donetsk > Yasynuvata" in pre.output  # what the pre-war network did
    assert "network as of pre-war" in pre.output


def test_cut_answers_on_the_default_date_and_says_it(tmp_path):
    res = runner.invoke(app, ["cut", "--node", "pokrovsk", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "Removed: pokrovsk — 2 node(s)" in res.output
    assert "network as of 2025-08-03 (occupation: DeepStateMap" in res.output
    assert "default destinations already lost, left out: Chasiv Yar (2025-05-14)" in res.output


def test_a_target_lost_before_the_date_gets_one_line(tmp_path):
    res = runner.invoke(
        app, ["cut", "--node", "pokrovsk", "--as-of", "latest", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert res.output.count("Pokrovsk is already lost on 2025-11-20") == 1
    assert "network as of 2026-08-22" in res.output
    args = ["paths", "-s", "dnipro", "-t", "pokrovsk", "--as-of", "2025-11-20"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert res.exit_code == 0
    assert "Pokrovsk is already lost on 2025-11-20" in res.output


def test_a_line_layer_or_osm_graph_takes_a_frontline_file(toy_env, tmp_path):
    args = ["cut", "-g", "toy", "--node", "bravo", "--out", str(tmp_path)]
    res = runner.invoke(app, [*args, "--as-of", "2024-03-15", "--frontline", str(SMALL)])
    assert res.exit_code == 0, res.output
    assert "frontline_small.geojson, layer of 2024-01-01" in res.output
    assert "default destinations already lost, left out: Echo (lost)" in res.output
    assert "Removed: bravo — 1 node(s)" in res.output
    no_layer = runner.invoke(app, [*args, "--as-of", "2024-06-15"])
    assert no_layer.exit_code == 2
    assert no_layer.output.strip() == (
        "error: this graph carries no occupation dates: give --frontline FILE with --as-of"
    )
    both = runner.invoke(app, [*args, "--as-of", "2024-06-15", "--pre-war"])
    assert both.exit_code == 2
    assert "not both" in both.output


# -- scenarios -----------------------------------------------------------------------------

SEEDS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_no_baseline_or_critical_link_of_a_seed_scenario_is_lost_on_its_date(path):
    sc = load_scenario(path)
    if sc.removals.frontline is not None and not resolve_path(sc.removals.frontline.file).exists():
        pytest.skip(f"shared dataset absent: {sc.removals.frontline.file}")
    res = run_scenario(sc)
    day = dt.date.fromisoformat(res.graph.graph["as_of"])
    region = load_region()
    for n in res.graph:
        assert not element_lost(region.nodes[n], day), n
    for u, v, k in res.graph.edges(keys=True):
        assert not element_lost(region.edges[u, v, k], day), (u, v)
    for frame in (res.min_cut, res.critical):
        for u, v in zip(frame["u"], frame["v"], strict=True):
            assert res.graph.has_edge(u, v)
    assert set(res.destinations) <= set(res.graph)
    assert not {"donetsk", "yasynuvata", "horlivka"} & set(res.graph)


def test_seed_scenarios_are_on_real_dates():
    falls = run_scenario(load_scenario(SEEDS[0].parent / "pokrovsk-falls.toml"))
    assert falls.graph.graph["as_of"] == "2025-08-03"
    assert {"pokrovsk", "pokrovsk-station"} == set(falls.removal.nodes)
    shev = run_scenario(load_scenario(SEEDS[0].parent / "t0518-cut-near-shevchenko.toml"))
    assert shev.graph.graph["as_of"] == "2024-11-15"
    assert "shevchenko" in shev.removal.nodes
    late = load_scenario(SEEDS[0].parent / "t0518-cut-near-shevchenko.toml").model_copy(
        update={"as_of": "2025-08-03"}
    )
    gone = run_scenario(late)
    assert gone.removal.empty
    assert gone.already_lost == ("Shevchenko (2024-12-13)",)
    pre = run_scenario(late.model_copy(update={"as_of": "pre-war"}))
    assert pre.graph.graph["as_of"] == "pre-war"
    assert "donetsk" in pre.graph


def test_timeline_on_shipped_dates_starts_without_loss(region, tmp_path):
    """No shared data needed; what was held before the first day is not a loss."""
    origins, destinations = resolve_od(region)
    frame = timeline(region, None, "2024-07-08", "2026-08-22", 90, origins, destinations)
    first = frame.iloc[0]
    assert first["nodes_lost"] == 18  # Donetsk, Horlivka, Avdiivka, ... held by then
    assert first["nodes_lost_since_start"] == 0
    assert first["pairs_cut_off"] == 0
    assert first["efficiency_loss_pct"] == 0.0
    assert list(frame["nodes_lost"]) == [18, 31, 38, 40, 42, 45, 51, 53, 53, 55]
    res = runner.invoke(
        app, ["timeline", "--from", "2025-08-03", "--to", "2025-12-30", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert "lost_on.csv" in res.output


# -- run / compare: --as-of and --pre-war override every scenario's own date -------------


@pytest.fixture
def dated_toy_env(dated_toy, tmp_path, monkeypatch) -> Path:
    """``--graph toy`` / ``graph = "toy"`` resolve to the dated copy of the toy region."""
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(tmp_path))
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name, as_of in (("early", "2024-02-15"), ("late", "2024-06-01")):
        (folder / f"{name}.toml").write_text(
            f'name = "{name}"\ndescription = "test"\ngraph = "toy"\nas_of = "{as_of}"\n'
            '[removals]\nplaces = ["bravo"]\n',
            encoding="utf-8",
        )
    return folder


def _invoke(args: list[str]) -> tuple[int, str]:
    res = CliRunner().invoke(app, args)
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.output


def test_run_keeps_each_scenarios_date_unless_as_of_overrides_it(dated_toy_env, tmp_path):
    early, late = (str(dated_toy_env / f"{n}.toml") for n in ("early", "late"))
    out = str(tmp_path / "reports")
    code, text = _invoke(["run", early, late, "--out", out])
    assert code == 0, text
    assert "Analysis date: network as of 2024-02-15 (occupation: " in text
    assert "Analysis date: network as of 2024-06-01 (occupation: " in text
    code, text = _invoke(["run", early, late, "--as-of", "2024-04-15", "--out", out])
    assert code == 0, text
    assert text.count("Analysis date: network as of 2024-04-15 (occupation: ") == 2
    assert "2024-02-15" not in text
    code, text = _invoke(["run", early, "--pre-war", "--out", out])
    assert code == 0, text
    assert "Analysis date: network as of pre-war (nothing occupied)" in text
    # Each date its own run folder, with the option in run.json; nothing overwritten.
    folders = sorted((tmp_path / "reports" / "scenarios").glob("early-*"))
    assert len(folders) == 3
    options = [
        json.loads((f / "run.json").read_text(encoding="utf-8"))["inputs"]["options"]
        for f in folders
    ]
    assert sorted(str(o["as_of"]) for o in options) == ["2024-04-15", "None", "None"]
    assert sorted(o["pre_war"] for o in options) == [False, False, True]


def test_run_as_of_changes_the_baseline(dated_toy_env, tmp_path):
    """The Alpha-Charlie road is cut from 2024-05-01: there on the overriding date only."""
    late = str(dated_toy_env / "late.toml")
    args = ["run", late, "--json", "--out", str(tmp_path)]
    code, text = _invoke([*args, "--as-of", "2024-04-15"])
    assert code == 0, text
    (during,) = json.loads(text)["scenarios"]
    code, text = _invoke(args)
    assert code == 0, text
    (own,) = json.loads(text)["scenarios"]
    assert (during["as_of"], own["as_of"]) == ("2024-04-15", "2024-06-01")
    assert "lost_on.csv" in during["as_of_layer"]
    assert during["od"] != own["od"], during["od"]


def test_compare_prints_each_scenarios_date_and_takes_the_override(dated_toy_env, tmp_path):
    specs = [str(dated_toy_env / f"{n}.toml") for n in ("early", "late")]
    code, text = _invoke(["compare", *specs, "--out", str(tmp_path)])
    assert code == 0, text
    assert "Analysis date per scenario:" in text
    assert "  early: network as of 2024-02-15 (occupation: " in text
    assert "  late: network as of 2024-06-01 (occupation: " in text
    code, text = _invoke(["compare", *specs, "--as-of", "latest", "--json", "--out", str(tmp_path)])
    assert code == 0, text
    data = json.loads(text)
    assert [row["as_of"] for row in data["table"]] == ["2024-12-31", "2024-12-31"]
    assert set(data["analysis_dates"]) == {"early", "late"}
    assert all("2024-12-31" in line for line in data["analysis_dates"].values())
    folders = list((tmp_path / "compare").glob("early+late-*"))
    assert len(folders) == 2  # the override is part of the run folder's hash


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--as-of", "2024-06-01", "--pre-war"], "give either --pre-war or --as-of, not both"),
        (["--as-of", "2024-13-01"], "--as-of"),
        (["--as-of", "soon"], "--as-of"),
    ],
)
@pytest.mark.parametrize("command", ["run", "compare"])
def test_run_and_compare_refuse_a_bad_date_in_one_line(
    dated_toy_env, tmp_path, command, extra, message
):
    code, text = _invoke(
        [command, str(dated_toy_env / "late.toml"), *extra, "--out", str(tmp_path / "reports")]
    )
    assert code == 2, text
    assert message in text
    assert len(text.strip().splitlines()) == 1, text
    assert not (tmp_path / "reports").exists()  # refused before any scenario ran
