"""Scan every link or place: remove it alone and measure the damage to supply.

Three measures per element, over the origin→destination (OD) pairs:

- ``importance``: mean increase in OD travel time over the pairs that stay connected
  (Jenelius, Petersen & Mattsson 2006, "Importance and exposure in road network
  vulnerability analysis"), in the units of ``weight`` (seconds for travel time);
- ``unsatisfied``: share of the OD pairs connected in the intact network that the loss
  cuts off (a pair whose origin or destination is the removed place counts as cut off);
- ``efficiency_loss``: ``1 - E'/E`` with the OD efficiency ``E = Σ 1/d_od`` over the OD
  pairs (Latora & Marchiori 2001, restricted to the OD set).

:func:`scan` is exact and fast; :func:`scan_naive` removes and recomputes everything
with networkx and serves as the reference.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from resilience.analysis.impact import od_pairs, weight_units
from resilience.backend import EdgeArrays, FloatArray, IntArray, edge_arrays, shortest_times
from resilience.errors import BadInputError
from resilience.network import edge_label, node_label

__all__ = [
    "COLUMNS",
    "bridges_and_articulation_points",
    "labelled_scan_table",
    "scan",
    "scan_naive",
]

Elements = Literal["edges", "nodes", "both"]

COLUMNS = [
    "rank",
    "element",
    "label",
    "u",
    "v",
    "key",
    "ref",
    "mode",
    "x",
    "y",
    "importance",
    "unsatisfied",
    "efficiency_loss",
    "pairs_affected",
]

# Increases below this share of the intact time are float noise from summing the same
# path in another order, not a detour.
_REL_TOL = 1e-9

# Metric columns produced per element by both engines.
_N_METRICS = 4


class _Element(NamedTuple):
    # A tuple, not a dataclass: a 100k-node scan builds hundreds of thousands of them.
    kind: Literal["edge", "node"]
    u: Any
    v: Any
    key: Any
    edges: tuple[int, ...]  # indices into the EdgeArrays for an edge element


def _elements(G: nx.MultiDiGraph[Any], arrays: EdgeArrays, which: Elements) -> list[_Element]:
    if which not in ("edges", "nodes", "both"):
        msg = f"elements must be edges, nodes or both, not {which!r}"
        raise BadInputError(msg)
    out: list[_Element] = []
    if which in ("edges", "both"):
        out.extend(_edge_elements(arrays))
    if which in ("nodes", "both"):
        out.extend(_Element("node", n, None, None, ()) for n in G.nodes)
    return out


def _edge_elements(arrays: EdgeArrays) -> list[_Element]:
    """One element per link: both directions of one ``(u, v, key)``, in first-seen order."""
    # A link is both directions of one (u, v, key): a cut road blocks both ways.
    if not all(type(k) is int for k in arrays.key):
        groups: dict[tuple[int, int, Any], list[int]] = {}
        for i, (a, b, k) in enumerate(
            zip(arrays.u.tolist(), arrays.v.tolist(), arrays.key, strict=True)
        ):
            if a != b:
                groups.setdefault((min(a, b), max(a, b), k), []).append(i)
        firsts = [(idx[0], k, tuple(idx)) for (_, _, k), idx in groups.items()]
    else:
        # Integer keys (every osmnx graph): the same grouping, vectorised.
        keys = np.asarray(arrays.key, dtype=np.int64)
        pos = np.flatnonzero(arrays.u != arrays.v)
        lo = np.minimum(arrays.u, arrays.v)[pos]
        hi = np.maximum(arrays.u, arrays.v)[pos]
        order = np.lexsort((pos, keys[pos], hi, lo))
        ps, ls, hs, ks = pos[order], lo[order], hi[order], keys[pos][order]
        start = np.ones(len(ps), dtype=bool)
        start[1:] = (ls[1:] != ls[:-1]) | (hs[1:] != hs[:-1]) | (ks[1:] != ks[:-1])
        # Groups in the order of their first edge; members stay in edge order.
        heads = np.flatnonzero(start)
        sizes = np.diff(np.append(heads, len(ps)))
        by_first = np.argsort(ps[heads], kind="stable")
        h0 = heads[by_first]
        flat = ps[_ranges(h0, h0 + sizes[by_first])[0]].tolist()
        ends = np.cumsum(sizes[by_first]).tolist()
        firsts = [
            (flat[b - z], arrays.key[flat[b - z]], tuple(flat[b - z : b]))
            for b, z in zip(ends, sizes[by_first].tolist(), strict=True)
        ]
    nodes, u, v = arrays.nodes, arrays.u, arrays.v
    return [_Element("edge", nodes[u[f]], nodes[v[f]], k, idx) for f, k, idx in firsts]


def _metrics(before: FloatArray, after: FloatArray) -> tuple[float, float, float, int]:
    """(importance, unsatisfied, efficiency_loss, pairs_affected) for one element."""
    connected = np.isfinite(before)
    n_conn = int(connected.sum())
    if n_conn == 0:
        return 0.0, 0.0, 0.0, 0
    still = connected & np.isfinite(after)
    inc = np.where(still, np.where(still, after, 0.0) - np.where(still, before, 0.0), 0.0)
    inc[inc <= _REL_TOL * np.where(still, before, 0.0)] = 0.0
    cut = connected & ~still
    importance = float(inc[still].mean()) if still.any() else 0.0
    with np.errstate(divide="ignore"):
        e0 = float(np.sum(1.0 / before[connected]))
        e1 = float(np.sum(np.where(still, 1.0 / np.where(still, after, 1.0), 0.0)))
    loss = 1.0 - e1 / e0 if e0 > 0 else 0.0
    if abs(loss) < _REL_TOL:
        loss = 0.0
    return importance, int(cut.sum()) / n_conn, loss, int((inc > 0).sum() + cut.sum())


def _od_index(
    G: nx.MultiDiGraph[Any], origins: Sequence[Any], destinations: Sequence[Any]
) -> tuple[list[Any], list[Any]]:
    od_pairs(origins, destinations)
    missing = [n for n in (*origins, *destinations) if n not in G]
    if missing:
        msg = f"{', '.join(map(str, missing))} is not in the network"
        raise BadInputError(msg)
    return list(dict.fromkeys(origins)), list(dict.fromkeys(destinations))


# --------------------------------------------------------------------------- fast engine


def _ranges(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    """Concatenated ``range(s, e)`` for each pair, and the pair each position came from."""
    counts = ends - starts
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(starts)), counts)
    offsets = np.cumsum(counts) - counts
    return np.arange(total) - offsets[owner] + starts[owner], owner


@dataclass
class _Engine:
    """Everything the repairs need; scattered once to every Dask worker with ``scheduler``."""

    n: int
    indptr: IntArray
    indices: IntArray
    data: FloatArray
    t_indptr: IntArray
    t_indices: IntArray
    t_data: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_new: FloatArray  # weight of (u, v) once this edge is gone (inf: no parallel left)
    edge_old: FloatArray  # weight of (u, v) in the intact matrix
    origins: IntArray
    dests: IntArray
    dist: FloatArray  # origins × n
    pred: IntArray  # origins × n
    order: list[IntArray]  # preorder of each origin's shortest-path tree
    tin: IntArray  # origins × n: position in that preorder (-1 unreachable)
    size: IntArray  # origins × n: subtree size
    relevant: npt.NDArray[np.bool_]  # origins × n: on a tree path to some destination
    rdist: FloatArray  # destinations × n: intact distance from each node to that destination
    base: FloatArray  # origins × destinations
    order_mat: IntArray  # origins × n: ``order`` padded with -1 (for the compiled kernel)
    rdist_t: FloatArray  # n × destinations: ``rdist`` transposed, one row per node
    # Nodes near each OD shortest path (see _repair.near_paths): two lists and the detour
    # each covers.
    near: tuple[
        tuple[IntArray, IntArray, IntArray], float, tuple[IntArray, IntArray, IntArray], float
    ]

    def run(self, jobs: list[tuple[str, tuple[int, ...]]]) -> FloatArray:
        """Metrics for a chunk of elements (``("edge", edge ids)`` or ``("node", (i,))``).

        The repairs of the whole chunk run in one call of the compiled kernel
        (:mod:`resilience.analysis._repair`); :meth:`run_reference` is the same
        algorithm step by step in numpy and scipy.
        """
        from resilience.analysis._repair import metrics, run_chunk  # noqa: PLC0415 - numba

        result: FloatArray = metrics(self.base, run_chunk(self, jobs), _REL_TOL)
        return result

    def run_reference(self, jobs: list[tuple[str, tuple[int, ...]]]) -> FloatArray:
        """:meth:`run` without the compiled kernel, one repair at a time."""
        out = np.zeros((len(jobs), _N_METRICS), dtype=np.float64)
        loc = np.full(self.n, -1, dtype=np.int64)
        for row, (kind, ids) in enumerate(jobs):
            after = self.base.copy()
            if kind == "node":
                self._remove_node(ids[0], after, loc)
            else:
                self._remove_edges(ids, after, loc)
            out[row] = _metrics(self.base, after)
        return out

    def _remove_edges(self, ids: tuple[int, ...], after: FloatArray, loc: IntArray) -> None:
        for e in ids:
            a, b, new = int(self.edge_u[e]), int(self.edge_v[e]), float(self.edge_new[e])
            if new <= self.edge_old[e]:
                continue  # an equally cheap parallel edge carries the same paths
            for oi in np.flatnonzero((self.pred[:, b] == a) & self.relevant[:, b]):
                self._repair(int(oi), b, after, loc, skip=None, change=(a, b, new))

    def _remove_node(self, x: int, after: FloatArray, loc: IntArray) -> None:
        after[self.origins == x, :] = np.inf
        after[:, self.dests == x] = np.inf
        for oi in np.flatnonzero(self.relevant[:, x]):
            if self.origins[oi] != x:
                self._repair(int(oi), x, after, loc, skip=x, change=None)

    def _repair(
        self,
        oi: int,
        root: int,
        after: FloatArray,
        loc: IntArray,
        *,
        skip: int | None,
        change: tuple[int, int, float] | None,
    ) -> None:
        """Exact new distances from origin ``oi`` to the destinations under ``root``.

        Outside the subtree of ``root`` the shortest-path tree is intact and distances
        cannot fall, so they stand. Inside, the new distance of each node is a Dijkstra
        over the subtree only, seeded with the best entry from outside: ``dist(x) +
        w(x, y)`` over edges entering the subtree.

        The Dijkstra first runs over the part of the subtree that can lie on a path of
        length at most a bound ``B`` to an affected destination ``t``: the nodes ``y``
        with ``dist(y) + rdist(y, t) <= B`` (both intact distances, lower bounds once
        something is removed). A result below ``B`` is then exact: every node of a
        shortest path of that length passes the test. Otherwise the bound grows, and in
        the end the whole subtree is searched.
        """
        start = int(self.tin[oi, root])
        stop = start + int(self.size[oi, root])
        pos_d = self.tin[oi, self.dests]
        under = (pos_d >= start) & (pos_d < stop)
        if skip is not None:
            under &= self.dests != skip  # a removed destination stays cut off
        targets = np.flatnonzero(under)
        if len(targets) == 0:
            return
        sub = self.order[oi][start:stop]
        if skip is not None:
            sub = sub[1:]  # the removed place itself (first in preorder)
        if len(sub) == 0:
            return
        parent = int(self.pred[oi, root])
        step = float(self.dist[oi, root] - self.dist[oi, parent]) if parent >= 0 else 0.0
        base = self.dist[oi, self.dests[targets]]
        slack = 2.0 * step + 1e-6 * float(base.max())
        d_sub = self.dist[oi, sub]
        for _ in range(3):
            bound = base + slack
            keep = np.zeros(len(sub), dtype=bool)
            for j, b in zip(targets.tolist(), bound.tolist(), strict=True):
                keep |= d_sub + self.rdist[j, sub] <= b
            got = self._subtree_dijkstra(oi, sub[keep], start, stop, loc, change, targets)
            if bool(np.all(got < bound * (1.0 - 1e-7))):
                after[oi, targets] = got
                return
            slack *= 4.0
        after[oi, targets] = self._subtree_dijkstra(oi, sub, start, stop, loc, change, targets)

    def _subtree_dijkstra(
        self,
        oi: int,
        nodes: IntArray,
        start: int,
        stop: int,
        loc: IntArray,
        change: tuple[int, int, float] | None,
        targets: IntArray,
    ) -> FloatArray:
        """Distances to ``targets`` over ``nodes`` (part of the subtree), seeded from outside."""
        k = len(nodes)
        tin = self.tin[oi]
        loc[nodes] = np.arange(k)
        try:
            tl = loc[self.dests[targets]]
            if k == 0 or not (tl >= 0).any():
                return np.full(len(targets), np.inf)
            # Seeds: edges entering the subtree from outside.
            pos, owner = _ranges(self.t_indptr[nodes], self.t_indptr[nodes + 1])
            src = self.t_indices[pos]
            w = self.t_data[pos]
            ts = tin[src]
            outside = (ts < start) | (ts >= stop)
            if change is not None:
                a, b, new = change
                hit = (src == a) & (nodes[owner] == b)
                w = np.where(hit, new, w)
            lab = self.dist[oi, src] + w
            keep = outside & np.isfinite(lab)
            seed = np.full(k, np.inf)
            np.minimum.at(seed, owner[keep], lab[keep])
            # Edges inside the part searched.
            pos, owner = _ranges(self.indptr[nodes], self.indptr[nodes + 1])
            col = loc[self.indices[pos]]
            inside = col >= 0
            counts = np.bincount(owner[inside], minlength=k)
            seeded = np.flatnonzero(np.isfinite(seed))
            indptr = np.concatenate([[0], np.cumsum(counts), [inside.sum() + len(seeded)]])
            matrix = sparse.csr_array(
                (
                    np.concatenate([self.data[pos][inside], seed[seeded]]),
                    np.concatenate([col[inside], seeded]),
                    indptr,
                ),
                shape=(k + 1, k + 1),
            )
            dist = csgraph.dijkstra(matrix, directed=True, indices=[k])[0]
            found = np.full(len(targets), np.inf)
            found[tl >= 0] = dist[tl[tl >= 0]]
            return found
        finally:
            loc[nodes] = -1


def _tree(pred: IntArray, origin: int) -> tuple[IntArray, IntArray, IntArray]:
    """Preorder, preorder position and subtree size of a shortest-path tree."""
    from resilience.analysis._repair import subtree_sizes  # noqa: PLC0415 - numba is heavy

    n = len(pred)
    child = np.flatnonzero(pred >= 0)
    tree = sparse.csr_array(
        (np.ones(len(child), dtype=np.int8), (pred[child], child)), shape=(n, n)
    )
    order = csgraph.depth_first_order(tree, origin, directed=True, return_predecessors=False)
    pre: IntArray = np.asarray(order, dtype=np.int64)
    tin = np.full(n, -1, dtype=np.int64)
    tin[pre] = np.arange(len(pre))
    return pre, tin, subtree_sizes(pre, pred, n)


def _build_engine(arrays: EdgeArrays, origins: list[Any], destinations: list[Any]) -> _Engine:
    n = arrays.n
    matrix = arrays.csr()
    matrix.sort_indices()
    trans = sparse.csr_array(matrix.T)
    trans.sort_indices()
    # Weight of (u, v) without each edge: the next cheapest parallel edge, if any.
    pair = arrays.u * n + arrays.v
    order = np.lexsort((arrays.weight, pair))
    sp, sw = pair[order], arrays.weight[order]
    first = np.ones(len(sp), dtype=bool)
    first[1:] = sp[1:] != sp[:-1]
    group = np.cumsum(first) - 1
    best = sw[first]
    starts = np.flatnonzero(first)
    second = np.full(len(best), np.inf)
    has2 = np.append(starts[1:], len(sp)) - starts > 1
    second[has2] = sw[starts[has2] + 1]
    new = np.empty(len(sp))
    new[order] = np.where(first, second[group], best[group])
    old = np.empty(len(sp))
    old[order] = best[group]

    o_idx = np.array([arrays.index[o] for o in origins], dtype=np.int64)
    d_idx = np.array([arrays.index[d] for d in destinations], dtype=np.int64)
    dist, pred = shortest_times(matrix, o_idx)
    trees = [_tree(pred[i], int(o)) for i, o in enumerate(o_idx)]
    from resilience.analysis._repair import (  # noqa: PLC0415 - numba is heavy
        mark_relevant,
        near_paths,
    )

    relevant = np.zeros((len(o_idx), n), dtype=bool)
    for i, o in enumerate(o_idx.tolist()):
        mark_relevant(pred[i], o, d_idx, relevant[i])
    order_mat = np.full((len(o_idx), n), -1, dtype=np.int64)
    for i, (order, _, _) in enumerate(trees):
        order_mat[i, : len(order)] = order
    rdist = shortest_times(trans, d_idx)[0]
    rdist_t = np.ascontiguousarray(rdist.T)
    tin = np.stack([t[1] for t in trees])
    # The kernel's first two bounds allow a detour of about 2 and 8 times the cut edge's
    # weight; lists covering them for nine edges in ten spare it testing whole subtrees.
    p90 = float(np.quantile(arrays.weight, 0.9)) if len(arrays.weight) else 0.0
    near_a, near_b = near_paths(dist, rdist_t, order_mat, d_idx, 2.2 * p90, 8.8 * p90)
    near = (near_a, 2.2 * p90, near_b, 8.8 * p90)
    return _Engine(
        n=n,
        indptr=matrix.indptr.astype(np.int64),
        indices=matrix.indices.astype(np.int64),
        data=matrix.data.astype(np.float64),
        t_indptr=trans.indptr.astype(np.int64),
        t_indices=trans.indices.astype(np.int64),
        t_data=trans.data.astype(np.float64),
        edge_u=arrays.u,
        edge_v=arrays.v,
        edge_new=new,
        edge_old=old,
        origins=o_idx,
        dests=d_idx,
        dist=dist,
        pred=pred,
        order=[t[0] for t in trees],
        tin=tin,
        size=np.stack([t[2] for t in trees]),
        relevant=relevant,
        rdist=rdist,
        base=dist[:, d_idx],
        order_mat=order_mat,
        rdist_t=rdist_t,
        near=near,
    )


def _needs_work(engine: _Engine, jobs: list[tuple[str, tuple[int, ...]]]) -> npt.NDArray[np.bool_]:
    """Which jobs can change an OD time (the others score zero, see :func:`scan`)."""
    # An edge matters when no equally cheap parallel edge exists and some origin's tree
    # reaches a destination through it; a node when it is on such a path or an endpoint.
    # One origin at a time: an origins × edges temporary is gigabytes at a million nodes.
    edge_hit: npt.NDArray[np.bool_] = np.zeros(len(engine.edge_u), dtype=np.bool_)
    for oi in range(len(engine.origins)):
        edge_hit |= (engine.pred[oi, engine.edge_v] == engine.edge_u) & engine.relevant[
            oi, engine.edge_v
        ]
    edge_hit &= engine.edge_new > engine.edge_old
    node_hit: npt.NDArray[np.bool_] = np.asarray(engine.relevant.any(axis=0))
    node_hit[engine.origins] = True
    node_hit[engine.dests] = True
    # Vectorised over the jobs: a Python test per job costs seconds at 100k elements.
    is_node = np.fromiter((kind == "node" for kind, _ in jobs), dtype=np.bool_, count=len(jobs))
    lengths = np.fromiter((len(ids) for _, ids in jobs), dtype=np.int64, count=len(jobs))
    flat = np.fromiter(
        itertools.chain.from_iterable(ids for _, ids in jobs), dtype=np.int64, count=lengths.sum()
    )
    owner = np.repeat(np.arange(len(jobs)), lengths)
    of_node = np.repeat(is_node, lengths)
    hit = np.zeros(len(flat), dtype=np.bool_)
    hit[of_node] = node_hit[flat[of_node]]
    hit[~of_node] = edge_hit[flat[~of_node]]
    out: npt.NDArray[np.bool_] = np.zeros(len(jobs), dtype=np.bool_)
    out[owner[hit]] = True
    return out


def _run_chunk(engine: _Engine, jobs: list[tuple[str, tuple[int, ...]]]) -> FloatArray:
    return engine.run(jobs)


def _chunks(items: list[Any], parts: int) -> list[list[Any]]:
    size = max(1, math.ceil(len(items) / parts))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _execute(
    engine: _Engine,
    jobs: list[tuple[str, tuple[int, ...]]],
    *,
    n_jobs: int,
    scheduler: Any,
    progress: Callable[[int], None] | None,
) -> FloatArray:
    if not jobs:
        return np.zeros((0, _N_METRICS))
    if scheduler is not None:
        return _execute_dask(engine, jobs, scheduler, max(n_jobs, 1), progress)
    return _execute_local(engine, jobs, n_jobs, progress)


# Removals per call of the compiled kernel: bounds the OD matrices held at once.
_BLOCK = 2048


def _execute_local(
    engine: _Engine,
    jobs: list[tuple[str, tuple[int, ...]]],
    n_jobs: int,
    progress: Callable[[int], None] | None,
) -> FloatArray:
    """All jobs in this process, on ``n_jobs`` threads of the compiled kernel.

    In a scan of both, the links run first and keep the repairs of the tree edge into
    each scanned place; a place whose every affected destination keeps a shortest path
    around it takes those distances instead of a repair of its own.
    """
    from resilience.analysis._repair import metrics, run_chunk, share_slots  # noqa: PLC0415

    kinds = [kind for kind, _ in jobs]
    places = np.array([ids[0] for kind, ids in jobs if kind == "node"], dtype=np.int64)
    share = None
    if 0 < len(places) < len(jobs):
        share = share_slots(engine.relevant, engine.origins, places, len(engine.dests))
    out = np.empty((len(jobs), _N_METRICS))
    for kind in ("edge", "node"):
        rows = [i for i, k in enumerate(kinds) if k == kind]
        for lo in range(0, len(rows), _BLOCK):
            part = rows[lo : lo + _BLOCK]
            after = run_chunk(engine, [jobs[i] for i in part], threads=n_jobs, share=share)
            out[part] = metrics(engine.base, after, _REL_TOL)
            if progress is not None:
                progress(len(part))
    return out


def _execute_dask(
    engine: _Engine,
    jobs: list[tuple[str, tuple[int, ...]]],
    scheduler: Any,
    n_jobs: int,
    progress: Callable[[int], None] | None,
) -> FloatArray:
    from distributed import Client, LocalCluster  # noqa: PLC0415 - optional, heavy

    own: list[Any] = []
    if isinstance(scheduler, Client):
        client = scheduler
    elif scheduler == "local":
        cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1, dashboard_address=None)  # type: ignore[no-untyped-call]
        client = Client(cluster)  # type: ignore[no-untyped-call]
        own = [client, cluster]
    else:
        client = Client(str(scheduler))  # type: ignore[no-untyped-call]
        own = [client]
    try:
        remote = client.scatter(engine, broadcast=True)  # type: ignore[no-untyped-call]
        chunks = _chunks(jobs, max(1, len(client.nthreads())) * 8)  # type: ignore[no-untyped-call]
        futures = [client.submit(_run_chunk, remote, c, pure=False) for c in chunks]
        results = []
        for chunk, future in zip(chunks, futures, strict=True):
            results.append(future.result())
            if progress is not None:
                progress(len(chunk))
        return np.concatenate(results)
    finally:
        for thing in own:
            thing.close()


# --------------------------------------------------------------------------- public API


def scan(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    elements: Elements = "edges",
    weight: str = "travel_time",
    jobs: int = 1,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Remove each link (or place) alone and rank them by the damage to supply.

    Exact, and fast for four reasons, none of which changes a result:

    1. the intact shortest-path trees from every origin are computed once;
    2. an element on no tree path from an origin to a destination cannot lengthen any
       OD travel time (the tree survives, and removing things never shortens a path),
       so it scores zero without recomputation; an equally cheap parallel edge makes a
       removal a no-op for the same reason;
    3. otherwise only the origins whose tree uses the element are recomputed, and only
       inside the subtree it cuts off: nodes outside keep their distance; inside, a
       compiled search (:mod:`resilience.analysis._repair`: A* toward each affected
       destination, guided by the intact distance to it, over the part of the subtree
       near the affected shortest paths) is seeded with the best entry from outside.
       Equal-cost alternatives are found by that search, so ties give a zero
       increase, as the full recomputation of :func:`scan_naive` does;
    4. with ``elements="both"``, removing a place cuts the same subtree as removing the
       tree edge into it: where the link's repair found, for every destination under
       the place, a shortest path that avoids the place, the place scores those
       distances without a repair of its own (about seven in ten on road-like grids).

    A link is both directions of one ``(u, v, key)`` edge: a cut road blocks both ways.
    Removing a place counts its own OD pairs as cut off.

    Parameters
    ----------
    G
        The network (not changed).
    origins, destinations
        Node ids of the supply origins and destinations.
    elements
        ``"edges"`` (links), ``"nodes"`` (places) or ``"both"``.
    weight
        Edge attribute minimised.
    jobs
        Threads of the compiled repairs (1: this thread; the kernel releases the GIL, so
        there is no process start-up or copy of the graph). With ``scheduler``, Dask
        workers to start.
    scheduler
        ``None``; ``"local"`` (a Dask ``LocalCluster`` of ``jobs`` workers); a scheduler
        address; or a ``distributed.Client``. The graph arrays are scattered once to
        every worker and chunks of elements run as tasks.
    progress
        Called with the number of elements finished after each chunk.

    Returns
    -------
    pandas.DataFrame
        One row per element, columns :data:`COLUMNS`; ranked by ``efficiency_loss``,
        then ``unsatisfied``, ``importance``, ``label`` (deterministic).

    Raises
    ------
    BadInputError
        If the OD set is empty or overlaps, a node is missing or ``elements`` is wrong.

    Examples
    --------
    >>> from resilience.synthetic import road_like
    >>> G = road_like(25, seed=1)
    >>> table = scan(G, [0], [24])
    >>> bool((table["importance"] >= 0).all())
    True
    """
    origins_, dests_ = _od_index(G, origins, destinations)
    if jobs < 1:
        msg = f"jobs must be at least 1, not {jobs}"
        raise BadInputError(msg)
    arrays = edge_arrays(G, weight)
    items = _elements(G, arrays, elements)
    engine = _build_engine(arrays, origins_, dests_)
    jobs_list: list[tuple[str, tuple[int, ...]]] = [
        ("node", (arrays.index[e.u],)) if e.kind == "node" else ("edge", e.edges) for e in items
    ]
    work = np.flatnonzero(_needs_work(engine, jobs_list)).tolist()
    if progress is not None and len(items) > len(work):
        progress(len(items) - len(work))
    values = np.zeros((len(items), _N_METRICS))
    values[work] = _execute(
        engine, [jobs_list[i] for i in work], n_jobs=jobs, scheduler=scheduler, progress=progress
    )
    # The engine's trees (about 2 GB at a million nodes) are done with: free them before
    # the table's columns are built.
    del engine, jobs_list
    return _table(G, items, values)


