"""Shortest and edge-disjoint supply paths."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import networkx as nx
import pandas as pd

from resilience.errors import BadInputError
from resilience.network import node_label, to_digraph

__all__ = ["disjoint_paths", "path_edges", "paths_table", "shortest_path"]


def path_edges(
    G: nx.MultiDiGraph[Any], path: list[Any], weight: str = "travel_time"
) -> list[tuple[Any, Any, Any]]:
    """The cheapest edge key for each hop of a node path.

    Parameters
    ----------
    G
        The network.
    path
        Node sequence.
    weight
        Edge attribute minimised.

    Returns
    -------
    list
        ``(u, v, key)`` per hop.
    """
    out = []
    for u, v in pairwise(path):
        k = min(G[u][v], key=lambda key: (float(G[u][v][key][weight]), key))
        out.append((u, v, k))
    return out


def shortest_path(
    G: nx.MultiDiGraph[Any], source: Any, target: Any, *, weight: str = "travel_time"
) -> tuple[float, list[Any]] | None:
    """The cheapest path, or ``None`` when the target cannot be reached.

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids.
    weight
        Edge attribute minimised.

    Returns
    -------
    tuple or None
        ``(cost, nodes)``.
    """
    try:
        cost, path = nx.single_source_dijkstra(G, source, target, weight=weight)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return float(cost), list(path)  # type: ignore[arg-type]


def disjoint_paths(
    G: nx.MultiDiGraph[Any], source: Any, target: Any, *, weight: str = "travel_time"
) -> list[tuple[float, list[Any]]]:
    """The largest set of edge-disjoint paths with the least total cost, cheapest first.

    A min-cost max-flow with unit capacity per physical edge (parallel edges count
    separately): its value is the number of edge-disjoint paths (Menger), its cost the
    least total travel time of such a set. Costs are rounded to whole units for the
    integer flow solver; the returned costs are recomputed exactly.

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids.
    weight
        Edge attribute minimised.

    Returns
    -------
    list
        ``(cost, nodes)`` per path, sorted by cost then nodes.

    Raises
    ------
    BadInputError
        If source and target are the same node.
    """
    if source == target:
        msg = "source and target are the same place"
        raise BadInputError(msg)
    if source not in G or target not in G or not nx.has_path(G, source, target):
        return []
    D = to_digraph(G, weight)
    for _, _, data in D.edges(data=True):
        data["cost"] = round(data[weight])
    flow = nx.max_flow_min_cost(D, source, target, capacity="capacity", weight="cost")
    remaining = {u: {v: f for v, f in nbrs.items() if f > 0} for u, nbrs in flow.items()}
    paths: list[tuple[float, list[Any]]] = []
    while remaining.get(source):
        path, node, seen = [source], source, {source}
        while node != target:
            nxt = min(remaining[node], key=str)
            remaining[node][nxt] -= 1
            if remaining[node][nxt] == 0:
                del remaining[node][nxt]
            if nxt in seen:  # a zero-cost cycle in the flow: cut it out of the path
                path = path[: path.index(nxt) + 1]
                seen = set(path)
            else:
                path.append(nxt)
                seen.add(nxt)
            node = nxt
        paths.append((0.0, path))
    return [(cost, path) for cost, path, _ in _assign_links(G, [p for _, p in paths], weight)]


def _assign_links(
    G: nx.MultiDiGraph[Any], paths: list[list[Any]], weight: str
) -> list[tuple[float, list[Any], list[tuple[Any, Any, Any]]]]:
    """Give each of a set of edge-disjoint node paths its own links, and cost it on them.

    Parallel links (two roads between the same junctions) each carry one path: the paths,
    taken cheapest first (on the fastest links), get the cheapest links not yet taken.
    The order depends only on the set of paths, so every caller gets the same links.
    """

    def fastest(path: list[Any]) -> float:
        return sum(min(float(d[weight]) for d in G[u][v].values()) for u, v in pairwise(path))

    used: set[tuple[Any, Any, Any]] = set()
    out = []
    for path in sorted(paths, key=lambda p: (fastest(p), [str(n) for n in p])):
        edges = []
        for u, v in pairwise(path):
            keys = sorted(G[u][v], key=lambda key: (float(G[u][v][key][weight]), str(key)))
            k = next((key for key in keys if (u, v, key) not in used), keys[0])
            used.add((u, v, k))
            edges.append((u, v, k))
        out.append((float(sum(float(G.edges[e][weight]) for e in edges)), path, edges))
    return sorted(out, key=lambda p: (p[0], [str(n) for n in p[1]]))


def _describe(
    G: nx.MultiDiGraph[Any], path: list[Any], edges: list[tuple[Any, Any, Any]]
) -> dict[str, Any]:
    refs: list[str] = []
    for u, v, k in edges:
        ref = G.edges[u, v, k].get("ref") or G.edges[u, v, k].get("mode", "")
        ref = ";".join(map(str, ref)) if isinstance(ref, list) else str(ref)
        if ref and (not refs or refs[-1] != ref):
            refs.append(ref)
    modes = sorted({str(G.edges[e].get("mode", "")) for e in edges} - {""})
    return {
        "length_km": round(sum(float(G.edges[e].get("length", 0.0)) for e in edges) / 1000, 1),
        "modes": "+".join(modes),
        "routes": " > ".join(refs),
        "via": " > ".join(node_label(G, n) for n in path),
    }


def paths_table(
    G: nx.MultiDiGraph[Any], source: Any, target: Any, *, weight: str = "travel_time"
) -> pd.DataFrame:
    """The shortest path and the edge-disjoint alternatives, as a table.

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids.
    weight
        Edge attribute minimised (``travel_time`` is reported in minutes).

    Returns
    -------
    pandas.DataFrame
        One row per path: ``path`` (``shortest`` or ``disjoint-i``), ``travel_time_min``,
        ``length_km``, ``modes``, ``routes``, ``via``. Empty when unreachable.
    """
    rows: list[dict[str, Any]] = []
    best = shortest_path(G, source, target, weight=weight)
    if best is not None:
        edges = path_edges(G, best[1], weight)
        rows.append({"path": "shortest", "cost": best[0], **_describe(G, best[1], edges)})
        found = disjoint_paths(G, source, target, weight=weight)
        for i, (cost, path, links) in enumerate(_assign_links(G, [p for _, p in found], weight), 1):
            row = _describe(G, path, links)
            rows.append({"path": f"disjoint-{i}", "cost": cost, **row})
    frame = pd.DataFrame(rows, columns=["path", "cost", "length_km", "modes", "routes", "via"])
    if weight == "travel_time":
        frame["cost"] = (frame["cost"] / 60).round(1)
        return frame.rename(columns={"cost": "travel_time_min"})
    frame["cost"] = (frame["cost"] / 1000).round(1)
    return frame.rename(columns={"cost": "distance_km"})
