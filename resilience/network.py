"""Whole-network concerns: validation, collapsing parallel edges, readable labels."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import networkx as nx

from resilience.errors import BadGraphError

__all__ = [
    "GraphRepairWarning",
    "check_graph",
    "edge_label",
    "node_label",
    "repair_graph",
    "to_digraph",
]


class GraphRepairWarning(UserWarning):
    """A graph file had bad values that were replaced by documented defaults."""


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` when it is missing or not a usable number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


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
        If the graph is empty, a node lacks finite ``x``/``y``, or an edge lacks a finite,
        non-negative ``weight`` or ``length``.
    """
    if G.number_of_nodes() == 0:
        msg = "the graph has no nodes"
        raise BadGraphError(msg)
    if G.number_of_edges() == 0:
        msg = "the graph has no edges"
        raise BadGraphError(msg)
    for n, data in G.nodes(data=True):
        if _number(data.get("x")) is None or _number(data.get("y")) is None:
            msg = f"node {n!r} has no usable x/y coordinates"
            raise BadGraphError(msg)
    # ``length`` is checked whatever the weight: ``--weight length`` and the path tables
    # read it, and a graph without it is not an osmnx-style road graph.
    for attr in dict.fromkeys(("length", weight)):
        value: Any
        for u, v, value in G.edges(data=attr):
            if value is None:
                msg = f"edge {u!r}->{v!r} has no {attr!r}"
                raise BadGraphError(msg)
            w = _number(value)
            if w is None or w < 0:
                msg = f"edge {u!r}->{v!r} has an invalid {attr!r} ({value!r})"
                raise BadGraphError(msg)


_REPAIRED = {
    "length": "edge length(s) missing, not a number, negative or infinite were set to the "
    "straight-line distance between their ends",
    "speed_kph": "speed(s) not a positive finite number were set to the default speed of "
    "their road/rail class",
    "travel_time": "travel time(s) missing, not a number, zero, negative or infinite were "
    "recomputed from length at the edge's speed",
}


def _class_kph(data: dict[str, Any]) -> tuple[str, float]:
    """The default speed of an edge's class (the same tables OSM graphs are imputed with)."""
    if edge_mode(data) == "rail":
        return "rail", _rail_kph({k: v for k, v in data.items() if k != "maxspeed"})
    cls = _first(data.get("highway")) or "road"
    return cls, ROAD_SPEEDS_KPH.get(cls, ROAD_FALLBACK_KPH)


def _straight_line(G: nx.MultiDiGraph[Any], u: Any, v: Any) -> float | None:
    """Great-circle metres between two nodes, or ``None`` when one lacks coordinates."""
    from resilience._geo import haversine_m  # noqa: PLC0415 - avoids a cycle at import

    lat1, lon1 = _number(G.nodes[u].get("y")), _number(G.nodes[u].get("x"))
    lat2, lon2 = _number(G.nodes[v].get("y")), _number(G.nodes[v].get("x"))
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    return round(haversine_m(lat1, lon1, lat2, lon2), 1)


def _example(u: Any, v: Any, value: Any) -> str:
    return f"e.g. edge {u!r}->{v!r}: {value!r}"


