"""Maximum flow, concurrent flow and the capacity minimum cut, against hand results and networkx."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import resilience
from resilience.analysis.flow import (
    NETWORKX_MAX_NODES,
    analyse_flow,
    concurrent_flow,
    flow_summary,
    max_flow,
    use_networkx,
)
from resilience.capacity import CAPACITY
from resilience.errors import BadGraphError, BadInputError
from resilience.supply import demand_t_per_day
from resilience.targets import Removal

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def nx_max_flow(G: nx.MultiDiGraph, origins: list[Any], destinations: list[Any]) -> int:
    """The reference: networkx on a simple digraph, parallel capacities added, and an
    unbounded super source and sink (no capacity attribute = infinite in networkx)."""
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes)
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        c = int(data[CAPACITY])
        if D.has_edge(u, v):
            D[u][v]["capacity"] += c
        else:
            D.add_edge(u, v, capacity=c)
    S, T = ("super", "source"), ("super", "sink")
    for o in origins:
        if o in D:
            D.add_edge(S, o)
    for d in destinations:
        if d in D:
            D.add_edge(d, T)
    if S not in D or T not in D:
        return 0
    return int(nx.maximum_flow_value(D, S, T))


def _two_way(G: nx.MultiDiGraph, u: Any, v: Any, c: int, t: float = 60.0) -> None:
    G.add_edge(u, v, capacity_t_per_day=c, travel_time=t, mode="road", name=f"{u}-{v}")
    G.add_edge(v, u, capacity_t_per_day=c, travel_time=t, mode="road", name=f"{u}-{v}")


def _diamond() -> nx.MultiDiGraph:
    """o -> {a (10), b (7)} -> d, with a-d 4 and b-d 9: max flow 4 + 7 = 11."""
    G = nx.MultiDiGraph()
    _two_way(G, "o", "a", 10)
    _two_way(G, "o", "b", 7)
    _two_way(G, "a", "d", 4)
    _two_way(G, "b", "d", 9)
    return G


# --- hand-checkable graphs ------------------------------------------------------------------


def test_diamond_max_flow_and_bottleneck() -> None:
    G = _diamond()
    result = max_flow(G, ["o"], ["d"])
    assert result.value_t_per_day == 11
    assert set(result.cut) == {("a", "d", 0), ("o", "b", 0)}
    assert result.cut_t_per_day == 11
    assert set(result.saturated) >= set(result.cut)
    # the only cut of 11: the diamond's narrow link behind a, and o-b in front of b
    near_target = max_flow(G, ["o"], ["d"], near="target")
    assert set(near_target.cut) == {("a", "d", 0), ("o", "b", 0)}


def test_near_target_picks_the_cut_next_to_the_destinations() -> None:
    # o -5-> a -5-> d: both links are minimum cuts; source side names o-a, target side a-d.
    G = nx.MultiDiGraph()
    _two_way(G, "o", "a", 5)
    _two_way(G, "a", "d", 5)
    assert max_flow(G, ["o"], ["d"]).cut == (("o", "a", 0),)
    assert max_flow(G, ["o"], ["d"], near="target").cut == (("a", "d", 0),)
    with pytest.raises(BadInputError, match="near"):
        max_flow(G, ["o"], ["d"], near="middle")


def test_parallel_links_add_and_directions_are_separate() -> None:
    G = nx.MultiDiGraph()
    _two_way(G, "o", "d", 5)
    _two_way(G, "o", "d", 3)
    assert max_flow(G, ["o"], ["d"]).value_t_per_day == 8
    # reverse direction has its own full capacity, not what is left of a shared one
    assert max_flow(G, ["d"], ["o"]).value_t_per_day == 8
    one = max_flow(G, ["o"], ["d"], removal=Removal(edges=frozenset({("o", "d", 1)})))
    assert one.value_t_per_day == 5


def test_min_cost_flow_takes_the_fast_route_first() -> None:
    G = nx.MultiDiGraph()
    _two_way(G, "o", "d", 5, t=600)  # 10 min
    _two_way(G, "o", "m", 100, t=1200)
    _two_way(G, "m", "d", 3, t=1200)  # 40 min via m
    result = max_flow(G, ["o"], ["d"])
    assert result.value_t_per_day == 8
    assert result.flows[("o", "d", 0)] == pytest.approx(5)
    assert result.flows[("m", "d", 0)] == pytest.approx(3)
    assert result.mean_travel_time_min == pytest.approx((5 * 10 + 3 * 40) / 8)


def test_removed_transfer_stops_rail_to_road_supply_at_that_station() -> None:
    # Depot o reaches town d only by rail: o -> o-station -rail-> d-station -> d.
    G = nx.MultiDiGraph()
    G.add_node("o", mode="road")
    G.add_node("d", mode="road")
    for u, v, mode, c in (
        ("o", "os", "transfer", 6000),
        ("os", "ds", "rail", 32000),
        ("ds", "d", "transfer", 3000),
    ):
        G.add_edge(u, v, key=0, capacity_t_per_day=c, mode=mode, travel_time=600)
        G.add_edge(v, u, key=0, capacity_t_per_day=c, mode=mode, travel_time=600)
    intact = max_flow(G, ["o"], ["d"])
    assert intact.value_t_per_day == 3000
    assert intact.cut == (("ds", "d", 0),)
    removal = Removal(edges=frozenset({("ds", "d", 0), ("d", "ds", 0)}))
    assert max_flow(G, ["o"], ["d"], removal=removal).value_t_per_day == 0


def _both_ways(G: nx.MultiDiGraph, a: str, b: str) -> Removal:
    edges = {(u, v, k) for u, v in ((a, b), (b, a)) for k in G.get_edge_data(u, v) or {}}
    assert edges
    return Removal(edges=frozenset(edges))


def test_toy_region_by_hand(toy: nx.MultiDiGraph) -> None:
    # Alpha's exits: H-01 primary 108,800 + P-02 secondary 89,600 + city transfer 12,000.
    origins, destinations = resilience.resolve_od(toy)
    result = max_flow(toy, origins, destinations)
    assert result.value_t_per_day == 108800 + 89600 + 12000
    assert {(u, v) for u, v, _ in result.cut} == {
        ("alpha", "bravo"),
        ("alpha", "charlie"),
        ("alpha", "alpha-station"),
    }
    # A town–station transfer is named by its node ids (--edge refuses a town and its own
    # station as "the same place"); both directions go, as for any two-way link.
    no_rail = _both_ways(toy, "alpha", "alpha-station")
    assert max_flow(toy, origins, destinations, removal=no_rail).value_t_per_day == 198400
    no_delta_transfer = _both_ways(toy, "delta-station", "delta")
    after = max_flow(toy, origins, destinations, removal=no_delta_transfer, min_cost=True)
    assert after.value_t_per_day == 198400
    assert not any(e[1] == "alpha-station" for e in after.flows)


def test_concurrent_flow_by_hand() -> None:
    G = nx.MultiDiGraph()
    _two_way(G, "o", "a", 10)
    _two_way(G, "o", "b", 5)
    r = concurrent_flow(G, ["o"], ["a", "b"], demand={"a": 10, "b": 10})
    assert r.lambda_ == pytest.approx(0.5)
    assert r.delivered_t_per_day == {"a": pytest.approx(10), "b": pytest.approx(5)}
    # b cut off: nobody is met at once (λ = 0), yet a still gets its demand
    cut_b = Removal(edges=frozenset({("o", "b", 0)}))
    r2 = concurrent_flow(G, ["o"], ["a", "b"], demand={"a": 10, "b": 10}, removal=cut_b)
    assert r2.lambda_ == pytest.approx(0.0)
    assert r2.delivered_t_per_day == {"a": pytest.approx(10), "b": 0.0}
    # b lost (the town falls): its demand leaves the problem, λ is a's alone
    r3 = concurrent_flow(
        G, ["o"], ["a", "b"], demand={"a": 10, "b": 10}, removal=Removal(nodes=frozenset({"b"}))
    )
    assert r3.lost == frozenset({"b"})
    assert r3.lambda_ == pytest.approx(1.0)
    # a supply bound at the origin binds
    r4 = concurrent_flow(G, ["o"], ["a", "b"], demand={"a": 10, "b": 10}, supply={"o": 4})
    assert r4.lambda_ == pytest.approx(0.2)


def test_concurrent_flow_shares_a_bottleneck_fairly() -> None:
    # Both towns behind one 6 t/day link: λ = 6/12, and each gets half its demand.
    G = nx.MultiDiGraph()
    _two_way(G, "o", "m", 6)
    _two_way(G, "m", "a", 100)
    _two_way(G, "m", "b", 100)
    r = concurrent_flow(G, ["o"], ["a", "b"], demand={"a": 8, "b": 4})
    assert r.lambda_ == pytest.approx(0.5)
    assert r.delivered_t_per_day["a"] == pytest.approx(4)
    assert r.delivered_t_per_day["b"] == pytest.approx(2)


def test_bad_input() -> None:
    G = _diamond()
    with pytest.raises(BadInputError, match="both an origin and a destination"):
        max_flow(G, ["o", "d"], ["d"])
    with pytest.raises(BadInputError, match="no demand"):
        concurrent_flow(G, ["o"], ["d"], demand={"d": 0})
    G.add_edge("o", "d", travel_time=1)
    with pytest.raises(BadGraphError, match="assign capacities"):
        max_flow(G, ["o"], ["d"])


def test_int32_overflow_falls_back_to_the_lp() -> None:
    G = nx.MultiDiGraph()
    _two_way(G, "o", "a", 3_000_000_000)
    _two_way(G, "a", "d", 2_500_000_000)
    _two_way(G, "o", "d", 1_000_000_000)
    result = max_flow(G, ["o"], ["d"])
    assert result.value_t_per_day == 3_500_000_000 == nx_max_flow(G, ["o"], ["d"])
    assert result.cut_t_per_day == result.value_t_per_day
    assert max_flow(G, ["o"], ["d"], near="target").cut_t_per_day == 3_500_000_000


# --- properties on random road-like graphs --------------------------------------------------


@st.composite
def flow_graphs(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, list[int], list[int]]:
    n = draw(st.integers(3, 12))
    G: nx.MultiDiGraph = nx.MultiDiGraph()
    G.add_nodes_from(range(n))
    links = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.integers(0, 300),
                st.booleans(),
            ),
            min_size=1,
            max_size=3 * n,
        )
    )
    for u, v, c, two_way in links:
        G.add_edge(u, v, capacity_t_per_day=c, travel_time=1 + (u * 7 + v) % 5)
        if two_way:
            G.add_edge(v, u, capacity_t_per_day=c, travel_time=1 + (u * 7 + v) % 5)
    nodes = list(range(n))
    origins = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2, unique=True))
    rest = [x for x in nodes if x not in origins]
    dests = draw(st.lists(st.sampled_from(rest), min_size=1, max_size=3, unique=True))
    note(f"edges: {sorted(G.edges(keys=True, data=CAPACITY))}; od {origins} -> {dests}")
    return G, origins, dests


@SETTINGS
@given(flow_graphs(), st.sampled_from(["source", "target"]))
def test_max_flow_equals_networkx_and_its_cut(
    case: tuple[nx.MultiDiGraph, list[int], list[int]], near: str
) -> None:
    G, origins, dests = case
    result = max_flow(G, origins, dests, near=near)
    assert result.value_t_per_day == nx_max_flow(G, origins, dests)
    # duality: the reported cut's capacity is the flow, and removing it leaves nothing
    assert result.cut_t_per_day == result.value_t_per_day
    assert sum(G.edges[e][CAPACITY] for e in result.cut) == result.value_t_per_day
    cut_off = Removal(edges=frozenset(result.cut))
    assert max_flow(G, origins, dests, removal=cut_off).value_t_per_day == 0
    # the min-cost routing carries the maximum within capacities
    assert sum(f for (u, v, _), f in result.flows.items() if v in dests) - sum(
        f for (u, v, _), f in result.flows.items() if u in dests
    ) == pytest.approx(result.value_t_per_day)
    for e, f in result.flows.items():
        assert f <= G.edges[e][CAPACITY] + 1e-6


@SETTINGS
@given(flow_graphs(), st.data())
def test_flow_never_rises_after_a_removal(
    case: tuple[nx.MultiDiGraph, list[int], list[int]], data: st.DataObject
) -> None:
    G, origins, dests = case
    edges = sorted(G.edges(keys=True))
    gone_edges = data.draw(st.lists(st.sampled_from(edges), max_size=3, unique=True))
    gone_nodes = data.draw(st.lists(st.sampled_from(sorted(G.nodes)), max_size=2, unique=True))
    removal = Removal(nodes=frozenset(gone_nodes), edges=frozenset(gone_edges))
    before = max_flow(G, origins, dests, min_cost=False).value_t_per_day
    after = max_flow(G, origins, dests, removal=removal, min_cost=False).value_t_per_day
    assert after <= before
    H = G.copy()
    H.remove_edges_from(gone_edges)
    H.remove_nodes_from(gone_nodes)
    assert after == nx_max_flow(H, origins, dests)


@SETTINGS
@given(flow_graphs(), st.lists(st.integers(1, 50), min_size=3, max_size=3))
def test_concurrent_flow_never_exceeds_max_flow(
    case: tuple[nx.MultiDiGraph, list[int], list[int]], weights: list[int]
) -> None:
    G, origins, dests = case
    demand = {d: float(w) for d, w in zip(dests, weights, strict=False)}
    r = concurrent_flow(G, origins, dests, demand=demand)
    value = max_flow(G, origins, dests, min_cost=False).value_t_per_day
    assert r.lambda_ * sum(demand.values()) <= value + 1e-6
    assert sum(r.delivered_t_per_day.values()) <= value + 1e-6
    for d in dests:
        assert r.delivered_t_per_day[d] <= demand[d] + 1e-6
        assert r.delivered_t_per_day[d] >= min(r.lambda_, 1.0) * demand[d] - 1e-6


# --- the embedded region --------------------------------------------------------------------


def test_embedded_region_matches_networkx_to_the_tonne() -> None:
    G = resilience.load_network()
    origins, destinations = resilience.resolve_od(G)
    removal = resilience.build_removal(G, nodes=["pokrovsk"])
    summary = flow_summary(G, removal, origins, destinations)
    assert summary["max_flow_before_t_per_day"] == nx_max_flow(G, origins, destinations)
    H = resilience.apply_removal(G, removal)
    assert summary["max_flow_after_t_per_day"] == nx_max_flow(H, origins, destinations)
    assert summary["max_flow_after_t_per_day"] < summary["max_flow_before_t_per_day"]


def test_analyse_flow_on_the_embedded_region_is_consistent() -> None:
    # Its speed is a benchmark row (just bench --only flow), not a timed test.
    G = resilience.load_network()
    origins, destinations = resilience.resolve_od(G)
    removal = resilience.build_removal(G, nodes=["pokrovsk"], refs=["M30"])
    result = analyse_flow(G, removal, origins, destinations)
    out = result.to_json()
    assert out["max_flow_before_t_per_day"] == nx_max_flow(G, origins, destinations)
    assert out["max_flow_after_t_per_day"] <= out["max_flow_before_t_per_day"]
    assert out["lambda_before"] * out["total_demand_t_per_day"] <= (
        out["max_flow_before_t_per_day"] + 1e-6
    )
    rows = {r["destination"]: r for r in out["destinations"]}
    assert rows["Pokrovsk"]["status"] == "lost"
    assert rows["Pokrovsk"]["delivered_after_t_per_day"] == 0
    assert len(rows) == len(destinations)
    cut_after = result.cut[result.cut["when"] == "after"]
    assert int(cut_after["capacity_t_per_day"].sum()) == out["max_flow_after_t_per_day"]
    assert out["bottleneck_after"]
    # links: one row per two-way link, flows within capacity
    links = result.links
    assert len(links) == G.number_of_edges() // 2
    assert (links["flow_after_t_per_day"] <= 2 * links["capacity_t_per_day"] + 1e-6).all()
    assert links["in_cut_after"].sum() == len(cut_after)
    # every cut link is full in any maximum flow
    assert links.loc[links["in_cut_after"], "saturated_after"].all()
    assert out["saturated_links_after"] == int(links["saturated_after"].sum()) >= len(cut_after)
    assert set(result.summary["when"]) == {"before", "after"}


def test_json_is_deterministic() -> None:
    G = resilience.load_network()
    origins, destinations = resilience.resolve_od(G)
    removal = resilience.build_removal(G, refs=["M30"])
    first = analyse_flow(G, removal, origins, destinations).to_json()
    second = analyse_flow(G, removal, origins, destinations).to_json()
    assert first == second


# --- engines: networkx (pure Python, exact) against scipy (Dinic, HiGHS) --------------------


def _routable(
    G: nx.MultiDiGraph,
    origins: list[Any],
    delivered: dict[Any, float],
    supply: dict[Any, float] | None = None,
) -> float:
    """The most of ``delivered`` the network routes at once (sink arcs capped at it)."""
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes)
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        c = int(data[CAPACITY])
        if D.has_edge(u, v):
            D[u][v]["capacity"] += c
        else:
            D.add_edge(u, v, capacity=c)
    S, T = ("super", "source"), ("super", "sink")
    D.add_nodes_from([S, T])
    for o in origins:
        if o in G:
            D.add_edge(S, o, **({"capacity": supply[o]} if supply and o in supply else {}))
    for d, x in delivered.items():
        if d in G:
            D.add_edge(d, T, capacity=x)
    return float(nx.maximum_flow_value(D, S, T))


def _same_concurrent_flow(
    G: nx.MultiDiGraph,
    origins: list[Any],
    dests: list[Any],
    demand: dict[Any, float],
    removal: Removal | None = None,
    supply: dict[Any, float] | None = None,
) -> None:
    kw: dict[str, Any] = {"removal": removal, "demand": demand, "supply": supply}
    lp = concurrent_flow(G, origins, dests, engine="fast", **kw)
    ours = concurrent_flow(G, origins, dests, engine="networkx", **kw)
    assert ours.lambda_ == pytest.approx(lp.lambda_, rel=1e-6, abs=1e-6)
    assert ours.lost == lp.lost
    assert ours.demand_t_per_day == lp.demand_t_per_day
    total = sum(demand.values())
    got = ours.delivered_t_per_day
    # The same total (the most the network carries towards the demands) ...
    assert sum(got.values()) == pytest.approx(
        sum(lp.delivered_t_per_day.values()), abs=1e-5 * total
    )
    # ... each town between its share λ and its whole demand, all of it routable at once.
    for d in dests:
        if d in ours.lost:
            assert got[d] == 0.0
            continue
        assert got[d] <= demand.get(d, 0.0) + 1e-6
        assert got[d] >= min(ours.lambda_, 1.0) * demand.get(d, 0.0) - 1e-6
    H = G if removal is None else resilience.apply_removal(G, removal)
    assert _routable(H, origins, got, supply) == pytest.approx(sum(got.values()), abs=1e-5 * total)


@SETTINGS
@given(
    flow_graphs(),
    st.lists(st.integers(0, 400), min_size=3, max_size=3),
    st.data(),
)
def test_networkx_engine_equals_the_lp_on_random_graphs(
    case: tuple[nx.MultiDiGraph, list[int], list[int]], weights: list[int], data: st.DataObject
) -> None:
    G, origins, dests = case
    demand = {d: float(w) for d, w in zip(dests, weights, strict=False)}
    if sum(demand.values()) <= 0:
        demand[dests[0]] = 1.0
    gone = data.draw(st.lists(st.sampled_from(list(G.nodes)), max_size=2, unique=True))
    removal = Removal(nodes=frozenset(gone)) if gone else None
    bound = data.draw(st.none() | st.integers(0, 200))
    supply = None if bound is None else {origins[0]: float(bound)}
    _same_concurrent_flow(G, origins, dests, demand, removal, supply)
    lp = flow_summary(G, removal, origins, dests, demand=demand, engine="fast")
    ours = flow_summary(G, removal, origins, dests, demand=demand, engine="networkx")
    for key in ("max_flow_before_t_per_day", "max_flow_after_t_per_day"):
        assert ours[key] == lp[key]
    for key in ("lambda_before", "lambda_after"):
        assert ours[key] == pytest.approx(lp[key], rel=1e-6, abs=1e-6)


def test_networkx_engine_equals_the_lp_on_the_embedded_region() -> None:
    G = resilience.load_network()
    origins, destinations = resilience.resolve_od(G)
    for names in ([], ["pokrovsk"], ["myrnohrad", "rodynske"], ["kramatorsk"]):
        removal = resilience.build_removal(G, nodes=names) if names else None
        # The region's own demand leaves λ far above 1; a larger one makes λ < 1 too.
        for scale in (1.0, 40.0):
            demand = {d: w * scale for d, w in demand_t_per_day(G, destinations).items()}
            _same_concurrent_flow(G, origins, destinations, demand, removal)
        lp = flow_summary(G, removal, origins, destinations, engine="fast")
        ours = flow_summary(G, removal, origins, destinations, engine="networkx")
        assert ours == lp  # rounded to 6 digits, as cut's summary shows them


def test_auto_engine_rule_and_bad_engine() -> None:
    small = nx.MultiDiGraph()
    small.add_nodes_from(range(NETWORKX_MAX_NODES))
    big = nx.MultiDiGraph()
    big.add_nodes_from(range(NETWORKX_MAX_NODES + 1))
    assert use_networkx(small, "auto")
    assert not use_networkx(big, "auto")
    assert use_networkx(big, "networkx")
    assert not use_networkx(small, "fast")
    with pytest.raises(BadInputError, match="engine must be"):
        concurrent_flow(_diamond(), ["o"], ["d"], engine="gpu")  # type: ignore[arg-type]
