"""Supply as a quantity: tonnes per day the network carries from the depots to the front.

Every edge carries ``capacity_t_per_day`` (:mod:`resilience.capacity`) in its own
direction: the two directions of a two-way link are separate arcs, each with the link's
capacity, and parallel links add their capacities.

- **Maximum flow** from the origin set to the destination set: a super source joined to
  every origin and every destination joined to a super sink by unbounded arcs, so only
  the network's own capacity binds. Solved on ``scipy.sparse.csgraph.maximum_flow``
  (Dinic, compiled) over integer t/day.
- **Capacity minimum cut**: the links and transfers leaving the set of nodes the depots
  still reach in the residual network of a maximum flow; their capacities add up to the
  maximum flow (duality). **Saturated links** carry their full capacity.
- **Min-cost flow at the maximum**: among the maximum flows, the one with the least
  tonne-weighted travel time, so the answer is also "how far" (mean travel time per
  tonne) and the link flows follow the fastest routes.
- **Maximum concurrent flow** λ: the largest share of *every* destination's demand that
  can be met at the same time, so no town is starved to feed another; then, with each
  town held at that share (at most 100 %), the most tonnes delivered towards each
  town's demand, capped at it.

The linear programmes use ``scipy.optimize.linprog`` with HiGHS: HiGHS (MIT) ships
inside scipy (BSD), which the project already depends on, and solves the LP to
optimality (dual simplex; interior point with crossover on big LPs), so no new
dependency; network-flow LPs with integer capacities have integral optimal vertices,
which HiGHS returns.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from resilience.capacity import CAPACITY
from resilience.errors import BadGraphError, BadInputError
from resilience.network import node_label
from resilience.supply import demand_t_per_day, supply_t_per_day
from resilience.targets import Removal, place_label

if TYPE_CHECKING:
    # numpy, scipy and pandas load where the compiled engine or a frame is used; the
    # networkx engine (small graphs, e.g. the embedded region) needs none of them.
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    from scipy import sparse

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]

__all__ = [
    "NETWORKX_MAX_NODES",
    "ConcurrentFlow",
    "Engine",
    "FlowResult",
    "MaxFlow",
    "analyse_flow",
    "concurrent_flow",
    "flow_summary",
    "max_flow",
    "use_networkx",
]

EdgeKey = tuple[Any, Any, Any]

_INT32_MAX = 2**31 - 1  # numpy.iinfo(numpy.int32).max
# Flows from HiGHS are integral up to round-off; half a tonne separates "full" from not.
_TOL = 0.5
# Variables from which the LPs use HiGHS's interior point instead of its dual simplex.
_IPM_FROM = 20_000


@dataclass(frozen=True)
class _Arcs:
    """The arcs that can carry flow once a removal is applied (capacity > 0, no loops)."""

    nodes: list[Any]
    index: dict[Any, int]
    u: IntArray
    v: IntArray
    keys: list[EdgeKey]
    cap: IntArray
    time_s: FloatArray

    @property
    def n(self) -> int:
        return len(self.nodes)


def _capacity_of(data: Mapping[str, Any], u: Any, v: Any) -> int:
    value = data.get(CAPACITY)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if value is None:
        msg = (
            f"edge {u}->{v} has no {CAPACITY}; assign capacities first "
            "(resilience.capacity.assign_capacities)"
        )
        raise BadGraphError(msg)
    if not math.isfinite(number) or number < 0:
        msg = f"edge {u}->{v}: {CAPACITY} must be a number >= 0, not {value!r}"
        raise BadGraphError(msg)
    return round(number)


def _live(
    G: nx.MultiDiGraph[Any], removal: Removal | None
) -> tuple[list[Any], Iterator[tuple[Any, Any, Any, Mapping[str, Any], int]]]:
    """The nodes left after ``removal``, and each edge left that can carry flow.

    Edges come as ``(u, v, key, data, capacity)``: loops, removed edges, edges at removed
    nodes and edges of capacity 0 are left out. Both engines build on this.
    """
    gone = removal.nodes if removal is not None else frozenset()
    cut = removal.edges if removal is not None else frozenset()

    def edges() -> Iterator[tuple[Any, Any, Any, Mapping[str, Any], int]]:
        for u, v, k, data in G.edges(keys=True, data=True):
            if u in gone or v in gone or (u, v, k) in cut or u == v:
                continue
            c = _capacity_of(data, u, v)
            if c > 0:
                yield u, v, k, data, c

    return [n for n in G.nodes if n not in gone], edges()


def _arcs(G: nx.MultiDiGraph[Any], removal: Removal | None, weight: str) -> _Arcs:
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path

    nodes, live = _live(G, removal)
    index = {n: i for i, n in enumerate(nodes)}
    us: list[int] = []
    vs: list[int] = []
    keys: list[EdgeKey] = []
    caps: list[int] = []
    times: list[float] = []
    for u, v, k, data, c in live:
        t = data.get(weight, 0.0)
        t = float(t) if isinstance(t, int | float) and math.isfinite(t) else 0.0
        us.append(index[u])
        vs.append(index[v])
        keys.append((u, v, k))
        caps.append(c)
        times.append(max(t, 0.0))
    return _Arcs(
        nodes,
        index,
        np.asarray(us, dtype=np.int64),
        np.asarray(vs, dtype=np.int64),
        keys,
        np.asarray(caps, dtype=np.int64),
        np.asarray(times, dtype=np.float64),
    )


def _check_od(origins: Sequence[Any], destinations: Sequence[Any]) -> None:
    both = [str(n) for n in origins if n in set(destinations)]
    if both:
        msg = f"a place cannot be both an origin and a destination: {', '.join(both)}"
        raise BadInputError(msg)


def _present(arcs: _Arcs, nodes: Sequence[Any]) -> list[int]:
    return list(dict.fromkeys(arcs.index[n] for n in nodes if n in arcs.index))


# --- engines -------------------------------------------------------------------------------

Engine = Literal["auto", "fast", "networkx"]

#: Largest network (nodes) ``engine="auto"`` analyses with networkx in pure Python (here
#: and in :mod:`resilience.analysis.impact`); above it the compiled engine (scipy:
#: :mod:`resilience.backend`, Dinic, HiGHS). The rule is for a command's start: importing
#: scipy.sparse.csgraph and scipy.optimize took 1.37 s (best of 3, 2-core machine under
#: load), while ``cut_rows`` + :func:`flow_summary` on road-like synthetic graphs took,
#: networkx vs scipy after its import: 0.28 vs 0.23 s at 64 nodes, 0.31 vs 0.23 s at 100,
#: 0.51 vs 0.23 s at 200, 0.90 vs 0.25 s at 300, 1.99 vs 0.58 s at 500 (break-even with
#: the import near 500). 300 keeps a margin for a process that has scipy loaded already;
#: the size alone decides, so the same graph always takes the same engine.
NETWORKX_MAX_NODES = 300


def use_networkx(
    G: nx.MultiDiGraph[Any], engine: Engine, *, max_nodes: int = NETWORKX_MAX_NODES
) -> bool:
    """Whether ``engine`` means the pure-Python networkx path for ``G``.

    Parameters
    ----------
    G
        The network.
    engine
        ``networkx``, ``fast`` (scipy) or ``auto``: networkx up to ``max_nodes`` nodes,
        where it answers before scipy would even be imported.
    max_nodes
        Where ``auto`` changes engine (default :data:`NETWORKX_MAX_NODES`; an analysis
        whose compiled engine costs more to load passes its own measured size).

    Returns
    -------
    bool
        True for networkx.

    Raises
    ------
    BadInputError
        If ``engine`` is none of the three.
    """
    if engine not in ("auto", "fast", "networkx"):
        msg = f"engine must be auto, fast or networkx, not {engine!r}"
        raise BadInputError(msg)
    if engine == "auto":
        return G.number_of_nodes() <= max_nodes
    return engine == "networkx"


class _End:
    """The super source or sink of a networkx flow network (never equal to a node id)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_SRC, _SNK = _End("super-source"), _End("super-sink")


