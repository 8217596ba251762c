"""Single-link redundancy: remove each link alone and find the best way around it.

The table RA2CE users know ("single-link redundancy", Deltares RA2CE): for every link, the
best alternative route between its two ends when that link alone is closed, its length
and how much longer it is than the link. A two-way road counts once (both directions are
closed together); parallel links are separate rows, so closing one leaves the other as the
alternative.

:func:`redundancy` converts the graph once to arrays and runs one bidirectional Dijkstra
per link, compiled with numba, that skips the closed link's edge ids (the removal is a
mask; nothing is copied) and stops as soon as the two searches meet. A link whose removal
cuts its ends apart ends when the smaller side is exhausted, so dead ends cost little.
Small graphs (the embedded region) run one scipy Dijkstra per link instead, with the
closed link's matrix entry set in place and restored: no kernel to load.
:func:`redundancy_naive` runs the same loop with networkx and is the reference.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from resilience.errors import BadInputError

__all__ = ["COLUMNS", "WEIGHTS", "redundancy", "redundancy_naive"]

#: Edge attributes a search may minimise.
WEIGHTS = ("travel_time", "length")

#: Output columns, in order. Lengths in metres, times in minutes.
COLUMNS = [
    "u",
    "v",
    "key",
    "source_id",
    "name",
    "ref",
    "mode",
    "x_u",
    "y_u",
    "x_v",
    "y_v",
    "length",
    "time_min",
    "detour",
    "alt_length",
    "diff_length",
    "alt_time_min",
    "diff_time_min",
    "alt_nodes",
]

# A zero-cost edge (a transfer, a merged node) still costs this, as in the backend.
_ZERO = 1e-9
#: Graphs with nodes × links up to this (the embedded region: ~20,000) run one scipy
#: Dijkstra per link in-process: faster than loading the compiled kernel (~0.5-1.5 s, more
#: on its first compile). Above it (the DCW rail layer: ~2.7 million) the kernel wins.
_SMALL = 1_000_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --------------------------------------------------------------------------- engine


@dataclass(frozen=True)
class _Engine:
    """The graph as forward and backward adjacency over edge ids; shipped once per worker."""

    n: int
    f_ptr: IntArray
    f_eid: IntArray
    b_ptr: IntArray
    b_eid: IntArray
    edge_u: IntArray
    edge_v: IntArray
    weight: FloatArray

    def run(self, jobs: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
        """Best weight and path edges for jobs ``k × 4`` (source, target, ban0, ban1)."""
        # Imported here: numba and the compiled kernel load only when a big graph needs them.
        from resilience.analysis._redundancy_kernel import alternatives  # noqa: PLC0415

        return alternatives(  # type: ignore[no-any-return]
            self.n,
            self.f_ptr,
            self.f_eid,
            self.b_ptr,
            self.b_eid,
            self.edge_u,
            self.edge_v,
            self.weight,
            np.ascontiguousarray(jobs[:, 0]),
            np.ascontiguousarray(jobs[:, 1]),
            np.ascontiguousarray(jobs[:, 2]),
            np.ascontiguousarray(jobs[:, 3]),
        )


def _adjacency(ends: IntArray, n: int) -> tuple[IntArray, IntArray]:
    order = np.argsort(ends, kind="stable").astype(np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=ptr[1:])
    return ptr, order


@dataclass(frozen=True)
class _Links:
    """The graph's edges as arrays and its links (two-way pairs grouped)."""

    nodes: list[Any]
    edges: list[tuple[Any, Any, Any, dict[str, Any]]]
    u: IntArray
    v: IntArray
    weight: FloatArray
    length: FloatArray
    time_s: FloatArray
    jobs: IntArray  # links × 4: source, target, edge id, reverse edge id (-1: one-way)


