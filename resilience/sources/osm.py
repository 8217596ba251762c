"""Real OpenStreetMap road and rail graphs: Overpass downloads (cached) and local extracts.

:func:`fetch_graph` downloads the road and rail networks of a place, a point and radius,
or a bounding box with osmnx, merges them into one multimodal graph and caches it as
``graphs/<name>.graphml`` with a ``<name>.meta.json`` sidecar. :func:`load_osm_xml` and
:func:`load_osm_pbf` build the same graph from a local ``.osm``/``.osm.bz2``/``.osm.gz``
or ``.osm.pbf`` extract, with no network at all.

How an extract becomes a graph (the same rules for downloads where they apply):

* roads are the ``highway`` ways of the chosen classes, also when they carry a
  ``railway`` tag too (a street over an abandoned line); rail is ``railway=rail``;
* a way cut at the extract's boundary keeps its parts whose nodes are in the file (one
  :class:`OsmExtractWarning` line says how many ways were cut);
* speeds and travel times are set per OpenStreetMap segment, then segments merge into
  edges (times summed) except where ``ref``, class, ``maxspeed``, ``usage`` or
  ``service`` change, and at named nodes and stations;
* a ``railway=station|halt`` node beside the track (not a metro or tram station) joins
  the nearest rail node within :data:`STATION_ATTACH_MAX_M`; a warning line counts those
  farther away, and another says when road and rail end with no transfer between them;
* a rail way's ``ref`` of 1-2 digits (with an optional letter) or a Roman numeral is a
  track number: it goes to ``track_ref``, not ``ref``; the refs of the ``route=railway``
  relations a way belongs to join its ``ref`` (their names go to ``route_name``).

Without a network a download fails at once with
:class:`~resilience.errors.NetworkUnavailableError` instead of osmnx's default minutes of
rate-limit probing and DNS-over-HTTPS retries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from resilience import settings
from resilience.errors import BadGraphError, BadInputError, NetworkUnavailableError
from resilience.io import atomic_write
from resilience.network import (
    TRANSFER_MAX_M,
    impute_speeds_and_times,
    make_multimodal,
    simplify_segments,
)

__all__ = [
    "DEFAULT_ROAD_CLASSES",
    "MODES",
    "RAIL_FILTER",
    "STATION_ATTACH_MAX_M",
    "OsmExtractWarning",
    "fetch_graph",
    "load_osm_pbf",
    "load_osm_xml",
    "road_filter",
]

#: Road classes kept by default: the roads that carry supply between towns.
DEFAULT_ROAD_CLASSES: tuple[str, ...] = ("motorway", "trunk", "primary", "secondary", "tertiary")
#: The modes a graph can hold.
MODES: tuple[str, ...] = ("road", "rail")
#: Overpass filter for rail: standard/broad-gauge track only (no tram, metro, light rail,
#: which carry no freight); sidings and yards stay, tagged by ``service``.
RAIL_FILTER = '["railway"="rail"]'
#: Seconds to wait for Overpass or Nominatim before calling the network unavailable.
REQUESTS_TIMEOUT_S = 30
_WAY_TAGS = (
    "railway",
    "ref",
    "name",
    "bridge",
    "maxspeed",
    "usage",
    "service",
    "gauge",
    "electrified",
    "route_ref",
    "route_name",
)
_NODE_TAGS = ("railway", "name", "name:en", "name:uk", "name:ru", "public_transport")
_STATION_TAGS = frozenset({"station", "halt"})
#: A station node drawn beside the track (2-20 m is usual in OpenStreetMap, a station
#: building farther) joins the nearest rail node within this distance; farther ones are
#: left out and counted.
STATION_ATTACH_MAX_M = 150.0
#: A rail way's ``ref`` that is a track number, not a line: 1-2 digits with an optional
#: letter (``1``, ``12``, ``3a``) or a Roman numeral (``II``, ``IV``).
_TRACK_NUMBER = re.compile(r"(\d{1,2}[a-z]?|[ivxl]{1,6})", re.IGNORECASE)
#: Route relations whose ``ref``/``name`` describe the rail line their ways belong to.
_RAIL_ROUTES = frozenset({"railway"})
#: ``station=*`` values of ``railway=station`` nodes that are not on the train network.
_NOT_TRAIN = frozenset({"subway", "light_rail", "tram", "monorail", "funicular", "miniature"})
_LON_MAX, _LAT_MAX = 180.0, 90.0
_XML_SUFFIXES = (".osm", ".osm.xml", ".osm.bz2", ".osm.gz", ".osm.xml.bz2", ".osm.xml.gz")
_OFFLINE_HINT = (
    "no network: cannot reach OpenStreetMap; work offline with --graph PATH "
    "(a .graphml, .osm or .osm.pbf file, or a line layer) or the embedded default region"
)


def road_filter(road_classes: Sequence[str] = DEFAULT_ROAD_CLASSES) -> str:
    """The Overpass way filter for roads of the given classes and their link roads.

    Parameters
    ----------
    road_classes
        OSM ``highway`` values, e.g. ``("trunk", "primary")``.

    Returns
    -------
    str
        An osmnx ``custom_filter``.

    Raises
    ------
    BadInputError
        If no class is given or a class is not a plain OSM tag value.

    Examples
    --------
    >>> road_filter(["trunk", "primary"])
    '["highway"~"^(trunk|trunk_link|primary|primary_link)$"]'
    """
    classes = _road_values(road_classes)
    return f'["highway"~"^({"|".join(classes)})$"]'


def _road_values(road_classes: Sequence[str]) -> list[str]:
    values: list[str] = []
    for cls in road_classes:
        c = cls.strip().lower()
        if not re.fullmatch(r"[a-z_]+", c):
            msg = f"road class {cls!r} is not an OSM highway value (e.g. trunk, primary)"
            raise BadInputError(msg)
        link = f"{c}_link"
        has_link = c in {"motorway", "trunk", "primary", "secondary", "tertiary"}
        values += [v for v in (c, link if has_link else "") if v and v not in values]
    if not values:
        msg = "give at least one road class, e.g. trunk,primary"
        raise BadInputError(msg)
    return values


@contextlib.contextmanager
def _osmnx_settings() -> Iterator[Any]:
    """Osmnx configured for this project (rail tags kept, fail fast offline), then restored."""
    import osmnx as ox  # noqa: PLC0415 - slow import, only when OSM data is used

    s = ox.settings
    saved = {
        k: getattr(s, k)
        for k in (
            "useful_tags_way",
            "useful_tags_node",
            "overpass_rate_limit",
            "doh_url_template",
            "requests_timeout",
            "use_cache",
            "log_console",
        )
    }
    s.useful_tags_way = list(dict.fromkeys([*saved["useful_tags_way"], *_WAY_TAGS]))
    s.useful_tags_node = list(dict.fromkeys([*saved["useful_tags_node"], *_NODE_TAGS]))
    # The defaults sleep 60 s probing the Overpass status page and retry DNS over HTTPS
    # for minutes before a machine without internet sees an error.
    s.overpass_rate_limit = False
    s.doh_url_template = None
    s.requests_timeout = REQUESTS_TIMEOUT_S
    # Our graphml cache is the cache; osmnx's would litter ./cache in the working folder.
    s.use_cache = False
    s.log_console = False
    try:
        yield ox
    finally:
        for k, v in saved.items():
            setattr(s, k, v)


def _modes(modes: Sequence[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(m.strip().lower() for m in modes if m.strip()))
    bad = [m for m in out if m not in MODES]
    if bad or not out:
        msg = f"modes must be road and/or rail, not {','.join(modes)!r}"
        raise BadInputError(msg)
    return out


def _alias_names(d: dict[str, Any]) -> None:
    """Fold ``name:en``/``name:uk``/``name:ru`` into ``name_uk`` and ``aliases``."""
    en, uk, ru = (d.pop(k, None) for k in ("name:en", "name:uk", "name:ru"))
    if uk:
        d["name_uk"] = str(uk)
    aliases = [str(a) for a in (en, ru) if a and a != d.get("name")]
    if aliases:
        d["aliases"] = ";".join(aliases)


class OsmExtractWarning(UserWarning):
    """An OpenStreetMap graph was built with a caveat the user should know about."""


def _rail_refs(d: dict[str, Any]) -> None:
    """Keep line refs in a rail edge's ``ref``; move track numbers to ``track_ref``.

    A rail way's ``ref`` of 1-2 digits with an optional letter, or a Roman numeral
    (``1``, ``2``, ``3a``, ``II``), numbers a track in a station or on a double line; it
    names no line, so ``--ref 2`` must not remove it. The refs of the route relations
    (``route=railway``) a way belongs to are line refs and join its ``ref``. A way
    tagged ``highway`` too keeps its own ``ref`` on the road only.
    """
    # On a way that is also a road, the way's own ref is the road's.
    own_ref = "" if d.get("highway") else str(d.get("ref") or "")
    own = [t.strip() for t in own_ref.split(";") if t.strip()]
    route = [t.strip() for t in str(d.pop("route_ref", "") or "").split(";") if t.strip()]
    tracks = [t for t in own if _TRACK_NUMBER.fullmatch(t)]
    lines = sorted({t for t in own if not _TRACK_NUMBER.fullmatch(t)} | set(route))
    d.pop("ref", None)
    if lines:
        d["ref"] = ";".join(lines)
    if tracks:
        d["track_ref"] = ";".join(tracks)


def _tag(G: nx.MultiDiGraph[Any], mode: str) -> None:
    """Give an unsimplified single-mode graph its ``mode``, names and station kinds."""
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    for _, d in G.nodes(data=True):
        d["mode"] = mode
        _alias_names(d)
        if mode == "rail" and str(d.get("railway", "")) in _STATION_TAGS:
            d["kind"] = "station"
    for *_, d in G.edges(data=True):
        d["mode"] = mode
        if mode == "rail":
            _rail_refs(d)
        else:
            d.pop("route_ref", None)
            d.pop("route_name", None)


def _attach_stations(
    rail: nx.MultiDiGraph[Any], stations: dict[Any, dict[str, Any]]
) -> tuple[int, int]:
    """Make the nearest rail node of each station node beside the track a station.

    A station within :data:`STATION_ATTACH_MAX_M` of a rail node gives that node its
    name and ``kind="station"`` (a node that already is a station takes the name as an
    alias). Returns how many stations were attached (on the track or beside it) and
    how many were too far from every rail node.
    """
    if not stations or not rail.number_of_nodes():
        return 0, 0
    from resilience._geo import haversine_m_array  # noqa: PLC0415 - keeps import light

    ids = sorted(rail.nodes)
    lat = [float(rail.nodes[n]["y"]) for n in ids]
    lon = [float(rail.nodes[n]["x"]) for n in ids]
    attached = too_far = 0
    for s in sorted(stations):
        sd = dict(stations[s])
        if s in rail:
            attached += 1
            continue
        dist = haversine_m_array(lat, lon, float(sd["y"]), float(sd["x"]))
        i = int(dist.argmin())
        if dist[i] > STATION_ATTACH_MAX_M:
            too_far += 1
            continue
        attached += 1
        _alias_names(sd)
        node = rail.nodes[ids[i]]
        if node.get("kind") == "station":
            extra = [a for a in (sd.get("name"), sd.get("aliases")) if a]
            if extra:
                node["aliases"] = ";".join(filter(None, [node.get("aliases"), *extra]))
            continue
        node.update(kind="station", railway=sd.get("railway"), station_osmid=s)
        for key in ("name", "name_uk", "aliases", "public_transport"):
            if sd.get(key):
                node[key] = sd[key]
    return attached, too_far


def _split_modes(
    G: nx.MultiDiGraph[Any], modes: tuple[str, ...], road_classes: Sequence[str] | None
) -> dict[str, nx.MultiDiGraph[Any]]:
    """Road and rail subgraphs of a graph built from every way of an extract.

    A way tagged both ``highway`` and ``railway`` (a street over an abandoned line, a
    tram track in a street) is a road; it is rail too only when ``railway=rail``.
    """
    wanted = set(_road_values(road_classes)) if road_classes is not None else None
    out: dict[str, nx.MultiDiGraph[Any]] = {}
    for mode in modes:
        keep = []
        for u, v, k, d in G.edges(keys=True, data=True):
            if mode == "rail":
                ok = d.get("railway") == "rail"
            else:
                hw = d.get("highway")
                ok = hw is not None and (wanted is None or hw in wanted)
            if ok:
                keep.append((u, v, k))
        H: nx.MultiDiGraph[Any] = G.edge_subgraph(keep).copy()  # type: ignore[arg-type]
        H.graph.update(G.graph)
        out[mode] = H
    return out


def _warn(text: str) -> None:
    warnings.warn(text, OsmExtractWarning, stacklevel=4)


def _combine(
    parts: dict[str, nx.MultiDiGraph[Any]],
    *,
    transfer_s: float,
    label: str,
    stations: dict[Any, dict[str, Any]] | None = None,
) -> nx.MultiDiGraph[Any]:
    """Speeds per segment, simplification and the road↔rail join of unsimplified parts."""
    finished: dict[str, nx.MultiDiGraph[Any]] = {}
    attached = too_far = 0
    for mode, part in parts.items():
        _tag(part, mode)
        if mode == "rail":
            attached, too_far = _attach_stations(part, stations or {})
        # Speeds and times per OpenStreetMap segment, before segments merge: a merged
        # edge then takes the sum of its segments' times, each at its own speed.
        impute_speeds_and_times(part)
        finished[mode] = simplify_segments(part)
    empty: nx.MultiDiGraph[Any] = nx.MultiDiGraph(crs="epsg:4326")
    G = make_multimodal(
        finished.get("road", empty), finished.get("rail", empty), transfer_s=transfer_s
    )
    G.graph["modes"] = ",".join(parts)
    G.graph.pop("simplified", None)
    transfers = sum(d.get("mode") == "transfer" for *_, d in G.edges(data=True)) // 2
    G.graph.update(stations_attached=attached, stations_too_far=too_far, transfers=transfers)
    if too_far:
        _warn(
            f"{label}: {attached} station(s) attached to the track; {too_far} more than "
            f"{STATION_ATTACH_MAX_M:g} m from any rail node left out"
        )
    if all(finished.get(m, empty).number_of_edges() for m in MODES) and not transfers:
        _warn(
            f"{label}: no road-rail transfer (no rail station within {TRANSFER_MAX_M:g} m "
            "of a road node); rail is a separate network"
        )
    return G


def _clip_bbox(
    bbox: tuple[float, float, float, float] | None,
    point: tuple[float, float] | None,
    radius_km: float | None,
) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` from a bbox or a point and radius."""
    if point is not None:
        if radius_km is None or radius_km <= 0:
            msg = "a point needs a positive --radius-km"
            raise BadInputError(msg)
        import osmnx as ox  # noqa: PLC0415

        w, s, e, n = ox.utils_geo.bbox_from_point(point, dist=radius_km * 1000)
        return (float(w), float(s), float(e), float(n))
    if bbox is not None:
        w, s, e, n = bbox
        if not (-_LON_MAX <= w < e <= _LON_MAX and -_LAT_MAX <= s < n <= _LAT_MAX):
            msg = f"bbox must be W,S,E,N in degrees with W<E and S<N, not {bbox}"
            raise BadInputError(msg)
    return bbox


