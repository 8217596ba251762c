"""Compiled kernel of :mod:`resilience.analysis.redundancy` (numba, cached on disk).

One bidirectional Dijkstra per job that skips two edge ids (the closed link, both
directions) and stops when the forward and backward searches meet; node labels carry a
per-job stamp so nothing is reset between jobs.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["alternatives"]


@numba.njit(cache=True, nogil=True)
def _push(keys, vals, size, key, val):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    i = size
    keys[i] = key
    vals[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if keys[p] <= keys[i]:
            break
        keys[p], keys[i] = keys[i], keys[p]
        vals[p], vals[i] = vals[i], vals[p]
        i = p
    return size + 1


@numba.njit(cache=True, nogil=True)
def _pop(keys, vals, size):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    key, val = keys[0], vals[0]
    size -= 1
    keys[0], vals[0] = keys[size], vals[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        if left + 1 < size and keys[left + 1] < keys[left]:
            c = left + 1
        if keys[i] <= keys[c]:
            break
        keys[c], keys[i] = keys[i], keys[c]
        vals[c], vals[i] = vals[i], vals[c]
        i = c
    return key, val, size


@numba.njit(cache=True, nogil=True)
def alternatives(  # type: ignore[no-untyped-def]  # noqa: ANN202, PLR0912, PLR0915, C901
    n,  # noqa: ANN001
    f_ptr,  # noqa: ANN001
    f_eid,  # noqa: ANN001
    b_ptr,  # noqa: ANN001
    b_eid,  # noqa: ANN001
    edge_u,  # noqa: ANN001
    edge_v,  # noqa: ANN001
    weight,  # noqa: ANN001
    src,  # noqa: ANN001
    dst,  # noqa: ANN001
    ban0,  # noqa: ANN001
    ban1,  # noqa: ANN001
):
    """Bidirectional Dijkstra ``src[i] → dst[i]`` skipping edge ids ban0[i], ban1[i].

    Returns the best weight per job (inf: none) and the path edge ids, flat with offsets.
    """
    m = len(weight)
    jobs = len(src)
    df = np.empty(n)
    db = np.empty(n)
    pf = np.empty(n, dtype=np.int64)
    pb = np.empty(n, dtype=np.int64)
    seen_f = np.zeros(n, dtype=np.int64)
    seen_b = np.zeros(n, dtype=np.int64)
    done_f = np.zeros(n, dtype=np.int64)
    done_b = np.zeros(n, dtype=np.int64)
    hkf = np.empty(m + 2)
    hvf = np.empty(m + 2, dtype=np.int64)
    hkb = np.empty(m + 2)
    hvb = np.empty(m + 2, dtype=np.int64)
    best = np.full(jobs, np.inf)
    offsets = np.zeros(jobs + 1, dtype=np.int64)
    path = np.empty(max(16, 4 * jobs), dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    used = 0
    for j in range(jobs):
        stamp = j + 1
        s, t, x0, x1 = src[j], dst[j], ban0[j], ban1[j]
        mu = np.inf
        meet = -1
        df[s] = 0.0
        seen_f[s] = stamp
        pf[s] = -1
        db[t] = 0.0
        seen_b[t] = stamp
        pb[t] = -1
        nf = _push(hkf, hvf, 0, 0.0, s)
        nb = _push(hkb, hvb, 0, 0.0, t)
        if s == t:
            mu = 0.0
            meet = s
        while nf > 0 and nb > 0:
            if hkf[0] + hkb[0] >= mu:
                break
            if nf <= nb:
                d, x, nf = _pop(hkf, hvf, nf)
                if done_f[x] == stamp or d > df[x]:
                    continue
                done_f[x] = stamp
                for p in range(f_ptr[x], f_ptr[x + 1]):
                    e = f_eid[p]
                    if e in (x0, x1):
                        continue
                    y = edge_v[e]
                    nd = d + weight[e]
                    if seen_f[y] != stamp or nd < df[y]:
                        df[y] = nd
                        seen_f[y] = stamp
                        pf[y] = e
                        nf = _push(hkf, hvf, nf, nd, y)
                        if seen_b[y] == stamp and nd + db[y] < mu:
                            mu = nd + db[y]
                            meet = y
            else:
                d, x, nb = _pop(hkb, hvb, nb)
                if done_b[x] == stamp or d > db[x]:
                    continue
                done_b[x] = stamp
                for p in range(b_ptr[x], b_ptr[x + 1]):
                    e = b_eid[p]
                    if e in (x0, x1):
                        continue
                    y = edge_u[e]
                    nd = d + weight[e]
                    if seen_b[y] != stamp or nd < db[y]:
                        db[y] = nd
                        seen_b[y] = stamp
                        pb[y] = e
                        nb = _push(hkb, hvb, nb, nd, y)
                        if seen_f[y] == stamp and nd + df[y] < mu:
                            mu = nd + df[y]
                            meet = y
        best[j] = mu
        if meet >= 0:
            # Edges s → meet (walked backwards, then reversed), then meet → t.
            k = 0
            y = meet
            while pf[y] >= 0:
                stack[k] = pf[y]
                k += 1
                y = edge_u[pf[y]]
            need = used + k + n
            if need > len(path):
                grown = np.empty(max(2 * len(path), need), dtype=np.int64)
                grown[:used] = path[:used]
                path = grown
            for i in range(k):
                path[used + i] = stack[k - 1 - i]
            used += k
            y = meet
            while pb[y] >= 0:
                path[used] = pb[y]
                used += 1
                y = edge_v[pb[y]]
        offsets[j + 1] = used
    return best, path[:used].copy(), offsets