def _nx_network(
    G: nx.MultiDiGraph[Any],
    removal: Removal | None,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    supply: Mapping[Any, float | None] | None = None,
) -> tuple[nx.DiGraph[Any], list[Any], list[Any]]:
    """The arcs of :func:`_arcs` as a networkx flow network with a super source and sink.

    Parallel arcs merge (their capacities add); the super arcs carry no ``capacity``
    (networkx: unbounded) except an origin's finite ``supply``. Returns the network and
    the origins and destinations still in it.
    """
    nodes, live = _live(G, removal)
    D: nx.DiGraph[Any] = nx.DiGraph()
    D.add_nodes_from(nodes)
    for u, v, _, _, c in live:
        if D.has_edge(u, v):
            D[u][v]["capacity"] += c
        else:
            D.add_edge(u, v, capacity=c)
    src = list(dict.fromkeys(n for n in origins if n in D))
    snk = list(dict.fromkeys(n for n in destinations if n in D))
    D.add_node(_SRC)
    D.add_node(_SNK)
    for o in src:
        bound = (supply or {}).get(o)
        if bound is None:
            D.add_edge(_SRC, o)
        else:
            D.add_edge(_SRC, o, capacity=Fraction(bound))
    for d in snk:
        D.add_edge(d, _SNK)
    return D, src, snk


def _nx_concurrent(
    D: nx.DiGraph[Any],
    live: list[Any],
    want: list[float],
    *,
    most: int | None = None,
    deliveries: bool = True,
) -> tuple[float, dict[Any, float]]:
    """λ and the deliveries by networkx max flows in exact rational arithmetic.

    One commodity (any depot may feed any town), so λ is feasible iff the maximum flow
    with each town's sink arc capped at λ·demand carries λ·(total demand). A cut ``(S, T)``
    bounds λ by ``c(S, T) / demand(T)`` (the capacity of the arcs it cuts other than sink
    arcs, over the demand of the towns beyond it), and λ is the least such bound. Newton
    (Dinkelbach) on that parametric minimum cut: from the upper bound max flow / total, each
    minimum cut that falls short gives the next, smaller bound; it settles in a few max
    flows. With every capacity a :class:`~fractions.Fraction` the test "carries λ·total"
    is exact. Then, each town's sink arc holding its λ·demand, the flow is continued with
    the caps raised to the demand (augmenting paths only add flow into the sink), so every
    town keeps at least λ of its demand and the total is the most the network carries.
    ``most``: the maximum flow of ``D`` as given (sink arcs unbounded), if known already;
    ``deliveries=False`` stops at λ (the deliveries come back empty).
    """
    demand = {d: Fraction(w) for d, w in zip(live, want, strict=True)}
    total = sum(demand.values(), Fraction(0))
    if most is None:
        most = int(nx.maximum_flow_value(D, _SRC, _SNK))
    lam = Fraction(most) / total
    for _ in range(100):
        if lam <= 0:
            break
        for d, w in demand.items():
            D[d][_SNK]["capacity"] = lam * w
        value, (side, _far) = nx.minimum_cut(D, _SRC, _SNK)
        if value >= lam * total:
            break
        beyond = sum((w for d, w in demand.items() if d not in side), Fraction(0))
        net = sum(
            (
                data["capacity"]
                for u in side
                for v, data in D[u].items()
                if v not in side and v is not _SNK
            ),
            Fraction(0),
        )
        lam = net / beyond
    else:  # pragma: no cover - Newton ends in a handful of rounds on any graph
        msg = "the parametric minimum cut did not settle"
        raise RuntimeError(msg)
    lam = max(lam, Fraction(0))
    if not deliveries:
        return float(lam), {}
    if lam >= 1:
        return float(lam), {d: float(w) for d, w in demand.items()}
    return float(lam), _nx_deliveries(D, demand, lam)


