"""resilience: logistics network resilience analysis of road + rail supply networks.

The public API: load a network, name what is removed, analyse.

>>> import resilience
>>> G = resilience.load_network()
>>> removal = resilience.build_removal(G, nodes=["pokrovsk"])
>>> origins, destinations = resilience.resolve_od(G)
>>> result = resilience.cut(G, removal, origins, destinations)
>>> "cut off" in set(result.od["status"]) or "detour" in set(result.od["status"])
True
"""

from resilience.analysis.centrality import edge_betweenness, node_betweenness
from resilience.analysis.cuts import min_edge_cut, min_vertex_cut
from resilience.analysis.impact import CutResult, cut, global_efficiency
from resilience.analysis.paths import disjoint_paths, paths_table, shortest_path
from resilience.errors import (
    BadGraphError,
    BadInputError,
    BadScenarioError,
    NetworkUnavailableError,
    ResilienceError,
    UnknownTargetError,
)
from resilience.sources.bundled import load_places, load_region
from resilience.sources.load import load_network
from resilience.targets import Removal, apply_removal, build_removal, resolve_od

__all__ = [
    "BadGraphError",
    "BadInputError",
    "BadScenarioError",
    "CutResult",
    "NetworkUnavailableError",
    "Removal",
    "ResilienceError",
    "UnknownTargetError",
    "apply_removal",
    "build_removal",
    "cut",
    "disjoint_paths",
    "edge_betweenness",
    "global_efficiency",
    "load_network",
    "load_places",
    "load_region",
    "min_edge_cut",
    "min_vertex_cut",
    "node_betweenness",
    "paths_table",
    "resolve_od",
    "shortest_path",
]
