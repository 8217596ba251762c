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


def min_edge_cut(G: nx.MultiDiGraph[Any], source: Any, target: Any) -> pd.DataFrame:
    """The fewest directed edges whose loss stops all supply from ``source`` to ``target``.

    Parallel edges are separate routes, so each counts. Its size equals the number of
    edge-disjoint paths (Menger).

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids.

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
    _, (reach, _) = nx.minimum_cut(D, source, target, capacity="capacity")
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


def min_vertex_cut(G: nx.MultiDiGraph[Any], source: Any, target: Any) -> pd.DataFrame | None:
    """The fewest places whose loss stops all supply from ``source`` to ``target``.

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids.

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
    D: nx.DiGraph[Any] = nx.DiGraph(G)
    cut = nx.minimum_node_cut(D, source, target)
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
