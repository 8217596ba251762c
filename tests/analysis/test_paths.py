import itertools

import networkx as nx
import pytest

from resilience.analysis.paths import disjoint_paths, paths_table, shortest_path


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
