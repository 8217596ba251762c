"""Turn what a user names into graph elements: places, road refs, corridors, polygons, edges.

Names are matched case- and accent-insensitively against node ids, names and aliases
(Ukrainian, Russian and Soviet-era names, transliterations). On the embedded region a place
is its town node plus the stations that serve it; on any other graph (OpenStreetMap, line
layers) a place is every node within its gazetteer radius. A miss raises
:class:`~resilience.errors.UnknownTargetError` with the nearest known names.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from resilience import settings
from resilience._geo import haversine_m_array
from resilience.errors import BadInputError, UnknownTargetError
from resilience.network import node_label
from resilience.sources.bundled import Place, load_places

__all__ = [
    "EdgeKey",
    "Removal",
    "apply_removal",
    "area_targets",
    "build_removal",
    "endpoint",
    "load_corridors",
    "normalize_name",
    "normalize_ref",
    "place_label",
    "read_polygons",
    "resolve_corridor",
    "resolve_edge",
    "resolve_place",
    "resolve_polygon",
    "resolve_ref",
]

EdgeKey = tuple[Any, Any, int]

# Cyrillic letters that Ukrainian road refs share with Latin ones (М-30, Н-20, Т-05-04, Р-08, Е50).
_CYR_TO_LAT = str.maketrans("АВЕКМНОРСТХІ", "ABEKMHOPCTXI")
_APOSTROPHES = str.maketrans({"’": "", "'": "", "ʼ": "", "`": "", "´": ""})


def normalize_name(name: str) -> str:
    """Fold a place name for matching.

    Parameters
    ----------
    name
        Any spelling.

    Returns
    -------
    str
        Lower case, accents and apostrophes dropped, runs of spaces, dashes and
        underscores folded to one ``-``.

    Examples
    --------
    >>> normalize_name("Chasiv  Yar")
    'chasiv-yar'
    >>> normalize_name("Слов'янськ") == normalize_name("Словʼянськ")
    True
    """
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-–—.,]+", "-", text).strip("-")


def normalize_ref(ref: str) -> str:
    """Fold a road or rail ref for matching.

    Parameters
    ----------
    ref
        One ref, e.g. ``М-30`` (Cyrillic), ``M-30``, ``m30``, ``Т 05 04``.

    Returns
    -------
    str
        Upper-case Latin letters and digits only.

    Examples
    --------
    >>> normalize_ref("М-30") == normalize_ref("m30") == "M30"
    True
    >>> normalize_ref("Т-05-04")
    'T0504'
    """
    return re.sub(r"[^0-9A-Z]", "", ref.upper().translate(_CYR_TO_LAT))


def _ref_tokens(value: Any) -> set[str]:
    """All normalised refs of an edge's ``ref`` attribute (str, list, ``;``-list)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return set()
    items = value if isinstance(value, list | tuple | set) else [value]
    out: set[str] = set()
    for item in items:
        for part in re.split(r"[;,/]", str(item)):
            token = normalize_ref(part)
            if token:
                out.add(token)
    return out


@dataclass(frozen=True)
class Removal:
    """What a scenario takes out of the network.

    Attributes
    ----------
    nodes
        Node ids removed (with all their edges).
    edges
        Edge keys ``(u, v, key)`` removed.
    labels
        Human description of each target, in the order given.
    """

    nodes: frozenset[Any] = frozenset()
    edges: frozenset[EdgeKey] = frozenset()
    labels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        """True when nothing is removed."""
        return not self.nodes and not self.edges

    def slug(self) -> str:
        """A file-name-safe summary of the labels, stable across runs."""
        if not self.labels:
            return "baseline"
        text = "+".join(normalize_name(lbl) for lbl in self.labels)
        return re.sub(r"[^a-z0-9+\-]", "", text)[:80] or "removal"


def _name_index(G: nx.MultiDiGraph[Any]) -> dict[str, set[Any]]:
    index: dict[str, set[Any]] = {}
    for n, data in G.nodes(data=True):
        names = [str(n), str(data.get("name") or ""), str(data.get("name_uk") or "")]
        names += str(data.get("aliases") or "").split(";")
        for name in names:
            key = normalize_name(name)
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


def _unknown(kind: str, name: str, key: str, candidates: dict[str, str]) -> UnknownTargetError:
    hint = _suggest(key, candidates.keys(), candidates)
    return UnknownTargetError(f"unknown {kind} {name!r}{hint}")


def _is_bundled(G: nx.MultiDiGraph[Any]) -> bool:
    return G.graph.get("source") == "bundled"


