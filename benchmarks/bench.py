"""Fast engine vs networkx, same process, same answers; two honest ratios for the scan.

Usage: python benchmarks/bench.py [--quick] [--jobs N] [--only NAME] [--json FILE]
       [--epsilon E] [--sample K] [--naive-sample K] [--dask]

Every row: ``operation``, ``graph``, ``nodes``, ``fast_s``, ``baseline_s``, ``baseline``,
``extrapolated_from``, ``ratio``, ``peak_mb``. The element scan has two baselines:

- ``networkx-same-algorithm``: the same pruned algorithm (same element selection, the
  same bounded subtree repairs, one repair at a time) with networkx's Dijkstra for each
  repair; its ratio is the *engine's* gain;
- ``networkx-naive``: remove each element and rerun networkx Dijkstra from every origin;
  its ratio is the algorithm's and the engine's gains together.

Both are timed on a random sample and extrapolated (``extrapolated_from`` says how
many): the same-algorithm baseline on ``--sample`` (40) of the elements that need work,
the naive one on ``--naive-sample`` (5) of all elements (each costs a networkx Dijkstra
from every origin; about 14 s an element at 100k nodes). The headline row ``exact
node+edge scan`` times one ``scan(elements="both")`` (one engine build; place removals
reuse the link repairs of the same subtrees) against the sum of the links' and the
places' same-algorithm baselines; its table is asserted equal to the two separate
scans'. The flow rows (``--only flow``) use
``capacity_t_per_day`` from ``assign_capacities`` and a super source and sink over the
origins and destinations: ``max_flow`` against networkx's ``maximum_flow`` on the same
network (values asserted equal to the tonne); ``concurrent_flow`` (HiGHS LPs) against the
library's networkx engine (Newton on the parametric minimum cut with networkx max flows;
networkx has no LP solver), λ asserted equal, both also giving the per-town deliveries.
``peak_mb`` is the process's peak resident set (``ru_maxrss``; it only grows, so it
bounds each row from above). The machine is shared:
read figures as of the moment they ran.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from resilience import backend
from resilience.analysis import criticality, flow, paths
from resilience.analysis.cuts import min_cut
from resilience.capacity import CAPACITY, assign_capacities
from resilience.network import to_digraph
from resilience.supply import demand_t_per_day
from resilience.synthetic import road_like

ROWS: list[dict[str, Any]] = []
HERE = Path(__file__).resolve().parent
# networkx's super source and sink for the flow rows (no node of a graph is named so).
_SRC, _SNK = "__flow_source__", "__flow_sink__"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = func()
    return time.perf_counter() - t, out


def row(
    graph: str,
    nodes: int,
    op: str,
    fast_s: float,
    baseline_s: float | None,
    baseline: str,
    extrapolated_from: int | None = None,
    note: str = "",
) -> None:
    ratio = baseline_s / fast_s if baseline_s is not None and fast_s > 0 else None
    ROWS.append(
        {
            "operation": op,
            "graph": graph,
            "nodes": nodes,
            "fast_s": round(fast_s, 4),
            "baseline_s": None if baseline_s is None else round(baseline_s, 4),
            "baseline": baseline,
            "extrapolated_from": extrapolated_from,
            "ratio": None if ratio is None else round(ratio, 1),
            "peak_mb": round(peak_mb(), 1),
        }
    )
    base = "-" if baseline_s is None else f"{baseline_s:.3f}s"
    rat = "-" if ratio is None else f"{ratio:.1f}x"
    print(
        f"{graph:<10} {op:<30} {fast_s:>9.3f}s {base:>11} {rat:>9} "
        f"{baseline:<24} {peak_mb():>8.0f}MB  {note}",
        flush=True,
    )


def pick_od(G: nx.MultiDiGraph, k: int, seed: int) -> tuple[list[Any], list[Any]]:
    # Largest strongly connected piece, so pairs are reachable and the scan is not trivial.
    big = max(nx.strongly_connected_components(G), key=len)
    nodes = sorted(big, key=str)
    rng = np.random.default_rng(seed)
    sel = rng.choice(len(nodes), 2 * k, replace=False)
    return [nodes[i] for i in sel[:k]], [nodes[i] for i in sel[k:]]


class NetworkxRepairs(criticality._Engine):  # noqa: SLF001 - the baseline reuses the algorithm
    """The scan's pruned algorithm with networkx's Dijkstra for each subtree repair."""

    def _subtree_dijkstra(
        self,
        oi: int,
        nodes: Any,
        start: int,
        stop: int,
        loc: Any,
        change: tuple[int, int, float] | None,
        targets: Any,
    ) -> Any:
        del loc
        keep = {int(x) for x in nodes.tolist()}
        tin = self.tin[oi]
        H: nx.DiGraph = nx.DiGraph()
        H.add_node(-1)
        for y in keep:
            best = np.inf
            for p in range(self.t_indptr[y], self.t_indptr[y + 1]):
                x = int(self.t_indices[p])
                if start <= tin[x] < stop:
                    continue
                w = self.t_data[p]
                if change is not None and x == change[0] and y == change[1]:
                    w = change[2]
                best = min(best, self.dist[oi, x] + w)
            if np.isfinite(best):
                H.add_edge(-1, y, w=best)
            for p in range(self.indptr[y], self.indptr[y + 1]):
                v = int(self.indices[p])
                if v in keep:
                    H.add_edge(y, v, w=float(self.data[p]))
        d = nx.single_source_dijkstra_path_length(H, -1, weight="w")
        return np.array([d.get(int(self.dests[j]), np.inf) for j in targets.tolist()])


def bench_scan(
    name: str,
    G: nx.MultiDiGraph,
    origins: list[Any],
    dests: list[Any],
    which: str,
    *,
    jobs: int,
    sample: int,
    naive_sample: int,
) -> tuple[float, float, int, Any]:
    """One scan's rows; returns (fast s, same-algorithm baseline s, its sample, table)."""
    n = G.number_of_nodes()
    secs, table = timed(
        lambda: criticality.scan(G, origins, dests, elements=which, jobs=jobs)  # type: ignore[arg-type]
    )
    op = f"exact {which[:-1]} scan {len(origins)}x{len(dests)}"
    # The same selection and repairs, one at a time, networkx Dijkstra inside.
    arrays = backend.edge_arrays(G)
    build_s, engine = timed(
        lambda: criticality._build_engine(arrays, list(origins), list(dests))  # noqa: SLF001
    )
    items = criticality._elements(G, arrays, which)  # noqa: SLF001
    jobs_list = [
        ("node", (arrays.index[e.u],)) if e.kind == "node" else ("edge", e.edges) for e in items
    ]
    work = np.flatnonzero(criticality._needs_work(engine, jobs_list))  # noqa: SLF001
    rng = np.random.default_rng(1)
    picked = np.sort(rng.choice(len(work), min(sample, len(work)), replace=False))
    nxe = NetworkxRepairs(**{f.name: getattr(engine, f.name) for f in fields(engine)})
    chunk = [jobs_list[work[i]] for i in picked.tolist()]
    slow, got = timed(lambda: nxe.run_reference(chunk))
    assert np.allclose(got, engine.run(chunk), rtol=1e-9, atol=1e-9), "engines disagree"
    same = build_s + slow / max(len(chunk), 1) * len(work)
    row(
        name, n, op, secs, same, "networkx-same-algorithm", len(chunk),
        f"{len(items)} elements, {len(work)} need work, jobs={jobs}",
    )  # fmt: skip
    # Naive: remove and recompute everything with networkx, on a sample of all elements.
    total = len(table)
    positions = sorted(rng.choice(total, min(max(1, naive_sample), total), replace=False).tolist())
    naive_s, ref = timed(
        lambda: criticality.scan_naive(G, origins, dests, elements=which, only=positions)  # type: ignore[arg-type]
    )

    def keyed(frame: Any) -> dict[tuple[str, ...], float]:
        cols = [frame[c].astype(str) for c in ("element", "u", "v", "key")]
        return dict(zip(zip(*cols, strict=True), frame["importance"], strict=True))

    fast_vals, ref_vals = keyed(table), keyed(ref)
    assert all(np.isclose(fast_vals[k], v, rtol=1e-9, atol=1e-9) for k, v in ref_vals.items())
    row(name, n, op, secs, naive_s / len(positions) * total, "networkx-naive", len(positions))
    return secs, same, len(chunk), table


