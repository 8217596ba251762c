"""Compiled engines for the heavy algorithms (scipy.sparse.csgraph, networkit).

The graph stays an osmnx-style MultiDiGraph everywhere; heavy loops convert it once to
arrays (:func:`edge_arrays`, :func:`to_csr`), compute there and map ids back. Parallel
edges reduce to the cheapest one for path problems and count as separate routes
(capacity) for cut problems. networkx stays the reference: every function here is tested
against the networkx result on small random road-like graphs.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

__all__ = [
    "Adjacency",
    "CSRGraph",
    "EdgeArrays",
    "adjacency",
    "betweenness",
    "edge_arrays",
    "flow_cut",
    "invalidate",
    "max_flow_value",
    "shortest_times",
    "to_csr",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

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


# One conversion per graph and weight. Entries live as long as the graph (weak keys) and
# are used only while the graph's version matches: the version is the node and edge
# counts plus a counter :func:`invalidate` bumps, so adding or removing a node or an edge
# invalidates by itself, and an in-place change of weights or endpoints must call
# :func:`invalidate`.
_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[tuple[int, int, int], EdgeArrays]]] = (
    weakref.WeakKeyDictionary()
)
_VERSION: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _edge_count(G: nx.MultiDiGraph[Any]) -> int:
    # number_of_edges() and the public views wrap every node's dict: 3-10x slower than
    # counting the adjacency dicts directly, and this runs on every cache look-up.
    adj: dict[Any, dict[Any, Any]] = getattr(G, "_adj")  # noqa: B009 - not in the stubs
    if G.is_multigraph():
        return sum(len(keys) for nbrs in adj.values() for keys in nbrs.values())
    return sum(len(nbrs) for nbrs in adj.values())


def invalidate(G: nx.MultiDiGraph[Any]) -> None:
    """Drop the cached conversion of ``G`` (call after changing edge weights in place).

    Parameters
    ----------
    G
        The network.
    """
    _VERSION[G] = _VERSION.get(G, 0) + 1
    _CACHE.pop(G, None)


def edge_arrays(G: nx.MultiDiGraph[Any], weight: str = "travel_time") -> EdgeArrays:
    """Convert a (multi)graph's edges to arrays once; later calls reuse the conversion.

    The conversion is cached per graph and weight until the graph gains or loses a node
    or an edge, or :func:`invalidate` is called (see ``_CACHE``). Callers must not
    change the arrays.

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
    version = (_VERSION.get(G, 0), G.number_of_nodes(), _edge_count(G))
    try:
        per_graph = _CACHE.setdefault(G, {})
    except TypeError:  # not weak-referenceable: convert every time
        return _convert(G, weight)
    hit = per_graph.get(weight)
    if hit is not None and hit[0] == version:
        return hit[1]
    arrays = _convert(G, weight)
    per_graph[weight] = (version, arrays)
    return arrays


def _convert(G: nx.MultiDiGraph[Any], weight: str) -> EdgeArrays:
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
    for arr in (u, v, w):
        arr.flags.writeable = False  # shared through the cache
    return EdgeArrays(nodes, index, u, v, keys, w)


@dataclass(frozen=True)
class Adjacency:
    """Out-neighbours per node in the graph's own adjacency order, parallel edges merged.

    networkx scans a node's neighbours in insertion order; an engine that must break
    ties as networkx does (:mod:`resilience._dijkstra`) scans them in the same order.

    Attributes
    ----------
    indptr, indices
        CSR layout: the neighbours of node ``i`` are ``indices[indptr[i]:indptr[i + 1]]``.
    weight
        Cheapest parallel weight per entry, as stored (zero stays zero; see ``_ZERO``).
    count
        Number of parallel edges per entry (each is a separate physical route).
    """

    indptr: IntArray
    indices: IntArray
    weight: FloatArray
    count: IntArray


def adjacency(G: nx.MultiDiGraph[Any], weight: str = "travel_time") -> Adjacency:
    """The cached conversion of ``G`` (:func:`edge_arrays`) as an ordered adjacency.

    Weights at or below ``_ZERO`` read as zero again, as networkx sees them (a stored
    weight of ``1e-9`` or less, or a negative one, is therefore taken as zero).

    Parameters
    ----------
    G
        The network.
    weight
        Edge attribute used as the weight.

    Returns
    -------
    Adjacency
        The adjacency.
    """
    arrays = edge_arrays(G, weight)
    u, v, w = arrays.u, arrays.v, arrays.weight
    if len(u) > 1 and bool((u[1:] < u[:-1]).any()):
        # Edges come grouped by tail in node order; regroup if a conversion did not.
        order = np.argsort(u, kind="stable")
        u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    starts = np.flatnonzero(first)
    cheapest = np.minimum.reduceat(w, starts) if len(starts) else w[:0]
    cheapest = np.where(cheapest <= _ZERO, 0.0, cheapest)
    count = np.diff(np.append(starts, len(u))).astype(np.int64)
    indptr = np.zeros(arrays.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u[starts], minlength=arrays.n), out=indptr[1:])
    return Adjacency(indptr, v[starts].astype(np.int64), cheapest, count)


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


