"""Synthetic road-like networks for tests and benchmarks (no data files needed)."""

from __future__ import annotations

import gc
from typing import Any

import networkx as nx
import numpy as np

__all__ = ["road_like"]

# Route numbers cycle through 97 values; one string object each, shared by the edges.
_REFS = tuple(f"R-{i:02d}" for i in range(97))


def road_like(
    n: int,
    *,
    seed: int = 0,
    drop: float = 0.15,
    oneway: float = 0.05,
    rail: float = 0.02,
    integer_times: bool = False,
) -> nx.MultiDiGraph[Any]:
    """A perturbed grid that looks like a road network, with a few rail links on top.

    Nodes sit on a jittered ``√n × √n`` grid (about 4 km apart); each grid link is kept
    with probability ``1 - drop``, in both directions except for a share ``oneway``;
    a share ``rail`` of kept links gets a parallel rail edge (key 1). Speeds vary per
    link, so travel times differ; ``integer_times`` rounds them to whole minutes, which
    makes equal-cost alternatives (ties) common.

    The same ``n`` and ``seed`` give the same graph: the same nodes, edges, insertion
    order and attribute values. A million nodes build in well under a minute.

    Parameters
    ----------
    n
        Approximate number of nodes (rounded to a square).
    seed
        Random seed.
    drop, oneway, rail
        Shares of grid links dropped, made one-way, doubled by rail.
    integer_times
        Round travel times to whole minutes.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes ``0..side²-1`` with ``x``, ``y`` (degrees), ``name`` on every tenth node;
        edges with ``length`` (m), ``travel_time`` (s), ``mode``, ``ref``.

    Examples
    --------
    >>> G = road_like(100, seed=1)
    >>> G.number_of_nodes(), sorted(G.edges[0, 1, 0])
    (100, ['length', 'mode', 'ref', 'travel_time'])
    """
    rng = np.random.default_rng(seed)
    side = max(2, round(n**0.5))
    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(name="synthetic", crs="EPSG:4326")
    xy = np.stack(
        np.meshgrid(np.arange(side, dtype=float), np.arange(side, dtype=float), indexing="ij"),
        axis=-1,
    ).reshape(-1, 2) + rng.uniform(-0.3, 0.3, size=(side * side, 2))
    # Grid links: along rows first, then along columns (the random draws follow this order).
    grid = np.arange(side * side, dtype=np.int64).reshape(side, side)
    ends_a = np.concatenate([grid[:, :-1].ravel(), grid[:-1, :].ravel()])
    ends_b = np.concatenate([grid[:, 1:].ravel(), grid[1:, :].ravel()])
    keep = rng.random(len(ends_a)) >= drop
    speeds = rng.choice([50.0, 70.0, 90.0], size=len(ends_a))  # km/h
    ways = rng.random(len(ends_a))
    rails = rng.random(len(ends_a)) < rail
    kept = np.flatnonzero(keep)
    a_k, b_k = ends_a[kept], ends_b[kept]
    d = xy[a_k] - xy[b_k]
    # Whole arrays, element for element the same float operations as one link at a time.
    length = np.hypot(d[:, 0], d[:, 1]) * 4000.0
    tt = length / (speeds[kept] / 3.6)
    # numpy scalars (travel_time, x, y) as the one-link-at-a-time version produced them.
    times: list[Any] = (
        np.maximum(60.0, np.round(tt / 60.0) * 60.0).tolist() if integer_times else list(tt)
    )
    # networkx's add_edge costs microseconds per call in checks and views; millions of
    # edges go straight into its adjacency dicts, laid out exactly as add_edge lays them
    # (one key dict shared by _succ[u][v] and _pred[v][u]; one data dict per edge).
    node: dict[Any, Any] = getattr(G, "_node")  # noqa: B009 - not in the stubs
    succ: dict[Any, Any] = getattr(G, "_succ")  # noqa: B009
    pred: dict[Any, Any] = getattr(G, "_pred")  # noqa: B009
    # Millions of new dicts would trigger many full collections; none of them is garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for i, (x, y) in enumerate(
            zip(list(37.0 + 0.05 * xy[:, 0]), list(48.0 + 0.035 * xy[:, 1]), strict=True)
        ):
            attrs = {"x": x, "y": y}
            if i % 10 == 0:
                attrs["name"] = f"Place {i}"
            node[i] = attrs
            succ[i] = {}
            pred[i] = {}
        for a, b, ln, t, idx, both, on_rail in zip(
            a_k.tolist(),
            b_k.tolist(),
            length.tolist(),
            times,
            kept.tolist(),
            (ways[kept] >= oneway).tolist(),
            rails[kept].tolist(),
            strict=True,
        ):
            ref = _REFS[idx % 97]
            keys = {0: {"length": ln, "travel_time": t, "mode": "road", "ref": ref}}
            succ[a][b] = pred[b][a] = keys
            if both:
                keys = {0: {"length": ln, "travel_time": t, "mode": "road", "ref": ref}}
                succ[b][a] = pred[a][b] = keys
            if on_rail:
                t_rail = t * 1.3
                succ[a][b][1] = {"length": ln, "travel_time": t_rail, "mode": "rail", "ref": "RL"}
                back = {"length": ln, "travel_time": t_rail, "mode": "rail", "ref": "RL"}
                if a in succ[b]:
                    succ[b][a][1] = back
                else:
                    succ[b][a] = pred[a][b] = {1: back}
    finally:
        if collecting:
            gc.enable()
    return G