def bench_both(
    name: str,
    G: nx.MultiDiGraph,
    origins: list[Any],
    dests: list[Any],
    *,
    jobs: int,
    parts: dict[str, tuple[float, float, int, Any]],
) -> None:
    """The headline: links and places in one pass against both same-algorithm baselines."""
    n = G.number_of_nodes()
    secs, table = timed(lambda: criticality.scan(G, origins, dests, elements="both", jobs=jobs))
    (e_s, e_same, e_k, e_tab), (n_s, n_same, n_k, n_tab) = parts["edges"], parts["nodes"]
    # The shared pass changes no value: the same rows as the two scans, ranked together.
    values = ["importance", "unsatisfied", "efficiency_loss", "pairs_affected"]

    def txt(x: Any) -> str:
        # A "both" table's v and key columns mix ids with the places' None (as NaN).
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return ""
        return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[values].copy()
        out["_id"] = [
            (e, txt(u), txt(v), txt(k))
            for e, u, v, k in zip(
                frame["element"], frame["u"], frame["v"], frame["key"], strict=True
            )
        ]
        return out.set_index("_id").sort_index()

    merged, mine = keyed(pd.concat([e_tab, n_tab])), keyed(table)
    assert mine.equals(merged), "both-pass table differs from the two scans"
    row(
        name, n, f"exact node+edge scan {len(origins)}x{len(dests)}", secs, e_same + n_same,
        "networkx-same-algorithm", e_k + n_k,
        f"one pass (separately {e_s:.1f}s + {n_s:.1f}s); baseline: edges + nodes, jobs={jobs}",
    )  # fmt: skip