def repair_graph(G: nx.MultiDiGraph[Any]) -> tuple[nx.MultiDiGraph[Any], list[str]]:
    """Replace unusable edge lengths, speeds and travel times by documented defaults.

    The rules, applied per edge:

    * ``length`` missing, not a number (or NaN), negative or infinite → the great-circle
      distance between the edge's end nodes (a lower bound of the road's length);
    * ``speed_kph`` present but not a positive finite number → the class speed that OSM
      graphs are imputed with: :data:`ROAD_SPEEDS_KPH` by ``highway`` (else
      :data:`ROAD_FALLBACK_KPH`), :data:`RAIL_SPEEDS_KPH` by ``usage``/``service`` (else
      :data:`RAIL_FALLBACK_KPH`);
    * ``travel_time`` missing, not a number (or NaN), negative, infinite, or zero on an
      edge of positive length (an infinite speed) → ``length`` at the edge's speed (its
      own ``speed_kph`` when usable, else the class speed).

    What cannot be repaired is left for :func:`check_graph` to refuse: an empty graph,
    nodes without coordinates, and a graph whose edges carry no ``length`` at all (it is
    not a road graph, and guessing every length would hide that).

    Parameters
    ----------
    G
        The network (not changed).

    Returns
    -------
    tuple
        The repaired graph (``G`` itself when nothing needed repair, else a copy) and one
        warning line per kind of repair, naming how many edges and an example.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node(0, x=37.0, y=48.0); G.add_node(1, x=37.0, y=48.01)
    >>> _ = G.add_edge(0, 1, length=1112.0, travel_time=float("nan"), highway="primary")
    >>> H, notes = repair_graph(G)
    >>> round(H.edges[0, 1, 0]["travel_time"], 1), len(notes)
    (57.2, 1)
    """
    if not any("length" in d for *_, d in G.edges(data=True)):
        return G, []
    fixes: dict[str, list[str]] = {"length": [], "speed_kph": [], "travel_time": []}
    H = G.copy()
    for u, v, data in H.edges(data=True):
        length = _number(data.get("length"))
        if length is None or length < 0:
            length = _straight_line(H, u, v)
            if length is None:
                continue  # check_graph names the node without coordinates
            fixes["length"].append(_example(u, v, data.get("length")))
            data["length"] = length
        cls, kph = _class_kph(data)
        if "speed_kph" in data:
            speed = _number(data["speed_kph"])
            if speed is None or speed <= 0:
                fixes["speed_kph"].append(_example(u, v, data["speed_kph"]))
                data["speed_kph"] = kph
            else:
                kph = speed
        tt = _number(data.get("travel_time"))
        if tt is None or tt < 0 or (tt == 0 and length > 0):
            fixes["travel_time"].append(f"{_example(u, v, data.get('travel_time'))} ({cls})")
            data["travel_time"] = round(length / (kph / 3.6), 1)
    notes = [
        f"{len(found)} {_REPAIRED[attr]} ({found[0]})" for attr, found in fixes.items() if found
    ]
    return (H, notes) if notes else (G, [])


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


__all__ += [
    "KEEP_NODE_ATTRS",
    "SPLIT_ATTRS",
    "consolidate",
    "edge_mode",
    "impute_speeds_and_times",
    "make_multimodal",
    "simplify_segments",
]

#: Speed (km/h) of a road class when OpenStreetMap gives no ``maxspeed`` for any edge of it:
#: Ukrainian limits outside towns (trunk 90-110, rural 90) lowered for laden trucks.
ROAD_SPEEDS_KPH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 80.0,
    "trunk_link": 40.0,
    "primary": 70.0,
    "primary_link": 40.0,
    "secondary": 60.0,
    "secondary_link": 35.0,
    "tertiary": 50.0,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "service": 20.0,
}
#: Road speed for a class in neither OSM ``maxspeed`` nor :data:`ROAD_SPEEDS_KPH`.
ROAD_FALLBACK_KPH = 40.0
#: Freight train speed (km/h) by OSM ``usage``; sidings, yards and spurs (``service``) are slow.
RAIL_SPEEDS_KPH: dict[str, float] = {
    "main": 70.0,
    "branch": 45.0,
    "industrial": 25.0,
    "military": 40.0,
    "tourism": 30.0,
    "service": 15.0,
}
#: Rail speed when a track has neither ``maxspeed`` nor a known ``usage``/``service``.
RAIL_FALLBACK_KPH = 50.0
#: Rail stations farther than this from every road node get no transfer edge.
TRANSFER_MAX_M = 3000.0
_STATION_TAGS = frozenset({"station", "halt"})


