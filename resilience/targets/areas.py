"""Areas to graph elements: corridors, polygon layers, and the links that cross them.

An area removes the nodes inside it and every link whose course crosses it (a road through
a closed corridor is unusable even when both its towns hold). Distances are measured in
the area's local UTM zone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from resilience import settings
from resilience.errors import BadInputError, UnknownTargetError
from resilience.targets.names import EdgeKey, node_arrays, normalize_name, unknown_target

if TYPE_CHECKING:
    # The geo stack loads only when an area is used (a place or a road ref needs none).
    import shapely
    from pyproj import Transformer

__all__ = [
    "area_targets",
    "corridor_area",
    "graph_corridors_file",
    "load_corridors",
    "read_polygons",
    "resolve_corridor",
    "resolve_polygon",
]


def _utm_transformer(lon: float, lat: float) -> Transformer:
    from pyproj import Transformer  # noqa: PLC0415 - the geo stack only when an area is used

    zone = int((lon + 180) // 6) + 1
    epsg = (32600 if lat >= 0 else 32700) + zone
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def _project(geom: shapely.Geometry) -> tuple[shapely.Geometry, Transformer]:
    import numpy as np  # noqa: PLC0415
    import shapely  # noqa: PLC0415 - the geo stack only when an area is used

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
    import numpy as np  # noqa: PLC0415
    import shapely  # noqa: PLC0415 - the geo stack only when an area is used

    if geom.is_empty:
        return frozenset(), frozenset()
    projected, tf = _project(geom)
    if buffer_m > 0:
        projected = projected.buffer(buffer_m)
    shapely.prepare(projected)
    nodes, lat, lon = node_arrays(G)
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
    from shapely.geometry import shape  # noqa: PLC0415 - the geo stack only when an area is used

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
    return corridor_area(G, name, corridors)[0]


def corridor_area(
    G: nx.MultiDiGraph[Any], name: str, corridors: dict[str, dict[str, Any]] | None = None
) -> tuple[frozenset[Any], frozenset[EdgeKey]]:
    """Nodes inside a named corridor and the links that cross it.

    Parameters
    ----------
    G
        The network.
    name
        Corridor name (``myrnohrad`` also matches ``myrnohrad-corridor``).
    corridors
        Corridor definitions; defaults to the graph's region's (:func:`graph_corridors_file`).

    Returns
    -------
    tuple
        ``(nodes, edges)`` as :func:`area_targets` gives them.

    Raises
    ------
    UnknownTargetError
        If no corridor has the name, or it covers no node or link of the graph.
    """
    table = corridors if corridors is not None else load_corridors(graph_corridors_file(G))
    key = normalize_name(name)
    spec = table.get(key) or table.get(f"{key}-corridor")
    if spec is None:
        # Suggest from the short names too: ``myrnohrd`` is far from ``myrnohrad-corridor``.
        names = {k: v["name"] for k, v in table.items()}
        names |= {k.removesuffix("-corridor"): v for k, v in names.items()}
        raise unknown_target("corridor", name, key, names)
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
    import shapely  # noqa: PLC0415

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
