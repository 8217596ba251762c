"""Every bad input the CLI can meet: one line on stderr, exit code 2, no traceback, no files.

Each test names the case it covers in ``docs/bad-input.md``. Graph files are written per
test under ``tmp_path``; the toy region comes from ``tests/data`` through ``toy_env``.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from resilience.cli import app

# Import osmnx (and so urllib3) at collection: urllib3 probes IPv6 with a socket on import,
# which pytest-socket reports as a warning that the CLI would print inside a test.
import osmnx  # noqa: F401  # isort: skip

runner = CliRunner(env={"COLUMNS": "200"})

# Five places on one line (P0-P1-P2) and a separate pair (P3-P4): a graph with an island.
_XY = [(37.0, 48.0), (37.01, 48.0), (37.02, 48.0), (37.5, 48.5), (37.51, 48.5)]
_LINKS = [(0, 1), (1, 2), (3, 4)]
# 0.01° of longitude at 48°N, in metres (haversine): the straight-line length of each link.
_HOP_M = 744.0


def write_graphml(
    path: Path,
    *,
    edge: dict[str, Any] | None = None,
    node: dict[str, Any] | None = None,
    drop_edge: tuple[str, ...] = (),
    drop_node: tuple[str, ...] = (),
    links: list[tuple[int, int]] = _LINKS,
    nodes: int = len(_XY),
) -> Path:
    """A small two-way road graph in GraphML; ``edge``/``node`` override link 1–2 / node 2."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i, (x, y) in enumerate(_XY[:nodes]):
        G.add_node(i, x=x, y=y, name=f"P{i}")
        if i == 2:
            G.nodes[i].update(node or {})
            for attr in drop_node:
                del G.nodes[i][attr]
    for u, v in links:
        for a, b in ((u, v), (v, u)):
            data: dict[str, Any] = {"length": 1000.0, "travel_time": 60.0, "highway": "primary"}
            if {a, b} == {1, 2}:
                data.update(edge or {})
                for attr in drop_edge:
                    data.pop(attr, None)
            G.add_edge(a, b, **data)
    nx.write_graphml(G, path)
    return path