def _first(value: Any) -> str:
    """The first item of an OSM attribute that simplification may have turned into a list."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _parse_kph(value: Any) -> float | None:
    """Km/h from an OSM ``maxspeed`` (``80``, ``"80;60"``, ``"50 mph"``), else ``None``."""
    values = value if isinstance(value, list | tuple) else [value]
    speeds = []
    for item in values:
        for part in str(item).split(";"):
            text = part.strip().lower()
            factor = 1.609344 if text.endswith("mph") else 1.0
            try:
                speed = float(text.removesuffix("mph").strip()) * factor
            except ValueError:
                continue
            if speed > 0 and math.isfinite(speed):
                speeds.append(speed)
    return min(speeds) if speeds else None


def _osmnx_kph(value: Any) -> float | None:
    """Km/h from a road ``maxspeed`` exactly as :func:`osmnx.add_edge_speeds` reads it.

    That covers ``50``, ``50 km/h``, ``30 mph`` and implicit values such as ``UA:urban``
    (50) or ``RU:rural`` (90); what osmnx cannot read (``60;80``, ``signals``) counts as
    untagged, so the class mean and the per-edge speeds agree on which edges are tagged.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        from osmnx.routing import (  # noqa: PLC0415 - osmnx's own reading
            _clean_maxspeed,
            _collapse_multiple_maxspeed_values,
        )
    except ImportError:  # pragma: no cover - a future osmnx renamed it
        return _parse_kph(value)
    if isinstance(value, list):
        value = _collapse_multiple_maxspeed_values(value, _mean)
    kph = _clean_maxspeed(str(value))
    return float(kph) if kph is not None and math.isfinite(kph) and kph > 0 else None


def _mean(values: Any) -> float:
    items = [float(v) for v in values]
    return math.fsum(items) / len(items) if items else math.nan


def _rail_kph(data: dict[str, Any]) -> float:
    observed = _parse_kph(data.get("maxspeed"))
    if observed is None:
        observed = _osmnx_kph(data.get("maxspeed"))
    if observed is not None:
        return observed
    if _first(data.get("service")):
        return RAIL_SPEEDS_KPH["service"]
    return RAIL_SPEEDS_KPH.get(_first(data.get("usage")), RAIL_FALLBACK_KPH)


def edge_mode(data: dict[str, Any]) -> str:
    """An edge's mode: its ``mode`` attribute, else ``rail`` for a railway, else ``road``.

    Parameters
    ----------
    data
        Edge attributes.

    Returns
    -------
    str
        ``road``, ``rail`` or ``transfer``.
    """
    mode = data.get("mode")
    if mode:
        return str(mode)
    return "rail" if _first(data.get("railway")) else "road"


def _road_class_kph(G: nx.MultiDiGraph[Any]) -> dict[str, float]:
    """The speed an untagged road edge of each class gets: the mean tagged ``maxspeed``.

    A class with no tagged edge in ``G`` falls back to :data:`ROAD_SPEEDS_KPH` (then
    :data:`ROAD_FALLBACK_KPH`). Classes are sorted so the mean is summed in one order.
    """
    tagged: dict[str, list[float]] = {}
    classes: set[str] = set()
    for *_, data in G.edges(data=True):
        if edge_mode(data) != "road":
            continue
        cls = _first(data.get("highway")) or "unclassified"
        classes.add(cls)
        kph = _osmnx_kph(data.get("maxspeed"))
        if kph is not None:
            tagged.setdefault(cls, []).append(kph)
    out: dict[str, float] = {}
    for cls in sorted(classes):
        speeds = tagged.get(cls)
        out[cls] = (
            math.fsum(speeds) / len(speeds)
            if speeds
            else ROAD_SPEEDS_KPH.get(cls, ROAD_FALLBACK_KPH)
        )
    return out


