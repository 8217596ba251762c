"""What a removal does to supply: OD travel times, cut-off pairs, components, efficiency."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from resilience.analysis.flow import NETWORKX_MAX_NODES, Engine, flow_summary, use_networkx
from resilience.errors import BadInputError
from resilience.network import node_label
from resilience.targets import Removal, apply_removal, place_label

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMPONENT_COLUMNS",
    "NETWORKX_MAX_NODES",
    "SUMMARY_COLUMNS",
    "CutResult",
    "CutRows",
    "Engine",
    "component_rows",
    "components_table",
    "cut",
    "cut_rows",
    "flow_rows",
    "global_efficiency",
    "link_count",
    "links_once",
    "od_pairs",
    "od_times",
    "use_networkx",
    "weight_units",
]

#: Columns of :attr:`CutRows.summary` (one row per metric).
SUMMARY_COLUMNS = ("metric", "before", "after", "change_pct")
#: Columns of :func:`component_rows`.
COMPONENT_COLUMNS = ("component", "nodes", "places", "sample")

# A zero-cost edge (a transfer inside a station) costs this on either engine, as
# resilience.backend stores it, so both engines add up the same path lengths.
_ZERO = 1e-9


def _simple(G: nx.MultiDiGraph[Any], weight: str) -> nx.DiGraph[Any]:
    """``G`` for the networkx engine: one arc per node pair, loops left out.

    Each arc carries ``cost``, the cheapest parallel edge's weight as the compiled engine
    stores it (so both engines add up the same path lengths), and ``capacity``, the number
    of parallel edges (each a separate route for the edge-disjoint path count).
    """
    D: nx.DiGraph[Any] = nx.DiGraph()
    D.add_nodes_from(G)
    w: Any
    for u, v, w in G.edges(data=weight):
        if u == v:
            continue
        cost = max(float(w), _ZERO)
        if D.has_edge(u, v):
            arc = D[u][v]
            arc["cost"] = min(arc["cost"], cost)
            arc["capacity"] += 1
        else:
            D.add_edge(u, v, cost=cost, capacity=1)
    return D


def _efficiency(D: nx.DiGraph[Any], n: int) -> float:
    """:func:`global_efficiency` of a :func:`_simple` graph, normalised by ``n`` nodes."""
    if n < 2 or D.number_of_nodes() < 2:  # noqa: PLR2004
        return 0.0
    total = math.fsum(
        1.0 / (d / 3600.0)
        for s in D
        for t, d in nx.single_source_dijkstra_path_length(D, s, weight="cost").items()
        if t != s
    )
    return total / (n * (n - 1))


def weight_units(weight: str) -> tuple[str, str, float]:
    """How a weight is reported: quantity, unit suffix and the divisor from graph units.

    Parameters
    ----------
    weight
        ``travel_time`` (seconds on the graph) or ``length`` (metres).

    Returns
    -------
    tuple
        ``("time", "min", 60.0)`` or ``("length", "km", 1000.0)``; column names are
        ``<quantity>_before_<unit>`` so a switched ``--weight`` switches them too.
    """
    if weight == "length":
        return "length", "km", 1000.0
    return "time", "min", 60.0


def od_pairs(origins: Sequence[Any], destinations: Sequence[Any]) -> list[tuple[Any, Any]]:
    """Every origin→destination pair, in the order given.

    Parameters
    ----------
    origins, destinations
        Node ids.

    Returns
    -------
    list
        Pairs ``(o, d)`` with ``o != d``.

    Raises
    ------
    BadInputError
        If either set is empty, or an origin is also a destination.
    """
    if not origins or not destinations:
        msg = "need at least one origin and one destination"
        raise BadInputError(msg)
    both = sorted(set(origins) & set(destinations), key=str)
    if both:
        msg = f"{', '.join(map(str, both))} is both an origin and a destination"
        raise BadInputError(msg)
    return [(o, d) for o in origins for d in destinations]


def global_efficiency(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    n_total: int | None = None,
    engine: Engine = "auto",
) -> float:
    """Latora–Marchiori global efficiency with travel-time distances, in 1/hour.

    ``E = 1 / (N (N-1)) · Σ_{i≠j} 1 / d_ij`` with ``d`` in hours and unreachable pairs
    contributing zero. Pass the intact network's ``N`` as ``n_total`` after a removal,
    so that removed nodes count as lost rather than shrinking the denominator.

    Parameters
    ----------
    G
        The network.
    weight
        Edge attribute in seconds (any unit works; the result scales with it).
    n_total
        Node count to normalise by; ``G``'s own by default.
    engine
        ``fast`` (all-pairs Dijkstra on the compiled engine), ``networkx`` (pure Python,
        no scipy import) or ``auto``: networkx up to :data:`NETWORKX_MAX_NODES` nodes.

    Returns
    -------
    float
        The efficiency (0 for fewer than two nodes).
    """
    n = n_total if n_total is not None else G.number_of_nodes()
    if use_networkx(G, engine):
        return _efficiency(_simple(G, weight), n)
    if n < 2 or G.number_of_nodes() < 2:  # noqa: PLR2004
        return 0.0
    import numpy as np  # noqa: PLC0415 - the compiled engine only above the threshold
    from scipy.sparse import csgraph  # noqa: PLC0415

    from resilience.backend import to_csr  # noqa: PLC0415

    csr = to_csr(G, weight)
    dist = csgraph.dijkstra(csr.matrix, directed=True) / 3600.0
    np.fill_diagonal(dist, np.inf)
    return float(np.sum(1.0 / dist[np.isfinite(dist)]) / (n * (n - 1)))


def component_rows(G: nx.MultiDiGraph[Any]) -> list[dict[str, Any]]:
    """The connected pieces of a network, largest first, as plain rows.

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    list of dict
        ``component``, ``nodes``, ``places`` (named non-station nodes), ``sample``
        (up to eight place names, sorted); see :data:`COMPONENT_COLUMNS`.
    """
    comps = sorted(
        (sorted(c, key=str) for c in nx.weakly_connected_components(G)),
        key=lambda c: (-len(c), str(c[0])),
    )
    rows = []
    for i, comp in enumerate(comps, 1):
        named = sorted(node_label(G, n) for n in comp if G.nodes[n].get("mode", "road") != "rail")
        rows.append(
            {
                "component": i,
                "nodes": len(comp),
                "places": len(named),
                "sample": ", ".join(named[:8]),
            }
        )
    return rows


def components_table(G: nx.MultiDiGraph[Any]) -> pd.DataFrame:
    """The connected pieces of a network, largest first (:func:`component_rows` as a frame).

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    pandas.DataFrame
        ``component``, ``nodes``, ``places`` (named non-station nodes), ``sample``
        (up to eight place names, sorted).
    """
    import pandas as pd  # noqa: PLC0415 - pandas only where a frame is asked for

    return pd.DataFrame(component_rows(G), columns=list(COMPONENT_COLUMNS))


@dataclass(frozen=True)
class CutRows:
    """Everything ``resilience cut`` reports, as plain rows (no pandas needed).

    Attributes
    ----------
    od_columns
        The columns of ``od``: ``origin``, ``destination``, ``<quantity>_before_<unit>``,
        ``<quantity>_after_<unit>`` (see :func:`weight_units`), ``detour_pct``,
        ``status``, ``paths_before``, ``paths_after``.
    od
        One dict per origin→destination pair; a missing number is ``None``.
    summary
        One dict per metric (:data:`SUMMARY_COLUMNS`).
    components
        The connected pieces left (:func:`component_rows`).
    removal
        What was removed.
    """

    od_columns: tuple[str, ...]
    od: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    components: list[dict[str, Any]]
    removal: Removal

    @property
    def od_number_columns(self) -> tuple[str, ...]:
        """The ``od`` columns of decimal numbers (a missing one is NaN in a frame)."""
        return self.od_columns[2:5]


@dataclass(frozen=True)
class CutResult:
    """Everything ``resilience cut`` reports, as frames (:class:`CutRows` built into pandas).

    Attributes
    ----------
    od
        Per origin→destination pair: travel times before/after (``time_*_min``; with a
        length weight ``length_*_km``), detour %, status, edge-disjoint paths before/after.
    summary
        One row per metric: ``metric``, ``before``, ``after``, ``change``.
    components
        The connected pieces left (see :func:`components_table`).
    removal
        What was removed.
    """

    od: pd.DataFrame
    summary: pd.DataFrame
    components: pd.DataFrame
    removal: Removal


def _disjoint_counter(
    G: nx.MultiDiGraph[Any], D: nx.DiGraph[Any] | None
) -> Callable[[Any, Any], int]:
    """Number of edge-disjoint o→d paths (parallel edges count): a max flow of unit arcs.

    ``D`` is :func:`_simple` of ``G`` for the networkx engine, ``None`` for the compiled one.
    """
    if D is None:
        from resilience import backend  # noqa: PLC0415 - the compiled engine

        return lambda o, d: backend.max_flow_value(G, o, d)
    from networkx.algorithms.flow import build_residual_network, edmonds_karp  # noqa: PLC0415

    # A handful of paths each: Edmonds-Karp needs that many breadth-first searches, on one
    # residual network built once and reset by every call.
    residual = build_residual_network(D, "capacity")

    def count(o: Any, d: Any) -> int:
        if o == d:
            return 0
        flow = edmonds_karp(D, o, d, residual=residual, value_only=True)
        return int(flow.graph["flow_value"])

    return count


def _times(
    G: nx.MultiDiGraph[Any],
    sources: list[Any],
    weight: str,
    D: nx.DiGraph[Any] | None,
) -> dict[Any, dict[Any, float]]:
    """Shortest weights from each source (on ``D``, a :func:`_simple` graph, if given)."""
    present = [s for s in sources if s in G]
    out: dict[Any, dict[Any, float]] = {s: {} for s in sources}
    if not present:
        return out
    if D is not None:
        for s in present:
            out[s] = dict(nx.single_source_dijkstra_path_length(D, s, weight="cost"))
        return out
    import numpy as np  # noqa: PLC0415 - the compiled engine only above the threshold

    from resilience import backend  # noqa: PLC0415

    # One cached conversion and one multi-source Dijkstra on the engine.
    arrays = backend.edge_arrays(G, weight)
    dist, _ = backend.shortest_times(arrays.csr(), [arrays.index[s] for s in present])
    for s, row in zip(present, dist, strict=True):
        reach = np.flatnonzero(np.isfinite(row))
        out[s] = dict(zip([arrays.nodes[j] for j in reach], row[reach].tolist(), strict=True))
    return out


def od_times(
    G: nx.MultiDiGraph[Any],
    sources: Sequence[Any],
    *,
    weight: str = "travel_time",
    engine: Engine = "auto",
) -> dict[Any, dict[Any, float]]:
    """The shortest ``weight`` from each source to every node it reaches.

    Parameters
    ----------
    G
        The network.
    sources
        Node ids; one absent from ``G`` reaches nothing.
    weight
        Edge attribute minimised.
    engine
        ``fast`` (one multi-source Dijkstra on the cached conversion), ``networkx`` (pure
        Python, no scipy import) or ``auto``: networkx up to :data:`NETWORKX_MAX_NODES`
        nodes. The numbers are the same (a zero-cost edge costs 1e-9 on both).

    Returns
    -------
    dict
        Source → {node: distance}.
    """
    unique = list(dict.fromkeys(sources))
    return _times(G, unique, weight, _simple(G, weight) if use_networkx(G, engine) else None)


def cut_rows(
    G: nx.MultiDiGraph[Any],
    removal: Removal,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    weight: str = "travel_time",
    engine: Engine = "auto",
) -> CutRows:
    """Compare supply before and after a removal, as plain rows.

    A pair is ``ok`` when its travel time is unchanged, ``detour`` when it grew,
    ``cut off`` when the destination can no longer be reached, ``lost`` when the origin
    or destination itself was removed, and ``no route`` when it was unreachable before.

    Parameters
    ----------
    G
        The intact network (not changed).
    removal
        What is removed.
    origins, destinations
        Node ids of the supply origins and destinations.
    weight
        Edge attribute minimised (seconds for ``travel_time``; reported in minutes).
    engine
        ``fast`` (:mod:`resilience.backend`), ``networkx`` (pure Python, no scipy
        import) or ``auto``: networkx up to :data:`NETWORKX_MAX_NODES` nodes. The numbers
        are the same.

    Returns
    -------
    CutRows
        The tables.
    """
    pairs = od_pairs(origins, destinations)
    H = apply_removal(G, removal)
    sources = list(dict.fromkeys(origins))
    simple = use_networkx(G, engine)
    D_b = _simple(G, weight) if simple else None
    D_a = _simple(H, weight) if simple else None
    before, after = _times(G, sources, weight, D_b), _times(H, sources, weight, D_a)
    paths_b, paths_a = _disjoint_counter(G, D_b), _disjoint_counter(H, D_a)
    quantity, unit, scale = weight_units(weight)
    col_b, col_a = f"{quantity}_before_{unit}", f"{quantity}_after_{unit}"
    label = {n: place_label(G, n) for n in dict.fromkeys([*origins, *destinations])}
    # Only the number of edge-disjoint paths is reported, which is the max-flow value
    # (Menger): collapse each graph once instead of routing a min-cost flow per pair.
    rows: list[dict[str, Any]] = []
    for o, d in pairs:
        tb, ta = before[o].get(d), after[o].get(d)
        gone = o in removal.nodes or d in removal.nodes
        if tb is None:
            status = "no route"
        elif gone:
            status = "lost"
        elif ta is None:
            status = "cut off"
        else:
            status = "detour" if ta > tb * (1 + 1e-9) else "ok"
        rows.append(
            {
                "origin": label[o],
                "destination": label[d],
                col_b: None if tb is None else round(tb / scale, 1),
                col_a: None if ta is None or gone else round(ta / scale, 1),
                "detour_pct": (
                    round(100 * (ta - tb) / tb, 1) if tb and ta is not None and not gone else None
                ),
                "status": status,
                "paths_before": 0 if tb is None else paths_b(o, d),
                "paths_after": 0 if gone or ta is None else paths_a(o, d),
            }
        )
    n = G.number_of_nodes()
    # global_efficiency is in 1/hour of a seconds weight; a metres weight gives 1/km.
    per = "per_h" if unit == "min" else "per_km"
    to_unit = 1.0 if unit == "min" else 1000.0 / 3600.0
    if D_b is not None and D_a is not None:
        # global_efficiency on the graphs already converted for the networkx engine.
        e_before, e_after = _efficiency(D_b, n) * to_unit, _efficiency(D_a, n) * to_unit
    else:
        e_before = global_efficiency(G, weight=weight, engine="fast") * to_unit
        e_after = global_efficiency(H, weight=weight, n_total=n, engine="fast") * to_unit
    comps = component_rows(H)
    statuses = [r["status"] for r in rows]
    metrics = [
        ("nodes", n, H.number_of_nodes()),
        ("links", link_count(G), link_count(H)),
        ("link_directions", G.number_of_edges(), H.number_of_edges()),
        ("components", nx.number_weakly_connected_components(G), len(comps)),
        (
            "od_pairs_connected",
            sum(r[col_b] is not None for r in rows),
            sum(r[col_a] is not None for r in rows),
        ),
        # One word per meaning: lost = an endpoint itself removed; cut off = both still
        # there but no route left.
        ("od_pairs_lost", 0, statuses.count("lost")),
        ("od_pairs_cut_off", 0, statuses.count("cut off")),
        (
            "edge_disjoint_paths_total",
            sum(r["paths_before"] for r in rows),
            sum(r["paths_after"] for r in rows),
        ),
        (f"global_efficiency_{per}", round(e_before, 6), round(e_after, 6)),
    ]
    summary = [
        {
            "metric": m,
            "before": b,
            "after": a,
            "change_pct": round(100 * (a - b) / b, 1) if b else None,
        }
        for m, b, a in metrics
    ]
    columns = (
        "origin",
        "destination",
        col_b,
        col_a,
        "detour_pct",
        "status",
        "paths_before",
        "paths_after",
    )
    return CutRows(columns, rows, summary, comps, removal)


def cut(
    G: nx.MultiDiGraph[Any],
    removal: Removal,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    weight: str = "travel_time",
    engine: Engine = "auto",
) -> CutResult:
    """Compare supply before and after a removal (:func:`cut_rows` as pandas frames).

    The pair statuses (``ok``, ``detour``, ``cut off``, ``lost``, ``no route``) are those
    of :func:`cut_rows`.

    Parameters
    ----------
    G
        The intact network (not changed).
    removal
        What is removed.
    origins, destinations
        Node ids of the supply origins and destinations.
    weight
        Edge attribute minimised (seconds for ``travel_time``; reported in minutes).
    engine
        As for :func:`cut_rows`.

    Returns
    -------
    CutResult
        The tables: ``od`` with float columns for the times and the detour (NaN where
        missing), ``summary`` of Python objects (integers stay integers).
    """
    import pandas as pd  # noqa: PLC0415 - pandas only where frames are asked for

    rows = cut_rows(G, removal, origins, destinations, weight=weight, engine=engine)
    od = pd.DataFrame(rows.od, columns=list(rows.od_columns))
    for col in rows.od_number_columns:
        od[col] = pd.to_numeric(od[col], errors="coerce").astype(float)
    summary = pd.DataFrame(rows.summary, columns=list(SUMMARY_COLUMNS), dtype=object)
    comps = pd.DataFrame(rows.components, columns=list(COMPONENT_COLUMNS))
    return CutResult(od, summary, comps, removal)


def link_count(G: nx.MultiDiGraph[Any]) -> int:
    """Links as a user counts them: a two-way road or rail link is one element.

    Directed edges ``u→v`` and ``v→u`` pair up one to one (per node pair, the smaller
    count of the two directions); a one-way edge left over counts on its own.

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    int
        The number of links.
    """
    from collections import Counter  # noqa: PLC0415

    per_pair: Counter[tuple[Any, Any]] = Counter((u, v) for u, v, _ in G.edges(keys=True))
    total = 0
    for (u, v), count in per_pair.items():
        back = per_pair.get((v, u), 0)
        if u == v:
            total += count
        elif (str(u), repr(u)) < (str(v), repr(v)):
            total += max(count, back)
        elif back == 0:
            total += count
    return total


def links_once(frame: pd.DataFrame, value: str = "betweenness") -> pd.DataFrame:
    """A per-direction link table with each two-way link as one row, re-ranked.

    Rows with the same two ends (either way round), label and mode are the two directions
    of one road or rail link: they become one row (the first direction's ``u``, ``v``,
    ``key``) whose ``value`` is the two directions' values added (each shortest path uses
    a link in one direction only, so a share stays a share).

    Parameters
    ----------
    frame
        Columns ``u``, ``v``, ``label``, ``mode``, ``value`` and optionally ``rank``.
    value
        The column to add up and rank by (descending).

    Returns
    -------
    pandas.DataFrame
        One row per link, ``rank`` 1 = highest ``value``.
    """
    import pandas as pd  # noqa: PLC0415 - pandas only where frames are asked for

    if frame.empty:
        return frame.copy()
    ends = [
        "\x1f".join(sorted((str(u), str(v)))) for u, v in zip(frame["u"], frame["v"], strict=True)
    ]
    keyed = frame.assign(_ends=pd.Series(ends, index=frame.index, dtype=object))
    group = ["_ends", "label", "mode"]
    total = keyed.groupby(group, sort=False)[value].transform("sum")
    first = keyed.assign(**{value: total}).drop_duplicates(subset=group, keep="first")
    out = first.sort_values(
        [value, "label"], ascending=[False, True], kind="mergesort", ignore_index=True
    ).drop(columns=["_ends"])
    if "rank" in out:
        out["rank"] = range(1, len(out) + 1)
    return out


def flow_rows(
    G: nx.MultiDiGraph[Any],
    removal: Removal,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    engine: Engine = "auto",
) -> list[dict[str, Any]]:
    """Tonnes a day still deliverable and the share of demand met, as summary rows.

    Rows ``deliverable_t_per_day`` (maximum flow from the origins to the destinations) and
    ``demand_met_lambda`` (maximum concurrent flow: the share of every destination's
    demand met at once), before and after; none when a link carries no capacity.

    Parameters
    ----------
    G
        The intact network.
    removal
        What is removed.
    origins, destinations
        Node ids.
    engine
        As for :func:`resilience.analysis.flow.flow_summary`.

    Returns
    -------
    list of dict
        ``metric``, ``before``, ``after``, ``change_pct`` per row.
    """
    if any("capacity_t_per_day" not in d for _, _, d in G.edges(data=True)):
        return []
    flows = flow_summary(G, removal, origins, destinations, engine=engine)
    rows = []
    for metric, b, a in (
        (
            "deliverable_t_per_day",
            flows["max_flow_before_t_per_day"],
            flows["max_flow_after_t_per_day"],
        ),
        ("demand_met_lambda", flows["lambda_before"], flows["lambda_after"]),
    ):
        before, after = round(float(b), 3), round(float(a), 3)
        rows.append(
            {
                "metric": metric,
                "before": before,
                "after": after,
                "change_pct": round(100 * (after - before) / before, 1) if before else None,
            }
        )
    return rows