def _nx_deliveries(
    D: nx.DiGraph[Any], demand: dict[Any, Fraction], lam: Fraction
) -> dict[Any, float]:
    """Each town's λ·demand, then the flow continued towards its whole demand."""
    floor = {d: lam * w for d, w in demand.items()}
    for d, f in floor.items():
        D[d][_SNK]["capacity"] = f
    _, flows = nx.maximum_flow(D, _SRC, _SNK)
    # The residual network of that flow, sink arcs raised to the whole demand; arcs out of
    # the sink or into the source cannot lie on an augmenting path and are left out.
    R: nx.DiGraph[Any] = nx.DiGraph()
    R.add_nodes_from(D)
    for u, v, data in D.edges(data=True):
        f = flows[u][v]
        cap = demand[u] if v is _SNK else data.get("capacity")
        left = None if cap is None else cap - f
        if left is None or left > 0:
            _add_capacity(R, u, v, left)
        if f > 0 and u is not _SRC and v is not _SNK:
            _add_capacity(R, v, u, f)
    _, more = nx.maximum_flow(R, _SRC, _SNK)
    return {d: float(floor[d] + (more[d].get(_SNK, 0) if d in more else 0)) for d in demand}


def _add_capacity(R: nx.DiGraph[Any], u: Any, v: Any, c: Fraction | None) -> None:
    """Add residual capacity ``c`` on ``u → v`` (``None``: unbounded, which stays so)."""
    if not R.has_edge(u, v):
        R.add_edge(u, v) if c is None else R.add_edge(u, v, capacity=c)
    elif "capacity" in R[u][v]:
        if c is None:
            del R[u][v]["capacity"]
        else:
            R[u][v]["capacity"] += c


# --- maximum flow --------------------------------------------------------------------------


def _side(residual: sparse.csr_array, start: int, n: int, *, near: str) -> npt.NDArray[np.bool_]:
    """The depots' side of the minimum cut nearest the origins or the destinations.

    ``near="source"``: what ``start`` (the super source) reaches in the residual network.
    ``near="target"``: everything that cannot reach ``start`` (the super sink) there.
    """
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy import sparse  # noqa: PLC0415 - scipy only where it computes
    from scipy.sparse import csgraph  # noqa: PLC0415

    graph = residual if near == "source" else sparse.csr_array(residual.T)
    reach = csgraph.breadth_first_order(graph, start, directed=True, return_predecessors=False)
    hit = np.zeros(residual.shape[0], dtype=bool)
    hit[np.asarray(reach, dtype=np.int64)] = True
    return hit[:n] if near == "source" else ~hit[:n]


def _dinic(
    arcs: _Arcs, src: list[int], snk: list[int], near: str
) -> tuple[int, npt.NDArray[np.bool_]] | None:
    """Max-flow value and the depots' side of the cut, or None when int32 cannot hold it."""
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy import sparse  # noqa: PLC0415 - scipy only where it computes
    from scipy.sparse import csgraph  # noqa: PLC0415

    n = arcs.n
    out_cap = np.bincount(arcs.u, weights=arcs.cap, minlength=n).astype(np.int64)
    in_cap = np.bincount(arcs.v, weights=arcs.cap, minlength=n).astype(np.int64)
    # "Unbounded" super arcs: one tonne more than the node could ever pass on (or take
    # in), so they are never saturated and never part of the cut, yet fit in int32.
    s_cap = out_cap[src] + 1
    t_cap = in_cap[snk] + 1
    S, T = n, n + 1
    rows = np.concatenate([arcs.u, np.full(len(src), S), np.asarray(snk, dtype=np.int64)])
    cols = np.concatenate([arcs.v, np.asarray(src, dtype=np.int64), np.full(len(snk), T)])
    data = np.concatenate([arcs.cap, s_cap, t_cap])
    cap = sparse.csr_array((data, (rows, cols)), shape=(n + 2, n + 2))
    cap.sum_duplicates()
    bound = min(int(s_cap.sum()), int(t_cap.sum()))
    if cap.nnz and (int(cap.data.max()) > _INT32_MAX or bound > _INT32_MAX):
        return None
    cap = sparse.csr_array(cap.astype(np.int32))
    result = csgraph.maximum_flow(cap, S, T, method="dinic")
    residual = sparse.csr_array(cap - result.flow)
    residual.data = (residual.data > 0).astype(np.int8)
    residual.eliminate_zeros()
    return int(result.flow_value), _side(residual, S if near == "source" else T, n, near=near)


def _incidence(arcs: _Arcs, src: list[int], snk: list[int]) -> sparse.csr_array:
    """Node-by-variable conservation matrix for [edge flows, origin supplies, deliveries]."""
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy import sparse  # noqa: PLC0415 - scipy only where it computes

    m, ns, nt = len(arcs.u), len(src), len(snk)
    rows = np.concatenate([arcs.u, arcs.v, np.asarray(src, np.int64), np.asarray(snk, np.int64)])
    cols = np.concatenate(
        [np.arange(m), np.arange(m), m + np.arange(ns), m + ns + np.arange(nt)]
    ).astype(np.int64)
    vals = np.concatenate([-np.ones(m), np.ones(m), np.ones(ns), -np.ones(nt)])
    return sparse.csr_array((vals, (rows, cols)), shape=(arcs.n, m + ns + nt))


