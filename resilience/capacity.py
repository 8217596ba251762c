"""Supply capacity of links and transfers in tonnes per day.

Every edge gets ``capacity_t_per_day``: the tonnes per day one direction of the link can
carry (a two-way link's other direction carries as much again, independently). The value
comes, from least to most specific:

1. a **per-class default** computed from the edge's own tags (below);
2. the region's ``[capacity]`` table (``region.toml``): a road or rail class, ``transfer``,
   or a station id for that station's road↔rail transfer;
3. a per-link value already on the edge (the ``capacity_t_per_day`` column of the
   embedded region's ``links.csv``, or the attribute in a graph file);
4. a user file (``--capacities FILE``, :func:`resilience.supply.read_capacities`): rows
   by class, by ref, or by link ``u,v[,key]``, the most specific winning.

Per-class defaults
------------------
These are planning defaults of the right order of magnitude, not measurements; replace
them with known values where you have them (``graphs/README.md`` repeats them).

**Road**: lanes per direction × vehicles per hour per lane × heavy-goods share × payload ×
operating hours per day.

- Vehicles per hour per lane (``ROAD_VEH_PER_H_PER_LANE``): the base lane capacities of
  the Highway Capacity Manual (HCM, TRB): about 2,000 passenger cars per hour per lane
  on motorways, 1,700 per direction on a two-lane rural highway, lower on narrower
  roads through villages.
- Lanes per direction: the OSM ``lanes`` tag (all lanes in one direction on a
  ``oneway`` road, else half, at least one); without it 2 on motorways and trunk roads
  and 1 elsewhere.
- Heavy-goods share 0.20: the part of the flow a supply road gives to lorries (HCM
  counts one lorry as about two cars; 20 % of the vehicles is a busy freight corridor).
- Payload 20 t: a loaded articulated lorry (40 t gross, 25 t legal payload) with part
  loads and return trips averaged in.
- Operating hours 16 per day: convoys avoid the darkest hours and checkpoints close.

**Rail**: freight trains per day per direction × net tonnes per train.

- Trains per day per direction (``RAIL_TRAINS_PER_DAY``): single track 20, double track
  75 — the textbook throughput of Soviet-gauge lines (about 24–36 train pairs a day on
  a single track with passing loops, 100–150 on a double track with automatic block,
  UIC 406-style capacity) less passenger trains and a daily maintenance window. From
  the OSM ``tracks`` tag; without it 2 on ``main`` lines and 1 elsewhere.
- Net tonnes per train (``RAIL_NET_T_PER_TRAIN``): main 3,500 (about 55 loaded wagons
  of ~65 t net on a 1520 mm line), branch 2,000 (shorter loops and lighter track), other
  usage 1,000; times 0.8 without electrification (diesel traction hauls lighter trains
  on grades). From the OSM ``electrified`` tag; without it main lines are electrified
  and branch lines are not.

**Transfer** (road↔rail at a station): wagons handled per day × 60 t net per wagon —
200 wagons at a station serving a city, 100 a town, 50 a village (a district freight
station's ramps and cranes handle 50–150 wagons a day).

Supply and demand at the origins and destinations are in :mod:`resilience.supply`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from resilience._text import normalize_ref
from resilience.errors import BadGraphError, BadInputError

__all__ = [
    "CAPACITY",
    "ROAD_HGV_SHARE",
    "ROAD_HOURS_PER_DAY",
    "ROAD_PAYLOAD_T",
    "ROAD_VEH_PER_H_PER_LANE",
    "CapacityOverrides",
    "assign_capacities",
    "default_capacity",
    "edge_class",
    "parse_t_per_day",
]

#: The edge attribute every flow analysis reads: tonnes per day in the edge's direction.
CAPACITY = "capacity_t_per_day"

#: Vehicles per hour per lane by OSM ``highway`` class (HCM base lane capacities).
ROAD_VEH_PER_H_PER_LANE: dict[str, int] = {
    "motorway": 2000,
    "trunk": 1800,
    "primary": 1700,
    "secondary": 1400,
    "tertiary": 1000,
    "unclassified": 700,
    "residential": 500,
    "living_street": 200,
    "service": 300,
    "track": 150,
}
#: Lanes per direction when the ``lanes`` tag is missing.
ROAD_DEFAULT_LANES: dict[str, int] = {"motorway": 2, "trunk": 2}
#: Share of the vehicles that are heavy goods vehicles on a supply road.
ROAD_HGV_SHARE = 0.20
#: Net tonnes per heavy goods vehicle.
ROAD_PAYLOAD_T = 20.0
#: Hours per day the road carries supply traffic.
ROAD_HOURS_PER_DAY = 16.0

#: Freight trains per day per direction by number of tracks (1 or 2 and more).
RAIL_TRAINS_PER_DAY: dict[int, int] = {1: 20, 2: 75}
#: Net tonnes per freight train by OSM ``usage`` (electric traction).
RAIL_NET_T_PER_TRAIN: dict[str, int] = {"main": 3500, "branch": 2000}
#: Net tonnes per train for any other usage (industrial, military, sidings).
RAIL_OTHER_NET_T_PER_TRAIN = 1000
#: Train weight factor without electrification.
RAIL_DIESEL_FACTOR = 0.8

#: The edge tags a capacity default depends on (besides, for a transfer, its ends).
_TAGS = ("mode", "highway", "railway", "usage", "lanes", "oneway", "tracks", "electrified")

#: Wagons a station's road↔rail transfer handles per day, by the kind of place it serves.
TRANSFER_WAGONS_PER_DAY: dict[str, int] = {"city": 200, "town": 100, "village": 50}
#: Net tonnes per wagon loaded or unloaded at a transfer.
TRANSFER_T_PER_WAGON = 60


@dataclass(frozen=True)
class CapacityOverrides:
    """Capacities a user sets, in t/day per direction.

    Attributes
    ----------
    classes
        By class: a road ``highway`` value, a rail ``usage`` (or ``railway``) value, or
        ``transfer``.
    refs
        By road/rail ref, normalised as :func:`resilience.targets.normalize_ref` does.
    links
        By link: ``(u, v, key)`` with ``key`` ``None`` for every parallel link between
        ``u`` and ``v``; both directions are set.
    """

    classes: Mapping[str, int] = field(default_factory=dict)
    refs: Mapping[str, int] = field(default_factory=dict)
    links: Mapping[tuple[Any, Any, Any], int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when nothing is overridden."""
        return not (self.classes or self.refs or self.links)


