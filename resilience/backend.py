"""Compiled engines for the heavy algorithms (scipy.sparse.csgraph, networkit).

The graph stays an osmnx-style MultiDiGraph everywhere; heavy loops convert it once to
arrays (:func:`edge_arrays`, :func:`to_csr`), compute there and map ids back. Parallel
edges reduce to the cheapest one for path problems and count as separate routes
(capacity) for cut problems. networkx stays the reference: every function here is tested
against the networkx result on small random road-like graphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

__all__ = [
    "CSRGraph",
    "EdgeArrays",
    "betweenness",
    "edge_arrays",
    "min_edge_cut",
    "min_vertex_cut",
    "shortest_times",
    "to_csr",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

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


@dataclass(frozen=True)
class EdgeArrays:
    """Every edge of a multigraph as parallel arrays, in ``G.edges(keys=True)`` order.

    Attributes
    ----------
    nodes
        Node ids, in index order.
    index
        Node id to index.
    u, v
        Edge end indices.
    key
        Edge keys.
    weight
        Edge weights (zero raised to a tiny positive cost, see ``_ZERO``).
    """

    nodes: list[Any]
    index: dict[Any, int]
    u: IntArray
    v: IntArray
    key: list[Any]
    weight: FloatArray

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    def csr(self, mask: npt.NDArray[np.bool_] | None = None) -> sparse.csr_array:
        """The cheapest-parallel-edge weight matrix, optionally over a subset of edges.

        Parameters
        ----------
        mask
            Edges to keep (all when ``None``).

        Returns
        -------
        scipy.sparse.csr_array
            ``n × n`` weights.
        """
        u, v, w = (
            (self.u, self.v, self.weight)
            if mask is None
            else (self.u[mask], self.v[mask], self.weight[mask])
        )
        return _cheapest(u, v, w, self.n)


def edge_arrays(G: nx.MultiDiGraph[Any], weight: str = "travel_time") -> EdgeArrays:
    """Convert a (multi)graph's edges to arrays once.

    Parameters
    ----------
    G
        The network.
    weight
        Edge attribute used as the weight.

    Returns
    -------
    EdgeArrays
        The arrays.
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    m = G.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    w = np.empty(m, dtype=np.float64)
    keys: list[Any] = []
    x: Any
    for i, (a, b, k, x) in enumerate(G.edges(keys=True, data=weight)):
        u[i], v[i], w[i] = index[a], index[b], max(float(x), _ZERO)
        keys.append(k)
    return EdgeArrays(nodes, index, u, v, keys, w)


def _cheapest(u: IntArray, v: IntArray, w: FloatArray, n: int) -> sparse.csr_array:
    # Sort so that, per (row, col), the cheapest edge comes first; keep only it.
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return sparse.csr_array((w[first], (u[first], v[first])), shape=(n, n))


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
    arrays = edge_arrays(G, weight)
    return CSRGraph(arrays.nodes, arrays.index, arrays.csr())


def shortest_times(
    graph: CSRGraph | sparse.csr_array, sources: IntArray | list[int]
) -> tuple[FloatArray, IntArray]:
    """Multi-source Dijkstra: one row of distances and predecessors per source.

    Parameters
    ----------
    graph
        The converted graph or its weight matrix.
    sources
        Row indices of the sources.

    Returns
    -------
    dist, pred
        ``len(sources) × n`` arrays; ``inf`` and ``-9999`` where unreachable.
    """
    matrix = graph.matrix if isinstance(graph, CSRGraph) else graph
    dist, pred = csgraph.dijkstra(
        matrix, directed=True, indices=np.asarray(sources), return_predecessors=True
    )
    return np.atleast_2d(dist), np.atleast_2d(pred).astype(np.int64)


def _capacity(arrays: EdgeArrays) -> sparse.csr_array:
    # Each parallel edge is a separate physical route, so each adds one unit.
    ones = np.ones(len(arrays.u), dtype=np.int32)
    cap = sparse.csr_array((ones, (arrays.u, arrays.v)), shape=(arrays.n, arrays.n))
    cap.sum_duplicates()
    return cap


def _residual_reach(cap: sparse.csr_array, source: int, sink: int) -> tuple[int, IntArray]:
    loops = cap.diagonal() != 0
    if loops.any():
        # maximum_flow refuses self-loops; they never carry s-t flow anyway.
        lil = cap.tolil()
        lil.setdiag(0)
        cap = sparse.csr_array(lil)
        cap.eliminate_zeros()
    result = csgraph.maximum_flow(cap, source, sink, method="dinic")
    residual = sparse.csr_array(cap - result.flow)
    residual.data = (residual.data > 0).astype(np.int8)
    residual.eliminate_zeros()
    reach = csgraph.breadth_first_order(residual, source, directed=True, return_predecessors=False)
    return int(result.flow_value), np.asarray(reach, dtype=np.int64)


