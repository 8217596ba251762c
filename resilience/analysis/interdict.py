"""The worst ``k`` losses, solved exactly: network interdiction.

Damage does not add up: two parallel routes are each harmless alone and fatal together,
so the worst pair of losses is often not the two worst single losses. :func:`interdict`
finds the set of at most ``k`` elements (or the set within a budget, with a cost per
element) whose joint removal hurts supply most, for three measures of damage:

``flow``
    Tonnes per day deliverable from the origins to the destinations (a super source
    feeds every origin, a super sink drains every destination). Each link carries its
    ``capacity_t_per_day`` attribute in both directions, taken to the whole tonne; a
    graph without that attribute counts one unit per link, so the flow is the number of
    link-disjoint supply paths. Solved exactly as one mixed-integer program: Wood (1993,
    "Deterministic network interdiction") writes the attacker's problem through
    max-flow/min-cut duality as ``min Σ c_a β_a`` over cut indicators ``α`` (node on the
    source side), ``β`` (arc cut and paid for) and ``γ`` (element removed), subject to
    ``α_tail − α_head − β_a − γ_e(a) ≤ 0`` and the attack budget. For a fixed ``γ`` the
    remaining program is the min-cut linear program, which is integral, so only ``γ``
    is declared integer. Places are split into an in- and an out-node joined by an
    uncapacitated arc that only a removal of the place can cut.
``pairs``
    Origin→destination pairs disconnected, exact as a mixed-integer program: per origin,
    a potential ``π`` that is 1 on the origin and closed under every arc that is not
    removed (``π_tail − π_head − γ_e ≤ 0``); a destination whose out-node may be 0
    is cut off (``z_od ≤ 1 − π_out(d)``). Maximise ``Σ z``. Links in series (through
    places with two links that are neither origin nor destination) cut the same pairs, so
    only one per chain is offered, and none in a dead-end spur (it lies on no OD path).
``time``
    Total OD travel-time increase in minutes, every time capped at ``cutoff_min``; a pair
    that is cut off (or whose origin or destination is removed) counts at the cap. The
    default cap is the sum of every link's travel time, longer than any simple path, so a
    cut-off pair always hurts more than any detour. Capping keeps the damage monotone.
    Solved exactly by an enumeration that branches only on the elements of the current
    shortest OD paths: a removal off every current shortest path changes no OD time, so
    some optimal set is reached this way (each set is evaluated once); of links in series
    only one is branched on (a path through one runs through all). Exact for small
    graphs and ``k``; when the time limit stops it first, the best set found is
    reported with an upper bound from disjoint paths: a pair with ``k + 1`` disjoint
    paths (link- or place-disjoint as the elements are) keeps one of them after ``k``
    losses, so its time after is at most the longest of the ``k + 1`` paths of a
    minimum-cost flow.

The solver is :func:`scipy.optimize.milp`, i.e. HiGHS (MIT licence, bundled with SciPy,
already a dependency): a well-kept branch-and-cut code that reports its dual bound and
gap when a time limit stops it, and is deterministic for the same input. Relative gap 0
is asked for, so "optimal" means proven to the unit. A set that a solver returns is
always re-evaluated by a direct computation (Dinic maximum flow, breadth-first search or
Dijkstra on the removed graph); the reported damage is that value.

A link is one element: both directions of one ``(u, v, key)``; parallel links are separate
elements. Places exclude the origins and destinations unless ``endpoints=True``.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csgraph

from resilience.analysis.impact import od_pairs
from resilience.backend import EdgeArrays, FloatArray, IntArray, edge_arrays
from resilience.errors import BadInputError
from resilience.network import edge_label, node_label
from resilience.targets import place_label

__all__ = [
    "CAPACITY_ATTR",
    "ELEMENT_COLUMNS",
    "Element",
    "InterdictionNet",
    "InterdictionResult",
    "build_net",
    "candidates",
    "check_limits",
    "cost_vector",
    "damage",
    "element_frame",
    "interdict",
    "short_label",
    "single_ranking",
    "solve",
    "supply",
    "unit_of",
]

Objective = Literal["flow", "time", "pairs"]
ElementSet = Literal["links", "nodes", "both"]

#: Edge attribute read as a link's capacity, in tonnes per day.
CAPACITY_ATTR = "capacity_t_per_day"

_OBJECTIVES = ("flow", "time", "pairs")
_ELEMENT_SETS = ("links", "nodes", "both")

_INT32_MAX = 2**31 - 1

#: Default time limit per solve, in seconds.
DEFAULT_TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class Element:
    """One thing an attacker can remove.

    Attributes
    ----------
    kind
        ``"link"`` or ``"node"``.
    u, v, key
        A link's end node ids and key (as stored: the first direction met); a node's id
        in ``u`` with ``v`` and ``key`` ``None``.
    arcs
        Indices of the link's directed arcs in the net's arrays (empty for a node).
    node
        The node's index in the net's arrays (-1 for a link).
    """

    kind: Literal["link", "node"]
    u: Any
    v: Any
    key: Any
    arcs: tuple[int, ...] = ()
    node: int = -1


@dataclass
class InterdictionNet:
    """A graph converted once for interdiction: arcs, capacities, OD indices.

    Attributes
    ----------
    graph
        The network (not changed).
    arrays
        Its arcs as arrays (``travel_time`` weights, seconds).
    capacity
        Integer capacity per arc (tonnes per day, or 1 per link without capacities).
    capacity_source
        ``"capacity_t_per_day"`` when the graph carries it, else ``"unit"``.
    origins, destinations
        Node indices.
    links
        Every link element (self-loops left out: they never carry supply).
    nodes
        Every node element, in graph order.
    cutoff_s
        The travel-time cap of the ``time`` objective, seconds.
    sink_capacity
        Demand per destination (t/day) bounding what it takes, or ``None`` (unbounded).
    """

    graph: nx.MultiDiGraph[Any]
    arrays: EdgeArrays
    capacity: IntArray
    capacity_source: str
    origins: list[int]
    destinations: list[int]
    links: list[Element]
    nodes: list[Element]
    cutoff_s: float
    sink_capacity: IntArray | None
    _arc_order: dict[tuple[int, int], list[int]] = field(default_factory=dict, repr=False)
    _flow_base: Any = field(default=None, repr=False)

    def element_of(self, ident: Any) -> Element:
        """The element a user names: ``(u, v, key)`` or ``(u, v)`` for a link, else a node.

        Parameters
        ----------
        ident
            A link as ``(u, v[, key])`` in either direction, or a node id.

        Returns
        -------
        Element
            The element.

        Raises
        ------
        BadInputError
            If nothing in the network matches.
        """
        if isinstance(ident, Element):
            return ident
        if isinstance(ident, tuple) and len(ident) in (2, 3) and ident not in self.arrays.index:
            u, v = self._node_id(ident[0]), self._node_id(ident[1])
            key = ident[2] if len(ident) == 3 else None  # noqa: PLR2004
            for e in self.links:
                if {e.u, e.v} == {u, v} and (key is None or e.key == key):
                    return e
            msg = f"no link {u}–{v}" + (f" with key {key}" if key is not None else "")
            raise BadInputError(msg)
        node = self._node_id(ident)
        if isinstance(node, Hashable) and node in self.arrays.index:
            return self.nodes[self.arrays.index[node]]
        msg = f"{ident} is neither a node nor a link of the network"
        raise BadInputError(msg)

    def _node_id(self, x: Any) -> Any:
        # Ids read from a text file are strings; OpenStreetMap node ids are integers.
        if isinstance(x, str) and x not in self.arrays.index and x.lstrip("-").isdigit():
            return int(x)
        return x


def _capacities(G: nx.MultiDiGraph[Any]) -> tuple[IntArray, str]:
    values = [d.get(CAPACITY_ATTR) for _, _, d in G.edges(data=True)]
    if not any(x is not None for x in values):
        return np.ones(len(values), dtype=np.int64), "unit"
    out = np.zeros(len(values), dtype=np.int64)
    for i, x in enumerate(values):
        try:
            c = float(x) if x is not None else 0.0
        except (TypeError, ValueError):
            c = 0.0
        # A link without a figure among links with figures carries nothing we can count on.
        out[i] = round(c) if math.isfinite(c) and c > 0 else 0
    return out, CAPACITY_ATTR


def build_net(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    cutoff_min: float | None = None,
    demand: Mapping[Any, float] | None = None,
) -> InterdictionNet:
    """Convert a network once for the interdiction functions.

    Parameters
    ----------
    G
        The network.
    origins, destinations
        Node ids.
    cutoff_min
        Travel-time cap of the ``time`` objective in minutes (default: the sum of every
        link's travel time, longer than any simple path).
    demand
        ``flow`` objective: t/day each destination takes at most (to the whole tonne);
        a destination it does not name takes nothing. ``None``: destinations take
        whatever arrives, so the flow measures the network alone.

    Returns
    -------
    InterdictionNet
        The converted network.

    Raises
    ------
    BadInputError
        If the OD sets are empty or overlap, a node is missing, or the cap is not positive.
    """
    od_pairs(origins, destinations)
    missing = [n for n in (*origins, *destinations) if n not in G]
    if missing:
        msg = f"{', '.join(map(str, missing))} is not in the network"
        raise BadInputError(msg)
    arrays = edge_arrays(G, "travel_time")
    cap, source = _capacities(G)
    groups: dict[tuple[int, int, Any], list[int]] = {}
    for i, (a, b, k) in enumerate(
        zip(arrays.u.tolist(), arrays.v.tolist(), arrays.key, strict=True)
    ):
        if a != b:
            groups.setdefault((min(a, b), max(a, b), k), []).append(i)
    links = [
        Element(
            "link", arrays.nodes[arrays.u[idx[0]]], arrays.nodes[arrays.v[idx[0]]], k, tuple(idx)
        )
        for (_, _, k), idx in groups.items()
    ]
    nodes = [Element("node", n, None, None, (), i) for i, n in enumerate(arrays.nodes)]
    if cutoff_min is None:
        links_s = sum(float(min(arrays.weight[list(e.arcs)])) for e in links)
        cutoff_s = links_s + 60.0
    elif not math.isfinite(cutoff_min) or cutoff_min <= 0:
        msg = f"the cut-off penalty must be a positive number of minutes, not {cutoff_min}"
        raise BadInputError(msg)
    else:
        cutoff_s = float(cutoff_min) * 60.0
    sink: IntArray | None = None
    if demand is not None:
        values = [float(demand.get(d, 0.0)) for d in dict.fromkeys(destinations)]
        if any(not math.isfinite(x) or x < 0 for x in values):
            msg = "demand must be a number of t/day >= 0 for every destination"
            raise BadInputError(msg)
        sink = np.array([round(x) for x in values], dtype=np.int64)
    order: dict[tuple[int, int], list[int]] = {}
    for i in np.argsort(arrays.weight, kind="stable").tolist():
        order.setdefault((int(arrays.u[i]), int(arrays.v[i])), []).append(i)
    return InterdictionNet(
        G,
        arrays,
        cap,
        source,
        [arrays.index[o] for o in dict.fromkeys(origins)],
        [arrays.index[d] for d in dict.fromkeys(destinations)],
        links,
        nodes,
        cutoff_s,
        sink,
        order,
    )


# --------------------------------------------------------------------------- evaluation


def _removed_masks(
    net: InterdictionNet, removed: Iterable[Element]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    arc_live = np.ones(len(net.arrays.u), dtype=bool)
    node_gone = np.zeros(net.arrays.n, dtype=bool)
    for e in removed:
        if e.kind == "node":
            node_gone[e.node] = True
        else:
            arc_live[list(e.arcs)] = False
    arc_live &= ~node_gone[net.arrays.u] & ~node_gone[net.arrays.v]
    arc_live &= net.arrays.u != net.arrays.v
    return arc_live, node_gone


@dataclass(frozen=True)
class _FlowBase:
    """The intact capacity matrix with a super source and sink, built once.

    ``pos[a]`` is arc ``a``'s slot in ``data`` (parallel arcs share one), so a removal
    only subtracts capacities from a copy of ``data``.
    """

    indptr: IntArray
    indices: IntArray
    data: IntArray
    pos: IntArray
    source_pos: IntArray
    sink_pos: IntArray


def _flow_base(net: InterdictionNet) -> _FlowBase:
    if net._flow_base is not None:  # noqa: SLF001
        return net._flow_base  # type: ignore[no-any-return] # noqa: SLF001
    n = net.arrays.n
    s, t = n, n + 1
    m = len(net.arrays.u)
    big = int(net.capacity.sum()) + 1
    o = np.array(net.origins, dtype=np.int64)
    d = np.array(net.destinations, dtype=np.int64)
    u = np.concatenate([net.arrays.u, np.full(len(o), s), d])
    v = np.concatenate([net.arrays.v, o, np.full(len(d), t)])
    sink = net.sink_capacity if net.sink_capacity is not None else np.full(len(d), big)
    c = np.concatenate([net.capacity, np.full(len(o), big), sink])
    c[:m][net.arrays.u == net.arrays.v] = 0  # self-loops never carry s-t flow
    keys = u * (n + 2) + v
    uniq = np.unique(keys)
    pos = np.searchsorted(uniq, keys)
    data = np.zeros(len(uniq), dtype=np.int64)
    np.add.at(data, pos, c)
    rows = uniq // (n + 2)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n + 2))])
    base = _FlowBase(indptr, uniq % (n + 2), data, pos[:m], pos[m : m + len(o)], pos[m + len(o) :])
    net._flow_base = base  # noqa: SLF001
    return base


def _flow_value(net: InterdictionNet, removed: Iterable[Element]) -> int:
    n = net.arrays.n
    base = _flow_base(net)
    data = _flow_capacities(net, removed)
    if int(base.data.max(initial=0)) >= _INT32_MAX:
        # csgraph's Dinic counts in 32-bit integers; beyond that networkx counts exactly.
        D: nx.DiGraph[int] = nx.DiGraph()
        for r in range(n + 2):
            for j in range(int(base.indptr[r]), int(base.indptr[r + 1])):
                if data[j] > 0:
                    D.add_edge(r, int(base.indices[j]), capacity=int(data[j]))
        return int(nx.maximum_flow_value(D, n, n + 1)) if n in D and n + 1 in D else 0
    return _flow_solution(net, data, arcs=False)[0]


def _flow_capacities(net: InterdictionNet, removed: Iterable[Element]) -> IntArray:
    """The base's capacity slots with ``removed`` taken out."""
    live, gone = _removed_masks(net, removed)
    base = _flow_base(net)
    data = base.data.copy()
    dead = ~live
    loops = net.arrays.u[dead] == net.arrays.v[dead]
    np.subtract.at(data, base.pos[dead], np.where(loops, 0, net.capacity[dead]))
    for i, o in enumerate(net.origins):
        if gone[o]:
            data[base.source_pos[i]] = 0
    for i, d in enumerate(net.destinations):
        if gone[d]:
            data[base.sink_pos[i]] = 0
    return data


def _flow_solution(
    net: InterdictionNet, data: IntArray, *, arcs: bool
) -> tuple[int, npt.NDArray[np.bool_] | None]:
    """Max-flow value for capacities ``data`` (slots of the base) and which arcs carry flow."""
    n = net.arrays.n
    base = _flow_base(net)
    cap = sparse.csr_array(
        (data.astype(np.int32), base.indices.astype(np.int32), base.indptr.astype(np.int32)),
        shape=(n + 2, n + 2),
    )
    result = csgraph.maximum_flow(cap, n, n + 1, method="dinic")
    if not arcs:
        return int(result.flow_value), None
    flow = sparse.csr_array(result.flow)
    used = np.asarray(flow[net.arrays.u, net.arrays.v]).ravel() > 0
    return int(result.flow_value), used


def _reach(net: InterdictionNet, removed: Iterable[Element]) -> npt.NDArray[np.bool_]:
    """``reach[i, j]``: destination ``j`` is reachable from origin ``i`` (both present)."""
    live, gone = _removed_masks(net, removed)
    n = net.arrays.n
    ones = np.ones(int(live.sum()), dtype=np.int8)
    adj = sparse.csr_array((ones, (net.arrays.u[live], net.arrays.v[live])), shape=(n, n))
    dist = csgraph.shortest_path(adj, indices=net.origins, unweighted=True, directed=True)
    out = np.isfinite(np.asarray(dist)[:, net.destinations])
    out[np.array([gone[o] for o in net.origins]), :] = False
    out[:, np.array([gone[d] for d in net.destinations])] = False
    return out


def _times(
    net: InterdictionNet, removed: Iterable[Element]
) -> tuple[FloatArray, IntArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Capped OD times (seconds), predecessors, live arcs, removed nodes."""
    removed = list(removed)
    live, gone = _removed_masks(net, removed)
    dist, pred = csgraph.dijkstra(
        net.arrays.csr(live), directed=True, indices=net.origins, return_predecessors=True
    )
    times = np.asarray(dist)[:, net.destinations]
    times[np.array([gone[o] for o in net.origins]), :] = np.inf
    times[:, np.array([gone[d] for d in net.destinations])] = np.inf
    return np.minimum(times, net.cutoff_s), np.asarray(pred), live, gone


def supply(net: InterdictionNet, objective: Objective, removed: Iterable[Element]) -> float:
    """The supply measure left after ``removed`` (higher is better).

    Parameters
    ----------
    net
        The converted network.
    objective
        ``flow`` (deliverable flow), ``pairs`` (connected OD pairs) or ``time`` (minus
        the total capped OD time, minutes).
    removed
        Elements removed.

    Returns
    -------
    float
        The measure.
    """
    if objective == "flow":
        return float(_flow_value(net, removed))
    if objective == "pairs":
        return float(_reach(net, removed).sum())
    times, _, _, _ = _times(net, removed)
    return -float(times.sum()) / 60.0


def damage(net: InterdictionNet, objective: Objective, removed: Iterable[Element]) -> float:
    """The damage of removing ``removed`` together: supply intact minus supply after.

    Parameters
    ----------
    net
        The converted network.
    objective
        ``flow`` (t/day or paths), ``pairs`` (pairs cut off) or ``time`` (minutes).
    removed
        Elements removed.

    Returns
    -------
    float
        The damage (never negative: removals never help).
    """
    return supply(net, objective, ()) - supply(net, objective, removed)


# --------------------------------------------------------------------------- candidates


def candidates(
    net: InterdictionNet,
    elements: ElementSet,
    protected: Iterable[Any],
    *,
    endpoints: bool,
) -> list[Element]:
    """The elements an attacker may remove: links and/or places, less the protected ones.

    Parameters
    ----------
    net
        The converted network.
    elements
        ``links``, ``nodes`` or ``both``.
    protected
        Elements (or their ids) the attacker cannot remove.
    endpoints
        Keep the origins and destinations among the places.

    Returns
    -------
    list of Element
        Links first (graph order), then places.

    Raises
    ------
    BadInputError
        If ``elements`` is not one of the three, or a protected id is unknown.
    """
    if elements not in _ELEMENT_SETS:
        msg = f"elements must be links, nodes or both, not {elements!r}"
        raise BadInputError(msg)
    shielded = {net.element_of(p) for p in protected}
    out: list[Element] = []
    if elements in ("links", "both"):
        out.extend(net.links)
    if elements in ("nodes", "both"):
        od = set(net.origins) | set(net.destinations)
        out.extend(e for e in net.nodes if endpoints or e.node not in od)
    return [e for e in out if e not in shielded]


def cost_vector(
    net: InterdictionNet, cands: list[Element], costs: Mapping[Any, float] | None
) -> FloatArray:
    """The cost of each candidate (1 unless ``costs`` names it).

    Parameters
    ----------
    net
        The converted network.
    cands
        The candidates.
    costs
        Cost per element id.

    Returns
    -------
    numpy.ndarray
        Costs aligned with ``cands``.

    Raises
    ------
    BadInputError
        On a negative or non-finite cost, an unknown element or one that is no candidate.
    """
    r = np.ones(len(cands))
    if costs is None:
        return r
    given = {net.element_of(k): float(v) for k, v in costs.items()}
    allowed = set(cands)
    for e, c in given.items():
        if not math.isfinite(c) or c < 0:
            msg = f"the cost of {short_label(net, e)} must be a non-negative number, not {c}"
            raise BadInputError(msg)
        # A price on something the attacker may not take would be read and then ignored.
        if e not in allowed:
            msg = (
                f"the costs price {short_label(net, e)}, which this run may not remove "
                "(see --elements; origins and destinations only with --endpoints)"
            )
            raise BadInputError(msg)
    for i, e in enumerate(cands):
        r[i] = given.get(e, 1.0)
    return r


def short_label(net: InterdictionNet, e: Element) -> str:
    """An element's label: ``ref name (mode)`` for a link, the name for a place.

    Parameters
    ----------
    net
        The converted network.
    e
        The element.

    Returns
    -------
    str
        The label.
    """
    G = net.graph
    if e.kind == "node":
        return node_label(G, e.u)
    return edge_label(G, e.u, e.v, e.key)


# --------------------------------------------------------------------------- MILP


@dataclass(frozen=True)
class _Solve:
    chosen: tuple[Element, ...]
    status: str  # "optimal" or "time_limit"
    bound: float  # upper bound on the damage
    seconds: float


def _split_arcs(
    net: InterdictionNet, index: Mapping[Element, int]
) -> tuple[list[tuple[int, int, int, int]], int]:
    """Arcs ``(tail, head, capacity or -1 for unbounded, variable or -1)`` of the split graph.

    Node ``i`` is ``i`` (in) and ``n + i`` (out); ``2n`` is the super source, ``2n + 1``
    the super sink.
    """
    n = net.arrays.n
    arcs = [(e.node, n + e.node, -1, index.get(e, -1)) for e in net.nodes]
    arc_var = np.full(len(net.arrays.u), -1, dtype=np.int64)
    for e in net.links:
        if e in index:
            arc_var[list(e.arcs)] = index[e]
    for a, (u, v) in enumerate(zip(net.arrays.u.tolist(), net.arrays.v.tolist(), strict=True)):
        if u != v:
            arcs.append((n + u, v, int(net.capacity[a]), int(arc_var[a])))
    return arcs, 2 * n


def _budget_rows(
    n_vars: int, offset: int, costs: FloatArray, k: int | None, budget: float | None
) -> list[LinearConstraint]:
    rows = []
    m = len(costs)
    if k is not None:
        a = sparse.csr_array(
            (np.ones(m), (np.zeros(m, dtype=np.int64), offset + np.arange(m))), shape=(1, n_vars)
        )
        rows.append(LinearConstraint(a, -np.inf, k))
    if budget is not None:
        a = sparse.csr_array(
            (costs, (np.zeros(m, dtype=np.int64), offset + np.arange(m))), shape=(1, n_vars)
        )
        rows.append(LinearConstraint(a, -np.inf, budget))
    return rows


def _run_milp(
    c: FloatArray,
    integrality: IntArray,
    bounds: Bounds,
    constraints: list[LinearConstraint],
    time_limit_s: float,
) -> Any:
    return milp(
        c,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={"time_limit": max(time_limit_s, 0.01), "mip_rel_gap": 0.0, "disp": False},
    )


def _milp_flow(
    net: InterdictionNet,
    cands: list[Element],
    costs: FloatArray,
    k: int | None,
    budget: float | None,
    time_limit_s: float,
    prefer: FloatArray | None = None,
) -> tuple[tuple[Element, ...], str, float]:
    """Wood's formulation; returns the chosen set, status and a lower bound on flow after."""
    index = {e: i for i, e in enumerate(cands)}
    arcs, s = _split_arcs(net, index)
    t = s + 1
    n_alpha = s + 2
    n = net.arrays.n
    big = -1
    arcs = (
        arcs
        + [(s, o, big, -1) for o in net.origins]
        + [
            (n + d, t, big if net.sink_capacity is None else int(net.sink_capacity[i]), -1)
            for i, d in enumerate(net.destinations)
        ]
    )
    finite = [i for i, a in enumerate(arcs) if a[2] > 0]
    beta_of = {a: j for j, a in enumerate(finite)}
    n_beta = len(finite)
    g0 = n_alpha + n_beta
    n_vars = g0 + len(cands)
    rows, cols, vals = [], [], []
    for r, (tail, head, cap, var) in enumerate(arcs):
        rows += [r, r]
        cols += [tail, head]
        vals += [1.0, -1.0]
        if cap > 0:
            rows.append(r)
            cols.append(n_alpha + beta_of[r])
            vals.append(-1.0)
        if var >= 0:
            rows.append(r)
            cols.append(g0 + var)
            vals.append(-1.0)
    # A zero-capacity arc needs no β: cutting it is free, so its row is dropped.
    keep_rows = [r for r, a in enumerate(arcs) if a[2] != 0]
    a_mat = sparse.csr_array((vals, (rows, cols)), shape=(len(arcs), n_vars))[keep_rows]
    cons = [LinearConstraint(a_mat, -np.inf, 0.0)]
    cons += _budget_rows(n_vars, g0, costs, k, budget)
    k_eff = len(cands) if k is None else min(k, len(cands))
    eps = 0.5 / (k_eff + 1)
    c = np.zeros(n_vars)
    c[n_alpha:g0] = [float(arcs[i][2]) for i in finite]
    # A tiny price per removal picks, among equally damaging sets, one without idle
    # elements; the objective is integral, so it never changes the optimum. With a
    # preference, each price is eps/2 to eps: equally damaging sets of one size go to
    # the smallest sum of preferences (as far as the solver's tolerances tell them apart).
    c[g0:] = eps if prefer is None else eps * (0.5 + 0.5 * np.clip(prefer, 0.0, 1.0))
    lb, ub = np.zeros(n_vars), np.ones(n_vars)
    lb[s] = ub[s] = 1.0
    ub[t] = 0.0
    integrality = np.zeros(n_vars, dtype=np.int64)
    integrality[g0:] = 1
    res = _run_milp(c, integrality, Bounds(lb, ub), cons, time_limit_s)
    status = "optimal" if res.status == 0 else "time_limit"
    if res.x is None:
        return (), status, 0.0
    chosen = tuple(e for i, e in enumerate(cands) if res.x[g0 + i] > 0.5)  # noqa: PLR2004
    dual = float(getattr(res, "mip_dual_bound", np.nan))
    lower = math.ceil(dual - eps * k_eff - 1e-6) if math.isfinite(dual) else 0.0
    return chosen, status, float(max(lower, 0))


def _milp_pairs(
    net: InterdictionNet,
    cands: list[Element],
    costs: FloatArray,
    k: int | None,
    budget: float | None,
    time_limit_s: float,
) -> tuple[tuple[Element, ...], str, float]:
    """Disconnected-pairs formulation; returns set, status and an upper bound on pairs cut."""
    index = {e: i for i, e in enumerate(cands)}
    arcs, _ = _split_arcs(net, index)
    n = net.arrays.n
    n_o, n_d = len(net.origins), len(net.destinations)
    n_pi = 2 * n
    z0 = n_o * n_pi
    g0 = z0 + n_o * n_d
    n_vars = g0 + len(cands)
    rows, cols, vals = _closure_rows(arcs, n_o, n_pi, g0)
    r = n_closure = len(arcs) * n_o
    for j, i in itertools.product(range(n_o), range(n_d)):
        rows += [r, r]
        cols += [z0 + j * n_d + i, j * n_pi + n + net.destinations[i]]
        vals += [1.0, 1.0]
        r += 1
    hard = _uncuttable(net, cands, costs, k, budget)
    n_plain = r
    # Path cuts: a pair is cut off only if every path loses an element, so z_od is at most
    # the removals on any one path. Valid, and they tighten the weak relaxation.
    for j, i, path in _disjoint_paths(net, arcs, hard, k):
        rows += [r] * (len(path) + 1)
        cols += [z0 + j * n_d + i, *(g0 + var for var in path)]
        vals += [1.0] + [-1.0] * len(path)
        r += 1
    a_mat = sparse.csr_array((vals, (rows, cols)), shape=(r, n_vars))
    lb, ub = np.zeros(n_vars), np.ones(n_vars)
    # A pair that no affordable set can cut off is fixed as connected: this removes most
    # of the weak linear relaxation and leaves the solver the pairs that matter.
    ub[z0:g0] = np.where(hard.ravel(), 0.0, 1.0)
    ub[g0:] = np.where(_redundant(net, cands, costs), 0.0, 1.0)
    lo = np.full(r, -np.inf)
    hi = np.concatenate([np.zeros(n_closure), np.ones(n_plain - n_closure), np.zeros(r - n_plain)])
    cons = [LinearConstraint(a_mat, lo, hi)]
    cons += _budget_rows(n_vars, g0, costs, k, budget)
    k_eff = len(cands) if k is None else min(k, len(cands))
    eps = 0.5 / (k_eff + 1)
    c = np.zeros(n_vars)
    c[z0:g0] = -1.0
    c[g0:] = eps
    lb[np.arange(n_o) * n_pi + np.array(net.origins, dtype=np.int64)] = 1.0
    integrality = np.zeros(n_vars, dtype=np.int64)
    integrality[g0:] = 1
    res = _run_milp(c, integrality, Bounds(lb, ub), cons, time_limit_s)
    status = "optimal" if res.status == 0 else "time_limit"
    if res.x is None:
        return (), status, float(n_o * n_d)
    chosen = tuple(e for i, e in enumerate(cands) if res.x[g0 + i] > 0.5)  # noqa: PLR2004
    dual = float(getattr(res, "mip_dual_bound", np.nan))
    upper = math.floor(-dual + eps * k_eff + 1e-6) if math.isfinite(dual) else n_o * n_d
    return chosen, status, float(min(upper, n_o * n_d))


def _live_after_peeling(
    net: InterdictionNet, ends: Mapping[int, list[int]]
) -> npt.NDArray[np.bool_]:
    """Links left once dead ends are peeled off, repeatedly.

    A dead end is a place other than an origin or destination with a single link left.
    """
    od = set(net.origins) | set(net.destinations)
    alive = np.ones(len(net.links), dtype=bool)
    stack = [x for x, ls in ends.items() if len(ls) == 1 and x not in od]
    while stack:
        x = stack.pop()
        live = [i for i in ends[x] if alive[i]]
        if len(live) != 1:
            continue
        alive[live[0]] = False
        e = net.links[live[0]]
        stack += [
            y
            for y in (net.arrays.index[e.u], net.arrays.index[e.v])
            if y != x and y not in od and int(alive[ends[y]].sum()) == 1
        ]
    return alive


def _redundant(
    net: InterdictionNet, cands: list[Element], costs: FloatArray
) -> npt.NDArray[np.bool_]:
    """Candidate links that some optimal set never needs (connectivity objectives).

    A link in a tree hanging off the network with no origin or destination in it lies on
    no origin–destination path: its loss cuts no pair. Links in series (joined through
    places with exactly two links that are neither origin nor destination) cut the same
    pairs whichever of them is lost, so one per chain is kept: the cheapest, then the
    first listed. Fixing the others at 0 loses no optimum and removes the symmetric
    copies the branch-and-bound would otherwise explore one by one.
    """
    od = set(net.origins) | set(net.destinations)
    ends: dict[int, list[int]] = {}
    for i, e in enumerate(net.links):
        for x in {net.arrays.index[e.u], net.arrays.index[e.v]}:
            ends.setdefault(x, []).append(i)
    alive = _live_after_peeling(net, ends)
    chain = list(range(len(net.links)))  # union-find over links in series

    def find(i: int) -> int:
        while chain[i] != i:
            chain[i] = chain[chain[i]]
            i = chain[i]
        return i

    for x, ls in ends.items():
        live = [i for i in ls if alive[i]]
        if x not in od and len(live) == 2:  # noqa: PLR2004 - a place in series
            a, b = find(live[0]), find(live[1])
            chain[max(a, b)] = min(a, b)
    link_pos = {e: i for i, e in enumerate(net.links)}
    keep: dict[int, tuple[float, int]] = {}
    for c, e in enumerate(cands):
        pos = link_pos.get(e)
        if pos is not None and alive[pos]:
            root = find(pos)
            keep[root] = min(keep.get(root, (math.inf, -1)), (float(costs[c]), c))
    kept = {c for _, c in keep.values()}
    return np.array([e.kind == "link" and c not in kept for c, e in enumerate(cands)], dtype=bool)


def _closure_rows(
    arcs: list[tuple[int, int, int, int]], n_o: int, n_pi: int, g0: int
) -> tuple[list[int], list[int], list[float]]:
    """``π_tail − π_head − γ_e ≤ 0`` for every arc, once per origin (COO triplets)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    r = 0
    for j in range(n_o):
        base = j * n_pi
        for tail, head, _, var in arcs:
            rows += [r, r]
            cols += [base + tail, base + head]
            vals += [1.0, -1.0]
            if var >= 0:
                rows.append(r)
                cols.append(g0 + var)
                vals.append(-1.0)
            r += 1
    return rows, cols, vals


def _disjoint_paths(
    net: InterdictionNet,
    arcs: list[tuple[int, int, int, int]],
    hard: npt.NDArray[np.bool_],
    k: int | None,
) -> list[tuple[int, int, list[int]]]:
    """Up to ``k + 1`` element-disjoint paths per pair that can be cut: ``(o, d, vars)``.

    Each path is a breadth-first path in the split graph avoiding the removable elements
    of the paths found before; ``vars`` are the removable elements on it.
    """
    n = net.arrays.n
    limit = (k if k is not None else 2) + 1
    tails = np.array([a[0] for a in arcs], dtype=np.int64)
    heads = np.array([a[1] for a in arcs], dtype=np.int64)
    var = np.array([a[3] for a in arcs], dtype=np.int64)
    out: list[tuple[int, int, list[int]]] = []
    for j, o in enumerate(net.origins):
        for i, d in enumerate(net.destinations):
            if hard[j, i]:
                continue
            used = np.zeros(int(var.max(initial=-1)) + 1, dtype=bool)
            for _ in range(limit):
                live = (var < 0) | ~used[np.maximum(var, 0)]
                graph = sparse.csr_array(
                    (np.ones(int(live.sum())), (tails[live], heads[live])), shape=(2 * n, 2 * n)
                )
                _, pred = csgraph.breadth_first_order(graph, o, directed=True)
                if pred[n + d] < 0:
                    break
                path: list[int] = []
                x = n + d
                while x != o:
                    p = int(pred[x])
                    on = np.flatnonzero(live & (tails == p) & (heads == x))
                    # An arc nobody can remove keeps the pair alive: prefer it.
                    free = on[var[on] < 0]
                    a = int(free[0]) if len(free) else int(on[0])
                    if var[a] >= 0:
                        path.append(int(var[a]))
                    x = p
                if not path:
                    break
                used[path] = True
                out.append((j, i, sorted(set(path))))
    return out


def _uncuttable(
    net: InterdictionNet,
    cands: list[Element],
    costs: FloatArray,
    k: int | None,
    budget: float | None,
) -> npt.NDArray[np.bool_]:
    """``[i, j]``: no set within the limits separates destination ``j`` from origin ``i``.

    The cheapest separating set is a minimum cut of the split graph where a candidate
    costs 1 (with ``k``) or its cost in thousandths, rounded down (with a budget), and
    everything else cannot be cut. Rounding down keeps the test safe: only a pair whose
    cut provably exceeds the limit is fixed.
    """
    n = net.arrays.n
    index = {e: i for i, e in enumerate(cands)}
    arcs, _ = _split_arcs(net, index)
    out = np.zeros((len(net.origins), len(net.destinations)), dtype=bool)
    for weights, limit in (
        (np.ones(len(cands)), k),
        (np.floor(costs * 1000.0), None if budget is None else budget * 1000.0),
    ):
        if limit is None:
            continue
        big = int(weights.sum()) + 1
        tails = np.array([a[0] for a in arcs], dtype=np.int64)
        heads = np.array([a[1] for a in arcs], dtype=np.int64)
        caps = np.array([int(weights[a[3]]) if a[3] >= 0 else big for a in arcs], dtype=np.int64)
        if big >= 2**31 - 1:
            continue
        graph = sparse.csr_array((caps.astype(np.int32), (tails, heads)), shape=(2 * n, 2 * n))
        graph.sum_duplicates()
        for i, o in enumerate(net.origins):
            for j, d in enumerate(net.destinations):
                value = csgraph.maximum_flow(graph, o, n + d, method="dinic").flow_value
                out[i, j] |= value > limit
    return out


# --------------------------------------------------------------------------- time search


def _path_elements(
    net: InterdictionNet,
    pred: IntArray,
    times: FloatArray,
    live: npt.NDArray[np.bool_],
    allowed: Mapping[Element, int],
) -> list[int]:
    """Candidate indices on the current shortest OD paths that are not yet at the cap."""
    link_of = {a: e for e in net.links if e in allowed for a in e.arcs}
    out: set[int] = set()
    for i, o in enumerate(net.origins):
        for j, d in enumerate(net.destinations):
            if not times[i, j] < net.cutoff_s:
                continue
            x = d
            while x != o and x >= 0:
                node = net.nodes[x]
                if node in allowed:
                    out.add(allowed[node])
                p = int(pred[i, x])
                arc = next(a for a in net._arc_order[(p, x)] if live[a])  # noqa: SLF001
                if arc in link_of:
                    out.add(allowed[link_of[arc]])
                x = p
            if net.nodes[o] in allowed:
                out.add(allowed[net.nodes[o]])
    return sorted(out)


def _time_search(
    net: InterdictionNet,
    cands: list[Element],
    costs: FloatArray,
    k_max: int,
    budget: float | None,
    deadline: float,
) -> tuple[dict[int, tuple[float, tuple[int, ...]]], bool]:
    """Best damage (minutes) and set per size ``1..k_max``; ``True`` when finished in time.

    A greedy chain (each step the path element that adds most damage) is walked first, so
    a search stopped by its deadline still answers with a sensible set; then every set
    the path-branching reaches is evaluated once, depth first.
    """
    allowed = {e: i for i, e in enumerate(cands)}
    # One link per series chain: a shortest path through one of its links runs through
    # all of them, and each cuts the same routes, so the others add only copies.
    skip = _redundant(net, cands, costs)
    base_times, _, _, _ = _times(net, ())
    base = float(base_times.sum())
    best: dict[int, tuple[float, tuple[int, ...]]] = {}

    def visit(chosen: tuple[int, ...]) -> tuple[float, list[int]]:
        times, pred, live, _ = _times(net, [cands[i] for i in chosen])
        dmg = (float(times.sum()) - base) / 60.0
        size = len(chosen)
        mine = (dmg, tuple(-i for i in chosen))
        if size and (size not in best or mine > (best[size][0], tuple(-i for i in best[size][1]))):
            best[size] = (dmg, chosen)
        if size >= k_max:
            return dmg, []
        spent = float(costs[list(chosen)].sum()) if chosen else 0.0
        children = [
            i
            for i in _path_elements(net, pred, times, live, allowed)
            if i not in chosen
            and not skip[i]
            and (budget is None or spent + costs[i] <= budget + 1e-9)
        ]
        return dmg, children

    chain: tuple[int, ...] = ()
    _, children = visit(chain)
    while children:
        if time.perf_counter() > deadline:
            return best, False
        scored = [(visit(tuple(sorted((*chain, i))))[0], -i) for i in children]
        chain = tuple(sorted((*chain, -max(scored)[1])))
        _, children = visit(chain)
    seen: set[tuple[int, ...]] = set()
    stack: list[tuple[int, ...]] = [()]
    while stack:
        if time.perf_counter() > deadline:
            return best, False
        chosen = stack.pop()
        _, children = visit(chosen)
        for i in reversed(children):
            nxt = tuple(sorted((*chosen, i)))
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return best, True


def _time_bound(net: InterdictionNet, k: int, cands: Sequence[Element]) -> float:
    """Upper bound on the ``time`` damage of any ``k`` removals (minutes), from disjoint paths.

    Per pair, a minimum-cost flow of ``k + 1`` units over unit-capacity arcs (and places,
    split into in and out, when places are removable) is a linear program (HiGHS); its
    paths are disjoint, so one survives any ``k`` removals, and the longest of them is at
    most the flow's cost less ``k`` times the intact shortest time. No such flow: the pair
    can be cut off.
    """
    base_times, _, _, _ = _times(net, ())
    n = net.arrays.n
    removable = {e.node for e in cands if e.kind == "node"}
    split = bool(removable)
    real = net.arrays.u != net.arrays.v
    u, v = net.arrays.u[real], net.arrays.v[real]
    tails = np.concatenate([np.arange(n), n + u]) if split else u
    heads = np.concatenate([np.arange(n), v]) if split else v
    weight = (
        np.concatenate([np.zeros(n), net.arrays.weight[real]]) if split else net.arrays.weight[real]
    )
    size = 2 * n if split else n
    m = len(tails)
    incidence = sparse.csr_array(
        (
            np.concatenate([np.ones(m), -np.ones(m)]),
            (np.concatenate([tails, heads]), np.concatenate([np.arange(m), np.arange(m)])),
        ),
        shape=(size, m),
    )
    total = 0.0
    for i, o in enumerate(net.origins):
        for j, d in enumerate(net.destinations):
            before = float(base_times[i, j])
            if before >= net.cutoff_s:
                continue
            if o in removable or d in removable:
                # The attacker may take the origin or destination itself: a cut-off.
                total += net.cutoff_s - before
                continue
            src, dst = (n + o, d) if split else (o, d)
            supply_vec = np.zeros(size)
            supply_vec[src], supply_vec[dst] = k + 1, -(k + 1)
            # HiGHS takes a sparse constraint matrix; the stubs only know dense arrays.
            res = linprog(  # type: ignore[call-overload]
                weight,
                A_eq=incidence,
                b_eq=supply_vec,
                bounds=(0.0, 1.0),
                method="highs",
            )
            if res.status != 0:
                total += net.cutoff_s - before
                continue
            # A hair above the solver's cost keeps the bound safe from rounding.
            longest = float(res.fun) * (1 + 1e-9) + 1e-6 - k * before
            total += min(net.cutoff_s, max(longest, before)) - before
    return total / 60.0


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class InterdictionResult:
    """The worst set of losses and the damage curve.

    Attributes
    ----------
    objective
        ``flow``, ``time`` or ``pairs``.
    unit
        Unit of every supply and damage figure (``t_per_day``, ``paths``, ``pairs``,
        ``min``); the frames carry it in their column names.
    capacity_source
        ``capacity_t_per_day`` or ``unit`` (flow objective).
    before, after
        Supply intact and after the worst set of the largest ``k`` (``time``: total
        capped OD minutes, so ``after`` is larger).
    damage, bound, gap_pct, status
        The damage of the worst set found, a proven upper bound on the optimum, their gap
        in percent of the bound, and ``optimal`` or ``time_limit``.
    worst
        The worst set, one row per element: ``element``, ``label``, ``ref``, ``mode``,
        ``u``, ``v``, ``key``, ``u_label``, ``v_label``, ``x``, ``y`` (midpoint or node),
        ``u_x``, ``u_y``, ``v_x``, ``v_y``, ``cost``, ``single_damage_<unit>``.
    curve
        One row per ``k = 1..K``: the optimum, its bound, gap and status, seconds, the set,
        and the damage of the top ``k`` of the single-removal ranking on the same
        objective taken together, so the difference shows.
    single
        The single-removal ranking (every candidate alone), best first.
    seconds
        Total solve time.
    """

    objective: str
    unit: str
    capacity_source: str
    before: float
    after: float
    damage: float
    bound: float
    gap_pct: float
    status: str
    worst: pd.DataFrame
    curve: pd.DataFrame
    single: pd.DataFrame
    seconds: float


def unit_of(net: InterdictionNet, objective: Objective) -> str:
    """The unit of an objective's figures: ``t_per_day``, ``paths``, ``pairs`` or ``min``.

    Parameters
    ----------
    net
        The converted network (its capacities decide between tonnes and paths).
    objective
        ``flow``, ``time`` or ``pairs``.

    Returns
    -------
    str
        The unit, as used in column names.
    """
    if objective == "flow":
        return "t_per_day" if net.capacity_source == CAPACITY_ATTR else "paths"
    return "pairs" if objective == "pairs" else "min"


def element_frame(
    net: InterdictionNet, chosen: Sequence[Element], cost: Mapping[Element, float]
) -> pd.DataFrame:
    """Elements as a named table: one row each, columns :data:`ELEMENT_COLUMNS`.

    Parameters
    ----------
    net
        The converted network.
    chosen
        The elements, in the order wanted.
    cost
        Cost per element (1 when absent).

    Returns
    -------
    pandas.DataFrame
        Kind, label, ref, mode, end node ids ``u``/``v``/``key``, place labels of the
        ends, coordinates (midpoint and ends) and cost.
    """
    return pd.DataFrame(_element_rows(net, chosen, cost), columns=ELEMENT_COLUMNS)


def _element_rows(
    net: InterdictionNet, chosen: Sequence[Element], cost: Mapping[Element, float]
) -> list[dict[str, Any]]:
    G = net.graph
    rows = []
    for e in chosen:
        if e.kind == "node":
            data = G.nodes[e.u]
            x, y = float(data["x"]), float(data["y"])
            rows.append(
                {
                    "element": "node",
                    "label": node_label(G, e.u),
                    "ref": "",
                    "mode": str(data.get("kind", "")),
                    "u": e.u,
                    "v": None,
                    "key": None,
                    "u_label": place_label(G, e.u),
                    "v_label": "",
                    "x": x,
                    "y": y,
                    "u_x": x,
                    "u_y": y,
                    "v_x": math.nan,
                    "v_y": math.nan,
                    "cost": cost.get(e, 1.0),
                }
            )
            continue
        data = G.edges[e.u, e.v, e.key]
        ref = data.get("ref") or ""
        ref = ";".join(map(str, ref)) if isinstance(ref, list) else str(ref)
        a, b = G.nodes[e.u], G.nodes[e.v]
        rows.append(
            {
                "element": "link",
                "label": edge_label(G, e.u, e.v, e.key),
                "ref": ref,
                "mode": str(data.get("mode", "")),
                "u": e.u,
                "v": e.v,
                "key": e.key,
                "u_label": place_label(G, e.u),
                "v_label": place_label(G, e.v),
                "x": (float(a["x"]) + float(b["x"])) / 2,
                "y": (float(a["y"]) + float(b["y"])) / 2,
                "u_x": float(a["x"]),
                "u_y": float(a["y"]),
                "v_x": float(b["x"]),
                "v_y": float(b["y"]),
                "cost": cost.get(e, 1.0),
            }
        )
    return rows


def single_ranking(
    net: InterdictionNet, objective: Objective, cands: Sequence[Element]
) -> list[tuple[float, Element]]:
    """Every candidate removed alone, ranked by damage (ties in candidate order).

    Parameters
    ----------
    net
        The converted network.
    objective
        As for :func:`interdict`.
    cands
        Elements to try.

    Returns
    -------
    list
        ``(damage, element)``, most damaging first.
    """
    base = supply(net, objective, ())
    scored = [(base - supply(net, objective, [e]), i, e) for i, e in enumerate(cands)]
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [(d, e) for d, _, e in scored]


def check_limits(k: int | None, budget: float | None, time_limit_s: float) -> None:
    """Refuse a missing or bad attack size, budget or time limit.

    Parameters
    ----------
    k, budget, time_limit_s
        As for :func:`interdict`.

    Raises
    ------
    BadInputError
        If neither ``k`` nor ``budget`` is given, or one is out of range.
    """
    if k is None and budget is None:
        msg = "give k (the number of losses) or a budget"
        raise BadInputError(msg)
    if k is not None and k < 1:
        msg = f"k must be at least 1, not {k}"
        raise BadInputError(msg)
    if budget is not None and (not math.isfinite(budget) or budget < 0):
        msg = f"the budget must be a non-negative number, not {budget}"
        raise BadInputError(msg)
    if not time_limit_s > 0:
        msg = f"the time limit must be positive, not {time_limit_s}"
        raise BadInputError(msg)


def solve(
    net: InterdictionNet,
    objective: Objective,
    cands: list[Element],
    costs: FloatArray,
    k: int | None,
    budget: float | None,
    time_limit_s: float,
    *,
    prefer: FloatArray | None = None,
) -> tuple[tuple[Element, ...], float, float, str]:
    """One exact attack: ``(set, damage, upper bound, status)``.

    Parameters
    ----------
    net, objective, cands, costs, k, budget, time_limit_s
        As for :func:`interdict`; ``cands`` the removable elements, ``costs`` theirs.
    prefer
        ``flow`` only: a tie-break per candidate in ``[0, 1]`` (lower preferred). Among
        sets doing the same damage with the same number of elements, the solver is steered
        to the smallest sum; it never changes the damage. ``None``: no preference.

    Returns
    -------
    tuple
        The set, its damage, a proven upper bound on the optimum and the status.
    """
    start = time.perf_counter()
    if not cands:
        return (), 0.0, 0.0, "optimal"
    if objective == "flow":
        chosen, status, lower_after = _milp_flow(net, cands, costs, k, budget, time_limit_s, prefer)
        dmg = damage(net, "flow", chosen)
        bound = supply(net, "flow", ()) - lower_after
    elif objective == "pairs":
        chosen, status, upper_cut = _milp_pairs(net, cands, costs, k, budget, time_limit_s)
        dmg = damage(net, "pairs", chosen)
        before_cut = float((~_reach(net, ())).sum())
        bound = upper_cut - before_cut
    else:
        k_max = len(cands) if k is None else min(k, len(cands))
        best, done = _time_search(net, cands, costs, k_max, budget, start + time_limit_s)
        top = max(best.values(), key=lambda t: (t[0], -len(t[1])), default=(0.0, ()))
        chosen = tuple(cands[i] for i in top[1])
        dmg = top[0]
        status = "optimal" if done else "time_limit"
        bound = dmg if done else max(dmg, _time_bound(net, k_max, cands))
    if status == "optimal":
        bound = dmg
    return chosen, dmg, max(bound, dmg), status


def interdict(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    k: int | None,
    objective: Objective = "flow",
    elements: ElementSet = "links",
    costs: Mapping[Any, float] | None = None,
    budget: float | None = None,
    protected: Iterable[Any] = (),
    endpoints: bool = False,
    cutoff_min: float | None = None,
    demand: Mapping[Any, float] | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> InterdictionResult:
    """The set of at most ``k`` elements whose joint removal does the most damage.

    Parameters
    ----------
    G
        The network (not changed).
    origins, destinations
        Node ids.
    k
        Most elements removed (``None``: only the budget limits).
    objective
        ``flow``, ``time`` or ``pairs`` (see the module docstring).
    elements
        ``links``, ``nodes`` or ``both``.
    costs
        Cost per element (``(u, v[, key])`` for a link, a node id for a place; 1 when not
        given), limited by ``budget``.
    budget
        Most total cost removed.
    protected
        Elements the attacker cannot remove.
    endpoints
        Let the attacker remove origins and destinations too.
    cutoff_min
        Travel-time cap of the ``time`` objective (see :func:`build_net`).
    demand
        ``flow``: t/day each destination takes at most (see :func:`build_net`).
    time_limit_s
        Time limit per solve; when hit the best set is reported with its bound and gap.

    Returns
    -------
    InterdictionResult
        The worst set, the curve for ``k = 1..K`` and the single-removal ranking.

    Raises
    ------
    BadInputError
        On an empty or overlapping OD set, an unknown element, bad limits or options.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for a, b in [("s", "a"), ("a", "t"), ("s", "b"), ("b", "t")]:
    ...     for x, y in [(a, b), (b, a)]:
    ...         _ = G.add_edge(x, y, travel_time=60.0)
    >>> for n in G:
    ...     G.nodes[n].update(x=0.0, y=0.0)
    >>> result = interdict(G, ["s"], ["t"], k=2)
    >>> result.damage, result.status
    (2.0, 'optimal')
    """
    if objective not in _OBJECTIVES:
        msg = f"objective must be flow, time or pairs, not {objective!r}"
        raise BadInputError(msg)
    check_limits(k, budget, time_limit_s)
    net = build_net(G, origins, destinations, cutoff_min=cutoff_min, demand=demand)
    cands = candidates(net, elements, protected, endpoints=endpoints)
    cost_vec = cost_vector(net, cands, costs)
    cost_of = dict(zip(cands, cost_vec.tolist(), strict=True))
    unit = unit_of(net, objective)
    single = single_ranking(net, objective, cands)
    single_of = {e: d for d, e in single}
    k_top = k if k is not None else _affordable(cost_vec, budget)
    k_top = max(1, min(k_top, len(cands)))
    curve_rows = []
    total = 0.0
    result: tuple[tuple[Element, ...], float, float, str] = ((), 0.0, 0.0, "optimal")
    # Removing more never raises supply, so no set does more damage than all candidates
    # together; once a set reaches that, it is optimal for every larger k too and the
    # remaining solves (minutes each for a huge k on the time objective) are skipped.
    ceiling = damage(net, objective, cands)
    for kk in range(1, k_top + 1):
        t0 = time.perf_counter()
        if kk == 1 or result[1] < ceiling - 1e-6:
            result = solve(net, objective, cands, cost_vec, kk, budget, time_limit_s)
        if result[1] >= ceiling - 1e-6:
            result = (result[0], result[1], result[1], "optimal")
        secs = time.perf_counter() - t0
        total += secs
        chosen, dmg, bound, status = result
        top = [e for _, e in single[:kk]]
        if budget is not None:
            spent, picked = 0.0, []
            for e in top:
                if spent + cost_of[e] <= budget + 1e-9:
                    picked.append(e)
                    spent += cost_of[e]
            top = picked
        curve_rows.append(
            {
                "k": kk,
                f"damage_{unit}": dmg,
                f"bound_{unit}": bound,
                "gap_pct": _gap(dmg, bound),
                "status": status,
                "seconds": round(secs, 3),
                "elements": " + ".join(short_label(net, e) for e in chosen),
                f"single_top_k_damage_{unit}": damage(net, objective, top),
                "single_top_k": " + ".join(short_label(net, e) for e in top),
            }
        )
    chosen, dmg, bound, status = result
    rows = _element_rows(net, chosen, cost_of)
    for row, e in zip(rows, chosen, strict=True):
        row[f"single_damage_{unit}"] = single_of.get(e, 0.0)
    worst = pd.DataFrame(rows, columns=[*ELEMENT_COLUMNS, f"single_damage_{unit}"])
    single_rows = _element_rows(net, [e for _, e in single], cost_of)
    for row, (d, _) in zip(single_rows, single, strict=True):
        row[f"damage_{unit}"] = d
    single_frame = pd.DataFrame(single_rows, columns=[*ELEMENT_COLUMNS, f"damage_{unit}"])
    single_frame.insert(0, "rank", range(1, len(single_frame) + 1))
    before = _supply_report(net, objective, ())
    after = _supply_report(net, objective, chosen)
    return InterdictionResult(
        objective=objective,
        unit=unit,
        capacity_source=net.capacity_source,
        before=before,
        after=after,
        damage=dmg,
        bound=bound,
        gap_pct=_gap(dmg, bound),
        status=status,
        worst=worst,
        curve=pd.DataFrame(curve_rows),
        single=single_frame,
        seconds=round(total, 3),
    )


#: Columns of every element table (see :func:`element_frame`).
ELEMENT_COLUMNS = [
    "element",
    "label",
    "ref",
    "mode",
    "u",
    "v",
    "key",
    "u_label",
    "v_label",
    "x",
    "y",
    "u_x",
    "u_y",
    "v_x",
    "v_y",
    "cost",
]


def _supply_report(net: InterdictionNet, objective: Objective, removed: Iterable[Element]) -> float:
    value = supply(net, objective, removed)
    if objective == "pairs":
        return value
    return -value if objective == "time" else value


def _affordable(costs: FloatArray, budget: float | None) -> int:
    """Most elements any set within the budget can hold (the cheapest ones)."""
    if budget is None:
        return len(costs)
    spent = np.cumsum(np.sort(costs))
    return int((spent <= budget + 1e-9).sum())


def _gap(value: float, bound: float) -> float:
    if bound <= 0 or bound <= value:
        return 0.0
    return round(100.0 * (bound - value) / bound, 3)
