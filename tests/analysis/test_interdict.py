"""Interdiction, protection and repair order against brute force on small random graphs.

The reference evaluates every subset with networkx (maximum flow, reachability,
Dijkstra on the graph with the elements removed), independent of the scipy evaluators
and of the solvers under test.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import resilience
from resilience.analysis.interdict import (
    _flow_capacities,
    _flow_solution,
    _flow_value,
    _time_bound,
    build_net,
    candidates,
    interdict,
    solve,
)
from resilience.analysis.protect import protect, repair_order
from resilience.cli import app
from resilience.errors import BadInputError
from resilience.targets import Removal

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

Link = tuple[Any, Any, int]


@st.composite
def small_graphs(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, list[int], list[int]]:
    """A connected-ish two-way multigraph of 4-7 nodes, integer capacities, 1-2 OD each."""
    n = draw(st.integers(4, 7))
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=n - 1, max_size=min(10, len(pairs))))
    with_cap = draw(st.booleans())
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_node(i, x=float(i), y=float(i % 3), name=f"n{i}")
    for a, b in chosen:
        tt = float(draw(st.integers(1, 9)) * 60)
        cap = draw(st.integers(1, 5))
        key = G.number_of_edges(a, b)
        for x, y in ((a, b), (b, a)):
            attrs: dict[str, Any] = {"travel_time": tt, "length": tt * 10, "mode": "road"}
            if with_cap:
                attrs["capacity_t_per_day"] = cap
            G.add_edge(x, y, key=key, **attrs)
    nodes = list(range(n))
    n_o = draw(st.integers(1, 2))
    n_d = draw(st.integers(1, 2))
    od = draw(st.permutations(nodes))
    return G, sorted(od[:n_o]), sorted(od[n_o : n_o + n_d])


def _links(G: nx.MultiDiGraph) -> list[Link]:
    seen: dict[tuple[Any, Any, int], Link] = {}
    for u, v, k in G.edges(keys=True):
        seen.setdefault((min(u, v), max(u, v), k), (u, v, k))
    return list(seen.values())


def _elements(G: nx.MultiDiGraph, which: str, od: set[Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if which in ("links", "both"):
        out += [("link", e) for e in _links(G)]
    if which in ("nodes", "both"):
        out += [("node", n) for n in G.nodes if n not in od]
    return out


def _remove(G: nx.MultiDiGraph, chosen: Any) -> nx.MultiDiGraph:
    H = G.copy()
    for kind, e in chosen:
        if kind == "node":
            H.remove_node(e)
        else:
            u, v, k = e
            for a, b in ((u, v), (v, u)):
                if H.has_edge(a, b, k):
                    H.remove_edge(a, b, k)
    return H


def _ref_flow(H: nx.MultiDiGraph, origins: list[Any], dests: list[Any]) -> float:
    D = nx.DiGraph()
    D.add_nodes_from(["S", "T"])
    for u, v, data in H.edges(data=True):
        cap = data.get("capacity_t_per_day", 1)
        prev = D.get_edge_data(u, v, {"capacity": 0})["capacity"]
        D.add_edge(u, v, capacity=prev + cap)
    for o in origins:
        if o in H:
            D.add_edge("S", o)  # no capacity: unbounded
    for d in dests:
        if d in H:
            D.add_edge(d, "T")
    return float(nx.maximum_flow_value(D, "S", "T"))


def _ref_pairs(H: nx.MultiDiGraph, origins: list[Any], dests: list[Any]) -> float:
    return float(
        sum(1 for o in origins for d in dests if o in H and d in H and nx.has_path(H, o, d))
    )


def _ref_time(H: nx.MultiDiGraph, origins: list[Any], dests: list[Any], cap_s: float) -> float:
    total = 0.0
    for o in origins:
        dist = nx.single_source_dijkstra_path_length(H, o, weight="travel_time") if o in H else {}
        for d in dests:
            total += min(dist.get(d, math.inf), cap_s)
    return -total / 60.0


def _ref_supply(G, origins, dests, objective, chosen, cap_s=1800.0):
    H = _remove(G, chosen)
    if objective == "flow":
        return _ref_flow(H, origins, dests)
    if objective == "pairs":
        return _ref_pairs(H, origins, dests)
    return _ref_time(H, origins, dests, cap_s)


def _brute(G, origins, dests, objective, which, k, cap_s=1800.0):
    items = _elements(G, which, set(origins) | set(dests))
    base = _ref_supply(G, origins, dests, objective, (), cap_s)
    best = 0.0
    for size in range(1, k + 1):
        for combo in itertools.combinations(items, size):
            best = max(best, base - _ref_supply(G, origins, dests, objective, combo, cap_s))
    return best


def _as_ref(row: dict[str, Any]) -> tuple[str, Any]:
    if row["element"] == "node":
        return ("node", row["u"])
    return ("link", (row["u"], row["v"], int(row["key"])))


@pytest.mark.parametrize("objective", ["flow", "pairs", "time"])
@SETTINGS
@given(
    data=small_graphs(),
    which=st.sampled_from(["links", "nodes", "both"]),
    k=st.integers(1, 3),
)
def test_solver_equals_brute_force(objective, data, which, k) -> None:
    G, origins, dests = data
    note(f"edges={sorted(G.edges(keys=True, data=True))} o={origins} d={dests}")
    result = interdict(G, origins, dests, k=k, objective=objective, elements=which, cutoff_min=30.0)
    expected = _brute(G, origins, dests, objective, which, k)
    assert result.status == "optimal"
    assert result.damage == pytest.approx(expected, abs=1e-6)
    assert result.bound == pytest.approx(result.damage)
    # The set reported does the damage reported, by the networkx reference too.
    chosen = [_as_ref(r) for r in result.worst.to_dict("records")]
    assert len(chosen) <= k
    base = _ref_supply(G, origins, dests, objective, ())
    after = _ref_supply(G, origins, dests, objective, chosen)
    assert base - after == pytest.approx(result.damage, abs=1e-6)
    # The curve never decreases, and no greedy top-k beats the optimum.
    unit = result.unit
    curve = result.curve[f"damage_{unit}"].tolist()
    assert curve == sorted(curve)
    assert (
        result.curve[f"single_top_k_damage_{unit}"] <= result.curve[f"damage_{unit}"] + 1e-6
    ).all()


@SETTINGS
@given(data=small_graphs(), k=st.integers(1, 2))
def test_budget_with_costs_equals_brute_force(data, k) -> None:
    G, origins, dests = data
    links = _links(G)
    costs = {e: float(1 + i % 3) for i, e in enumerate(links)}
    budget = float(k + 1)
    result = interdict(G, origins, dests, k=None, costs=costs, budget=budget)
    base = _ref_flow(G, origins, dests)
    best = 0.0
    for size in range(1, len(links) + 1):
        for combo in itertools.combinations(links, size):
            if sum(costs[e] for e in combo) <= budget:
                H = _remove(G, [("link", e) for e in combo])
                best = max(best, base - _ref_flow(H, origins, dests))
    assert result.damage == pytest.approx(best)
    assert result.worst["cost"].sum() <= budget


@SETTINGS
@given(
    data=small_graphs(), k=st.integers(1, 3), objective=st.sampled_from(["flow", "pairs", "time"])
)
def test_protected_elements_are_never_attacked(data, k, objective) -> None:
    G, origins, dests = data
    first = interdict(G, origins, dests, k=k, objective=objective, cutoff_min=30.0)
    shield = [(r["u"], r["v"], int(r["key"])) for r in first.worst.to_dict("records")]
    again = interdict(
        G, origins, dests, k=k, objective=objective, protected=shield, cutoff_min=30.0
    )
    hit = {(r["u"], r["v"], int(r["key"])) for r in again.worst.to_dict("records")}
    assert not hit & set(shield)
    assert again.damage <= first.damage + 1e-9


@settings(SETTINGS, max_examples=8)
@given(data=small_graphs(), p=st.integers(0, 2), k=st.integers(1, 2))
def test_protect_equals_brute_force(data, p, k) -> None:
    G, origins, dests = data
    result = protect(G, origins, dests, p=p, k=k)
    links = _links(G)
    best = math.inf
    for size in range(p + 1):
        for shield in itertools.combinations(links, size):
            worst = interdict(G, origins, dests, k=k, protected=shield).damage
            best = min(best, worst)
    assert result.status == "optimal"
    assert result.damage_protected == pytest.approx(best)
    protected = {(r["u"], r["v"], int(r["key"])) for r in result.protected.to_dict("records")}
    attacked = {(r["u"], r["v"], int(r["key"])) for r in result.attack.to_dict("records")}
    assert len(protected) <= p
    assert not protected & attacked


@SETTINGS
@given(
    data=small_graphs(), n_removed=st.integers(1, 4), objective=st.sampled_from(["flow", "pairs"])
)
def test_repair_order_is_monotone_and_exact(data, n_removed, objective) -> None:
    G, origins, dests = data
    links = _links(G)[:n_removed]
    removal = Removal(edges=frozenset(x for u, v, k in links for x in ((u, v, k), (v, u, k))))
    result = repair_order(G, removal, origins, dests, objective=objective)
    unit = result.unit
    supply = result.order[f"supply_{unit}"].tolist()
    assert supply == sorted(supply)
    assert supply[-1] == pytest.approx(result.intact)
    assert result.method == "exact"
    # The best order over every permutation has the same area.
    best = -math.inf
    for perm in itertools.permutations(links):
        area, done = 0.0, []
        for e in perm:
            done.append(e)
            rest = [("link", x) for x in links if x not in done]
            area += _ref_supply(G, origins, dests, objective, rest)
        best = max(best, area)
    assert result.area == pytest.approx(best)


def _two_routes() -> nx.MultiDiGraph:
    """s→t over a (capacity 10), over b (9) and over c (6): the top two single losses are
    both on route a, so together they cut only 10, while s–a plus s–b cut 19."""
    G = nx.MultiDiGraph()
    for n in "sabct":
        G.add_node(n, x=0.0, y=0.0, name=n)
    for a, b, cap in [
        ("s", "a", 10),
        ("a", "t", 10),
        ("s", "b", 9),
        ("b", "t", 9),
        ("s", "c", 6),
        ("c", "t", 6),
    ]:
        for x, y in ((a, b), (b, a)):
            G.add_edge(x, y, key=0, travel_time=60.0, capacity_t_per_day=cap)
    return G


def test_best_pair_is_not_the_two_best_singles() -> None:
    result = interdict(_two_routes(), ["s"], ["t"], k=2)
    assert result.before == 25
    assert result.damage == 19
    row = result.curve.set_index("k").loc[2]
    assert row["single_top_k_damage_t_per_day"] == 10
    routes = {
        frozenset((r["u"], r["v"])) & {"a", "b", "c"} for r in result.worst.to_dict("records")
    }
    assert routes == {frozenset({"a"}), frozenset({"b"})}


def test_time_limit_reports_a_valid_bound() -> None:
    G = _two_routes()
    for u, v in (("s", "c"), ("c", "s"), ("c", "t"), ("t", "c")):
        G.edges[u, v, 0]["travel_time"] = 300.0
    exact = interdict(G, ["s"], ["t"], k=2, objective="time")
    stopped = interdict(G, ["s"], ["t"], k=2, objective="time", time_limit_s=1e-9)
    assert exact.status == "optimal"
    assert stopped.status == "time_limit"
    assert stopped.bound >= exact.damage - 1e-9
    assert stopped.gap_pct > 0
    assert exact.damage == pytest.approx(8.0)  # routes a and b lost: 2 min -> 10 min


def test_bad_input_is_one_error() -> None:
    G = _two_routes()
    with pytest.raises(BadInputError, match="give k"):
        interdict(G, ["s"], ["t"], k=None)
    with pytest.raises(BadInputError, match="objective"):
        interdict(G, ["s"], ["t"], k=1, objective="speed")  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match="no link"):
        interdict(G, ["s"], ["t"], k=1, protected=[("s", "t")])
    with pytest.raises(BadInputError, match="nothing was removed"):
        repair_order(G, Removal(), ["s"], ["t"])


# --------------------------------------------------------------------------- embedded region


@pytest.fixture(scope="module")
def region() -> tuple[nx.MultiDiGraph, list[Any], list[Any]]:
    G = resilience.load_network()
    origins, dests = resilience.resolve_od(G)
    return G, origins, dests


@pytest.mark.slow
def test_region_k2_flow_equals_every_pair_of_links(region) -> None:
    """Every pair of links, with one exact shortcut: when link b carries nothing in a
    maximum flow of the network without link a, that flow survives b's loss too, so the
    pair does exactly a's damage; only the other pairs need a maximum flow of their own."""
    G, origins, dests = region
    result = interdict(G, origins, dests, k=2, objective="flow")
    net = build_net(G, origins, dests)
    links = candidates(net, "links", (), endpoints=False)
    before = _flow_value(net, ())
    best, solved = 0, 0
    for i, a in enumerate(links):
        after_a, used = _flow_solution(net, _flow_capacities(net, [a]), arcs=True)
        assert used is not None
        best = max(best, before - after_a)
        for b in links[i + 1 :]:
            if used[list(b.arcs)].any():
                best = max(best, before - _flow_value(net, [a, b]))
                solved += 1
    assert 0 < solved < len(links) * (len(links) - 1) // 2
    assert result.status == "optimal"
    assert result.damage == best
    # The reported set does that damage by the networkx reference too.
    chosen = [_as_ref(r) for r in result.worst.to_dict("records")]
    assert len(chosen) == 2
    H = _remove(G, chosen)
    assert _ref_flow(G, origins, dests) - _ref_flow(H, origins, dests) == result.damage


