"""Compiled single-pair Dijkstra and min-cost flow over CSR arrays (numba).

The engine behind :mod:`resilience.analysis.paths` for large graphs. The Dijkstra
replays networkx's ``single_source_dijkstra`` step for step, so it returns the same path
even among equally short ones: the heap is ordered by ``(distance, push counter)``,
neighbours are scanned in the graph's adjacency order, and a node's predecessor changes
only on a strictly shorter distance. The min-cost flow is successive shortest paths
with potentials on integer costs; it has the same value and total cost as networkx's
network simplex, but when several flows share that cost it may pick another one.
Imported only when asked for (numba is heavy).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = ["min_cost_flow", "shortest_pair"]


@njit(cache=True, nogil=True)
def _push(
    hd: Any, hc: Any, hn: Any, size: int, d: Any, c: int, node: int
) -> int:  # pragma: no cover
    j = size
    hd[j], hc[j], hn[j] = d, c, node
    while j > 0:
        q = (j - 1) >> 1
        if hd[q] < hd[j] or (hd[q] == hd[j] and hc[q] < hc[j]):
            break
        hd[q], hd[j] = hd[j], hd[q]
        hc[q], hc[j] = hc[j], hc[q]
        hn[q], hn[j] = hn[j], hn[q]
        j = q
    return size + 1


@njit(cache=True, nogil=True)
def _pop(hd: Any, hc: Any, hn: Any, size: int) -> int:  # pragma: no cover
    # Moves the smallest entry to slot ``size - 1`` and returns the new size.
    last = size - 1
    hd[0], hd[last] = hd[last], hd[0]
    hc[0], hc[last] = hc[last], hc[0]
    hn[0], hn[last] = hn[last], hn[0]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= last:
            break
        c = left
        r = left + 1
        if r < last and (hd[r] < hd[left] or (hd[r] == hd[left] and hc[r] < hc[left])):
            c = r
        if hd[i] < hd[c] or (hd[i] == hd[c] and hc[i] < hc[c]):
            break
        hd[c], hd[i] = hd[i], hd[c]
        hc[c], hc[i] = hc[i], hc[c]
        hn[c], hn[i] = hn[i], hn[c]
        i = c
    return last


@njit(cache=True, nogil=True)
def _shortest(
    indptr: Any, indices: Any, weight: Any, source: int, target: int
) -> Any:  # pragma: no cover
    n = len(indptr) - 1
    seen = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    pred = np.full(n, -1, dtype=np.int64)
    cap = len(indices) + 1
    hd = np.empty(cap)
    hc = np.empty(cap, dtype=np.int64)
    hn = np.empty(cap, dtype=np.int64)
    seen[source] = 0.0
    size = _push(hd, hc, hn, 0, 0.0, 0, source)
    count = 1
    found = np.inf
    while size > 0:
        size = _pop(hd, hc, hn, size)
        d, u = hd[size], hn[size]
        if done[u]:
            continue
        done[u] = True
        if u == target:
            found = d
            break
        for p in range(indptr[u], indptr[u + 1]):
            v = indices[p]
            if done[v]:
                continue
            nd = d + weight[p]
            if nd < seen[v]:
                seen[v] = nd
                pred[v] = u
                size = _push(hd, hc, hn, size, nd, count, v)
                count += 1
    return found, pred


def shortest_pair(
    indptr: Any, indices: Any, weight: Any, source: int, target: int
) -> tuple[float, list[int]] | None:
    """The shortest ``source → target`` path, chosen among ties as networkx chooses.

    Parameters
    ----------
    indptr, indices, weight
        CSR adjacency in the graph's adjacency order, one entry per neighbour with the
        cheapest parallel weight (see :func:`resilience.backend.adjacency`).
    source, target
        Node indices.

    Returns
    -------
    tuple or None
        ``(cost, node indices)``; ``None`` when the target cannot be reached.
    """
    cost, pred = _shortest(indptr, indices, weight, source, target)
    if not np.isfinite(cost):
        return None
    path = [target]
    while path[-1] != source:
        path.append(int(pred[path[-1]]))
    return float(cost), path[::-1]


@njit(cache=True, nogil=True)
def _ssp(  # noqa: C901, PLR0912, PLR0915 - one compiled loop
    n: int,
    res_indptr: Any,
    res_arc: Any,
    tail: Any,
    head: Any,
    cap: Any,
    cost: Any,
    source: int,
    sink: int,
) -> Any:  # pragma: no cover
    m = len(cap)
    flow = np.zeros(m, dtype=np.int64)
    pi = np.zeros(n, dtype=np.int64)
    big = np.int64(2) ** 62
    dist = np.empty(n, dtype=np.int64)
    done = np.empty(n, dtype=np.bool_)
    via = np.empty(n, dtype=np.int64)
    size_cap = 2 * m + 1
    hd = np.empty(size_cap, dtype=np.int64)
    hc = np.empty(size_cap, dtype=np.int64)
    hn = np.empty(size_cap, dtype=np.int64)
    while True:
        dist[:] = big
        done[:] = False
        via[:] = -1
        dist[source] = 0
        size = _push(hd, hc, hn, 0, np.int64(0), 0, source)
        count = 1
        while size > 0:
            size = _pop(hd, hc, hn, size)
            d, u = hd[size], hn[size]
            if done[u]:
                continue
            done[u] = True
            for p in range(res_indptr[u], res_indptr[u + 1]):
                r = res_arc[p]
                if r < m:
                    a, v, c, room = r, head[r], cost[r], cap[r] - flow[r]
                else:
                    a = r - m
                    v, c, room = tail[a], -cost[a], flow[a]
                if room <= 0 or done[v]:
                    continue
                nd = d + c + pi[u] - pi[v]
                if nd < dist[v]:
                    dist[v] = nd
                    via[v] = r
                    size = _push(hd, hc, hn, size, nd, count, v)
                    count += 1
        if not done[sink]:
            break
        for v in range(n):
            pi[v] += min(dist[v], dist[sink])
        push = big
        v = sink
        while v != source:
            r = via[v]
            if r < m:
                push = min(push, cap[r] - flow[r])
                v = tail[r]
            else:
                push = min(push, flow[r - m])
                v = head[r - m]
        v = sink
        while v != source:
            r = via[v]
            if r < m:
                flow[r] += push
                v = tail[r]
            else:
                flow[r - m] -= push
                v = head[r - m]
    return flow


def min_cost_flow(n: int, tail: Any, head: Any, cap: Any, cost: Any, source: int, sink: int) -> Any:
    """A maximum ``source → sink`` flow of least total cost (successive shortest paths).

    Parameters
    ----------
    n
        Number of nodes.
    tail, head, cap, cost
        One entry per arc: ends, integer capacity and non-negative integer cost.
    source, sink
        Node indices (different).

    Returns
    -------
    numpy.ndarray
        Flow per arc (int64).
    """
    tail = np.asarray(tail, dtype=np.int64)
    head = np.asarray(head, dtype=np.int64)
    # Residual arcs: arc a forward from its tail, its reverse (id m + a) from its head.
    owners = np.concatenate([tail, head])
    order = np.argsort(owners, kind="stable")
    res_indptr = np.concatenate([[0], np.cumsum(np.bincount(owners, minlength=n))])
    return _ssp(
        n,
        res_indptr.astype(np.int64),
        order.astype(np.int64),
        tail,
        head,
        np.asarray(cap, dtype=np.int64),
        np.asarray(cost, dtype=np.int64),
        source,
        sink,
    )
