"""The fast engines agree with networkx on small random road-like graphs."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from resilience import backend
from resilience._brandes import sample_size
from resilience.analysis.cuts import min_cut
from resilience.errors import BadInputError
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
@pytest.mark.parametrize("near", ["source", "target"])
def test_min_edge_cut_engines_agree(seed, near):
    G = _graph(seed)
    D = to_digraph(G)
    for s, t in [(8, 40), (15, 33), (3, 45)]:
        if s not in G or t not in G:
            continue
        cut = min_cut(G, s, t, near=near)
        assert cut == min_cut(G, s, t, engine="networkx", near=near)
        flow = nx.maximum_flow_value(D, s, t, capacity="capacity") if nx.has_path(G, s, t) else 0
        assert len(cut) == flow
        H = G.copy()
        H.remove_edges_from(cut)
        assert not nx.has_path(H, s, t)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("near", ["source", "target"])
def test_min_vertex_cut_engines_agree(seed, near):
    G = _graph(seed)
    for s, t in [(8, 40), (15, 33), (3, 45)]:
        cut = min_cut(G, s, t, kind="vertex", near=near)
        assert cut == min_cut(G, s, t, kind="vertex", engine="networkx", near=near)
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


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["edge", "vertex"])
def test_group_cut_engines_agree(seed, kind):
    G = _graph(seed)
    nodes = list(G)
    src, dst = nodes[:3], nodes[-4:]
    cut = min_cut(G, src, dst, kind=kind)
    assert cut == min_cut(G, src, dst, kind=kind, engine="networkx")
    if cut:
        H = G.copy()
        if kind == "edge":
            H.remove_edges_from(cut)
        else:
            H.remove_nodes_from(cut)
        assert not any(nx.has_path(H, s, t) for s in src for t in dst)


def test_vertex_cut_none_when_adjacent():
    G = _graph(0)
    u, v = next(iter(G.edges()))
    assert min_cut(G, u, v, kind="vertex") is None


def test_min_cut_refuses_bad_input():
    G = _graph(0)
    n = next(iter(G))
    for kwargs in ({"kind": "arc"}, {"engine": "igraph"}, {"near": "middle"}):
        with pytest.raises(BadInputError):
            min_cut(G, n, list(G)[-1], **kwargs)
    with pytest.raises(BadInputError):
        min_cut(G, [n], [n])
    with pytest.raises(BadInputError):
        min_cut(G, n, "nowhere")


def test_conversion_cached_until_graph_changes():
    G = _graph(1)
    first = backend.edge_arrays(G)
    assert backend.edge_arrays(G) is first
    assert backend.edge_arrays(G, "length") is not first
    u, v, k = next(iter(G.edges(keys=True)))
    G.remove_edge(u, v, k)
    second = backend.edge_arrays(G)
    assert second is not first
    assert len(second.u) == len(first.u) - 1
    G.edges[next(iter(G.edges(keys=True)))]["travel_time"] = 1e6
    assert backend.edge_arrays(G) is second  # in-place weight change: not seen...
    backend.invalidate(G)
    assert backend.edge_arrays(G).weight.max() == 1e6  # ...until invalidated


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


def test_epsilon_betweenness_exact_when_all_sources_and_within_bound():
    G = road_like(100, seed=4, integer_times=True)
    D = to_digraph(G)
    ref_n = nx.betweenness_centrality(D, weight="travel_time", normalized=True)
    ref_e = nx.edge_betweenness_centrality(D, weight="travel_time", normalized=True)
    # The bound asks for more sources than there are nodes: every source, exact values.
    nodes, edges = backend.betweenness(G, epsilon=0.01)
    assert all(nodes[k] == pytest.approx(v, abs=1e-12) for k, v in ref_n.items())
    assert all(edges[k] == pytest.approx(v, abs=1e-12) for k, v in ref_e.items())
    assert sample_size(len(G), 0.01, 0.1) == len(G)
    k = sample_size(len(G), 0.3, 0.1)
    assert k < len(G)
    nodes, _ = backend.betweenness(G, epsilon=0.3, seed=3)
    assert nodes == backend.betweenness(G, epsilon=0.3, seed=3)[0]
    assert max(abs(nodes[n] - ref_n[n]) for n in ref_n) <= 0.3


def test_parallel_edges_keep_cheapest():
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", travel_time=5.0)
    G.add_edge("a", "b", travel_time=2.0)
    G.add_edge("b", "c", travel_time=0.0)
    csr = backend.to_csr(G)
    assert csr.matrix[csr.index["a"], csr.index["b"]] == 2.0
    assert csr.matrix[csr.index["b"], csr.index["c"]] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_adjacency_keeps_networkx_neighbour_order_and_cheapest_weight(seed):
    G = _graph(seed)
    u, v, d = next(iter(G.edges(data=True)))
    G.add_edge(u, v, travel_time=d["travel_time"] / 2)  # a faster parallel road
    G.add_edge(v, u, travel_time=0.0)  # a zero-cost transfer stays zero
    adj = backend.adjacency(G)
    nodes = backend.edge_arrays(G).nodes
    for i, n in enumerate(nodes):
        row = slice(adj.indptr[i], adj.indptr[i + 1])
        assert [nodes[j] for j in adj.indices[row]] == list(G.succ[n])
        for j, w, c in zip(adj.indices[row], adj.weight[row], adj.count[row], strict=True):
            edges = G[n][nodes[j]]
            assert w == min(float(e["travel_time"]) for e in edges.values())
            assert c == len(edges)


@pytest.mark.parametrize("seed", SEEDS)
def test_sampled_sources_replay_networkx_estimate(seed):
    G = _graph(seed)
    D = to_digraph(G)
    picked = random.Random(seed).sample(list(G.nodes), 12)
    nodes, edges = backend.betweenness(G, sources=picked)
    ref_n = nx.betweenness_centrality(D, k=12, weight="travel_time", seed=seed)
    ref_e = nx.edge_betweenness_centrality(D, k=12, weight="travel_time", seed=seed)
    assert all(nodes[k] == pytest.approx(v, abs=1e-12) for k, v in ref_n.items())
    assert all(edges[k] == pytest.approx(v, abs=1e-12) for k, v in ref_e.items())
