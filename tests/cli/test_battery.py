"""A battery of odd and bad inputs (issue 12): each ends with exit 0 and a correct, labelled
result, or exit 2 and one clear line; never a traceback, never a half-written file.

The refusals are one parametrised table (:data:`REFUSALS`); the answers that must be right
(units, counts, folders, manifests, JSON) are tests of their own below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from resilience.cli import app

runner = CliRunner(env={"COLUMNS": "200"})
DATA = Path(__file__).parents[1] / "data"
FRONT = str(DATA / "frontline_small.geojson")
SMALL_OSM = str(DATA / "osm" / "small.osm")


def run(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def ok(args: list[str]) -> Any:
    result = run(args)
    assert result.exit_code == 0, (result.exit_code, result.output)
    return result


def one_folder(parent: Path, prefix: str) -> Path:
    (folder,) = parent.glob(f"{prefix}-*")
    assert len(folder.name) == len(prefix) + 9  # <prefix>-<8 hex>
    return folder


def _scenario(folder: Path, name: str, body: str, stem: str | None = None) -> Path:
    path = folder / f"{stem or name}.toml"
    path.write_text(f'name = "{name}"\ndescription = "test"\ngraph = "toy"\n{body}\n')
    return path


# -- refusals: exit 2, one line naming the problem, nothing written -----------------------

REFUSALS: list[tuple[str, list[str], str]] = [
    ("mode-bus", ["cut", "-g", "toy", "--mode", "bus"], "--mode"),
    ("mode-on-region", ["cut", "-g", "toy", "--mode", "road"], "--mode is for a line-layer"),
    ("stations-on-region", ["cut", "-g", "toy", "--stations", FRONT], "--stations is for"),
    ("out-empty", ["cut", "-g", "toy", "--out", ""], "--out needs a folder"),
    ("out-blank", ["cut", "-g", "toy", "--out", "  "], "--out needs a folder"),
    ("edge-same-place", ["cut", "-g", "toy", "--edge", "alpha", "Alfa"], "same place"),
    ("edge-town-station", ["cut", "-g", "toy", "-e", "delta", "delta station"], "same place"),
    ("edge-one-place", ["cut", "-g", "toy", "--edge", "alpha"], "--edge takes two places"),
    ("edge-then-flag", ["cut", "-g", "toy", "--edge", "alpha", "-n", "bravo"], "two places"),
    ("edge-not-linked", ["cut", "-g", "toy", "--edge", "alpha", "echo"], "directly"),
    (
        "edge-second-bad",
        ["cut", "-g", "toy", "-e", "alpha", "bravo", "-e", "alpha", "zulu"],
        "zulu",
    ),
    ("fetch-lat-95", ["fetch", "--point", "95,37", "--radius-km", "5"], "latitude 95"),
    ("fetch-lat-nan", ["fetch", "--point", "nan,37", "--radius-km", "5"], "latitude nan"),
    ("fetch-lon-200", ["fetch", "--point", "48.28,200", "--radius-km", "5"], "longitude 200"),
    ("fetch-lat-inf", ["fetch", "--point", "inf,37", "--radius-km", "5"], "latitude inf"),
    ("fetch-one-number", ["fetch", "--point", "48.2"], "--point takes 2"),
    ("fetch-bbox-swapped", ["fetch", "--bbox", "37.5,48.1,36.9,48.45"], "W < E"),
    ("fetch-bbox-metres", ["fetch", "--bbox", "4100000,6100000,4200000,6200000"], "degrees"),
    ("fetch-bbox-text", ["fetch", "--bbox", "a,b,c,d"], "--bbox takes 4"),
    ("osm-point-metres", ["cut", "-g", SMALL_OSM, "--point", "6150000,4130000"], "metres"),
    ("osm-bbox-lat-200", ["cut", "-g", SMALL_OSM, "--bbox", "37,48,38,200"], "latitude 200"),
    ("scheduler-bogus", ["scan", "-g", "toy", "--scheduler", "bogus"], "--scheduler must be"),
    ("scheduler-port", ["scan", "-g", "toy", "--scheduler", "tcp://h:99999"], "--scheduler"),
    (
        "buffer-inf",
        [
            "timeline",
            "-g",
            "toy",
            "-f",
            FRONT,
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
            "--buffer",
            "inf",
        ],
        "--buffer",
    ),
    (
        "buffer-1e308",
        [
            "timeline",
            "-g",
            "toy",
            "-f",
            FRONT,
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
            "--buffer",
            "1e308",
        ],
        "--buffer",
    ),
    (
        "buffer-nan",
        [
            "timeline",
            "-g",
            "toy",
            "-f",
            FRONT,
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
            "--buffer",
            "nan",
        ],
        "--buffer",
    ),
    (
        "buffer-negative",
        [
            "timeline",
            "-g",
            "toy",
            "-f",
            FRONT,
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
            "--buffer",
            "-5",
        ],
        "--buffer",
    ),
    (
        "every-zero",
        [
            "timeline",
            "-g",
            "toy",
            "-f",
            FRONT,
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
            "--every",
            "0d",
        ],
        "--every",
    ),
    (
        "from-bad-date",
        ["timeline", "-g", "toy", "-f", FRONT, "--from", "2024-02-30", "--to", "2024-03-01"],
        "--from",
    ),
    ("mincut-same", ["mincut", "-g", "toy", "-s", "alpha", "-t", "Old Alpha"], "both"),
    (
        "mincut-group-overlap",
        ["mincut", "-g", "toy", "-s", "alpha", "-s", "delta", "-t", "delta"],
        "both a --source and a --target",
    ),
    (
        "mincut-removed-end",
        ["mincut", "-g", "toy", "-s", "alpha", "-t", "delta", "-n", "delta"],
        "itself removed",
    ),
    (
        "mincut-near",
        ["mincut", "-g", "toy", "-s", "alpha", "-t", "delta", "--near", "mid"],
        "--near",
    ),
    ("mincut-unknown", ["mincut", "-g", "toy", "-s", "nowhere", "-t", "delta"], "nowhere"),
    (
        "paths-removed-end",
        ["paths", "-g", "toy", "-s", "alpha", "-t", "delta", "-n", "delta"],
        "itself removed",
    ),
    ("paths-same", ["paths", "-g", "toy", "-s", "delta", "-t", "Dalta"], "same place"),
    ("attack-strategy", ["attack", "-g", "toy", "--strategy", "foo"], "--strategy"),
    ("attack-fraction", ["attack", "-g", "toy", "--fraction", "1.5"], "--fraction"),
    ("attack-steps", ["attack", "-g", "toy", "--steps", "0"], "--steps"),
    ("scan-two-kinds", ["scan", "-g", "toy", "--edges", "--nodes"], "only one of"),
    ("centrality-samples", ["centrality", "-g", "toy", "--samples", "0"], "--samples"),
    ("weight-speed", ["cut", "-g", "toy", "--weight", "speed"], "--weight"),
    ("unknown-node", ["cut", "-g", "toy", "--node", "brava"], "brava"),
    ("unknown-ref", ["cut", "-g", "toy", "--ref", "Z-99"], "Z-99"),
    ("unknown-corridor", ["cut", "-g", "toy", "--corridor", "nope"], "nope"),
    ("missing-polygon", ["cut", "-g", "toy", "--polygon", "/nonexistent.geojson"], "nonexist"),
    ("missing-graph", ["cut", "-g", "/nonexistent.graphml"], "no graph file"),
    (
        "od-overlap",
        ["cut", "-g", "toy", "--origin", "delta", "--destination", "delta"],
        "both an origin and a destination",
    ),
    ("as-of-bad", ["cut", "-g", "toy", "--as-of", "2025-13-45"], "as-of"),
    (
        "radius-zero",
        ["cut", "-g", SMALL_OSM, "--point", "48.2,37.1", "--radius-km", "0"],
        "--radius-km",
    ),
    ("snap-negative", ["cut", "-g", "toy", "--snap-m", "-1"], "--snap-m"),
    (
        "category-bogus",
        [
            "timeline",
            "-g",
            "toy",
            "-f",
            FRONT,
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
            "--category",
            "bogus",
        ],
        "bogus",
    ),
    ("run-unknown", ["run", "no-such-scenario"], "no-such-scenario"),
    ("compare-unknown", ["compare", "no-such-scenario"], "no-such-scenario"),
]


@pytest.mark.parametrize(
    ("args", "expected"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS]
)
def test_refused_in_one_line(toy_env, tmp_path, args, expected):
    out = tmp_path / "out"
    full = args if "--out" in args or args[0] == "fetch" else [*args, "--out", str(out)]
    result = run(full)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert expected.lower() in lines[0].lower(), lines[0]
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


def test_unreachable_scheduler_refused_at_once(toy_env, tmp_path, monkeypatch):
    import socket

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refused)
    result = run(
        ["scan", "-g", "toy", "--scheduler", "tcp://10.0.0.5:8786", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --scheduler tcp://10.0.0.5:8786: cannot reach a Dask scheduler there "
        "(ConnectionRefusedError)"
    )


def test_battery_is_large():
    # The bar is more than 70 odd inputs; the refusals alone are most of them.
    here = Path(__file__).read_text()
    answers = here.count("\ndef test_") - 2  # minus this test and the parametrised one
    assert len(REFUSALS) + answers > 70


# -- repeatable options accumulate ---------------------------------------------------------


def test_edge_repeated_removes_every_pair(toy_env, tmp_path):
    ok(
        [
            "cut",
            "-g",
            "toy",
            "-e",
            "alpha",
            "bravo",
            "-e",
            "alpha",
            "charlie",
            "--out",
            str(tmp_path),
        ]
    )
    folder = one_folder(tmp_path / "cut", "alpha-bravo+alpha-charlie")
    summary = pd.read_csv(folder / "summary.csv").set_index("metric")
    assert summary.loc["links", "before"] - summary.loc["links", "after"] == 2
    od = pd.read_csv(folder / "od.csv")
    # Alpha's only road links are both gone: Delta is reached by rail only (or not at all).
    assert (od["status"] != "ok").all()


def test_paths_edge_repeated_avoids_both_links(toy_env, tmp_path):
    result = ok(
        [
            "paths",
            "-g",
            "toy",
            "-s",
            "alpha",
            "-t",
            "delta",
            "-e",
            "alpha",
            "bravo",
            "-e",
            "alpha",
            "charlie",
            "--json",
            "--out",
            str(tmp_path),
        ]
    )
    data = json.loads(result.stdout)
    for row in data["paths"]:
        assert "Bravo" not in row["via"].split(" > ")[1:2]
        assert "Charlie" not in row["via"].split(" > ")[1:2]


# -- units follow --weight -----------------------------------------------------------------


def test_cut_units_follow_weight(toy_env, tmp_path):
    ok(["cut", "-g", "toy", "-n", "bravo", "--out", str(tmp_path / "t")])
    ok(["cut", "-g", "toy", "-n", "bravo", "--weight", "length", "--out", str(tmp_path / "l")])
    od_t = pd.read_csv(one_folder(tmp_path / "t" / "cut", "bravo") / "od.csv")
    od_l = pd.read_csv(one_folder(tmp_path / "l" / "cut", "bravo") / "od.csv")
    assert "time_before_min" in od_t and "length_before_km" not in od_t
    assert "length_before_km" in od_l and "time_before_min" not in od_l
    sum_l = pd.read_csv(one_folder(tmp_path / "l" / "cut", "bravo") / "summary.csv")
    assert "global_efficiency_per_km" in set(sum_l["metric"])
    assert "global_efficiency_per_h" not in set(sum_l["metric"])
    # Alpha–Delta is ~15 km as the crow flies: kilometres, not metres.
    assert 5 < od_l["length_before_km"].min() < 100


def test_paths_units_follow_weight(toy_env, tmp_path):
    data = json.loads(
        ok(
            [
                "paths",
                "-g",
                "toy",
                "-s",
                "alpha",
                "-t",
                "delta",
                "--weight",
                "length",
                "--json",
                "--out",
                str(tmp_path),
            ]
        ).stdout
    )
    assert "distance_km" in data["paths"][0] and "travel_time_min" not in data["paths"][0]


def test_scan_units_named(toy_env, tmp_path):
    data = json.loads(ok(["scan", "-g", "toy", "--json", "--out", str(tmp_path)]).stdout)
    assert {"importance_min", "cut_off_pct", "od_efficiency_loss_pct"} <= set(data["top"][0])
    data = json.loads(
        ok(["scan", "-g", "toy", "--weight", "length", "--json", "--out", str(tmp_path)]).stdout
    )
    assert "importance_km" in data["top"][0] and "importance_min" not in data["top"][0]


# -- one word per meaning; a two-way link is one element -----------------------------------


def test_lost_apart_from_cut_off(toy_env, tmp_path):
    data = json.loads(
        ok(["cut", "-g", "toy", "-n", "delta", "--json", "--out", str(tmp_path)]).stdout
    )
    summary = {row["metric"]: row for row in data["summary"]}
    # Delta removed: alpha→delta is lost; echo lies behind delta: alpha→echo is cut off.
    assert summary["od_pairs_lost"]["after"] == 1
    assert summary["od_pairs_cut_off"]["after"] == 1
    statuses = sorted(row["status"] for row in data["od"])
    assert statuses == ["cut off", "lost"]


def test_two_way_link_counts_once(toy_env, tmp_path):
    data = json.loads(ok(["cut", "-g", "toy", "--json", "--out", str(tmp_path)]).stdout)
    summary = {row["metric"]: row for row in data["summary"]}
    assert summary["link_directions"]["before"] == 2 * summary["links"]["before"]
    data = json.loads(
        ok(["cut", "-g", "toy", "-e", "alpha", "bravo", "--json", "--out", str(tmp_path)]).stdout
    )
    assert data["links_removed"] == 1


def test_compare_lost_apart_from_cut_off(toy_env, tmp_path):
    scen = tmp_path / "sc"
    scen.mkdir()
    a = _scenario(scen, "delta-falls", 'removals = { places = ["delta"] }')
    data = json.loads(ok(["compare", str(a), "--json", "--out", str(tmp_path / "o")]).stdout)
    row = data["table"][0]
    assert (row["lost"], row["cut_off"]) == (1, 1)


# -- wrong rows ----------------------------------------------------------------------------


def test_paths_on_parallel_roads_describe_each_road(tmp_path):
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(0, x=37.0, y=48.0, name="West")
    G.add_node(1, x=37.1, y=48.0, name="East")
    for ref, minutes in (("FAST-1", 10.0), ("SLOW-2", 25.0)):
        for a, b in ((0, 1), (1, 0)):
            G.add_edge(a, b, length=8000.0, travel_time=minutes * 60, highway="primary", ref=ref)
    nx.write_graphml(G, tmp_path / "par.graphml")
    data = json.loads(
        ok(
            [
                "paths",
                "-g",
                str(tmp_path / "par.graphml"),
                "-s",
                "West",
                "-t",
                "East",
                "--json",
                "--out",
                str(tmp_path / "o"),
            ]
        ).stdout
    )
    rows = {r["path"]: r for r in data["paths"]}
    assert (rows["disjoint-1"]["travel_time_min"], rows["disjoint-1"]["routes"]) == (10.0, "FAST-1")
    assert (rows["disjoint-2"]["travel_time_min"], rows["disjoint-2"]["routes"]) == (25.0, "SLOW-2")


def test_missing_default_destinations_are_named(tmp_path):
    from resilience.sources.bundled import load_region

    R = load_region()
    G = nx.MultiDiGraph(crs="epsg:4326")
    for n in ("dnipro", "pavlohrad", "zaporizhzhia", "pokrovsk", "myrnohrad"):
        G.add_node(n, x=R.nodes[n]["x"], y=R.nodes[n]["y"], name=R.nodes[n]["name"])
    for u, v in (
        ("dnipro", "pokrovsk"),
        ("pavlohrad", "pokrovsk"),
        ("zaporizhzhia", "pokrovsk"),
        ("pokrovsk", "myrnohrad"),
    ):
        for a, b in ((u, v), (v, u)):
            G.add_edge(a, b, length=1000.0, travel_time=60.0, highway="primary")
    nx.write_graphml(G, tmp_path / "five.graphml")
    result = ok(["cut", "-g", str(tmp_path / "five.graphml"), "--out", str(tmp_path / "o")])
    warning = [line for line in result.stderr.splitlines() if "default destinations" in line]
    assert len(warning) == 1, result.stderr
    assert "11 default destinations not in this graph" in warning[0]
    assert "Kramatorsk" in warning[0]


def test_attack_ends_at_the_fraction(toy_env, tmp_path):
    for steps in ("3", "100"):
        data = json.loads(
            ok(
                [
                    "attack",
                    "-g",
                    "toy",
                    "--fraction",
                    "0.2",
                    "--steps",
                    steps,
                    "--json",
                    "--out",
                    str(tmp_path),
                ]
            ).stdout
        )
        assert max(r["fraction_removed"] for r in data["curve"]) <= 0.2


def test_places_on_another_graph_lists_no_region_corridors(tmp_path):
    G = nx.MultiDiGraph(crs="epsg:4326")  # near Lviv, far from the Pokrovsk corridors
    G.add_node(0, x=24.0, y=49.8, name="West")
    G.add_node(1, x=24.1, y=49.8, name="East")
    G.add_edge(0, 1, length=8000.0, travel_time=600.0, highway="primary")
    G.add_edge(1, 0, length=8000.0, travel_time=600.0, highway="primary")
    nx.write_graphml(G, tmp_path / "lviv.graphml")
    data = json.loads(ok(["places", "-g", str(tmp_path / "lviv.graphml"), "--json"]).stdout)
    assert data["corridors"] == []
    assert data["corridors_outside_graph"] >= 1
    result = ok(["places", "-g", str(tmp_path / "lviv.graphml")])
    assert "Corridors: (none in this graph)" in result.stdout


# -- runs never collide; each keeps its record ---------------------------------------------


def test_runs_get_their_own_folders(toy_env, tmp_path):
    for node in ("alpha", "bravo", "Браво"):
        ok(["cut", "-g", "toy", "-n", node, "--out", str(tmp_path)])
    folders = sorted(p.name for p in (tmp_path / "cut").iterdir())
    # Bravo by any spelling is the same removal but typed differently: own folder each.
    assert len(folders) == 3, folders
    assert all(len(f.rsplit("-", 1)[1]) == 8 for f in folders)


def test_scan_kinds_do_not_overwrite(toy_env, tmp_path):
    ok(["scan", "-g", "toy", "--edges", "--out", str(tmp_path)])
    ok(["scan", "-g", "toy", "--nodes", "--out", str(tmp_path)])
    assert {p.name.split("-")[0] for p in (tmp_path / "scan").iterdir()} == {"edges", "nodes"}


def test_same_run_same_folder_same_bytes(toy_env, tmp_path):
    args = ["cut", "-g", "toy", "-r", "P-02", "--out", str(tmp_path)]
    ok(args)
    folder = one_folder(tmp_path / "cut", "p-02")
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    ok(args)
    assert [p.name for p in (tmp_path / "cut").iterdir()] == [folder.name]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first


def test_run_json_manifest(toy_env, tmp_path):
    ok(["cut", "-g", "toy", "-n", "bravo", "--weight", "length", "--out", str(tmp_path)])
    manifest = json.loads((one_folder(tmp_path / "cut", "bravo") / "run.json").read_text())
    assert manifest["version"]
    assert manifest["command"].startswith("resilience cut -g toy -n bravo")
    assert manifest["weight"] == "length"
    assert manifest["origins"] == ["alpha"] and manifest["destinations"] == ["delta", "echo"]
    assert {"components.csv", "od.csv", "summary.csv"} <= set(manifest["files"])
    assert "run.json" not in manifest["files"]
    assert manifest["inputs"]["options"]["node"] == ["bravo"]


def test_manifest_hashes_the_graph_file(tmp_path):
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(0, x=37.0, y=48.0, name="West")
    G.add_node(1, x=37.1, y=48.0, name="East")
    G.add_edge(0, 1, length=8000.0, travel_time=600.0, highway="primary")
    G.add_edge(1, 0, length=8000.0, travel_time=600.0, highway="primary")
    path = tmp_path / "g.graphml"
    nx.write_graphml(G, path)
    ok(["paths", "-g", str(path), "-s", "West", "-t", "East", "--out", str(tmp_path / "o")])
    (manifest,) = (tmp_path / "o" / "paths").glob("*/run.json")
    data = json.loads(manifest.read_text())
    from resilience.provenance import file_sha256

    assert data["graph_sha256"] == file_sha256(path)
    assert data["inputs"]["files_sha256"] == {str(path): file_sha256(path)}


def test_two_scenarios_of_one_name_refused(toy_env, tmp_path):
    a = _scenario(tmp_path, "same", 'removals = { places = ["bravo"] }', stem="a")
    b = _scenario(tmp_path, "same", 'removals = { places = ["charlie"] }', stem="b")
    result = run(["run", str(a), str(b), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "two scenarios are named 'same'" in result.stderr
    assert not (tmp_path / "o").exists()


def test_scenario_buffer_inf_refused(toy_env, tmp_path):
    a = _scenario(
        tmp_path, "wide", 'removals = { polygons = [{ file = "z.geojson", buffer_m = inf }] }'
    )
    result = run(["run", str(a), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "buffer_m" in result.stderr


def test_scenario_paths_relative_to_the_file(toy_env, tmp_path, monkeypatch):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    zone = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [37.05, 48.05],
                            [37.15, 48.05],
                            [37.15, 48.15],
                            [37.05, 48.15],
                            [37.05, 48.05],
                        ]
                    ],
                },
            }
        ],
    }
    (folder / "zone.geojson").write_text(json.dumps(zone))
    sc = _scenario(folder, "zone", 'removals = { polygons = [{ file = "zone.geojson" }] }')
    monkeypatch.chdir(tmp_path)
    data = json.loads(ok(["run", str(sc), "--json", "--out", str(tmp_path / "o")]).stdout)
    assert data["scenarios"][0]["nodes_removed"] >= 1  # Bravo lies in the zone


def test_report_validates_every_scenario_before_writing(toy_env, tmp_path):
    scen = tmp_path / "sc"
    scen.mkdir()
    _scenario(scen, "a-good", 'removals = { places = ["bravo"] }')
    _scenario(scen, "z-bad", 'removals = { places = ["zulu"] }')
    result = run(["report", "--scenarios", str(scen), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "z-bad" in result.stderr and "zulu" in result.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").rglob("*.*"))


def test_run_help_example_is_by_name():
    result = ok(["run", "--help"])
    assert "Example: resilience run pokrovsk-falls m30-cut" in result.output


# -- mincut between groups -----------------------------------------------------------------


def test_mincut_groups_and_removals(toy_env, tmp_path):
    data = json.loads(
        ok(
            [
                "mincut",
                "-g",
                "toy",
                "-s",
                "alpha",
                "-t",
                "delta",
                "-t",
                "echo",
                "-n",
                "charlie",
                "--json",
                "--out",
                str(tmp_path),
            ]
        ).stdout
    )
    assert data["targets"] == ["delta", "echo"] and data["removed"] == ["charlie"]
    # Charlie gone: Alpha reaches the Delta side by the H-01 road and by rail only.
    assert data["edge_cut_links"] == 2


def test_mincut_says_when_the_cut_is_an_end(tmp_path):
    result = ok(["mincut", "-s", "dnipro", "-t", "myrnohrad", "--out", str(tmp_path)])
    assert "only the links at the target (myrnohrad)" in result.stdout
    assert "Smallest cut away from the ends" in result.stdout
    (folder,) = (tmp_path / "mincut").glob("dnipro-myrnohrad-*")
    away = pd.read_csv(folder / "edge_cut_away.csv")
    own = {"Myrnohrad", "Tsentralna"}
    assert not set(away["to"]) & own and not set(away["from"]) & own


# -- --json everywhere, --version ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["cut", "-g", "toy", "-n", "bravo"],
        ["paths", "-g", "toy", "-s", "alpha", "-t", "delta"],
        ["mincut", "-g", "toy", "-s", "alpha", "-t", "delta"],
        ["centrality", "-g", "toy"],
        ["places", "-g", "toy"],
        ["scan", "-g", "toy", "--nodes"],
        ["attack", "-g", "toy", "--steps", "2"],
        [
            "timeline",
            "-g",
            "toy",
            "-f",
            FRONT,
            "--from",
            "2024-01-01",
            "--to",
            "2024-09-01",
            "--every",
            "100d",
        ],
    ],
    ids=lambda a: a[0],
)
def test_json_on_stdout_notes_on_stderr(toy_env, tmp_path, args):
    result = ok([*args, "--json", *([] if args[0] == "places" else ["--out", str(tmp_path)])])
    data = json.loads(result.stdout)
    assert data["command"] == args[0]


def test_version():
    result = ok(["--version"])
    assert result.stdout.startswith("resilience ")


def test_ctrl_c_at_start_up_is_one_line(tmp_path):
    script = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
import resilience.cli._common as common
def interrupted(args):
    os.kill(os.getpid(), signal.SIGINT)
common.remember_argv = interrupted
import resilience.cli
resilience.cli.remember_argv = interrupted
sys.argv = ["resilience", "places"]
resilience.cli.main()
"""
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines() == ["interrupted; no partial files were left"]