def labelled_scan_table(table: pd.DataFrame, weight: str = "travel_time") -> pd.DataFrame:
    """A :func:`scan` table in the units its column names say, as the CLI writes it.

    :func:`scan` keeps the graph's units (``importance`` in seconds or metres, the other
    two measures as shares 0-1) so that it compares exactly with :func:`scan_naive`; this
    is the one place where they become the named units of the outputs.

    Parameters
    ----------
    table
        A table from :func:`scan` (not changed).
    weight
        The weight it was computed with: ``travel_time`` gives ``importance_min``,
        ``length`` gives ``importance_km``.

    Returns
    -------
    pandas.DataFrame
        The same rows and order; ``importance`` → ``importance_min`` (or
        ``importance_km``), ``unsatisfied`` → ``cut_off_pct`` and ``efficiency_loss`` →
        ``od_efficiency_loss_pct`` (percent), values not rounded.

    Examples
    --------
    >>> t = pd.DataFrame({"importance": [120.0], "unsatisfied": [0.25], "efficiency_loss": [0.5]})
    >>> labelled_scan_table(t).iloc[0].to_dict()
    {'importance_min': 2.0, 'cut_off_pct': 25.0, 'od_efficiency_loss_pct': 50.0}
    >>> list(labelled_scan_table(t, "length").columns)[0]
    'importance_km'
    """
    _, unit, scale = weight_units(weight)
    out = table.copy()
    out["importance"] = out["importance"] / scale
    out["unsatisfied"] = 100 * out["unsatisfied"]
    out["efficiency_loss"] = 100 * out["efficiency_loss"]
    # "efficiency" here is OD efficiency over the supply pairs, not cut's network efficiency.
    return out.rename(
        columns={
            "importance": f"importance_{unit}",
            "unsatisfied": "cut_off_pct",
            "efficiency_loss": "od_efficiency_loss_pct",
        }
    )