def _nx_flow_graph(
    G: nx.MultiDiGraph, origins: list[Any], dests: list[Any], sink_caps: dict[Any, float] | None
) -> nx.DiGraph:
    """The same flow network for networkx: parallel arcs merged (their capacities add),
    loops dropped, super source and sink with no ``capacity`` (networkx: unbounded)."""
    D: nx.DiGraph = nx.DiGraph()
    for u, v, c in G.edges(data=CAPACITY):
        if u == v or not c or c <= 0:
            continue
        if D.has_edge(u, v):
            D[u][v]["capacity"] += round(c)
        else:
            D.add_edge(u, v, capacity=round(c))
    for o in origins:
        D.add_edge(_SRC, o)
    for d in dests:
        if sink_caps is None:
            D.add_edge(d, _SNK)
        else:
            D.add_edge(d, _SNK, capacity=sink_caps[d])
    return D


def bench_flow(
    name: str, G: nx.MultiDiGraph, origins: list[Any], dests: list[Any], want: Callable[[str], bool]
) -> None:
    """Maximum flow and maximum concurrent flow (t/day) against networkx."""
    n = G.number_of_nodes()
    if any(c is None for _, _, c in G.edges(data=CAPACITY)):
        assign_capacities(G)
    od = f"{len(origins)}x{len(dests)}"
    if want("max_flow"):
        fast, got = timed(lambda: flow.max_flow(G, origins, dests, min_cost=False))
        slow, ref = timed(
            lambda: nx.maximum_flow_value(_nx_flow_graph(G, origins, dests, None), _SRC, _SNK)
        )
        assert got.value_t_per_day == ref, f"max flow differs: {got.value_t_per_day} vs {ref}"
        row(
            name, n, f"max_flow {od}", fast, slow, "networkx maximum_flow",
            note=f"{ref:,} t/day, equal; both times include building the arcs from G",
        )  # fmt: skip
    if want("concurrent_flow"):
        # Twice the maximum flow as total demand, so λ <= 0.5 and both LP stages run
        # (the region's default total would leave λ far above 1 on a synthetic graph).
        most = flow.max_flow(G, origins, dests, min_cost=False).value_t_per_day
        demand = demand_t_per_day(G, dests, total_t_per_day=2 * most)
        fast, got = timed(
            lambda: flow.concurrent_flow(G, origins, dests, demand=demand, engine="fast")
        )
        slow, ref = timed(
            lambda: flow.concurrent_flow(G, origins, dests, demand=demand, engine="networkx")
        )
        lam = ref.lambda_
        assert np.isclose(got.lambda_, lam, rtol=1e-6, atol=1e-9), f"λ {got.lambda_} vs {lam}"
        row(
            name, n, f"concurrent_flow {od}", fast, slow, "networkx max-flow Newton",
            note=f"λ={lam:.6f}, equal; both give λ and the per-town deliveries. Baseline: "
            "the library's networkx engine (Newton on the parametric minimum cut in exact "
            "fractions, networkx max flows; networkx has no LP); fast: HiGHS LPs",
        )  # fmt: skip