def impute_speeds_and_times(G: nx.MultiDiGraph[Any]) -> nx.MultiDiGraph[Any]:
    """Give every road and rail edge ``speed_kph`` and ``travel_time`` (s), in place.

    Road edges go through :func:`osmnx.add_edge_speeds`: a tagged ``maxspeed`` wins, an
    untagged edge gets the mean ``maxspeed`` of the tagged edges of its class in this
    graph, and a class with no tagged edge falls back to :data:`ROAD_SPEEDS_KPH` (then
    :data:`ROAD_FALLBACK_KPH`). Rail edges take their ``maxspeed``, else
    :data:`RAIL_SPEEDS_KPH` by ``service`` or ``usage``, else :data:`RAIL_FALLBACK_KPH`.
    Transfer edges keep their own time. Every edge gets ``mode``.

    Run it on the unsimplified graph (one edge per OpenStreetMap segment) and let
    :func:`simplify_segments` sum the segments' times: a merged edge then takes as long
    as its segments did, each at its own speed.

    Parameters
    ----------
    G
        A graph whose edges have ``length`` in metres.

    Returns
    -------
    networkx.MultiDiGraph
        ``G`` itself.

    Raises
    ------
    BadGraphError
        If an edge has no usable ``length``.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="epsg:4326")
    >>> G.add_node(0, x=37.0, y=48.0); G.add_node(1, x=37.0, y=48.01)
    >>> _ = G.add_edge(0, 1, length=1000.0, highway="primary", maxspeed="90")
    >>> _ = G.add_edge(1, 0, length=1000.0, highway="primary", maxspeed="50")
    >>> _ = G.add_edge(0, 1, length=1000.0, highway="primary")
    >>> sorted(s for *_, s in impute_speeds_and_times(G).edges(data="speed_kph"))
    [50.0, 70.0, 90.0]
    """
    road: nx.MultiDiGraph[Any] = nx.MultiDiGraph(crs=G.graph.get("crs", "epsg:4326"))
    for u, v, k, data in G.edges(keys=True, data=True):
        mode = edge_mode(data)
        data["mode"] = mode
        try:
            length = float(data["length"])
        except (KeyError, TypeError, ValueError):
            msg = f"edge {u!r}->{v!r} has no usable length"
            raise BadGraphError(msg) from None
        if mode == "road":
            road.add_nodes_from(
                (n, {"x": G.nodes[n].get("x"), "y": G.nodes[n].get("y")}) for n in (u, v)
            )
            attrs = {"highway": _first(data.get("highway")) or "unclassified"}
            if _osmnx_kph(data.get("maxspeed")) is not None:
                attrs["maxspeed"] = data["maxspeed"]
            road.add_edge(u, v, k, **attrs)
        elif mode == "rail":
            data["speed_kph"] = _rail_kph(data)
            data["travel_time"] = length / (data["speed_kph"] / 3.6)
    if road.number_of_edges():
        import osmnx as ox  # noqa: PLC0415 - slow import, only needed when there are roads

        # Every class is given a speed, so osmnx uses ours (class mean of the tagged
        # edges, else the table) instead of its table-over-mean rule.
        road = ox.add_edge_speeds(road, hwy_speeds=_road_class_kph(G), fallback=ROAD_FALLBACK_KPH)
        for u, v, k, rd in road.edges(keys=True, data=True):
            speed = float(rd["speed_kph"])
            data = G.edges[u, v, k]
            data["speed_kph"] = speed
            data["travel_time"] = float(data["length"]) / (speed / 3.6)
    _round_times(G)
    return G


def _round_times(G: nx.MultiDiGraph[Any]) -> None:
    """Speeds to 0.1 km/h, times to the millisecond: exact enough to sum, stable as text."""
    for *_, data in G.edges(data=True):
        if data["mode"] in {"road", "rail"}:
            data["speed_kph"] = round(data["speed_kph"], 1)
            data["travel_time"] = round(data["travel_time"], 3)


#: Edge attributes whose change keeps the node between two segments through
#: simplification: where a ref ends, the class or the speed limit changes, or a siding
#: leaves the main line, a node stays so a merged edge carries one value of each.
SPLIT_ATTRS: tuple[str, ...] = ("ref", "highway", "railway", "maxspeed", "usage", "service")
#: Node attributes that keep a node through simplification: named places and stations.
KEEP_NODE_ATTRS: tuple[str, ...] = ("name", "kind")


def _merge_values(values: list[Any]) -> Any:
    """The distinct values of merged segments, sorted (never set order); one stays scalar."""
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    distinct = sorted(set(flat), key=lambda v: (type(v).__name__, str(v)))
    return distinct[0] if len(distinct) == 1 else distinct


def _sum(values: list[Any]) -> float:
    return math.fsum(float(v) for v in values)


