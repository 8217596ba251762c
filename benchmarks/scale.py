"""Scale: build, convert, scan (edges, K×K OD) and write the table of road-like graphs.

Usage: python benchmarks/scale.py [--sizes 10000,100000,1000000] [--jobs 2] [--od 20]
       [--formats csv,parquet] [--json FILE] [--tracemalloc]

Each size runs in its own child process, so its memory is its own. "Loads" means the
graph is *built in-process* by ``resilience.synthetic.road_like(n, seed=1)`` (no file is
read); that build is timed as the ``build`` phase. Then, each timed on its own:

- ``convert``: ``backend.edge_arrays`` (the cached conversion the scan reuses);
- ``od``: K origins and K destinations drawn from the largest strongly connected piece,
  exactly as ``benchmarks/bench.py`` picks them (same nodes for the same graph);
- ``scan``: ``criticality.scan(G, origins, destinations, elements="edges", jobs=J)``
  (the engine build, the element filter, the repairs with ``jobs=J`` -- threads of the
  compiled kernel or worker processes, whichever the scan uses -- and the table);
- ``label``: ``criticality.labelled_scan_table`` (the columns the CLI writes);
- ``write``: ``resilience.io.write_table`` to a temporary folder (CSV and Parquet, as
  ``resilience scan`` writes them), deleted afterwards.

Memory, per size: ``peak_mb`` is the highest *sum* of the proportional set sizes (PSS:
a page shared by k processes counts 1/k in each, so the sum is the memory the size really
takes) of the child and its scan workers, sampled every 0.25 s from /proc, and never less
than the child's own ``ru_maxrss``; ``self_mb`` is the child's ``ru_maxrss`` and
``workers_mb`` the largest worker's sampled PSS (not ``RUSAGE_CHILDREN``: a spawned
worker is forked before it execs, so its ``ru_maxrss`` starts at the parent's resident
set). The child's RSS at the end of each phase is listed too (``--json`` keeps it all).
``--tracemalloc`` (slow; use it on 100k) prints the ten biggest Python allocation sites
alive after the build and after the scan. The growth exponent is the least-squares slope
of log(total seconds) on log(nodes). The machine's load average and free memory are
printed with the figures: on a shared machine, read them as of the moment they ran.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

HERE = Path(__file__).resolve()
PHASES = ("build", "convert", "od", "scan", "label", "write")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_MB = 2**20


def _rss_mb(pid: int | str = "self") -> float:
    try:
        with Path(f"/proc/{pid}/statm").open() as fh:
            return int(fh.read().split()[1]) * _PAGE / _MB
    except (OSError, IndexError, ValueError):
        return 0.0  # gone (a worker that just exited) or not Linux


def _pss_mb(pid: int | str = "self") -> float:
    """Proportional set size: pages shared between processes count once in a sum."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return _rss_mb(pid)  # an old kernel: resident set instead


def _descendants(root: int) -> list[int]:
    """Live descendants of ``root`` (scan worker processes, if the scan starts any)."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces or parentheses; fields follow the last ')'.
        parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out.extend(kids)
        todo.extend(kids)
    return out


class TreeSampler:
    """Highest summed PSS of this process and its descendants, sampled in a thread."""

    def __init__(self, every_s: float = 0.25) -> None:
        self.every_s = every_s
        self.peak_mb = 0.0
        self.worker_peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            workers = [_pss_mb(p) for p in _descendants(me)]
            self.peak_mb = max(self.peak_mb, _pss_mb() + sum(workers))
            self.worker_peak_mb = max(self.worker_peak_mb, *workers, 0.0)
            self._stop.wait(self.every_s)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pick_od(arrays: Any, k: int, seed: int) -> tuple[list[Any], list[Any]]:
    """``bench.pick_od``'s choice, with the strong components found by scipy, not networkx."""
    import numpy as np  # noqa: PLC0415
    from scipy.sparse.csgraph import connected_components  # noqa: PLC0415

    _, labels = connected_components(arrays.csr(), directed=True, connection="strong")
    big = np.flatnonzero(labels == np.bincount(labels).argmax())
    # Ties between equally big pieces are impossible to matter here: road_like has one
    # giant piece. The sort by str matches bench.py's sorted(big, key=str).
    nodes = sorted((arrays.nodes[i] for i in big.tolist()), key=str)
    rng = np.random.default_rng(seed)
    sel = rng.choice(len(nodes), 2 * k, replace=False)
    return [nodes[i] for i in sel[:k]], [nodes[i] for i in sel[k:]]