def _in_bbox(G: nx.MultiDiGraph[Any], bbox: tuple[float, float, float, float]) -> None:
    w, s, e, n = bbox
    outside = [
        node for node, d in G.nodes(data=True) if not (w <= d["x"] <= e and s <= d["y"] <= n)
    ]
    G.remove_nodes_from(outside)


def _osm_suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".osm.pbf", *sorted(_XML_SUFFIXES, key=len, reverse=True)):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def load_osm_xml(
    path: str | Path,
    bbox: tuple[float, float, float, float] | None = None,
    *,
    point: tuple[float, float] | None = None,
    radius_km: float | None = None,
    modes: Sequence[str] = MODES,
    road_classes: Sequence[str] | None = DEFAULT_ROAD_CLASSES,
    transfer_s: float = 1800.0,
) -> nx.MultiDiGraph[Any]:
    """Build the multimodal graph of a local OSM XML extract, offline.

    The ``highway`` ways of ``road_classes`` and the ``railway=rail`` ways are read (a
    way running past the edge of the extract keeps its parts whose nodes are in the
    file). Each mode then gets, per OpenStreetMap segment, a speed and a travel time
    (:func:`~resilience.network.impute_speeds_and_times`), station nodes beside the
    track join the nearest rail node within :data:`STATION_ATTACH_MAX_M`, and the
    segments merge into edges wherever nothing changes
    (:func:`~resilience.network.simplify_segments`: a node stays where a ref, class,
    ``maxspeed``, ``usage`` or ``service`` changes, and at named places and stations).
    :func:`~resilience.network.make_multimodal` joins the modes at stations.

    Parameters
    ----------
    path
        A ``.osm``, ``.osm.xml``, ``.osm.bz2`` or ``.osm.gz`` file.
    bbox
        Keep only nodes inside ``(west, south, east, north)``.
    point, radius_km
        Or keep only nodes within a square of this half-side around ``(lat, lon)``.
    modes
        ``road`` and/or ``rail``.
    road_classes
        OSM ``highway`` values kept (links included); ``None`` keeps every highway.
    transfer_s
        Road↔rail transfer time at stations, in seconds.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes with ``x``, ``y``, ``mode`` (and ``name``, ``kind="station"`` at stations);
        edges with ``length``, ``speed_kph``, ``travel_time``, ``mode`` and OSM tags
        (a rail way's track number in ``track_ref``, not ``ref``). Graph attributes
        ``ways_clipped``, ``stations_attached``, ``stations_too_far`` and ``transfers``
        count what the loader did.

    Warns
    -----
    OsmExtractWarning
        One line each when ways were cut at the extract's edge, stations lay too far
        from the track, or road and rail ended with no transfer between them.

    Raises
    ------
    BadGraphError
        If the file is missing, unreadable or holds no road or rail way.

    Examples
    --------
    >>> from pathlib import Path
    >>> G = load_osm_xml(Path("tests/data/osm/small.osm"))  # doctest: +SKIP
    """
    path = Path(path)
    wanted = _modes(modes)
    clip = _clip_bbox(bbox, point, radius_km)
    if not path.is_file():
        msg = f"no OSM extract at {path}"
        raise BadGraphError(msg)
    if _osm_suffix(path) not in _XML_SUFFIXES:
        msg = f"{path.name}: not an OSM XML extract (expected {', '.join(_XML_SUFFIXES)})"
        raise BadGraphError(msg)
    return _load_extract(path, "OSM XML extract", clip, wanted, road_classes, transfer_s)


