"""Names to graph elements: places, road and rail refs, links between two places.

Names are matched case- and accent-insensitively against node ids, names and aliases
(Ukrainian, Russian and Soviet-era names, transliterations). On the embedded region a place
is its town node plus the stations that serve it; on any other graph (OpenStreetMap, line
layers) a place is every node within its gazetteer radius. A miss raises
:class:`~resilience.errors.UnknownTargetError` with the nearest known names.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

from resilience._text import normalize_name, normalize_ref
from resilience.errors import UnknownTargetError
from resilience.network import node_label
from resilience.sources.bundled import Place, load_places

if TYPE_CHECKING:
    # numpy only where positions are compared (graphs other than the embedded region).
    import numpy as np

__all__ = [
    "EdgeKey",
    "endpoint",
    "link_count",
    "link_of",
    "node_arrays",
    "normalize_name",
    "normalize_ref",
    "place_label",
    "ref_tokens",
    "resolve_edge",
    "resolve_place",
    "resolve_ref",
    "unknown_target",
]

#: A directed edge of a MultiDiGraph: ``(u, v, key)``.
EdgeKey = tuple[Any, Any, int]


def ref_tokens(value: Any) -> set[str]:
    """All normalised refs of an edge's ``ref`` attribute.

    Parameters
    ----------
    value
        A ref, a ``;``/``,``/``/``-separated list of refs, a list of them, or missing.

    Returns
    -------
    set of str
        The refs, as :func:`normalize_ref` folds them.

    Examples
    --------
    >>> sorted(ref_tokens("М-30;H-20"))
    ['H20', 'M30']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return set()
    items = value if isinstance(value, list | tuple | set) else [value]
    out: set[str] = set()
    for item in items:
        for part in re.split(r"[;,/]", str(item)):
            token = normalize_ref(part)
            if token:
                out.add(token)
    return out


# Every look-up re-reads the graph's names (they may change), but normalising one is
# pure: remembered, so the region's ~300 names are normalised once per run, not per name.
_normalized = functools.lru_cache(maxsize=1 << 16)(normalize_name)


def _name_index(G: nx.MultiDiGraph[Any]) -> dict[str, set[Any]]:
    index: dict[str, set[Any]] = {}
    for n, data in G.nodes(data=True):
        names = [str(n), str(data.get("name") or ""), str(data.get("name_uk") or "")]
        names += str(data.get("aliases") or "").split(";")
        for name in names:
            key = _normalized(name)
            if key:
                index.setdefault(key, set()).add(n)
    return index


def _gazetteer_index(gazetteer: dict[str, Place]) -> dict[str, Place]:
    index: dict[str, Place] = {}
    for p in gazetteer.values():
        for name in (p.id, p.name, p.name_uk, *p.aliases):
            index.setdefault(normalize_name(name), p)
    return index