def run(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def fails(args: list[str], out: Path | None = None) -> str:
    """Run the CLI, assert the one-line refusal contract and return the line."""
    result = run(args)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    if out is not None:
        assert not out.exists() or not any(out.rglob("*")), "a refused run wrote files"
    return lines[0]


def cut_od(args: list[str], out: Path) -> tuple[Any, pd.DataFrame]:
    result = run(["cut", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (od,) = out.glob("cut/*/od.csv")
    return result, pd.read_csv(od)


# --- unknown names, with the nearest names suggested ------------------------------------


def test_unknown_place_suggests_nearest(toy_env, tmp_path):
    line = fails(["cut", "-g", "toy", "--node", "brava", "--out", str(tmp_path)], tmp_path)
    assert line == "error: unknown place 'brava'; did you mean Bravo?"


def test_unknown_ref_suggests_nearest(toy_env, tmp_path):
    line = fails(["cut", "-g", "toy", "--ref", "H-02", "--out", str(tmp_path)], tmp_path)
    assert line.startswith("error: unknown road/rail ref 'H-02'; did you mean")
    assert "H01" in line


def test_unknown_corridor_suggests_nearest(tmp_path):
    # The short name is matched too: "myrnohrd" is far from "myrnohrad-corridor" itself.
    line = fails(["cut", "--corridor", "myrnohrd", "--out", str(tmp_path)], tmp_path)
    assert line == "error: unknown corridor 'myrnohrd'; did you mean myrnohrad-corridor?"


def test_unknown_origin_suggests_nearest(toy_env, tmp_path):
    line = fails(["cut", "-g", "toy", "--origin", "alpah", "--out", str(tmp_path)], tmp_path)
    assert line.startswith("error: unknown place 'alpah'; did you mean Alpha")


def test_unknown_edge_endpoint(toy_env, tmp_path):
    line = fails(["cut", "-g", "toy", "--edge", "alpha", "zulu", "--out", str(tmp_path)])
    assert "unknown place 'zulu'" in line


def test_edge_between_places_not_linked(toy_env, tmp_path):
    line = fails(["cut", "-g", "toy", "--edge", "alpha", "echo", "--out", str(tmp_path)])
    assert line == "error: no road or rail link joins 'alpha' and 'echo' directly"


def test_unknown_graph_name(toy_env, tmp_path):
    line = fails(["cut", "-g", "nosuch", "--out", str(tmp_path)], tmp_path)
    assert line == "error: no graph file or embedded region named 'nosuch'"


# --- contradictory requests -------------------------------------------------------------


def test_origin_equal_to_destination_by_alias(toy_env, tmp_path):
    line = fails(
        ["cut", "-g", "toy", "-o", "alpha", "-d", "Alfa", "--out", str(tmp_path)], tmp_path
    )
    assert line == "error: alpha is both an origin and a destination"


@pytest.mark.parametrize("command", ["mincut", "paths"])
def test_source_equal_to_target(toy_env, tmp_path, command):
    line = fails([command, "-g", "toy", "-s", "delta", "-t", "Dalta", "--out", str(tmp_path)])
    assert line in {
        "error: source and target are the same place ('delta', 'Dalta')",
        # mincut takes groups: the same place on both sides is named once.
        "error: a place is both a --source and a --target (delta)",
    }


def test_paths_source_removed_by_targets(toy_env, tmp_path):
    args = ["paths", "-g", "toy", "-s", "alpha", "-t", "delta", "-n", "alpha"]
    line = fails([*args, "--out", str(tmp_path)], tmp_path)
    assert line == "error: 'alpha' is itself removed by the targets"


def test_targets_that_remove_the_whole_graph(toy_env, tmp_path):
    names = ["alpha", "bravo", "charlie", "delta", "echo", "junction"]
    args = [a for n in names for a in ("--node", n)]
    line = fails(["cut", "-g", "toy", *args, "--out", str(tmp_path)], tmp_path)
    assert "remove every node of the network" in line


def test_bad_weight(toy_env, tmp_path):
    line = fails(["cut", "-g", "toy", "--weight", "speed", "--out", str(tmp_path)], tmp_path)
    assert line == (
        "error: Invalid value for '--weight': must be travel_time or length, not 'speed' "
        "(see 'resilience cut --help')"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["mincut", "-s", "alpha"], "Missing option '--target'"),
        (["cut", "--bogus"], "No such option: --bogus"),
        (["cut", "-g", "toy", "--edge", "alpha"], "--edge takes two places"),
        (["centrality", "--top", "0"], "Invalid value for '--top'"),
        (["centrality", "--top", "many"], "Invalid value for '--top'"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
    ids=["missing", "unknown-option", "short-pair", "out-of-range", "not-a-number", "command"],
)
def test_usage_errors_are_one_line(toy_env, tmp_path, args, expected):
    line = fails(args if "-g" in args or args[0] == "frobnicate" else [*args, "-g", "toy"])
    assert expected in line


def test_no_arguments_still_shows_help():
    result = run([])
    assert "Usage" in result.output
    assert "error:" not in result.output


# --- graph files the loader must refuse -------------------------------------------------


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "no element found"),  # truncated half-way
        ("source,target\n1,2\n", "syntax error"),
        ("<?xml version='1.0'?><html><body/></html>", "not successfully read as graphml"),
        (b"\x00\xff\xfe\x00 garbage", "not well-formed"),
        ("", "no element found"),
    ],
    ids=["truncated", "csv", "other-xml", "binary", "empty-file"],
)
def test_unreadable_graphml(tmp_path, content, why):
    path = tmp_path / "g.graphml"
    if content is None:
        text = write_graphml(path).read_text()
        path.write_text(text[: len(text) // 2])
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    line = fails(["cut", "-g", str(path), "-o", "P0", "-d", "P2", "--out", str(tmp_path / "r")])
    assert line.startswith("error: g.graphml: not a readable GraphML graph (")
    assert why in line
    assert not (tmp_path / "r").exists()


def test_wrong_graph_suffix(tmp_path):
    path = tmp_path / "g.xlsx"
    path.write_bytes(b"PK")
    line = fails(["cut", "-g", str(path)])
    assert line == "error: g.xlsx: unsupported graph format '.xlsx' (expected .graphml)"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"drop_node": ("x",)}, "error: node '2' has no usable x/y coordinates"),
        ({"node": {"y": math.nan}}, "error: node '2' has no usable x/y coordinates"),
        ({"node": {"x": math.inf}}, "error: node '2' has no usable x/y coordinates"),
        ({"nodes": 0, "links": []}, "error: the graph has no nodes"),
        ({"links": []}, "error: the graph has no edges"),
    ],
    ids=["no-x", "nan-y", "inf-x", "empty", "no-edges"],
)
def test_unusable_graph_is_refused(tmp_path, kwargs, expected):
    path = write_graphml(tmp_path / "g.graphml", **kwargs)
    out = tmp_path / "r"
    assert fails(["cut", "-g", str(path), "-o", "P0", "-d", "P1", "--out", str(out)], out) == (
        expected
    )


