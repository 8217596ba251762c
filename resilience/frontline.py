"""Front-line polygon layers by date: which part of the network is occupied on a given day.

The layers are DeepStateMap polygons mirrored under ``../shared/data`` (never copied into
the project): one feature per day and category, with properties ``date`` (``YYYY-MM-DD``)
and ``category`` or ``status`` (``occupied``, ``occupied_pre2022_ordlo``,
``unknown_grey``). Plain ``.geojson`` and gzipped ``.geojson.gz`` are read alike.

The layer for a date is the latest one on or before it, so a day missing from the daily
series falls back to the day before. On a date, a node is lost when it lies inside the
chosen categories' union (grown by an optional buffer) and an edge is lost when its
straight segment crosses that area: a road that runs through occupied ground cannot carry
supply even when both its towns are still held.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from resilience import settings
from resilience.analysis.impact import global_efficiency, od_times, weight_units
from resilience.errors import BadInputError
from resilience.targets import EdgeKey, Removal, apply_removal, area_targets
from resilience.targets.names import link_count

if TYPE_CHECKING:
    # numpy, pandas and shapely only when a layer is read or a timeline drawn: the analysis
    # date of a shipped region (lost_on.csv) needs none of them, and `cut` starts faster.
    import pandas as pd
    import shapely

__all__ = [
    "CATEGORIES",
    "HELD",
    "Frontline",
    "element_lost",
    "frontline_removal",
    "load_frontline",
    "od_min_cut",
    "parse_date",
    "shared_data_dir",
    "shipped_removal",
    "timeline",
]

#: Category names the layers use; ``occupied`` plus ORDLO is "all Russian-held territory".
CATEGORIES = ("occupied", "occupied_pre2022_ordlo", "unknown_grey")
#: What "lost to the front" means when no categories are named, here as in scenario files,
#: reports and the analysis date: the area taken since 2022 and the area held since 2014.
HELD = ("occupied", "occupied_pre2022_ordlo")


def shared_data_dir() -> Path:
    """Return the shared data folder (the one setting: :func:`settings.shared_data_dir`).

    Returns
    -------
    Path
        ``$RESILIENCE_SHARED_DATA`` or ``../shared/data`` beside the project (it may not exist).
    """
    return settings.shared_data_dir()


def parse_date(value: str | dt.date, *, what: str = "date") -> dt.date:
    """Read a ``YYYY-MM-DD`` date.

    Parameters
    ----------
    value
        The text, or a date (returned unchanged).
    what
        How to name the value in the error message.

    Returns
    -------
    datetime.date
        The date.

    Raises
    ------
    BadInputError
        If the text is not an ISO date.

    Examples
    --------
    >>> parse_date("2025-11-20")
    datetime.date(2025, 11, 20)
    """
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        msg = f"{what} must be YYYY-MM-DD, not {value!r}"
        raise BadInputError(msg) from None


@dataclass(frozen=True)
class Frontline:
    """The polygon features of a front-line file, indexed by day and category.

    Attributes
    ----------
    path
        The file read.
    features
        ``(date, category)`` to the polygons of that day and category (WGS84).
    """

    path: Path
    features: dict[tuple[dt.date, str], list[shapely.Geometry]] = field(repr=False)

    @property
    def dates(self) -> list[dt.date]:
        """The days the file covers, ascending."""
        return sorted({d for d, _ in self.features})

    @property
    def categories(self) -> list[str]:
        """The categories present anywhere in the file, sorted."""
        return sorted({c for _, c in self.features})

    def layer_date(self, date: str | dt.date) -> dt.date:
        """The latest day in the file on or before ``date``.

        Parameters
        ----------
        date
            The day asked for.

        Returns
        -------
        datetime.date
            The day whose polygons stand for ``date``.

        Raises
        ------
        BadInputError
            If ``date`` is before the first day of the file.
        """
        want = parse_date(date)
        days = self.dates
        earlier = [d for d in days if d <= want]
        if not earlier:
            msg = f"{self.path.name} starts on {days[0]}; no front line on or before {want}"
            raise BadInputError(msg)
        return earlier[-1]

    def area(self, date: str | dt.date, categories: Sequence[str] = HELD) -> Any:
        """The union of the chosen categories on the layer day for ``date``.

        Parameters
        ----------
        date
            The day asked for (the latest layer on or before it is used).
        categories
            Categories to unite (default :data:`HELD`: occupied since 2022 and held
            since 2014; a file without one of them contributes the other).

        Returns
        -------
        shapely.Geometry
            A (Multi)Polygon in WGS84 lon/lat; empty when the day has none of them.

        Raises
        ------
        BadInputError
            If a category is unknown or none of them is in the file.
        """
        _check_categories(categories, self)
        day = self.layer_date(date)
        geoms = [
            g if g.is_valid else g.buffer(0)
            for c in sorted(set(categories))
            for d in self._days_for(day, c)
            for g in self.features.get((d, c), [])
        ]
        import shapely  # noqa: PLC0415 - see the imports

        return shapely.union_all(geoms) if geoms else shapely.Polygon()

    def _days_for(self, day: dt.date, category: str) -> list[dt.date]:
        if category != "occupied_pre2022_ordlo":
            return [day]
        # The ORDLO polygon (held since 2014, unchanged) is missing on some days of the
        # danielrose layer and a 0.001 deg² fragment on 2022-07-11: the two latest ones
        # on or before the day bridge such a day.
        return sorted(d for d, c in self.features if c == category and d <= day)[-2:]


def _check_categories(categories: Sequence[str], front: Frontline) -> None:
    if not categories:
        msg = f"name at least one front-line category ({', '.join(CATEGORIES)})"
        raise BadInputError(msg)
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        msg = f"unknown front-line category {unknown[0]!r}; expected one of {', '.join(CATEGORIES)}"
        raise BadInputError(msg)
    if not set(categories) & set(front.categories):
        msg = (
            f"{front.path.name} has none of the categories {', '.join(categories)} "
            f"(it has {', '.join(front.categories)})"
        )
        raise BadInputError(msg)


def _missing(value: Any) -> bool:
    import pandas as pd  # noqa: PLC0415 - see the imports

    return value is None or bool(pd.isna(value))


def load_frontline(path: str | Path) -> Frontline:
    """Read a front-line polygon layer (``.geojson``, ``.geojson.gz``, GeoPackage, Shapefile).

    Parameters
    ----------
    path
        The file. Relative paths are taken from the current folder.

    Returns
    -------
    Frontline
        Its features by day and category.

    Raises
    ------
    BadInputError
        If the file is missing or unreadable (see :func:`resilience.io.read_vector`, which
        also sets the CRS rule), has no polygon, or a polygon lacks a usable ``date``.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"front-line file not found: {p}"
        raise BadInputError(msg)
    from resilience.io import read_vector  # noqa: PLC0415 - geopandas only when a layer is read

    layer = read_vector(p, geometry="polygons", what="front-line layer")
    if "date" not in layer.columns:
        msg = f"{p.name}: its features have no 'date' property"
        raise BadInputError(msg)
    columns = [c for c in ("category", "status") if c in layer.columns]
    features: dict[tuple[dt.date, str], list[shapely.Geometry]] = {}
    for i, row in enumerate(layer.itertuples(index=False)):
        day_value = row.date
        if _missing(day_value):
            msg = f"{p.name}: polygon feature {i} has no 'date' property"
            raise BadInputError(msg)
        # GDAL may parse the property as a date; either way its first ten characters are the day.
        day = parse_date(str(day_value)[:10], what=f"{p.name}: polygon feature {i} 'date'")
        named = [str(v) for v in (getattr(row, c) for c in columns) if not _missing(v) and v]
        category = named[0] if named else "occupied"
        features.setdefault((day, category), []).append(row.geometry)
    # read_vector refused a layer without polygons, so at least one day is here.
    return Frontline(p, features)


