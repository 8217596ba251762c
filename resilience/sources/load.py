"""Load a network from what ``--graph`` names: an embedded region or a graph file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from resilience import settings
from resilience.errors import BadGraphError
from resilience.network import check_graph
from resilience.sources.bundled import load_region

__all__ = ["load_network"]


def load_network(spec: str | Path | None = None) -> nx.MultiDiGraph[Any]:
    """Load the network a command works on.

    Parameters
    ----------
    spec
        ``None`` for the embedded default region; a region name under ``graphs/``; the
        name of a cached graph under ``graphs/`` (``NAME`` for ``NAME.graphml``); or a
        path to a ``.graphml`` file.

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
        elif path.is_file() or cached.is_file():
            G = _load_graphml(path if path.is_file() else cached)
        else:
            msg = f"no graph file or embedded region named {str(spec)!r}"
            raise BadGraphError(msg)
    check_graph(G)
    return G


def _load_graphml(path: Path) -> nx.MultiDiGraph[Any]:
    if path.suffix.lower() != ".graphml":
        msg = f"{path.name}: unsupported graph format {path.suffix!r} (expected .graphml)"
        raise BadGraphError(msg)
    import osmnx as ox  # noqa: PLC0415 - osmnx is slow to import; only for graph files

    try:
        G = ox.load_graphml(path)
    except Exception as exc:  # noqa: BLE001 - a bad file raises parser, key and value errors
        msg = f"{path.name}: not a readable GraphML graph ({str(exc).splitlines()[0][:120]})"
        raise BadGraphError(msg) from None
    return G