def _node_arrays(G: nx.MultiDiGraph[Any]) -> tuple[list[Any], np.ndarray, np.ndarray]:
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
            raise _unknown("place", name, key, display)
        nodes = set(index[key])
        nodes |= {n for n, p in G.nodes(data="place") if p and p in nodes}
        return frozenset(nodes)
    gaz = gazetteer if gazetteer is not None else load_places()
    gindex = _gazetteer_index(gaz)
    place = gindex.get(key)
    if place is not None and not _is_bundled(G):
        nodes_l, lat, lon = _node_arrays(G)
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
    raise _unknown("place", name, key, display)


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
        tokens = _ref_tokens(value)
        for t in tokens:
            seen.setdefault(t, t)
        if want and want in tokens:
            hits.add((u, v, k))
    if not hits:
        raise _unknown("road/rail ref", ref, want, seen)
    return frozenset(hits)


def resolve_edge(
    G: nx.MultiDiGraph[Any], a: str, b: str, *, gazetteer: dict[str, Place] | None = None
) -> frozenset[EdgeKey]:
    """Every edge, either direction, joining place ``a`` to place ``b``.

    Parameters
    ----------
    G
        The network.
    a, b
        Place names.
    gazetteer
        As for :func:`resolve_place`.

    Returns
    -------
    frozenset
        Edge keys ``(u, v, key)``.

    Raises
    ------
    UnknownTargetError
        If either place is unknown or no edge joins them directly.
    """
    na = resolve_place(G, a, gazetteer=gazetteer)
    nb = resolve_place(G, b, gazetteer=gazetteer)
    hits = {
        (u, v, k)
        for u, v, k in G.edges(keys=True)
        if (u in na and v in nb) or (u in nb and v in na)
    }
    if not hits:
        msg = f"no road or rail link joins {a!r} and {b!r} directly"
        raise UnknownTargetError(msg)
    return frozenset(hits)