def simplify_segments(G: nx.MultiDiGraph[Any]) -> nx.MultiDiGraph[Any]:
    """Merge chains of OpenStreetMap segments into edges, keeping what makes them differ.

    Runs :func:`osmnx.simplify_graph` with ``edge_attrs_differ`` = :data:`SPLIT_ATTRS`
    (a node stays where a ref, class, ``maxspeed``, ``usage`` or ``service`` changes, so
    an edge's ``ref`` is the refs running along all of it) and ``node_attrs_include`` =
    :data:`KEEP_NODE_ATTRS` (named places and stations stay nodes). ``length`` and
    ``travel_time`` are summed over the segments (so compute speeds first, per segment,
    with :func:`impute_speeds_and_times`); ``speed_kph`` becomes the merged edge's mean
    speed; every other attribute keeps its sorted distinct values (one value stays a
    scalar). Isolated rings are kept, so no kilometre is lost.

    Parameters
    ----------
    G
        An unsimplified osmnx-style graph of one mode (node ``x``/``y``, edge ``length``).

    Returns
    -------
    networkx.MultiDiGraph
        A new simplified graph (``G`` is not changed), or ``G`` when it has no edge.
    """
    if not G.number_of_edges() or G.graph.get("simplified"):
        return G
    import osmnx as ox  # noqa: PLC0415 - slow import, only needed for OSM graphs

    names = sorted({k for *_, d in G.edges(data=True) for k in d})
    aggs: dict[str, Any] = dict.fromkeys(names, _merge_values)
    aggs |= {"length": _sum, "travel_time": _sum}
    H: nx.MultiDiGraph[Any] = ox.simplify_graph(
        G,
        node_attrs_include=KEEP_NODE_ATTRS,
        edge_attrs_differ=SPLIT_ATTRS,
        remove_rings=False,
        edge_attr_aggs=aggs,
    )
    for *_, d in H.edges(data=True):
        if "geometry" in d and "travel_time" in d:
            d["travel_time"] = round(float(d["travel_time"]), 3)
            tt = d["travel_time"]
            if tt > 0:
                d["speed_kph"] = round(float(d["length"]) / tt * 3.6, 1)
    return H


def _station_nodes(G: nx.MultiDiGraph[Any]) -> list[Any]:
    return [
        n
        for n, d in G.nodes(data=True)
        if d.get("kind") == "station" or _first(d.get("railway")) in _STATION_TAGS
    ]


def make_multimodal(
    road: nx.MultiDiGraph[Any],
    rail: nx.MultiDiGraph[Any],
    transfer_s: float = 1800.0,
    link_stations: bool = True,
    *,
    max_link_m: float = TRANSFER_MAX_M,
) -> nx.MultiDiGraph[Any]:
    """Merge a road graph and a rail graph into one network joined at stations.

    The two networks share no node: a rail node whose id is also a road node (a level
    crossing in OpenStreetMap) gets a twin id (``-id`` for integers, ``"rail:id"``
    otherwise), so trains and trucks only change network through a transfer. Each rail
    station (``kind="station"`` or ``railway=station|halt``) is joined to the nearest
    road node within ``max_link_m`` by a pair of ``transfer`` edges whose ``travel_time``
    is ``transfer_s`` (default 30 min: unloading, reloading and waiting at the ramp) and
    whose ``length`` is the straight-line distance.

    Parameters
    ----------
    road, rail
        Graphs in WGS84 (node ``x``/``y``); not changed.
    transfer_s
        Time of one road↔rail transfer, in seconds.
    link_stations
        Add the transfer edges; without them the modes are separate components.
    max_link_m
        A station farther than this from every road node stays rail-only.

    Returns
    -------
    networkx.MultiDiGraph
        The multimodal graph; every edge has ``mode`` (``road``, ``rail``, ``transfer``).

    Raises
    ------
    BadGraphError
        If ``transfer_s`` is negative or not finite.
    """
    if not math.isfinite(transfer_s) or transfer_s < 0:
        msg = f"transfer time must be a non-negative number of seconds, not {transfer_s!r}"
        raise BadGraphError(msg)
    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph()
    G.graph.update(rail.graph)
    G.graph.update(road.graph)
    G.graph["crs"] = "epsg:4326"
    G.graph["modes"] = "road,rail"
    for n, d in road.nodes(data=True):
        G.add_node(n, **{**d, "mode": d.get("mode") or "road"})
    for u, v, k, d in road.edges(keys=True, data=True):
        G.add_edge(u, v, k, **{**d, "mode": d.get("mode") or "road"})

    def twin(n: Any) -> Any:
        if n not in road:
            return n
        return -n if isinstance(n, int) and n > 0 else f"rail:{n}"

    for n, d in rail.nodes(data=True):
        G.add_node(twin(n), **{**d, "mode": "rail"})
    for u, v, k, d in rail.edges(keys=True, data=True):
        G.add_edge(twin(u), twin(v), k, **{**d, "mode": d.get("mode") or "rail"})

    if link_stations and road.number_of_nodes():
        _link_stations(G, road, rail, twin, transfer_s, max_link_m)
    return G


