"""Sampled-source Brandes betweenness over CSR arrays (numba), with a stated error bound.

The estimator is networkx's ``betweenness_centrality(k=...)``: ``k`` sources drawn
uniformly without replacement, each one's dependencies scaled by ``n / k``. Per source
and node, the normalised contribution lies in ``[0, n / (n - 1)]``, so by Hoeffding's
inequality (which holds for sampling without replacement) and a union bound over the
nodes, every estimate is within ``epsilon`` of the exact value with probability at least
``1 - delta`` once ``k >= R² ln(2 n / delta) / (2 epsilon²)`` with ``R = n / (n - 1)``.
Imported only when asked for (numba is heavy).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit, prange

__all__ = ["CHUNKS", "dependencies", "sample_size", "sampled_betweenness"]

#: Sources are split into this many chunks, run on numba's threads (2 cores: about half
#: the time) and added up in chunk order, so the sums are the same on any thread count.
#: Each chunk holds its own node and edge sums (at 1M nodes and 3.4M arcs: 35 MB each).
CHUNKS = 4


def sample_size(n: int, epsilon: float, delta: float) -> int:
    """Sources needed for error ``epsilon`` with probability ``1 - delta`` (module doc).

    Parameters
    ----------
    n
        Number of nodes.
    epsilon, delta
        Additive error on the normalised values and its failure probability.

    Returns
    -------
    int
        The number of sources (at most ``n``: then the result is exact).
    """
    if n < 3:  # noqa: PLR2004 - no node lies between two others
        return n
    r = n / (n - 1)
    return min(n, math.ceil(r * r * math.log(2 * n / delta) / (2 * epsilon * epsilon)))


@njit(cache=True, nogil=True)
def _accumulate(  # noqa: C901, PLR0912, PLR0915 - one compiled loop
    indptr: Any,
    indices: Any,
    data: Any,
    t_indptr: Any,
    t_indices: Any,
    t_data: Any,
    t_edge: Any,
    sources: Any,
    node_out: Any,
    edge_out: Any,
) -> None:  # pragma: no cover
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    done = np.zeros(n, dtype=np.int8)
    stack = np.empty(n, dtype=np.int64)
    cap = len(indices) + n + 1
    hd = np.empty(cap)
    hn = np.empty(cap, dtype=np.int64)
    for s in sources:
        size = 1
        hd[0] = 0.0
        hn[0] = s
        dist[s] = 0.0
        sigma[s] = 1.0
        top = 0
        while size > 0:
            d = hd[0]
            u = hn[0]
            size -= 1
            hd[0] = hd[size]
            hn[0] = hn[size]
            i = 0
            while True:
                left = 2 * i + 1
                if left >= size:
                    break
                c = left
                if left + 1 < size and hd[left + 1] < hd[left]:
                    c = left + 1
                if hd[i] <= hd[c]:
                    break
                hd[c], hd[i] = hd[i], hd[c]
                hn[c], hn[i] = hn[i], hn[c]
                i = c
            if done[u] == 1 or d > dist[u]:
                continue
            done[u] = 1
            stack[top] = u
            top += 1
            for p in range(indptr[u], indptr[u + 1]):
                v = indices[p]
                if done[v] == 1:
                    continue
                nd = d + data[p]
                if nd < dist[v]:
                    dist[v] = nd
                    sigma[v] = sigma[u]
                    j = size
                    hd[j] = nd
                    hn[j] = v
                    size += 1
                    while j > 0:
                        q = (j - 1) >> 1
                        if hd[q] <= hd[j]:
                            break
                        hd[q], hd[j] = hd[j], hd[q]
                        hn[q], hn[j] = hn[j], hn[q]
                        j = q
                elif nd == dist[v]:
                    sigma[v] += sigma[u]
        for k in range(top - 1, -1, -1):
            w = stack[k]
            coeff = (1.0 + delta[w]) / sigma[w]
            for p in range(t_indptr[w], t_indptr[w + 1]):
                v = t_indices[p]
                if done[v] == 1 and dist[v] + t_data[p] == dist[w] and v != w:
                    c = sigma[v] * coeff
                    delta[v] += c
                    edge_out[t_edge[p]] += c
            if w != s:
                node_out[w] += delta[w]
        for k in range(top):
            w = stack[k]
            dist[w] = np.inf
            sigma[w] = 0.0
            delta[w] = 0.0
            done[w] = 0


@njit(cache=True, nogil=True, parallel=True)
def _accumulate_chunks(
    indptr: Any,
    indices: Any,
    data: Any,
    t_indptr: Any,
    t_indices: Any,
    t_data: Any,
    t_edge: Any,
    sources: Any,
    bounds: Any,
    node_outs: Any,
    edge_outs: Any,
) -> None:  # pragma: no cover
    for c in prange(len(bounds) - 1):
        _accumulate(
            indptr,
            indices,
            data,
            t_indptr,
            t_indices,
            t_data,
            t_edge,
            sources[bounds[c] : bounds[c + 1]],
            node_outs[c],
            edge_outs[c],
        )


def sampled_betweenness(matrix: Any, k: int, seed: int) -> tuple[Any, Any]:
    """Unnormalised node and edge dependencies summed over ``k`` uniform sources.

    Parameters
    ----------
    matrix
        ``n × n`` CSR weight matrix (positive weights, no self-loops), sorted indices.
    k
        Number of sources (all nodes when ``k >= n``).
    seed
        Seed for the sample.

    Returns
    -------
    nodes, edges
        Sums per node and per stored matrix entry (in ``matrix.data`` order); multiply
        by ``n / k`` and the normalisation to estimate betweenness.
    """
    n = matrix.shape[0]
    rng = np.random.default_rng(seed)
    sources = np.arange(n) if k >= n else np.sort(rng.choice(n, size=k, replace=False))
    return dependencies(matrix, sources)


def dependencies(matrix: Any, sources: Any) -> tuple[Any, Any]:
    """Unnormalised node and edge dependencies summed over the given sources, in order.

    Parameters
    ----------
    matrix
        ``n × n`` CSR weight matrix (positive weights, no self-loops), sorted indices.
    sources
        Row indices of the sources.

    Returns
    -------
    nodes, edges
        Sums per node and per stored matrix entry (in ``matrix.data`` order).
    """
    n = matrix.shape[0]
    sources = np.asarray(sources, dtype=np.int64)
    coo_rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    order = np.lexsort((coo_rows, matrix.indices))  # by column, then row: the transpose
    t_indptr = np.concatenate([[0], np.cumsum(np.bincount(matrix.indices, minlength=n))])
    # A fixed number of chunks, each summed on its own and added up in chunk order: the
    # threads share the work, and the result does not depend on how many there are.
    chunks = max(1, min(CHUNKS, len(sources)))
    bounds = np.linspace(0, len(sources), chunks + 1).round().astype(np.int64)
    node_outs = np.zeros((chunks, n))
    edge_outs = np.zeros((chunks, len(matrix.data)))
    _accumulate_chunks(
        matrix.indptr.astype(np.int64),
        matrix.indices.astype(np.int64),
        matrix.data.astype(np.float64),
        t_indptr.astype(np.int64),
        coo_rows[order].astype(np.int64),
        matrix.data[order].astype(np.float64),
        order.astype(np.int64),
        sources,
        bounds,
        node_outs,
        edge_outs,
    )
    node_out, edge_out = node_outs[0], edge_outs[0]
    for c in range(1, chunks):
        node_out += node_outs[c]
        edge_out += edge_outs[c]
    return node_out, edge_out
