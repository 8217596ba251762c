"""Load a network from what ``--graph`` names: an embedded region or a graph file."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import networkx as nx

from resilience import settings
from resilience.errors import BadGraphError, BadInputError
from resilience.network import GraphRepairWarning, check_graph, repair_graph
from resilience.sources.bundled import load_region

__all__ = ["load_network"]


def load_network(
    spec: str | Path | None = None,
    *,
    mode: str | None = None,
    stations: str | Path | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    point: tuple[float, float] | None = None,
    radius_km: float | None = None,
    snap_m: float | None = None,
    node_crossings: bool = False,
) -> nx.MultiDiGraph[Any]:
    """Load the network a command works on.

    Parameters
    ----------
    spec
        ``None`` for the embedded default region; a region name under ``graphs/``; the
        name of a cached graph under ``graphs/`` (``NAME`` for ``NAME.graphml``); or a
        path to a ``.graphml`` file, an OpenStreetMap extract (``.osm``, ``.osm.xml``,
        ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``) or a line layer (``.geojson``, ``.gpkg``,
        ``.shp``).
    mode
        For a line layer: ``rail`` (default) or ``road``.
    stations
        For a rail line layer: a point layer of stations to name and attach.
    bbox
        For an OSM extract: keep only ``(west, south, east, north)``.
    point, radius_km
        For an OSM extract: keep only the square of this half-side around ``(lat, lon)``.
    snap_m
        For a line layer: the snapping tolerance in metres (default: the loader's).
    node_crossings
        For a line layer: also make a junction where lines cross without a shared vertex.

    Returns
    -------
    networkx.MultiDiGraph
        The checked network.

    Raises
    ------
    BadGraphError
        If nothing matches ``spec`` or the file cannot be used.
    BadInputError
        If an option is given that the source does not take (a clip option for anything
        but an OSM extract; ``mode``/``stations``/``snap_m`` for anything but a line layer).
    """
    given: dict[str, object] = {
        "--mode": mode,
        "--stations": stations,
        "--snap-m": snap_m,
        "--node-crossings": node_crossings or None,
        "--bbox": bbox,
        "--point": point,
        "--radius-km": radius_km,
    }
    if spec is None:
        _refuse(given, set(), "the embedded default region")
        G = load_region(settings.DEFAULT_REGION)
    else:
        path = Path(spec)
        region = settings.region_dir(str(spec))
        cached = settings.graphs_dir() / f"{spec}.graphml"
        if not path.exists() and region.is_dir() and (region / "region.toml").exists():
            _refuse(given, set(), f"the embedded region {str(spec)!r}")
            G = load_region(region)
        elif path.is_file() and _is_extract(path):
            G = _load_extract(
                path,
                given,
                mode=mode,
                stations=stations,
                clip={"bbox": bbox, "point": point, "radius_km": radius_km},
                snap_m=snap_m,
                node_crossings=node_crossings,
            )
        elif path.is_file() or cached.is_file():
            _refuse(given, set(), f"a GraphML graph ({Path(spec).name})")
            G = _load_graphml(path if path.is_file() else cached)
        else:
            msg = f"no graph file or embedded region named {str(spec)!r}"
            raise BadGraphError(msg)
    check_graph(G)
    return G


def _is_extract(path: Path) -> bool:
    from resilience.sources.lines import LINE_SUFFIXES  # noqa: PLC0415
    from resilience.sources.osm import _osm_suffix  # noqa: PLC0415

    suffix = _osm_suffix(path)
    return suffix.startswith(".osm") or suffix in LINE_SUFFIXES


_CLIP = frozenset({"--bbox", "--point", "--radius-km"})
_LINE = frozenset({"--mode", "--stations", "--snap-m", "--node-crossings"})


def _refuse(given: dict[str, object], allowed: set[str] | frozenset[str], source: str) -> None:
    """Refuse the options given that ``source`` does not take, naming the first one."""
    for flag, value in given.items():
        if value is not None and flag not in allowed:
            takes = "an .osm/.osm.pbf extract" if flag in _CLIP else "a line-layer"
            msg = f"{flag} is for {takes} --graph, not {source}"
            raise BadInputError(msg)


def _load_extract(
    path: Path,
    given: dict[str, object],
    *,
    mode: str | None,
    stations: str | Path | None,
    clip: dict[str, Any],
    snap_m: float | None,
    node_crossings: bool = False,
) -> nx.MultiDiGraph[Any]:
    """An OSM extract or a line layer, dispatched on the file suffix."""
    from resilience.sources.lines import graph_from_lines  # noqa: PLC0415
    from resilience.sources.osm import _osm_suffix, load_osm_pbf, load_osm_xml  # noqa: PLC0415

    suffix = _osm_suffix(path)
    if suffix.startswith(".osm") and stations is not None:
        msg = "--stations is for line layers; OSM extracts carry their own stations"
        raise BadInputError(msg)
    if suffix.startswith(".osm"):
        _refuse(given, _CLIP, f"an OSM extract ({path.name})")
        load = load_osm_pbf if suffix == ".osm.pbf" else load_osm_xml
        return load(path, clip["bbox"], point=clip["point"], radius_km=clip["radius_km"])
    _refuse(given, _LINE, f"a line layer ({path.name})")
    extra: dict[str, Any] = {} if snap_m is None else {"snap_m": snap_m}
    return graph_from_lines(
        path, mode=mode or "rail", stations=stations, node_crossings=node_crossings, **extra
    )


def _load_graphml(path: Path) -> nx.MultiDiGraph[Any]:
    if path.suffix.lower() != ".graphml":
        msg = f"{path.name}: unsupported graph format {path.suffix!r} (expected .graphml)"
        raise BadGraphError(msg)
    import osmnx as ox  # noqa: PLC0415 - osmnx is slow to import; only for graph files

    try:
        G = ox.load_graphml(path)
    except Exception as exc:  # noqa: BLE001 - a bad file raises parser, key and value errors
        G = _plain_graphml(path, exc)
    G, notes = repair_graph(G)
    for note in notes:
        warnings.warn(f"{path.name}: {note}", GraphRepairWarning, stacklevel=3)
    return G


def _plain_graphml(path: Path, osmnx_error: Exception) -> nx.MultiDiGraph[Any]:
    """Read a GraphML file that osmnx refused, as plain networkx writes it.

    osmnx expects every attribute as a string (as it writes them); GraphML written by
    networkx or other tools declares numbers as ``double`` and osmnx then fails with an
    ``AttributeError`` on a float. Such a file is valid, so read it directly.
    """
    try:
        G = nx.read_graphml(path, force_multigraph=True)
    except Exception:  # noqa: BLE001 - the same parser errors; report osmnx's, the first seen
        # Some parser errors have an empty message; the type still tells the user something.
        why = (str(osmnx_error).splitlines() or [type(osmnx_error).__name__])[0][:120]
        fetched = path.with_suffix(".meta.json").is_file()
        hint = "; it is a fetched cache: fetch it again with --refresh" if fetched else ""
        msg = f"{path.name}: not a readable GraphML graph ({why}){hint}"
        raise BadGraphError(msg) from None
    return nx.MultiDiGraph(G)
