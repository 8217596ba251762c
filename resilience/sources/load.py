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

    Returns
    -------
    networkx.MultiDiGraph
        The checked network.

    Raises
    ------
    BadGraphError
        If nothing matches ``spec`` or the file cannot be used.
    """
    if spec is None:
        G = load_region(settings.DEFAULT_REGION)
    else:
        path = Path(spec)
        region = settings.region_dir(str(spec))
        cached = settings.graphs_dir() / f"{spec}.graphml"
        if not path.exists() and region.is_dir() and (region / "region.toml").exists():
            G = load_region(region)
        elif path.is_file() and _is_extract(path):
            G = _load_extract(path, mode=mode, stations=stations, bbox=bbox)
        elif path.is_file() or cached.is_file():
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


def _load_extract(
    path: Path,
    *,
    mode: str | None,
    stations: str | Path | None,
    bbox: tuple[float, float, float, float] | None,
) -> nx.MultiDiGraph[Any]:
    """An OSM extract or a line layer, dispatched on the file suffix."""
    from resilience.sources.lines import graph_from_lines  # noqa: PLC0415
    from resilience.sources.osm import _osm_suffix, load_osm_pbf, load_osm_xml  # noqa: PLC0415

    suffix = _osm_suffix(path)
    if suffix.startswith(".osm") and stations is not None:
        msg = "--stations is for line layers; OSM extracts carry their own stations"
        raise BadInputError(msg)
    if suffix == ".osm.pbf":
        return load_osm_pbf(path, bbox)
    if suffix.startswith(".osm"):
        return load_osm_xml(path, bbox)
    return graph_from_lines(path, mode=mode or "rail", stations=stations)


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