@pytest.mark.slow
def test_region_k5_flow_answers_within_its_time_limit(region) -> None:
    G, origins, dests = region
    # The solver's own limit bounds the run; past it the answer carries its bound.
    result = interdict(G, origins, dests, k=5, objective="flow", time_limit_s=10.0)
    assert result.status in {"optimal", "time_limit"}
    assert result.bound >= result.damage
    curve = result.curve["damage_t_per_day" if result.unit == "t_per_day" else "damage_paths"]
    assert curve.is_monotonic_increasing


def test_cli_interdict_json(region, tmp_path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["interdict", "--k", "2", "--objective", "flow", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    unit = doc["unit"]
    assert doc["status"] == "optimal"
    assert len(doc["elements"]) == 2
    assert all(e["u"] in region[0] and e["v"] in region[0] for e in doc["elements"])
    assert doc[f"before_{unit}"] - doc[f"after_{unit}"] == doc[f"damage_{unit}"]


def test_cli_cost_budget_and_errors(tmp_path) -> None:
    runner = CliRunner()
    costs = tmp_path / "cost.csv"
    costs.write_text("u,v,key,cost\npavlohrad,petropavlivka,0,5\n", encoding="utf-8")
    res = runner.invoke(
        app,
        ["interdict", "--k", "1", "--cost", str(costs), "--budget", "1", "--out", str(tmp_path)],
    )
    assert res.exit_code == 0, res.output
    (path,) = (tmp_path / "interdict").glob("flow-k1-*/worst.csv")
    worst = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(worst)))
    assert {rows[0]["u"], rows[0]["v"]} != {"pavlohrad", "petropavlivka"}
    res = runner.invoke(app, ["interdict", "--budget", "2"])
    assert res.exit_code == 2
    assert "--cost" in res.output
    res = runner.invoke(app, ["repair", "--scenario", "no-such-scenario"])
    assert res.exit_code == 2
    assert "no such scenario" in res.output