def _solve(
    c: FloatArray,
    a_eq: sparse.csr_array,
    b_eq: FloatArray,
    bounds: list[tuple[float | None, float | None]],
    a_ub: sparse.csr_array | None = None,
    b_ub: FloatArray | None = None,
    *,
    ipm: bool = True,
) -> FloatArray:
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy.optimize import linprog  # noqa: PLC0415 - scipy only where it computes

    # HiGHS takes sparse constraint matrices; scipy's stubs only list dense ones.
    sparse_ub: Any = a_ub
    sparse_eq: Any = a_eq
    # Dual simplex takes tens of thousands of degenerate pivots on big max-flow-like LPs;
    # the interior point with crossover ends on a vertex too, twice as fast there (10k
    # synthetic concurrent flow: 4-5 s vs 8-9 s), but slower on the min-cost LP (11-14 s
    # vs 8 s), which asks for ipm=False. Small LPs stay on the simplex.
    method: Literal["highs-ds", "highs-ipm"] = (
        "highs-ipm" if ipm and len(c) > _IPM_FROM else "highs-ds"
    )
    res = linprog(
        c, A_ub=sparse_ub, b_ub=b_ub, A_eq=sparse_eq, b_eq=b_eq, bounds=bounds, method=method
    )
    if res.status != 0:
        msg = f"the flow LP did not solve: {res.message}"
        raise RuntimeError(msg)
    return np.asarray(res.x, dtype=np.float64)


def _lp_max_flow(arcs: _Arcs, src: list[int], snk: list[int]) -> int:
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path

    m, ns, nt = len(arcs.u), len(src), len(snk)
    c = np.concatenate([np.zeros(m + ns), -np.ones(nt)])
    bounds: list[tuple[float | None, float | None]] = [(0.0, float(x)) for x in arcs.cap]
    bounds += [(0.0, None)] * (ns + nt)
    x = _solve(c, _incidence(arcs, src, snk), np.zeros(arcs.n), bounds)
    return round(float(x[m + ns :].sum()))


def _min_cost_flows(arcs: _Arcs, src: list[int], snk: list[int], value: int) -> FloatArray:
    """Per-arc flows of the cheapest (travel time) flow carrying ``value``."""
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy import sparse  # noqa: PLC0415 - scipy only where it computes

    m, ns, nt = len(arcs.u), len(src), len(snk)
    if value <= 0 or m == 0:
        return np.zeros(m)
    a_eq = sparse.vstack(
        [
            _incidence(arcs, src, snk),
            sparse.csr_array(
                (np.ones(ns), (np.zeros(ns, np.int64), m + np.arange(ns))), shape=(1, m + ns + nt)
            ),
        ],
        format="csr",
    )
    b_eq = np.concatenate([np.zeros(arcs.n), [float(value)]])
    c = np.concatenate([arcs.time_s, np.zeros(ns + nt)])
    bounds: list[tuple[float | None, float | None]] = [(0.0, float(x)) for x in arcs.cap]
    bounds += [(0.0, None)] * (ns + nt)
    x = _solve(c, sparse.csr_array(a_eq), b_eq, bounds, ipm=False)
    return np.round(x[:m], 6)


def _reach_graph(arcs: _Arcs, src: list[int]) -> sparse.csr_array:
    """The arcs plus a super source (index ``arcs.n``) joined to the origins."""
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy import sparse  # noqa: PLC0415 - scipy only where it computes

    n = arcs.n
    rows = np.concatenate([arcs.u, np.full(len(src), n)])
    cols = np.concatenate([arcs.v, np.asarray(src, dtype=np.int64)])
    return sparse.csr_array(
        (np.ones(len(rows), np.int8), (rows, cols.astype(np.int64))), shape=(n + 1, n + 1)
    )


def _flow_side(
    arcs: _Arcs, src: list[int], snk: list[int], flows: FloatArray, near: str
) -> npt.NDArray[np.bool_]:
    """The depots' side of the cut in the residual network of per-arc ``flows``."""
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy import sparse  # noqa: PLC0415 - scipy only where it computes

    fwd = flows < arcs.cap - _TOL
    back = flows > _TOL
    n = arcs.n
    S, T = n, n + 1
    # Super arcs are unbounded, so always residual from S to an origin and into T.
    rows = np.concatenate([arcs.u[fwd], arcs.v[back], np.full(len(src), S), np.asarray(snk)])
    cols = np.concatenate([arcs.v[fwd], arcs.u[back], np.asarray(src), np.full(len(snk), T)])
    graph = sparse.csr_array(
        (np.ones(len(rows), np.int8), (rows.astype(np.int64), cols.astype(np.int64))),
        shape=(n + 2, n + 2),
    )
    return _side(graph, S if near == "source" else T, n, near=near)


@dataclass(frozen=True)
class MaxFlow:
    """A maximum flow from the origins to the destinations.

    Attributes
    ----------
    value_t_per_day
        The maximum flow, t/day.
    cut
        The capacity minimum cut: directed edges ``(u, v, key)`` leaving the depots' side.
    cut_t_per_day
        Their capacities added up (equal to ``value_t_per_day``).
    flows
        Per directed edge ``(u, v, key)``: t/day of the min-cost maximum flow (edges
        carrying nothing are left out); empty when ``min_cost`` was not asked for.
    capacities
        Per directed edge that can carry flow: its capacity, t/day.
    mean_travel_time_min
        Tonne-weighted mean travel time of the min-cost maximum flow, minutes; ``None``
        without flow or when not asked for.
    """

    value_t_per_day: int
    cut: tuple[EdgeKey, ...]
    cut_t_per_day: int
    flows: dict[EdgeKey, float] = field(default_factory=dict)
    capacities: dict[EdgeKey, int] = field(default_factory=dict)
    mean_travel_time_min: float | None = None

    @property
    def saturated(self) -> tuple[EdgeKey, ...]:
        """The edges of the min-cost maximum flow that carry their full capacity."""
        return tuple(
            e for e, f in self.flows.items() if f >= self.capacities.get(e, math.inf) - _TOL
        )


