"""What a scenario takes out of the network: the :class:`Removal` type, built and applied."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from resilience.errors import BadInputError
from resilience.targets.areas import area_targets, corridor_area, read_polygons
from resilience.targets.names import (
    EdgeKey,
    link_count,
    normalize_name,
    resolve_edge,
    resolve_place,
    resolve_ref,
)

__all__ = ["Removal", "apply_removal", "build_removal"]


@dataclass(frozen=True)
class Removal:
    """What a scenario takes out of the network.

    Attributes
    ----------
    nodes
        Node ids removed (with all their edges).
    edges
        Edge keys ``(u, v, key)`` removed.
    labels
        Human description of each target, in the order given.
    """

    nodes: frozenset[Any] = frozenset()
    edges: frozenset[EdgeKey] = frozenset()
    labels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def links(self) -> int:
        """Removed edges counted as links: both directions of one ``(u, v, key)`` are one."""
        return link_count(self.edges)

    @property
    def empty(self) -> bool:
        """True when nothing is removed."""
        return not self.nodes and not self.edges

    def slug(self) -> str:
        """A file-name-safe summary of the labels, stable across runs."""
        if not self.labels:
            return "baseline"
        text = "+".join(normalize_name(lbl) for lbl in self.labels)
        return re.sub(r"[^a-z0-9+\-]", "", text)[:80] or "removal"


def build_removal(
    G: nx.MultiDiGraph[Any],
    *,
    nodes: Sequence[str] = (),
    refs: Sequence[str] = (),
    corridors: Sequence[str] = (),
    edges: Sequence[tuple[str, str] | tuple[str, str, str | None]] = (),
    polygons: Sequence[Path] = (),
    polygon_buffer_m: float = 0.0,
) -> Removal:
    """Resolve every target a user named into one :class:`Removal`.

    Parameters
    ----------
    G
        The network.
    nodes
        Place names.
    refs
        Road/rail refs.
    corridors
        Corridor names.
    edges
        Pairs of place names whose direct links are cut, or triples ``(a, b, key)`` that
        cut only the link with that key (both its directions; see
        :func:`~resilience.targets.names.resolve_edge`).
    polygons
        Polygon layers; nodes inside are removed.
    polygon_buffer_m
        Buffer applied to the polygons.

    Returns
    -------
    Removal
        The union of all targets.

    Raises
    ------
    UnknownTargetError
        If a target is unknown.
    BadInputError
        If the targets remove every node of the graph.
    """
    rm_nodes: set[Any] = set()
    rm_edges: set[EdgeKey] = set()
    labels: list[str] = []
    for name in nodes:
        rm_nodes |= resolve_place(G, name)
        labels.append(name)
    for ref in refs:
        rm_edges |= resolve_ref(G, ref)
        labels.append(ref)
    for name in corridors:
        c_nodes, c_edges = corridor_area(G, name)
        rm_nodes |= c_nodes
        rm_edges |= c_edges
        labels.append(name)
    for a, b, *rest in edges:
        key = rest[0] if rest else None
        rm_edges |= resolve_edge(G, a, b, key=key)
        labels.append(f"{a}-{b}" if key is None else f"{a}-{b}#{key}")
    for path in polygons:
        p_nodes, p_edges = area_targets(G, read_polygons(Path(path)), buffer_m=polygon_buffer_m)
        rm_nodes |= p_nodes
        rm_edges |= p_edges
        labels.append(Path(path).stem)
    if rm_nodes and len(rm_nodes) >= G.number_of_nodes():
        msg = "the targets remove every node of the network; nothing is left to analyse"
        raise BadInputError(msg)
    rm_edges = {e for e in rm_edges if e[0] not in rm_nodes and e[1] not in rm_nodes}
    return Removal(frozenset(rm_nodes), frozenset(rm_edges), tuple(labels))


def apply_removal(G: nx.MultiDiGraph[Any], removal: Removal) -> nx.MultiDiGraph[Any]:
    """A copy of ``G`` without the removed nodes and edges (``G`` is not changed).

    Parameters
    ----------
    G
        The network.
    removal
        What to take out.

    Returns
    -------
    networkx.MultiDiGraph
        The damaged network.
    """
    H = G.copy()
    H.remove_edges_from(removal.edges)  # type: ignore[arg-type]  # (u, v, key) is valid on multigraphs
    H.remove_nodes_from(removal.nodes)
    return H
