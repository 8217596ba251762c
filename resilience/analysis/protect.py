"""What to harden before an attack, and what to repair first after one.

:func:`protect` answers "which ``p`` elements should be hardened so that the worst
``k``-attack hurts least?" exactly, by the implicit enumeration of Church & Scaparra
(2007) with the exact attacker of :mod:`resilience.analysis.interdict` inside: solve the
worst attack ``A`` given the protections so far; if another protection is left, some
optimal plan protects an element of ``A`` (otherwise ``A`` stays open and the plan is no
better than stopping here), so branch only on the elements of ``A``. At most
``1 + k + … + k^p`` attacks are solved, each protection set once.

:func:`repair_order` answers "after this damage, in which order should the removed
elements be restored so that supply comes back fastest?": the order that maximises the
sum of supply over the first ``r`` repair steps (the area under the restoration curve).
Supply after a set of repairs does not depend on their order, so the best order is a
dynamic programme over subsets, ``V(S) = f(S) + max_{e ∈ S} V(S − e)``; it is exact and
used while the subsets of at most ``r`` of the removed elements are few enough
(``exact_limit``). Beyond that the order is greedy (each step restores the element that
adds most supply, ties in removal order), and the result states the upper bound
``r · f(everything restored)`` it is measured against, with the gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from resilience.analysis.interdict import (
    DEFAULT_TIME_LIMIT_S,
    Element,
    ElementSet,
    InterdictionNet,
    Objective,
    build_net,
    candidates,
    check_limits,
    cost_vector,
    element_frame,
    short_label,
    solve,
    supply,
    unit_of,
)
from resilience.errors import BadInputError
from resilience.targets import Removal

__all__ = ["ProtectResult", "RepairResult", "protect", "repair_order"]

#: Most supply evaluations the exact repair order may spend before it turns greedy.
DEFAULT_EXACT_LIMIT = 50_000


@dataclass(frozen=True)
class ProtectResult:
    """The elements to harden and what the worst attack does then.

    Attributes
    ----------
    objective, unit
        As for :class:`~resilience.analysis.interdict.InterdictionResult`.
    damage_unprotected, damage_protected
        The worst ``k``-attack's damage without and with the protection.
    status
        ``optimal``, or ``time_limit`` when an attacker solve stopped at its limit (then
        the damages are the attacker's best found, not proven worst).
    protected
        The elements to harden (named, as the interdiction frames).
    attack
        The worst attack left once they are hardened.
    plans
        Every protection set tried: ``protected`` (labels), ``size``,
        ``damage_<unit>`` of the worst attack against it, ``attack`` (labels).
    attacks_solved, seconds
        Work done.
    """

    objective: str
    unit: str
    damage_unprotected: float
    damage_protected: float
    status: str
    protected: pd.DataFrame
    attack: pd.DataFrame
    plans: pd.DataFrame
    attacks_solved: int
    seconds: float


def protect(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    p: int,
    k: int | None,
    objective: Objective = "flow",
    elements: ElementSet = "links",
    costs: Mapping[Any, float] | None = None,
    budget: float | None = None,
    endpoints: bool = False,
    cutoff_min: float | None = None,
    demand: Mapping[Any, float] | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> ProtectResult:
    """Which ``p`` elements to harden so that the worst attack hurts least.

    Parameters
    ----------
    G
        The network (not changed).
    origins, destinations
        Node ids.
    p
        Most elements protected (0 answers the plain attack).
    k, objective, elements, costs, budget, endpoints, cutoff_min, demand, time_limit_s
        The attacker, as for :func:`~resilience.analysis.interdict.interdict`.

    Returns
    -------
    ProtectResult
        The protection, the attack left and every plan tried.

    Raises
    ------
    BadInputError
        On bad limits or options (as :func:`~resilience.analysis.interdict.interdict`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for a, b in [("s", "a"), ("a", "t"), ("s", "t")]:
    ...     for x, y in [(a, b), (b, a)]:
    ...         _ = G.add_edge(x, y, travel_time=60.0)
    >>> for n in G:
    ...     G.nodes[n].update(x=0.0, y=0.0)
    >>> result = protect(G, ["s"], ["t"], p=1, k=1)
    >>> result.damage_unprotected, result.damage_protected
    (1.0, 1.0)
    """
    if p < 0:
        msg = f"p must be at least 0, not {p}"
        raise BadInputError(msg)
    check_limits(k, budget, time_limit_s)
    start = time.perf_counter()
    net = build_net(G, origins, destinations, cutoff_min=cutoff_min, demand=demand)
    cands = candidates(net, elements, (), endpoints=endpoints)
    costs_all = cost_vector(net, cands, costs)
    order = {e: i for i, e in enumerate(cands)}
    unit = unit_of(net, objective)
    seen: dict[frozenset[Element], tuple[tuple[Element, ...], float, str]] = {}
    stack: list[frozenset[Element]] = [frozenset()]
    while stack:
        shield = stack.pop()
        keep = [i for i, e in enumerate(cands) if e not in shield]
        chosen, dmg, _, status = solve(
            net,
            objective,
            [cands[i] for i in keep],
            costs_all[keep],
            k,
            budget,
            time_limit_s,
        )
        seen[shield] = (chosen, dmg, status)
        if len(shield) < p:
            for e in sorted(chosen, key=order.__getitem__, reverse=True):
                nxt = shield | {e}
                if nxt not in seen and nxt not in stack:
                    stack.append(nxt)

    def rank(item: tuple[frozenset[Element], Any]) -> tuple[float, int, list[int]]:
        shield, (_, dmg, _) = item
        return (dmg, len(shield), sorted(order[e] for e in shield))

    plans = sorted(seen.items(), key=rank)
    best_shield, (best_attack, best_dmg, _) = plans[0]
    status = "optimal" if all(s == "optimal" for _, _, s in seen.values()) else "time_limit"
    shield_sorted = sorted(best_shield, key=order.__getitem__)
    plan_rows = [
        {
            "protected": " + ".join(short_label(net, e) for e in sorted(sh, key=order.__getitem__)),
            "size": len(sh),
            f"damage_{unit}": dmg,
            "attack": " + ".join(short_label(net, e) for e in att),
            "status": st,
        }
        for sh, (att, dmg, st) in plans
    ]
    cost_of = dict(zip(cands, costs_all.tolist(), strict=True))
    return ProtectResult(
        objective=objective,
        unit=unit,
        damage_unprotected=seen[frozenset()][1],
        damage_protected=best_dmg,
        status=status,
        protected=element_frame(net, shield_sorted, cost_of),
        attack=element_frame(net, list(best_attack), cost_of),
        plans=pd.DataFrame(plan_rows),
        attacks_solved=len(seen),
        seconds=round(time.perf_counter() - start, 3),
    )


# --------------------------------------------------------------------------- repair


@dataclass(frozen=True)
class RepairResult:
    """The order of repairs and the supply after each.

    Attributes
    ----------
    objective, unit
        ``flow`` (``t_per_day`` or ``paths``), ``pairs`` (connected pairs) or ``time``
        (supply is minus the total capped OD minutes).
    intact, damaged
        Supply of the intact and of the damaged network.
    method
        ``exact`` (dynamic programme over subsets) or ``greedy``.
    area, bound, gap_pct
        Sum of supply over the repair steps; a proven upper bound on the best possible
        sum (equal to ``area`` when exact); their gap in percent of the bound.
    order
        One row per step: ``step``, the element (named as the interdiction frames),
        ``supply_<unit>`` after the step, ``gain_<unit>`` and ``restored_pct`` (share of
        the lost supply back).
    """

    objective: str
    unit: str
    intact: float
    damaged: float
    method: str
    area: float
    bound: float
    gap_pct: float
    order: pd.DataFrame


def _removed_elements(net: InterdictionNet, removal: Removal) -> list[Element]:
    index = net.arrays.index
    arc_of = {
        (net.arrays.nodes[a], net.arrays.nodes[b], k): i
        for i, (a, b, k) in enumerate(
            zip(net.arrays.u.tolist(), net.arrays.v.tolist(), net.arrays.key, strict=True)
        )
    }
    out: list[Element] = [net.nodes[index[n]] for n in sorted(removal.nodes, key=str)]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for u, v, k in sorted(removal.edges, key=str):
        if (u, v, k) not in arc_of:
            msg = f"the removed link {u}–{v} ({k}) is not in the network"
            raise BadInputError(msg)
        if u in removal.nodes or v in removal.nodes or u == v:
            continue
        a, b = index[u], index[v]
        groups.setdefault((min(a, b), max(a, b), k), []).append(arc_of[(u, v, k)])
    for (a, b, k), arcs in groups.items():
        out.append(Element("link", net.arrays.nodes[a], net.arrays.nodes[b], k, tuple(arcs)))
    return out


def _n_subsets(m: int, r: int) -> int:
    return sum(math.comb(m, t) for t in range(r + 1))


def repair_order(
    G: nx.MultiDiGraph[Any],
    removal: Removal,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    r: int | None = None,
    objective: Objective = "flow",
    cutoff_min: float | None = None,
    demand: Mapping[Any, float] | None = None,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
) -> RepairResult:
    """The order in which to restore removed elements so that supply comes back fastest.

    Parameters
    ----------
    G
        The intact network (not changed).
    removal
        What was removed (a scenario's removal): each removed place and each removed
        link (both directions of one ``(u, v, key)`` together) is one repair.
    origins, destinations
        Node ids.
    r
        Repairs to plan (default: all).
    objective
        Supply measure: ``flow``, ``pairs`` or ``time``.
    cutoff_min
        Travel-time cap of the ``time`` objective.
    demand
        ``flow``: t/day each destination takes at most (``None``: unbounded).
    exact_limit
        Most supply evaluations the exact order may take before the order turns greedy.

    Returns
    -------
    RepairResult
        The order, supply after each step and the bound.

    Raises
    ------
    BadInputError
        If ``r`` is below 1, the removal is empty or names a link not in ``G``.

    Examples
    --------
    >>> import networkx as nx
    >>> from resilience.targets import Removal
    >>> G = nx.MultiDiGraph()
    >>> for a, b in [("s", "a"), ("a", "t"), ("s", "t")]:
    ...     for x, y in [(a, b), (b, a)]:
    ...         _ = G.add_edge(x, y, travel_time=60.0)
    >>> for n in G:
    ...     G.nodes[n].update(x=0.0, y=0.0)
    >>> gone = Removal(edges=frozenset({("s", "a", 0), ("a", "t", 0), ("s", "t", 0)}))
    >>> result = repair_order(G, gone, ["s"], ["t"])
    >>> list(result.order["supply_paths"])
    [1.0, 1.0, 2.0]
    """
    net = build_net(G, origins, destinations, cutoff_min=cutoff_min, demand=demand)
    elems = _removed_elements(net, removal)
    if not elems:
        msg = "nothing was removed, so there is nothing to repair"
        raise BadInputError(msg)
    if r is not None and r < 1:
        msg = f"r must be at least 1, not {r}"
        raise BadInputError(msg)
    m = len(elems)
    steps = m if r is None else min(r, m)
    cache: dict[frozenset[int], float] = {}

    def f(restored: frozenset[int]) -> float:
        if restored not in cache:
            cache[restored] = supply(
                net, objective, [e for i, e in enumerate(elems) if i not in restored]
            )
        return cache[restored]

    intact, damaged = supply(net, objective, ()), f(frozenset())
    exact = _n_subsets(m, steps) <= exact_limit
    chain = _exact_chain(f, m, steps) if exact else _greedy_chain(f, m, steps)
    area = sum(f(frozenset(chain[: t + 1])) for t in range(steps))
    bound = area if exact else steps * intact
    unit = unit_of(net, objective)
    rows = []
    prev = damaged
    for t in range(steps):
        now = f(frozenset(chain[: t + 1]))
        lost = intact - damaged
        rows.append(
            {
                "step": t + 1,
                "supply": now,
                "gain": now - prev,
                "restored_pct": (round(100.0 * (now - damaged) / lost, 3) if lost > 0 else 100.0),
            }
        )
        prev = now
    frame = element_frame(net, [elems[i] for i in chain], {})
    frame = frame.drop(columns=["cost"])
    frame.insert(0, "step", [row["step"] for row in rows])
    frame[f"supply_{unit}"] = [_shown(objective, row["supply"]) for row in rows]
    frame[f"gain_{unit}"] = [row["gain"] for row in rows]
    frame["restored_pct"] = [row["restored_pct"] for row in rows]
    gap = round(100.0 * (bound - area) / abs(bound), 3) if bound and bound > area else 0.0
    return RepairResult(
        objective=objective,
        unit=unit,
        intact=_shown(objective, intact),
        damaged=_shown(objective, damaged),
        method="exact" if exact else "greedy",
        area=area,
        bound=bound,
        gap_pct=gap,
        order=frame,
    )


def _shown(objective: str, value: float) -> float:
    # Supply of the time objective is minus the total OD minutes; show the minutes.
    return -value if objective == "time" else value


def _exact_chain(f: Callable[[frozenset[int]], float], m: int, steps: int) -> list[int]:
    """The chain of repairs maximising the sum of supply over ``steps`` steps."""
    value: dict[frozenset[int], float] = {frozenset(): 0.0}
    back: dict[frozenset[int], int] = {}
    layer = [frozenset[int]()]
    for _ in range(steps):
        nxt: dict[frozenset[int], None] = {}
        for s in layer:
            for i in range(m):
                if i not in s:
                    nxt[s | {i}] = None
        for s in nxt:
            # Ties go to the lowest-numbered last repair, so the order is deterministic.
            best_i, best_v = -1, -math.inf
            for i in sorted(s):
                if value[s - {i}] > best_v:
                    best_i, best_v = i, value[s - {i}]
            value[s] = f(s) + value[s - {best_i}]
            back[s] = best_i
        layer = list(nxt)
    end = max(sorted(layer, key=sorted), key=lambda s: value[s])
    chain: list[int] = []
    while end:
        i = back[end]
        chain.append(i)
        end = end - {i}
    return chain[::-1]


def _greedy_chain(f: Callable[[frozenset[int]], float], m: int, steps: int) -> list[int]:
    chain: list[int] = []
    done: frozenset[int] = frozenset()
    for _ in range(steps):
        best = max((i for i in range(m) if i not in done), key=lambda i: f(done | {i}))
        chain.append(best)
        done = done | {best}
    return chain
