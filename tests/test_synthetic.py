"""road_like: the fast builder gives the graph the one-edge-at-a-time builder gave."""

from __future__ import annotations

import gc
from typing import Any

import networkx as nx
import numpy as np
import pytest

from resilience.backend import edge_arrays
from resilience.synthetic import road_like


def _road_like_before(
    n: int,
    *,
    seed: int = 0,
    drop: float = 0.15,
    oneway: float = 0.05,
    rail: float = 0.02,
    integer_times: bool = False,
) -> nx.MultiDiGraph[Any]:
    # road_like as it was before the bulk build (commit 03eb712), kept verbatim as the
    # reference: reports and benchmarks compare across that change.
    rng = np.random.default_rng(seed)
    side = max(2, round(n**0.5))
    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(name="synthetic", crs="EPSG:4326")
    xy = np.stack(
        np.meshgrid(np.arange(side, dtype=float), np.arange(side, dtype=float), indexing="ij"),
        axis=-1,
    ).reshape(-1, 2) + rng.uniform(-0.3, 0.3, size=(side * side, 2))
    for i, (gx, gy) in enumerate(xy):
        attrs: dict[str, object] = {"x": 37.0 + 0.05 * gx, "y": 48.0 + 0.035 * gy}
        if i % 10 == 0:
            attrs["name"] = f"Place {i}"
        G.add_node(i, **attrs)
    links = [(i * side + j, i * side + j + 1) for i in range(side) for j in range(side - 1)]
    links += [(i * side + j, (i + 1) * side + j) for i in range(side - 1) for j in range(side)]
    keep = rng.random(len(links)) >= drop
    speeds = rng.choice([50.0, 70.0, 90.0], size=len(links))  # km/h
    ways = rng.random(len(links))
    rails = rng.random(len(links)) < rail
    for idx in np.flatnonzero(keep):
        a, b = links[idx]
        length = float(np.hypot(*(xy[a] - xy[b]))) * 4000.0
        tt = length / (speeds[idx] / 3.6)
        if integer_times:
            tt = max(60.0, round(tt / 60.0) * 60.0)
        ref = f"R-{idx % 97:02d}"
        data = {"length": length, "travel_time": tt, "mode": "road", "ref": ref}
        G.add_edge(a, b, key=0, **data)
        if ways[idx] >= oneway:
            G.add_edge(b, a, key=0, **data)
        if rails[idx]:
            rdata = {"length": length, "travel_time": tt * 1.3, "mode": "rail", "ref": "RL"}
            G.add_edge(a, b, key=1, **rdata)
            G.add_edge(b, a, key=1, **rdata)
    return G


def _typed(d: dict[str, Any]) -> list[tuple[str, type, Any]]:
    # Key order, type and value: np.float64 and float compare equal but print differently.
    return [(k, type(v), v) for k, v in d.items()]


def _assert_same(G: nx.MultiDiGraph[Any], H: nx.MultiDiGraph[Any]) -> None:
    assert G.graph == H.graph
    assert [(n, _typed(d)) for n, d in G.nodes(data=True)] == [
        (n, _typed(d)) for n, d in H.nodes(data=True)
    ]
    assert [(u, v, k, _typed(d)) for u, v, k, d in G.edges(keys=True, data=True)] == [
        (u, v, k, _typed(d)) for u, v, k, d in H.edges(keys=True, data=True)
    ]
    # Insertion order of predecessors too: in_edges and reverse views follow it.
    assert list(G.in_edges(keys=True)) == list(H.in_edges(keys=True))
    assert [list(G.pred[n]) for n in G] == [list(H.pred[n]) for n in H]


@pytest.mark.parametrize(
    ("n", "kwargs"),
    [
        (4, {}),
        (25, {"seed": 1}),
        (400, {"seed": 3, "integer_times": True}),
        (900, {"seed": 7, "oneway": 0.4, "rail": 0.3}),
        (2500, {"seed": 1}),
        (1600, {"seed": 2, "drop": 0.5, "oneway": 1.0, "rail": 1.0}),
    ],
)
def test_same_graph_as_before(n: int, kwargs: dict[str, Any]) -> None:
    _assert_same(road_like(n, **kwargs), _road_like_before(n, **kwargs))


def test_same_seed_same_graph_other_seed_other_graph() -> None:
    _assert_same(road_like(900, seed=5), road_like(900, seed=5))
    a = edge_arrays(road_like(900, seed=5))
    b = edge_arrays(road_like(900, seed=6))
    assert not np.array_equal(
        a.weight[: min(len(a.weight), len(b.weight))], b.weight[: min(len(a.weight), len(b.weight))]
    )


def test_edges_are_independent_and_graph_is_consistent() -> None:
    G = road_like(400, seed=2, rail=0.5)
    # networkx changes attributes in place: no two edges may share a data dict, and
    # both directions of a link must be separate edges.
    datas = [id(d) for _, _, d in G.edges(data=True)]
    assert len(set(datas)) == len(datas)
    u, v, k = next((u, v, k) for u, v, k in G.edges(keys=True) if G.has_edge(v, u, k))
    G.edges[u, v, k]["travel_time"] = -1.0
    assert G.edges[v, u, k]["travel_time"] > 0
    # Successor and predecessor views agree, as if built with add_edge.
    assert sorted(G.edges(keys=True)) == sorted(
        (u, v, k) for v in G for u, keys in G.pred[v].items() for k in keys
    )
    assert G.number_of_edges() == len(datas)
    G.remove_edge(u, v, k)  # the usual mutations work on the bulk-built dicts
    assert not G.has_edge(u, v, k)
    assert G.has_edge(v, u, k)


def test_garbage_collector_state_restored() -> None:
    assert gc.isenabled()
    road_like(100)
    assert gc.isenabled()
    gc.disable()
    try:
        road_like(100)
        assert not gc.isenabled()
    finally:
        gc.enable()