def _residual(cap: sparse.csr_array, source: int, sink: int) -> sparse.csr_array:
    """The arcs with residual capacity after a Dinic maximum flow, as a 0/1 matrix."""
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
    return residual


def max_flow_value(G: nx.MultiDiGraph[Any], source: Any, target: Any) -> int:
    """Number of edge-disjoint ``source → target`` paths (parallel edges count), by Dinic.

    Parameters
    ----------
    G
        The network (converted once, cached).
    source, target
        Node ids in ``G``.

    Returns
    -------
    int
        The maximum-flow value with a unit of capacity per edge (0 when unreachable).
    """
    if source == target:
        return 0
    arrays = edge_arrays(G)
    keep = arrays.u != arrays.v
    ones = np.ones(int(keep.sum()), dtype=np.int32)
    cap = sparse.csr_array((ones, (arrays.u[keep], arrays.v[keep])), shape=(arrays.n, arrays.n))
    cap.sum_duplicates()
    s, t = arrays.index[source], arrays.index[target]
    return int(csgraph.maximum_flow(cap, s, t, method="dinic").flow_value)


def _source_side(residual: sparse.csr_array, source: int, sink: int, near: str) -> BoolArray:
    """Source side of the minimum cut nearest ``near``: the two extreme cuts are unique.

    Nearest the source: the nodes the source reaches in the residual graph. Nearest the
    target: every node but those that reach the sink in the residual graph (networkx's
    ``minimum_cut`` partition).
    """
    n = residual.shape[0]
    side = np.zeros(n, dtype=bool)
    if near == "source":
        reach = csgraph.breadth_first_order(residual, source, directed=True)[0]
        side[reach] = True
    else:
        back = csgraph.breadth_first_order(sparse.csr_array(residual.T), sink, directed=True)[0]
        side[:] = True
        side[back] = False
    return side


def flow_cut(
    G: nx.MultiDiGraph[Any],
    sources: Iterable[Any],
    targets: Iterable[Any],
    *,
    kind: Literal["edge", "vertex"] = "edge",
    near: Literal["source", "target"] = "target",
) -> list[tuple[Any, Any, Any]] | list[Any]:
    """A minimum cut between node groups on the compiled engine (Dinic, scipy csgraph).

    The engine behind :func:`resilience.analysis.cuts.min_cut` (call that one). A super
    source feeds the sources and a super sink drains the targets with capacities no cut
    can afford. Edge cut: every parallel edge is a unit of capacity. Vertex cut: Even's
    split ``v_in → v_out`` of capacity 1 (unaffordable for the sources and targets).

    Parameters
    ----------
    G
        The network.
    sources, targets
        Node ids (disjoint, all in ``G``); the caller checks them.
    kind
        ``"edge"`` or ``"vertex"``.
    near
        The extreme minimum cut nearest the sources or the targets.

    Returns
    -------
    list
        Edge cut: ``(u, v, key)`` of each cut edge in edge order. Vertex cut: the node
        ids in node order. Empty when no target is reachable.
    """
    arrays = edge_arrays(G)
    n = arrays.n
    src = np.array([arrays.index[x] for x in sources], dtype=np.int64)
    dst = np.array([arrays.index[x] for x in targets], dtype=np.int64)
    keep = arrays.u != arrays.v
    if kind == "edge":
        big = len(arrays.u) + 1
        rows, cols = arrays.u[keep], arrays.v[keep]
        vals = np.ones(len(rows), dtype=np.int64)
        size, s_out, t_in = n, src, dst
    else:
        big = n + 1
        internal = np.ones(n, dtype=np.int64)
        internal[src] = big
        internal[dst] = big
        rows = np.concatenate([2 * np.arange(n), 2 * arrays.u[keep] + 1])
        cols = np.concatenate([2 * np.arange(n) + 1, 2 * arrays.v[keep]])
        vals = np.concatenate([internal, np.full(int(keep.sum()), big, dtype=np.int64)])
        size, s_out, t_in = 2 * n, 2 * src + 1, 2 * dst
    s, t = size, size + 1
    rows = np.concatenate([rows, np.full(len(s_out), s), t_in])
    cols = np.concatenate([cols, s_out, np.full(len(t_in), t)])
    vals = np.concatenate([vals, np.full(len(s_out) + len(t_in), big, dtype=np.int64)])
    cap = sparse.csr_array((vals, (rows, cols)), shape=(size + 2, size + 2))
    cap.sum_duplicates()
    cap.data = np.minimum(cap.data, big).astype(np.int32)
    side = _source_side(_residual(cap, s, t), s, t, near)
    if kind == "edge":
        crossing = np.flatnonzero(side[arrays.u] & ~side[arrays.v] & keep)
        return [
            (arrays.nodes[arrays.u[i]], arrays.nodes[arrays.v[i]], arrays.key[i]) for i in crossing
        ]
    cut = np.flatnonzero(side[0 : 2 * n : 2] & ~side[1 : 2 * n : 2])
    return [arrays.nodes[i] for i in cut]