#: Largest graph on which the paths row also times networkx (minutes beyond: 97 s at 50k).
PATHS_BASELINE_MAX_NODES = 20_000


def bench_paths(name: str, G: nx.MultiDiGraph, s: Any, t: Any) -> None:
    """The paths table (shortest + edge-disjoint alternatives), engine vs networkx."""
    n = G.number_of_nodes()
    fast, got = timed(lambda: paths.paths_table(G, s, t, engine="fast"))
    if n > PATHS_BASELINE_MAX_NODES:
        row(
            name, n, "paths table 1 pair", fast, None, "-",
            note=f"{len(got)} paths; networkx takes minutes at this size (--quick: the ratio)",
        )  # fmt: skip
        return
    slow, ref = timed(lambda: paths.paths_table(G, s, t, engine="networkx"))
    # Equally cheap disjoint sets may differ (paths module doc); the shortest path and the
    # number of disjoint paths may not.
    assert got.iloc[:1].equals(ref.iloc[:1]), "paths engines differ on the shortest path"
    assert len(got) == len(ref), "paths engines differ in the number of paths"
    row(
        name, n, "paths table 1 pair", fast, slow, "networkx",
        note=f"{len(got)} paths; shortest path and count equal",
    )  # fmt: skip


def bench_graph(  # noqa: C901, PLR0912 - one block per operation, each optional (--only)
    name: str,
    G: nx.MultiDiGraph,
    k: int,
    *,
    jobs: int,
    sample: int,
    naive_sample: int,
    epsilon: float,
    only: str | None,
    quick: bool,
) -> None:
    n = G.number_of_nodes()
    print(f"\n== {name}: {n} nodes, {G.number_of_edges()} edges, {k}x{k} OD pairs", flush=True)
    origins, dests = pick_od(G, k, 0)
    s, t = origins[0], dests[0]

    def want(op: str) -> bool:
        return only is None or only in op

    if want("conversion"):
        backend.invalidate(G)
        secs, _ = timed(lambda: backend.edge_arrays(G))
        again, _ = timed(lambda: backend.edge_arrays(G))
        row(name, n, "conversion (cached after)", secs, None, "-", note=f"again: {again:.6f}s")
    if want("dijkstra"):
        csr = backend.to_csr(G)
        fast, _ = timed(lambda: backend.shortest_times(csr, [csr.index[s]]))
        slow, _ = timed(lambda: nx.single_source_dijkstra_path_length(G, s, weight="travel_time"))
        row(name, n, "dijkstra 1 source", fast, slow, "networkx", note="after the conversion")
    if want("betweenness"):
        D = to_digraph(G)
        if n <= 5000:
            fast, _ = timed(lambda: backend.betweenness(G))
            slow, _ = timed(lambda: nx.betweenness_centrality(D, weight="travel_time"))
            row(name, n, "betweenness exact", fast, slow, "networkx")
        from resilience._brandes import sample_size  # noqa: PLC0415

        k_src = sample_size(n, epsilon, 0.1)
        fast, _ = timed(lambda: backend.betweenness(G, epsilon=epsilon, delta=0.1))
        few = min(k_src, 5)
        slow, _ = timed(lambda: nx.betweenness_centrality(D, k=few, weight="travel_time", seed=0))
        row(
            name, n, f"betweenness eps={epsilon} d=0.1", fast, slow / few * k_src, "networkx",
            few, f"{k_src} sources; networkx: same estimator, same k",
        )  # fmt: skip
    for kind in ("edge", "vertex"):
        if want(f"min {kind} cut"):
            fast, cut = timed(lambda kind=kind: min_cut(G, s, t, kind=kind))
            slow, ref = timed(lambda kind=kind: min_cut(G, s, t, kind=kind, engine="networkx"))
            assert cut == ref, "min cut engines differ"
            size = "adjacent" if cut is None else f"size {len(cut)}, equal"
            row(name, n, f"min {kind} cut", fast, slow, "networkx", note=size)
    if want("paths"):
        bench_paths(name, G, s, t)
    if want("max_flow") or want("concurrent_flow"):
        bench_flow(name, G, origins, dests, want)
    parts = {}
    # "node+edge scan" contains "edge scan": --only "edge scan" means the links alone.
    headline = want(f"exact node+edge scan {k}x{k}") and only not in (
        "edge scan",
        "exact edge scan",
    )
    for which in ("edges", "nodes"):
        if want(f"{which[:-1]} scan") or headline:
            parts[which] = bench_scan(
                name, G, origins, dests, which, jobs=jobs, sample=sample, naive_sample=naive_sample
            )
    if headline:
        bench_both(name, G, origins, dests, jobs=jobs, parts=parts)
    if want("redundancy") and importlib.util.find_spec("redundancy_bench") is not None:
        import redundancy_bench  # noqa: PLC0415

        for r in redundancy_bench.bench_rows(name, G, quick=quick):
            # One meaning of peak_mb per table: the process's peak resident set, as in
            # every row; the redundancy bench's own tracemalloc peak goes in the note.
            row(
                name, r["nodes"], r["operation"], r["fast_s"], r["baseline_s"], r["baseline"],
                r["extrapolated_from"], note=f"Python allocations peaked at {r['peak_mb']:.1f} MB",
            )  # fmt: skip


