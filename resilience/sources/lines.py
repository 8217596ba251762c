"""Graphs from line layers (GeoJSON, GeoPackage, Shapefile) that carry no topology.

A line layer from a GIS is a bag of polylines. :func:`graph_from_lines` builds the graph
a GIS user expects from it (:func:`node_lines` does the geometry):

- lines meet where they share an end or a vertex, within ``snap_m`` (default 1 m); the
  points that meet are merged to ONE common point (the centroid of the cluster), so two
  ends 0.6 m apart become one node instead of swapping places;
- a line is split only at vertices it shares with another line; a line that passes near
  another, or crosses it without a shared vertex, is not joined to it unless
  ``node_crossings`` is set (then every crossing becomes a junction, via
  :func:`shapely.node`);
- Z is dropped, any CRS is reprojected (lengths are measured in the layer's UTM zone),
  MultiLineStrings are exploded, and each link keeps its feature's position in the layer
  (``source_id``) and attributes; pieces that collapse to a point when ends merge are
  dropped, so no link has zero length.

A one-line summary of what was merged and split is kept in ``G.graph["noding"]``.

Rail stations from a point layer become named nodes joined to the nearest line node.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from resilience.errors import BadGraphError, BadInputError
from resilience.io import read_vector
from resilience.network import impute_speeds_and_times

__all__ = [
    "LINE_SUFFIXES",
    "SNAP_M",
    "STATION_MAX_M",
    "Noding",
    "graph_from_lines",
    "node_lines",
]

#: File suffixes read as line layers.
LINE_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg", ".shp")
#: Default tolerance (m) within which line ends and vertices are the same point. Small:
#: layers drawn with snapping share vertices exactly, and a larger tolerance joins lines
#: that only pass near each other (a 50 m snap split most roads of a 95-line road layer).
SNAP_M = 1.0
#: A station farther than this (m) from every line node is left out. Coarse (1:1M) layers
#: lie up to ~3 km from OpenStreetMap station points (Kramatorsk 3.1 km).
STATION_MAX_M = 4000.0
#: Points closer than this (m) are the same even with ``snap_m=0`` (projection noise).
_EXACT_M = 1e-3
_NAME_COLUMNS = ("name", "name_en", "name:en", "title")
_LOCAL_COLUMNS = ("namelocal", "name_uk", "name:uk", "name_local")
#: Edge attributes the builder sets; a layer column of the same name is not copied over.
_RESERVED = frozenset(
    {"geometry", "length", "mode", "source_id", "speed_kph", "travel_time", "railway", "key"}
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Noding:
    """Line pieces ready to become links, and what noding did to get them.

    Attributes
    ----------
    pieces
        One LineString per link, in the projected CRS, ends moved to their node.
    node_u, node_v
        Node number of each piece's first and last point.
    node_xy
        ``nodes × 2`` projected coordinates of each node.
    part
        Index of the (exploded) input line each piece comes from.
    lines
        Number of input lines.
    merged_ends
        Line ends that became one point with another line's end or vertex.
    largest_move_m
        Largest distance a point moved when merged.
    split_lines
        Input lines split at a vertex shared with another line.
    crossings
        Crossing points made junctions (``node_crossings`` only).
    dropped
        Pieces dropped because merging collapsed them to a point.
    loops
        Closed loops dropped (a piece that returns to its own node offers no route).
    """

    pieces: list[Any]
    node_u: IntArray
    node_v: IntArray
    node_xy: FloatArray
    part: IntArray
    lines: int
    merged_ends: int
    largest_move_m: float
    split_lines: int
    crossings: int
    dropped: int
    loops: int

    def summary(self) -> str:
        """One line saying what noding merged, split and dropped.

        Returns
        -------
        str
            The summary.
        """
        lengths = [p.length for p in self.pieces]
        shortest = min(lengths) if lengths else 0.0
        crossing = f", noded at {self.crossings} crossing points" if self.crossings else ""
        return (
            f"{self.lines} lines -> {len(self.pieces)} links, {len(self.node_xy)} nodes: "
            f"{self.merged_ends} line ends joined to another line (largest move "
            f"{self.largest_move_m:.2f} m), "
            f"{self.split_lines} lines split at shared vertices{crossing}, "
            f"{self.dropped} zero-length pieces and {self.loops} closed loops dropped; "
            f"shortest link {shortest:.1f} m"
        )


def node_lines(lines: list[Any], snap_m: float = SNAP_M, *, node_crossings: bool = False) -> Noding:
    """Node 2-D LineStrings in a metric CRS: merge ends and shared vertices, split there.

    Every vertex of every line is a candidate; vertices of different lines within
    ``snap_m`` of each other are clustered (a KD-tree finds the pairs, connected
    components join chains) and every member is moved to the cluster's centroid. A line
    is split at each of its vertices that joined a cluster; its ends are always nodes.
    Clusters whose centroids end up within ``snap_m`` merge again, so no two nodes are
    closer than the tolerance.

    shapely's ``snap`` moves one line onto another's vertices (two ends within the
    tolerance swap places when each line is snapped to the other) and ``node`` splits at
    every crossing, so neither is used for the default; ``node`` is used when
    ``node_crossings`` asks for crossings to be junctions.

    Parameters
    ----------
    lines
        LineStrings (no Z) in a metric CRS.
    snap_m
        Tolerance in metres.
    node_crossings
        Also split lines where they cross without a shared vertex.

    Returns
    -------
    Noding
        The pieces, their nodes and counts of what was done.
    """
    import shapely  # noqa: PLC0415 - heavy import, only when a layer is used
    from scipy import sparse  # noqa: PLC0415
    from scipy.sparse import csgraph  # noqa: PLC0415
    from scipy.spatial import cKDTree  # noqa: PLC0415

    geoms = shapely.remove_repeated_points(np.asarray(lines, dtype=object), _EXACT_M)
    part = np.arange(len(geoms), dtype=np.int64)
    crossings = 0
    if node_crossings and len(geoms) > 0:
        geoms, part, crossings = _split_at_crossings(geoms)
    xy, line = shapely.get_coordinates(geoms, return_index=True)
    line = line.astype(np.int64)
    n = len(xy)
    starts = np.searchsorted(line, np.arange(len(geoms)))
    ends = np.searchsorted(line, np.arange(len(geoms)), side="right") - 1
    is_end = np.zeros(n, dtype=bool)
    is_end[starts] = True
    is_end[ends] = True

    radius = max(float(snap_m), _EXACT_M)
    pairs = cKDTree(xy).query_pairs(radius, output_type="ndarray")
    pairs = pairs[line[pairs[:, 0]] != line[pairs[:, 1]]]
    # A vertex is a node when it is a line end or shared with another line.
    shared = np.zeros(n, dtype=bool)
    shared[pairs.ravel()] = True
    is_node = is_end | shared
    labels = _components(pairs, n, sparse, csgraph)
    rep, labels = _merge_close(xy, labels, radius, cKDTree, sparse, csgraph)
    moved = np.hypot(*(rep[labels] - xy).T)
    merged = is_end & shared

    new_xy = np.where(is_node[:, None], rep[labels], xy)
    cut = _cut(new_xy, labels, is_node, (starts, ends, part), radius)
    # Number nodes in order of first use, so ids do not depend on clustering internals.
    order = np.empty(2 * len(cut.u), dtype=np.int64)
    order[0::2], order[1::2] = cut.u, cut.v
    _, first = np.unique(order, return_index=True)
    ordered = order[np.sort(first)]
    renum = np.full(len(rep), -1, dtype=np.int64)
    renum[ordered] = np.arange(len(ordered))
    return Noding(
        pieces=cut.pieces,
        node_u=renum[np.asarray(cut.u, dtype=np.int64)],
        node_v=renum[np.asarray(cut.v, dtype=np.int64)],
        node_xy=rep[ordered],
        part=np.asarray(cut.parts, dtype=np.int64),
        lines=len(lines),
        merged_ends=int(merged.sum()),
        largest_move_m=float(moved[is_node].max(initial=0.0)),
        split_lines=cut.split_lines,
        crossings=crossings,
        dropped=cut.dropped,
        loops=cut.loops,
    )


@dataclass
class _Cut:
    pieces: list[Any] = field(default_factory=list)
    u: list[int] = field(default_factory=list)
    v: list[int] = field(default_factory=list)
    parts: list[int] = field(default_factory=list)
    dropped: int = 0
    loops: int = 0
    split_lines: int = 0


def _cut(
    xy: FloatArray,
    labels: IntArray,
    is_node: npt.NDArray[np.bool_],
    lines: tuple[IntArray, IntArray, IntArray],
    radius: float,
) -> _Cut:
    """Each line cut at its node vertices; pieces whose ends merged into one are dropped."""
    import shapely  # noqa: PLC0415

    out = _Cut()
    starts, ends, part = lines
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        cuts = (np.flatnonzero(is_node[s : e + 1]) + s).tolist()
        if len(cuts) > 2:  # noqa: PLR2004 - more than the two ends
            out.split_lines += 1
        for a, b in itertools.pairwise(cuts):
            u, v = int(labels[a]), int(labels[b])
            if u == v:
                # A loop back to its own node leads nowhere; a collapsed piece has no length.
                seg = xy[a : b + 1]
                if float(np.hypot(*np.diff(seg, axis=0).T).sum()) > 2 * radius:
                    out.loops += 1
                else:
                    out.dropped += 1
                continue
            out.pieces.append(shapely.linestrings(xy[a : b + 1]))
            out.u.append(u)
            out.v.append(v)
            out.parts.append(int(part[i]))
    return out


def _components(pairs: IntArray, n: int, sparse: Any, csgraph: Any) -> IntArray:
    adj = sparse.coo_array(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    _, labels = csgraph.connected_components(adj, directed=False)
    return np.asarray(labels, dtype=np.int64)


def _centroids(xy: FloatArray, labels: IntArray) -> FloatArray:
    k = int(labels.max(initial=-1)) + 1
    count = np.bincount(labels, minlength=k).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.stack(
            [
                np.bincount(labels, xy[:, 0], minlength=k) / count,
                np.bincount(labels, xy[:, 1], minlength=k) / count,
            ],
            axis=1,
        )


def _merge_close(
    xy: FloatArray, labels: IntArray, radius: float, tree: Any, sparse: Any, csgraph: Any
) -> tuple[FloatArray, IntArray]:
    """Centroids per cluster; clusters whose centroids lie within ``radius`` are merged."""
    while True:
        rep = _centroids(xy, labels)
        multi = np.flatnonzero(np.bincount(labels) > 1)
        if len(multi) == 0:
            return rep, labels
        # Only a merged cluster's centroid moved; compare those against every cluster.
        near = tree(rep).query_ball_point(rep[multi], radius)
        pairs = [(int(a), int(b)) for a, hits in zip(multi, near, strict=True) for b in hits]
        pairs = [(a, b) for a, b in pairs if a != b]
        if not pairs:
            return rep, labels
        joined = _components(np.asarray(pairs, dtype=np.int64), len(rep), sparse, csgraph)
        labels = joined[labels]


def _split_at_crossings(geoms: Any) -> tuple[Any, IntArray, int]:
    """Lines split at every crossing (shapely.node), each piece traced to its line."""
    import shapely  # noqa: PLC0415

    noded = shapely.get_parts(shapely.node(shapely.MultiLineString(list(geoms))))
    noded = noded[shapely.length(noded) > 0]
    # A piece lies on the line it came from: its midpoint is (nearly) on that line.
    mids = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    hit = shapely.STRtree(geoms).query_nearest(mids, all_matches=False)
    part = np.asarray(hit[1], dtype=np.int64)[np.argsort(hit[0])]
    order = np.argsort(part, kind="stable")
    ends = np.concatenate(
        [
            shapely.get_coordinates(shapely.get_point(noded, 0)),
            shapely.get_coordinates(shapely.get_point(noded, -1)),
        ]
    )
    line_ends = np.concatenate(
        [
            shapely.get_coordinates(shapely.get_point(geoms, 0)),
            shapely.get_coordinates(shapely.get_point(geoms, -1)),
        ]
    )
    new = {tuple(p) for p in np.round(ends, 3).tolist()} - {
        tuple(p) for p in np.round(line_ends, 3).tolist()
    }
    return noded[order], part[order], len(new)


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


def _plain(value: Any) -> Any:
    """A layer value as a plain, GraphML-writable scalar, or ``None`` when missing."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def graph_from_lines(
    path: str | Path,
    mode: str = "rail",
    stations: str | Path | None = None,
    snap_m: float = SNAP_M,
    *,
    node_crossings: bool = False,
    station_max_m: float = STATION_MAX_M,
) -> nx.MultiDiGraph[Any]:
    """Build a rail or road graph from a line layer, optionally with named stations.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or Shapefile of LineStrings/MultiLineStrings, in any CRS,
        with or without Z.
    mode
        ``rail`` (edges get ``railway="rail"``) or ``road`` (``highway`` from a
        ``highway``/``fclass``/``class`` column, else ``unclassified``).
    stations
        A point layer of stations (``name``, optional ``nameLocal``/``name_uk`` and ``id``
        columns). Each becomes a node with ``name`` and ``kind="station"`` joined both ways
        to the nearest line node within ``station_max_m``.
    snap_m
        Tolerance in metres within which line ends and vertices of different lines are
        one point (see :func:`node_lines`).
    node_crossings
        Also make a junction where lines cross without a shared vertex.
    station_max_m
        Stations farther than this from the network are left out.

    Returns
    -------
    networkx.MultiDiGraph
        Integer node ids; nodes ``x``, ``y`` (WGS84), ``mode``; one two-way link per
        noded piece (both directions, same key): ``length`` (m), ``speed_kph``,
        ``travel_time`` (s), ``mode``, ``geometry``, the mode's class tag, ``source_id``
        (the 0-based position of its feature among the layer's line features) and the
        feature's attributes.
        ``G.graph["noding"]`` is a one-line summary of the noding.

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
    gdf["__source_id"] = np.arange(len(gdf), dtype=np.int64)
    proj = _utm(gdf, path).explode(index_parts=False).reset_index(drop=True)
    proj = proj[~proj.geometry.is_empty & (proj.geometry.geom_type == "LineString")]
    proj = proj.reset_index(drop=True)
    noding = node_lines(list(proj.geometry.to_numpy()), snap_m, node_crossings=node_crossings)

    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(
        crs="epsg:4326",
        name=path.name.split(".")[0],
        source="lines",
        source_file=str(path),
        noding=f"{len(gdf)} features, {noding.summary()}",
    )
    if not noding.pieces:
        msg = f"{path.name}: the lines collapse to no edge at {snap_m} m snapping"
        raise BadGraphError(msg)
    to_wgs = gpd.GeoSeries(noding.pieces, crs=proj.crs).to_crs("EPSG:4326").to_numpy()
    nodes_wgs = gpd.GeoSeries(shapely.points(noding.node_xy), crs=proj.crs).to_crs("EPSG:4326")
    for i, pt in enumerate(nodes_wgs.to_numpy()):
        G.add_node(i, x=float(pt.x), y=float(pt.y), mode=mode)

    road_col = _column(proj, ("highway", "fclass", "class")) if mode == "road" else None
    columns = [c for c in proj.columns if c not in (proj.geometry.name, "__source_id")]
    copied = [c for c in columns if str(c) not in _RESERVED and str(c) != road_col]
    records = proj[copied].to_dict("records") if copied else [{} for _ in range(len(proj))]
    source = proj["__source_id"].to_numpy()
    roads = proj[road_col].to_numpy() if road_col is not None else None
    for piece, geo, u, v, p in zip(
        noding.pieces,
        to_wgs,
        noding.node_u.tolist(),
        noding.node_v.tolist(),
        noding.part.tolist(),
        strict=True,
    ):
        attrs: dict[str, Any] = {}
        for col, value in records[p].items():
            plain = _plain(value)
            if plain is not None and plain != "":
                attrs[str(col)] = plain
        attrs.update(mode=mode, length=round(float(piece.length), 1), source_id=int(source[p]))
        if mode == "rail":
            attrs["railway"] = "rail"
        else:
            cls = _plain(roads[p]) if roads is not None else None
            attrs["highway"] = str(cls) if cls not in (None, "") else "unclassified"
        k = G.add_edge(u, v, geometry=geo, **attrs)
        G.add_edge(v, u, key=k, geometry=shapely.reverse(geo), **attrs)
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
    return read_vector(path, geometry="lines", what="line layer", error=BadGraphError)


def _attach_stations(G: nx.MultiDiGraph[Any], path: Path, crs: Any, max_m: float) -> None:
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    pts = read_vector(path, geometry="points", what="station layer", error=BadGraphError)
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