def max_flow(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    removal: Removal | None = None,
    min_cost: bool = True,
    weight: str = "travel_time",
    near: str = "source",
) -> MaxFlow:
    """The tonnes per day the network can carry from the origins to the destinations.

    Parameters
    ----------
    G
        The network; every edge carries ``capacity_t_per_day``.
    origins, destinations
        Node ids (disjoint sets). Removed ones drop out.
    removal
        What is taken out first; ``None`` for the intact network.
    min_cost
        Also route the maximum at the least travel time (link flows, saturated links,
        mean travel time); an LP, so skip it when only the value is needed.
    weight
        Edge attribute the min-cost flow minimises (seconds for ``travel_time``).
    near
        Which minimum cut to name when several exist: ``source``, the one nearest the
        depots, or ``target``, the one nearest the destinations.

    Returns
    -------
    MaxFlow
        The value, the capacity minimum cut and (``min_cost``) the link flows.

    Raises
    ------
    BadInputError
        If a node is both an origin and a destination, or ``near`` is unknown.
    BadGraphError
        If an edge lacks a valid ``capacity_t_per_day``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", capacity_t_per_day=5, travel_time=60)
    0
    >>> G.add_edge("a", "b", capacity_t_per_day=3, travel_time=90)
    1
    >>> G.add_edge("b", "c", capacity_t_per_day=6, travel_time=60)
    0
    >>> result = max_flow(G, ["a"], ["c"])
    >>> result.value_t_per_day, result.cut
    (6, (('b', 'c', 0),))
    """
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path

    _check_od(origins, destinations)
    if near not in ("source", "target"):
        msg = f"near must be source or target, not {near!r}"
        raise BadInputError(msg)
    arcs = _arcs(G, removal, weight)
    src, snk = _present(arcs, origins), _present(arcs, destinations)
    capacities = {e: int(c) for e, c in zip(arcs.keys, arcs.cap, strict=True)}
    if not src or not snk or not len(arcs.u):
        return MaxFlow(0, (), 0, {}, capacities if min_cost else {}, None)
    fast = _dinic(arcs, src, snk, near)
    value = fast[0] if fast is not None else _lp_max_flow(arcs, src, snk)
    flows = np.zeros(len(arcs.u))
    mean = None
    if min_cost or fast is None:
        flows = _min_cost_flows(arcs, src, snk, value)
        if value > 0:
            mean = float(flows @ arcs.time_s) / value / 60.0
    side = fast[1] if fast is not None else _flow_side(arcs, src, snk, flows, near)
    crossing = np.flatnonzero(side[arcs.u] & ~side[arcs.v])
    cut = tuple(arcs.keys[i] for i in crossing)
    cut_t = int(arcs.cap[crossing].sum())
    if not min_cost:
        return MaxFlow(value, cut, cut_t)
    carried = {arcs.keys[i]: float(flows[i]) for i in np.flatnonzero(flows > 0)}
    return MaxFlow(value, cut, cut_t, carried, capacities, mean)


# --- maximum concurrent flow ---------------------------------------------------------------


@dataclass(frozen=True)
class ConcurrentFlow:
    """The maximum concurrent flow.

    Attributes
    ----------
    lambda_
        The largest share of every (surviving) destination's demand met at once; above 1
        the network has room to spare. 0 when a destination is cut off or none is left.
    demand_t_per_day
        Demand by destination node (all destinations given, lost ones too).
    delivered_t_per_day
        Delivered by destination node, each held at ``min(lambda_, 1)`` of its demand at
        least and at most its demand; 0 for a lost destination.
    lost
        Destinations removed from the network.
    """

    lambda_: float
    demand_t_per_day: dict[Any, float]
    delivered_t_per_day: dict[Any, float]
    lost: frozenset[Any] = frozenset()


def concurrent_flow(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    removal: Removal | None = None,
    demand: Mapping[Any, float] | None = None,
    supply: Mapping[Any, float] | None = None,
    engine: Engine = "auto",
) -> ConcurrentFlow:
    """The largest share λ of every destination's demand the network meets at once.

    Parameters
    ----------
    G
        The network; every edge carries ``capacity_t_per_day``.
    origins, destinations
        Node ids (disjoint sets).
    removal
        What is taken out first. A removed destination is lost: its demand leaves the
        problem (so λ can rise when the town that bound it falls); a removed origin
        supplies nothing.
    demand
        t/day by destination; ``None`` for :func:`resilience.supply.demand_t_per_day`.
    supply
        Upper bounds in t/day by origin; missing origins are unbounded.
    engine
        ``fast``: λ and the deliveries by two HiGHS LPs; ``networkx``: λ by Newton on the
        parametric minimum cut and the deliveries by continuing that max flow up to each
        demand, in exact arithmetic (no scipy import); ``auto``: as
        :func:`use_networkx` decides by size. λ and the total
        delivered are the same; when λ < 1 how the total beyond λ·demand is shared out
        among towns may differ.

    Raises
    ------
    BadInputError
        If the sets overlap, a demand or supply is negative, or the demand is all zero.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", capacity_t_per_day=10)
    0
    >>> G.add_edge("a", "c", capacity_t_per_day=5)
    0
    >>> r = concurrent_flow(G, ["a"], ["b", "c"], demand={"b": 10, "c": 10})
    >>> round(r.lambda_, 6), r.delivered_t_per_day
    (0.5, {'b': 10.0, 'c': 5.0})
    """
    _check_od(origins, destinations)
    dem = _demand(G, destinations, demand)
    sup = supply_t_per_day(origins, supply)
    delivered = dict.fromkeys(destinations, 0.0)
    if use_networkx(G, engine):
        D, src_nodes, live = _nx_network(G, removal, origins, destinations, sup)
        lost = frozenset(n for n in destinations if n not in D)
        if not live or sum(dem[n] for n in live) <= 0 or not src_nodes:
            return ConcurrentFlow(0.0, dem, delivered, lost)
        lam_nx, got = _nx_concurrent(D, live, [dem[n] for n in live])
        delivered.update({n: round(x, 6) if lam_nx < 1 else x for n, x in got.items()})
        return ConcurrentFlow(lam_nx, dem, delivered, lost)
    return _lp_concurrent(G, removal, origins, destinations, dem, sup)