def _utm_transformer(lon: float, lat: float) -> Transformer:
    zone = int((lon + 180) // 6) + 1
    epsg = (32600 if lat >= 0 else 32700) + zone
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def _project(geom: shapely.Geometry) -> tuple[shapely.Geometry, Transformer]:
    c = geom.centroid
    tf = _utm_transformer(c.x, c.y)
    projected = shapely.transform(
        geom, lambda xy: np.column_stack(tf.transform(xy[:, 0], xy[:, 1]))
    )
    return projected, tf


def _nodes_within(
    G: nx.MultiDiGraph[Any], geom: shapely.Geometry, buffer_m: float
) -> frozenset[Any]:
    """Nodes inside a lon/lat geometry grown by ``buffer_m`` metres."""
    return area_targets(G, geom, buffer_m=buffer_m, crossing=False)[0]


def area_targets(
    G: nx.MultiDiGraph[Any],
    geom: shapely.Geometry,
    *,
    buffer_m: float = 0.0,
    crossing: bool = True,
) -> tuple[frozenset[Any], frozenset[EdgeKey]]:
    """Nodes inside an area, and the edges whose course crosses it.

    A road that runs through a closed corridor or an occupied area is unusable even when
    neither of its end towns lies inside, so crossing edges are removed too. An edge's
    course is its ``geometry`` attribute when it has one (OSM graphs), else the straight
    segment between its end nodes (the embedded schematic).

    Parameters
    ----------
    G
        The network.
    geom
        Area or line in lon/lat (WGS84).
    buffer_m
        Grow the geometry by this many metres (in the local UTM zone) first.
    crossing
        Also return the edges that cross the area.

    Returns
    -------
    tuple
        ``(nodes, edges)``; edges incident to a returned node are not listed.
    """
    if geom.is_empty:
        return frozenset(), frozenset()
    projected, tf = _project(geom)
    if buffer_m > 0:
        projected = projected.buffer(buffer_m)
    shapely.prepare(projected)
    nodes, lat, lon = _node_arrays(G)
    x, y = (np.asarray(a) for a in tf.transform(lon, lat))
    inside = shapely.intersects_xy(projected, x, y)
    hit_nodes = frozenset(nodes[i] for i in np.flatnonzero(inside))
    if not crossing:
        return hit_nodes, frozenset()
    pos = {n: (x[i], y[i]) for i, n in enumerate(nodes)}
    keys: list[EdgeKey] = []
    lines: list[shapely.Geometry] = []
    line: Any
    for u, v, k, line in G.edges(keys=True, data="geometry"):
        if u in hit_nodes or v in hit_nodes:
            continue
        keys.append((u, v, k))
        if line is None:
            lines.append(shapely.LineString([pos[u], pos[v]]))
        else:
            lines.append(
                shapely.transform(
                    line, lambda xy: np.column_stack(tf.transform(xy[:, 0], xy[:, 1]))
                )
            )
    if not keys:
        return hit_nodes, frozenset()
    crossed = shapely.intersects(projected, np.array(lines, dtype=object))
    return hit_nodes, frozenset(keys[i] for i in np.flatnonzero(crossed))


def graph_corridors_file(G: nx.MultiDiGraph[Any]) -> Path:
    """The corridors file that goes with a graph.

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    Path
        The embedded region's own ``corridors.geojson`` for an embedded region; the default
        region's for any other graph (its corridors are drawn in lon/lat, so they apply to
        real graphs of the same area).
    """
    own = G.graph.get("corridors_file")
    return Path(own) if own else settings.region_dir() / "corridors.geojson"


def load_corridors(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Read named corridors from a GeoJSON FeatureCollection.

    Parameters
    ----------
    path
        The file; defaults to the embedded region's ``corridors.geojson``.

    Returns
    -------
    dict
        By normalised name: ``{"name", "title", "description", "buffer_m", "geometry"}``.

    Raises
    ------
    BadInputError
        If the file cannot be read or a feature lacks a name or geometry.
    """
    path = path or settings.region_dir() / "corridors.geojson"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        out: dict[str, dict[str, Any]] = {}
        for feat in data["features"]:
            props = feat.get("properties") or {}
            name = str(props["name"])
            out[normalize_name(name)] = {
                "name": name,
                "title": str(props.get("title", name)),
                "description": str(props.get("description", "")),
                "buffer_m": float(props.get("buffer_m", 0.0)),
                "geometry": shape(feat["geometry"]),
            }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"cannot read corridors from {path}: {exc}"
        raise BadInputError(msg) from None
    return out


def resolve_corridor(
    G: nx.MultiDiGraph[Any], name: str, *, corridors: dict[str, dict[str, Any]] | None = None
) -> frozenset[Any]:
    """Nodes inside a named corridor (its geometry buffered by its ``buffer_m``).

    Parameters
    ----------
    G
        The network.
    name
        Corridor name, e.g. ``myrnohrad-corridor`` (``myrnohrad`` alone also matches).
    corridors
        Corridor definitions; defaults to the embedded region's.

    Returns
    -------
    frozenset
        Node ids.

    Raises
    ------
    UnknownTargetError
        If no corridor has the name, or it covers no node of the graph.
    """
    return _corridor_area(G, name, corridors)[0]


def _corridor_area(
    G: nx.MultiDiGraph[Any], name: str, corridors: dict[str, dict[str, Any]] | None
) -> tuple[frozenset[Any], frozenset[EdgeKey]]:
    table = corridors if corridors is not None else load_corridors(graph_corridors_file(G))
    key = normalize_name(name)
    spec = table.get(key) or table.get(f"{key}-corridor")
    if spec is None:
        # Suggest from the short names too: ``myrnohrd`` is far from ``myrnohrad-corridor``.
        names = {k: v["name"] for k, v in table.items()}
        names |= {k.removesuffix("-corridor"): v for k, v in names.items()}
        raise _unknown("corridor", name, key, names)
    nodes, edges = area_targets(G, spec["geometry"], buffer_m=spec["buffer_m"])
    if not nodes and not edges:
        msg = f"corridor {spec['name']!r} covers no node or link of this graph"
        raise UnknownTargetError(msg)
    return nodes, edges


def read_polygons(path: Path) -> shapely.Geometry:
    """The union of the polygons of a GeoJSON / GeoPackage / Shapefile layer, in WGS84.

    Parameters
    ----------
    path
        A polygon layer; see :func:`resilience.io.read_vector` for the CRS rule.

    Returns
    -------
    shapely.Geometry
        The union of its polygons.

    Raises
    ------
    BadInputError
        If the file cannot be read, holds no polygon, or has no CRS and coordinates
        that are not longitude/latitude.
    """
    from resilience.io import read_vector  # noqa: PLC0415 - geopandas only when a layer is used

    polys = read_vector(path, geometry="polygons")
    return shapely.union_all(polys.geometry.to_numpy())


def resolve_polygon(
    G: nx.MultiDiGraph[Any], path: Path, *, buffer_m: float = 0.0
) -> frozenset[Any]:
    """Nodes inside the polygons of a GeoJSON / GeoPackage / Shapefile layer.

    Parameters
    ----------
    G
        The network.
    path
        A polygon layer in any CRS (reprojected to WGS84).
    buffer_m
        Grow the polygons by this many metres first.

    Returns
    -------
    frozenset
        Node ids (possibly empty: a polygon may miss the network). :func:`build_removal`
        also removes the edges that cross the polygons (see :func:`area_targets`).

    Raises
    ------
    BadInputError
        If the file cannot be read or holds no polygon.
    """
    return _nodes_within(G, read_polygons(path), buffer_m)


def build_removal(
    G: nx.MultiDiGraph[Any],
    *,
    nodes: Sequence[str] = (),
    refs: Sequence[str] = (),
    corridors: Sequence[str] = (),
    edges: Sequence[tuple[str, str]] = (),
    polygons: Sequence[Path] = (),
    polygon_buffer_m: float = 0.0,
) -> Removal:
    """Resolve every target a user named into one :class:`Removal`.

    Parameters
    ----------
    G
        The network.
    nodes
        Place names.
    refs
        Road/rail refs.
    corridors
        Corridor names.
    edges
        Pairs of place names whose direct links are cut.
    polygons
        Polygon layers; nodes inside are removed.
    polygon_buffer_m
        Buffer applied to the polygons.

    Returns
    -------
    Removal
        The union of all targets.

    Raises
    ------
    UnknownTargetError
        If a target is unknown.
    BadInputError
        If the targets remove every node of the graph.
    """
    rm_nodes: set[Any] = set()
    rm_edges: set[EdgeKey] = set()
    labels: list[str] = []
    for name in nodes:
        rm_nodes |= resolve_place(G, name)
        labels.append(name)
    for ref in refs:
        rm_edges |= resolve_ref(G, ref)
        labels.append(ref)
    for name in corridors:
        c_nodes, c_edges = _corridor_area(G, name, None)
        rm_nodes |= c_nodes
        rm_edges |= c_edges
        labels.append(name)
    for a, b in edges:
        rm_edges |= resolve_edge(G, a, b)
        labels.append(f"{a}-{b}")
    for path in polygons:
        p_nodes, p_edges = area_targets(G, read_polygons(Path(path)), buffer_m=polygon_buffer_m)
        rm_nodes |= p_nodes
        rm_edges |= p_edges
        labels.append(Path(path).stem)
    if rm_nodes and len(rm_nodes) >= G.number_of_nodes():
        msg = "the targets remove every node of the network; nothing is left to analyse"
        raise BadInputError(msg)
    rm_edges = {e for e in rm_edges if e[0] not in rm_nodes and e[1] not in rm_nodes}
    return Removal(frozenset(rm_nodes), frozenset(rm_edges), tuple(labels))


def apply_removal(G: nx.MultiDiGraph[Any], removal: Removal) -> nx.MultiDiGraph[Any]:
    """A copy of ``G`` without the removed nodes and edges (``G`` is not changed).

    Parameters
    ----------
    G
        The network.
    removal
        What to take out.

    Returns
    -------
    networkx.MultiDiGraph
        The damaged network.
    """
    H = G.copy()
    H.remove_edges_from(removal.edges)  # type: ignore[arg-type]  # (u, v, key) is valid on multigraphs
    H.remove_nodes_from(removal.nodes)
    return H


def resolve_od(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[str] = (),
    destinations: Sequence[str] = (),
) -> tuple[list[Any], list[Any]]:
    """Turn origin and destination names into endpoint nodes, with defaults.

    When a side is not given, the graph's own defaults (``G.graph["origins"]`` /
    ``["destinations"]``) are used, else the embedded region's, keeping only the places
    this graph covers.

    Parameters
    ----------
    G
        The network.
    origins, destinations
        Place names; empty for the defaults.

    Returns
    -------
    tuple of list
        Origin nodes and destination nodes, duplicates dropped, order kept.

    Raises
    ------
    UnknownTargetError
        If a name given is unknown.
    BadInputError
        If no default place lies in this graph.
    """
    from resilience.sources.bundled import load_region  # noqa: PLC0415 - avoids a cycle at import

    out: list[list[Any]] = []
    for side, names in (("origins", origins), ("destinations", destinations)):
        if names:
            nodes = [endpoint(G, n) for n in names]
        else:
            defaults = G.graph.get(side) or load_region().graph[side]
            nodes = []
            for name in defaults:
                try:
                    nodes.append(endpoint(G, str(name)))
                except UnknownTargetError:
                    continue
            if not nodes:
                flag = "--origin" if side == "origins" else "--destination"
                msg = f"none of the default {side} lies in this graph; name them with {flag}"
                raise BadInputError(msg)
        out.append(list(dict.fromkeys(nodes)))
    return out[0], out[1]
