"""Betweenness centrality of places and links, weighted by travel time.

Exact values and the ``epsilon`` estimate run on the compiled engine
(:func:`resilience.backend.betweenness`, over the graph's cached conversion); ``samples``
keeps networkx's seeded estimator, so sampled tables stay as they were;
``engine="networkx"`` is the reference for the exact values.
"""

from __future__ import annotations

from typing import Any, Literal

import networkx as nx
import pandas as pd

from resilience import backend
from resilience.errors import BadInputError
from resilience.network import edge_label, node_label, to_digraph

Engine = Literal["fast", "networkx"]


def _values(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str,
    samples: int | None,
    seed: int | None,
    epsilon: float | None,
    delta: float,
    engine: Engine,
    edges: bool,
) -> dict[Any, float]:
    if engine not in ("fast", "networkx"):
        msg = f"engine must be fast or networkx, not {engine!r}"
        raise BadInputError(msg)
    if epsilon is not None and not 0 < epsilon < 1:
        msg = f"epsilon must be between 0 and 1, not {epsilon}"
        raise BadInputError(msg)
    if not 0 < delta < 1:
        msg = f"delta must be between 0 and 1, not {delta}"
        raise BadInputError(msg)
    n = G.number_of_nodes()
    exact = samples is None or samples >= n
    if epsilon is not None or (exact and engine == "fast"):
        nodes, links = backend.betweenness(
            G, weight=weight, seed=seed or 0, epsilon=epsilon, delta=delta
        )
        return dict(links) if edges else nodes
    D = to_digraph(G, weight)
    k = None if exact else samples
    if edges:
        return dict(
            nx.edge_betweenness_centrality(D, k=k, weight=weight, normalized=True, seed=seed)
        )
    return dict(nx.betweenness_centrality(D, k=k, weight=weight, normalized=True, seed=seed))


__all__ = ["edge_betweenness", "node_betweenness"]


def node_betweenness(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    samples: int | None = None,
    seed: int | None = 0,
    epsilon: float | None = None,
    delta: float = 0.1,
    engine: Engine = "fast",
) -> pd.DataFrame:
    """Share of shortest paths through each node (Brandes; sampled when ``samples``).

    Parameters
    ----------
    G
        The network.
    weight
        Edge attribute minimised.
    samples
        Number of source nodes to sample (exact when ``None``). The estimate is
        unbiased; its standard error shrinks as ``1/sqrt(samples)``.
    seed
        Seed for the sample.
    epsilon, delta
        Estimate on the compiled engine from enough uniformly sampled sources that
        every value is within ``epsilon`` of the exact one with probability at least
        ``1 - delta`` (Hoeffding; see :mod:`resilience._brandes`). Overrides ``samples``.
    engine
        ``"fast"`` (compiled; exact values equal networkx's) or ``"networkx"``.

    Returns
    -------
    pandas.DataFrame
        ``node``, ``name``, ``kind``, ``betweenness`` (normalised), sorted descending,
        ties by name.
    """
    bc = _values(
        G,
        weight=weight,
        samples=samples,
        seed=seed,
        epsilon=epsilon,
        delta=delta,
        engine=engine,
        edges=False,
    )
    rows = [
        {"node": n, "name": node_label(G, n), "kind": G.nodes[n].get("kind", ""), "betweenness": v}
        for n, v in bc.items()
    ]
    frame = pd.DataFrame(rows, columns=["node", "name", "kind", "betweenness"])
    return _rank(frame, "name")


def edge_betweenness(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    samples: int | None = None,
    seed: int | None = 0,
    epsilon: float | None = None,
    delta: float = 0.1,
    engine: Engine = "fast",
) -> pd.DataFrame:
    """Share of shortest paths along each link (the cheapest of parallel edges).

    Parameters
    ----------
    G
        The network.
    weight
        Edge attribute minimised.
    samples
        Number of source nodes to sample (exact when ``None``).
    seed
        Seed for the sample.
    epsilon, delta
        Estimate on the compiled engine from enough uniformly sampled sources that
        every value is within ``epsilon`` of the exact one with probability at least
        ``1 - delta`` (Hoeffding; see :mod:`resilience._brandes`). Overrides ``samples``.
    engine
        ``"fast"`` (compiled; exact values equal networkx's) or ``"networkx"``.

    Returns
    -------
    pandas.DataFrame
        ``u``, ``v``, ``key``, ``label``, ``mode``, ``betweenness`` (normalised), sorted.
    """
    bc = _values(
        G,
        weight=weight,
        samples=samples,
        seed=seed,
        epsilon=epsilon,
        delta=delta,
        engine=engine,
        edges=True,
    )
    D = to_digraph(G, weight)
    rows: list[dict[str, Any]] = []
    for (u, v), val in bc.items():
        key = D[u][v]["key"]
        rows.append(
            {
                "u": u,
                "v": v,
                "key": key,
                "label": edge_label(G, u, v, key),
                "mode": G.edges[u, v, key].get("mode", ""),
                "betweenness": val,
            }
        )
    frame = pd.DataFrame(rows, columns=["u", "v", "key", "label", "mode", "betweenness"])
    return _rank(frame, "label")


def _rank(frame: pd.DataFrame, tie: str) -> pd.DataFrame:
    frame["betweenness"] = frame["betweenness"].round(12)
    frame = frame.sort_values(["betweenness", tie], ascending=[False, True], kind="stable")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)