def load_osm_pbf(
    path: str | Path,
    bbox: tuple[float, float, float, float] | None = None,
    *,
    point: tuple[float, float] | None = None,
    radius_km: float | None = None,
    modes: Sequence[str] = MODES,
    road_classes: Sequence[str] | None = DEFAULT_ROAD_CLASSES,
    transfer_s: float = 1800.0,
) -> nx.MultiDiGraph[Any]:
    """Build the multimodal graph of a local ``.osm.pbf`` extract, offline.

    As :func:`load_osm_xml`; clip a country-sized file with ``bbox`` or ``point`` (only
    the ways touching the clip area are read).

    Parameters
    ----------
    path
        A ``.osm.pbf`` file.
    bbox, point, radius_km, modes, road_classes, transfer_s
        As for :func:`load_osm_xml`.

    Returns
    -------
    networkx.MultiDiGraph
        As for :func:`load_osm_xml`.

    Warns
    -----
    OsmExtractWarning
        As for :func:`load_osm_xml`.

    Raises
    ------
    BadGraphError
        If the file is missing, unreadable or holds no road or rail way in the clip area.
    """
    path = Path(path)
    clip = _clip_bbox(bbox, point, radius_km)
    wanted = _modes(modes)
    if not path.is_file():
        msg = f"no OSM extract at {path}"
        raise BadGraphError(msg)
    return _load_extract(path, ".osm.pbf file", clip, wanted, road_classes, transfer_s)