def frontline_removal(
    G: nx.MultiDiGraph[Any],
    front: Frontline,
    date: str | dt.date,
    *,
    categories: Sequence[str] = HELD,
    buffer_m: float = 0.0,
) -> Removal:
    """What the occupied area on ``date`` takes out of the network.

    Parameters
    ----------
    G
        The network (not changed).
    front
        The front-line layers.
    date
        The day; the latest layer on or before it is used.
    categories
        Categories counted as lost (default :data:`HELD`, as scenario files and the
        analysis date count them).
    buffer_m
        Grow the area by this many metres first (e.g. the reach of drones and artillery).

    Returns
    -------
    Removal
        Nodes inside the area and edges crossing it; labelled ``front line <day>``.

    Raises
    ------
    BadInputError
        If the date precedes the file or a category is unknown.
    """
    nodes, edges = area_targets(G, front.area(date, categories), buffer_m=buffer_m)
    day = front.layer_date(date)
    return Removal(nodes, edges, (f"front line {day.isoformat()}",))


def od_min_cut(
    G: nx.MultiDiGraph[Any], origins: Iterable[Any], destinations: Iterable[Any]
) -> tuple[int, list[EdgeKey]]:
    """The fewest links whose loss separates every origin from every destination.

    A super-source feeds every origin and every destination drains into a super-sink,
    both with unlimited capacity, on a collapsed copy of ``G`` where each link's capacity
    is its number of parallel edges (each a separate physical route).

    Parameters
    ----------
    G
        The network (not changed).
    origins, destinations
        Node ids; those not in ``G`` are ignored.

    Returns
    -------
    tuple
        The cut size and the cut edges ``(u, v, key)`` (every parallel edge), sorted.
        ``(0, [])`` when no destination is reachable or a side is empty.
    """
    from resilience.analysis.cuts import min_cut  # noqa: PLC0415 - keeps the import graph flat

    src = [o for o in dict.fromkeys(origins) if o in G]
    dst = [d for d in dict.fromkeys(destinations) if d in G and d not in set(src)]
    if not src or not dst:
        return 0, []
    edges = min_cut(G, src, dst, kind="edge") or []
    return len(edges), [(u, v, int(k)) for u, v, k in edges]


