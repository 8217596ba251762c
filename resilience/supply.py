"""Supply at the origins, demand at the destinations, and user capacity files.

These name places (a town's demand weight, a link given by its end places), so they sit
above :mod:`resilience.targets`; the capacity defaults themselves are in
:mod:`resilience.capacity`, which the graph loaders use.

Supply and demand
-----------------
Origins are not bounded by default (rear depots are assumed to ship whatever the network
carries; the question is the network). Demand at the destinations is a total shared in
proportion to a weight per town: the region's ``[demand]`` table (``total_t_per_day``,
``weight``), else ``DEFAULT_DEMAND_TOTAL_T_PER_DAY`` shared by ``DEFAULT_DEMAND_WEIGHT``
for a town the table does not name.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from resilience.capacity import (
    CAPACITY,
    CapacityOverrides,
    edge_class,
    edge_refs,
    parse_t_per_day,
)
from resilience.errors import BadInputError
from resilience.sources.bundled import load_region
from resilience.targets import endpoint, normalize_ref, place_label

__all__ = [
    "DEFAULT_DEMAND_TOTAL_T_PER_DAY",
    "DEFAULT_DEMAND_WEIGHT",
    "demand_t_per_day",
    "read_capacities",
    "supply_t_per_day",
]

#: Total demand of the destinations when the region gives none (t/day): an illustrative
#: planning figure — a few divisions' worth of ammunition, fuel, food and stores in
#: high-intensity combat plus the towns' civilian needs. Override it.
DEFAULT_DEMAND_TOTAL_T_PER_DAY = 20000.0
#: Demand weight of a destination the region's table does not name (the table's unit
#: is thousands of inhabitants before the war, so 10 is a town of 10,000).
DEFAULT_DEMAND_WEIGHT = 10.0


def read_capacities(path: Path, G: nx.MultiDiGraph[Any]) -> CapacityOverrides:
    """Read a user capacity file.

    A CSV with a ``capacity_t_per_day`` column and, on each row, one of: ``u`` and ``v``
    (place names, aliases or node ids; optional ``key`` for one parallel link), ``ref``
    (a road or rail ref), or ``class`` (a road class, rail usage or ``transfer``).

    Parameters
    ----------
    path
        The file.
    G
        The network the names are resolved in.

    Returns
    -------
    CapacityOverrides
        The overrides.

    Raises
    ------
    BadInputError
        If the file is missing, is not UTF-8 CSV, lacks the columns, or a row is bad.
    UnknownTargetError
        If a place name is unknown.
    """
    if not path.is_file():
        msg = f"capacity file not found: {path}"
        raise BadInputError(msg)
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte-order mark, which would
        # otherwise become part of the first column's name.
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = set(reader.fieldnames or [])
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        msg = f"{path.name}: not a UTF-8 CSV file ({exc})"
        raise BadInputError(msg) from None
    if CAPACITY not in columns or not ({"u", "v"} <= columns or columns & {"ref", "class"}):
        msg = f"{path.name}: needs a {CAPACITY} column and u,v or ref or class columns"
        raise BadInputError(msg)
    if not rows:
        msg = f"{path.name}: has a header but no rows; give at least one capacity"
        raise BadInputError(msg)
    # Every ref and class row must name something in this graph, or it would do nothing.
    known = (
        set().union(*(edge_refs(d) for _, _, d in G.edges(data=True))),
        {edge_class(d) for _, _, d in G.edges(data=True)},
    )
    tables: dict[str, dict[Any, int]] = {"links": {}, "refs": {}, "classes": {}}
    for line, row in enumerate(rows, start=2):
        cell = {k: (v or "").strip() for k, v in row.items() if k}
        where = f"{path.name} line {line}"
        value = parse_t_per_day(cell.get(CAPACITY), where)
        kind, name = _override_target(G, cell, where, known, tables["links"])
        # A second row for the same link, ref or class would silently replace the first.
        if name in tables[kind]:
            shown = f"{cell['u']}–{cell['v']}" if kind == "links" else name
            msg = f"{where}: {shown} is given a capacity twice"
            raise BadInputError(msg)
        tables[kind][name] = value
    links, refs, classes = tables["links"], tables["refs"], tables["classes"]
    return CapacityOverrides(classes=classes, refs=refs, links=links)


def _override_target(
    G: nx.MultiDiGraph[Any],
    cell: Mapping[str, str],
    where: str,
    known: tuple[set[str], set[str]],
    links: Mapping[Any, int],
) -> tuple[str, Any]:
    """Which table a capacity row goes to and under what name; refuses what names nothing."""
    if cell.get("u") or cell.get("v"):
        if not (cell.get("u") and cell.get("v")):
            msg = f"{where}: give both u and v"
            raise BadInputError(msg)
        a = _station_or_place(G, cell["u"], endpoint)
        b = _station_or_place(G, cell["v"], endpoint)
        pairs = ((a, b), (b, a))
        if not any(G.has_edge(x, y) for x, y in pairs):
            msg = f"{where}: no link between {cell['u']!r} and {cell['v']!r}"
            raise BadInputError(msg)
        key = cell.get("key") or None
        if key is not None and not any(
            str(k) == key for x, y in pairs for k in (G.get_edge_data(x, y) or {})
        ):
            msg = f"{where}: no link {cell['u']!r}–{cell['v']!r} with key {key}"
            raise BadInputError(msg)
        # One link either way round: (b, a) given after (a, b) is the same link.
        return "links", (b, a, key) if (b, a, key) in links else (a, b, key)
    if cell.get("ref"):
        ref = normalize_ref(cell["ref"])
        if ref not in known[0]:
            msg = f"{where}: no link of this graph has the ref {cell['ref']!r}"
            raise BadInputError(msg)
        return "refs", ref
    if cell.get("class"):
        if cell["class"] not in known[1]:
            shown = ", ".join(sorted(known[1]))
            msg = f"{where}: no link of this graph is of class {cell['class']!r} ({shown})"
            raise BadInputError(msg)
        return "classes", cell["class"]
    msg = f"{where}: name a link (u, v), a ref or a class"
    raise BadInputError(msg)


def _station_or_place(G: nx.MultiDiGraph[Any], name: str, endpoint: Any) -> Any:
    # A node id (a station) is taken as is; a place name resolves to its town node.
    return name if name in G else endpoint(G, name)


def _weights(G: nx.MultiDiGraph[Any]) -> tuple[float, dict[str, float]]:
    demand = G.graph.get("demand_table")
    if demand is None:
        demand = load_region().graph.get("demand_table") or {}
    total = float(demand.get("total_t_per_day", DEFAULT_DEMAND_TOTAL_T_PER_DAY))
    weights = {str(k): float(w) for k, w in dict(demand.get("weight", {})).items()}
    return total, weights


def demand_t_per_day(
    G: nx.MultiDiGraph[Any],
    destinations: Sequence[Any],
    *,
    total_t_per_day: float | None = None,
    demand: Mapping[Any, float] | None = None,
) -> dict[Any, float]:
    """The demand of each destination in t/day.

    A total shared in proportion to a weight per town (the region's ``[demand]`` table;
    ``DEFAULT_DEMAND_WEIGHT`` for a town it does not name); a town given in ``demand``
    takes that value instead, and the rest share what is left of the total.

    Parameters
    ----------
    G
        The network (its ``demand_table``, else the embedded region's).
    destinations
        Destination nodes.
    total_t_per_day
        Total demand; ``None`` for the region's.
    demand
        Fixed demands by destination node.

    Returns
    -------
    dict
        Destination node → t/day, in the order given.

    Raises
    ------
    BadInputError
        If a demand or the total is negative or not finite, or the fixed demands exceed
        the total while other destinations are left to share it.
    """
    region_total, weights = _weights(G)
    total = region_total if total_t_per_day is None else float(total_t_per_day)
    fixed = {n: float(t) for n, t in (demand or {}).items() if n in set(destinations)}
    for value in (total, *fixed.values()):
        if not math.isfinite(value) or value < 0:
            msg = f"demand must be a number of t/day >= 0, not {value!r}"
            raise BadInputError(msg)
    rest = [n for n in destinations if n not in fixed]
    if rest and sum(fixed.values()) > total:
        # The other towns would share a negative remainder, i.e. silently get nothing.
        msg = (
            f"the fixed demands add up to {sum(fixed.values()):,.0f} t/day, above the total "
            f"of {total:,.0f} t/day the other destinations share; raise the total"
        )
        raise BadInputError(msg)
    w = {n: _weight(G, n, weights) for n in rest}
    left = total - sum(fixed.values())
    wsum = sum(w.values())
    return {
        n: fixed[n] if n in fixed else (left * w[n] / wsum if wsum > 0 else 0.0)
        for n in destinations
    }


def _slug(text: str) -> str:
    return text.strip().lower().replace(" ", "-")


def _weight(G: nx.MultiDiGraph[Any], n: Any, weights: Mapping[str, float]) -> float:
    # The table is keyed by place id; on other graphs a node is matched by its own name,
    # then by the gazetteer place it lies in (an OSM node may be named in Ukrainian).
    for key in (str(n), _slug(str(G.nodes[n].get("name", "")))):
        if key in weights:
            return float(weights[key])
    if "x" in G.nodes[n] and "y" in G.nodes[n]:
        key = _slug(place_label(G, n))
        if key in weights:
            return float(weights[key])
    return DEFAULT_DEMAND_WEIGHT


def supply_t_per_day(
    origins: Sequence[Any], supply: Mapping[Any, float] | None = None
) -> dict[Any, float | None]:
    """The supply of each origin in t/day; ``None`` is unbounded (the default).

    Parameters
    ----------
    origins
        Origin nodes.
    supply
        Bounds by origin node.

    Returns
    -------
    dict
        Origin node → t/day or ``None``.

    Raises
    ------
    BadInputError
        If a bound is negative or not finite.
    """
    out: dict[Any, float | None] = {}
    for n in origins:
        value = (supply or {}).get(n)
        if value is not None and (not math.isfinite(float(value)) or value < 0):
            msg = f"supply must be a number of t/day >= 0, not {value!r}"
            raise BadInputError(msg)
        out[n] = None if value is None else float(value)
    return out
