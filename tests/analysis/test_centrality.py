import networkx as nx
import pytest

from resilience.analysis.centrality import edge_betweenness, node_betweenness


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
