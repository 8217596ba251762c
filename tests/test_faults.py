"""Faults: corrupt files, writers that die half-way, interrupted downloads, dead workers.

The contract: a clear one-line error (or a correct recomputation), never a traceback,
and never a partial file where a reader could take it for a whole one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from resilience.cli import app
from resilience.errors import BadGraphError, BadInputError
from resilience.io import atomic_write, write_frames
from resilience.sources.load import load_network

runner = CliRunner(env={"COLUMNS": "200"})
OSM = Path(__file__).parent / "data" / "osm"


def _graphml(path: Path) -> Path:
    G = nx.MultiDiGraph()
    for i in range(3):
        G.add_node(i, x=37.0 + i / 100, y=48.0)
    for u, v in ((0, 1), (1, 2)):
        G.add_edge(u, v, length=1000.0, travel_time=60.0)
        G.add_edge(v, u, length=1000.0, travel_time=60.0)
    nx.write_graphml(G, path)
    return path


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# --- a corrupt graph in the cache ------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.0, 0.3, 0.9], ids=["empty", "third", "most"])
def test_truncated_cached_graph_is_a_clear_error(tmp_path, monkeypatch, keep):
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(tmp_path))
    path = _graphml(tmp_path / "area.graphml")
    text = path.read_text()
    path.write_text(text[: int(len(text) * keep)])
    with pytest.raises(BadGraphError, match=r"^area\.graphml: not a readable GraphML graph \("):
        load_network("area")
    result = runner.invoke(app, ["cut", "-g", "area", "-o", "0", "-d", "2"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: area.graphml: not a readable GraphML graph (")


def test_truncated_fetched_cache_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(tmp_path))
    path = _graphml(tmp_path / "osm-area.graphml")
    (tmp_path / "osm-area.meta.json").write_text('{"query": {}}')
    path.write_text(path.read_text()[:200])
    with pytest.raises(BadGraphError, match="it is a fetched cache: fetch it again with --refresh"):
        load_network("osm-area")


# --- atomic writes -----------------------------------------------------------------------------


class BoomError(Exception):
    pass


def _half_then(exc: BaseException) -> Any:
    def write(tmp: Path) -> None:
        tmp.write_text("new,header\n1,")  # half a file
        raise exc

    return write


@pytest.mark.parametrize(
    "exc",
    [BoomError("writer bug"), KeyboardInterrupt(), SystemExit(1)],
    ids=["exception", "ctrl-c", "exit"],
)
def test_atomic_write_keeps_the_old_file_when_the_writer_dies(tmp_path, exc):
    target = tmp_path / "od.csv"
    target.write_text("old,header\n1,2\n")
    with pytest.raises(type(exc)):
        atomic_write(target, _half_then(exc))
    assert target.read_text() == "old,header\n1,2\n"
    assert _files(tmp_path) == ["od.csv"]


def test_atomic_write_leaves_nothing_when_there_was_no_old_file(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "sub" / "od.csv", _half_then(KeyboardInterrupt()))
    assert _files(tmp_path) == []


def test_disk_full_mid_write_is_a_clear_error(tmp_path):
    with pytest.raises(BadInputError, match=r"^cannot write .*od\.csv: No space left on device$"):
        atomic_write(tmp_path / "od.csv", _half_then(OSError(28, "No space left on device")))
    assert _files(tmp_path) == []


def test_a_folder_in_the_files_place_is_a_clear_error(tmp_path):
    (tmp_path / "od.csv").mkdir()
    with pytest.raises(BadInputError, match=r"^cannot write .*od\.csv: Is a directory$"):
        atomic_write(tmp_path / "od.csv", lambda tmp: tmp.write_text("a\n"))
    assert _files(tmp_path) == []


def test_write_frames_interrupted_keeps_earlier_files_whole(tmp_path, monkeypatch):
    frames = {name: pd.DataFrame({"a": range(50)}) for name in ("a", "b", "c")}
    real = pd.DataFrame.to_csv
    seen: list[Any] = []

    def dies_on_second(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(path)
        if len(seen) == 2:
            Path(path).write_text("a\n0\n1\n")
            raise KeyboardInterrupt
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        write_frames(frames, tmp_path)
    assert _files(tmp_path) == ["a.csv"]
    assert len(pd.read_csv(tmp_path / "a.csv")) == 50


# --- an interrupted fetch ------------------------------------------------------------------------


@pytest.fixture
def fake_overpass(tmp_path, monkeypatch):
    """Serve ``_download`` from the small extract; count calls; fail where told."""
    import osmnx as ox

    from resilience.sources import osm

    monkeypatch.setenv("RESILIENCE_GRAPHS", str(tmp_path))
    state: dict[str, Any] = {"calls": [], "fail_on": None}

    def download(ox_: Any, query: dict[str, Any], mode: str) -> nx.MultiDiGraph:
        state["calls"].append(mode)
        if state["fail_on"] == mode:
            raise KeyboardInterrupt
        return ox.graph_from_xml(OSM / "small.osm", simplify=False, retain_all=True)

    monkeypatch.setattr(osm, "_download", download)
    return state


BBOX = ["--bbox", "37.05,48.25,37.36,48.42", "--name", "small"]


def test_fetch_interrupted_mid_download_leaves_no_cache_and_reruns(tmp_path, fake_overpass):
    fake_overpass["fail_on"] = "rail"  # road came in, then Ctrl-C
    result = runner.invoke(app, ["fetch", *BBOX])
    assert result.exit_code == 130
    assert _files(tmp_path) == []
    fake_overpass["fail_on"] = None
    result = runner.invoke(app, ["fetch", *BBOX])
    assert result.exit_code == 0, result.output
    assert fake_overpass["calls"] == ["road", "rail", "road", "rail"]  # fetched again
    assert _files(tmp_path) == ["small.graphml", "small.meta.json"]
    assert load_network("small").number_of_edges() > 0


def test_fetch_interrupted_between_graph_and_sidecar_leaves_neither(
    tmp_path, fake_overpass, monkeypatch
):
    from resilience.sources import osm

    def interrupted(path: Path, text: str) -> None:
        path.write_text(text[:5])
        raise KeyboardInterrupt

    real = osm._write_text
    monkeypatch.setattr(osm, "_write_text", interrupted)
    result = runner.invoke(app, ["fetch", *BBOX])
    assert result.exit_code == 130
    assert _files(tmp_path) == []
    monkeypatch.setattr(osm, "_write_text", real)
    result = runner.invoke(app, ["fetch", *BBOX])
    assert result.exit_code == 0, result.output
    assert fake_overpass["calls"] == ["road", "rail", "road", "rail"]  # fetched again
    assert _files(tmp_path) == ["small.graphml", "small.meta.json"]


def test_fetch_after_a_hard_kill_says_what_happened(tmp_path, fake_overpass):
    # SIGKILL between the two renames leaves the graph without its sidecar.
    _graphml(tmp_path / "small.graphml")
    result = runner.invoke(app, ["fetch", *BBOX])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: small.graphml has no readable small.meta.json (a fetch killed half-way, or a "
        "file put there by hand); pass --refresh to fetch it again or choose another --name"
    )
    assert fake_overpass["calls"] == []
    result = runner.invoke(app, ["fetch", *BBOX, "--refresh"])
    assert result.exit_code == 0, result.output
    assert _files(tmp_path) == ["small.graphml", "small.meta.json"]