def scan_naive(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    elements: Elements = "edges",
    weight: str = "travel_time",
    only: Iterable[int] | None = None,
) -> pd.DataFrame:
    """The reference: remove each element and recompute every OD time with networkx.

    Parameters
    ----------
    G
        The network (not changed).
    origins, destinations
        Node ids.
    elements
        ``"edges"``, ``"nodes"`` or ``"both"``.
    weight
        Edge attribute minimised.
    only
        Positions (in element order) to compute; the others are left out of the table.
        The benchmark times a sample this way.

    Returns
    -------
    pandas.DataFrame
        The same table as :func:`scan`.
    """
    origins_, dests_ = _od_index(G, origins, destinations)
    arrays = edge_arrays(G, weight)
    items = _elements(G, arrays, elements)
    if only is not None:
        items = [items[i] for i in only]

    def times(H: nx.MultiDiGraph[Any]) -> FloatArray:
        out = np.full((len(origins_), len(dests_)), np.inf)
        for i, o in enumerate(origins_):
            if o not in H:
                continue
            d = nx.single_source_dijkstra_path_length(H, o, weight=weight)
            for j, t in enumerate(dests_):
                out[i, j] = d.get(t, np.inf)
        return out

    base = times(G)
    values = np.zeros((len(items), _N_METRICS))
    for row, e in enumerate(items):
        H = G.copy()
        if e.kind == "node":
            H.remove_node(e.u)
        else:
            H.remove_edges_from(
                (arrays.nodes[arrays.u[i]], arrays.nodes[arrays.v[i]], arrays.key[i])
                for i in e.edges
            )
        values[row] = _metrics(base, times(H))
    return _table(G, items, values)