def _number(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x


def _links(G: nx.MultiDiGraph[Any], weight: str) -> _Links:
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = list(G.edges(keys=True, data=True))
    m = len(edges)
    u = np.fromiter((index[a] for a, _, _, _ in edges), dtype=np.int64, count=m)
    v = np.fromiter((index[b] for _, b, _, _ in edges), dtype=np.int64, count=m)
    length = np.fromiter((_number(d.get("length")) for *_, d in edges), dtype=float, count=m)
    time_s = np.fromiter((_number(d.get("travel_time")) for *_, d in edges), dtype=float, count=m)
    w = length if weight == "length" else time_s
    if not np.all(np.isfinite(w) & (w >= 0)):
        bad = int(np.flatnonzero(~(np.isfinite(w) & (w >= 0)))[0])
        a, b, _, _ = edges[bad]
        msg = f"edge {a!r}->{b!r} has no usable {weight!r}"
        raise BadInputError(msg)
    # A link is both directions of one (u, v, key): a closed road is closed both ways.
    codes = pd.factorize(pd.Series([k for _, _, k, _ in edges], dtype=object))[0]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    ids = np.flatnonzero(u != v)
    order = ids[np.lexsort((ids, codes[ids], hi[ids], lo[ids]))]
    new = np.ones(len(order), dtype=bool)
    same = (lo[order][1:] == lo[order][:-1]) & (hi[order][1:] == hi[order][:-1])
    new[1:] = ~(same & (codes[order][1:] == codes[order][:-1]))
    heads = order[new]
    # The second edge of a group (if any) is the other direction of the same key.
    second = np.full(len(order), -1, dtype=np.int64)
    second[:-1] = np.where(new[1:], -1, order[1:])
    reverse = second[new]
    keep = np.argsort(heads, kind="stable")  # rows in G.edges order
    heads, reverse = heads[keep], reverse[keep]
    jobs = np.stack([u[heads], v[heads], heads, reverse], axis=1).astype(np.int64)
    return _Links(nodes, edges, u, v, np.maximum(w, _ZERO), length, time_s, jobs)


def _engine(links: _Links) -> _Engine:
    n = len(links.nodes)
    f_ptr, f_eid = _adjacency(links.u, n)
    b_ptr, b_eid = _adjacency(links.v, n)
    return _Engine(n, f_ptr, f_eid, b_ptr, b_eid, links.u, links.v, links.weight)


_WORKER: _Engine | None = None


def _init_worker(engine: _Engine) -> None:
    global _WORKER  # noqa: PLW0603 - one engine per worker process, set once
    _WORKER = engine


def _run_in_worker(jobs: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
    if _WORKER is None:
        msg = "worker engine not initialised"
        raise RuntimeError(msg)
    return _WORKER.run(jobs)


def _execute(engine: _Engine, jobs: IntArray, n_jobs: int) -> tuple[FloatArray, IntArray, IntArray]:
    """Best weight per job and the path edge ids (flat, with offsets), on ``n_jobs`` processes."""
    if n_jobs <= 1 or len(jobs) < 2 * n_jobs:
        return engine.run(jobs)
    # Interleave so each worker gets a mix of cheap and expensive (cut-off) links.
    chunks = n_jobs * 4
    perm = np.concatenate([np.arange(i, len(jobs), chunks) for i in range(chunks)])
    parts = [jobs[p] for p in np.array_split(perm, chunks)]
    results: list[tuple[FloatArray, IntArray, IntArray]] = []
    try:
        # spawn, not fork: the caller may hold threads that fork would copy stuck.
        with ProcessPoolExecutor(
            max_workers=n_jobs,
            mp_context=get_context("spawn"),
            initializer=_init_worker,
            initargs=(engine,),
        ) as pool:
            results.extend(pool.map(_run_in_worker, parts))
    except BrokenProcessPool:
        left = parts[len(results) :]
        warnings.warn(
            f"a redundancy worker died; computing the {len(left)} unfinished chunk(s) "
            "in this process",
            UserWarning,
            stacklevel=3,
        )
        results.extend(engine.run(chunk) for chunk in left)
    best_p = np.concatenate([r[0] for r in results])
    flat_p = np.concatenate([r[1] for r in results])
    sizes_p = np.concatenate([np.diff(r[2]) for r in results])
    starts_p = np.cumsum(sizes_p) - sizes_p
    back = np.empty(len(jobs), dtype=np.int64)
    back[perm] = np.arange(len(jobs))
    sizes = sizes_p[back]
    offsets = np.zeros(len(jobs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    owner = np.repeat(np.arange(len(jobs)), sizes)
    flat = flat_p[starts_p[back][owner] + np.arange(int(offsets[-1])) - offsets[:-1][owner]]
    return best_p[back], flat, offsets


def _small(links: _Links) -> tuple[FloatArray, IntArray, IntArray]:
    """The same answers with one scipy Dijkstra per link (small graphs: no kernel to load).

    The cheapest edge per ``(u, v)`` pair makes the CSR matrix; closing a link sets its
    pair's entry to the next cheapest parallel edge (or ``inf``) in place, runs, and puts
    it back, so no matrix is copied.
    """
    from scipy import sparse  # noqa: PLC0415
    from scipy.sparse import csgraph  # noqa: PLC0415

    n, m = len(links.nodes), len(links.u)
    ids = np.arange(m)
    order = np.lexsort((ids, links.weight, links.v, links.u))
    first = np.ones(m, dtype=bool)
    first[1:] = (links.u[order][1:] != links.u[order][:-1]) | (
        links.v[order][1:] != links.v[order][:-1]
    )
    group = np.cumsum(first) - 1  # pair number of each sorted edge
    heads = order[first]
    pair = np.empty(m, dtype=np.int64)
    pair[order] = group
    # The runner-up of each pair: the sorted edge after its head, if in the same pair.
    runner = np.full(len(heads), -1, dtype=np.int64)
    pos = np.flatnonzero(first)
    has = pos + 1 < m
    has[has] = ~first[pos[has] + 1]
    runner[has] = order[pos[has] + 1]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(links.u[heads], minlength=n), out=indptr[1:])
    data = links.weight[heads].copy()
    cols = links.v[heads]
    matrix: sparse.csr_array = sparse.csr_array((data, cols, indptr), shape=(n, n))
    chosen = heads.copy()
    best = np.full(len(links.jobs), np.inf)
    paths: list[IntArray] = []
    for j, (src, dst, e0, e1) in enumerate(links.jobs.tolist()):
        closed = [pair[e] for e in (e0, e1) if e >= 0 and chosen[pair[e]] == e]
        for p in closed:
            r = runner[p]
            matrix.data[p] = links.weight[r] if r >= 0 else np.inf
            chosen[p] = r
        dists, preds = csgraph.dijkstra(
            matrix, directed=True, indices=np.asarray([src]), return_predecessors=True
        )
        dist, pred = dists[0], preds[0]
        steps: list[int] = []
        if np.isfinite(dist[dst]):
            best[j] = dist[dst]
            b = dst
            while b != src:
                a = int(pred[b])
                k = indptr[a] + int(np.searchsorted(cols[indptr[a] : indptr[a + 1]], b))
                steps.append(int(chosen[k]))
                b = a
        paths.append(np.asarray(steps[::-1], dtype=np.int64))
        for p in closed:
            matrix.data[p] = links.weight[heads[p]]
            chosen[p] = heads[p]
    offsets = np.zeros(len(paths) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in paths], out=offsets[1:])
    return best, np.concatenate([np.zeros(0, dtype=np.int64), *paths]), offsets


def _path_sums(values: FloatArray, flat: IntArray, offsets: IntArray) -> FloatArray:
    """Sum of ``values`` over each path's edges."""
    out = np.zeros(len(offsets) - 1)
    starts = offsets[:-1]
    full = offsets[1:] > starts
    if full.any():
        out[full] = np.add.reduceat(values[flat], starts[full])
    return out


# --------------------------------------------------------------------------- table


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, list | tuple | set):
        return ";".join(str(x) for x in value)
    return str(value)


def _table(
    G: nx.MultiDiGraph[Any],
    links: _Links,
    best: FloatArray,
    paths: tuple[IntArray, IntArray],
) -> pd.DataFrame:
    flat, offsets = paths
    heads = links.jobs[:, 2]
    found = np.isfinite(best)
    length = links.length[heads]
    time_min = links.time_s[heads] / 60.0
    alt_length = np.where(found, _path_sums(links.length, flat, offsets), np.nan)
    alt_time = np.where(found, _path_sums(links.time_s, flat, offsets) / 60.0, np.nan)
    xs = np.array([float(d["x"]) for _, d in G.nodes(data=True)])
    ys = np.array([float(d["y"]) for _, d in G.nodes(data=True)])
    u, v = links.u[heads], links.v[heads]
    labels = [str(n) for n in links.nodes]
    starts = links.u[flat[np.minimum(offsets[:-1], max(len(flat) - 1, 0))]] if len(flat) else u
    ends_v = links.v[flat].tolist()
    alt_nodes = [
        " ".join([labels[starts[i]], *(labels[x] for x in ends_v[a:b])]) if ok else ""
        for i, (a, b, ok) in enumerate(
            zip(offsets[:-1].tolist(), offsets[1:].tolist(), found.tolist(), strict=True)
        )
    ]
    data = [links.edges[e][3] for e in heads.tolist()]
    frame = pd.DataFrame(
        {
            "u": [links.nodes[i] for i in u.tolist()],
            "v": [links.nodes[i] for i in v.tolist()],
            "key": [links.edges[e][2] for e in heads.tolist()],
            "source_id": [_text(d.get("source_id")) for d in data],
            "name": [_text(d.get("name")) for d in data],
            "ref": [_text(d.get("ref")) for d in data],
            "mode": [_text(d.get("mode")) for d in data],
            "x_u": xs[u],
            "y_u": ys[u],
            "x_v": xs[v],
            "y_v": ys[v],
            "length": length,
            "time_min": time_min,
            "detour": found,
            "alt_length": alt_length,
            "diff_length": alt_length - length,
            "alt_time_min": alt_time,
            "diff_time_min": alt_time - time_min,
            "alt_nodes": alt_nodes,
        },
        columns=COLUMNS,
    )
    frame["detour"] = frame["detour"].astype(bool)
    return frame


def _check(weight: str, jobs: int) -> None:
    if weight not in WEIGHTS:
        msg = f"weight must be one of {', '.join(WEIGHTS)}, not {weight!r}"
        raise BadInputError(msg)
    if jobs < 1:
        msg = f"jobs must be at least 1, not {jobs}"
        raise BadInputError(msg)


def redundancy(
    G: nx.MultiDiGraph[Any], *, weight: str = "travel_time", jobs: int = 1
) -> pd.DataFrame:
    """Single-link redundancy: the best alternative around each link closed alone.

    Parameters
    ----------
    G
        The network (osmnx-style: ``length`` in metres, ``travel_time`` in seconds).
    weight
        What the alternative minimises: ``travel_time`` or ``length``.
    jobs
        Worker processes.

    Returns
    -------
    pandas.DataFrame
        One row per link (a two-way road once, parallel links separately; self-loops
        left out), in ``G.edges`` order, with :data:`COLUMNS`: the link's ends ``u``,
        ``v``, ``key``, its ``source_id``, ``name``, ``ref``, ``mode``, end coordinates,
        ``length`` (m) and ``time_min``; ``detour`` (an alternative exists), and for the
        best alternative from ``u`` to ``v`` with the link closed (both directions):
        ``alt_length`` (m), ``diff_length`` (m, alternative minus link),
        ``alt_time_min``, ``diff_time_min`` and ``alt_nodes`` (node ids, space
        separated). The alternative columns are NaN without a detour.

    Raises
    ------
    BadInputError
        If ``weight`` is unknown, ``jobs`` < 1 or an edge lacks a usable weight.
    """
    _check(weight, jobs)
    links = _links(G, weight)
    if len(links.jobs) == 0:
        return pd.DataFrame({c: [] for c in COLUMNS}, columns=COLUMNS)
    if len(links.nodes) * len(links.jobs) <= _SMALL:
        best, flat, offsets = _small(links)
    else:
        best, flat, offsets = _execute(_engine(links), links.jobs, jobs)
    return _table(G, links, best, (flat, offsets))


def redundancy_naive(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    sample: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The same table with networkx's bidirectional Dijkstra, one link at a time.

    The reference for :func:`redundancy`: the closed link is hidden by the weight
    function (no graph copy), the cheapest remaining parallel edge is taken per step.

    Parameters
    ----------
    G
        The network.
    weight
        ``travel_time`` or ``length``.
    sample
        Only this many links, drawn at random (to time the loop on a big graph).
    seed
        Seed of the sample.

    Returns
    -------
    pandas.DataFrame
        As :func:`redundancy` (the sampled rows, in ``G.edges`` order).
    """
    _check(weight, 1)
    links = _links(G, weight)
    if sample is not None and sample < len(links.jobs):
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(links.jobs), sample, replace=False))
        links = dataclasses.replace(links, jobs=links.jobs[keep])
    index = {n: i for i, n in enumerate(links.nodes)}
    best = np.full(len(links.jobs), np.inf)
    paths: list[IntArray] = []
    closed: set[int] = set()
    eid = {(index[a], index[b], k): i for i, (a, b, k, _) in enumerate(links.edges)}

    def cost(a: Any, b: Any, keys: dict[Any, Any]) -> float | None:
        ia, ib = index[a], index[b]
        ws = [links.weight[eid[ia, ib, k]] for k in keys if eid[ia, ib, k] not in closed]
        return float(min(ws)) if ws else None

    for i, (s, t, e0, e1) in enumerate(links.jobs.tolist()):
        closed.clear()
        closed.update(x for x in (e0, e1) if x >= 0)
        try:
            dist, nodes = nx.bidirectional_dijkstra(G, links.nodes[s], links.nodes[t], weight=cost)
        except nx.NetworkXNoPath:
            paths.append(np.zeros(0, dtype=np.int64))
            continue
        best[i] = dist
        steps = []
        for a, b in itertools.pairwise(nodes):
            ia, ib = index[a], index[b]
            options = [eid[ia, ib, k] for k in G[a][b] if eid[ia, ib, k] not in closed]
            steps.append(min(options, key=lambda x: (links.weight[x], x)))
        paths.append(np.asarray(steps, dtype=np.int64))
    offsets = np.zeros(len(paths) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in paths], out=offsets[1:])
    flat = np.concatenate([np.zeros(0, dtype=np.int64), *paths])
    return _table(G, links, best, (flat, offsets))
