"""Compiled subtree repair for the element scan (numba, over the CSR arrays).

One call runs a whole chunk of removals: no per-removal Python, no per-repair matrix
building. The algorithm is the one :mod:`resilience.analysis.criticality` documents
(intact shortest-path trees; only the subtree a removal cuts off is recomputed, first
over the nodes within a bound of the affected destinations), and the arithmetic is the
same (a label is ``dist(x) + w(x, y)`` summed along the path), so the distances are the
same floats as a full Dijkstra's. Each repair is an A* search per destination over
those nodes (:func:`_dijkstra`); a place removal takes the distances of the repair of
the tree edge into it when they have shortest paths that avoid the place
(:func:`_reuse`, in a scan of both); :func:`run_chunk` splits a chunk over threads
(the kernel holds no GIL), each writing only its own removals' rows.

Imported only when a scan runs: numba's import and the first compile cost about a
second and are cached on disk (``cache=True``) for later processes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numba import njit

__all__ = ["mark_relevant", "metrics", "near_paths", "run_chunk", "share_slots", "subtree_sizes"]

_SLACK_ROUNDS = 3


@njit(cache=True, nogil=True)
def _heap_push(  # pragma: no cover
    hf: Any, hg: Any, hn: Any, size: int, f: float, g: float, node: int
) -> int:
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if hf[p] <= f:
            break
        hf[i] = hf[p]
        hg[i] = hg[p]
        hn[i] = hn[p]
        i = p
    hf[i] = f
    hg[i] = g
    hn[i] = node
    return size + 1


@njit(cache=True, nogil=True)
def _heap_pop(hf: Any, hg: Any, hn: Any, size: int) -> int:  # pragma: no cover
    size -= 1
    f = hf[size]
    g = hg[size]
    node = hn[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hf[c + 1] < hf[c]:
            c += 1
        if f <= hf[c]:
            break
        hf[i] = hf[c]
        hg[i] = hg[c]
        hn[i] = hn[c]
        i = c
    hf[i] = f
    hg[i] = g
    hn[i] = node
    return size


@njit(cache=True, nogil=True)
def _dijkstra(  # noqa: C901, PLR0912, PLR0915 - one compiled loop; calls would cost
    eng: Any,
    rdist_t: Any,
    oi: int,
    nodes: Any,
    k: int,
    start: int,
    stop: int,
    ca: int,
    cb: int,
    cw: float,
    tnodes: Any,
    tcols: Any,
    lim: Any,
    found: Any,
    ws: Any,
    root: int,
    tvia: Any,
) -> None:  # pragma: no cover
    """Distances to ``tnodes`` over ``nodes[:k]`` (inside the subtree), seeded from outside.

    One A* search per destination ``t`` over those nodes, guided by the intact distance
    to ``t`` (``rdist``, a lower bound once something is removed), so only the nodes
    that can lie on a path as short as the answer are settled. A search stops when the
    smallest key exceeds ``min(found, lim)`` by a relative 1e-9 (far above the rounding
    of the sums), so ``found`` is the least path sum over these nodes, the float a
    full Dijkstra gives. ``tvia[i]`` is 0 when some shortest path to ``tnodes[i]``
    avoids ``root`` (so removing ``root`` itself leaves that distance), 1 when every
    one found passes it or it is unknown (ties met after a node was used count as
    passing, which only costs a recomputation).
    """
    (indptr, indices, data, t_indptr, t_indices, t_data, dist, tin) = eng
    mark, dl, sd, hf, hn, _, via, hg, touched = ws
    for i in range(k):
        mark[nodes[i]] = 1
    for i in range(k):
        y = nodes[i]
        best = np.inf
        for p in range(t_indptr[y], t_indptr[y + 1]):
            x = t_indices[p]
            tx = tin[oi, x]
            if start <= tx < stop:
                continue
            w = cw if (x == ca and y == cb) else t_data[p]
            best = min(best, dist[oi, x] + w)
        sd[y] = best
    for i in range(len(tnodes)):
        t = tnodes[i]
        col = tcols[i]
        found[i] = np.inf
        tvia[i] = 1
        if mark[t] != 1:
            continue
        size = 0
        n_touch = 0
        for q in range(k):
            y = nodes[q]
            s = sd[y]
            h = rdist_t[y, col]
            if s < np.inf and h < np.inf:
                dl[y] = s
                via[y] = 1 if y == root else 0
                touched[n_touch] = y
                n_touch += 1
                size = _heap_push(hf, hg, hn, size, s + h, s, y)
        cap = lim[i]
        while size > 0:
            c = min(dl[t], cap)
            if hf[0] > c * (1.0 + 1e-9):
                break
            g = hg[0]
            u = hn[0]
            size = _heap_pop(hf, hg, hn, size)
            if g > dl[u]:
                continue
            for p in range(indptr[u], indptr[u + 1]):
                v = indices[p]
                if mark[v] != 1:
                    continue
                nd = g + data[p]
                if nd < dl[v]:
                    h = rdist_t[v, col]
                    if h == np.inf:
                        continue
                    if dl[v] == np.inf:
                        touched[n_touch] = v
                        n_touch += 1
                    dl[v] = nd
                    via[v] = 1 if v == root else via[u]
                    size = _heap_push(hf, hg, hn, size, nd + h, nd, v)
                elif nd == dl[v] and v != root:
                    via[v] &= via[u]
        found[i] = dl[t]
        if found[i] < np.inf:
            tvia[i] = via[t]
        for q in range(n_touch):
            dl[touched[q]] = np.inf
    for i in range(k):
        mark[nodes[i]] = 0


@njit(cache=True, nogil=True)
def _repair(  # noqa: C901, PLR0912, PLR0915 - one compiled loop
    eng: Any,
    tree: Any,
    oi: int,
    root: int,
    skip: int,
    ca: int,
    cb: int,
    cw: float,
    after: Any,
    ws: Any,
    buf: Any,
    slot: int,
    share: Any,
) -> None:  # pragma: no cover
    """New distances from origin ``oi`` to the destinations under ``root`` into ``after``.

    With ``slot >= 0`` (an edge repair whose root is also scanned as a place), the
    distances are kept in ``share`` with, per destination, whether removing the root
    place leaves it (see :func:`_run`).
    """
    dist = eng[6]
    tin = eng[7]
    order, pred, size, dests, rdist_t, near_a, cap_a, near_b, cap = tree
    seen = ws[5]
    start = tin[oi, root]
    stop = start + size[oi, root]
    nd = len(dests)
    targets = np.empty(nd, dtype=np.int64)
    nt = 0
    for j in range(nd):
        p = tin[oi, dests[j]]
        if start <= p < stop and dests[j] != skip:
            targets[nt] = j
            nt += 1
    if nt == 0:
        return
    targets = targets[:nt]
    first = start + 1 if skip >= 0 else start
    if stop - first <= 0:
        return
    sub = order[oi, first:stop]
    tnodes = dests[targets]
    parent = pred[oi, root]
    step = dist[oi, root] - dist[oi, parent] if parent >= 0 else 0.0
    base = np.empty(nt)
    bmax = -np.inf
    for i in range(nt):
        base[i] = dist[oi, tnodes[i]]
        bmax = max(bmax, base[i])
    slack = 2.0 * step + 1e-6 * bmax
    found = np.empty(nt)
    tvia = np.empty(nt, dtype=np.int8)
    bound = np.empty(nt)
    for _ in range(_SLACK_ROUNDS):
        for i in range(nt):
            bound[i] = base[i] + slack
        k = 0
        if slack <= cap:
            # Only the nodes near a shortest path to a target can pass the test: read them
            # from the precomputed lists instead of testing the whole subtree (the short
            # lists when they cover this bound).
            e_ptr, e_nodes, e_pos = near_b
            if slack <= cap_a:
                e_ptr, e_nodes, e_pos = near_a
            for i in range(nt):
                j = targets[i]
                lo = e_ptr[oi * nd + j]
                hi = e_ptr[oi * nd + j + 1]
                lo += np.searchsorted(e_pos[lo:hi], first)
                for q in range(lo, hi):
                    if e_pos[q] >= stop:
                        break
                    y = e_nodes[q]
                    if seen[y] == 0 and dist[oi, y] + rdist_t[y, j] <= bound[i]:
                        seen[y] = 1
                        buf[k] = y
                        k += 1
            for q in range(k):
                seen[buf[q]] = 0
        else:
            for y in sub:
                dy = dist[oi, y]
                for i in range(nt):
                    if dy + rdist_t[y, targets[i]] <= bound[i]:
                        buf[k] = y
                        k += 1
                        break
        _dijkstra(
            eng,
            rdist_t,
            oi,
            buf,
            k,
            start,
            stop,
            ca,
            cb,
            cw,
            tnodes,
            targets,
            bound,
            found,
            ws,
            root,
            tvia,
        )
        ok = True
        for i in range(nt):
            if not found[i] < bound[i] * (1.0 - 1e-7):
                ok = False
                break
        if ok:
            _keep(after, oi, targets, found, tvia, slot, share)
            return
        slack *= 4.0
    bound[:] = np.inf
    _dijkstra(
        eng,
        rdist_t,
        oi,
        sub,
        len(sub),
        start,
        stop,
        ca,
        cb,
        cw,
        tnodes,
        targets,
        bound,
        found,
        ws,
        root,
        tvia,
    )
    _keep(after, oi, targets, found, tvia, slot, share)


@njit(cache=True, nogil=True)
def _keep(
    after: Any, oi: int, targets: Any, found: Any, tvia: Any, slot: int, share: Any
) -> None:  # pragma: no cover
    for i in range(len(targets)):
        after[oi, targets[i]] = found[i]
    if slot >= 0:
        s_val, s_ok, s_set = share[1], share[2], share[3]
        for i in range(len(targets)):
            s_val[slot, targets[i]] = found[i]
            # A destination cut off without the edge stays cut off without its end place.
            s_ok[slot, targets[i]] = 1 if (tvia[i] == 0 or found[i] == np.inf) else 0
        s_set[slot] = 1


@njit(cache=True, nogil=True)
def _workspace(n: int, nnz: int) -> Any:  # pragma: no cover
    # A search pushes each node once per improvement: its seed plus one per edge relaxed.
    cap = 2 * (n + nnz) + 1
    ws = (
        np.zeros(n, dtype=np.int8),
        np.full(n, np.inf),
        np.full(n, np.inf),
        np.empty(cap),
        np.empty(cap, dtype=np.int64),
        np.zeros(n, dtype=np.int8),
        np.zeros(n, dtype=np.int8),
        np.empty(cap),
        np.empty(n, dtype=np.int64),
    )
    return ws, np.empty(n, dtype=np.int64)


@njit(cache=True, nogil=True)
def _reuse(  # pragma: no cover
    eng: Any, tree: Any, oi: int, x: int, after: Any, share: Any
) -> bool:
    """Place ``x`` from origin ``oi`` by the kept repair of the tree edge into ``x``.

    Removing the place removes that edge and more, so no distance falls below the edge
    repair's; where a shortest path found there avoids ``x``, it survives and the
    distance is the same float. Only when that holds for every destination under ``x``.
    """
    slot_of, s_val, s_ok, s_set = share
    slot = slot_of[oi, x]
    if slot < 0 or s_set[slot] == 0:
        return False
    tin = eng[7]
    size = tree[2]
    dests = tree[3]
    start = tin[oi, x]
    stop = start + size[oi, x]
    for j in range(len(dests)):
        p = tin[oi, dests[j]]
        if start <= p < stop and dests[j] != x and s_ok[slot, j] == 0:
            return False
    for j in range(len(dests)):
        p = tin[oi, dests[j]]
        if start <= p < stop and dests[j] != x:
            after[oi, j] = s_val[slot, j]
    return True


@njit(cache=True, nogil=True)
def _job(  # noqa: C901 - one compiled step
    eng: Any,
    tree: Any,
    edges: Any,
    origins: Any,
    relevant: Any,
    base: Any,
    kind: int,
    group: Any,
    after: Any,
    ws: Any,
    buf: Any,
    share: Any,
) -> None:  # pragma: no cover
    """OD times after one removal (a place, or the edges of one link) into ``after``."""
    edge_u, edge_v, edge_new, edge_old = edges
    pred = tree[1]
    dests = tree[3]
    slot_of = share[0]
    sharing = slot_of.shape[0] > 0
    n_o = len(origins)
    after[:, :] = base
    if kind == 1:
        x = group[0]
        for oi in range(n_o):
            if origins[oi] == x:
                after[oi, :] = np.inf
        for j in range(len(dests)):
            if dests[j] == x:
                after[:, j] = np.inf
        for oi in range(n_o):
            if relevant[oi, x] and origins[oi] != x:
                if sharing and _reuse(eng, tree, oi, x, after, share):
                    continue
                _repair(eng, tree, oi, x, x, -1, -1, 0.0, after, ws, buf, -1, share)
        return
    for e in group:
        a = edge_u[e]
        b = edge_v[e]
        new = edge_new[e]
        if new <= edge_old[e]:
            continue
        for oi in range(n_o):
            if pred[oi, b] == a and relevant[oi, b]:
                slot = slot_of[oi, b] if sharing else -1
                _repair(eng, tree, oi, b, -1, a, b, new, after, ws, buf, slot, share)


@njit(cache=True, nogil=True)
def _run(
    eng: Any,
    tree: Any,
    edges: Any,
    origins: Any,
    relevant: Any,
    base: Any,
    kinds: Any,
    ptr: Any,
    ids: Any,
    out: Any,
    share: Any,
    rows: Any,
) -> None:  # pragma: no cover
    ws, buf = _workspace(len(eng[0]) - 1, len(eng[1]))
    for job in rows:
        group = ids[ptr[job] : ptr[job + 1]]
        _job(eng, tree, edges, origins, relevant, base, kinds[job], group, out[job], ws, buf, share)


@njit(cache=True, nogil=True)
def subtree_sizes(order: Any, pred: Any, n: int) -> Any:  # pragma: no cover
    """Subtree size of every node of a shortest-path tree given its preorder."""
    size = np.ones(n, dtype=np.int64)
    for i in range(len(order) - 1, 0, -1):
        v = order[i]
        size[pred[v]] += size[v]
    return size


@njit(cache=True, nogil=True)
def mark_relevant(pred: Any, origin: int, dests: Any, out: Any) -> None:  # pragma: no cover
    """Mark the nodes on the tree paths from ``origin`` to ``dests`` (origin excluded)."""
    for t in dests:
        v = t
        while v != origin and pred[v] >= 0 and not out[v]:
            out[v] = True
            v = pred[v]


@njit(cache=True, nogil=True)
def near_paths(  # noqa: C901, PLR0912 - one compiled loop
    dist: Any, rdist_t: Any, order: Any, dests: Any, cap_a: float, cap_b: float
) -> Any:  # pragma: no cover
    """Per (origin, destination): the nodes within a detour of a shortest path, by preorder.

    A node ``y`` is kept when ``dist(o, y) + rdist(y, t) <= dist(o, t) + cap``; each list
    is in the order of the origin's tree preorder (``order``, padded with -1), so the part
    inside one subtree is a contiguous range found by binary search. Two lists, for
    ``cap_a`` and ``cap_b``, from one pass over the nodes (the arrays are walked row by
    row); a destination the origin cannot reach gets empty lists (it is never repaired).
    """
    n_o, n = dist.shape
    n_d = len(dests)
    lim_a = np.empty(n_d)
    lim_b = np.empty(n_d)
    cnt_a = np.zeros(n_o * n_d + 1, dtype=np.int64)
    cnt_b = np.zeros(n_o * n_d + 1, dtype=np.int64)
    for fill in range(2):
        if fill == 1:
            for i in range(n_o * n_d):
                cnt_a[i + 1] += cnt_a[i]
                cnt_b[i + 1] += cnt_b[i]
            nodes_a = np.empty(cnt_a[-1], dtype=np.int64)
            pos_a = np.empty(cnt_a[-1], dtype=np.int64)
            nodes_b = np.empty(cnt_b[-1], dtype=np.int64)
            pos_b = np.empty(cnt_b[-1], dtype=np.int64)
            at_a = cnt_a[:-1].copy()
            at_b = cnt_b[:-1].copy()
        for oi in range(n_o):
            for j in range(n_d):
                d = dist[oi, dests[j]]
                # An unreachable destination keeps an empty list (lim -inf).
                lim_a[j] = d + cap_a if d < np.inf else -np.inf
                lim_b[j] = d + cap_b if d < np.inf else -np.inf
            for p in range(n):
                y = order[oi, p]
                if y < 0:
                    break
                dy = dist[oi, y]
                for j in range(n_d):
                    s = dy + rdist_t[y, j]
                    if s <= lim_b[j]:
                        c = oi * n_d + j
                        if fill == 0:
                            cnt_b[c + 1] += 1
                            if s <= lim_a[j]:
                                cnt_a[c + 1] += 1
                        else:
                            nodes_b[at_b[c]] = y
                            pos_b[at_b[c]] = p
                            at_b[c] += 1
                            if s <= lim_a[j]:
                                nodes_a[at_a[c]] = y
                                pos_a[at_a[c]] = p
                                at_a[c] += 1
    return (cnt_a, nodes_a, pos_a), (cnt_b, nodes_b, pos_b)


@njit(cache=True, nogil=True)
def _block_sum(a: Any, lo: int, n: int) -> float:  # pragma: no cover
    if n < 8:  # noqa: PLR2004
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r = a[lo : lo + 8].copy()
    i = 8
    lim = n - (n % 8)
    while i < lim:
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return float(res)


@njit(cache=True, nogil=True)
def _pairwise_sum(a: Any, lo: int, n: int) -> float:  # pragma: no cover
    # numpy's float64 add-reduce (pairwise: blocks of at most 128 with 8 accumulators,
    # halves rounded to multiples of 8), so the scan's metrics are the same floats as the
    # reference's np.sum / np.mean. numpy recurses; an explicit stack keeps numba's
    # on-disk cache working (it cannot cache recursive functions).
    f_lo = np.empty(64, dtype=np.int64)
    f_n = np.empty(64, dtype=np.int64)
    f_stage = np.zeros(64, dtype=np.int64)
    f_left = np.zeros(64)
    top = 0
    f_lo[0], f_n[0], f_stage[0] = lo, n, 0
    ret = 0.0
    while True:
        m = f_n[top]
        if f_stage[top] == 0 and m <= 128:  # noqa: PLR2004
            ret = _block_sum(a, f_lo[top], m)
        elif f_stage[top] == 0:
            n2 = m // 2
            n2 -= n2 % 8
            f_stage[top] = 1
            top += 1
            f_lo[top], f_n[top], f_stage[top] = f_lo[top - 1], n2, 0
            continue
        # ``ret`` is the value of frame ``top``: hand it to the parent.
        while True:
            if top == 0:
                return float(ret)
            top -= 1
            if f_stage[top] == 1:
                f_left[top] = ret
                f_stage[top] = 2
                n2 = f_n[top] // 2
                n2 -= n2 % 8
                top += 1
                f_lo[top], f_n[top], f_stage[top] = f_lo[top - 1] + n2, f_n[top - 1] - n2, 0
                break
            ret = f_left[top] + ret


@njit(cache=True, nogil=True)
def metrics(before: Any, after_all: Any, rel_tol: float) -> Any:  # pragma: no cover
    """``criticality._metrics`` for every removal of a chunk, with numpy's float sums."""
    b = before.ravel()
    size = len(b)
    out = np.zeros((after_all.shape[0], 4))
    conn = np.isfinite(b)
    n_conn = int(conn.sum())
    if n_conn == 0:
        return out
    inv0 = np.empty(n_conn)
    c = 0
    for i in range(size):
        if conn[i]:
            inv0[c] = 1.0 / b[i]
            c += 1
    e0 = 0.0 + _pairwise_sum(inv0, 0, n_conn)
    inc = np.empty(size)
    inv1 = np.empty(size)
    for job in range(after_all.shape[0]):
        a = after_all[job].ravel()
        n_still = 0
        n_cut = 0
        n_up = 0
        for i in range(size):
            still = conn[i] and np.isfinite(a[i])
            if still:
                d = a[i] - b[i]
                if d <= rel_tol * b[i]:
                    d = 0.0
                inc[n_still] = d
                n_still += 1
                n_up += d > 0
                inv1[i] = 1.0 / a[i]
            else:
                inv1[i] = 0.0
                n_cut += conn[i]
        importance = (0.0 + _pairwise_sum(inc, 0, n_still)) / n_still if n_still else 0.0
        e1 = 0.0 + _pairwise_sum(inv1, 0, size)
        loss = 1.0 - e1 / e0 if e0 > 0 else 0.0
        if abs(loss) < rel_tol:
            loss = 0.0
        out[job, 0] = importance
        out[job, 1] = n_cut / n_conn
        out[job, 2] = loss
        out[job, 3] = n_up + n_cut
    return out


