"""Conversion of the networkx graph to compiled engines (scipy.sparse.csgraph).

The graph stays an osmnx-style MultiDiGraph everywhere; heavy loops convert it once to
arrays, compute there and map ids back. Parallel edges reduce to the cheapest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = ["CSRGraph", "to_csr"]

# csgraph drops explicit zeros in some routines; a zero-cost edge (a transfer inside one
# station, a consolidated node) must stay an edge, so it costs this instead.
_ZERO = 1e-9


@dataclass(frozen=True)
class CSRGraph:
    """A graph as a CSR weight matrix with the node order that maps ids back.

    Attributes
    ----------
    nodes
        Node ids, in matrix order.
    index
        Node id to row.
    matrix
        ``n × n`` CSR matrix of the cheapest edge weight ``u → v``.
    """

    nodes: list[Any]
    index: dict[Any, int]
    matrix: sparse.csr_array

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.nodes)


def to_csr(G: nx.MultiDiGraph[Any], weight: str = "travel_time") -> CSRGraph:
    """Convert a (multi)graph to a :class:`CSRGraph`, keeping the cheapest parallel edge.

    Parameters
    ----------
    G
        The network.
    weight
        Edge attribute used as the weight.

    Returns
    -------
    CSRGraph
        The converted graph.
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    m = G.number_of_edges()
    rows: npt.NDArray[np.int64] = np.empty(m, dtype=np.int64)
    cols: npt.NDArray[np.int64] = np.empty(m, dtype=np.int64)
    vals: npt.NDArray[np.float64] = np.empty(m, dtype=np.float64)
    w: Any
    for i, (u, v, w) in enumerate(G.edges(data=weight)):
        rows[i], cols[i], vals[i] = index[u], index[v], max(float(w), _ZERO)
    # Sort so that, per (row, col), the cheapest edge comes first; keep only it.
    order = np.lexsort((vals, cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.ones(m, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    matrix = sparse.csr_array(
        (vals[first], (rows[first], cols[first])), shape=(len(nodes), len(nodes))
    )
    return CSRGraph(nodes, index, matrix)