def test_graph_without_any_length_is_refused(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node(0, x=37.0, y=48.0)
    G.add_node(1, x=37.1, y=48.0)
    G.add_edge(0, 1, travel_time=60.0)
    G.add_edge(1, 0, travel_time=60.0)
    nx.write_graphml(G, tmp_path / "g.graphml")
    line = fails(["cut", "-g", str(tmp_path / "g.graphml"), "-o", "0", "-d", "1"])
    assert line == "error: edge '0'->'1' has no 'length'"


def test_typed_graphml_from_networkx_loads(tmp_path):
    # networkx declares numbers as ``double``; osmnx's reader then fails on a float.
    path = write_graphml(tmp_path / "g.graphml")
    assert 'attr.type="double"' in path.read_text()
    _, od = cut_od(["-g", str(path), "-o", "P0", "-d", "P2"], tmp_path / "r")
    assert list(od["status"]) == ["ok"]
    assert od.loc[0, "time_before_min"] == 2.0


def test_osmnx_written_graphml_loads(tmp_path):
    # osmnx writes every attribute as a string and reads ids back as integers.
    G = nx.read_graphml(write_graphml(tmp_path / "n.graphml"), force_multigraph=True)
    for *_, data in [*G.nodes(data=True), *G.edges(data=True)]:
        data.update({k: str(v) for k, v in data.items()})
    nx.write_graphml(G, tmp_path / "g.graphml")
    assert 'attr.type="double"' not in (tmp_path / "g.graphml").read_text()
    _, od = cut_od(["-g", str(tmp_path / "g.graphml"), "-o", "P0", "-d", "P2"], tmp_path / "r")
    assert od.loc[0, "time_before_min"] == 2.0


def test_missing_length_on_some_edges_is_the_straight_line(tmp_path):
    warnings, _ = _repaired(tmp_path, drop_edge=("length",))
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: g.graphml: 2 edge length(s) missing")


# --- bad values with a documented default: repaired, with one warning line ---------------


def _repaired(tmp_path: Path, **kwargs: Any) -> tuple[list[str], pd.DataFrame]:
    path = write_graphml(tmp_path / "g.graphml", **kwargs)
    out = tmp_path / "r"
    result, od = cut_od(["-g", str(path), "-o", "P0", "-d", "P2"], out)
    warnings = result.stderr.strip().splitlines()
    assert all(w.startswith("warning: g.graphml: ") for w in warnings), warnings
    return warnings, od


@pytest.mark.parametrize(
    "value",
    [0.0, -60.0, math.nan, math.inf, -math.inf, "fast"],
    ids=["zero", "neg", "nan", "inf", "-inf", "text"],
)
def test_bad_travel_time_is_recomputed_from_length(tmp_path, value):
    warnings, od = _repaired(tmp_path, edge={"travel_time": value})
    assert len(warnings) == 1
    assert "2 travel time(s)" in warnings[0] and "(primary)" in warnings[0]
    # P0->P1 keeps its 60 s; P1->P2 becomes 1000 m at the primary default 70 km/h.
    assert od.loc[0, "time_before_min"] == round((60 + 1000 / (70 / 3.6)) / 60, 1)


def test_missing_travel_time_is_recomputed(tmp_path):
    warnings, od = _repaired(tmp_path, drop_edge=("travel_time",))
    assert len(warnings) == 1 and "travel time(s)" in warnings[0]
    assert od.loc[0, "status"] == "ok"


@pytest.mark.parametrize(
    "value", [0.0, -30.0, math.nan, math.inf], ids=["zero", "neg", "nan", "inf"]
)
def test_bad_speed_falls_back_to_class_speed(tmp_path, value):
    warnings, od = _repaired(tmp_path, edge={"speed_kph": value, "travel_time": math.nan})
    assert len(warnings) == 2
    assert "speed(s)" in warnings[0] and "travel time(s)" in warnings[1]
    assert od.loc[0, "time_before_min"] == round((60 + 1000 / (70 / 3.6)) / 60, 1)


def test_good_speed_is_used_to_repair_travel_time(tmp_path):
    _, od = _repaired(tmp_path, edge={"speed_kph": 36.0, "travel_time": -1.0})
    assert od.loc[0, "time_before_min"] == round((60 + 100) / 60, 1)


@pytest.mark.parametrize(
    "value", [-5.0, math.nan, math.inf, "long"], ids=["neg", "nan", "inf", "text"]
)
def test_bad_length_is_the_straight_line(tmp_path, value):
    warnings, _ = _repaired(tmp_path, edge={"length": value})
    assert len(warnings) == 1 and "edge length(s)" in warnings[0]
    out = run(
        [
            "paths",
            "-g",
            str(tmp_path / "g.graphml"),
            "-s",
            "P1",
            "-t",
            "P2",
            "--weight",
            "length",
            "--out",
            str(tmp_path / "p"),
        ]
    )
    assert out.exit_code == 0, out.output
    paths = pd.read_csv(next((tmp_path / "p").rglob("paths.csv")))
    # --weight length reports kilometres, named so.
    assert paths.loc[0, "distance_km"] == pytest.approx(_HOP_M / 1000, abs=0.05)


def test_zero_length_and_time_is_kept(tmp_path):
    # Two nodes merged by consolidation may be joined at zero cost: not an error.
    warnings, od = _repaired(tmp_path, edge={"length": 0.0, "travel_time": 0.0})
    assert warnings == []
    assert od.loc[0, "time_before_min"] == 1.0


# --- honest answers where nothing can be reached -------------------------------------------


def test_od_set_with_no_connected_pair(tmp_path):
    path = write_graphml(tmp_path / "g.graphml")
    _, od = cut_od(
        ["-g", str(path), "-o", "P0", "-o", "P1", "-d", "P3", "-d", "P4"], tmp_path / "r"
    )
    assert list(od["status"]) == ["no route"] * 4
    assert od["time_before_min"].isna().all()
    assert (od["paths_before"] == 0).all()
    summary = pd.read_csv(next((tmp_path / "r").rglob("summary.csv")))
    row = summary.set_index("metric").loc["od_pairs_connected"]
    assert (float(row["before"]), float(row["after"])) == (0.0, 0.0)


def test_removal_that_cuts_every_pair_off(toy_env, tmp_path):
    _, od = cut_od(["-g", "toy", "-n", "delta", "-o", "alpha", "-d", "echo"], tmp_path)
    assert list(od["status"]) == ["cut off"]
    assert od.loc[0, "paths_after"] == 0


def test_mincut_between_disconnected_places(tmp_path):
    path = write_graphml(tmp_path / "g.graphml")
    result = run(["mincut", "-g", str(path), "-s", "P0", "-t", "P3", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "0 link(s)" in result.output


def test_paths_with_no_route(toy_env, tmp_path):
    args = ["paths", "-g", "toy", "-s", "alpha", "-t", "echo", "-n", "delta"]
    result = run([*args, "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert "No route from alpha to echo without delta: it is cut off." in result.output


# --- a reports folder that cannot be written ----------------------------------------------


def test_out_is_a_file(toy_env, tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    line = fails(["cut", "-g", "toy", "--out", str(blocker)])
    assert re.fullmatch(
        rf"error: cannot write to {re.escape(str(blocker))}/cut/baseline-[0-9a-f]{{8}}: "
        "Not a directory",
        line,
    ), line
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders"
)
def test_out_is_read_only(toy_env, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        line = fails(["cut", "-g", "toy", "--out", str(ro)])
    finally:
        ro.chmod(0o755)
    assert "Permission denied" in line
    assert not any(ro.iterdir())


def test_out_refused_by_the_system(toy_env, tmp_path, monkeypatch):
    # What a read-only folder does for a non-root user, whoever runs the tests.
    import resilience.io

    def deny(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(resilience.io.tempfile, "mkstemp", deny)
    line = fails(["cut", "-g", "toy", "--out", str(tmp_path)])
    assert re.fullmatch(
        rf"error: cannot write to {re.escape(str(tmp_path))}/cut/baseline-[0-9a-f]{{8}}: "
        "Permission denied",
        line,
    ), line
    assert not any(tmp_path.rglob("*.csv"))


# --- Ctrl-C --------------------------------------------------------------------------------


def test_ctrl_c_during_a_write_leaves_no_partial_file(toy_env, tmp_path, monkeypatch):
    # cut writes its tables with resilience.io.write_rows (no pandas): bytes to a temporary.
    real = Path.write_bytes
    calls = []

    def half_then_interrupt(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 2:
            real(self, data[:10])
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", half_then_interrupt)
    result = runner.invoke(app, ["cut", "-g", "toy", "--out", str(tmp_path)])
    assert result.exit_code == 130
    assert result.stderr.strip() == "interrupted; no partial files were left"
    (folder,) = (tmp_path / "cut").glob("baseline-*")
    # The file completed before Ctrl-C is whole; the one being written is absent, no temp.
    assert sorted(p.name for p in folder.iterdir()) == ["components.csv"]
    assert pd.read_csv(folder / "components.csv").shape[0] == 1


def test_real_sigint_in_a_subprocess_leaves_no_partial_file(tmp_path):
    # The same contract end to end: a real SIGINT, raised while a report file is written.
    script = f"""
import os, signal, sys
# A child of a background job inherits SIGINT ignored: set the handler this test relies on.
signal.signal(signal.SIGINT, signal.default_int_handler)
from pathlib import Path
real = Path.write_bytes
def slow(self, data):
    open(self, "w").write("partial")
    os.kill(os.getpid(), signal.SIGINT)
    return real(self, data)
Path.write_bytes = slow
os.environ["RESILIENCE_GRAPHS"] = {str(Path(__file__).parents[1] / "data")!r}
sys.argv = ["resilience", "cut", "-g", "toy", "--out", {str(tmp_path)!r}]
from resilience.cli import main
main()
"""
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines() == ["interrupted; no partial files were left"]
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


# --- non-UTF-8 text files: a decode error must not escape as a traceback -----------------


def test_region_file_not_utf8(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(Path(__file__).parents[1] / "data" / "toy", tmp_path / "bad")
    with (tmp_path / "bad" / "places.csv").open("ab") as fh:
        fh.write(b"\xff\xfe")
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(tmp_path))
    assert fails(["places", "-g", "bad"]).startswith("error: places.csv: not UTF-8 text (byte ")


def test_region_toml_not_utf8(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(Path(__file__).parents[1] / "data" / "toy", tmp_path / "bad")
    with (tmp_path / "bad" / "region.toml").open("ab") as fh:
        fh.write(b'x = "\xff"\n')
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(tmp_path))
    assert fails(["cut", "-g", "bad"]).startswith("error: region.toml: not UTF-8 text (byte ")


# --- scenario files (resilience run / compare / report) ------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such scenario file"),
        (b"= = =", "not valid TOML (Invalid statement"),
        (b'name = "\xff"\n', "not UTF-8 text (byte 8)"),
        (b'description = "d"\nfoo = 1\n', "unknown key 'foo'"),
        (b'description = "d"\nweight = "speed"\n', "key 'weight': expected"),
        (b'description = "d"\n[removals]\nedges = ["a"]\n', "key 'removals.edges': expected"),
        (
            b'description = "d"\ngraph = "toy"\n[removals]\nplaces = ["brava"]\n',
            "unknown place 'brava'; did you mean Bravo?",
        ),
    ],
    ids=["missing", "not-toml", "not-utf8", "unknown-key", "bad-value", "bad-pair", "unknown"],
)
def test_bad_scenario_file(toy_env, tmp_path, content, expected):
    path = tmp_path / "s.toml"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "r"
    for command in ("run", "compare"):
        line = fails([command, str(path), "--out", str(out)], out)
        assert line.startswith(f"error: {path}: ")
        assert expected in line


def test_scenario_path_is_a_folder(tmp_path):
    line = fails(["run", str(tmp_path)])
    assert line.startswith(f"error: {tmp_path}")


def test_report_without_scenarios(tmp_path):
    out = tmp_path / "r"
    line = fails(["report", "--scenarios", str(tmp_path / "none"), "--out", str(out)], out)
    assert line == f"error: no scenario files (*.toml) in {tmp_path / 'none'}"


# --- scan / attack / fetch options ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["scan", "--edges", "--nodes"], "error: give only one of --edges, --nodes, --both"),
        (["scan", "-o", "alpha", "-d", "Alfa"], "error: alpha is both an origin and a destination"),
        (["scan", "-o", "zulu"], "error: unknown place 'zulu'"),
        (["attack", "--strategy", "foo"], "error: --strategy must be betweenness, degree or"),
        (["attack", "--fraction", "2"], "error: Invalid value for '--fraction'"),
    ],
    ids=["scan-conflict", "scan-same-od", "scan-unknown", "attack-strategy", "attack-range"],
)
def test_scan_and_attack_bad_options(toy_env, tmp_path, args, expected):
    out = tmp_path / "r"
    assert fails([*args, "-g", "toy", "--out", str(out)], out).startswith(expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "error: give exactly one of --place, --point (with --radius-km) or --bbox"),
        (["--place", "X", "--bbox", "1,2,3,4"], "error: give exactly one of --place"),
        (["--bbox", "1,2,3"], "error: --bbox takes 4 comma-separated numbers"),
        (["--point", "48,x", "--radius-km", "1"], "error: --point takes 2 comma-separated"),
    ],
    ids=["none", "two", "short-bbox", "bad-point"],
)
def test_fetch_bad_options(tmp_path, monkeypatch, args, expected):
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(tmp_path))
    assert fails(["fetch", *args]).startswith(expected)
    assert not list(tmp_path.iterdir())


# --- polygon layers, extracts, line layers, front-line layers ------------------------------

_POINT_LAYER = (
    '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
    '"geometry":{"type":"Point","coordinates":[37.1,48.1]}}]}'
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "error: cannot read polygon layer "),
        ("nonsense", "error: cannot read polygon layer "),
        (_POINT_LAYER, "no polygon in the layer"),
    ],
    ids=["missing", "not-a-layer", "points-only"],
)
def test_bad_polygon_layer(toy_env, tmp_path, content, expected):
    path = tmp_path / "area.geojson"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "r"
    assert expected in fails(["cut", "-g", "toy", "--polygon", str(path), "--out", str(out)], out)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cut.osm", "<osm><node id='1' lat='48' lon='37'>", "not a readable OSM XML extract ("),
        ("lines.geojson", "nonsense", "error: cannot read line layer lines.geojson: "),
        ("lines.geojson", '{"type":"FeatureCollection","features":[]}', "no line in the layer"),
        ("lines.gpkg", "a,b", "error: cannot read line layer lines.gpkg: "),
    ],
    ids=["truncated-osm", "junk-lines", "empty-lines", "junk-gpkg"],
)
def test_bad_extract_or_line_layer(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content)
    assert expected in fails(["cut", "-g", str(path), "--out", str(tmp_path / "r")])