def _date_range(start: dt.date, end: dt.date, every_days: int) -> list[dt.date]:
    if every_days < 1:
        msg = f"the timeline step must be at least one day, not {every_days}"
        raise BadInputError(msg)
    if end < start:
        msg = f"the timeline ends ({end}) before it starts ({start})"
        raise BadInputError(msg)
    n = (end - start).days // every_days
    days = [start + dt.timedelta(days=i * every_days) for i in range(n + 1)]
    return days if days[-1] == end else [*days, end]


def timeline(
    G: nx.MultiDiGraph[Any],
    frontline_file: str | Path | Frontline | None,
    start: str | dt.date,
    end: str | dt.date,
    every_days: int,
    origins: Sequence[Any],
    destinations: Sequence[Any],
    *,
    categories: Sequence[str] = HELD,
    buffer_m: float = 0.0,
    weight: str = "travel_time",
) -> pd.DataFrame:
    """How supply degrades as the front line moves, one row per date.

    The baseline is the network on the first day: what was held before it (e.g. since
    2014) is not counted as a loss, so the first row shows none.

    Parameters
    ----------
    G
        The intact network (not changed).
    frontline_file
        A front-line file, or one already read with :func:`load_frontline`; ``None`` for
        the occupation dates shipped with the embedded region (``lost_on``).
    start, end
        First and last day (``end`` is always included).
    every_days
        Step between days.
    origins, destinations
        Node ids of supply origins and destinations.
    categories
        Categories counted as lost (default: occupied and held since 2014).
    buffer_m
        Buffer around the area, metres.
    weight
        Edge attribute minimised (seconds for ``travel_time``; reported in minutes).

    Returns
    -------
    pandas.DataFrame
        ``date``, ``layer_date``, ``nodes_lost`` (all places inside the area that day),
        ``nodes_lost_since_start``, ``destinations_reachable``, ``destinations_total``
        (those still held on the first day), ``links_lost`` (a two-way link once),
        ``links_lost_since_start`` (of those, the ones open on the first day),
        ``pairs_lost`` (an end inside the area), ``pairs_cut_off`` (both ends held, no
        route), ``mean_time_increase_min`` (over every pair connected on the first day, a
        pair with no route counted at ``no_route_penalty_min``: one day, or the largest
        increase seen if longer, so it cannot fall when supply worsens),
        ``mean_time_increase_connected_min`` (over pairs still connected only), ``min_cut``,
        ``efficiency_loss_pct`` (against the first day); where every link carries a capacity
        also ``deliverable_t_per_day`` (maximum flow to the destinations still held) and
        ``demand_met_lambda`` (share of their demand met at once). With a length weight the
        figures are ``..._km``.

    Raises
    ------
    BadInputError
        If the dates are malformed or out of the file's range.
    """
    import numpy as np  # noqa: PLC0415 - see the imports
    import pandas as pd  # noqa: PLC0415

    days = _date_range(parse_date(start, what="--from"), parse_date(end, what="--to"), every_days)
    removal_on, layer_day = _removals(G, frontline_file, categories, buffer_m)
    quantity, unit, scale = weight_units(weight)
    # The baseline is the network on the first day: areas held before it are no loss.
    G0 = apply_removal(G, removal_on(days[0]))
    src = [o for o in dict.fromkeys(origins) if o in G0]
    dst = [d for d in dict.fromkeys(destinations) if d in G0]
    # On the compiled engine for a large network (one conversion per day's graph).
    before = od_times(G0, src, weight=weight)
    e_before = global_efficiency(G0, weight=weight, n_total=G.number_of_nodes())
    pairs = [(o, d) for o in src for d in dst if d in before[o]]
    # Tonnes a day beside the times, where every link carries a capacity.
    with_flow = all("capacity_t_per_day" in d for _, _, d in G.edges(data=True))
    rows, per_day = [], []
    for day in days:
        removal = removal_on(day)
        H = apply_removal(G, removal)
        after = od_times(H, src, weight=weight)
        reachable = sum(1 for d in dst if any(d in after[o] for o in src))
        # None: no route left (the pair counts at the penalty below).
        increases = [
            (after[o][d] - before[o][d]) / scale if d in after[o] else None for o, d in pairs
        ]
        lost = sum(1 for o, d in pairs if o not in H or d not in H)
        cut_off = sum(1 for o, d in pairs if o in H and d in H and d not in after[o])
        e_after = global_efficiency(H, weight=weight, n_total=G.number_of_nodes())
        size, _ = od_min_cut(H, src, dst)
        connected = [x for x in increases if x is not None]
        per_day.append(increases)
        flows = _day_flows(H, src, dst) if with_flow else {}
        rows.append(
            {
                "date": day.isoformat(),
                "layer_date": layer_day(day).isoformat(),
                "nodes_lost": len(removal.nodes),
                "nodes_lost_since_start": len(set(removal.nodes) & set(G0.nodes)),
                "links_lost": link_count(removal.edges),
                "links_lost_since_start": link_count(e for e in removal.edges if G0.has_edge(*e)),
                "destinations_reachable": reachable,
                "destinations_total": len(dst),
                "pairs_lost": lost,
                "pairs_cut_off": cut_off,
                f"mean_{quantity}_increase_{unit}": math.nan,
                f"mean_{quantity}_increase_connected_{unit}": round(float(np.mean(connected)), 1)
                if connected
                else math.nan,
                "min_cut": size,
                "efficiency_loss_pct": round(100 * (e_before - e_after) / e_before, 1)
                if e_before
                else math.nan,
                **flows,
            }
        )
    # A pair with no route (lost or cut off) counts at a penalty no detour reaches: one
    # day (1000 km with a length weight), or the largest increase seen on any day if
    # longer. Each pair's figure then only grows as its route worsens, so the mean cannot
    # fall when supply gets worse (the connected-only mean can: it drops the pairs that
    # fall).
    finite = [x for day in per_day for x in day if x is not None]
    penalty = max([_PENALTY_MIN if unit == "min" else _PENALTY_KM, *finite])
    for row, increases in zip(rows, per_day, strict=True):
        if increases:
            mean = float(np.mean([penalty if x is None else x for x in increases]))
            row[f"mean_{quantity}_increase_{unit}"] = round(mean, 1)
        row[f"no_route_penalty_{unit}"] = round(penalty, 1)
    return pd.DataFrame(rows)