def min_edge_cut(G: nx.MultiDiGraph[Any], source: Any, target: Any) -> list[tuple[Any, Any, Any]]:
    """The fewest directed edges whose loss separates ``target`` from ``source``.

    Parallel edges count separately. The cut returned is the one closest to the source
    (the edges leaving the residual-reachable set of a Dinic maximum flow).

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids (different, both in ``G``).

    Returns
    -------
    list of tuple
        ``(u, v, key)`` of each cut edge, sorted by indices; empty when already cut.
    """
    arrays = edge_arrays(G)
    s, t = arrays.index[source], arrays.index[target]
    _, reach = _residual_reach(_capacity(arrays), s, t)
    side = np.zeros(arrays.n, dtype=bool)
    side[reach] = True
    if side[t]:
        msg = "maximum flow left the target reachable"
        raise AssertionError(msg)
    crossing = np.flatnonzero(side[arrays.u] & ~side[arrays.v])
    return [(arrays.nodes[arrays.u[i]], arrays.nodes[arrays.v[i]], arrays.key[i]) for i in crossing]


def min_vertex_cut(G: nx.MultiDiGraph[Any], source: Any, target: Any) -> list[Any] | None:
    """The fewest nodes (other than the ends) whose loss separates ``target`` from ``source``.

    Solved as a maximum flow on the split graph: node ``v`` becomes ``v_in → v_out`` with
    capacity 1, every edge ``u → v`` becomes ``u_out → v_in`` with a capacity no cut can
    afford.

    Parameters
    ----------
    G
        The network.
    source, target
        Node ids (different, both in ``G``).

    Returns
    -------
    list or None
        The cut nodes (empty when already cut); ``None`` when an edge links the two
        directly, so that no set of other nodes separates them.
    """
    if G.has_edge(source, target):
        return None
    arrays = edge_arrays(G)
    n = arrays.n
    s, t = arrays.index[source], arrays.index[target]
    big = n + 1
    internal = np.ones(n, dtype=np.int32)
    internal[[s, t]] = big
    keep = arrays.u != arrays.v
    rows = np.concatenate([2 * np.arange(n), 2 * arrays.u[keep] + 1])
    cols = np.concatenate([2 * np.arange(n) + 1, 2 * arrays.v[keep]])
    vals = np.concatenate([internal, np.full(int(keep.sum()), big, dtype=np.int32)])
    cap = sparse.csr_array((vals, (rows, cols)), shape=(2 * n, 2 * n))
    cap.sum_duplicates()
    cap.data = np.minimum(cap.data, big).astype(np.int32)
    _, reach = _residual_reach(cap, 2 * s + 1, 2 * t)
    side = np.zeros(2 * n, dtype=bool)
    side[reach] = True
    cut = np.flatnonzero(side[0::2] & ~side[1::2])
    return [arrays.nodes[i] for i in cut]


def betweenness(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    samples: int | None = None,
    seed: int = 0,
) -> tuple[dict[Any, float], dict[tuple[Any, Any], float]]:
    """Weighted betweenness of nodes and (collapsed) edges with networkit, normalised.

    Exact (Brandes) when ``samples`` is ``None``: the same values as networkx's
    ``betweenness_centrality`` / ``edge_betweenness_centrality(normalized=True)`` on the
    cheapest-parallel-edge digraph. With ``samples``, node betweenness is estimated from
    that many sampled sources (Geisberger–Sanders–Schultes) with the seed fixed and a
    single thread, so reruns agree; edge values are then ``nan`` (networkit has no
    sampled edge betweenness).

    Parameters
    ----------
    G
        The network.
    weight
        Edge attribute minimised.
    samples
        Number of sampled sources (exact when ``None``).
    seed
        Seed for the sample.

    Returns
    -------
    nodes, edges
        Node id to value; ``(u, v)`` to value.
    """
    import networkit as nk  # noqa: PLC0415 - heavy import kept off the CLI start-up path

    arrays = edge_arrays(G, weight)
    matrix = arrays.csr()
    matrix.setdiag(0)
    matrix.eliminate_zeros()
    coo = matrix.tocoo()
    n = arrays.n
    g = nk.graph.Graph(n, weighted=True, directed=True)
    g.addEdges((coo.data.astype(np.float64), (coo.row.astype(np.int64), coo.col.astype(np.int64))))
    g.indexEdges()
    node_scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0  # noqa: PLR2004
    edge_scale = 1.0 / (n * (n - 1)) if n > 1 else 1.0
    if samples is None or samples >= n:
        algo = nk.centrality.Betweenness(g, normalized=False, computeEdgeCentrality=True)
        algo.run()
        scores = np.asarray(algo.scores()) * node_scale
        escores = np.asarray(algo.edgeScores())
        edge_vals: dict[tuple[Any, Any], float] = {}
        for a, b in g.iterEdges():
            edge_vals[arrays.nodes[a], arrays.nodes[b]] = float(
                escores[g.edgeId(a, b)] * edge_scale
            )
    else:
        nk.engineering.setSeed(seed, useThreadId=False)
        algo = nk.centrality.EstimateBetweenness(g, samples, normalized=False, parallel=False)
        algo.run()
        scores = np.asarray(algo.scores()) * node_scale
        edge_vals = {
            (arrays.nodes[a], arrays.nodes[b]): float("nan")
            for a, b in zip(coo.row, coo.col, strict=True)
        }
    return {arrays.nodes[i]: float(scores[i]) for i in range(n)}, edge_vals
