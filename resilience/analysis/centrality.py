"""Betweenness centrality of places and links, weighted by travel time.

Every estimate runs on the compiled engine (:func:`resilience.backend.betweenness`, over
the graph's cached conversion): exact values (networkit's Brandes), ``samples``
(networkx's seeded estimator replayed: the same sampled sources, the same rescaling, so
the same values as networkx) and ``epsilon`` (enough uniformly sampled sources that
every value is within ``epsilon`` of the exact one with probability ``1 - delta``; see
:mod:`resilience._brandes`). ``engine="networkx"`` is the reference.
"""

from __future__ import annotations

import random
from typing import Any, Literal

import networkx as nx
import pandas as pd

from resilience import backend
from resilience.errors import BadInputError
from resilience.network import node_label, to_digraph

Engine = Literal["fast", "networkx"]
Values = tuple[dict[Any, float], dict[tuple[Any, Any], float]]


def _check(samples: int | None, epsilon: float | None, delta: float, engine: str) -> None:
    if engine not in ("fast", "networkx"):
        msg = f"engine must be fast or networkx, not {engine!r}"
        raise BadInputError(msg)
    if epsilon is not None and not 0 < epsilon < 1:
        msg = f"epsilon must be between 0 and 1 (exclusive), not {epsilon}"
        raise BadInputError(msg)
    if not 0 < delta < 1:
        msg = f"delta must be between 0 and 1 (exclusive), not {delta}"
        raise BadInputError(msg)
    if samples is not None and samples < 1:
        msg = f"samples must be at least 1, not {samples}"
        raise BadInputError(msg)
    if epsilon is not None and engine == "networkx":
        msg = "the epsilon estimate runs on the fast engine only"
        raise BadInputError(msg)


def _values(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str,
    samples: int | None,
    seed: int | None,
    epsilon: float | None,
    delta: float,
    engine: Engine,
    edges: bool = True,
) -> Values:
    _check(samples, epsilon, delta, engine)
    n = G.number_of_nodes()
    exact = samples is None or samples >= n
    if engine == "fast":
        if epsilon is None and samples is not None and not exact:
            # networkx draws the sample this way; the engine then replays its estimator.
            picked = random.Random(seed).sample(list(G.nodes), samples)  # noqa: S311
            return backend.betweenness(G, weight=weight, sources=picked)
        return backend.betweenness(G, weight=weight, seed=seed or 0, epsilon=epsilon, delta=delta)
    D = to_digraph(G, weight)
    k = None if exact else samples
    nodes = dict(nx.betweenness_centrality(D, k=k, weight=weight, normalized=True, seed=seed))
    links: dict[tuple[Any, Any], float] = {}
    if edges:
        links = dict(
            nx.edge_betweenness_centrality(D, k=k, weight=weight, normalized=True, seed=seed)
        )
    return nodes, links


def sources_sampled(n: int, epsilon: float, delta: float = 0.1) -> int:
    """How many sources the ``epsilon`` estimate samples on a network of ``n`` places.

    Parameters
    ----------
    n
        Number of nodes.
    epsilon, delta
        Additive error bound and its failure probability.

    Returns
    -------
    int
        The sample size (``n`` means every source: exact values).

    Raises
    ------
    BadInputError
        If ``epsilon`` or ``delta`` is not strictly between 0 and 1.
    """
    _check(None, epsilon, delta, "fast")
    from resilience._brandes import sample_size  # noqa: PLC0415 - numba

    return sample_size(n, epsilon, delta)


__all__ = ["betweenness_tables", "edge_betweenness", "node_betweenness", "sources_sampled"]


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
        Number of source nodes to sample (exact when ``None``): networkx's seeded
        estimator (the same sources and values on either engine). Its standard error
        shrinks as ``1/sqrt(samples)``.
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
    bc, _ = _values(
        G,
        weight=weight,
        samples=samples,
        seed=seed,
        epsilon=epsilon,
        delta=delta,
        engine=engine,
        edges=False,
    )
    return _node_frame(G, bc)


def _node_frame(G: nx.MultiDiGraph[Any], bc: dict[Any, float]) -> pd.DataFrame:
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
    _, bc = _values(
        G,
        weight=weight,
        samples=samples,
        seed=seed,
        epsilon=epsilon,
        delta=delta,
        engine=engine,
    )
    return _edge_frame(G, bc, weight)


def betweenness_tables(
    G: nx.MultiDiGraph[Any],
    *,
    weight: str = "travel_time",
    samples: int | None = None,
    seed: int | None = 0,
    epsilon: float | None = None,
    delta: float = 0.1,
    engine: Engine = "fast",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`node_betweenness` and :func:`edge_betweenness` from one engine run.

    Parameters
    ----------
    G, weight, samples, seed, epsilon, delta, engine
        As for :func:`node_betweenness`.

    Returns
    -------
    nodes, edges
        The two tables, exactly as the two functions return them.
    """
    nodes, links = _values(
        G,
        weight=weight,
        samples=samples,
        seed=seed,
        epsilon=epsilon,
        delta=delta,
        engine=engine,
    )
    return _node_frame(G, nodes), _edge_frame(G, links, weight)


def _edge_frame(
    G: nx.MultiDiGraph[Any], bc: dict[tuple[Any, Any], float], weight: str
) -> pd.DataFrame:
    # One row per (u, v) in the engine's order, named after its cheapest parallel edge
    # (the first of equally cheap ones, as to_digraph picks it). The adjacency dicts are
    # read directly and each place's name is looked up once: through the graph views and
    # edge_label this loop took 7 s of 7.5 at 20,000 nodes.
    succ: dict[Any, dict[Any, dict[Any, dict[str, Any]]]] = getattr(G, "_succ")  # noqa: B009
    names: dict[Any, str] = {}

    def place(n: Any) -> str:
        if n not in names:
            names[n] = node_label(G, n)
        return names[n]

    rows: list[tuple[Any, ...]] = []
    for (u, v), val in bc.items():
        key, data, best = None, None, 0.0
        for k, d in succ[u][v].items():
            w = float(d[weight])
            if data is None or w < best:
                key, data, best = k, d, w
        if data is None:
            continue
        rows.append((u, v, key, _link_label(data, u, v, place), data.get("mode", ""), val))
    frame = pd.DataFrame(rows, columns=["u", "v", "key", "label", "mode", "betweenness"])
    return _rank(frame, "label")


def _link_label(data: dict[str, Any], u: Any, v: Any, place: Any) -> str:
    """:func:`resilience.network.edge_label` from the edge's data (tested equal)."""
    ref = data.get("ref") or ""
    ref = ";".join(map(str, ref)) if isinstance(ref, list) else str(ref)
    name = data.get("name") or ""
    name = ";".join(map(str, name)) if isinstance(name, list) else str(name)
    if not name:
        name = f"{place(u)}–{place(v)}"
    mode = data.get("mode", "")
    return " ".join(p for p in (ref, name, f"({mode})" if mode else "") if p)


def _rank(frame: pd.DataFrame, tie: str) -> pd.DataFrame:
    frame["betweenness"] = frame["betweenness"].round(12)
    frame = frame.sort_values(["betweenness", tie], ascending=[False, True], kind="stable")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)
