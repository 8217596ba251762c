"""Every command is listed; every graph-reading command takes the same graph options."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from resilience.cli import app

import osmnx  # noqa: F401  # isort: skip - urllib3 probes a socket on first import

runner = CliRunner(env={"COLUMNS": "200"})
DATA = Path(__file__).resolve().parents[1] / "data"
GRAPH_OPTIONS = {"--graph", "--mode", "--stations", "--bbox", "--point", "--radius-km", "--snap-m"}
# The commands of this package's own groups that read a graph (others add theirs).
GRAPH_COMMANDS = [
    "cut",
    "centrality",
    "mincut",
    "paths",
    "places",
    "scan",
    "attack",
    "run",
    "compare",
    "timeline",
]
# Required arguments of each, so that the graph options are what fails.
REQUIRED = {
    "mincut": ["-s", "alpha", "-t", "delta"],
    "paths": ["-s", "alpha", "-t", "delta"],
    "run": ["pokrovsk-falls"],
    "compare": ["pokrovsk-falls"],
    "timeline": ["--frontline", str(DATA / "frontline_small.geojson"), "--from", "2024-01-01",
                 "--to", "2024-02-01"],
}  # fmt: skip


@functools.cache
def _click() -> typer.main.TyperGroup:
    return typer.main.get_command(app)  # type: ignore[return-value]


def _flags(name: str) -> set[str]:
    command = _click().commands[name]
    return {opt for param in command.params for opt in param.opts}


def test_help_lists_every_command() -> None:
    names = list(_click().commands)
    assert len(names) >= 13
    env = os.environ | {"COLUMNS": "200"}
    for module in ("resilience", "resilience.cli"):
        out = subprocess.run(
            [sys.executable, "-m", module, "--help"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
        listed = {line.split()[1] for line in out.splitlines() if line.startswith("│ ")}
        assert set(names) <= listed, f"{module} --help misses {set(names) - listed}"


def test_subcommand_help_through_the_package() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "resilience.cli", "scan", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"COLUMNS": "200"},
    )
    assert out.returncode == 0, out.stderr
    assert "--mode" in out.stdout
    assert "--snap-m" in out.stdout


def test_every_command_that_takes_a_graph_takes_all_graph_options() -> None:
    readers = [name for name in _click().commands if "--graph" in _flags(name)]
    assert set(GRAPH_COMMANDS) <= set(readers)
    for name in readers:
        missing = GRAPH_OPTIONS - _flags(name)
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_options_are_defined_once() -> None:
    # Same flag, same help on every command: they come from one definition.
    helps: dict[str, set[str]] = {}
    for command in _click().commands.values():
        for param in command.params:
            if set(param.opts) & (GRAPH_OPTIONS | {"--weight", "--origin", "--destination"}):
                helps.setdefault(param.opts[0], set()).add(getattr(param, "help", "") or "")
    for flag, texts in helps.items():
        assert len(texts) == 1, f"{flag} has {len(texts)} different helps"


@pytest.mark.parametrize("command", GRAPH_COMMANDS)
@pytest.mark.parametrize(
    ("option", "where"),
    [
        (["--mode", "road"], "a line-layer --graph"),
        (["--stations", str(DATA / "frontline_small.geojson")], "a line-layer --graph"),
        (["--snap-m", "5"], "a line-layer --graph"),
        (["--bbox", "37,48,37.1,48.1"], "an .osm/.osm.pbf extract --graph"),
        (["--point", "48,37", "--radius-km", "2"], "an .osm/.osm.pbf extract --graph"),
        (["--radius-km", "2"], "an .osm/.osm.pbf extract --graph"),
    ],
)
def test_graph_options_reach_the_loader(toy_env, tmp_path, command, option, where) -> None:
    out = [] if command == "places" else ["--out", str(tmp_path)]
    res = runner.invoke(app, [command, *REQUIRED.get(command, []), "--graph", "toy", *option, *out])
    assert res.exit_code == 2, res.output
    assert res.output.strip().splitlines()[-1] == (
        f"error: {option[0]} is for {where}, not the embedded region 'toy'"
    )
    assert not any(tmp_path.iterdir())


def test_bbox_and_point_clip_an_osm_extract(tmp_path) -> None:
    osm = str(DATA / "osm" / "small.osm")
    full = runner.invoke(app, ["places", "--graph", osm])
    assert full.exit_code == 0, full.output
    box = runner.invoke(app, ["places", "--graph", osm, "--bbox", "0,0,0.001,0.001"])
    pt = runner.invoke(app, ["places", "--graph", osm, "--point", "0,0", "--radius-km", "0.1"])
    # Nothing of the extract lies at 0°N 0°E: the clip reached the loader and emptied it.
    for res in (box, pt):
        assert res.exit_code == 2, res.output
        assert res.output.startswith("error: ")


def test_snap_m_reaches_the_line_layer_loader(monkeypatch, tmp_path) -> None:
    from resilience.sources import lines

    seen: dict[str, object] = {}
    real = lines.graph_from_lines

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(lines, "graph_from_lines", spy)
    layer = _roads(tmp_path)
    res = runner.invoke(app, ["places", "--graph", str(layer), "--mode", "road", "--snap-m", "7.5"])
    assert res.exit_code == 0, res.output
    assert seen["snap_m"] == 7.5
    assert seen["mode"] == "road"


def _roads(tmp_path: Path) -> Path:
    """A small road line layer: a square with a spur, two highway classes."""

    def line(coords, highway, ref):
        return {
            "type": "Feature",
            "properties": {"highway": highway, "ref": ref},
            "geometry": {"type": "LineString", "coordinates": coords},
        }

    features = [
        line([[37.00, 48.00], [37.05, 48.00], [37.10, 48.00]], "primary", "R1"),
        line([[37.05, 47.95], [37.05, 48.00], [37.05, 48.05]], "secondary", "R2"),
        line([[37.10, 48.00], [37.10, 48.05], [37.05, 48.05]], "secondary", "R3"),
    ]
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.mark.parametrize(("mode", "expected"), [(["--mode", "road"], "road"), ([], "rail")])
def test_scan_builds_a_line_layer_in_the_mode_given(tmp_path, mode, expected) -> None:
    layer = _roads(tmp_path)
    args = ["scan", "--graph", str(layer), *mode, "--origin", "0", "--destination", "4"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    (scan_csv,) = (tmp_path / "scan").glob("edges-*/scan.csv")
    rows = scan_csv.read_text().splitlines()
    header = rows[0].split(",")
    modes = {row.split(",")[header.index("mode")] for row in rows[1:]}
    assert modes == {expected}


@pytest.mark.parametrize("command", ["run", "compare"])
def test_graph_options_need_graph_for_scenarios(tmp_path, command) -> None:
    res = runner.invoke(app, [command, "pokrovsk-falls", "--mode", "road", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: the graph options need --graph (each scenario otherwise names its own graph)"
    )
    assert not any(tmp_path.iterdir())


def test_bad_point_is_one_line_on_an_analysis_command(tmp_path) -> None:
    osm = str(DATA / "osm" / "small.osm")
    res = runner.invoke(app, ["cut", "--graph", osm, "--point", "48", "--radius-km", "1"])
    assert res.exit_code == 2
    assert res.output.startswith("error: --point takes 2 comma-separated numbers")


def _single_value_options() -> list[tuple[str, str, bool]]:
    group = typer.main.get_command(app)
    out = []
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name != "option" or param.multiple:
                continue
            if param.opts[0] in {"--help", "-h"}:
                continue
            out.append((name, max(param.opts, key=len), bool(getattr(param, "is_flag", False))))
    return out


@pytest.mark.parametrize(("command", "option", "flag"), _single_value_options())
def test_a_single_value_option_given_twice_is_refused(command, option, flag) -> None:
    # click keeps the last value silently; a user who wrote --k 2 --k 3 meant something.
    twice = [option, option] if flag else [option, "1", f"{option}=2"]
    result = runner.invoke(app, [command, *twice])
    assert result.exit_code == 2, (command, option, result.output)
    lines = result.output.strip().splitlines()
    assert lines == [f"error: {option} is given twice " + lines[0].split(" twice ", 1)[1]]
    assert "give it once" in lines[0]


def test_repeatable_options_and_dashed_values_are_not_refused(tmp_path) -> None:
    # --node is repeatable; a value that starts with a dash is a value, not an option.
    result = runner.invoke(app, ["cut", "--node", "-k", "--k", "2"])
    assert "given twice" not in result.output
    out = ["--out", str(tmp_path)]
    result = runner.invoke(app, ["cut", "--node", "pokrovsk", "--node", "myrnohrad", *out])
    assert result.exit_code == 0, result.output
