"""Single-link redundancy: hand-checked cases, networkx loops as reference, the CLI."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from resilience.analysis import redundancy as redundancy_module
from resilience.analysis.redundancy import COLUMNS, redundancy, redundancy_naive
from resilience.cli import app
from resilience.errors import BadInputError
from resilience.synthetic import road_like

runner = CliRunner()


def _two_way(G: nx.MultiDiGraph, u: str, v: str, length: float, key: int = 0) -> None:
    for a, b in ((u, v), (v, u)):
        G.add_edge(a, b, key=key, length=length, travel_time=length / 10, mode="road")


def _graph() -> nx.MultiDiGraph:
    """A–B twice (100 m and 150 m), A–C–B (500 m), a dead end B–D, a one-way C→E→A."""
    G = nx.MultiDiGraph()
    for i, n in enumerate("ABCDE"):
        G.add_node(n, x=37.0 + i / 100, y=48.0)
    _two_way(G, "A", "B", 100, key=0)
    _two_way(G, "A", "B", 150, key=1)
    _two_way(G, "A", "C", 250)
    _two_way(G, "C", "B", 250)
    _two_way(G, "B", "D", 70)
    G.add_edge("C", "E", key=0, length=40, travel_time=4, mode="road")
    G.add_edge("E", "A", key=0, length=40, travel_time=4, mode="road")
    return G


def test_parallel_links_dead_ends_and_one_ways(engine: str) -> None:
    table = redundancy(_graph(), weight="length")
    assert list(table.columns) == COLUMNS
    rows = {(r.u, r.v, r.key): r for r in table.itertuples()}
    assert len(rows) == 7  # five two-way links once each, two one-way links
    # Closing one of two parallel links leaves the other as the way round.
    assert rows["A", "B", 0].alt_length == 150
    assert rows["A", "B", 0].diff_length == 50
    assert rows["A", "B", 0].alt_nodes == "A B"
    assert rows["A", "B", 1].alt_length == 100
    assert rows["A", "B", 1].diff_length == -50
    # A dead end has no way round.
    dead = rows["B", "D", 0]
    assert not dead.detour
    assert math.isnan(dead.alt_length)
    assert dead.alt_nodes == ""
    # A row runs in the direction its first edge is listed (A→C, B→C): the detour
    # around A–C goes A→B→C; around B–C it goes B→A→C (the one-way C→E→A runs the
    # other way, so it does not help).
    assert rows["A", "C", 0].alt_length == 350
    assert rows["A", "C", 0].alt_nodes == "A B C"
    assert rows["B", "C", 0].alt_nodes == "B A C"
    # Closing either one-way link leaves E unreachable from C, or A from E.
    assert not rows["C", "E", 0].detour
    assert not rows["E", "A", 0].detour
    assert rows["A", "B", 0].alt_time_min == pytest.approx(15 / 60)


def _nx_loop(G: nx.MultiDiGraph, weight: str) -> pd.DataFrame:
    """The plain loop: copy the graph, remove the link both ways, run networkx Dijkstra."""
    rows = []
    seen: set[tuple[Any, Any, Any]] = set()
    for u, v, k in G.edges(keys=True):
        if u == v or (v, u, k) in seen:
            continue
        seen.add((u, v, k))
        H = G.copy()
        H.remove_edge(u, v, k)
        if H.has_edge(v, u, k):
            H.remove_edge(v, u, k)
        D = nx.DiGraph()
        for a, b, d in H.edges(data=True):
            w = max(float(d[weight]), 1e-9)
            if not D.has_edge(a, b) or w < D[a][b]["w"]:
                D.add_edge(a, b, w=w)
        D.add_nodes_from(H)
        try:
            dist = nx.dijkstra_path_length(D, u, v, weight="w")
        except nx.NetworkXNoPath:
            dist = math.nan
        rows.append((u, v, k, dist))
    return pd.DataFrame(rows, columns=["u", "v", "key", "alt"])


@pytest.fixture(params=["scipy", "compiled"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both engines: small graphs run on scipy; a zero threshold forces the numba kernel."""
    if request.param == "compiled":
        monkeypatch.setattr(redundancy_module, "_SMALL", 0)
    return str(request.param)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("weight", ["travel_time", "length"])