def test_cli_repair_and_protect(tmp_path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        app, ["repair", "--scenario", "pokrovsk-falls", "--r", "2", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "repair").glob("pokrovsk-falls-*/repair.csv"))) == 1
    res = runner.invoke(app, ["protect", "--p", "1", "--k", "1", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "protect").glob("flow-p1-k1-*/plans.csv"))) == 1


def test_ids_read_as_text_match_integer_nodes() -> None:
    G = nx.MultiDiGraph()
    for a, b in [(1, 2), (2, 3), (1, 3)]:
        for x, y in ((a, b), (b, a)):
            G.add_edge(x, y, key=0, travel_time=60.0)
    for n in G:
        G.nodes[n].update(x=0.0, y=0.0)
    result = interdict(G, [1], [3], k=1, protected=[("1", "3")], costs={("2", "3"): 5.0})
    assert result.worst[["u", "v"]].to_numpy().tolist() == [[1, 2]]
    assert result.damage == 1.0


@SETTINGS
@given(data=small_graphs(), which=st.sampled_from(["links", "nodes", "both"]), k=st.integers(1, 3))
def test_time_bound_is_never_below_the_optimum(data, which, k) -> None:
    G, origins, dests = data
    net = build_net(G, origins, dests, cutoff_min=30.0)
    bound = _time_bound(net, k, candidates(net, which, (), endpoints=False))
    assert bound >= _brute(G, origins, dests, "time", which, k) - 1e-6


