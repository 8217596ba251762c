"""The fast engines agree with networkx on small random road-like graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from resilience import backend
from resilience.network import to_digraph
from resilience.synthetic import road_like

SEEDS = [0, 1, 2, 3]


def _graph(seed: int) -> nx.MultiDiGraph:
    return road_like(49, seed=seed, drop=0.2, integer_times=seed % 2 == 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_dijkstra_matches_networkx(seed):
    G = _graph(seed)
    csr = backend.to_csr(G)
    sources = [0, 17, 30]
    dist, pred = backend.shortest_times(csr, [csr.index[s] for s in sources])
    for row, s in enumerate(sources):
        ref = nx.single_source_dijkstra_path_length(G, s, weight="travel_time")
        got = {csr.nodes[i]: d for i, d in enumerate(dist[row]) if np.isfinite(d)}
        assert got.keys() == ref.keys()
        assert all(got[k] == pytest.approx(v, rel=1e-12) for k, v in ref.items())
        # Predecessors trace a path of the same length.
        t = max(ref, key=ref.get)
        v, total = csr.index[t], 0.0
        while v != csr.index[s]:
            u = int(pred[row, v])
            total += min(d["travel_time"] for d in G[csr.nodes[u]][csr.nodes[v]].values())
            v = u
        assert total == pytest.approx(ref[t])


@pytest.mark.parametrize("seed", SEEDS)
def test_min_edge_cut_matches_networkx(seed):
    G = _graph(seed)
    D = to_digraph(G)
    for s, t in [(8, 40), (15, 33), (3, 45)]:
        if s not in G or t not in G:
            continue
        cut = backend.min_edge_cut(G, s, t)
        assert len(cut) == nx.maximum_flow_value(D, s, t, capacity="capacity")
        H = G.copy()
        H.remove_edges_from(cut)
        assert not nx.has_path(H, s, t)


@pytest.mark.parametrize("seed", SEEDS)
def test_min_vertex_cut_matches_networkx(seed):
    G = _graph(seed)
    for s, t in [(8, 40), (15, 33), (3, 45)]:
        cut = backend.min_vertex_cut(G, s, t)
        if G.has_edge(s, t):
            assert cut is None
            continue
        assert cut is not None
        if not nx.has_path(G, s, t):
            assert cut == []
            continue
        assert len(cut) == len(nx.minimum_node_cut(nx.DiGraph(G), s, t))
        H = G.copy()
        H.remove_nodes_from(cut)
        assert not nx.has_path(H, s, t)


def test_vertex_cut_none_when_adjacent():
    G = _graph(0)
    u, v = next(iter(G.edges()))
    assert backend.min_vertex_cut(G, u, v) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_betweenness_matches_networkx(seed):
    G = _graph(seed)
    D = to_digraph(G)
    nodes, edges = backend.betweenness(G)
    ref_n = nx.betweenness_centrality(D, weight="travel_time", normalized=True)
    ref_e = nx.edge_betweenness_centrality(D, weight="travel_time", normalized=True)
    assert nodes.keys() == ref_n.keys()
    assert edges.keys() == ref_e.keys()
    assert all(nodes[k] == pytest.approx(v, abs=1e-12) for k, v in ref_n.items())
    assert all(edges[k] == pytest.approx(v, abs=1e-12) for k, v in ref_e.items())


def test_sampled_betweenness_is_seeded_and_close():
    G = road_like(100, seed=4)
    a, _ = backend.betweenness(G, samples=60, seed=7)
    b, _ = backend.betweenness(G, samples=60, seed=7)
    assert a == b
    exact, _ = backend.betweenness(G)
    keys = list(exact)
    corr = np.corrcoef([a[k] for k in keys], [exact[k] for k in keys])[0, 1]
    assert corr > 0.8


def test_parallel_edges_keep_cheapest():
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", travel_time=5.0)
    G.add_edge("a", "b", travel_time=2.0)
    G.add_edge("b", "c", travel_time=0.0)
    csr = backend.to_csr(G)
    assert csr.matrix[csr.index["a"], csr.index["b"]] == 2.0
    assert csr.matrix[csr.index["b"], csr.index["c"]] > 0