@dataclass
class _Scan:
    """What the first reading of an extract found."""

    ways: int = 0
    clipped: int = 0
    stations: set[int] = field(default_factory=set)
    #: Ids given to the second and later parts of a clipped way → the way's own id.
    part_of: dict[int, int] = field(default_factory=dict)


def _load_extract(
    path: Path,
    kind: str,
    clip: tuple[float, float, float, float] | None,
    wanted: tuple[str, ...],
    road_classes: Sequence[str] | None,
    transfer_s: float,
) -> nx.MultiDiGraph[Any]:
    """Read an extract through pyosmium into clean XML, then build the graph with osmnx."""
    import osmium  # noqa: PLC0415 - reads .pbf and clips ways; only needed here

    with tempfile.TemporaryDirectory(prefix="resilience-osm-") as tmp, _osmnx_settings() as ox:
        xml = Path(tmp) / "extract.osm"
        try:
            scan = _scan_extract(osmium, path, xml, clip, wanted, road_classes)
            if scan.clipped:
                # Overpass writes ways before their nodes ("out body; >; out skel"), which
                # looks like clipping to a one-pass reader: read it again in OSM order.
                ordered = Path(tmp) / "ordered.osm.pbf"
                _write_in_osm_order(osmium, path, ordered)
                xml.unlink()
                scan = _scan_extract(osmium, ordered, xml, clip, wanted, road_classes)
        except (RuntimeError, OSError, ValueError, KeyError) as exc:
            why = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
            msg = f"{path.name}: not a readable {kind} ({why})"
            raise BadGraphError(msg) from None
        if not scan.ways:
            msg = f"{path.name}: no {' or '.join(wanted)} way in the extract (or the clip area)"
            raise BadGraphError(msg)
        raw = ox.graph_from_xml(xml, simplify=False, retain_all=True)
        # The time osmnx read our temporary file says nothing about the extract, and would
        # make two loads of one file differ.
        raw.graph.pop("created_date", None)
        for *_, d in raw.edges(data=True):
            d["osmid"] = scan.part_of.get(d.get("osmid"), d.get("osmid"))
        if clip is not None:
            _in_bbox(raw, clip)
        stations = {n: dict(raw.nodes[n]) for n in sorted(scan.stations) if n in raw}
        parts = _split_modes(raw, wanted, road_classes)
        if not any(g.number_of_edges() for g in parts.values()):
            msg = f"{path.name}: no {' or '.join(wanted)} way in the extract (or the clip area)"
            raise BadGraphError(msg)
        if scan.clipped:
            _warn(
                f"{path.name}: {scan.clipped} of {scan.ways} road/rail ways run past the "
                "edge of the extract; kept their parts whose nodes are in the file"
            )
        G = _combine(parts, transfer_s=transfer_s, label=path.name, stations=stations)
    G.graph.update(
        name=path.name.split(".")[0],
        source="osm",
        source_file=str(path),
        ways_clipped=scan.clipped,
    )
    return G