def run_chunk(
    engine: Any,
    jobs: list[tuple[str, tuple[int, ...]]],
    *,
    threads: int = 1,
    share: tuple[Any, Any, Any, Any] | None = None,
) -> np.ndarray[Any, Any]:
    """OD times after each removal of a chunk: ``len(jobs) × origins × destinations``.

    Parameters
    ----------
    engine
        The scan's ``_Engine`` (intact trees and CSR arrays).
    jobs
        ``("edge", edge ids)`` or ``("node", (index,))`` per removal.
    threads
        Threads of the compiled loop (1: this thread only, no thread pool).
    share
        From :func:`share_slots`: edge repairs keep their distances there and place
        removals reuse them (:func:`_reuse`). The edge jobs must have run in an earlier
        call than the place jobs that read them.

    Returns
    -------
    numpy.ndarray
        The travel times after each removal.
    """
    kinds = np.array([1 if kind == "node" else 0 for kind, _ in jobs], dtype=np.int8)
    lengths = np.array([len(ids) for _, ids in jobs], dtype=np.int64)
    ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ids = np.fromiter((i for _, group in jobs for i in group), dtype=np.int64, count=int(ptr[-1]))
    out = np.empty((len(jobs), *engine.base.shape))
    eng = (
        engine.indptr,
        engine.indices,
        engine.data,
        engine.t_indptr,
        engine.t_indices,
        engine.t_data,
        engine.dist,
        engine.tin,
    )
    tree = (
        engine.order_mat,
        engine.pred,
        engine.size,
        engine.dests,
        engine.rdist_t,
        *engine.near,
    )
    edges = (engine.edge_u, engine.edge_v, engine.edge_new, engine.edge_old)
    if share is None:
        share = _NO_SHARE
    args = (eng, tree, edges, engine.origins, engine.relevant, engine.base, kinds, ptr, ids, out)
    n_threads = max(1, min(threads, len(jobs)))
    if n_threads == 1:
        _run(*args, share, np.arange(len(jobs)))
        return out
    # The kernel releases the GIL: thread t takes jobs t, t + T, ... (neighbouring
    # elements cost alike, so interleaving balances the threads). Each job writes only
    # its own row of ``out`` and its own slots of ``share``: the result is the serial one.
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        done = [
            pool.submit(_run, *args, share, np.arange(t, len(jobs), n_threads))
            for t in range(n_threads)
        ]
        for future in done:
            future.result()
    return out


