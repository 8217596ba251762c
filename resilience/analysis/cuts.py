"""Minimum edge and vertex cuts between a supply origin and a destination."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from resilience.errors import BadInputError
from resilience.network import edge_label, node_label, to_digraph

__all__ = ["min_edge_cut", "min_vertex_cut"]


def _check(G: nx.MultiDiGraph[Any], s: Any, t: Any) -> None:
    if s == t:
        msg = "source and target are the same place"
        raise BadInputError(msg)
    for n in (s, t):
        if n not in G:
            msg = f"{n!r} is not in the network (was it removed?)"
            raise BadInputError(msg)


def _near_cut(D: nx.DiGraph[Any], s: Any, t: Any, near: str) -> tuple[set[Any], set[Any]]:
    """Partition ``(S, T)`` of a minimum s-t cut lying nearest ``near`` (source|target).

    Minimum cuts are not unique. The residual graph of a maximum flow gives the two
    extreme ones. networkx's ``minimum_cut`` returns the nodes that still reach ``t`` in
    the residual graph as the sink side (the cut nearest the target); the cut nearest
    the source is the same construction on the reversed graph, sides swapped.
    """
    if near == "target":
        _, (part_s, part_t) = nx.minimum_cut(D, s, t, capacity="capacity")
        return set(part_s), set(part_t)
    if near != "source":
        msg = f"near must be 'source' or 'target', not {near!r}"
        raise BadInputError(msg)
    _, (rev_t, rev_s) = nx.minimum_cut(D.reverse(copy=True), t, s, capacity="capacity")
    return set(rev_s), set(rev_t)


def min_edge_cut(
    G: nx.MultiDiGraph[Any], source: Any, target: Any, *, near: str = "target"
) -> pd.DataFrame:
    """The fewest directed edges whose loss stops all supply from ``source`` to ``target``.

    Parallel edges are separate routes, so each counts. Its size equals the number of
    edge-disjoint paths (Menger).

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids.
    near
        Which of the minimum cuts to report when several exist: the one nearest the
        ``target`` (the last chokepoints before it, the default) or the ``source``.

    Returns
    -------
    pandas.DataFrame
        One row per cut edge: ``u``, ``v``, ``key``, ``from``, ``to``, ``mode``, ``ref``,
        ``label``; sorted. Empty when the target is already unreachable.

    Raises
    ------
    BadInputError
        If source equals target or either is missing.
    """
    _check(G, source, target)
    cols = ["u", "v", "key", "from", "to", "mode", "ref", "label"]
    if not nx.has_path(G, source, target):
        return pd.DataFrame(columns=cols)
    D = to_digraph(G)
    reach, _ = _near_cut(D, source, target, near)
    rows = [
        {
            "u": u,
            "v": v,
            "key": k,
            "from": node_label(G, u),
            "to": node_label(G, v),
            "mode": G.edges[u, v, k].get("mode", ""),
            "ref": str(G.edges[u, v, k].get("ref") or ""),
            "label": edge_label(G, u, v, k),
        }
        for u in reach
        for v in G.successors(u)
        if v not in reach
        for k in G[u][v]
    ]
    return pd.DataFrame(rows, columns=cols).sort_values(["from", "to", "key"], ignore_index=True)


def min_vertex_cut(
    G: nx.MultiDiGraph[Any], source: Any, target: Any, *, near: str = "target"
) -> pd.DataFrame | None:
    """The fewest places whose loss stops all supply from ``source`` to ``target``.

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids.
    near
        Which minimum cut to report when several exist: nearest the ``target``
        (default) or the ``source``.

    Returns
    -------
    pandas.DataFrame or None
        One row per cut node: ``node``, ``name``, ``kind``, ``x``, ``y``, sorted by name;
        empty when already unreachable; ``None`` when source and target are directly
        linked, so no set of other places separates them.

    Raises
    ------
    BadInputError
        If source equals target or either is missing.
    """
    _check(G, source, target)
    cols = ["node", "name", "kind", "x", "y"]
    if not nx.has_path(G, source, target):
        return pd.DataFrame(columns=cols)
    if G.has_edge(source, target):
        return None
    # Split every node n into (n, 0) -> (n, 1) of capacity 1; links get unbounded capacity,
    # so a minimum cut of this graph cuts only node arcs (Even's construction).
    S: nx.DiGraph[Any] = nx.DiGraph()
    for n in G.nodes:
        if n not in (source, target):
            S.add_edge((n, 0), (n, 1), capacity=1)
    for u, v in G.edges():
        S.add_edge(
            (u, 1) if u not in (source, target) else u, (v, 0) if v not in (source, target) else v
        )
    part_s, part_t = _near_cut(S, source, target, near)
    cut = {n for n in G.nodes if (n, 0) in part_s and (n, 1) in part_t}
    rows = [
        {
            "node": n,
            "name": node_label(G, n),
            "kind": G.nodes[n].get("kind", ""),
            "x": G.nodes[n]["x"],
            "y": G.nodes[n]["y"],
        }
        for n in cut
    ]
    return pd.DataFrame(rows, columns=cols).sort_values(
        ["name", "node"], key=lambda s: s.astype(str), ignore_index=True
    )
