"""Shortest and edge-disjoint supply paths.

Two engines give the same answers: ``"networkx"`` (the reference) and ``"fast"``
(compiled, :mod:`resilience._dijkstra`, over the graph's cached conversion
:func:`resilience.backend.adjacency`). The shortest path is the same path, ties
included: the compiled Dijkstra replays networkx's. The edge-disjoint paths have the same
number and the same least total (rounded) cost; when several sets of paths share that
cost the two engines may pick different ones, each deterministic (15 of 160 random pairs
on 64-node road-like graphs with whole-second times, where ties are common; none of 300
pairs on the embedded region). ``"auto"`` (the
default) takes networkx below :data:`AUTO_MIN_NODES` nodes, where importing and loading
the compiled code (about 0.7 s for numba, 0.9 s for scipy) costs more than the whole
networkx search, so small networks such as the embedded region (107 nodes) keep their
tables byte for byte. Measured (``paths_table``, first call in a fresh process, road-like
graphs, 2 busy cores, load 3.2-3.6): 1,000 nodes networkx 0.8 s / fast 1.5 s; 2,000
nodes 1.7 s / 2.4 s; 10,000 nodes 9.8 s / 2.7 s; 50,000 nodes 97 s / 2.2 s (a second
pair in the same process: 67 s / 0.3 s).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import networkx as nx
import pandas as pd

from resilience.analysis.flow import Engine, use_networkx
from resilience.errors import BadInputError
from resilience.network import node_label, to_digraph

__all__ = [
    "AUTO_MIN_NODES",
    "Engine",
    "disjoint_paths",
    "path_edges",
    "paths_table",
    "shortest_path",
]


#: Nodes from which ``engine="auto"`` runs the compiled engine (see the module doc).
AUTO_MIN_NODES = 3_000


def _use_fast(G: nx.MultiDiGraph[Any], engine: Engine) -> bool:
    # The one engine rule (resilience.analysis.flow.use_networkx), at this module's size.
    return not use_networkx(G, engine, max_nodes=AUTO_MIN_NODES - 1)


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
    G: nx.MultiDiGraph[Any],
    source: Any,
    target: Any,
    *,
    weight: str = "travel_time",
    engine: Engine = "auto",
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
    engine
        ``"auto"``, ``"fast"`` or ``"networkx"`` (see the module doc); all give the
        same path.

    Returns
    -------
    tuple or None
        ``(cost, nodes)``.
    """
    if _use_fast(G, engine):
        if source not in G or target not in G:
            return None
        from resilience import backend  # noqa: PLC0415 - scipy, kept off small runs
        from resilience._dijkstra import shortest_pair  # noqa: PLC0415 - numba

        arrays, adj = backend.edge_arrays(G, weight), backend.adjacency(G, weight)
        s, t = arrays.index[source], arrays.index[target]
        found = shortest_pair(adj.indptr, adj.indices, adj.weight, s, t)
        if found is None:
            return None
        return found[0], [arrays.nodes[i] for i in found[1]]
    try:
        cost, path = nx.single_source_dijkstra(G, source, target, weight=weight)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return float(cost), list(path)  # type: ignore[arg-type]


def disjoint_paths(
    G: nx.MultiDiGraph[Any],
    source: Any,
    target: Any,
    *,
    weight: str = "travel_time",
    engine: Engine = "auto",
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
    engine
        ``"auto"``, ``"fast"`` or ``"networkx"`` (see the module doc): the same number
        of paths and the same total cost; among equally cheap sets, each its own.

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
    fast = _use_fast(G, engine)
    if source not in G or target not in G:
        return []
    remaining = (_fast_flow if fast else _networkx_flow)(G, source, target, weight)
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


def _networkx_flow(
    G: nx.MultiDiGraph[Any], source: Any, target: Any, weight: str
) -> dict[Any, dict[Any, int]]:
    """The least-cost maximum flow by networkx's network simplex, as ``{u: {v: units}}``."""
    if not nx.has_path(G, source, target):
        return {}
    D = to_digraph(G, weight)
    for _, _, data in D.edges(data=True):
        data["cost"] = round(data[weight])
    flow = nx.max_flow_min_cost(D, source, target, capacity="capacity", weight="cost")
    return {u: {v: f for v, f in nbrs.items() if f > 0} for u, nbrs in flow.items()}


def _fast_flow(
    G: nx.MultiDiGraph[Any], source: Any, target: Any, weight: str
) -> dict[Any, dict[Any, int]]:
    """The least-cost maximum flow on the engine, as ``{u: {v: units}}`` (flow only)."""
    import numpy as np  # noqa: PLC0415

    from resilience import backend  # noqa: PLC0415 - scipy, kept off small runs
    from resilience._dijkstra import min_cost_flow  # noqa: PLC0415 - numba

    arrays = backend.edge_arrays(G, weight)
    adj = backend.adjacency(G, weight)
    tail = np.repeat(np.arange(arrays.n, dtype=np.int64), np.diff(adj.indptr))
    keep = tail != adj.indices  # a self-loop never carries source-target flow
    head = adj.indices[keep]
    tail = tail[keep]
    # The networkx engine's integer costs: Python's round, half to even, as np.rint.
    cost = np.rint(adj.weight[keep]).astype(np.int64)
    flow = min_cost_flow(
        arrays.n,
        tail,
        head,
        adj.count[keep],
        cost,
        arrays.index[source],
        arrays.index[target],
    )
    remaining: dict[Any, dict[Any, int]] = {}
    for a in np.flatnonzero(flow > 0).tolist():
        u, v = arrays.nodes[int(tail[a])], arrays.nodes[int(head[a])]
        remaining.setdefault(u, {})[v] = int(flow[a])
    return remaining


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
    G: nx.MultiDiGraph[Any],
    source: Any,
    target: Any,
    *,
    weight: str = "travel_time",
    engine: Engine = "auto",
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
    engine
        ``"auto"``, ``"fast"`` or ``"networkx"``; see the module doc.

    Returns
    -------
    pandas.DataFrame
        One row per path: ``path`` (``shortest`` or ``disjoint-i``), ``travel_time_min``,
        ``length_km``, ``modes``, ``routes``, ``via``. Empty when unreachable.
    """
    rows: list[dict[str, Any]] = []
    best = shortest_path(G, source, target, weight=weight, engine=engine)
    if best is not None:
        edges = path_edges(G, best[1], weight)
        rows.append({"path": "shortest", "cost": best[0], **_describe(G, best[1], edges)})
        found = disjoint_paths(G, source, target, weight=weight, engine=engine)
        for i, (cost, path, links) in enumerate(_assign_links(G, [p for _, p in found], weight), 1):
            row = _describe(G, path, links)
            rows.append({"path": f"disjoint-{i}", "cost": cost, **row})
    frame = pd.DataFrame(rows, columns=["path", "cost", "length_km", "modes", "routes", "via"])
    if weight == "travel_time":
        frame["cost"] = (frame["cost"] / 60).round(1)
        return frame.rename(columns={"cost": "travel_time_min"})
    frame["cost"] = (frame["cost"] / 1000).round(1)
    return frame.rename(columns={"cost": "distance_km"})