_NO_SHARE = (
    np.empty((0, 0), dtype=np.int32),
    np.empty((0, 0)),
    np.empty((0, 0), dtype=np.int8),
    np.empty(0, dtype=np.int8),
)


def share_slots(
    relevant: np.ndarray[Any, Any],
    origins: np.ndarray[Any, Any],
    places: np.ndarray[Any, Any],
    n_dests: int,
) -> tuple[Any, Any, Any, Any]:
    """Room for the edge repairs that place removals can reuse (a scan of both).

    One slot per (origin, place) that the place scan repairs: the place is on a tree path
    to a destination and is not the origin. The repair of the tree edge into that place
    fills the slot.

    Parameters
    ----------
    relevant
        The engine's ``relevant`` (origins × nodes).
    origins
        Node index of each origin.
    places
        Node indices of the places scanned.
    n_dests
        Number of destinations.

    Returns
    -------
    tuple
        ``(slot_of, distances, reusable, filled)`` for :func:`run_chunk`.
    """
    n_o, n = relevant.shape
    slot_of = np.full((n_o, n), -1, dtype=np.int32)
    count = 0
    for oi in range(n_o):
        xs = places[relevant[oi, places] & (places != origins[oi])]
        slot_of[oi, xs] = np.arange(count, count + len(xs), dtype=np.int32)
        count += len(xs)
    return (
        slot_of,
        np.full((count, n_dests), np.inf),
        np.zeros((count, n_dests), dtype=np.int8),
        np.zeros(count, dtype=np.int8),
    )