def bench_dask(G: nx.MultiDiGraph, k: int) -> None:
    """The scan on a real 2-process Dask LocalCluster vs jobs=2 (threads in this process)."""
    from distributed import Client, LocalCluster  # noqa: PLC0415

    origins, dests = pick_od(G, k, 0)
    n = G.number_of_nodes()
    pool, ref = timed(lambda: criticality.scan(G, origins, dests, jobs=2))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        Client(c) as client,
    ):
        secs, table = timed(lambda: criticality.scan(G, origins, dests, scheduler=client))
    assert table.equals(ref), "dask and threaded tables differ"
    row("synthetic", n, "edge scan: dask 2 procs vs jobs=2", secs, pool, "threads jobs=2")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small graphs only")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", help="run only operations whose name contains this")
    parser.add_argument("--json", type=Path, help="write every row to this file")
    parser.add_argument("--epsilon", type=float, default=0.1, help="betweenness error bound")
    parser.add_argument(
        "--sample", type=int, default=40, help="elements timed on networkx-same-algorithm"
    )
    parser.add_argument(
        "--naive-sample", type=int, default=5, help="elements timed on networkx-naive"
    )
    parser.add_argument("--dask", action="store_true", help="add the Dask LocalCluster row")
    parser.add_argument("--nodes", type=int, default=None, help="synthetic graph size")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import networkit  # noqa: F401, PLC0415 - import once so no timing pays for it

    from resilience.analysis import _repair  # noqa: F401, PLC0415 - load the compiled kernel

    G0 = road_like(200, seed=0)
    criticality.scan(G0, *pick_od(G0, 3, 0))  # numba loads its cache once, not in a timing
    backend.betweenness(G0, epsilon=0.5)
    print(f"engine: scipy csgraph / networkit / numba vs networkx {nx.__version__}")
    print(
        f"{'graph':<10} {'operation':<30} {'fast':>10} {'baseline':>11} {'ratio':>9} "
        f"{'baseline is':<24} {'peak':>10}"
    )
    common = {
        "jobs": args.jobs,
        "epsilon": args.epsilon,
        "only": args.only,
        "quick": args.quick,
        "naive_sample": args.naive_sample,
    }
    try:
        from resilience.sources.load import load_network  # noqa: PLC0415

        G = load_network()
    except Exception as exc:  # noqa: BLE001 - any failure here means "not available"
        print(f"\n(a) embedded region skipped: {exc}")
    else:
        od = int(min(5, G.number_of_nodes() // 4))
        bench_graph("region", G, od, sample=50, **{**common, "jobs": 1})

    n = args.nodes or (10_000 if args.quick else 100_000)
    G = road_like(n, seed=1)
    bench_graph("synthetic", G, 5 if args.quick else 20, sample=args.sample, **common)
    if args.dask:
        bench_dask(road_like(10_000, seed=1), 5)
    if args.json:
        args.json.write_text(json.dumps(ROWS, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
