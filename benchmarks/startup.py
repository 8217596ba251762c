"""Start-up time of a whole CLI run, measured the way hyperfine measures it.

Runs ``resilience cut --node pokrovsk`` (embedded region, default analysis date) as a
fresh interpreter ``--runs`` times after ``--warmup`` discarded runs and prints the wall
time's mean ± standard deviation, min and max, plus the heavy modules the run imported.
The target (issue 15) is a mean under 1 s on the 2-core machine, interpreter start
included.

Usage: ``python benchmarks/startup.py [--runs N] [--warmup N] [-- CLI ARGS...]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Imports the embedded-region cut must not pay for (tests/cli/test_startup.py asserts it).
HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "numba",
    "networkit",
    "matplotlib",
    "pyarrow",
)

_PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['resilience'] + sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_module('resilience.cli', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n"
)


def heavy_imports(args: list[str]) -> list[str]:
    """The heavy top-level packages one CLI run imports.

    Parameters
    ----------
    args
        The CLI arguments, e.g. ``["cut", "--node", "pokrovsk"]``.

    Returns
    -------
    list of str
        The names from :data:`HEAVY` found in ``sys.modules`` after the run.
    """
    proc = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(proc.stderr.split())
    return [name for name in HEAVY if name in loaded]


def child_env(pycache: Path | None) -> dict[str, str]:
    """The environment of the measured runs.

    Parameters
    ----------
    pycache
        A folder for Python's bytecode cache (``PYTHONPYCACHEPREFIX``; the warm-up run
        fills it, as the first run after an install does), or ``None`` to compile every
        module from source on every run (``PYTHONDONTWRITEBYTECODE=1``).

    Returns
    -------
    dict
        The variables.
    """
    env = dict(os.environ)
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def measure(
    args: list[str], runs: int, warmup: int, env: dict[str, str] | None = None
) -> tuple[list[float], float, float]:
    """Wall seconds of ``runs`` fresh ``python -m resilience.cli ARGS`` processes.

    Parameters
    ----------
    args
        The CLI arguments.
    runs
        Timed runs.
    warmup
        Untimed runs first (file cache, bytecode).

    Returns
    -------
    tuple
        One wall time per timed run (seconds), and the mean user and system CPU seconds
        per run (as hyperfine reports them; on a busy machine the CPU time is what the
        run itself costs, the wall time adds the waiting for a core).
    """
    cmd = [sys.executable, "-m", "resilience.cli", *args]
    times = []
    user = system = 0.0
    for i in range(warmup + runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(  # noqa: S603 - our interpreter and arguments
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env
        )
        if i >= warmup:
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            user += after.ru_utime - before.ru_utime
            system += after.ru_stime - before.ru_stime
    return times, user / runs, system / runs


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures.

    Parameters
    ----------
    argv
        Command-line arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs (default 10)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile every module from source on every run (PYTHONDONTWRITEBYTECODE=1); "
        "by default a temporary bytecode cache is used, filled by the warm-up run",
    )
    parser.add_argument("cli", nargs="*", help="CLI arguments (default: cut --node pokrovsk)")
    ns = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        args = ns.cli or ["cut", "--node", "pokrovsk"]
        if "--out" not in args:
            args = [*args, "--out", str(Path(tmp) / "reports")]
        runs = max(ns.runs, 2)
        cache = None if ns.no_bytecode_cache else Path(tmp) / "pycache"
        warmup = max(ns.warmup, 0 if cache is None else 1)
        times, user, system = measure(args, runs, warmup, child_env(cache))
        heavy = heavy_imports(args)
    mean = statistics.fmean(times)
    sd = statistics.stdev(times)
    shown = " ".join(a for a in args if not a.startswith(tmp))
    print(f"resilience {shown}".replace(" --out", ""))
    print(
        "  Bytecode:          "
        + ("compiled from source every run" if ns.no_bytecode_cache else "cached (warm-up)")
    )
    print(
        f"  Time (mean ± σ):   {mean:.3f} s ± {sd:.3f} s    ({len(times)} runs, {warmup} warm-up)"
    )
    print(f"  CPU (mean):        User: {user:.3f} s, System: {system:.3f} s")
    print(f"  Range (min … max): {min(times):.3f} s … {max(times):.3f} s")
    print(f"  Heavy imports:     {', '.join(heavy) or 'none'}")
    print(f"  Load average:      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