def test_centrality_lists_a_two_way_link_once(toy_env, tmp_path):
    data = json.loads(
        ok(["centrality", "-g", "toy", "--top", "50", "--json", "--out", str(tmp_path)]).stdout
    )
    labels = [row["label"] for row in data["links"]]
    assert len(labels) == len(set(labels)), labels


# -- --edge A B#KEY: one of several parallel links; transfers by node ids ------------------


@pytest.fixture
def parallel_layer(tmp_path):
    """Two parallel roads between nodes 0 and 1 (key 0 straight, key 1 bent), 3-0 and 1-2."""
    from resilience.sources.lines import graph_from_lines
    from tests.test_targets import parallel_roads

    path = parallel_roads(tmp_path / "parallel.gpkg")
    G = graph_from_lines(path, mode="road")
    assert {k: d["name"] for k, d in G[0][1].items()} == {0: "Straight", 1: "Bend"}
    assert set(G[3][0]) == {0} and set(G[1][2]) == {0}
    return str(path)


def test_edge_key_cuts_one_parallel_link_and_cut_routes_over_the_other(parallel_layer, tmp_path):
    base = ["cut", "-g", parallel_layer, "--mode", "road", "-o", "3", "-d", "2", "--json"]
    one = ok([*base, "--edge", "0", "1#0", "--out", str(tmp_path / "one")])
    assert "note: --edge removed 1 link(s) (2 link direction(s))" in one.stderr
    data = json.loads(one.stdout)
    assert data["removed"] == ["0-1#0"]
    links = {r["metric"]: r for r in data["summary"]}["links"]
    assert (links["before"], links["after"]) == (4, 3)
    (od,) = data["od"]
    assert od["status"] == "detour"  # over the bent road, the parallel link left
    assert od["time_after_min"] > od["time_before_min"]
    both = ok([*base, "--edge", "0", "1", "--out", str(tmp_path / "both")])
    assert "note: --edge removed 2 link(s) (4 link direction(s))" in both.stderr
    assert json.loads(both.stdout)["od"][0]["status"] == "cut off"