def test_package_reexports_interdict_protect_and_repair_lazily() -> None:
    import subprocess
    import sys

    import resilience
    from resilience.analysis import protect as protect_mod

    assert resilience.interdict is interdict
    assert resilience.protect is protect_mod.protect
    assert resilience.repair_order is protect_mod.repair_order
    assert {"interdict", "protect", "repair_order"} <= set(resilience.__all__)
    assert "interdict" in dir(resilience)
    # ``import resilience`` stays cheap: the MILP stack loads on first use only.
    code = (
        "import sys, resilience; "
        "print(any(m.startswith(('scipy', 'resilience.analysis')) for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


@st.composite
def chained_graphs(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, list[int], list[int]]:
    """A small graph with links split into series chains and dead-end spurs hung on it."""
    G, origins, dests = draw(small_graphs())
    nxt = G.number_of_nodes()
    for u, v, k in draw(st.lists(st.sampled_from(_links(G)), max_size=3, unique=True)):
        if not G.has_edge(u, v, k):
            continue
        data = dict(G.edges[u, v, k])
        G.remove_edges_from([(u, v, k), (v, u, k)])
        chain = [u, *range(nxt, nxt + draw(st.integers(1, 2))), v]
        for a in chain[1:-1]:
            G.add_node(a, x=float(a), y=0.5, name=f"n{a}")
        nxt += len(chain) - 2
        for a, b in itertools.pairwise(chain):
            key = G.number_of_edges(a, b)
            G.add_edge(a, b, key=key, **data)
            G.add_edge(b, a, key=key, **data)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.sampled_from(sorted(G.nodes)))
        G.add_node(nxt, x=float(nxt), y=2.5, name=f"n{nxt}")
        for a, b in ((at, nxt), (nxt, at)):
            G.add_edge(a, b, key=0, travel_time=60.0, length=600.0, mode="road")
        nxt += 1
    return G, origins, dests