def test_equals_a_networkx_loop_on_random_graphs(seed: int, weight: str, engine: str) -> None:
    G = road_like(120, seed=seed, oneway=0.15, rail=0.1, integer_times=seed % 2 == 1)
    fast = redundancy(G, weight=weight)
    ref = _nx_loop(G, weight)
    assert list(zip(fast.u, fast.v, fast.key, strict=True)) == list(
        zip(ref.u, ref.v, ref.key, strict=True)
    )
    assert (fast["detour"] == ref["alt"].notna()).all()
    assert 0 < fast["detour"].sum() < len(fast)
    got = fast["alt_length"] if weight == "length" else fast["alt_time_min"] * 60
    np.testing.assert_allclose(got.fillna(-1), ref["alt"].fillna(-1), rtol=1e-9, atol=1e-6)
    naive = redundancy_naive(G, weight=weight)
    assert (naive["detour"] == fast["detour"]).all()
    col = "alt_length" if weight == "length" else "alt_time_min"
    np.testing.assert_allclose(naive[col].fillna(-1), fast[col].fillna(-1), rtol=1e-9)
    if seed % 2 == 0:  # no ties: the same path, so every column agrees
        pd.testing.assert_frame_equal(naive, fast)


def test_jobs_give_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redundancy_module, "_SMALL", 0)  # jobs apply to the compiled kernel
    G = road_like(400, seed=5)
    pd.testing.assert_frame_equal(redundancy(G, jobs=2), redundancy(G, jobs=1))


def test_refusals() -> None:
    G = _graph()
    with pytest.raises(BadInputError, match="weight"):
        redundancy(G, weight="cost")
    with pytest.raises(BadInputError, match="jobs"):
        redundancy(G, jobs=0)
    G.edges["A", "B", 0]["length"] = float("nan")
    with pytest.raises(BadInputError, match="length"):
        redundancy(G, weight="length")


def test_embedded_region_table() -> None:
    # Its speed is a benchmark row (just bench --only redundancy), not a timed test.
    from resilience import settings
    from resilience.sources.bundled import load_region

    G = load_region(settings.DEFAULT_REGION)
    table = redundancy(G)
    assert len(table) > 50
    assert table["detour"].any()


def _road_layer(path: Path) -> Path:
    import geopandas as gpd
    from shapely import LineString, affinity

    lines = [
        LineString([(0, 0), (1000, 0)]),
        LineString([(1000, 0), (1000, 1000)]),
        LineString([(1000, 1000), (0, 1000)]),
        LineString([(0, 1000), (0, 0)]),
        LineString([(500, -500), (500, 500)]),  # crosses the first line at no vertex
    ]
    geoms = [affinity.translate(g, 400_000, 5_300_000) for g in lines]
    frame = {"name": ["South", "East", "North", "West", "Spur"], "ID": [1, 2, 3, 4, 5]}
    gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:32637").to_file(path)
    return path


def test_cli_writes_the_table_and_the_link_layer(tmp_path: Path) -> None:
    import geopandas as gpd

    layer = _road_layer(tmp_path / "roads.gpkg")
    args = ["redundancy", "--graph", str(layer), "--mode", "road", "--weight", "length"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "a")], terminal_width=160)
    assert result.exit_code == 0, result.output
    assert "noding: 5 features, 5 lines -> 5 links" in result.output
    assert "5 links, 4 with a detour, 1 without one" in result.output
    (folder,) = (tmp_path / "a" / "redundancy").glob("length-*")
    assert (folder / "run.json").is_file()
    table = pd.read_csv(folder / "redundancy.csv")
    assert list(table.columns) == COLUMNS
    south = table[table["name"] == "South"].iloc[0]
    assert south["alt_length"] == pytest.approx(3000, abs=1)
    assert south["diff_length"] == pytest.approx(2000, abs=1)
    assert pd.read_parquet(folder / "redundancy.parquet").shape == table.shape
    links = gpd.read_file(folder / "redundancy.gpkg", layer="redundancy")
    assert len(links) == 5
    assert set(links.geom_type) == {"LineString"}
    # Noding the crossing splits South and the spur: 7 links, the spur's halves cut off.
    crossed = [*args, "--node-crossings", "--out", str(tmp_path / "b")]
    result = runner.invoke(app, crossed, terminal_width=160)
    assert result.exit_code == 0, result.output
    assert "7 links, 5 with a detour, 2 without one" in result.output
    result = runner.invoke(app, ["redundancy", "--node-crossings"], terminal_width=160)
    assert result.exit_code == 2
    assert "--node-crossings is for a line-layer --graph" in result.output