def _suggest(key: str, candidates: Iterable[str], display: dict[str, str]) -> str:
    close = difflib.get_close_matches(key, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return ""
    names = list(dict.fromkeys(display.get(c, c) for c in close))
    return f"; did you mean {', '.join(names)}?"


def unknown_target(
    kind: str, name: str, key: str, candidates: dict[str, str]
) -> UnknownTargetError:
    """The error for a name that matches nothing, with up to three near names.

    Parameters
    ----------
    kind
        What was looked for (``place``, ``corridor``, ...).
    name
        The name as given.
    key
        Its normalised form.
    candidates
        Normalised name to the name shown.

    Returns
    -------
    UnknownTargetError
        The error (not raised).
    """
    hint = _suggest(key, candidates.keys(), candidates)
    return UnknownTargetError(f"unknown {kind} {name!r}{hint}")


def _is_bundled(G: nx.MultiDiGraph[Any]) -> bool:
    return G.graph.get("source") == "bundled"


def node_arrays(G: nx.MultiDiGraph[Any]) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """The node ids and their latitudes and longitudes, in graph order.

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    tuple
        ``(nodes, lat, lon)``.
    """
    import numpy as np  # noqa: PLC0415 - only where positions are compared

    nodes = list(G.nodes)
    lat = np.fromiter((G.nodes[n]["y"] for n in nodes), dtype=float, count=len(nodes))
    lon = np.fromiter((G.nodes[n]["x"] for n in nodes), dtype=float, count=len(nodes))
    return nodes, lat, lon


def resolve_place(
    G: nx.MultiDiGraph[Any], name: str, *, gazetteer: dict[str, Place] | None = None
) -> frozenset[Any]:
    """Find the nodes that make up a named place.

    Parameters
    ----------
    G
        The network.
    name
        A place name, alias or node id, in any case.
    gazetteer
        Places to search by position when the graph does not carry the name; defaults to
        the embedded region's ``places.csv``.

    Returns
    -------
    frozenset
        The place's nodes: on the embedded region its node and the stations serving it;
        on other graphs every node within the place's radius.

    Raises
    ------
    UnknownTargetError
        If no place has that name, or the place lies outside the graph.

    Examples
    --------
    >>> from resilience.sources.bundled import load_region
    >>> sorted(resolve_place(load_region(), "Krasnoarmiisk"))
    ['pokrovsk', 'pokrovsk-station']
    """
    key = normalize_name(name)
    index = _name_index(G)
    if _is_bundled(G):
        if key not in index:
            display = {k: node_label(G, min(v, key=str)) for k, v in index.items()}
            raise unknown_target("place", name, key, display)
        nodes = set(index[key])
        nodes |= {n for n, p in G.nodes(data="place") if p and p in nodes}
        return frozenset(nodes)
    gaz = gazetteer if gazetteer is not None else load_places()
    gindex = _gazetteer_index(gaz)
    place = gindex.get(key)
    if place is not None and not _is_bundled(G):
        import numpy as np  # noqa: PLC0415 - only where positions are compared

        from resilience._geo import haversine_m_array  # noqa: PLC0415

        nodes_l, lat, lon = node_arrays(G)
        near = haversine_m_array(lat, lon, place.lat, place.lon) <= place.radius_m
        found = {nodes_l[i] for i in np.flatnonzero(near)} | index.get(key, set())
        if not found:
            msg = (
                f"place {name!r} ({place.name}) has no node of this graph "
                f"within {place.radius_m:.0f} m"
            )
            raise UnknownTargetError(msg)
        return frozenset(found)
    if key in index:
        return frozenset(index[key])
    display = {k: node_label(G, min(v, key=str)) for k, v in index.items()}
    display |= {k: p.name for k, p in gindex.items()}
    raise unknown_target("place", name, key, display)


def endpoint(
    G: nx.MultiDiGraph[Any], name: str, *, gazetteer: dict[str, Place] | None = None
) -> Any:
    """The single node an origin or destination named ``name`` stands for.

    On the embedded region it is the place's own (road) node; on other graphs the node
    nearest to the place's gazetteer position.

    Parameters
    ----------
    G
        The network.
    name
        A place name, alias or node id.
    gazetteer
        As for :func:`resolve_place`.

    Returns
    -------
    Any
        A node id of ``G``.

    Raises
    ------
    UnknownTargetError
        If the name matches nothing in the graph or gazetteer.
    """
    key = normalize_name(name)
    if name in G:
        return name
    index = _name_index(G)
    if key in index:
        hits = sorted(index[key], key=str)
        roads = [n for n in hits if G.nodes[n].get("mode") != "rail"]
        return (roads or hits)[0]
    nodes = resolve_place(G, name, gazetteer=gazetteer)
    gaz = gazetteer if gazetteer is not None else load_places()
    place = _gazetteer_index(gaz)[key]
    import numpy as np  # noqa: PLC0415 - only where positions are compared

    from resilience._geo import haversine_m_array  # noqa: PLC0415

    ordered = sorted(nodes, key=str)
    lat = np.array([G.nodes[n]["y"] for n in ordered])
    lon = np.array([G.nodes[n]["x"] for n in ordered])
    return ordered[int(np.argmin(haversine_m_array(lat, lon, place.lat, place.lon)))]


def place_label(
    G: nx.MultiDiGraph[Any], n: Any, *, gazetteer: dict[str, Place] | None = None
) -> str:
    """The name of the place a node stands for, for tables a planner reads.

    On the embedded region it is the node's own name. On other graphs a node's name may
    be a street or a kilometre post, so the nearest gazetteer place whose radius holds
    the node names it; a node outside every place keeps its own label.

    Parameters
    ----------
    G
        The network.
    n
        Node id.
    gazetteer
        As for :func:`resolve_place`.

    Returns
    -------
    str
        The label.
    """
    if _is_bundled(G):
        return node_label(G, n)
    gaz = gazetteer if gazetteer is not None else load_places()
    places = [p for p in gaz.values() if p.mode == "road"]
    if not places:
        return node_label(G, n)
    import numpy as np  # noqa: PLC0415 - only where positions are compared

    from resilience._geo import haversine_m_array  # noqa: PLC0415

    d = haversine_m_array(
        [p.lat for p in places], [p.lon for p in places], G.nodes[n]["y"], G.nodes[n]["x"]
    )
    i = int(np.argmin(d - np.array([p.radius_m for p in places])))
    return places[i].name if d[i] <= places[i].radius_m else node_label(G, n)


def resolve_ref(G: nx.MultiDiGraph[Any], ref: str) -> frozenset[EdgeKey]:
    """Every edge carrying a road or rail ref, in any spelling.

    Parameters
    ----------
    G
        The network.
    ref
        E.g. ``M30``, ``М-30``, ``H-20``, ``T-05-04``.

    Returns
    -------
    frozenset
        Edge keys ``(u, v, key)``.

    Raises
    ------
    UnknownTargetError
        If no edge carries it (with the nearest refs that exist).

    Examples
    --------
    >>> from resilience.sources.bundled import load_region
    >>> len(resolve_ref(load_region(), "М-30")) > 0
    True
    """
    want = normalize_ref(ref)
    hits: set[EdgeKey] = set()
    seen: dict[str, str] = {}
    value: Any
    for u, v, k, value in G.edges(keys=True, data="ref"):
        tokens = ref_tokens(value)
        for t in tokens:
            seen.setdefault(t, t)
        if want and want in tokens:
            hits.add((u, v, k))
    if not hits:
        raise unknown_target("road/rail ref", ref, want, seen)
    return frozenset(hits)


def link_of(edge: EdgeKey) -> tuple[frozenset[Any], Any]:
    """The two-way element a directed edge belongs to.

    Both directions of one ``(u, v, key)`` are one link: the rule
    :mod:`resilience.analysis.redundancy` pairs directions by (the line-layer loader gives
    the return direction of a line the same key, so it also shares ``source_id`` and
    geometry). Parallel links between the same two nodes have different keys and stay
    apart.

    Parameters
    ----------
    edge
        ``(u, v, key)``.

    Returns
    -------
    tuple
        ``(frozenset({u, v}), key)``.

    Examples
    --------
    >>> link_of(("a", "b", 1)) == link_of(("b", "a", 1))
    True
    >>> link_of(("a", "b", 0)) == link_of(("a", "b", 1))
    False
    """
    u, v, k = edge
    return frozenset((u, v)), k


def link_count(edges: Iterable[EdgeKey]) -> int:
    """How many links (two-way elements, see :func:`link_of`) some edges make up.

    Parameters
    ----------
    edges
        Directed edge keys ``(u, v, key)``.

    Returns
    -------
    int
        The number of distinct links.

    Examples
    --------
    >>> link_count([("a", "b", 0), ("b", "a", 0), ("a", "b", 1)])
    2
    """
    return len({link_of(e) for e in edges})


def _link_text(G: nx.MultiDiGraph[Any], link: tuple[frozenset[Any], Any]) -> str:
    ends, k = link
    u, v = sorted(ends, key=str) if len(ends) == 2 else (next(iter(ends)),) * 2  # noqa: PLR2004
    data = G.get_edge_data(u, v, k) or G.get_edge_data(v, u, k) or {}
    sid = data.get("source_id")
    extra = f", source_id {sid}" if sid is not None else ""
    return f"{k} ({u}–{v}{extra})"


def _node_id(G: nx.MultiDiGraph[Any], name: str) -> Any:
    # A name that is a node id as written (line layers number their nodes 0, 1, ...).
    if name in G:
        return name
    return next((n for n in G.nodes if str(n) == name), None)


def _pick_key(
    G: nx.MultiDiGraph[Any], hits: set[EdgeKey], key: str, a: str, b: str
) -> set[EdgeKey]:
    links: dict[tuple[frozenset[Any], Any], set[EdgeKey]] = {}
    for e in hits:
        links.setdefault(link_of(e), set()).add(e)
    chosen = [lk for lk in links if str(lk[1]) == key.strip()]
    # A node id given by name narrows a place (town + station) to that node.
    ida, idb = _node_id(G, a), _node_id(G, b)
    exact = [lk for lk in chosen if ida is not None and {ida, idb} == set(lk[0])]
    chosen = exact or chosen
    ordered = sorted(links, key=lambda lk: (sorted(map(str, lk[0])), str(lk[1])))
    listing = ", ".join(_link_text(G, lk) for lk in ordered)
    if not chosen:
        msg = f"no link with key {key!r} joins {a!r} and {b!r}; keys there: {listing}"
        raise UnknownTargetError(msg)
    if len({lk[0] for lk in chosen}) > 1:
        msg = (
            f"key {key!r} names links between several node pairs of {a!r} and {b!r}: "
            f"{listing}; name the two nodes by id"
        )
        raise UnknownTargetError(msg)
    return set().union(*(links[lk] for lk in chosen))


def resolve_edge(
    G: nx.MultiDiGraph[Any],
    a: str,
    b: str,
    *,
    key: str | None = None,
    gazetteer: dict[str, Place] | None = None,
) -> frozenset[EdgeKey]:
    """Every edge, either direction, joining place ``a`` to place ``b`` (or one link).

    Parameters
    ----------
    G
        The network.
    a, b
        Place names or node ids. When the two places overlap (a town and its own
        station) but both are node ids of ``G``, they name those two nodes: the
        road-rail transfer between them.
    key
        Only the link with this edge key (as ``redundancy`` lists it in ``key``): both
        directions of that one link (see :func:`link_of`), leaving its parallel links.
        Where links of several node pairs join the two places (a road between the towns,
        a rail line between their stations), names that are node ids pick their own
        pair; otherwise the key is refused as ambiguous.
    gazetteer
        As for :func:`resolve_place`.

    Returns
    -------
    frozenset
        Edge keys ``(u, v, key)``.

    Raises
    ------
    UnknownTargetError
        If either place is unknown, both name the same place, no edge joins them
        directly, or no link (or more than one node pair's) has ``key``; the message
        lists the keys that exist.

    Examples
    --------
    >>> from resilience.sources.bundled import load_region
    >>> sorted(resolve_edge(load_region(), "pokrovsk", "pokrovsk-station"))
    [('pokrovsk', 'pokrovsk-station', 0), ('pokrovsk-station', 'pokrovsk', 0)]
    """
    na = resolve_place(G, a, gazetteer=gazetteer)
    nb = resolve_place(G, b, gazetteer=gazetteer)
    if set(na) & set(nb):
        ida, idb = _node_id(G, a), _node_id(G, b)
        if ida is not None and idb is not None and ida != idb:
            # Two node ids of one place: a town and its station, the transfer between them.
            na, nb = frozenset({ida}), frozenset({idb})
        else:
            # A town and its own station would match: that cuts a transfer, not a road.
            msg = (
                f"--edge needs two different places; {a!r} and {b!r} name the same place "
                "(name a transfer by its two node ids, e.g. pokrovsk pokrovsk-station)"
            )
            raise UnknownTargetError(msg)
    hits = {
        (u, v, k)
        for u, v, k in G.edges(keys=True)
        if (u in na and v in nb) or (u in nb and v in na)
    }
    if not hits:
        msg = f"no road or rail link joins {a!r} and {b!r} directly"
        raise UnknownTargetError(msg)
    if key is not None:
        hits = _pick_key(G, hits, key, a, b)
    return frozenset(hits)
