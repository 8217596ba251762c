"""Minimum edge and vertex cuts between supply origins and destinations.

:func:`min_cut` is the one entry point, in the spirit of networkx's ``flow_func``: the
``engine`` picks the compiled path (``"fast"``: Dinic on scipy csgraph over the graph's
cached conversion, :func:`resilience.backend.flow_cut`) or the networkx reference
(``"networkx"``); both return the same extreme cut. ``"auto"`` (what the ``mincut``
command asks for) follows the rule of :data:`resilience.analysis.impact.NETWORKX_MAX_NODES`:
networkx up to that many nodes, where importing scipy (about 1 s at a command's start)
costs more than the whole networkx cut (the embedded region: 107 nodes), the compiled
engine above. scipy is imported only when the compiled engine runs. :func:`min_edge_cut` and
:func:`min_vertex_cut` turn its answer into named tables.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, Literal

import networkx as nx
import pandas as pd

from resilience.analysis.impact import use_networkx
from resilience.errors import BadInputError
from resilience.network import edge_label, node_label, to_digraph

__all__ = ["min_cut", "min_edge_cut", "min_vertex_cut"]

Engine = Literal["auto", "fast", "networkx"]  # as resilience.analysis.flow.Engine
_SUPER = (("__super_source__",), ("__super_sink__",))


def _group(G: nx.MultiDiGraph[Any], ends: Any) -> list[Any]:
    # A single node id (a tuple id too) or an iterable of ids.
    if isinstance(ends, Hashable) and ends in G:
        return [ends]
    if isinstance(ends, str | bytes) or not isinstance(ends, Iterable):
        return [ends]
    return list(dict.fromkeys(ends))


def min_cut(
    G: nx.MultiDiGraph[Any],
    sources: Any,
    targets: Any,
    *,
    kind: Literal["edge", "vertex"] = "edge",
    engine: Engine = "fast",
    near: Literal["source", "target"] = "target",
) -> list[Any] | None:
    """The fewest links (or places) whose loss separates every target from every source.

    Parallel edges are separate routes, so each counts (its size is the number of
    edge-disjoint paths, Menger). Minimum cuts are not unique; the two extreme ones are
    (the residual graph of any maximum flow gives them), so both engines return the same.

    Parameters
    ----------
    G
        The network (not changed).
    sources, targets
        A node id or an iterable of node ids. Groups are joined through a super source
        and super sink of unlimited capacity.
    kind
        ``"edge"`` (links) or ``"vertex"`` (places other than the sources and targets).
    engine
        ``"fast"`` (compiled, default), ``"networkx"`` (the reference) or ``"auto"``
        (networkx up to ``NETWORKX_MAX_NODES`` nodes, else compiled); all give the same cut.
    near
        The cut nearest the ``"target"`` side (the last chokepoints before it, default)
        or the ``"source"`` side.

    Returns
    -------
    list or None
        Edge cut: ``(u, v, key)`` of every cut edge (every parallel edge), sorted by
        ``str`` of the ends then key. Vertex cut: the node ids sorted by ``str``; ``None``
        when an edge links a source to a target directly (no set of places separates
        them). Empty when no target is reachable.

    Raises
    ------
    BadInputError
        If a node is missing, a side is empty, the sides overlap, or ``kind``,
        ``engine`` or ``near`` is not one of its values.

    Examples
    --------
    >>> from resilience.synthetic import road_like
    >>> G = road_like(16, seed=1)
    >>> min_cut(G, 0, 15, engine="fast") == min_cut(G, 0, 15, engine="networkx")
    True
    """
    src, dst = _group(G, sources), _group(G, targets)
    _check_groups(G, src, dst)
    for name, value, allowed in (
        ("kind", kind, ("edge", "vertex")),
        ("engine", engine, ("auto", "fast", "networkx")),
        ("near", near, ("source", "target")),
    ):
        if value not in allowed:
            msg = f"{name} must be {' or '.join(allowed)}, not {value!r}"
            raise BadInputError(msg)
    if not _reaches(G, src, dst):
        return []
    if kind == "vertex" and any(G.has_edge(s, t) for s in src for t in dst):
        return None
    if use_networkx(G, engine):
        found = _networkx_cut(G, src, dst, kind, near)
    else:
        from resilience import backend  # noqa: PLC0415 - scipy only when it runs

        found = backend.flow_cut(G, src, dst, kind=kind, near=near)
    if kind == "edge":
        return sorted(found, key=lambda e: (str(e[0]), str(e[1]), e[2]))
    return sorted(found, key=str)


def _reaches(G: nx.MultiDiGraph[Any], src: list[Any], dst: list[Any]) -> bool:
    seen = set(src)
    stack = list(src)
    want = set(dst)
    while stack:
        u = stack.pop()
        if u in want:
            return True
        for v in G.successors(u):
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return False


def _check_groups(G: nx.MultiDiGraph[Any], src: list[Any], dst: list[Any]) -> None:
    if not src or not dst:
        msg = "a minimum cut needs at least one source and one target"
        raise BadInputError(msg)
    for n in (*src, *dst):
        if n not in G:
            msg = f"{n!r} is not in the network (was it removed?)"
            raise BadInputError(msg)
    if set(src) & set(dst):
        msg = "source and target are the same place"
        raise BadInputError(msg)


def _networkx_cut(
    G: nx.MultiDiGraph[Any], src: list[Any], dst: list[Any], kind: str, near: str
) -> list[Any]:
    """The reference: networkx ``minimum_cut`` on the collapsed or split graph."""
    s, t = _SUPER
    if kind == "edge":
        D = to_digraph(G)
        # No capacity attribute means unlimited capacity in networkx flows.
        D.add_edges_from((s, o) for o in src)
        D.add_edges_from((d, t) for d in dst)
        reach, _ = _near_cut(D, s, t, near)
        return [
            (u, v, k)
            for u in reach
            if u != s
            for v in G.successors(u)
            if v not in reach
            for k in G[u][v]
            if u != v
        ]
    ends = set(src) | set(dst)
    # Split every other node n into (n, 0) -> (n, 1) of capacity 1; links get unbounded
    # capacity, so a minimum cut of this graph cuts only node arcs (Even's construction).
    S: nx.DiGraph[Any] = nx.DiGraph()
    for n in G.nodes:
        if n not in ends:
            S.add_edge((n, 0), (n, 1), capacity=1)
    for u, v in G.edges():
        if u != v:
            S.add_edge((u, 1) if u not in ends else u, (v, 0) if v not in ends else v)
    S.add_edges_from((s, o) for o in src)
    S.add_edges_from((d, t) for d in dst)
    part_s, part_t = _near_cut(S, s, t, near)
    return [n for n in G.nodes if (n, 0) in part_s and (n, 1) in part_t]


def _check(G: nx.MultiDiGraph[Any], s: Any, t: Any) -> None:
    if s == t:
        msg = "source and target are the same place"
        raise BadInputError(msg)
    for n in (s, t):
        if n not in G:
            msg = f"{n!r} is not in the network (was it removed?)"
            raise BadInputError(msg)


def _near(near: str) -> Literal["source", "target"]:
    if near == "source":
        return "source"
    if near == "target":
        return "target"
    msg = f"near must be 'source' or 'target', not {near!r}"
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
    G: nx.MultiDiGraph[Any],
    source: Any,
    target: Any,
    *,
    near: str = "target",
    engine: Engine = "fast",
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
    engine
        ``"fast"`` (compiled, default), ``"networkx"`` or ``"auto"``; see :func:`min_cut`.

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
    cut = min_cut(G, source, target, kind="edge", engine=engine, near=_near(near))
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
        for u, v, k in cut or []
    ]
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(rows, columns=cols).sort_values(["from", "to", "key"], ignore_index=True)


def min_vertex_cut(
    G: nx.MultiDiGraph[Any],
    source: Any,
    target: Any,
    *,
    near: str = "target",
    engine: Engine = "fast",
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
    engine
        ``"fast"`` (compiled, default), ``"networkx"`` or ``"auto"``; see :func:`min_cut`.

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
    found = min_cut(G, source, target, kind="vertex", engine=engine, near=_near(near))
    if found is None:
        return None
    if not found:
        return pd.DataFrame(columns=cols)
    cut = set(found)
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