def test_edge_key_paths_route_over_the_other_parallel_link(parallel_layer, tmp_path):
    args = ["paths", "-g", parallel_layer, "--mode", "road", "-s", "3", "-t", "2", "--json"]
    before = json.loads(ok([*args, "--out", str(tmp_path)]).stdout)["paths"][0]
    after = ok([*args, "--edge", "1", "0#0", "--out", str(tmp_path)])
    shortest = json.loads(after.stdout)["paths"][0]
    assert shortest["via"] == "3 > 0 > 1 > 2"
    assert shortest["length_km"] > before["length_km"]
    # Keeping the straight road (removing the bent one) leaves the best route as it was.
    kept = json.loads(ok([*args, "-e", "0", "1#1", "--out", str(tmp_path)]).stdout)["paths"][0]
    assert kept["length_km"] == before["length_km"]


def test_edge_unknown_key_is_one_line_with_the_keys(parallel_layer, tmp_path):
    result = run(["cut", "-g", parallel_layer, "--mode", "road", "-e", "0", "1#7"])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line
    assert line == (
        "error: no link with key '7' joins '0' and '1'; "
        "keys there: 0 (0–1, source_id 0), 1 (0–1, source_id 1)"
    )
    empty = run(["cut", "-g", parallel_layer, "--mode", "road", "-e", "0", "1#"])
    assert empty.exit_code == 2
    assert "needs a place and a key" in empty.output


def test_edge_transfer_by_node_ids(toy_env, tmp_path):
    result = ok(["cut", "-g", "toy", "-e", "delta", "delta-station", "--out", str(tmp_path)])
    assert "note: --edge removed 1 link(s) (2 link direction(s))" in result.stderr
    folder = one_folder(tmp_path / "cut", "delta-delta-station")
    summary = pd.read_csv(folder / "summary.csv").set_index("metric")
    assert summary.loc["links", "before"] - summary.loc["links", "after"] == 1
    assert "same place" in run(["cut", "-g", "toy", "-e", "delta", "delta"]).output


def test_edge_repeated_with_keys_accumulate(toy_env, tmp_path):
    args = ["cut", "-g", "toy", "-e", "alpha", "bravo#0", "-e", "alpha", "charlie"]
    result = ok([*args, "--out", str(tmp_path)])
    assert "note: --edge removed 2 link(s) (4 link direction(s))" in result.stderr
    folder = one_folder(tmp_path / "cut", "alpha-bravo0+alpha-charlie")
    summary = pd.read_csv(folder / "summary.csv").set_index("metric")
    assert summary.loc["links", "before"] - summary.loc["links", "after"] == 2
