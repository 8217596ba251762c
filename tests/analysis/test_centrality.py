import networkx as nx
import numpy as np
import pandas as pd
import pytest

from resilience.analysis import centrality as centrality_mod
from resilience.analysis.centrality import (
    betweenness_tables,
    edge_betweenness,
    node_betweenness,
    sources_sampled,
)
from resilience.errors import BadInputError
from resilience.network import edge_label, to_digraph
from resilience.sources.load import load_network
from resilience.synthetic import road_like


def _path_graph():
    # a - b - c as two-way edges: b carries every a<->c path.
    G = nx.MultiDiGraph()
    for n, x in (("a", 0.0), ("b", 1.0), ("c", 2.0)):
        G.add_node(n, x=x, y=0.0, name=n.upper())
    for u, v in (("a", "b"), ("b", "c")):
        G.add_edge(u, v, travel_time=10.0, mode="road")
        G.add_edge(v, u, travel_time=10.0, mode="road")
    return G


def test_known_betweenness_on_a_path():
    nodes = node_betweenness(_path_graph())
    # Directed normalisation: 2 of (n-1)(n-2) = 2 ordered pairs pass through b.
    assert nodes.iloc[0]["node"] == "b" and nodes.iloc[0]["betweenness"] == pytest.approx(1.0)
    assert set(nodes.iloc[1:]["betweenness"]) == {0.0}


def test_matches_networkx_on_toy(toy):
    D = nx.DiGraph()
    for u, v, d in toy.edges(data=True):
        if not D.has_edge(u, v) or D[u][v]["travel_time"] > d["travel_time"]:
            D.add_edge(u, v, travel_time=d["travel_time"])
    ref = nx.betweenness_centrality(D, weight="travel_time")
    ours = node_betweenness(toy).set_index("node")["betweenness"]
    for n, v in ref.items():
        assert ours[n] == pytest.approx(v, abs=1e-12)
    eref = nx.edge_betweenness_centrality(D, weight="travel_time")
    eours = edge_betweenness(toy)
    for u, v, b in zip(eours["u"], eours["v"], eours["betweenness"], strict=True):
        assert b == pytest.approx(eref[(u, v)], abs=1e-12)


def test_sampled_is_deterministic_with_seed(toy):
    a = node_betweenness(toy, samples=4, seed=7)
    b = node_betweenness(toy, samples=4, seed=7)
    assert a.equals(b)


@pytest.mark.parametrize(("seed", "samples"), [(0, 10), (3, 25), (7, 2)])
def test_sampled_engine_replays_networkx_estimator(seed, samples):
    G = road_like(49, seed=seed, drop=0.2, integer_times=seed % 2 == 1)
    for fn in (node_betweenness, edge_betweenness):
        fast = fn(G, samples=samples, seed=seed)
        ref = fn(G, samples=samples, seed=seed, engine="networkx")
        key = "node" if fn is node_betweenness else ["u", "v"]
        a = fast.set_index(key)["betweenness"].sort_index()
        b = ref.set_index(key)["betweenness"].sort_index()
        assert list(a.index) == list(b.index)
        assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=1e-12)


def test_tables_from_one_run_equal_the_two_functions(toy):
    nodes, edges = betweenness_tables(toy, samples=3, seed=2)
    pd.testing.assert_frame_equal(nodes, node_betweenness(toy, samples=3, seed=2))
    pd.testing.assert_frame_equal(edges, edge_betweenness(toy, samples=3, seed=2))
    nodes, edges = betweenness_tables(toy)
    pd.testing.assert_frame_equal(nodes, node_betweenness(toy))
    pd.testing.assert_frame_equal(edges, edge_betweenness(toy))


def test_epsilon_estimate_within_epsilon_of_exact_for_every_node():
    # ~2k nodes, epsilon 0.1: the bound asks for 531 of 2,025 sources, a real sample.
    G = road_like(2025, seed=11)
    eps, delta = 0.1, 0.1
    k = sources_sampled(len(G), eps, delta)
    assert k == 531
    exact = node_betweenness(G).set_index("node")["betweenness"]
    for seed in (0, 1):
        est = node_betweenness(G, epsilon=eps, delta=delta, seed=seed)
        est = est.set_index("node")["betweenness"].reindex(exact.index)
        assert (est - exact).abs().max() <= eps
        assert not est.equals(exact)  # sampled, not exact


@pytest.mark.parametrize(
    "kwargs",
    [
        {"epsilon": 0.0},
        {"epsilon": -0.1},
        {"epsilon": 1.0},
        {"epsilon": 0.1, "delta": 0.0},
        {"epsilon": 0.1, "delta": 1.0},
        {"samples": 0},
        {"engine": "igraph"},
        {"epsilon": 0.1, "engine": "networkx"},
    ],
)
def test_nonsense_settings_refused(toy, kwargs):
    with pytest.raises(BadInputError):
        node_betweenness(toy, **kwargs)


def _reference_edge_frame(G, bc):
    """The table as built through to_digraph and edge_label (the slow, plain way)."""
    D = to_digraph(G)
    rows = [
        {
            "u": u,
            "v": v,
            "key": D[u][v]["key"],
            "label": edge_label(G, u, v, D[u][v]["key"]),
            "mode": G.edges[u, v, D[u][v]["key"]].get("mode", ""),
            "betweenness": val,
        }
        for (u, v), val in bc.items()
    ]
    return pd.DataFrame(rows, columns=["u", "v", "key", "label", "mode", "betweenness"])


def _same_edge_table(G):
    bc = {(u, v): float(i % 7) for i, (u, v) in enumerate(to_digraph(G).edges)}
    ref = centrality_mod._rank(_reference_edge_frame(G, bc), "label")
    pd.testing.assert_frame_equal(centrality_mod._edge_frame(G, bc, "travel_time"), ref)


def test_edge_table_names_links_as_edge_label_does():
    parallel = road_like(64, seed=2)
    for u, v, k, d in list(parallel.edges(keys=True, data=True))[:40:3]:
        parallel.add_edge(u, v, **{**d, "travel_time": d["travel_time"] + k, "ref": ["R1", 2]})
    for G in (load_network(None), parallel):
        _same_edge_table(G)


def test_edge_table_names_toy_links_as_edge_label_does(toy):
    _same_edge_table(toy)