def _first(value: Any) -> str:
    # OSM graphs keep merged ways' tags as lists; the first value stands for the edge.
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def _number(value: Any) -> float | None:
    text = _first(value)
    match = re.match(r"^\s*(\d+(?:\.\d+)?)", text)
    return float(match.group(1)) if match else None


def _truthy(value: Any) -> bool | None:
    text = _first(value).lower()
    if not text:
        return None
    return text not in ("no", "false", "0")


def edge_class(data: Mapping[str, Any]) -> str:
    """The class an edge's capacity is looked up by.

    Parameters
    ----------
    data
        Edge attributes.

    Returns
    -------
    str
        ``transfer``; a rail ``usage`` (or ``railway`` value when there is none); or the
        road ``highway`` value without a ``_link`` suffix.
    """
    mode = _first(data.get("mode"))
    if mode == "transfer":
        return "transfer"
    if mode == "rail" or (not data.get("highway") and data.get("railway")):
        return _first(data.get("usage")) or _first(data.get("railway")) or "rail"
    return _first(data.get("highway")).removesuffix("_link") or "unclassified"


def _road(data: Mapping[str, Any], cls: str) -> int:
    per_lane = ROAD_VEH_PER_H_PER_LANE.get(cls, ROAD_VEH_PER_H_PER_LANE["unclassified"])
    lanes_tag = _number(data.get("lanes"))
    if lanes_tag is not None and lanes_tag >= 1:
        oneway = _truthy(data.get("oneway"))
        lanes = lanes_tag if oneway else max(1.0, math.floor(lanes_tag / 2))
    elif _first(data.get("highway")).endswith("_link"):
        lanes = 1.0  # a ramp or slip road has one lane whatever its road's class
    else:
        lanes = float(ROAD_DEFAULT_LANES.get(cls, 1))
    t = lanes * per_lane * ROAD_HGV_SHARE * ROAD_PAYLOAD_T * ROAD_HOURS_PER_DAY
    return round(t)


