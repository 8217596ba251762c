"""Betweenness centrality of places and links, weighted by travel time."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from resilience.network import edge_label, node_label, to_digraph

__all__ = ["edge_betweenness", "node_betweenness"]


def node_betweenness(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    samples: int | None = None,
    seed: int | None = 0,
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

    Returns
    -------
    pandas.DataFrame
        ``node``, ``name``, ``kind``, ``betweenness`` (normalised), sorted descending,
        ties by name.
    """
    D = to_digraph(G, weight)
    k = None if samples is None or samples >= D.number_of_nodes() else samples
    bc = nx.betweenness_centrality(D, k=k, weight=weight, normalized=True, seed=seed)
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

    Returns
    -------
    pandas.DataFrame
        ``u``, ``v``, ``key``, ``label``, ``mode``, ``betweenness`` (normalised), sorted.
    """
    D = to_digraph(G, weight)
    k = None if samples is None or samples >= D.number_of_nodes() else samples
    bc = nx.edge_betweenness_centrality(D, k=k, weight=weight, normalized=True, seed=seed)
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