def _demand(
    G: nx.MultiDiGraph[Any], destinations: Sequence[Any], demand: Mapping[Any, float] | None
) -> dict[Any, float]:
    """Demand by destination (given, or the region's), checked: finite, >= 0, not all 0."""
    dem = (
        {n: float(demand.get(n, 0.0)) for n in destinations}
        if demand is not None
        else demand_t_per_day(G, destinations)
    )
    if any(not math.isfinite(d) or d < 0 for d in dem.values()):
        msg = "demand must be a number of t/day >= 0"
        raise BadInputError(msg)
    if sum(dem.values()) <= 0:
        msg = "the destinations have no demand; give a demand above 0 t/day"
        raise BadInputError(msg)
    return dem


def _nx_value_and_lambda(
    G: nx.MultiDiGraph[Any],
    removal: Removal | None,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    dem: dict[Any, float],
) -> tuple[int, float]:
    """Max flow and λ on one networkx flow network (λ's first bound is that max flow)."""
    D, src, live = _nx_network(G, removal, origins, destinations)
    if not src or not live:
        return 0, 0.0
    most = int(nx.maximum_flow_value(D, _SRC, _SNK))
    if sum(dem[n] for n in live) <= 0:
        return most, 0.0
    lam, _ = _nx_concurrent(D, live, [dem[n] for n in live], most=most, deliveries=False)
    return most, lam


def _lp_concurrent(
    G: nx.MultiDiGraph[Any],
    removal: Removal | None,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    dem: dict[Any, float],
    sup: dict[Any, float | None],
) -> ConcurrentFlow:
    """:func:`concurrent_flow` by two HiGHS linear programmes (λ, then the deliveries)."""
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path
    from scipy import sparse  # noqa: PLC0415 - scipy only where it computes

    arcs = _arcs(G, removal, "travel_time")
    src, snk = _present(arcs, origins), _present(arcs, destinations)
    lost = frozenset(n for n in destinations if n not in arcs.index)
    live = [arcs.nodes[i] for i in snk]
    delivered = dict.fromkeys(destinations, 0.0)
    want = np.array([dem[n] for n in live])
    if not live or want.sum() <= 0:
        return ConcurrentFlow(0.0, dem, delivered, lost)
    if not src:
        return ConcurrentFlow(0.0, dem, delivered, lost)

    m, ns, nt = len(arcs.u), len(src), len(snk)
    a_eq = _incidence(arcs, src, snk)
    flow_bounds: list[tuple[float | None, float | None]] = [(0.0, float(x)) for x in arcs.cap]
    s_bounds: list[tuple[float | None, float | None]] = [(0.0, sup[arcs.nodes[i]]) for i in src]
    # Stage 1: maximise λ with delivered_d >= λ·demand_d for every surviving town. A town
    # with demand the depots cannot reach at all makes λ 0 without an LP.
    reach = _side(_reach_graph(arcs, src), arcs.n, arcs.n, near="source")
    if any(w > 0 and not reach[i] for i, w in zip(snk, want, strict=True)):
        lam = 0.0
    else:
        pos = np.flatnonzero(want > 0)
        a_ub = sparse.csr_array(
            (
                np.concatenate([-np.ones(len(pos)), want[pos]]),
                (
                    np.concatenate([np.arange(len(pos)), np.arange(len(pos))]),
                    np.concatenate([m + ns + pos, np.full(len(pos), m + ns + nt)]),
                ),
            ),
            shape=(len(pos), m + ns + nt + 1),
        )
        a_eq1 = sparse.hstack([a_eq, sparse.csr_array((arcs.n, 1))], format="csr")
        c1 = np.zeros(m + ns + nt + 1)
        c1[-1] = -1.0
        x1 = _solve(
            c1,
            sparse.csr_array(a_eq1),
            np.zeros(arcs.n),
            [*flow_bounds, *s_bounds, *[(0.0, None)] * nt, (0.0, None)],
            sparse.csr_array(a_ub),
            np.zeros(len(pos)),
        )
        lam = max(0.0, float(x1[-1]))
    if lam >= 1.0:
        # Every town's demand is met at once; nothing left to share out.
        delivered.update({n: float(w) for n, w in zip(live, want, strict=True)})
        return ConcurrentFlow(lam, dem, delivered, lost)
    # Stage 2: every town held at min(λ, 1) of its demand (a hair less, for round-off),
    # then as many tonnes as the network carries towards each demand, capped at it.
    floor = min(lam, 1.0) * (1.0 - 1e-9)
    t_bounds: list[tuple[float | None, float | None]] = [(float(floor * w), float(w)) for w in want]
    c2 = np.concatenate([np.zeros(m + ns), -np.ones(nt)])
    x2 = _solve(c2, a_eq, np.zeros(arcs.n), [*flow_bounds, *s_bounds, *t_bounds])
    for j, n in enumerate(live):
        delivered[n] = round(float(x2[m + ns + j]), 6)
    return ConcurrentFlow(lam, dem, delivered, lost)


# --- the analysis a command runs -----------------------------------------------------------


def _element(G: nx.MultiDiGraph[Any], e: EdgeKey) -> EdgeKey:
    """The two-way link an edge belongs to, named by its first-listed direction."""
    u, v, k = e
    if G.has_edge(v, u, k) and (str(v), str(u)) < (str(u), str(v)):
        return (v, u, k)
    return e


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ";".join(str(x) for x in value)
    return "" if value is None else str(value)


def _link_label(G: nx.MultiDiGraph[Any], e: EdgeKey) -> str:
    u, v, k = e
    data = G.edges[u, v, k]
    name = _first(data.get("name"))
    ref = _first(data.get("ref"))
    if not name:
        name = f"{node_label(G, u)}–{node_label(G, v)}"
    return f"{ref} {name}".strip() if ref and ref not in name else name


