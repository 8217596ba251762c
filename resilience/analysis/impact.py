"""What a removal does to supply: OD travel times, cut-off pairs, components, efficiency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csgraph

from resilience import backend
from resilience.backend import to_csr
from resilience.errors import BadInputError
from resilience.network import node_label
from resilience.targets import Removal, apply_removal, place_label

__all__ = [
    "CutResult",
    "components_table",
    "cut",
    "flow_rows",
    "global_efficiency",
    "link_count",
    "links_once",
    "od_pairs",
    "weight_units",
]


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
    G: nx.MultiDiGraph[Any], *, weight: str = "travel_time", n_total: int | None = None
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

    Returns
    -------
    float
        The efficiency (0 for fewer than two nodes).
    """
    n = n_total if n_total is not None else G.number_of_nodes()
    if n < 2 or G.number_of_nodes() < 2:  # noqa: PLR2004
        return 0.0
    csr = to_csr(G, weight)
    dist = csgraph.dijkstra(csr.matrix, directed=True) / 3600.0
    np.fill_diagonal(dist, np.inf)
    return float(np.sum(1.0 / dist[np.isfinite(dist)]) / (n * (n - 1)))


def components_table(G: nx.MultiDiGraph[Any]) -> pd.DataFrame:
    """The connected pieces of a network, largest first.

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
    return pd.DataFrame(rows, columns=["component", "nodes", "places", "sample"])


@dataclass(frozen=True)
class CutResult:
    """Everything ``resilience cut`` reports.

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


def _disjoint_count(G: nx.MultiDiGraph[Any], o: Any, d: Any) -> int:
    """Number of edge-disjoint o→d paths (parallel edges count), on the compiled engine."""
    return backend.max_flow_value(G, o, d)


def _times(G: nx.MultiDiGraph[Any], sources: list[Any], weight: str) -> dict[Any, dict[Any, float]]:
    # One cached conversion and one multi-source Dijkstra on the engine.
    arrays = backend.edge_arrays(G, weight)
    present = [s for s in sources if s in G]
    out: dict[Any, dict[Any, float]] = {s: {} for s in sources}
    if present:
        dist, _ = backend.shortest_times(arrays.csr(), [arrays.index[s] for s in present])
        for s, row in zip(present, dist, strict=True):
            reach = np.flatnonzero(np.isfinite(row))
            out[s] = dict(zip([arrays.nodes[j] for j in reach], row[reach].tolist(), strict=True))
    return out


def cut(
    G: nx.MultiDiGraph[Any],
    removal: Removal,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    weight: str = "travel_time",
) -> CutResult:
    """Compare supply before and after a removal.

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

    Returns
    -------
    CutResult
        The tables.
    """
    pairs = od_pairs(origins, destinations)
    H = apply_removal(G, removal)
    before = _times(G, list(dict.fromkeys(origins)), weight)
    after = _times(H, list(dict.fromkeys(origins)), weight)
    quantity, unit, scale = weight_units(weight)
    col_b, col_a = f"{quantity}_before_{unit}", f"{quantity}_after_{unit}"
    label = {n: place_label(G, n) for n in dict.fromkeys([*origins, *destinations])}
    # Only the number of edge-disjoint paths is reported, which is the max-flow value
    # (Menger): collapse each graph once instead of routing a min-cost flow per pair.
    rows = []
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
                "paths_before": 0 if tb is None else _disjoint_count(G, o, d),
                "paths_after": 0 if gone or ta is None else _disjoint_count(H, o, d),
            }
        )
    od = pd.DataFrame(
        rows,
        columns=[
            "origin",
            "destination",
            col_b,
            col_a,
            "detour_pct",
            "status",
            "paths_before",
            "paths_after",
        ],
    )
    for col in (col_b, col_a, "detour_pct"):
        od[col] = pd.to_numeric(od[col], errors="coerce").astype(float)
    n = G.number_of_nodes()
    # global_efficiency is in 1/hour of a seconds weight; a metres weight gives 1/km.
    per = "per_h" if unit == "min" else "per_km"
    to_unit = 1.0 if unit == "min" else 1000.0 / 3600.0
    e_before = global_efficiency(G, weight=weight) * to_unit
    e_after = global_efficiency(H, weight=weight, n_total=n) * to_unit
    comps_before = nx.number_weakly_connected_components(G)
    comps = components_table(H)
    reach_b = int((od[col_b].notna()).sum())
    reach_a = int((od[col_a].notna()).sum())
    statuses = od["status"]
    metrics = [
        ("nodes", n, H.number_of_nodes()),
        ("links", link_count(G), link_count(H)),
        ("link_directions", G.number_of_edges(), H.number_of_edges()),
        ("components", comps_before, len(comps)),
        ("od_pairs_connected", reach_b, reach_a),
        # One word per meaning: lost = an endpoint itself removed; cut off = both still
        # there but no route left.
        ("od_pairs_lost", 0, int((statuses == "lost").sum())),
        ("od_pairs_cut_off", 0, int((statuses == "cut off").sum())),
        ("edge_disjoint_paths_total", int(od["paths_before"].sum()), int(od["paths_after"].sum())),
        (f"global_efficiency_{per}", round(e_before, 6), round(e_after, 6)),
    ]
    summary = pd.DataFrame(
        [
            {
                "metric": m,
                "before": b,
                "after": a,
                "change_pct": round(100 * (a - b) / b, 1) if b else None,
            }
            for m, b, a in metrics
        ],
        dtype=object,
    )
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
    G: nx.MultiDiGraph[Any], removal: Removal, origins: Sequence[Any], destinations: Sequence[Any]
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

    Returns
    -------
    list of dict
        ``metric``, ``before``, ``after``, ``change_pct`` per row.
    """
    if any("capacity_t_per_day" not in d for _, _, d in G.edges(data=True)):
        return []
    from resilience.analysis.flow import flow_summary  # noqa: PLC0415 - LP stack on demand

    flows = flow_summary(G, removal, origins, destinations)
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
