"""Synthetic road-like networks for tests and benchmarks (no data files needed)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

__all__ = ["road_like"]


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
        edges with ``length`` (m), ``travel_time`` (s), ``mode``, ``ref``, ``name``.
    """
    rng = np.random.default_rng(seed)
    side = max(2, round(n**0.5))
    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(name="synthetic", crs="EPSG:4326")
    xy = np.stack(
        np.meshgrid(np.arange(side, dtype=float), np.arange(side, dtype=float), indexing="ij"),
        axis=-1,
    ).reshape(-1, 2) + rng.uniform(-0.3, 0.3, size=(side * side, 2))
    for i, (gx, gy) in enumerate(xy):
        attrs: dict[str, object] = {"x": 37.0 + 0.05 * gx, "y": 48.0 + 0.035 * gy}
        if i % 10 == 0:
            attrs["name"] = f"Place {i}"
        G.add_node(i, **attrs)
    links = [(i * side + j, i * side + j + 1) for i in range(side) for j in range(side - 1)]
    links += [(i * side + j, (i + 1) * side + j) for i in range(side - 1) for j in range(side)]
    keep = rng.random(len(links)) >= drop
    speeds = rng.choice([50.0, 70.0, 90.0], size=len(links))  # km/h
    ways = rng.random(len(links))
    rails = rng.random(len(links)) < rail
    for idx in np.flatnonzero(keep):
        a, b = links[idx]
        length = float(np.hypot(*(xy[a] - xy[b]))) * 4000.0
        tt = length / (speeds[idx] / 3.6)
        if integer_times:
            tt = max(60.0, round(tt / 60.0) * 60.0)
        ref = f"R-{idx % 97:02d}"
        data = {"length": length, "travel_time": tt, "mode": "road", "ref": ref}
        G.add_edge(a, b, key=0, **data)
        if ways[idx] >= oneway:
            G.add_edge(b, a, key=0, **data)
        if rails[idx]:
            rdata = {"length": length, "travel_time": tt * 1.3, "mode": "rail", "ref": "RL"}
            G.add_edge(a, b, key=1, **rdata)
            G.add_edge(b, a, key=1, **rdata)
    return G