def _link_stations(
    G: nx.MultiDiGraph[Any],
    road: nx.MultiDiGraph[Any],
    rail: nx.MultiDiGraph[Any],
    twin: Callable[[Any], Any],
    transfer_s: float,
    max_link_m: float,
) -> None:
    """Join each rail station to its nearest road node by a pair of transfer edges."""
    from resilience._geo import haversine_m_array  # noqa: PLC0415 - avoids a cycle at import

    road_ids = list(road.nodes)
    lat = [road.nodes[n]["y"] for n in road_ids]
    lon = [road.nodes[n]["x"] for n in road_ids]
    for s in _station_nodes(rail):
        sd = rail.nodes[s]
        dist = haversine_m_array(lat, lon, float(sd["y"]), float(sd["x"]))
        i = int(dist.argmin())
        if dist[i] > max_link_m:
            continue
        name = sd.get("name") or str(s)
        attrs = {
            "mode": "transfer",
            "length": round(float(dist[i]), 1),
            "travel_time": float(transfer_s),
            "speed_kph": round(float(dist[i]) / max(transfer_s, 1.0) * 3.6, 3),
            "name": f"{name} transfer",
            "ref": "",
        }
        G.add_edge(twin(s), road_ids[i], **attrs)
        G.add_edge(road_ids[i], twin(s), **attrs)


def consolidate(G: nx.MultiDiGraph[Any], tolerance_m: float) -> nx.MultiDiGraph[Any]:
    """Merge the nodes of one complex junction or station throat into one node.

    Runs :func:`osmnx.consolidate_intersections` in the graph's UTM projection (so the
    tolerance is in metres) and returns the result in WGS84. Each mode is consolidated on
    its own so a road junction never swallows a nearby rail node; consolidate before
    :func:`make_multimodal`, which adds the transfer edges.

    Parameters
    ----------
    G
        A road-only or rail-only graph in WGS84 with ``geometry``-free or osmnx edges.
    tolerance_m
        Nodes within this distance of each other (buffer radius) merge.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; ``G`` is not changed. Node ids are renumbered from 0.

    Raises
    ------
    BadGraphError
        If the tolerance is not positive, or ``G`` already has transfer edges or mixes modes.
    """
    import osmnx as ox  # noqa: PLC0415 - slow import, only needed for OSM-style graphs

    if not math.isfinite(tolerance_m) or tolerance_m <= 0:
        msg = f"consolidation tolerance must be a positive number of metres, not {tolerance_m!r}"
        raise BadGraphError(msg)
    modes = {edge_mode(d) for *_, d in G.edges(data=True)}
    if len(modes) > 1:
        msg = "consolidate road and rail separately, before make_multimodal joins them"
        raise BadGraphError(msg)
    H = G.copy()
    H.graph.setdefault("crs", "epsg:4326")
    for n, d in H.nodes(data=True):
        d.setdefault("street_count", H.degree(n))
    P = ox.project_graph(H)
    C = ox.consolidate_intersections(P, tolerance=tolerance_m, rebuild_graph=True, dead_ends=True)
    out: nx.MultiDiGraph[Any] = ox.project_graph(C, to_latlong=True)
    mode = modes.pop() if modes else "road"
    for *_, d in out.edges(data=True):
        d["mode"] = mode
    for _, d in out.nodes(data=True):
        d.setdefault("mode", mode)
    return out