def betweenness(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    samples: int | None = None,
    seed: int = 0,
    epsilon: float | None = None,
    delta: float = 0.1,
    sources: list[Any] | None = None,
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
    epsilon, delta
        Additive error bound and failure probability of the approximation (exact or
        ``samples`` when ``epsilon`` is ``None``).
    sources
        Sampled source node ids, in the order networkx's ``betweenness_centrality(k=...)``
        draws them (``random.Random(seed).sample(list(G), k)``): node and edge values are
        then networkx's estimate for that sample, rescaled as networkx 3.6 does (node
        values of sampled sources by ``1 / ((k - 1)(n - 2))``, others by
        ``1 / (k (n - 2))``; edges by ``1 / (k (n - 1))``). Overrides the other options.

    Returns
    -------
    nodes, edges
        Node id to value; ``(u, v)`` to value.
    """
    arrays = edge_arrays(G, weight)
    matrix = arrays.csr()
    matrix.setdiag(0)
    matrix.eliminate_zeros()
    n = arrays.n
    node_scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0  # noqa: PLR2004
    edge_scale = 1.0 / (n * (n - 1)) if n > 1 else 1.0
    if sources is not None:
        return _sampled_like_networkx(arrays, matrix, sources)
    if epsilon is not None:
        from resilience._brandes import sample_size, sampled_betweenness  # noqa: PLC0415

        k = sample_size(n, epsilon, delta)
        matrix.sort_indices()
        node_sum, edge_sum = sampled_betweenness(matrix, k, seed)
        scale = n / min(k, n) if n else 1.0
        scores = node_sum * scale * node_scale
        rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
        edge_vals: dict[tuple[Any, Any], float] = {
            (arrays.nodes[a], arrays.nodes[b]): float(x * scale * edge_scale)
            for a, b, x in zip(
                rows.tolist(), matrix.indices.tolist(), edge_sum.tolist(), strict=True
            )
        }
        return {arrays.nodes[i]: float(scores[i]) for i in range(n)}, edge_vals
    import networkit as nk  # noqa: PLC0415 - heavy import kept off the CLI start-up path

    coo = matrix.tocoo()
    g = nk.graph.Graph(n, weighted=True, directed=True)
    g.addEdges((coo.data.astype(np.float64), (coo.row.astype(np.int64), coo.col.astype(np.int64))))
    g.indexEdges()
    if samples is None or samples >= n:
        algo = nk.centrality.Betweenness(g, normalized=False, computeEdgeCentrality=True)
        algo.run()
        scores = np.asarray(algo.scores()) * node_scale
        escores = np.asarray(algo.edgeScores())
        edge_vals = {}
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


def _sampled_like_networkx(
    arrays: EdgeArrays, matrix: sparse.csr_array, sources: list[Any]
) -> tuple[dict[Any, float], dict[tuple[Any, Any], float]]:
    """The sampled estimate networkx gives for these sources (nodes and edges), compiled."""
    from resilience._brandes import dependencies  # noqa: PLC0415 - numba

    n, k = arrays.n, len(sources)
    rows_of = [arrays.index[x] for x in sources]
    matrix.sort_indices()
    node_sum, edge_sum = dependencies(matrix, rows_of)
    node_vals = {}
    if n > 2:  # noqa: PLR2004 - no node lies between two others
        picked = np.zeros(n, dtype=bool)
        picked[rows_of] = True
        own = 1 / ((k - 1) * (n - 2)) if k > 1 else float("nan")
        other = 1 / (k * (n - 2))
        scale = np.where(picked, own, other)
        node_vals = {arrays.nodes[i]: float(node_sum[i] * scale[i]) for i in range(n)}
    else:
        node_vals = {x: float(node_sum[i]) for i, x in enumerate(arrays.nodes)}
    edge_scale = 1 / (k * (n - 1)) if n > 1 else 1.0
    rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    edge_vals = {
        (arrays.nodes[a], arrays.nodes[b]): float(x * edge_scale)
        for a, b, x in zip(rows.tolist(), matrix.indices.tolist(), edge_sum.tolist(), strict=True)
    }
    return node_vals, edge_vals
