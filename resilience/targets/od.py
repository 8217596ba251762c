"""Origins and destinations: names to endpoint nodes, with the graph's or region's defaults."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import networkx as nx

from resilience.errors import BadInputError, ResilienceError, UnknownTargetError
from resilience.targets.names import endpoint

__all__ = ["resolve_od"]


def resolve_od(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[str] = (),
    destinations: Sequence[str] = (),
) -> tuple[list[Any], list[Any]]:
    """Turn origin and destination names into endpoint nodes, with defaults.

    When a side is not given, the graph's own defaults (``G.graph["origins"]`` /
    ``["destinations"]``) are used, else the embedded region's, keeping only the places
    this graph covers.

    Parameters
    ----------
    G
        The network.
    origins, destinations
        Place names; empty for the defaults.

    Returns
    -------
    tuple of list
        Origin nodes and destination nodes, duplicates dropped, order kept.

    Raises
    ------
    UnknownTargetError
        If a name given is unknown.
    BadInputError
        If no default place lies in this graph.
    """
    from resilience.sources.bundled import load_region  # noqa: PLC0415 - avoids a cycle at import

    out: list[list[Any]] = []
    for side, names in (("origins", origins), ("destinations", destinations)):
        if names:
            nodes = [endpoint(G, n) for n in names]
        else:
            defaults = G.graph.get(side) or load_region().graph[side]
            nodes, missing = [], []
            for name in defaults:
                try:
                    nodes.append(endpoint(G, str(name)))
                except UnknownTargetError:
                    missing.append(name)
            if missing and nodes and G.graph.get("as_of") in (None, "", "pre-war"):
                # Said, not dropped silently: 3x9 pairs is not the 3x13 a user expects. (A
                # dated network names the places it lost itself.)
                warnings.warn(
                    f"{len(missing)} default {side} not in this graph, left out: "
                    f"{', '.join(sorted(_display(G, name) for name in missing))}",
                    UserWarning,
                    stacklevel=2,
                )
            if not nodes:
                flag = "--origin" if side == "origins" else "--destination"
                msg = f"none of the default {side} lies in this graph; name them with {flag}"
                raise BadInputError(msg)
        out.append(list(dict.fromkeys(nodes)))
    return out[0], out[1]


def _display(G: nx.MultiDiGraph[Any], name: Any) -> str:
    """A default place's readable name: from this graph, else from the embedded region."""
    from resilience.sources.bundled import load_region  # noqa: PLC0415 - avoids a cycle at import

    if name in G:
        return str(G.nodes[name].get("name", name))
    try:
        region = load_region()
    except ResilienceError:  # no embedded region here: the id is the best name
        return str(name)
    return str(region.nodes[name].get("name", name)) if name in region else str(name)