def _cut_frame(G: nx.MultiDiGraph[Any], cut: Sequence[EdgeKey], when: str) -> pd.DataFrame:
    import pandas as pd  # noqa: PLC0415 - pandas only for the frames

    rows = []
    for u, v, k in cut:
        data = G.edges[u, v, k]
        rows.append(
            {
                "when": when,
                "link": _link_label(G, (u, v, k)),
                "from": node_label(G, u),
                "to": node_label(G, v),
                "mode": str(data.get("mode", "")),
                "capacity_t_per_day": round(float(data[CAPACITY])),
                "source": str(u),
                "target": str(v),
                "key": str(k),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "when",
            "link",
            "from",
            "to",
            "mode",
            "capacity_t_per_day",
            "source",
            "target",
            "key",
        ],
    )
    return frame.sort_values(
        ["when", "capacity_t_per_day", "link"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def _links_frame(G: nx.MultiDiGraph[Any], before: MaxFlow, after: MaxFlow) -> pd.DataFrame:
    import pandas as pd  # noqa: PLC0415 - pandas only for the frames

    cut_b = {_element(G, e) for e in before.cut}
    cut_a = {_element(G, e) for e in after.cut}
    sat_b = {_element(G, e) for e in before.saturated}
    sat_a = {_element(G, e) for e in after.saturated}
    flow_b: dict[EdgeKey, float] = {}
    flow_a: dict[EdgeKey, float] = {}
    for flows, out in ((before.flows, flow_b), (after.flows, flow_a)):
        for e, f in flows.items():
            el = _element(G, e)
            out[el] = out.get(el, 0.0) + f
    rows = []
    seen: set[EdgeKey] = set()
    for u, v, k, data in G.edges(keys=True, data=True):
        el = _element(G, (u, v, k))
        if el in seen:
            continue
        seen.add(el)
        cap = round(float(data.get(CAPACITY, 0) or 0))
        fb, fa = flow_b.get(el, 0.0), flow_a.get(el, 0.0)
        rows.append(
            {
                "link": _link_label(G, el),
                "mode": str(data.get("mode", "")),
                "capacity_t_per_day": cap,
                "flow_before_t_per_day": round(fb, 1),
                "flow_after_t_per_day": round(fa, 1),
                "saturated_before": el in sat_b,
                "saturated_after": el in sat_a,
                "in_cut_before": el in cut_b,
                "in_cut_after": el in cut_a,
                "source": str(el[0]),
                "target": str(el[1]),
                "key": str(el[2]),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class FlowResult:
    """Supply in tonnes per day before and after a removal.

    Attributes
    ----------
    removed
        Labels of what was removed.
    max_flow_before_t_per_day, max_flow_after_t_per_day
        Maximum flow from the origins to the destinations.
    lambda_before, lambda_after
        Maximum concurrent flow: the share of every town's demand met at once.
    total_demand_t_per_day
        Demand of all destinations.
    mean_travel_time_before_min, mean_travel_time_after_min
        Tonne-weighted mean travel time of the min-cost maximum flow.
    bottleneck_before, bottleneck_after
        The links and transfers of the capacity minimum cut, largest first.
    destinations
        Per town: demand, delivered and share met before and after, status.
    cut
        The capacity minimum cut before and after (``when`` column).
    links
        Per link (both directions together): capacity, flow before and after,
        saturated and in the cut before and after.
    """

    removed: tuple[str, ...]
    max_flow_before_t_per_day: int
    max_flow_after_t_per_day: int
    lambda_before: float
    lambda_after: float
    total_demand_t_per_day: float
    mean_travel_time_before_min: float | None
    mean_travel_time_after_min: float | None
    bottleneck_before: tuple[str, ...]
    bottleneck_after: tuple[str, ...]
    destinations: pd.DataFrame
    cut: pd.DataFrame
    links: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """The headline numbers as a one-column-per-measure frame of before/after rows."""
        import pandas as pd  # noqa: PLC0415 - pandas only for the frames

        return pd.DataFrame(
            {
                "when": ["before", "after"],
                "max_flow_t_per_day": [
                    self.max_flow_before_t_per_day,
                    self.max_flow_after_t_per_day,
                ],
                "lambda": [round(self.lambda_before, 4), round(self.lambda_after, 4)],
                "mean_travel_time_min": [
                    _round(self.mean_travel_time_before_min, 1),
                    _round(self.mean_travel_time_after_min, 1),
                ],
                "bottleneck": ["; ".join(self.bottleneck_before), "; ".join(self.bottleneck_after)],
            }
        )

    def to_json(self) -> dict[str, Any]:
        """The numbers as plain JSON types (what ``resilience flow --json`` prints).

        Returns
        -------
        dict
            Keys name the quantity, the moment and the unit.
        """
        return {
            "removed": list(self.removed),
            "max_flow_before_t_per_day": self.max_flow_before_t_per_day,
            "max_flow_after_t_per_day": self.max_flow_after_t_per_day,
            "max_flow_lost_t_per_day": self.max_flow_before_t_per_day
            - self.max_flow_after_t_per_day,
            "lambda_before": round(self.lambda_before, 6),
            "lambda_after": round(self.lambda_after, 6),
            "total_demand_t_per_day": round(self.total_demand_t_per_day, 1),
            "mean_travel_time_before_min": _round(self.mean_travel_time_before_min, 1),
            "mean_travel_time_after_min": _round(self.mean_travel_time_after_min, 1),
            "bottleneck_before": list(self.bottleneck_before),
            "bottleneck_after": list(self.bottleneck_after),
            "saturated_links_before": int(self.links["saturated_before"].sum())
            if len(self.links)
            else 0,
            "saturated_links_after": int(self.links["saturated_after"].sum())
            if len(self.links)
            else 0,
            "destinations": [
                {k: _plain(v) for k, v in row.items()}
                for row in self.destinations.to_dict(orient="records")
            ],
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _plain(value: Any) -> Any:
    import numpy as np  # noqa: PLC0415 - not on the networkx engine's path

    if isinstance(value, np.generic):
        return value.item()
    return value


def _bottleneck(G: nx.MultiDiGraph[Any], cut: Sequence[EdgeKey]) -> tuple[str, ...]:
    caps: dict[str, int] = {}
    for e in cut:
        label = _link_label(G, e)
        caps[label] = caps.get(label, 0) + round(float(G.edges[e][CAPACITY]))
    return tuple(
        f"{label} ({cap:,} t/day)"
        for label, cap in sorted(caps.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _status(share: float, lost: bool, delivered: float) -> str:
    if lost:
        return "lost"
    if delivered <= _TOL:
        return "cut off"
    return "met" if share >= 100.0 - 1e-6 else "short"


def _share(delivered: float, demand: float) -> float:
    return round(100.0 * delivered / demand, 1) if demand > 0 else 100.0


def analyse_flow(
    G: nx.MultiDiGraph[Any],
    removal: Removal | None,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    demand: Mapping[Any, float] | None = None,
    supply: Mapping[Any, float] | None = None,
    near: str = "source",
) -> FlowResult:
    """Maximum flow, concurrent flow and the capacity minimum cut, before and after.

    Parameters
    ----------
    G
        The network; every edge carries ``capacity_t_per_day``.
    removal
        What is taken out; ``None`` or an empty removal for the intact network.
    origins, destinations
        Node ids (disjoint sets).
    demand, supply
        As for :func:`concurrent_flow`.
    near
        As for :func:`max_flow`.

    Returns
    -------
    FlowResult
        Headline numbers and frames.
    """
    import pandas as pd  # noqa: PLC0415 - pandas only for the frames

    rm = removal if removal is not None else Removal()
    before = max_flow(G, origins, destinations, near=near)
    after = max_flow(G, origins, destinations, removal=rm, near=near)
    # The min-cost routing above needs scipy anyway; HiGHS also settles how a total beyond
    # λ·demand is shared out among towns (not unique when λ < 1), as the reports show it.
    conc_b = concurrent_flow(G, origins, destinations, demand=demand, supply=supply, engine="fast")
    conc_a = concurrent_flow(
        G, origins, destinations, removal=rm, demand=demand, supply=supply, engine="fast"
    )
    rows = []
    for n in destinations:
        d = conc_b.demand_t_per_day[n]
        db, da = conc_b.delivered_t_per_day[n], conc_a.delivered_t_per_day[n]
        rows.append(
            {
                "destination": place_label(G, n) if "x" in G.nodes[n] else node_label(G, n),
                "demand_t_per_day": round(d, 1),
                "delivered_before_t_per_day": round(db, 1),
                "share_met_before_pct": _share(db, d),
                "delivered_after_t_per_day": round(da, 1),
                "share_met_after_pct": _share(da, d),
                "status": _status(_share(da, d), n in conc_a.lost, da if d > 0 else 1.0),
            }
        )
    return FlowResult(
        removed=rm.labels,
        max_flow_before_t_per_day=before.value_t_per_day,
        max_flow_after_t_per_day=after.value_t_per_day,
        lambda_before=conc_b.lambda_,
        lambda_after=conc_a.lambda_,
        total_demand_t_per_day=sum(conc_b.demand_t_per_day.values()),
        mean_travel_time_before_min=before.mean_travel_time_min,
        mean_travel_time_after_min=after.mean_travel_time_min,
        bottleneck_before=_bottleneck(G, before.cut),
        bottleneck_after=_bottleneck(G, after.cut),
        destinations=pd.DataFrame(rows),
        cut=pd.concat(
            [_cut_frame(G, before.cut, "before"), _cut_frame(G, after.cut, "after")],
            ignore_index=True,
        ),
        links=_links_frame(G, before, after),
    )


def flow_summary(
    G: nx.MultiDiGraph[Any],
    removal: Removal | None,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    demand: Mapping[Any, float] | None = None,
    engine: Engine = "auto",
) -> dict[str, float]:
    """The tonnage numbers other tables add as columns (cut, run, compare, timeline).

    Cheaper than :func:`analyse_flow`: no min-cost routing and no frames.

    Parameters
    ----------
    G
        The network; every edge carries ``capacity_t_per_day``.
    removal
        What is taken out.
    origins, destinations
        Node ids (disjoint sets).
    demand
        As for :func:`concurrent_flow`.
    engine
        ``fast`` (Dinic and HiGHS), ``networkx`` (exact max flows in pure Python, no
        scipy import) or ``auto``: as :func:`use_networkx`
        decides by size. The numbers are the same (λ to round-off).

    Returns
    -------
    dict
        ``max_flow_before_t_per_day``, ``max_flow_after_t_per_day``,
        ``max_flow_lost_t_per_day``, ``lambda_before``, ``lambda_after``.
    """
    rm = removal if removal is not None else Removal()
    if use_networkx(G, engine):
        _check_od(origins, destinations)
        dem = _demand(G, destinations, demand)
        before, lam_b = _nx_value_and_lambda(G, None, origins, destinations, dem)
        after, lam_a = _nx_value_and_lambda(G, rm, origins, destinations, dem)
    else:
        before = max_flow(G, origins, destinations, min_cost=False).value_t_per_day
        after = max_flow(G, origins, destinations, removal=rm, min_cost=False).value_t_per_day
        lam_b = concurrent_flow(G, origins, destinations, demand=demand, engine=engine).lambda_
        lam_a = concurrent_flow(
            G, origins, destinations, removal=rm, demand=demand, engine=engine
        ).lambda_
    return {
        "max_flow_before_t_per_day": before,
        "max_flow_after_t_per_day": after,
        "max_flow_lost_t_per_day": before - after,
        "lambda_before": round(lam_b, 6),
        "lambda_after": round(lam_a, 6),
    }
