"""Whole-network concerns: validation, collapsing parallel edges, readable labels."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from resilience.errors import BadGraphError

__all__ = ["check_graph", "edge_label", "node_label", "to_digraph"]


def check_graph(G: nx.MultiDiGraph[Any], weight: str = "travel_time") -> None:
    """Refuse a graph the analyses cannot use, with one line naming the problem.

    Parameters
    ----------
    G
        The network.
    weight
        The edge attribute the analyses will minimise.

    Raises
    ------
    BadGraphError
        If the graph is empty, a node lacks ``x``/``y``, or an edge lacks a finite,
        non-negative ``weight``.
    """
    if G.number_of_nodes() == 0:
        msg = "the graph has no nodes"
        raise BadGraphError(msg)
    if G.number_of_edges() == 0:
        msg = "the graph has no edges"
        raise BadGraphError(msg)
    for n, data in G.nodes(data=True):
        if "x" not in data or "y" not in data:
            msg = f"node {n!r} has no x/y coordinates"
            raise BadGraphError(msg)
    value: Any
    for u, v, value in G.edges(data=weight):
        if value is None:
            msg = f"edge {u!r}->{v!r} has no {weight!r}"
            raise BadGraphError(msg)
        w = float(value)
        if not math.isfinite(w) or w < 0:
            msg = f"edge {u!r}->{v!r} has an invalid {weight!r} ({value!r})"
            raise BadGraphError(msg)


def to_digraph(G: nx.MultiDiGraph[Any], weight: str = "travel_time") -> nx.DiGraph[Any]:
    """Collapse parallel edges: the cheapest carries the weight, all count as capacity.

    Parameters
    ----------
    G
        The multigraph.
    weight
        Edge attribute to minimise.

    Returns
    -------
    networkx.DiGraph
        Edge attributes ``weight`` (the minimum), ``capacity`` (the number of parallel
        edges: each is a separate physical route) and ``key`` (the cheapest edge's key).
    """
    D: nx.DiGraph[Any] = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    for u, v, k, data in G.edges(keys=True, data=True):
        w = float(data[weight])
        if D.has_edge(u, v):
            e = D[u][v]
            e["capacity"] += 1
            if w < e[weight]:
                e[weight], e["key"] = w, k
        else:
            D.add_edge(u, v, **{weight: w, "capacity": 1, "key": k})
    return D


def node_label(G: nx.MultiDiGraph[Any], n: Any) -> str:
    """A node's name, or its id when it has none.

    Parameters
    ----------
    G
        The network.
    n
        Node id.

    Returns
    -------
    str
        The label.
    """
    name = G.nodes[n].get("name") if n in G else None
    return str(name) if name else str(n)


def edge_label(G: nx.MultiDiGraph[Any], u: Any, v: Any, k: Any = None) -> str:
    """``ref name (mode)`` of an edge, e.g. ``M-30 Pokrovsk–Myrnohrad (road)``.

    Parameters
    ----------
    G
        The network.
    u, v
        End nodes.
    k
        Edge key; the first parallel edge when omitted.

    Returns
    -------
    str
        The label.
    """
    data = G.edges[u, v, k if k is not None else next(iter(G[u][v]))]
    ref = data.get("ref") or ""
    ref = ";".join(map(str, ref)) if isinstance(ref, list) else str(ref)
    name = data.get("name") or ""
    name = ";".join(map(str, name)) if isinstance(name, list) else str(name)
    if not name:
        name = f"{node_label(G, u)}–{node_label(G, v)}"
    mode = data.get("mode", "")
    return " ".join(p for p in (ref, name, f"({mode})" if mode else "") if p)
