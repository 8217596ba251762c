"""Real OpenStreetMap road and rail graphs: Overpass downloads (cached) and local extracts.

:func:`fetch_graph` downloads the road and rail networks of a place, a point and radius,
or a bounding box with osmnx, merges them into one multimodal graph and caches it as
``graphs/<name>.graphml`` with a ``<name>.meta.json`` sidecar. :func:`load_osm_xml` and
:func:`load_osm_pbf` build the same graph from a local ``.osm``/``.osm.bz2``/``.osm.gz``
or ``.osm.pbf`` extract, with no network at all.

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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from resilience import settings
from resilience.errors import BadGraphError, BadInputError, NetworkUnavailableError
from resilience.io import atomic_write
from resilience.network import impute_speeds_and_times, make_multimodal

__all__ = [
    "DEFAULT_ROAD_CLASSES",
    "MODES",
    "RAIL_FILTER",
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
)
_NODE_TAGS = ("railway", "name", "name:en", "name:uk", "name:ru", "public_transport")
_STATION_TAGS = frozenset({"station", "halt"})
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


def _finish(G: nx.MultiDiGraph[Any], mode: str, ox: Any) -> nx.MultiDiGraph[Any]:
    """Tag an unsimplified single-mode osmnx graph, then simplify it keeping stations."""
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    for _, d in G.nodes(data=True):
        d["mode"] = mode
        _alias_names(d)
        if mode == "rail" and str(d.get("railway", "")) in _STATION_TAGS:
            d["kind"] = "station"
    for *_, d in G.edges(data=True):
        d["mode"] = mode
    if G.number_of_edges() and not G.graph.get("simplified"):
        # A station on the track must stay a node, or simplification would swallow it.
        G = ox.simplify_graph(G, node_attrs_include=["kind"])
    return G


def _split_modes(
    G: nx.MultiDiGraph[Any], modes: tuple[str, ...], road_classes: Sequence[str] | None
) -> dict[str, nx.MultiDiGraph[Any]]:
    """Road and rail subgraphs of a graph built from every way of an extract."""
    wanted = set(_road_values(road_classes)) if road_classes is not None else None
    out: dict[str, nx.MultiDiGraph[Any]] = {}
    for mode in modes:
        keep = []
        for u, v, k, d in G.edges(keys=True, data=True):
            if mode == "rail":
                ok = d.get("railway") == "rail"
            else:
                hw = d.get("highway")
                ok = hw is not None and (wanted is None or hw in wanted) and not d.get("railway")
            if ok:
                keep.append((u, v, k))
        H: nx.MultiDiGraph[Any] = G.edge_subgraph(keep).copy()  # type: ignore[arg-type]
        H.graph.update(G.graph)
        out[mode] = H
    return out


def _combine(
    parts: dict[str, nx.MultiDiGraph[Any]], ox: Any, *, transfer_s: float
) -> nx.MultiDiGraph[Any]:
    finished = {m: _finish(g, m, ox) for m, g in parts.items()}
    empty: nx.MultiDiGraph[Any] = nx.MultiDiGraph(crs="epsg:4326")
    G = make_multimodal(
        finished.get("road", empty), finished.get("rail", empty), transfer_s=transfer_s
    )
    G.graph["modes"] = ",".join(parts)
    return impute_speeds_and_times(G)


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

    Every way is read (``retain_all``, so rail pieces cut off by the extract's edge
    stay), then only ``highway`` ways of ``road_classes`` and ``railway=rail`` ways are
    kept, each mode is simplified on its own (stations stay nodes) and the two are joined
    by :func:`~resilience.network.make_multimodal`.

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
        edges with ``length``, ``speed_kph``, ``travel_time``, ``mode`` and OSM tags.

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
    with _osmnx_settings() as ox:
        try:
            raw = ox.graph_from_xml(path, simplify=False, retain_all=True)
        except ValueError as exc:
            if "No data elements" not in str(exc):
                msg = f"{path.name}: not a readable OSM XML extract ({str(exc)[:120]})"
                raise BadGraphError(msg) from None
            raw = nx.MultiDiGraph(crs="epsg:4326")
        except Exception as exc:  # noqa: BLE001 - XML, bz2, gzip and osmnx all raise their own
            msg = f"{path.name}: not a readable OSM XML extract ({str(exc).splitlines()[0][:120]})"
            raise BadGraphError(msg) from None
        if clip is not None:
            _in_bbox(raw, clip)
        parts = _split_modes(raw, wanted, road_classes)
        if not any(g.number_of_edges() for g in parts.values()):
            msg = f"{path.name}: no {' or '.join(wanted)} way in the extract (or the clip area)"
            raise BadGraphError(msg)
        G = _combine(parts, ox, transfer_s=transfer_s)
    G.graph.update(name=path.name.split(".")[0], source="osm", source_file=str(path))
    return G


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

    pyosmium streams the file twice: first the ``highway``/``railway`` ways touching the
    clip area, then their nodes; those are written to a temporary OSM XML file that
    :func:`load_osm_xml` builds. Clip a country-sized file with ``bbox`` or ``point``.

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
    try:
        import osmium  # noqa: PLC0415 - optional at import time, needed only for .pbf
    except ImportError:
        msg = "reading .osm.pbf needs the 'osmium' package (pip install osmium)"
        raise BadGraphError(msg) from None
    with tempfile.TemporaryDirectory(prefix="resilience-pbf-") as tmp:
        xml = Path(tmp) / f"{path.name.split('.')[0]}.osm"
        try:
            _pbf_to_xml(osmium, path, xml, clip, wanted)
        except (RuntimeError, OSError, ValueError) as exc:
            msg = f"{path.name}: not a readable .osm.pbf file ({str(exc).splitlines()[0][:120]})"
            raise BadGraphError(msg) from None
        G = load_osm_xml(xml, clip, modes=wanted, road_classes=road_classes, transfer_s=transfer_s)
    G.graph.update(name=path.name.split(".")[0], source_file=str(path))
    return G


def _pbf_to_xml(
    osmium: Any,
    src: Path,
    dst: Path,
    clip: tuple[float, float, float, float] | None,
    modes: tuple[str, ...],
) -> None:
    keys = [k for m, k in (("road", "highway"), ("rail", "railway")) if m in modes]
    ways: set[int] = set()
    nodes: set[int] = set()
    fp = osmium.FileProcessor(str(src)).with_locations()
    for obj in fp:
        if not obj.is_way() or not any(k in obj.tags for k in keys):
            continue
        refs = [(n.ref, n.location) for n in obj.nodes]
        if clip is not None:
            w, s, e, n = clip
            if not any(loc.valid() and w <= loc.lon <= e and s <= loc.lat <= n for _, loc in refs):
                continue
        ways.add(obj.id)
        nodes.update(r for r, _ in refs)
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY):
            if obj.is_node() and obj.id in nodes:
                writer.add_node(obj)
            elif obj.is_way() and obj.id in ways:
                writer.add_way(obj)


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
        G = _combine(parts, ox, transfer_s=1800.0)
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
