"""Graphs from line layers (GeoJSON, GeoPackage, Shapefile) that carry no topology.

A line layer from a GIS (e.g. a national railway layer) is a bag of polylines: lines that
should meet may stop a few metres short of each other, and crossings are not split.
:func:`graph_from_lines` snaps line vertices that lie within ``snap_m`` of another line onto
it, splits every line where lines cross or touch (:func:`shapely.node`), and makes each
piece an edge in both directions. Lengths are measured in the layer's UTM zone.

Rail stations from a point layer become named nodes joined to the nearest line node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from resilience.errors import BadGraphError, BadInputError
from resilience.network import impute_speeds_and_times

__all__ = ["LINE_SUFFIXES", "SNAP_M", "STATION_MAX_M", "graph_from_lines", "read_layer"]

#: File suffixes read as line layers.
LINE_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg", ".shp")
#: Default snapping tolerance (m): a line end within this of another line joins it. The
#: 1:1,000,000 railway layers this is meant for leave gaps of tens of metres at junctions;
#: 50 m closes them without joining parallel tracks of different lines (>= ~100 m apart).
SNAP_M = 50.0
#: A station farther than this (m) from every line node is left out. Coarse (1:1M) layers
#: lie up to ~3 km from OpenStreetMap station points (Kramatorsk 3.1 km).
STATION_MAX_M = 4000.0
#: Vertices closer than this (m) after noding are the same node (floating-point noise).
_GRID_M = 0.01
_NAME_COLUMNS = ("name", "name_en", "name:en", "title")
_LOCAL_COLUMNS = ("namelocal", "name_uk", "name:uk", "name_local")


def read_layer(path: str | Path, what: str) -> Any:
    """Read a vector layer, refusing a missing, unreadable or CRS-less file.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or Shapefile.
    what
        What the layer is for, used in messages (``line layer``, ``station layer``).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer, in its own CRS.

    Raises
    ------
    BadGraphError
        If the file is missing or unreadable, or has no CRS.
    """
    import geopandas as gpd  # noqa: PLC0415 - heavy import, only when a layer is used

    path = Path(path)
    if not path.is_file():
        msg = f"no {what} at {path}"
        raise BadGraphError(msg)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises many types for a bad file
        msg = f"cannot read {what} {path.name}: {str(exc).splitlines()[0][:120]}"
        raise BadGraphError(msg) from None
    if gdf.crs is None:
        msg = f"{what} {path.name} has no coordinate reference system; set one (e.g. EPSG:4326)"
        raise BadGraphError(msg)
    return gdf


def _utm(gdf: Any, path: Path) -> Any:
    try:
        utm = gdf.to_crs("EPSG:4326").estimate_utm_crs()
        return gdf.to_crs(utm)
    except Exception as exc:  # noqa: BLE001 - pyproj raises CRSError, ProjError, ValueError
        msg = f"{path.name}: cannot project its CRS {gdf.crs} to UTM ({exc})"
        raise BadGraphError(msg) from None


def _column(gdf: Any, names: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): str(c) for c in gdf.columns}
    return next((lower[n] for n in names if n in lower), None)


def graph_from_lines(
    path: str | Path,
    mode: str = "rail",
    stations: str | Path | None = None,
    snap_m: float = SNAP_M,
    *,
    station_max_m: float = STATION_MAX_M,
) -> nx.MultiDiGraph[Any]:
    """Build a rail or road graph from a line layer, optionally with named stations.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or Shapefile of LineStrings/MultiLineStrings, in any CRS.
    mode
        ``rail`` (edges get ``railway="rail"``) or ``road`` (``highway`` from a
        ``highway``/``fclass``/``class`` column, else ``unclassified``).
    stations
        A point layer of stations (``name``, optional ``nameLocal``/``name_uk`` and ``id``
        columns). Each becomes a node with ``name`` and ``kind="station"`` joined both ways
        to the nearest line node within ``station_max_m``.
    snap_m
        Snapping tolerance in metres: vertices within it of another line are moved onto
        that line before noding, so near-misses become junctions.
    station_max_m
        Stations farther than this from the network are left out.

    Returns
    -------
    networkx.MultiDiGraph
        Integer node ids; nodes ``x``, ``y`` (WGS84), ``mode``; edges ``length`` (m),
        ``speed_kph``, ``travel_time`` (s), ``mode``, ``geometry`` and the mode's class tag.

    Raises
    ------
    BadGraphError
        If a layer is unreadable, has no CRS or no line (or, for stations, no point).
    BadInputError
        If ``mode`` is not ``rail`` or ``road``, or ``snap_m`` is negative.
    """
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    path = Path(path)
    gdf = _read_lines(path, mode, snap_m)
    proj = _utm(gdf, path).explode(index_parts=False)
    pieces = _noded_pieces(list(proj.geometry.to_numpy()), snap_m)

    road_col = _column(proj, ("highway", "fclass", "class"))
    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(
        crs="epsg:4326", name=path.name.split(".")[0], source="lines", source_file=str(path)
    )
    ids: dict[tuple[float, float], int] = {}
    to_wgs = gpd.GeoSeries(pieces, crs=proj.crs).to_crs("EPSG:4326").to_numpy()

    def node(x: float, y: float, lon: float, lat: float) -> int:
        key = (round(x / _GRID_M) * _GRID_M, round(y / _GRID_M) * _GRID_M)
        if key not in ids:
            ids[key] = len(ids)
            G.add_node(ids[key], x=float(lon), y=float(lat), mode=mode)
        return ids[key]

    cls = "unclassified" if road_col is None else None
    for piece, geo in zip(pieces, to_wgs, strict=True):
        (x0, y0), (x1, y1) = piece.coords[0], piece.coords[-1]
        (lon0, lat0), (lon1, lat1) = geo.coords[0], geo.coords[-1]
        u, v = node(x0, y0, lon0, lat0), node(x1, y1, lon1, lat1)
        if u == v:
            continue
        attrs: dict[str, Any] = {"mode": mode, "length": round(float(piece.length), 1)}
        if mode == "rail":
            attrs["railway"] = "rail"
        else:
            attrs["highway"] = cls or "unclassified"
        G.add_edge(u, v, geometry=geo, **attrs)
        G.add_edge(v, u, geometry=shapely.reverse(geo), **attrs)
    if road_col is not None:
        _road_classes(G, proj, road_col, pieces)
    if G.number_of_edges() == 0:
        msg = f"{path.name}: the lines collapse to no edge at {snap_m} m snapping"
        raise BadGraphError(msg)
    if stations is not None:
        _attach_stations(G, Path(stations), proj.crs, station_max_m)
    return impute_speeds_and_times(G)


def _read_lines(path: Path, mode: str, snap_m: float) -> Any:
    if mode not in ("rail", "road"):
        msg = f"a line layer's mode must be rail or road, not {mode!r}"
        raise BadInputError(msg)
    if not np.isfinite(snap_m) or snap_m < 0:
        msg = f"snapping tolerance must be a non-negative number of metres, not {snap_m!r}"
        raise BadInputError(msg)
    gdf = read_layer(path, "line layer")
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf[gdf.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    if gdf.empty:
        msg = f"{path.name}: no line in the layer"
        raise BadGraphError(msg)
    return gdf


def _noded_pieces(lines: list[Any], snap_m: float) -> list[Any]:
    """Lines snapped to their neighbours within ``snap_m``, split at every meeting point."""
    import shapely  # noqa: PLC0415

    if snap_m > 0:
        # Snap each line to all the others so an end that stops short lands on its neighbour.
        tree = shapely.STRtree(lines)
        snapped = []
        for i, line in enumerate(lines):
            near = [j for j in tree.query(line, predicate="dwithin", distance=snap_m) if j != i]
            others = shapely.union_all([lines[j] for j in near]) if near else None
            snapped.append(shapely.snap(line, others, snap_m) if others is not None else line)
        lines = snapped
    noded = shapely.node(shapely.MultiLineString([ln for ln in lines if not ln.is_empty]))
    return [g for g in shapely.get_parts(noded) if g.length > 0]


def _road_classes(G: nx.MultiDiGraph[Any], proj: Any, col: str, pieces: list[Any]) -> None:
    """Give each road piece the class of the source line it lies on."""
    import shapely  # noqa: PLC0415

    tree = shapely.STRtree(list(proj.geometry.to_numpy()))
    values = proj[col].astype(str).to_numpy()
    edges = [(u, v, k) for u, v, k in G.edges(keys=True) if u < v]
    for (u, v, _), piece in zip(edges, pieces, strict=False):
        hit = tree.query_nearest(shapely.line_interpolate_point(piece, 0.5, normalized=True))
        value = str(values[int(hit[0])]) if len(hit) else "unclassified"
        for k in G[u][v]:
            G.edges[u, v, k]["highway"] = value
        for k in G[v][u]:
            G.edges[v, u, k]["highway"] = value


def _attach_stations(G: nx.MultiDiGraph[Any], path: Path, crs: Any, max_m: float) -> None:
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    pts = read_layer(path, "station layer")
    pts = pts[pts.geometry.notna() & (pts.geometry.geom_type == "Point")]
    if pts.empty:
        msg = f"station layer {path.name}: no point in the layer"
        raise BadGraphError(msg)
    wgs = pts.to_crs("EPSG:4326")
    proj = pts.to_crs(crs)
    line_nodes = [n for n in G.nodes if G.degree(n) > 0]
    xs = [G.nodes[n]["x"] for n in line_nodes]
    ys = [G.nodes[n]["y"] for n in line_nodes]
    node_pts = gpd.GeoSeries(shapely.points(xs, ys), crs="EPSG:4326").to_crs(crs).to_numpy()
    tree = shapely.STRtree(node_pts)
    name_col = _column(pts, _NAME_COLUMNS)
    local_col = _column(pts, _LOCAL_COLUMNS)
    id_col = _column(pts, ("id", "osmid", "osm_id"))
    hits, dist = tree.query_nearest(
        proj.geometry.to_numpy(), max_distance=max_m, return_distance=True, all_matches=False
    )
    next_id = max(G.nodes, default=-1) + 1
    for (i_pt, i_node), d in zip(hits.T, dist, strict=True):
        row = pts.iloc[int(i_pt)]
        geom = wgs.geometry.iloc[int(i_pt)]
        name = str(row[name_col]) if name_col and isinstance(row[name_col], str) else ""
        attrs: dict[str, Any] = {
            "x": float(geom.x),
            "y": float(geom.y),
            "mode": "rail",
            "kind": "station",
            "name": name or f"station {int(i_pt)}",
        }
        if local_col and isinstance(row[local_col], str) and row[local_col] != name:
            attrs["aliases"] = row[local_col]
        if id_col and row[id_col] is not None:
            attrs["osmid_station"] = str(row[id_col])
        sid, next_id = next_id, next_id + 1
        G.add_node(sid, **attrs)
        target = line_nodes[int(i_node)]
        link = {"mode": "rail", "railway": "rail", "length": round(float(d), 1), "link": "station"}
        G.add_edge(sid, target, **link)
        G.add_edge(target, sid, **link)
