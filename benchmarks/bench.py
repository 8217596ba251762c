"""Fast engine vs plain networkx, same process, same answers.

Usage: python benchmarks/bench.py [--quick] [--jobs N] [--samples K]

Per graph and operation: seconds and peak traced memory (tracemalloc: Python and numpy
allocations, not networkit's C++ heap) on each engine, and the ratio. The networkx
figure of the full scan is extrapolated from a sample of elements (said in the output).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np

from resilience import backend, settings
from resilience.analysis import criticality
from resilience.network import to_digraph
from resilience.synthetic import road_like

RAIL = settings.shared_data_dir() / "ukraine-railroads-dcw-jamyspencer/railroads.shp"
ROWS: list[tuple[str, str, float, float, float, float, str]] = []


def measure(func: Callable[[], Any]) -> tuple[float, float, Any]:
    tracemalloc.start()
    t = time.perf_counter()
    out = func()
    secs = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return secs, peak / 2**20, out


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    # No tracemalloc: it slows numpy-heavy loops and would distort the headline number.
    t = time.perf_counter()
    out = func()
    return time.perf_counter() - t, out


def row(
    graph: str, op: str, fast: tuple[float, float], slow: tuple[float, float], note: str
) -> None:
    ROWS.append((graph, op, fast[0], fast[1], slow[0], slow[1], note))
    ratio = slow[0] / fast[0] if fast[0] > 0 else float("inf")
    print(
        f"{graph:<10} {op:<26} {fast[0]:>9.3f}s {fast[1]:>8.1f}MB "
        f"{slow[0]:>10.3f}s {slow[1]:>8.1f}MB {ratio:>8.1f}x  {note}",
        flush=True,
    )


def pick_od(G: nx.MultiDiGraph, k: int, seed: int) -> tuple[list[Any], list[Any]]:
    # Largest strongly connected piece, so pairs are reachable and the scan is not trivial.
    big = max(nx.strongly_connected_components(G), key=len)
    nodes = sorted(big, key=str)
    rng = np.random.default_rng(seed)
    sel = rng.choice(len(nodes), 2 * k, replace=False)
    return [nodes[i] for i in sel[:k]], [nodes[i] for i in sel[k:]]


def bench_graph(
    name: str, G: nx.MultiDiGraph, k: int, *, jobs: int, samples: int, scan_sample: int
) -> None:
    print(
        f"\n== {name}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, {k}x{k} OD pairs",
        flush=True,
    )
    origins, dests = pick_od(G, k, 0)
    s, t = origins[0], dests[0]
    csr = backend.to_csr(G)

    fast = measure(lambda: backend.shortest_times(csr, [csr.index[s]]))
    slow = measure(lambda: nx.single_source_dijkstra_path_length(G, s, weight="travel_time"))
    row(name, "dijkstra 1 source", fast[:2], slow[:2], "after one conversion")

    n = G.number_of_nodes()
    b = min(samples, n)
    fast = measure(lambda: backend.betweenness(G, samples=b, seed=0))
    D = to_digraph(G)
    slow = measure(
        lambda: nx.betweenness_centrality(D, k=b, weight="travel_time", seed=0, normalized=True)
    )
    row(name, f"betweenness {b} samples", fast[:2], slow[:2], "nodes; different estimators")

    fast = measure(lambda: backend.min_edge_cut(G, s, t))
    slow = measure(lambda: nx.minimum_cut(D, s, t, capacity="capacity"))
    assert len(fast[2]) == slow[2][0], "edge cut sizes differ"
    row(name, "min s-t edge cut", fast[:2], slow[:2], f"size {len(fast[2])}, equal")

    fast = measure(lambda: backend.min_vertex_cut(G, s, t))
    simple = nx.DiGraph(G)
    slow = measure(lambda: nx.minimum_node_cut(simple, s, t))
    if fast[2] is not None:
        assert len(fast[2]) == len(slow[2]), "vertex cut sizes differ"
    note = "adjacent: no node cut" if fast[2] is None else f"size {len(slow[2])}, equal"
    row(name, "min s-t node cut", fast[:2], slow[:2], note)

    secs, table = timed(lambda: criticality.scan(G, origins, dests, elements="edges", jobs=jobs))
    total = len(table)
    sample = min(scan_sample, total)
    rng = np.random.default_rng(1)
    positions = sorted(rng.choice(total, sample, replace=False).tolist())
    slow_secs, ref = timed(
        lambda: criticality.scan_naive(G, origins, dests, elements="edges", only=positions)
    )
    check = table.set_index(["u", "v", "key"]).loc[
        list(zip(ref["u"], ref["v"], ref["key"], strict=True))
    ]
    assert np.allclose(check["importance"], ref["importance"], rtol=1e-9, atol=1e-9)
    extrapolated = slow_secs / sample * total
    note = (
        f"{total} links, jobs={jobs}; networkx extrapolated from {sample} random links "
        f"({slow_secs:.1f}s), results equal"
        if sample < total
        else f"{total} links, jobs={jobs}; networkx ran all, results equal"
    )
    row(name, "full exact edge scan", (secs, float("nan")), (extrapolated, float("nan")), note)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small graphs only (a minute)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--samples", type=int, default=10, help="betweenness sources")
    args = parser.parse_args()
    import networkit  # noqa: F401, PLC0415 - import once so no timing pays for it

    print("engine: scipy csgraph / networkit vs networkx " + nx.__version__)
    print(
        f"{'graph':<10} {'operation':<26} {'fast':>10} {'peak':>10} {'networkx':>11} "
        f"{'peak':>10} {'ratio':>9}"
    )

    try:
        from resilience.sources.load import load_network  # noqa: PLC0415

        G = load_network()
    except Exception as exc:  # noqa: BLE001 - any failure here means "not available"
        print(f"\n(a) embedded region skipped: {exc}")
    else:
        od = int(min(5, G.number_of_nodes() // 4))
        bench_graph("region", G, od, jobs=1, samples=args.samples, scan_sample=50)

    if args.quick:
        print("\n(b) rail network skipped: --quick")
    elif not RAIL.exists():
        print(f"\n(b) rail network skipped: {RAIL} not found")
    else:
        try:
            from resilience.sources.lines import graph_from_lines  # noqa: PLC0415
        except ImportError as exc:
            print(f"\n(b) rail network skipped: resilience.sources.lines unavailable ({exc})")
        else:
            R = graph_from_lines(RAIL, mode="rail")
            R = R.subgraph(max(nx.weakly_connected_components(R), key=len)).copy()
            bench_graph("rail", R, 10, jobs=args.jobs, samples=args.samples, scan_sample=30)

    n = 10_000 if args.quick else 100_000
    G = road_like(n, seed=1)
    bench_graph(
        "synthetic",
        G,
        5 if args.quick else 20,
        jobs=args.jobs,
        samples=args.samples,
        scan_sample=20 if args.quick else 8,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
