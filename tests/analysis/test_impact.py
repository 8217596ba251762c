import networkx as nx
import pytest

from resilience.analysis.impact import cut, global_efficiency, od_pairs
from resilience.errors import BadInputError
from resilience.targets import Removal, build_removal


def test_baseline_removal_changes_nothing(toy):
    res = cut(toy, Removal(), ["alpha"], ["delta", "echo"])
    assert set(res.od["status"]) == {"ok"}
    assert (res.od["time_before_min"] == res.od["time_after_min"]).all()
    # Alpha→Delta: two road routes and the rail line → three edge-disjoint paths.
    assert list(res.od["paths_before"]) == [3, 1]


def test_removing_bravo_forces_the_charlie_detour(toy):
    res = cut(toy, build_removal(toy, nodes=["bravo"]), ["alpha"], ["delta"])
    row = res.od.iloc[0]
    assert row["status"] == "detour"
    h01 = nx.shortest_path_length(toy, "alpha", "delta", weight="travel_time")
    p02 = (
        toy.edges["alpha", "charlie", 0]["travel_time"]
        + toy.edges["charlie", "delta", 0]["travel_time"]
    )
    assert row["time_before_min"] == pytest.approx(h01 / 60, abs=0.05)
    assert row["time_after_min"] == pytest.approx(p02 / 60, abs=0.05)
    assert row["paths_after"] == 2


def test_cutting_delta_echo_cuts_echo_off(toy):
    res = cut(toy, build_removal(toy, edges=[("delta", "echo")]), ["alpha"], ["delta", "echo"])
    status = dict(zip(res.od["destination"], res.od["status"], strict=True))
    assert status == {"Delta": "ok", "Echo": "cut off"}
    comps = res.components
    assert list(comps["nodes"]) == [7, 1]


def test_removed_destination_is_lost_not_cut_off(toy):
    res = cut(toy, build_removal(toy, nodes=["delta"]), ["alpha"], ["delta", "echo"])
    assert list(res.od["status"]) == ["lost", "cut off"]


def test_efficiency_matches_networkx_definition(toy):
    D = nx.DiGraph()
    for u, v, d in toy.edges(data=True):
        w = d["travel_time"] / 3600
        if not D.has_edge(u, v) or D[u][v]["w"] > w:
            D.add_edge(u, v, w=w)
    n = D.number_of_nodes()
    expected = sum(
        1 / dist
        for s, lengths in nx.all_pairs_dijkstra_path_length(D, weight="w")
        for t, dist in lengths.items()
        if s != t
    ) / (n * (n - 1))
    assert global_efficiency(toy) == pytest.approx(expected, rel=1e-12)


def test_efficiency_never_rises_after_removal(toy):
    res = cut(toy, build_removal(toy, nodes=["charlie"]), ["alpha"], ["delta"])
    s = res.summary.set_index("metric")
    assert s.loc["global_efficiency_per_h", "after"] < s.loc["global_efficiency_per_h", "before"]


def test_od_pairs_refuse_overlap_and_empty():
    with pytest.raises(BadInputError, match="both an origin and a destination"):
        od_pairs(["a"], ["a", "b"])
    with pytest.raises(BadInputError, match="at least one origin"):
        od_pairs([], ["b"])


def test_links_once_merges_the_two_directions():
    import pandas as pd

    from resilience.analysis.impact import link_count, links_once

    frame = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "u": ["a", "b", "a", "c"],
            "v": ["b", "a", "b", "a"],
            "key": [0, 0, 1, 0],
            "label": ["A–B (road)", "A–B (road)", "A–B (rail)", "C–A (road)"],
            "mode": ["road", "road", "rail", "road"],
            "betweenness": [0.2, 0.2, 0.1, 0.35],
        }
    )
    out = links_once(frame)
    # The road's two directions are one row (0.4), the parallel rail link stays its own.
    assert out[["label", "betweenness", "rank"]].to_numpy().tolist() == [
        ["A–B (road)", 0.4, 1],
        ["C–A (road)", 0.35, 2],
        ["A–B (rail)", 0.1, 3],
    ]
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edges_from([("a", "b"), ("b", "a"), ("a", "b"), ("b", "a"), ("b", "c")])
    assert link_count(G) == 3  # two two-way links (road + rail) and one one-way
