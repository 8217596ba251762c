"""resilience: logistics network resilience analysis of road + rail supply networks.

The public API: load a network, name what is removed, analyse (``cut``: what a loss
does; ``interdict``: the worst k losses; ``protect``: what to harden against them;
``repair_order``: what to restore first after a loss).

>>> import resilience
>>> G = resilience.load_network()
>>> removal = resilience.build_removal(G, nodes=["pokrovsk"])
>>> origins, destinations = resilience.resolve_od(G)
>>> result = resilience.cut(G, removal, origins, destinations)
>>> "cut off" in set(result.od["status"]) or "detour" in set(result.od["status"])
True

The names are loaded on first use (PEP 562), so ``import resilience`` -- and so
``resilience --help`` -- does not pay for the geo and graph libraries up front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from resilience.errors import (
    BadGraphError,
    BadInputError,
    BadScenarioError,
    NetworkUnavailableError,
    ResilienceError,
    UnknownTargetError,
)

if TYPE_CHECKING:
    from resilience.analysis.centrality import edge_betweenness, node_betweenness
    from resilience.analysis.cuts import min_edge_cut, min_vertex_cut
    from resilience.analysis.impact import CutResult, cut, global_efficiency
    from resilience.analysis.interdict import InterdictionResult, interdict
    from resilience.analysis.paths import disjoint_paths, paths_table, shortest_path
    from resilience.analysis.protect import ProtectResult, RepairResult, protect, repair_order
    from resilience.sources.bundled import load_places, load_region
    from resilience.sources.load import load_network
    from resilience.targets import Removal, apply_removal, build_removal, resolve_od

__all__ = [
    "BadGraphError",
    "BadInputError",
    "BadScenarioError",
    "CutResult",
    "InterdictionResult",
    "NetworkUnavailableError",
    "ProtectResult",
    "Removal",
    "RepairResult",
    "ResilienceError",
    "UnknownTargetError",
    "apply_removal",
    "build_removal",
    "cut",
    "disjoint_paths",
    "edge_betweenness",
    "global_efficiency",
    "interdict",
    "load_network",
    "load_places",
    "load_region",
    "min_edge_cut",
    "min_vertex_cut",
    "node_betweenness",
    "paths_table",
    "protect",
    "repair_order",
    "resolve_od",
    "shortest_path",
]

# Public name -> the module that defines it; imported by ``__getattr__`` on first use.
_LAZY = {
    "edge_betweenness": "resilience.analysis.centrality",
    "node_betweenness": "resilience.analysis.centrality",
    "min_edge_cut": "resilience.analysis.cuts",
    "min_vertex_cut": "resilience.analysis.cuts",
    "CutResult": "resilience.analysis.impact",
    "cut": "resilience.analysis.impact",
    "global_efficiency": "resilience.analysis.impact",
    "InterdictionResult": "resilience.analysis.interdict",
    "interdict": "resilience.analysis.interdict",
    "disjoint_paths": "resilience.analysis.paths",
    "paths_table": "resilience.analysis.paths",
    "shortest_path": "resilience.analysis.paths",
    "ProtectResult": "resilience.analysis.protect",
    "RepairResult": "resilience.analysis.protect",
    "protect": "resilience.analysis.protect",
    "repair_order": "resilience.analysis.protect",
    "load_places": "resilience.sources.bundled",
    "load_region": "resilience.sources.bundled",
    "load_network": "resilience.sources.load",
    "Removal": "resilience.targets",
    "apply_removal": "resilience.targets",
    "build_removal": "resilience.targets",
    "resolve_od": "resilience.targets",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'resilience' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted(set(globals()) | set(__all__))
