import itertools
import random
from itertools import pairwise as _pairs

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given

from resilience.analysis import paths as paths_mod
from resilience.analysis.paths import disjoint_paths, paths_table, shortest_path
from resilience.errors import BadInputError
from resilience.sources.load import load_network
from resilience.synthetic import road_like
from tests.test_properties import SETTINGS, graph_and_pair


def test_shortest_path_matches_networkx(toy):
    cost, path = shortest_path(toy, "alpha", "echo")
    assert path == ["alpha", "bravo", "delta", "echo"]
    assert cost == pytest.approx(
        nx.shortest_path_length(toy, "alpha", "echo", weight="travel_time")
    )


def test_disjoint_paths_are_edge_disjoint_and_maximal(toy):
    paths = disjoint_paths(toy, "alpha", "delta")
    assert len(paths) == nx.edge_connectivity(nx.DiGraph(toy), "alpha", "delta") == 3
    used = [(u, v) for _, p in paths for u, v in itertools.pairwise(p)]
    assert len(used) == len(set(used))
    assert [p[-1] for _, p in paths] == ["delta"] * 3
    assert paths[0][1] == ["alpha", "bravo", "delta"]
    assert [c for c, _ in paths] == sorted(c for c, _ in paths)


def test_unreachable_gives_no_paths(toy):
    H = toy.copy()
    H.remove_node("delta")
    assert disjoint_paths(H, "alpha", "echo") == []
    assert shortest_path(H, "alpha", "echo") is None
    assert paths_table(H, "alpha", "echo").empty


def test_paths_table_names_routes(toy):
    table = paths_table(toy, "alpha", "delta")
    assert list(table["path"]) == ["shortest", "disjoint-1", "disjoint-2", "disjoint-3"]
    assert table.loc[3, "modes"] == "rail+transfer"
    assert table.loc[0, "via"] == "Alpha > Bravo > Delta"


# The compiled engine against the networkx reference.


def _rounded_cost(G, found):
    """The networkx engine's objective: the sum of rounded cheapest-link costs."""
    return sum(
        round(min(float(d["travel_time"]) for d in G[u][v].values()))
        for _, p in found
        for u, v in _pairs(p)
    )


def _within_capacity(G, found):
    used = {}
    for _, p in found:
        for u, v in _pairs(p):
            used[u, v] = used.get((u, v), 0) + 1
    return all(k <= G.number_of_edges(u, v) for (u, v), k in used.items())


@SETTINGS
@given(graph_and_pair())
def test_fast_shortest_path_is_networkx_path_ties_included(case):
    G, s, t = case
    for a, b in ((s, t), (t, s)):
        assert shortest_path(G, a, b, engine="fast") == shortest_path(G, a, b, engine="networkx")


@SETTINGS
@given(graph_and_pair())
def test_fast_disjoint_paths_same_number_and_cost_as_networkx(case):
    G, s, t = case
    fast = disjoint_paths(G, s, t, engine="fast")
    ref = disjoint_paths(G, s, t, engine="networkx")
    assert len(fast) == len(ref)
    assert _rounded_cost(G, fast) == _rounded_cost(G, ref)
    assert _within_capacity(G, fast)
    assert all(p[0] == s and p[-1] == t for _, p in fast)
    assert fast == disjoint_paths(G, s, t, engine="fast")  # deterministic


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_engine_on_road_like_graphs(seed):
    G = road_like(64, seed=seed, drop=0.15, integer_times=seed != 1)
    nodes = sorted(G.nodes)
    for s, t in ((nodes[0], nodes[-1]), (nodes[5], nodes[40]), (nodes[63], nodes[9])):
        assert shortest_path(G, s, t, engine="fast") == shortest_path(G, s, t, engine="networkx")
        fast = disjoint_paths(G, s, t, engine="fast")
        ref = disjoint_paths(G, s, t, engine="networkx")
        assert len(fast) == len(ref)
        assert _rounded_cost(G, fast) == _rounded_cost(G, ref)


def test_fast_engine_gives_the_region_tables_unchanged():
    G = load_network(None)
    nodes = sorted(G.nodes, key=str)
    rng = random.Random(15)
    for _ in range(60):
        s, t = rng.sample(nodes, 2)
        fast = paths_table(G, s, t, engine="fast")
        ref = paths_table(G, s, t, engine="networkx")
        pd.testing.assert_frame_equal(fast, ref)


def test_fast_engine_zero_cost_links_parallel_roads_and_ties():
    G = nx.MultiDiGraph()
    # Two equally fast routes a-b-d and a-c-d, a zero-cost transfer, two parallel roads.
    for u, v, w in (("a", "c", 1.0), ("a", "b", 1.0), ("b", "d", 1.0), ("c", "d", 1.0)):
        G.add_edge(u, v, travel_time=w)
    G.add_edge("d", "e", travel_time=0.0)
    G.add_edge("d", "e", travel_time=3.0)
    G.add_edge("a", "e", travel_time=7.0)
    for s, t in (("a", "d"), ("a", "e"), ("e", "a"), ("a", "x")):
        assert shortest_path(G, s, t, engine="fast") == shortest_path(G, s, t, engine="networkx")
    assert shortest_path(G, "a", "e", engine="fast") == (2.0, ["a", "c", "d", "e"])
    fast = disjoint_paths(G, "a", "e", engine="fast")
    assert len(fast) == len(disjoint_paths(G, "a", "e", engine="networkx")) == 3


def test_auto_engine_switches_at_the_documented_size(monkeypatch, toy):
    calls = []
    real = paths_mod._fast_flow
    monkeypatch.setattr(paths_mod, "_fast_flow", lambda *a: calls.append(1) or real(*a))
    disjoint_paths(toy, "alpha", "delta")
    assert not calls  # the toy is far below AUTO_MIN_NODES: networkx
    monkeypatch.setattr(paths_mod, "AUTO_MIN_NODES", 1)
    disjoint_paths(toy, "alpha", "delta")
    assert calls


def test_unknown_engine_refused(toy):
    with pytest.raises(BadInputError, match="engine"):
        shortest_path(toy, "alpha", "delta", engine="igraph")
