"""Single-link redundancy: the compiled loop vs the same loop on networkx Dijkstra.

``bench_rows`` is called by ``benchmarks/bench.py``; run alone for a quick look:
``python benchmarks/redundancy_bench.py [--quick]`` (embedded region, DCW rail layer when
the shared data is there, synthetic road-like graphs).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from typing import Any

import networkx as nx

from resilience.analysis.redundancy import redundancy, redundancy_naive

#: Links the networkx loop runs on a big graph; its full time is extrapolated from them.
SAMPLE = 2000
QUICK_SAMPLE = 200


def _warm() -> None:
    # The first kernel call in a process loads it (numba cache); keep that out of the
    # timing. This graph is big enough for redundancy() to use the kernel.
    from resilience.synthetic import road_like  # noqa: PLC0415

    redundancy(road_like(1_100))


def bench_rows(name: str, G: nx.MultiDiGraph[Any], *, quick: bool) -> list[dict[str, Any]]:
    """Time :func:`redundancy` and the networkx loop on one graph.

    Parameters
    ----------
    name
        Graph name for the rows.
    G
        The network.
    quick
        Sample fewer links for the networkx loop.

    Returns
    -------
    list of dict
        One row: ``operation``, ``graph``, ``nodes``, ``fast_s``, ``baseline_s``,
        ``baseline``, ``extrapolated_from`` (links the networkx time was measured on, or
        ``None`` when it ran on all), ``ratio`` and ``peak_mb`` (tracemalloc peak of the
        fast run: Python and numpy allocations, not numba's own).
    """
    _warm()
    start = time.perf_counter()
    table = redundancy(G)
    fast_s = time.perf_counter() - start
    tracemalloc.start()
    redundancy(G)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    links = len(table)
    sample = QUICK_SAMPLE if quick else SAMPLE
    sampled = sample < links
    start = time.perf_counter()
    redundancy_naive(G, sample=sample if sampled else None)
    baseline_s = time.perf_counter() - start
    if sampled:
        baseline_s *= links / sample
    return [
        {
            "operation": f"redundancy ({links} links)",
            "graph": name,
            "nodes": G.number_of_nodes(),
            "fast_s": fast_s,
            "baseline_s": baseline_s,
            "baseline": "networkx-same-algorithm",
            "extrapolated_from": sample if sampled else None,
            "ratio": baseline_s / fast_s if fast_s > 0 else float("inf"),
            "peak_mb": peak / 2**20,
        }
    ]


def main() -> None:
    """Print the rows for the region, the DCW rail layer and synthetic graphs."""
    from resilience import settings  # noqa: PLC0415
    from resilience.sources.bundled import load_region  # noqa: PLC0415
    from resilience.sources.lines import graph_from_lines  # noqa: PLC0415
    from resilience.synthetic import road_like  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    graphs: list[tuple[str, Any]] = [("region", lambda: load_region(settings.DEFAULT_REGION))]
    rail = settings.shared_data_dir() / "ukraine-railroads-dcw-jamyspencer" / "railroads.shp"
    if rail.is_file():
        graphs.append(("dcw-rail", lambda: graph_from_lines(rail, mode="rail")))
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    graphs.extend((f"synthetic-{n // 1000}k", lambda n=n: road_like(n)) for n in sizes)
    for name, build in graphs:
        for row in bench_rows(name, build(), quick=quick):
            print(
                f"{row['graph']:<14} {row['nodes']:>7} {row['operation']:<28} "
                f"{row['fast_s']:>8.3f}s {row['baseline_s']:>9.2f}s {row['ratio']:>7.1f}x "
                f"{row['peak_mb']:>7.1f}MB  sample={row['extrapolated_from']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