def _edge_text(G: nx.MultiDiGraph[Any], e: _Element, names: dict[Any, str]) -> tuple[str, str]:
    """(label, ref) of an edge element: ``network.edge_label`` with node labels looked up once."""
    return _edge_label(G[e.u][e.v][e.key], names[e.u], names[e.v])


def _edge_label(data: dict[str, Any], name_u: str, name_v: str) -> tuple[str, str]:
    """(label, ref) of an edge from its data and its end places' labels."""
    ref = data.get("ref") or ""
    ref = ";".join(map(str, ref)) if isinstance(ref, list) else str(ref)
    name = data.get("name") or ""
    name = ";".join(map(str, name)) if isinstance(name, list) else str(name)
    if not name:
        name = f"{name_u}–{name_v}"
    mode = data.get("mode", "")
    return " ".join(p for p in (ref, name, f"({mode})" if mode else "") if p), ref


def _table(G: nx.MultiDiGraph[Any], items: list[_Element], values: FloatArray) -> pd.DataFrame:
    # Column by column over networkx's own dicts, node labels and coordinates once, each
    # list handed to pandas (compact arrow strings) and dropped before the next is built:
    # a million-node scan table took minutes and gigabytes through views and row tuples.
    node_data: dict[Any, dict[str, Any]] = getattr(G, "_node")  # noqa: B009 - not in the stubs
    adj: dict[Any, dict[Any, dict[Any, dict[str, Any]]]] = getattr(G, "_adj")  # noqa: B009
    names = {n: (str(d["name"]) if d.get("name") else str(n)) for n, d in node_data.items()}
    # Node row, edge rows: both ends of an edge element (a node's "v" end is itself).
    pos = {n: i for i, n in enumerate(node_data)}
    xy = np.array([(float(d["x"]), float(d["y"])) for d in node_data.values()]).reshape(-1, 2)
    ends_u = np.fromiter((pos[e.u] for e in items), dtype=np.int64, count=len(items))
    ends_v = np.fromiter(
        (pos[e.u if e.kind == "node" else e.v] for e in items), dtype=np.int64, count=len(items)
    )
    # (a + b) / 2 of Python floats, element for element; a node's own x is (x + x) / 2.
    mid = (xy[ends_u] + xy[ends_v]) / 2
    del pos, ends_u, ends_v, xy
    labels: list[str] = []
    refs: list[str] = []
    modes: list[str] = []
    for e in items:
        if e.kind == "node":
            labels.append(names[e.u])
            refs.append("")
            modes.append(str(node_data[e.u].get("kind", "")))
        else:
            data = adj[e.u][e.v][e.key]
            label, ref = _edge_label(data, names[e.u], names[e.v])
            labels.append(label)
            refs.append(ref)
            modes.append(str(data.get("mode", "")))
    del names
    n_rows = len(items)
    if not n_rows:
        return _ranked(pd.DataFrame({c: [] for c in COLUMNS[1:]}, columns=COLUMNS[1:]))
    frame = pd.DataFrame({"element": [e.kind for e in items]}, index=range(n_rows))
    frame["label"] = pd.Series(labels, index=frame.index)
    del labels
    for col, get in (("u", 1), ("v", 2), ("key", 3)):
        frame[col] = pd.Series([e[get] for e in items], index=frame.index)
    frame["ref"] = pd.Series(refs, index=frame.index)
    frame["mode"] = pd.Series(modes, index=frame.index)
    del refs, modes
    frame["x"] = mid[:, 0]
    frame["y"] = mid[:, 1]
    del mid
    metrics = values.T.tolist()
    for col, vals in zip(("importance", "unsatisfied", "efficiency_loss"), metrics, strict=False):
        frame[col] = pd.Series(vals, index=frame.index)
    frame["pairs_affected"] = pd.Series([int(a) for a in metrics[3]], index=frame.index)
    return _ranked(frame)


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ranked by the damage, ties by label, kind and ends (deterministic)."""
    frame["_u"] = frame["u"].astype(str)
    frame["_v"] = frame["v"].astype(str)
    frame = frame.sort_values(
        ["efficiency_loss", "unsatisfied", "importance", "label", "element", "_u", "_v"],
        ascending=[False, False, False, True, True, True, True],
        kind="stable",
    ).drop(columns=["_u", "_v"])
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def bridges_and_articulation_points(G: nx.MultiDiGraph[Any]) -> pd.DataFrame:
    """Links and places whose loss alone splits the network (undirected view).

    A link counts as a bridge only when no parallel edge (another key, another mode)
    joins the same two places.

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    pandas.DataFrame
        ``element`` (``bridge`` or ``articulation point``), ``label``, ``u``, ``v``,
        ``mode``, ``x``, ``y``; sorted by element then label.
    """
    U: nx.MultiGraph[Any] = nx.MultiGraph(G.to_undirected(as_view=True))
    U.remove_edges_from(list(nx.selfloop_edges(U)))
    rows: list[dict[str, Any]] = []
    for a, b in nx.bridges(U):
        # bridges() on a multigraph already ignores pairs joined twice; reverse twins of
        # one directed road collapse to one undirected edge only when keys match.
        key = next(iter(G[a][b])) if G.has_edge(a, b) else next(iter(G[b][a]))
        u, v = (a, b) if G.has_edge(a, b) else (b, a)
        na, nb = G.nodes[u], G.nodes[v]
        rows.append(
            {
                "element": "bridge",
                "label": edge_label(G, u, v, key),
                "u": u,
                "v": v,
                "mode": G.edges[u, v, key].get("mode", ""),
                "x": (float(na["x"]) + float(nb["x"])) / 2,
                "y": (float(na["y"]) + float(nb["y"])) / 2,
            }
        )
    for n in nx.articulation_points(U):
        d = G.nodes[n]
        rows.append(
            {
                "element": "articulation point",
                "label": node_label(G, n),
                "u": n,
                "v": None,
                "mode": d.get("kind", ""),
                "x": float(d["x"]),
                "y": float(d["y"]),
            }
        )
    cols = ["element", "label", "u", "v", "mode", "x", "y"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["_u"] = frame["u"].astype(str)
    return (
        frame.sort_values(["element", "label", "_u"], kind="stable")
        .drop(columns="_u")
        .reset_index(drop=True)
    )