@pytest.mark.parametrize("objective", ["pairs", "time"])
@SETTINGS
@given(data=chained_graphs(), k=st.integers(1, 3), priced=st.booleans())
def test_chains_and_dead_ends_keep_the_brute_force_optimum(objective, data, k, priced) -> None:
    # One link per chain is offered to the solver (and, for pairs, none in a spur): the
    # optimum must not move, with unit costs and with a budget where the links of a chain
    # cost differently.
    G, origins, dests = data
    note(f"edges={sorted(G.edges(keys=True))} o={origins} d={dests}")
    links = _links(G)
    costs = {e: float(1 + i % 3) for i, e in enumerate(links)} if priced else None
    budget = float(k + 1) if priced else None
    result = interdict(
        G,
        origins,
        dests,
        k=None if priced else k,
        objective=objective,
        costs=costs,
        budget=budget,
        cutoff_min=30.0,
    )
    base = _ref_supply(G, origins, dests, objective, ())
    best = 0.0
    for size in range(1, (len(links) if priced else k) + 1):
        for combo in itertools.combinations(links, size):
            if costs is not None and sum(costs[e] for e in combo) > budget:
                continue
            chosen = [("link", e) for e in combo]
            best = max(best, base - _ref_supply(G, origins, dests, objective, chosen))
    assert result.status == "optimal"
    assert result.damage == pytest.approx(best, abs=1e-6)


def test_flow_ties_go_to_the_preferred_elements() -> None:
    # Two equal routes s-a-t and s-b-t: any one of the four links costs the same flow.
    G = nx.MultiDiGraph()
    for a, b in [("s", "a"), ("a", "t"), ("s", "b"), ("b", "t")]:
        for x, y in ((a, b), (b, a)):
            G.add_edge(x, y, key=0, travel_time=60.0, capacity_t_per_day=10)
    for n in G:
        G.nodes[n].update(x=0.0, y=0.0)
    net = build_net(G, ["s"], ["t"])
    cands = candidates(net, "links", (), endpoints=False)
    ones = np.ones(len(cands))
    for want in range(len(cands)):
        prefer = np.ones(len(cands))
        prefer[want] = 0.0
        chosen, dmg, bound, status = solve(net, "flow", cands, ones, 1, None, 30.0, prefer=prefer)
        assert (dmg, bound, status) == (10.0, 10.0, "optimal")
        assert chosen == (cands[want],)