def _day_flows(H: nx.MultiDiGraph[Any], src: list[Any], dst: list[Any]) -> dict[str, float]:
    """Deliverable t/day (maximum flow) and λ (demand met at once) on one day's network."""
    from resilience.analysis.flow import concurrent_flow, max_flow  # noqa: PLC0415 - LP stack

    origins, destinations = [o for o in src if o in H], [d for d in dst if d in H]
    if not origins or not destinations:
        return {"deliverable_t_per_day": 0.0, "demand_met_lambda": 0.0}
    flow = max_flow(H, origins, destinations, min_cost=False).value_t_per_day
    lam = concurrent_flow(H, origins, destinations).lambda_
    return {"deliverable_t_per_day": round(float(flow), 3), "demand_met_lambda": round(lam, 6)}


#: What a supply pair with no route left counts as in the timeline's mean, at least: a
#: day (minutes), or 1000 km with a length weight.
_PENALTY_MIN, _PENALTY_KM = 24 * 60.0, 1000.0


def _periods(text: str) -> list[tuple[dt.date, dt.date]]:
    out = []
    for part in text.split(";"):
        if "/" in part:
            start, end = part.split("/", 1)
            out.append((dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
    return out


def element_lost(attrs: dict[str, Any], day: dt.date, *, grey: bool = False) -> bool:
    """Whether a node or edge with shipped dates is lost on ``day``.

    Parameters
    ----------
    attrs
        Its attributes: ``lost_on`` (held since that day), ``occupied_before`` (earlier
        periods ``start/end`` with ``end`` the first day seen free again, ``;``-joined),
        ``grey_from`` (contested since that day).
    day
        The analysis day.
    grey
        Count ``grey_from`` as lost.

    Returns
    -------
    bool
        True when inside the occupied (or, with ``grey``, contested) area on ``day``.

    Examples
    --------
    >>> element_lost({"lost_on": "2025-11-20"}, dt.date(2025, 11, 20))
    True
    >>> element_lost({"occupied_before": "2022-04-03/2022-05-15"}, dt.date(2022, 5, 15))
    False
    """
    for key in ("lost_on", *(("grey_from",) if grey else ())):
        since = attrs.get(key)
        if since and dt.date.fromisoformat(str(since)) <= day:
            return True
    return any(s <= day < e for s, e in _periods(str(attrs.get("occupied_before") or "")))


def shipped_removal(G: nx.MultiDiGraph[Any], day: dt.date, *, grey: bool = False) -> Removal:
    """What the shipped occupation dates (``lost_on`` attributes) take out on ``day``.

    Parameters
    ----------
    G
        A network whose nodes and edges carry ``lost_on`` / ``occupied_before`` /
        ``grey_from`` (the embedded region; see ``graphs/README.md``).
    day
        The analysis day.
    grey
        Count ``grey_from`` as lost.

    Returns
    -------
    Removal
        Nodes lost, and edges lost whose ends are not; labelled ``as of <day>``.
    """
    nodes = frozenset(n for n, data in G.nodes(data=True) if element_lost(data, day, grey=grey))
    edges: frozenset[EdgeKey] = frozenset(
        (u, v, k)
        for u, v, k, data in G.edges(keys=True, data=True)
        if u not in nodes and v not in nodes and element_lost(data, day, grey=grey)
    )
    return Removal(nodes, edges, (f"as of {day.isoformat()}",))


def _removals(
    G: nx.MultiDiGraph[Any],
    frontline_file: str | Path | Frontline | None,
    categories: Sequence[str],
    buffer_m: float,
) -> tuple[Callable[[dt.date], Removal], Callable[[dt.date], dt.date]]:
    """What is lost on a day, and the layer day standing for it (a layer or shipped dates)."""
    if frontline_file is None:
        if not G.graph.get("lost_on_until"):
            msg = "this graph has no occupation dates: give --frontline FILE"
            raise BadInputError(msg)
        grey = "unknown_grey" in categories

        def shipped(day: dt.date) -> Removal:
            return shipped_removal(G, day, grey=grey)

        return shipped, lambda day: day
    front = (
        frontline_file if isinstance(frontline_file, Frontline) else load_frontline(frontline_file)
    )

    def on_layer(day: dt.date) -> Removal:
        return frontline_removal(G, front, day, categories=categories, buffer_m=buffer_m)

    return on_layer, front.layer_date
