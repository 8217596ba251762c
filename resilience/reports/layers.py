"""GIS layers as a GIS user expects them: links as lines, places as points, areas as polygons.

Every layer is a GeoDataFrame in WGS84 (``EPSG:4326``, stated on the layer). A two-way link
is one feature. The library functions here are called by the reports and by the CLI
(``cut --export-network``, the ``routes`` layer of ``cut``/``run``, ``scan``'s links).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from resilience.reports.maps import edge_status, link_pairs
from resilience.scenario import ScenarioResult
from resilience.targets import Removal, apply_removal, place_label

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "CRS",
    "area_layer",
    "cut_layers",
    "element_layers",
    "link_geometry",
    "links_layer",
    "nodes_layer",
    "routes_layer",
    "scenario_layers",
    "worst_layer",
]

#: The CRS of every layer written.
CRS = "EPSG:4326"


def link_geometry(G: nx.MultiDiGraph[Any], u: Any, v: Any, k: Any) -> Any:
    """A link's own geometry (from u to v) or else the straight line between its ends.

    Parameters
    ----------
    G
        The network.
    u, v, k
        The directed edge.

    Returns
    -------
    shapely.LineString
        The line.
    """
    import shapely  # noqa: PLC0415

    geom = G.edges[u, v, k].get("geometry")
    if geom is not None and geom.geom_type == "LineString":
        return geom
    return shapely.LineString(
        [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
    )


def links_layer(
    G: nx.MultiDiGraph[Any],
    status: Mapping[tuple[Any, Any, int], str] | None = None,
    critical: Mapping[tuple[Any, Any, int], int] | None = None,
) -> gpd.GeoDataFrame:
    """Every link as one LineString with its attributes (a two-way link is one feature).

    Parameters
    ----------
    G
        The network.
    status
        Directed edge to status (``status`` column; ``intact`` when missing), or ``None``
        for no status column.
    critical
        Directed edge (either direction) to its betweenness rank (``critical_rank``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``u``, ``v``, ``key``, ``mode``, ``ref``, ``name``, ``length_m``,
        ``travel_time_s`` [, ``status``, ``critical_rank``], sorted by ``u, v, key``.
    """
    import geopandas as gpd  # noqa: PLC0415 - heavy import, only when writing layers

    rows = []
    for u, v, d in link_pairs(G):
        k = d["key"]
        row: dict[str, Any] = {
            "u": str(u),
            "v": str(v),
            "key": int(k),
            "mode": str(d.get("mode", "")),
            "ref": str(d.get("ref") or ""),
            "name": str(d.get("name") or ""),
            "length_m": float(d.get("length", math.nan)),
            "travel_time_s": float(d.get("travel_time", math.nan)),
        }
        if status is not None:
            row["status"] = status.get((u, v, k), "intact")
        if critical is not None:
            row["critical_rank"] = critical.get((u, v, k), critical.get((v, u, k)))
        row["geometry"] = link_geometry(G, u, v, k)
        rows.append(row)
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    if critical is not None:
        frame["critical_rank"] = pd.to_numeric(frame["critical_rank"]).astype("Int64")
    return frame


def nodes_layer(
    G: nx.MultiDiGraph[Any],
    removed: Iterable[Any] = (),
    origins: Sequence[Any] = (),
    destinations: Sequence[Any] = (),
) -> gpd.GeoDataFrame:
    """Every place as a point: ``id``, ``name``, ``kind``, ``mode``, ``status``, ``role``.

    Parameters
    ----------
    G
        The network.
    removed
        Nodes with status ``removed`` (others ``intact``).
    origins, destinations
        Nodes with role ``origin`` / ``destination``.

    Returns
    -------
    geopandas.GeoDataFrame
        Sorted by id.
    """
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    gone = set(removed)
    roles = dict.fromkeys(origins, "origin") | dict.fromkeys(destinations, "destination")
    rows = [
        {
            "id": str(n),
            "name": str(d.get("name") or ""),
            "kind": str(d.get("kind") or ""),
            "mode": str(d.get("mode") or ""),
            "status": "removed" if n in gone else "intact",
            "role": roles.get(n, ""),
            "geometry": shapely.Point(d["x"], d["y"]),
        }
        for n, d in sorted(G.nodes(data=True), key=lambda e: str(e[0]))
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def area_layer(
    area: Any, layer_date: str, categories: Sequence[str], source: str
) -> gpd.GeoDataFrame:
    """The occupied area as one MultiPolygon feature with its date and source.

    Parameters
    ----------
    area
        The area (shapely Polygon or MultiPolygon).
    layer_date
        Date of the front-line layer, ``YYYY-MM-DD``.
    categories
        Categories it unites.
    source
        The dataset and its credit.

    Returns
    -------
    geopandas.GeoDataFrame
        ``category``, ``layer_date``, ``source`` and a MultiPolygon.
    """
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    polys = [g for g in getattr(area, "geoms", [area]) if g.geom_type == "Polygon"]
    row = {
        "category": "+".join(categories),
        "layer_date": layer_date,
        "source": source,
        "geometry": shapely.MultiPolygon(polys),
    }
    return gpd.GeoDataFrame([row], geometry="geometry", crs=CRS)


def _route(G: nx.MultiDiGraph[Any], o: Any, d: Any, weight: str) -> tuple[list[Any], float] | None:
    if o not in G or d not in G:
        return None
    try:
        length, path = nx.single_source_dijkstra(G, o, d, weight=weight)
    except nx.NetworkXNoPath:
        return None
    return list(path), float(length)  # type: ignore[arg-type]


def _best_key(G: nx.MultiDiGraph[Any], u: Any, v: Any, weight: str) -> Any:
    return min(G[u][v], key=lambda k: (G[u][v][k].get(weight, math.inf), str(k)))


def routes_layer(
    G: nx.MultiDiGraph[Any],
    H: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    weight: str = "travel_time",
) -> gpd.GeoDataFrame:
    """One LineString per supply pair before (on ``G``) and after (on ``H``), with times.

    A pair without a route on a network has a row with an empty geometry and status
    ``cut off`` (``lost`` when an endpoint is gone), so both sides always list every pair.

    Parameters
    ----------
    G
        The baseline network.
    H
        The damaged network.
    origins, destinations
        Node ids.
    weight
        Edge attribute minimised.

    Returns
    -------
    geopandas.GeoDataFrame
        ``origin``, ``destination`` (place names, as in the OD table), ``when``
        (``before``/``after``), ``status``, ``time_min``, ``length_km``, ``hops``, ``via``.
    """
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    rows = []
    pairs = [(o, d) for o in dict.fromkeys(origins) for d in dict.fromkeys(destinations) if o != d]
    for o, d in pairs:
        for when, net in (("before", G), ("after", H)):
            found = _route(net, o, d, weight)
            row: dict[str, Any] = {
                "origin": place_label(G, o),
                "destination": place_label(G, d),
                "when": when,
            }
            if found is None:
                lost = o not in net or d not in net
                row |= {
                    "status": "lost" if lost else "cut off",
                    "time_min": math.nan,
                    "length_km": math.nan,
                    "hops": 0,
                    "via": "",
                    "geometry": None,
                }
            else:
                path, _ = found
                coords: list[tuple[float, float]] = []
                minutes = metres = 0.0
                for a, b in itertools.pairwise(path):
                    k = _best_key(net, a, b, weight)
                    data = net[a][b][k]
                    minutes += float(data.get("travel_time", math.nan)) / 60.0
                    metres += float(data.get("length", math.nan))
                    line = list(link_geometry(net, a, b, k).coords)
                    coords += line if not coords else line[1:]
                named = [
                    str(net.nodes[n].get("name"))
                    for n in path[1:-1]
                    if net.nodes[n].get("kind") in ("city", "town")
                ]
                row |= {
                    "status": "ok",
                    "time_min": round(minutes, 3),
                    "length_km": round(metres / 1000.0, 3),
                    "hops": len(path) - 1,
                    "via": "; ".join(named),
                    "geometry": shapely.LineString(coords) if len(coords) > 1 else None,
                }
            rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def element_layers(G: nx.MultiDiGraph[Any], table: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """A per-element table (e.g. ``scan``) as GIS layers: links as lines, places as points.

    Rows whose ``element`` is ``edge`` (or, without that column, whose ``v`` is set) are
    links, drawn with their own geometry or a straight line; the other rows are places at
    ``x``/``y``. One layer per geometry type, as a GeoPackage layer holds one.

    Parameters
    ----------
    G
        The network the table was computed on.
    table
        The table: ``u``, ``v``, ``key`` for links, ``x``/``y`` for places.

    Returns
    -------
    dict
        ``links`` (LineStrings) and/or ``places`` (Points), whichever has rows; columns as
        in ``table`` (``x``/``y`` dropped).
    """
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    from resilience.io import arrow_safe  # noqa: PLC0415

    data = arrow_safe(table).reset_index(drop=True)
    out: dict[str, gpd.GeoDataFrame] = {}
    is_link = pd.Series(data=False, index=data.index)
    if "element" in data.columns:
        is_link = data["element"].astype(str) == "edge"
    elif {"u", "v", "key"} <= set(data.columns):
        text = data["v"].astype(str)
        is_link = data["v"].notna() & ~text.isin(["", "None", "nan", "<NA>"])
    links, places = data[is_link], data[~is_link]
    drop = [c for c in ("x", "y") if c in data.columns]
    if len(links):
        geoms = [
            link_geometry(G, *_edge_key(G, u, v, k))
            for u, v, k in zip(links["u"], links["v"], links["key"], strict=True)
        ]
        out["links"] = gpd.GeoDataFrame(links.drop(columns=drop), geometry=geoms, crs=CRS)
    if len(places) and {"x", "y"} <= set(data.columns):
        pts = shapely.points(places["x"].astype(float), places["y"].astype(float))
        out["places"] = gpd.GeoDataFrame(places.drop(columns=drop), geometry=pts, crs=CRS)
    return out


def _edge_key(G: nx.MultiDiGraph[Any], u: Any, v: Any, k: Any) -> tuple[Any, Any, Any]:
    """The edge as ``G`` keys it (tables may hold ids and keys as text or floats)."""
    for a, b in ((u, v), (v, u)):
        for uu, vv in ((a, b), (str(a), str(b))):
            if G.has_edge(uu, vv):
                keys = list(G[uu][vv])
                key = next((kk for kk in keys if str(kk) == str(k).removesuffix(".0")), keys[0])
                return uu, vv, key
    msg = f"no link {u}-{v} in the network"
    raise KeyError(msg)


def cut_layers(
    G: nx.MultiDiGraph[Any],
    removal: Removal,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    weight: str = "travel_time",
    network: bool = False,
) -> dict[str, gpd.GeoDataFrame]:
    """The layers of a ``cut``: each supply pair's route before and after, and the network.

    Parameters
    ----------
    G
        The intact network.
    removal
        What is removed.
    origins, destinations
        Node ids.
    weight
        Edge attribute minimised.
    network
        Also the damaged network (``network_after``: the links left, as lines) and what
        was removed (``removed_links`` as lines, ``removed_places`` as points, when any).

    Returns
    -------
    dict
        ``routes`` [, ``network_after``, ``removed_links``, ``removed_places``].
    """
    H = apply_removal(G, removal)
    layers = {"routes": routes_layer(G, H, origins, destinations, weight=weight)}
    if network:
        layers["network_after"] = links_layer(H)
        gone = set(removal.nodes)
        status = {
            (u, v, k): "removed"
            for u, v, k in G.edges(keys=True)
            if u in gone or v in gone or (u, v, k) in removal.edges
        }
        links = links_layer(G, status)
        removed = links[links["status"] == "removed"].drop(columns=["status"])
        if len(removed):
            layers["removed_links"] = removed.reset_index(drop=True)
        places = nodes_layer(G, gone, origins, destinations)
        if gone:
            layers["removed_places"] = places[places["status"] == "removed"].reset_index(drop=True)
    return layers


def scenario_layers(
    res: ScenarioResult,
    area: Any = None,
    layer_date: str = "",
    source: str = "",
    worst: pd.DataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """A scenario's GIS layers, each in EPSG:4326.

    ``edges`` carries each link's ``status`` (see
    :func:`resilience.reports.maps.edge_status`) and ``critical_rank``; ``nodes`` the
    places' ``status`` and ``role``; ``network_after`` the links left after the loss;
    ``routes`` each supply pair's route before and after (see :func:`routes_layer`);
    ``occupied_area`` the front-line area with its date, when the scenario has one.

    Parameters
    ----------
    res
        The scenario result.
    area
        The occupied area drawn (shapely), or ``None``.
    layer_date, source
        Its layer date and its dataset credit.
    worst
        The worst set of the scenario's interdiction curve
        (:attr:`resilience.reports.interdiction.ScenarioInterdiction.worst`): written as
        ``worst_links`` (one line per link, its single-loss figures) when it has rows.

    Returns
    -------
    dict
        Layer name to GeoDataFrame.
    """
    G, r = res.graph, res.removal
    H = apply_removal(G, r)
    crit: dict[tuple[Any, Any, int], int] = {
        (u, v, int(k)): int(rank)
        for u, v, k, rank in zip(
            res.critical["u"],
            res.critical["v"],
            res.critical["key"],
            res.critical["rank"],
            strict=True,
        )
    }
    cats = res.scenario.removals.frontline.categories if res.scenario.removals.frontline else ()
    layers = {
        "edges": links_layer(G, edge_status(res), crit),
        "nodes": nodes_layer(G, r.nodes, res.origins, res.destinations),
        "network_after": links_layer(H),
        "routes": routes_layer(G, H, res.origins, res.destinations, weight=res.scenario.weight),
    }
    if area is not None and not area.is_empty:
        layers["occupied_area"] = area_layer(area, layer_date, cats, source)
    if worst is not None and len(worst):
        layers["worst_links"] = worst_layer(G, worst)
    return layers


def worst_layer(G: nx.MultiDiGraph[Any], worst: pd.DataFrame) -> gpd.GeoDataFrame:
    """The worst set of an interdiction curve as lines, one per link.

    Parameters
    ----------
    G
        The network.
    worst
        One row per link: ``u``, ``v``, ``key`` and the other
        :data:`resilience.reports.interdiction.WORST_COLUMNS`.

    Returns
    -------
    geopandas.GeoDataFrame
        Those columns and the link's geometry (EPSG:4326), in the set's order.
    """
    import geopandas as gpd  # noqa: PLC0415 - heavy import, only when writing layers

    from resilience.reports.interdiction import WORST_COLUMNS  # noqa: PLC0415

    geoms = [
        link_geometry(G, *_edge_key(G, u, v, k))
        for u, v, k in zip(worst["u"], worst["v"], worst["key"], strict=True)
    ]
    frame = worst[WORST_COLUMNS].reset_index(drop=True)
    # Node ids as text and keys as integers, as in the other link layers.
    frame = frame.assign(u=frame["u"].map(str), v=frame["v"].map(str), key=frame["key"].map(int))
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=CRS)
