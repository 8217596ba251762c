"""Turn what a user names into graph elements, and take them out of the network.

- :mod:`~resilience.targets.names`: places, road/rail refs and links by name.
- :mod:`~resilience.targets.areas`: corridors and polygon layers, with the links crossing them.
- :mod:`~resilience.targets.removal`: the :class:`Removal` type, built and applied.
- :mod:`~resilience.targets.od`: origins and destinations, with defaults.
"""

from __future__ import annotations

from resilience.targets.areas import (
    area_targets,
    graph_corridors_file,
    load_corridors,
    read_polygons,
    resolve_corridor,
    resolve_polygon,
)
from resilience.targets.names import (
    EdgeKey,
    endpoint,
    normalize_name,
    normalize_ref,
    place_label,
    ref_tokens,
    resolve_edge,
    resolve_place,
    resolve_ref,
)
from resilience.targets.od import resolve_od
from resilience.targets.removal import Removal, apply_removal, build_removal

# The pre-split private name, still imported by the CLI and tests.
_ref_tokens = ref_tokens

__all__ = [
    "EdgeKey",
    "Removal",
    "apply_removal",
    "area_targets",
    "build_removal",
    "endpoint",
    "graph_corridors_file",
    "load_corridors",
    "normalize_name",
    "normalize_ref",
    "place_label",
    "read_polygons",
    "ref_tokens",
    "resolve_corridor",
    "resolve_edge",
    "resolve_od",
    "resolve_place",
    "resolve_polygon",
    "resolve_ref",
]