def _rail(data: Mapping[str, Any], cls: str) -> int:
    tracks_tag = _number(data.get("tracks"))
    tracks = int(tracks_tag) if tracks_tag else (2 if cls == "main" else 1)
    trains = RAIL_TRAINS_PER_DAY[min(max(tracks, 1), max(RAIL_TRAINS_PER_DAY))]
    electrified = _truthy(data.get("electrified"))
    if electrified is None:
        electrified = cls == "main"
    net = RAIL_NET_T_PER_TRAIN.get(cls, RAIL_OTHER_NET_T_PER_TRAIN)
    return round(trains * net * (1.0 if electrified else RAIL_DIESEL_FACTOR))


def _transfer(G: nx.MultiDiGraph[Any], u: Any, v: Any) -> int:
    # The transfer serves the town at its road end; a bigger place has more yards.
    kinds = [str(G.nodes[n].get("kind", "")) for n in (u, v)]
    served = next((k for k in kinds if k in TRANSFER_WAGONS_PER_DAY), "village")
    return TRANSFER_WAGONS_PER_DAY[served] * TRANSFER_T_PER_WAGON


def default_capacity(G: nx.MultiDiGraph[Any], u: Any, v: Any, data: Mapping[str, Any]) -> int:
    """The per-class default capacity of one edge, refined by its OSM tags.

    Parameters
    ----------
    G
        The network (a transfer looks at the kind of place it serves).
    u, v
        The edge's ends.
    data
        The edge's attributes (``mode``, ``highway``, ``railway``, ``usage``, ``lanes``,
        ``oneway``, ``tracks``, ``electrified``).

    Returns
    -------
    int
        Tonnes per day in the edge's direction.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> default_capacity(G, "a", "b", {"mode": "road", "highway": "trunk"})
    230400
    >>> default_capacity(G, "a", "b", {"mode": "road", "highway": "trunk", "lanes": "2"})
    115200
    >>> default_capacity(G, "a", "b", {"mode": "rail", "railway": "rail", "usage": "branch"})
    32000
    """
    cls = edge_class(data)
    if cls == "transfer":
        return _transfer(G, u, v)
    if _first(data.get("mode")) == "rail" or (not data.get("highway") and data.get("railway")):
        return _rail(data, cls)
    return _road(data, cls)


