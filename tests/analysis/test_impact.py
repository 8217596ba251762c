import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resilience
from resilience.analysis.impact import (
    NETWORKX_MAX_NODES,
    components_table,
    cut,
    cut_rows,
    global_efficiency,
    od_pairs,
    use_networkx,
)
from resilience.errors import BadInputError
from resilience.targets import Removal, apply_removal, build_removal
from tests.test_properties import graph_and_od


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


# --- engines: networkx (pure Python) against the compiled one (scipy) -----------------------

ENGINE_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _same_cut(G, removal, origins, destinations, weight):
    fast = cut_rows(G, removal, origins, destinations, weight=weight, engine="fast")
    ours = cut_rows(G, removal, origins, destinations, weight=weight, engine="networkx")
    assert ours.od_columns == fast.od_columns
    assert ours.od == fast.od
    assert ours.components == fast.components
    for a, b in zip(ours.summary, fast.summary, strict=True):
        if a["metric"].startswith("global_efficiency"):
            # Rounded to 6 digits from sums in another order: equal up to the last digit.
            assert a["before"] == pytest.approx(b["before"], abs=1.01e-6)
            assert a["after"] == pytest.approx(b["after"], abs=1.01e-6)
        else:
            assert a == b
    return ours, fast


@ENGINE_SETTINGS
@given(graph_and_od(), st.data())
def test_engines_agree_on_random_road_graphs(case, data):
    G, origins, dests = case
    gone = data.draw(st.lists(st.sampled_from(sorted(G.nodes)), max_size=2, unique=True))
    removal = Removal(nodes=frozenset(gone), labels=("x",))
    for weight in ("travel_time", "length"):
        _same_cut(G, removal, origins, dests, weight)
        for H, n in ((G, None), (apply_removal(G, removal), G.number_of_nodes())):
            assert global_efficiency(
                H, weight=weight, n_total=n, engine="networkx"
            ) == pytest.approx(
                global_efficiency(H, weight=weight, n_total=n, engine="fast"), rel=1e-12
            )


def test_engines_agree_on_the_embedded_region():
    G = resilience.load_network()
    origins, destinations = resilience.resolve_od(G)
    for names in ([], ["pokrovsk"], ["myrnohrad", "rodynske"], ["dnipro"]):
        removal = build_removal(G, nodes=names) if names else Removal()
        for weight in ("travel_time", "length"):
            ours, fast = _same_cut(G, removal, origins, destinations, weight)
            assert ours.summary == fast.summary  # efficiency too, on the region


def test_auto_takes_networkx_on_small_graphs_only(toy):
    assert use_networkx(toy, "auto")
    big = nx.MultiDiGraph()
    big.add_nodes_from(range(NETWORKX_MAX_NODES + 1))
    assert not use_networkx(big, "auto")
    with pytest.raises(BadInputError, match="engine must be"):
        cut_rows(toy, Removal(), ["alpha"], ["delta"], engine="numba")


def test_zero_cost_edges_cost_what_the_compiled_engine_stores():
    from resilience import backend
    from resilience.analysis import impact

    assert impact._ZERO == backend._ZERO


def test_cut_frames_are_the_rows(toy):
    removal = build_removal(toy, nodes=["delta"])
    rows = cut_rows(toy, removal, ["alpha"], ["delta", "echo"])
    res = cut(toy, removal, ["alpha"], ["delta", "echo"])
    assert list(res.od.columns) == list(rows.od_columns)
    for col in rows.od_number_columns:
        assert res.od[col].dtype == float  # NaN where missing, even when all are
    assert res.od["time_after_min"].isna().all()
    assert res.od.astype(object).where(res.od.notna(), None).to_dict("records") == rows.od
    assert (res.summary.dtypes == "object").all()
    assert res.summary.to_dict("records") == rows.summary
    assert res.components.to_dict("records") == rows.components
    assert res.components.equals(components_table(apply_removal(toy, removal)))