def _top_allocations(label: str, snapshot: Any, limit: int = 10) -> None:
    print(f"  tracemalloc, {label}:", file=sys.stderr)
    for stat in snapshot.statistics("lineno")[:limit]:
        frame = stat.traceback[0]
        print(
            f"    {stat.size / _MB:8.1f} MB {stat.count:>10} blocks  "
            f"{frame.filename}:{frame.lineno}",
            file=sys.stderr,
        )


def run_one(n: int, *, jobs: int, od: int, formats: list[str], trace: bool) -> dict[str, Any]:
    """Every phase for one size, in this process; the row that the parent prints."""
    import tracemalloc  # noqa: PLC0415

    from resilience.analysis import criticality  # noqa: PLC0415
    from resilience.backend import edge_arrays  # noqa: PLC0415
    from resilience.io import write_table  # noqa: PLC0415
    from resilience.synthetic import road_like  # noqa: PLC0415

    seconds: dict[str, float] = {}
    rss_end: dict[str, float] = {}
    state: dict[str, Any] = {}

    @contextlib.contextmanager
    def phase(name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        seconds[name] = time.perf_counter() - t0
        rss_end[name] = _rss_mb()

    if trace:
        tracemalloc.start()
    rss_end["imports"] = _rss_mb()
    with TreeSampler() as sampler:
        with phase("build"):
            G = road_like(n, seed=1)
        if trace:
            _top_allocations("after build", tracemalloc.take_snapshot())
        with phase("convert"):
            arrays = edge_arrays(G)
        with phase("od"):
            origins, dests = pick_od(arrays, od, 0)
        state["nodes"], state["edges"] = G.number_of_nodes(), G.number_of_edges()
        del arrays  # the cache keeps it for the scan; no second reference
        gc.collect()
        with phase("scan"):
            table = criticality.scan(G, origins, dests, elements="edges", jobs=jobs)
        if trace:
            _, top = tracemalloc.get_traced_memory()
            print(f"  tracemalloc peak through the scan: {top / _MB:.0f} MB", file=sys.stderr)
            _top_allocations("after scan", tracemalloc.take_snapshot())
        with phase("label"):
            labelled = criticality.labelled_scan_table(table)
        del table
        with tempfile.TemporaryDirectory(prefix="scale-") as tmp, phase("write"):
            paths = write_table(labelled, Path(tmp), "scan", formats)  # type: ignore[arg-type]
            state["bytes"] = sum(p.stat().st_size for p in paths)
    workers = sampler.worker_peak_mb
    own = _self_peak_mb()
    return {
        "nodes": state["nodes"],
        "edges": state["edges"],
        "links": len(labelled),
        "od": f"{od}x{od}",
        "jobs": jobs,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "total_s": round(sum(seconds.values()), 2),
        "peak_mb": round(max(sampler.peak_mb, own), 0),
        "self_mb": round(own, 0),
        "workers_mb": round(workers, 0),
        "rss_end_mb": {k: round(v, 0) for k, v in rss_end.items()},
        "table_bytes": state["bytes"],
        "formats": formats,
    }


def machine() -> dict[str, Any]:
    """Load average and memory now (the machine may be shared)."""
    info: dict[str, Any] = {"load": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}
    with contextlib.suppress(OSError):
        mem = {
            line.split(":")[0]: int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
        }
        info["mem_total_gb"] = round(mem["MemTotal"] / 2**20, 1)
        info["mem_available_gb"] = round(mem["MemAvailable"] / 2**20, 1)
    return info


def code_state() -> dict[str, Any]:
    """The commit measured and any uncommitted change under resilience/ (a shared tree)."""
    root = HERE.parent.parent
    try:
        head = subprocess.run(  # noqa: S603
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603
            ["git", "-C", str(root), "status", "--porcelain", "--", "resilience"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {"commit": head, "modified": sorted(line[3:] for line in dirty if line.strip())}


def run_child(n: int, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(HERE),
        "--child",
        str(n),
        "--jobs",
        str(args.jobs),
        "--od",
        str(args.od),
        "--formats",
        args.formats,
    ]
    if args.tracemalloc:
        cmd.append("--tracemalloc")
    before = machine()
    code = code_state()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - t0
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        msg = f"size {n}: child exited with {done.returncode}"
        raise SystemExit(msg)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    row["wall_s"] = round(wall, 2)  # including interpreter start and imports
    row["machine_before"], row["machine_after"] = before, machine()
    row["code"] = code
    return row


def exponent(rows: list[dict[str, Any]]) -> float | None:
    """Least-squares slope of log(total seconds) on log(nodes); None below two sizes."""
    pts = [(math.log(r["nodes"]), math.log(r["total_s"])) for r in rows if r["total_s"] > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in pts) / sxx


def print_row(row: dict[str, Any], out: Callable[[str], None]) -> None:
    s = row["seconds"]
    cells = " ".join(f"{s.get(p, 0.0):>8.1f}" for p in PHASES)
    m = row["machine_before"]
    out(
        f"{row['nodes']:>9} {row['edges']:>9} {cells} {row['total_s']:>8.1f} "
        f"{row['peak_mb']:>8.0f} {row['self_mb']:>8.0f} {row['workers_mb']:>8.0f}   "
        f"{m['load'][0]:.1f}/{m.get('mem_available_gb', 0):.0f}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="comma-separated node counts (rounded to a square grid by road_like)",
    )
    p.add_argument("--jobs", type=int, default=2, help="scan threads (default 2)")
    p.add_argument("--od", type=int, default=20, help="origins = destinations = OD (20: 20×20)")
    p.add_argument("--formats", default="csv,parquet", help="table files written: csv,parquet")
    p.add_argument("--json", type=Path, help="write every row (phases, memory, load) here")
    p.add_argument("--tracemalloc", action="store_true", help="top allocation sites (slow)")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    if args.child is not None:
        row = run_one(
            args.child, jobs=args.jobs, od=args.od, formats=formats, trace=args.tracemalloc
        )
        print(json.dumps(row))
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    print(
        f"road_like(n, seed=1) built in-process; edge scan {args.od}x{args.od} OD, "
        f"jobs={args.jobs}; table written as {'+'.join(formats)}; one child process per size; "
        f"commit {code_state().get('commit', '?')}"
    )
    head = " ".join(f"{p + '_s':>8}" for p in PHASES)
    print(
        f"{'nodes':>9} {'edges':>9} {head} {'total_s':>8} {'peak_MB':>8} {'self_MB':>8} "
        f"{'wrkr_MB':>8}   load/free_GB"
    )
    rows = []
    for n in sizes:
        row = run_child(n, args)
        rows.append(row)
        print_row(row, print)
        if row["code"].get("modified"):
            print(f"          (uncommitted at start: {', '.join(row['code']['modified'])})")
        sys.stdout.flush()
    slope = exponent(rows)
    if slope is not None:
        print(f"growth exponent (log total_s on log nodes, least squares): {slope:.2f}")
    print(
        "peak_MB: highest summed PSS of the child and its workers (sampled every 0.25 s), "
        "self_MB: the child's ru_maxrss, wrkr_MB: the largest worker's (sampled)"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "exponent": slope, "argv": sys.argv[1:]}, indent=1) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