def parse_t_per_day(value: Any, where: str) -> int:
    """Read one capacity value in t/day.

    Parameters
    ----------
    value
        A number or its text.
    where
        Where the value came from, for the error message.

    Returns
    -------
    int
        The value rounded to a whole tonne.

    Raises
    ------
    BadInputError
        If the value is not a finite number >= 0.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        msg = f"{where}: capacity must be a number of t/day >= 0, not {value!r}"
        raise BadInputError(msg)
    return round(number)


def _region_table(table: Mapping[str, Any] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, value in (table or {}).items():
        if isinstance(value, Mapping):
            # Sub-tables ([capacity.transfer] = per station) flatten to plain keys.
            out.update(_region_table(value))
        else:
            try:
                out[str(name)] = parse_t_per_day(value, f"region.toml [capacity] {name}")
            except BadInputError as exc:
                raise BadGraphError(str(exc)) from None
    return out


def assign_capacities(
    G: nx.MultiDiGraph[Any],
    overrides: CapacityOverrides | None = None,
    *,
    table: Mapping[str, Any] | None = None,
) -> None:
    """Set ``capacity_t_per_day`` (and ``capacity_source``) on every edge, in place.

    A loader step, for any graph: the embedded region, OSM graphs and line layers.

    Parameters
    ----------
    G
        The network; changed in place.
    overrides
        The user's capacities (:func:`read_capacities`), applied last.
    table
        The region's ``[capacity]`` table: class name, ``transfer`` or a station id →
        t/day; ``None`` for the table the graph carries (``G.graph["capacity_table"]``).

    Raises
    ------
    BadInputError
        If a table value is not a number of t/day >= 0.
    BadGraphError
        If an edge's own ``capacity_t_per_day`` is not a number >= 0.

    Notes
    -----
    ``capacity_source`` says where each value came from: ``default``, ``region``,
    ``link`` (the edge's own value, kept) or ``user``.
    """
    region = _region_table(table if table is not None else G.graph.get("capacity_table"))
    cache: dict[tuple[Any, ...], tuple[str, int]] = {}
    for u, v, data in G.edges(data=True):
        own = data.get(CAPACITY)
        if own not in (None, "") and data.get("capacity_source") in (None, "link"):
            try:
                data[CAPACITY] = parse_t_per_day(own, f"edge {u}->{v}")
            except BadInputError as exc:
                raise BadGraphError(str(exc)) from None
            data["capacity_source"] = "link"
            continue
        data[CAPACITY], data["capacity_source"] = _class_capacity(G, u, v, data, region, cache)
    if overrides is not None and not overrides.empty:
        _apply_overrides(G, overrides)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _class_capacity(
    G: nx.MultiDiGraph[Any],
    u: Any,
    v: Any,
    data: Mapping[str, Any],
    region: Mapping[str, int],
    cache: dict[tuple[Any, ...], tuple[str, int]],
) -> tuple[int, str]:
    """An edge's capacity from its class (region table first) and where it came from."""
    key = tuple(map(data.get, _TAGS))
    try:
        hash(key)
    except TypeError:  # OSM list-valued tags
        key = tuple(_hashable(x) for x in key)
    if key not in cache:
        cls = edge_class(data)
        # A road or rail default depends on the tags alone, so it is computed once per tag
        # set (an OSM graph has a few hundred over hundreds of thousands of edges).
        cache[key] = (cls, 0 if cls == "transfer" else default_capacity(G, u, v, data))
    cls, value = cache[key]
    if cls == "transfer":
        station = next((n for n in (u, v) if G.nodes[n].get("mode") == "rail"), None)
        if station is not None and str(station) in region:
            return region[str(station)], "region"
    if cls in region:
        return region[cls], "region"
    if cls == "transfer":
        return default_capacity(G, u, v, data), "default"
    return value, "default"


def _apply_overrides(G: nx.MultiDiGraph[Any], overrides: CapacityOverrides) -> None:
    for _, _, data in G.edges(data=True):
        cls = edge_class(data)
        if cls in overrides.classes:
            data[CAPACITY], data["capacity_source"] = overrides.classes[cls], "user"
    if overrides.refs:
        for _, _, data in G.edges(data=True):
            refs = edge_refs(data)
            hits = [overrides.refs[r] for r in sorted(refs & set(overrides.refs))]
            if hits:
                data[CAPACITY], data["capacity_source"] = min(hits), "user"
    for (a, b, key), value in overrides.links.items():
        for x, y in ((a, b), (b, a)):
            for k, data in (G.get_edge_data(x, y) or {}).items():
                if key is None or str(k) == str(key):
                    data[CAPACITY], data["capacity_source"] = value, "user"


def edge_refs(data: Mapping[str, Any]) -> set[str]:
    """The normalised refs an edge carries (``M-30;E50`` is two).

    Parameters
    ----------
    data
        The edge's attributes.

    Returns
    -------
    set of str
        E.g. ``{"M30", "E50"}``; empty when the edge has no ref.
    """
    return {normalize_ref(r) for r in re.split(r"[;,]", _ref_text(data.get("ref"))) if r.strip()}


def _ref_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ";".join(str(x) for x in value)
    return "" if value is None else str(value)