def test_graph_is_a_folder(tmp_path):
    assert fails(["cut", "-g", str(tmp_path)]) == (
        f"error: no graph file or embedded region named '{tmp_path}'"
    )


_FRONT = str(Path(__file__).parents[1] / "data" / "frontline_small.geojson")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2025-13-01", "--to", "2025-02-01"], "--from must be YYYY-MM-DD"),
        (["--from", "2025-02-01", "--to", "2025-01-01"], "ends (2025-01-01) before it starts"),
        (["--from", "2025-01-01", "--to", "2025-02-01", "--every", "0d"], "--every must be"),
        (["--from", "2025-01-01", "--to", "2025-02-01", "-f", "/nonexistent.geojson"], "not found"),
    ],
    ids=["bad-date", "reversed", "zero-step", "missing-layer"],
)
def test_bad_timeline(toy_env, tmp_path, args, expected):
    base = [] if "-f" in args else ["-f", _FRONT]
    out = tmp_path / "r"
    assert expected in fails(["timeline", "-g", "toy", *base, *args, "--out", str(out)], out)


def test_report_file_replaced_by_a_folder(toy_env, tmp_path):
    assert runner.invoke(app, ["cut", "-g", "toy", "--out", str(tmp_path)]).exit_code == 0
    (folder,) = (tmp_path / "cut").glob("baseline-*")
    (folder / "od.csv").unlink()
    (folder / "od.csv").mkdir()
    line = fails(["cut", "-g", "toy", "--out", str(tmp_path)])
    assert line == f"error: cannot write {folder}/od.csv: Is a directory"
    assert not list(tmp_path.rglob("*.tmp"))