def _write_in_osm_order(osmium: Any, src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with every node first, then the ways, then the relations."""
    with osmium.SimpleWriter(str(dst)) as writer:
        for entity in (osmium.osm.NODE, osmium.osm.WAY, osmium.osm.RELATION):
            for obj in osmium.FileProcessor(str(src), entity):
                writer.add(obj)


def _wanted_way(tags: Any, modes: tuple[str, ...], roads: set[str] | None) -> bool:
    if "rail" in modes and tags.get("railway") == "rail":
        return True
    highway = tags.get("highway")
    return "road" in modes and highway is not None and (roads is None or highway in roads)


def _add_route(routes: dict[int, dict[str, set[str]]], rel: Any) -> None:
    """Note the ref and name of a ``route=railway`` relation on each of its member ways."""
    if rel.tags.get("type") != "route" or rel.tags.get("route") not in _RAIL_ROUTES:
        return
    for member in rel.members:
        if member.type != "w":
            continue
        entry = routes.setdefault(member.ref, {"ref": set(), "name": set()})
        for key in ("ref", "name"):
            if rel.tags.get(key):
                entry[key].add(str(rel.tags[key]))


def _is_rail_station(tags: Any) -> bool:
    """A ``railway=station|halt`` node of the train network (not a metro or tram stop)."""
    return tags.get("railway") in _STATION_TAGS and tags.get("station") not in _NOT_TRAIN


def _scan_extract(  # noqa: C901, PLR0912 - one pass over the file, its cases side by side
    osmium: Any,
    src: Path,
    dst: Path,
    clip: tuple[float, float, float, float] | None,
    modes: tuple[str, ...],
    road_classes: Sequence[str] | None,
) -> _Scan:
    """Write the wanted ways and their nodes (and station nodes) to ``dst`` as OSM XML.

    A way that references nodes missing from the file (cut at the extract's boundary)
    keeps each run of two or more consecutive present nodes as a part of its own. A rail
    way in ``route=railway`` relations gets their refs and names as ``route_ref`` and
    ``route_name``.
    """
    roads = set(_road_values(road_classes)) if road_classes is not None else None
    scan = _Scan()
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    tags_of: dict[int, dict[str, str]] = {}
    routes: dict[int, dict[str, set[str]]] = {}
    nodes: set[int] = set()

    def inside(lon: float, lat: float) -> bool:
        return clip is None or (clip[0] <= lon <= clip[2] and clip[1] <= lat <= clip[3])

    wanted_keys = osmium.filter.KeyFilter("highway", "railway", "route")
    for obj in osmium.FileProcessor(str(src)).with_locations().with_filter(wanted_keys):
        if obj.is_node():
            loc = obj.location
            if "rail" in modes and _is_rail_station(obj.tags) and inside(loc.lon, loc.lat):
                scan.stations.add(obj.id)
            continue
        if obj.is_relation():
            if "rail" in modes:
                _add_route(routes, obj)
            continue
        if not _wanted_way(obj.tags, modes, roads):
            continue
        refs = [(n.ref, n.location) for n in obj.nodes]
        if clip is not None and not any(
            loc.valid() and inside(loc.lon, loc.lat) for _, loc in refs
        ):
            continue
        runs: list[list[int]] = [[]]
        for ref, loc in refs:
            if loc.valid():
                runs[-1].append(ref)
            elif runs[-1]:
                runs.append([])
        scan.ways += 1
        scan.clipped += any(not loc.valid() for _, loc in refs)
        tags = tags_of[obj.id] = {t.k: t.v for t in obj.tags}
        for i, piece in enumerate(r for r in runs if len(r) > 1):
            wid = obj.id
            if i:
                wid = -(len(scan.part_of) + 1)
                scan.part_of[wid] = obj.id
            ways.append((wid, piece, tags))
            nodes.update(piece)
    for way_id, route in routes.items():
        tags = tags_of.get(way_id, {})
        if tags.get("railway") == "rail":
            for key in ("ref", "name"):
                if route[key]:
                    tags[f"route_{key}"] = ";".join(sorted(route[key]))
    keep = nodes | scan.stations
    with osmium.SimpleWriter(str(dst)) as writer:
        wanted_nodes = osmium.filter.IdFilter(keep)
        for obj in osmium.FileProcessor(str(src), osmium.osm.NODE).with_filter(wanted_nodes):
            writer.add_node(obj)
        for wid, piece, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=piece, tags=tags))
    return scan


def _query(
    place: str | None,
    point: tuple[float, float] | None,
    radius_km: float | None,
    bbox: tuple[float, float, float, float] | None,
    modes: tuple[str, ...],
    road_classes: Sequence[str],
) -> dict[str, Any]:
    given = sum(x is not None for x in (place, point, bbox))
    if given != 1:
        msg = "give exactly one of --place, --point (with --radius-km) or --bbox"
        raise BadInputError(msg)
    query: dict[str, Any] = {"modes": list(modes)}
    if place is not None:
        query["place"] = place
    elif point is not None:
        if radius_km is None or radius_km <= 0:
            msg = "--point needs a positive --radius-km"
            raise BadInputError(msg)
        query |= {"point": [float(point[0]), float(point[1])], "radius_km": float(radius_km)}
    else:
        query["bbox"] = [float(v) for v in _clip_bbox(bbox, None, None) or ()]
    if "road" in modes:
        query["road_classes"] = _road_values(road_classes)
    return query


def _default_name(query: dict[str, Any]) -> str:
    if "place" in query:
        base = str(query["place"])
    elif "point" in query:
        lat, lon = query["point"]
        base = f"point-{lat:.4f}-{lon:.4f}-{query['radius_km']:g}km"
    else:
        base = "bbox-" + "-".join(f"{v:.4f}" for v in query["bbox"])
    slug = re.sub(r"[^\w.+-]+", "-", base.casefold()).strip("-.")
    return f"{slug or 'osm'}-{'-'.join(query['modes'])}"


def _download(ox: Any, query: dict[str, Any], mode: str) -> nx.MultiDiGraph[Any]:
    flt = RAIL_FILTER if mode == "rail" else road_filter(query["road_classes"])
    common = {"custom_filter": flt, "simplify": False, "retain_all": True}
    G: nx.MultiDiGraph[Any]
    if "place" in query:
        G = ox.graph_from_place(query["place"], **common)
    elif "point" in query:
        G = ox.graph_from_point(
            tuple(query["point"]), dist=query["radius_km"] * 1000, dist_type="bbox", **common
        )
    else:
        G = ox.graph_from_bbox(tuple(query["bbox"]), **common)
    return G


def _cache_hit(graphml: Path, meta_path: Path, query: dict[str, Any]) -> bool:
    """Whether the cache holds this query; refuse to overwrite anything else silently."""
    if not graphml.is_file():
        return False
    cached = _read_meta(meta_path)
    if cached.get("query") == query:
        return True
    msg = (
        f"{graphml.name} caches a different query; pass --refresh to replace it "
        "or choose another --name"
        if cached
        else f"{graphml.name} has no readable {meta_path.name} (a fetch killed half-way, "
        "or a file put there by hand); pass --refresh to fetch it again or choose "
        "another --name"
    )
    raise BadInputError(msg)


def fetch_graph(
    place: str | None = None,
    point: tuple[float, float] | None = None,
    radius_km: float | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    modes: Sequence[str] = MODES,
    road_classes: Sequence[str] = DEFAULT_ROAD_CLASSES,
    refresh: bool = False,
    name: str | None = None,
) -> Path:
    """Download road and rail from OpenStreetMap into the graph cache, or reuse the cache.

    Parameters
    ----------
    place
        A place Nominatim knows, e.g. ``"Pokrovsk, Donetsk Oblast, Ukraine"``.
    point, radius_km
        Or ``(lat, lon)`` and the half-side in km of the square around it.
    bbox
        Or ``(west, south, east, north)`` in degrees.
    modes
        ``road`` and/or ``rail``.
    road_classes
        OSM ``highway`` values downloaded (their ``_link`` roads too).
    refresh
        Download even when the cache holds this query.
    name
        Cache name (``graphs/<name>.graphml``); derived from the query when omitted.

    Returns
    -------
    Path
        The cached ``.graphml`` file; ``--graph NAME`` loads it.

    Raises
    ------
    BadInputError
        If the query is malformed, or ``name`` caches a different query (without ``refresh``).
    NetworkUnavailableError
        If OpenStreetMap cannot be reached.
    BadGraphError
        If the area holds no road or rail way.
    """
    wanted = _modes(modes)
    query = _query(place, point, radius_km, bbox, wanted, road_classes)
    stem = name or _default_name(query)
    if not re.fullmatch(r"[\w.+-]+", stem) or stem.startswith("."):
        msg = f"--name {stem!r} must be a plain file name (letters, digits, . _ + -)"
        raise BadInputError(msg)
    folder = settings.graphs_dir()
    graphml, meta_path = folder / f"{stem}.graphml", folder / f"{stem}.meta.json"
    if not refresh and _cache_hit(graphml, meta_path, query):
        return graphml

    import requests  # noqa: PLC0415 - comes with osmnx

    with _osmnx_settings() as ox:
        from osmnx._errors import (  # noqa: PLC0415 - osmnx's own response errors
            InsufficientResponseError,
            ResponseStatusCodeError,
        )

        parts: dict[str, nx.MultiDiGraph[Any]] = {}
        for mode in wanted:
            try:
                # Keep only what the filter asked for, whatever the server sent back.
                raw = _download(ox, query, mode)
                parts[mode] = _split_modes(raw, (mode,), query.get("road_classes"))[mode]
            except (requests.RequestException, ResponseStatusCodeError, ConnectionError):
                raise NetworkUnavailableError(_OFFLINE_HINT) from None
            except InsufficientResponseError as exc:
                if "place" in query and "Nominatim" in str(exc):
                    msg = f"OpenStreetMap does not know the place {place!r}"
                    raise BadInputError(msg) from None
                parts[mode] = nx.MultiDiGraph(crs="epsg:4326")
            except ValueError as exc:
                msg = f"OpenStreetMap query failed: {str(exc).splitlines()[0][:160]}"
                raise BadInputError(msg) from None
        if not any(g.number_of_edges() for g in parts.values()):
            msg = f"OpenStreetMap has no {' or '.join(wanted)} way in this area"
            raise BadGraphError(msg)
        G = _combine(parts, transfer_s=1800.0, label=stem)
        G.graph.update(name=stem, source="osm", query=json.dumps(query, ensure_ascii=False))
        meta = {
            "name": stem,
            "query": query,
            "osmnx": ox.__version__,
            "fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "nodes": _count(str(d.get("mode")) for _, d in G.nodes(data=True)),
            "edges": _count(str(d.get("mode")) for *_, d in G.edges(data=True)),
        }
        text = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write(graphml, lambda tmp: ox.save_graphml(G, tmp))
    try:
        atomic_write(meta_path, lambda tmp: _write_text(tmp, text))
    except BaseException:
        # The sidecar marks the cache complete; without it the next run would refuse the
        # graph as another query's, so an interrupted pair leaves neither file.
        graphml.unlink(missing_ok=True)
        raise
    return graphml


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _count(values: Iterator[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return dict(sorted(out.items()))


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
