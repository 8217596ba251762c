"""Targeted versus random removal of places, and how fast supply falls apart.

Albert, Jeong & Barabási (2000) remove nodes at random or by degree and follow the
largest component and efficiency; Holme, Kim, Yoon & Han (2002) add betweenness as the
target and recompute the ranking after each removal. Here the curves are measured on
the supply network and its origin→destination (OD) set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import csgraph

from resilience.analysis.impact import od_pairs
from resilience.backend import EdgeArrays, FloatArray, betweenness, edge_arrays, shortest_times
from resilience.errors import BadInputError

__all__ = ["attack"]

Strategy = Literal["betweenness", "degree", "random"]
COLUMNS = [
    "strategy",
    "step",
    "removed",
    "fraction_removed",
    "largest_component",
    "od_efficiency",
    "od_connectivity",
    "removed_at_step",
]


def _place_name(G: nx.MultiDiGraph[Any], node: Any) -> str:
    """The name, with the kind for a rail node (a town and its station share a name)."""
    data = G.nodes[node]
    name = str(data.get("name") or node)
    kind = data.get("kind")
    return f"{name} ({kind})" if kind in ("station", "junction") else name


def _state(
    arrays: EdgeArrays,
    alive: npt.NDArray[np.bool_],
    origins: npt.NDArray[np.int64],
    dests: npt.NDArray[np.int64],
) -> tuple[float, FloatArray]:
    keep = alive[arrays.u] & alive[arrays.v]
    matrix = arrays.csr(keep)
    _, labels = csgraph.connected_components(matrix, directed=True, connection="weak")
    sizes = np.bincount(labels[alive], minlength=1)
    largest = float(sizes.max()) / arrays.n if alive.any() else 0.0
    dist, _ = shortest_times(matrix, origins)
    od = dist[:, dests]
    od[~alive[origins], :] = np.inf
    od[:, ~alive[dests]] = np.inf
    return largest, od


def _ranking(
    G: nx.MultiDiGraph[Any],
    arrays: EdgeArrays,
    alive: npt.NDArray[np.bool_],
    strategy: str,
    weight: str,
    samples: int | None,
    seed: int,
) -> list[int]:
    """Alive node indices, most important first; ties by node order."""
    idx = np.flatnonzero(alive)
    if strategy == "degree":
        keep = alive[arrays.u] & alive[arrays.v]
        deg = np.bincount(arrays.u[keep], minlength=arrays.n) + np.bincount(
            arrays.v[keep], minlength=arrays.n
        )
        score = deg[idx].astype(float)
    else:
        H = G.subgraph([arrays.nodes[i] for i in idx])
        values, _ = betweenness(H, weight=weight, samples=samples, seed=seed)
        score = np.array([values[arrays.nodes[i]] for i in idx])
    order = np.lexsort((idx, -np.round(score, 12)))
    return [int(i) for i in idx[order]]


def attack(
    G: nx.MultiDiGraph[Any],
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    strategy: Strategy = "betweenness",
    steps: int = 10,
    fraction: float = 0.2,
    recompute: bool = False,
    runs: int = 10,
    seed: int = 0,
    samples: int | None = None,
    weight: str = "travel_time",
) -> pd.DataFrame:
    """Remove places step by step and follow what is left of the network and of supply.

    After step ``s`` of ``K``, ``floor(fraction · N · s / K)`` places are gone (so the
    last step ends at ``fraction``, never beyond it): the highest ranked (``betweenness``
    or ``degree``; ranked once on the intact network, or again after every step with
    ``recompute``) or random ones (averaged over ``runs`` random orders
    drawn from ``seed``).

    Parameters
    ----------
    G
        The network (not changed).
    origins, destinations
        Node ids of the OD set.
    strategy
        ``"betweenness"`` (weighted by ``weight``), ``"degree"`` or ``"random"``.
    steps
        Number of removal steps.
    fraction
        Share of all places removed after the last step.
    recompute
        Re-rank the remaining places after each step (Holme et al. 2002).
    runs
        Random orders averaged (``random`` only).
    seed
        Seed of the random orders and of betweenness sampling.
    samples
        Sample this many sources for betweenness (exact when ``None``).
    weight
        Edge attribute minimised.

    Returns
    -------
    pandas.DataFrame
        One row per step (step 0 is the intact network): ``strategy``, ``step``,
        ``removed`` (places), ``fraction_removed``, ``largest_component`` (share of all
        places in the largest weakly connected piece), ``od_efficiency`` (``Σ 1/d`` over
        OD pairs relative to the intact network), ``od_connectivity`` (share of OD pairs
        still connected), ``removed_at_step`` (the places removed at that step, by name,
        ``; ``-separated; for ``random`` those of the first of the ``runs`` orders).

    Raises
    ------
    BadInputError
        On an unknown strategy, a bad step count or fraction, or a bad OD set.

    Examples
    --------
    >>> from resilience.synthetic import road_like
    >>> curve = attack(road_like(36), [0], [35], strategy="degree", steps=3)
    >>> curve["fraction_removed"].tolist()
    [0.0, 0.055556, 0.111111, 0.194444]
    """
    if strategy not in ("betweenness", "degree", "random"):
        msg = f"strategy must be betweenness, degree or random, not {strategy!r}"
        raise BadInputError(msg)
    if steps < 1 or runs < 1:
        msg = "steps and runs must be at least 1"
        raise BadInputError(msg)
    if not 0 < fraction <= 1:
        msg = f"fraction must be in (0, 1], not {fraction}"
        raise BadInputError(msg)
    od_pairs(origins, destinations)
    missing = [n for n in (*origins, *destinations) if n not in G]
    if missing:
        msg = f"{', '.join(map(str, missing))} is not in the network"
        raise BadInputError(msg)
    arrays = edge_arrays(G, weight)
    o_idx = np.array([arrays.index[o] for o in dict.fromkeys(origins)], dtype=np.int64)
    d_idx = np.array([arrays.index[d] for d in dict.fromkeys(destinations)], dtype=np.int64)
    rng = np.random.default_rng(seed)
    n_runs = runs if strategy == "random" else 1
    curves = np.zeros((n_runs, steps + 1, 3))
    removed_counts = np.zeros(steps + 1, dtype=np.int64)
    # Which places each step takes: named from the first run (the only one unless random).
    taken: list[str] = [""] * (steps + 1)
    for r in range(n_runs):
        alive = np.ones(arrays.n, dtype=bool)
        order: list[int] = (
            [int(i) for i in rng.permutation(arrays.n)]
            if strategy == "random"
            else _ranking(G, arrays, alive, strategy, weight, samples, seed)
        )
        largest, od0 = _state(arrays, alive, o_idx, d_idx)
        connected0 = np.isfinite(od0)
        e0 = float(np.sum(1.0 / od0[connected0])) if connected0.any() else 0.0
        n0 = int(connected0.sum())
        curves[r, 0] = (largest, 1.0, 1.0)
        for step in range(1, steps + 1):
            if recompute and strategy != "random" and step > 1:
                order = _ranking(G, arrays, alive, strategy, weight, samples, seed)
            # Cumulative, so the last step ends at the fraction asked (not overshoots it).
            goal = math.floor(fraction * arrays.n * step / steps + 1e-9)
            take = [i for i in order if alive[i]][: max(0, goal - int((~alive).sum()))]
            alive[take] = False
            if r == 0:
                taken[step] = "; ".join(_place_name(G, arrays.nodes[i]) for i in take)
            largest, od = _state(arrays, alive, o_idx, d_idx)
            ok = np.isfinite(od) & connected0
            eff = float(np.sum(1.0 / od[ok])) / e0 if e0 > 0 else 0.0
            conn = int(ok.sum()) / n0 if n0 else 0.0
            curves[r, step] = (largest, eff, conn)
            removed_counts[step] = int((~alive).sum())
    mean = curves.mean(axis=0)
    return pd.DataFrame(
        {
            "strategy": strategy + (" (recomputed)" if recompute and strategy != "random" else ""),
            "step": np.arange(steps + 1),
            "removed": removed_counts,
            "fraction_removed": np.round(removed_counts / arrays.n, 6),
            "largest_component": np.round(mean[:, 0], 6),
            "od_efficiency": np.round(mean[:, 1], 6),
            "od_connectivity": np.round(mean[:, 2], 6),
            "removed_at_step": taken,
        },
        columns=COLUMNS,
    )
