"""The network as it stands on a date: what the occupied area has taken out by then.

Two sources say what is lost on a date:

- the embedded region ships, per place and per link, the dates on which DeepStateMap first
  showed it inside the occupied area (``graphs/<region>/lost_on.csv``, derived by
  ``tools/derive_lost_on.py``; the loader puts them on the graph as the attributes
  ``lost_on``, ``occupied_before`` and ``grey_from``), so a date works offline;
- any graph can instead be given a dated front-line layer (``--frontline FILE``), read with
  :func:`resilience.frontline.load_frontline`.

Whatever the layer calls them, "occupied", the separate ORDLO polygon (areas held since
2014) and Crimea are lost by default; the grey "unknown status" zone only when asked for.
Some days of the older DeepState layer lack the ORDLO polygon (2022-05-15 … 2022-07-11);
areas held since 2014 did not change, so the last ORDLO polygon before such a day stands in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from resilience.errors import BadInputError
from resilience.frontline import Frontline, element_lost, parse_date, shipped_removal
from resilience.targets import Removal, apply_removal, area_targets

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "GREY_CATEGORY",
    "LOST_CATEGORIES",
    "AsOf",
    "as_of_removal",
    "element_lost",
    "lost_area",
    "lost_places",
    "network_on",
    "ordlo_area",
    "resolve_as_of",
]

#: Categories lost by default, as the shared layers name them: ``occupied`` (both layers;
#: on the cyterat layer it already includes ORDLO and Crimea) and the separate ORDLO polygon
#: of the danielrose layer. A layer naming Crimea apart is read as ``occupied``.
LOST_CATEGORIES = ("occupied", "occupied_pre2022_ordlo")
#: The grey "unknown status" / contested zone (danielrose layer only), lost only on request.
GREY_CATEGORY = "unknown_grey"
_ORDLO = "occupied_pre2022_ordlo"


@dataclass(frozen=True)
class AsOf:
    """An analysis date and where its occupation comes from.

    Attributes
    ----------
    date
        The day analysed; ``None`` for the pre-war network (nothing occupied).
    layer
        Where the occupied area comes from, for every output to say (e.g. the layer file
        and the layer day, or the shipped dates of the region).
    grey
        Whether the grey (contested) zone counts as lost too.
    """

    date: dt.date | None
    layer: str
    grey: bool = False

    @property
    def label(self) -> str:
        """The date as outputs print it: ``YYYY-MM-DD`` or ``pre-war``."""
        return "pre-war" if self.date is None else self.date.isoformat()

    def describe(self) -> str:
        """One line for outputs: the date and the layer.

        Returns
        -------
        str
            E.g. ``network as of 2025-08-03 (occupation: ...)``.
        """
        if self.date is None:
            if self.layer != "none":
                return f"network as loaded, no occupation applied ({self.layer})"
            return "network as of pre-war (nothing occupied)"
        grey = ", grey zone counted as lost" if self.grey else ""
        return f"network as of {self.label} (occupation: {self.layer}{grey})"


def _graph_date(G: nx.MultiDiGraph[Any], key: str) -> dt.date | None:
    value = G.graph.get(key)
    return parse_date(str(value), what=f"graph {key}") if value else None


def _shipped_layer(G: nx.MultiDiGraph[Any]) -> str:
    return str(G.graph.get("lost_on_source") or "shipped lost_on dates of the region")


def resolve_as_of(
    value: str | dt.date | None,
    G: nx.MultiDiGraph[Any],
    *,
    frontline: Frontline | None = None,
    pre_war: bool = False,
    grey: bool = False,
) -> AsOf:
    """Turn ``--as-of`` / ``--pre-war`` into an analysis date.

    Parameters
    ----------
    value
        A ``YYYY-MM-DD`` date, ``"latest"``, or ``None`` for the default: the region's
        ``reference_date`` (``region.toml``), else the last day of ``frontline``, else the
        pre-war network when the graph carries no occupation at all.
    G
        The network; its ``graph`` attributes hold ``reference_date`` and ``lost_on_until``
        on the embedded region.
    frontline
        A front-line layer to take the occupation from instead of the shipped dates.
    pre_war
        The network without any occupation (``value`` must then be ``None``).
    grey
        Count the grey (contested) zone as lost too.

    Returns
    -------
    AsOf
        The date and the layer it is read from.

    Raises
    ------
    BadInputError
        If the date is malformed, ``--pre-war`` is combined with a date, ``latest`` has no
        layer to be the latest of, or the date lies outside the layer.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(reference_date="2025-08-03", lost_on_until="2026-08-22")
    >>> resolve_as_of(None, G).label
    '2025-08-03'
    >>> resolve_as_of("latest", G).label
    '2026-08-22'
    >>> resolve_as_of(None, G, pre_war=True).label
    'pre-war'
    """
    if pre_war:
        if value is not None:
            msg = "give either --pre-war or --as-of, not both"
            raise BadInputError(msg)
        return AsOf(None, "none")
    if frontline is not None:
        return _on_layer(value, G, frontline, grey=grey)
    until = _graph_date(G, "lost_on_until")
    if value is None:
        ref = _graph_date(G, "reference_date")
        if ref is None or until is None:
            return AsOf(None, "the graph has no occupation dates; add --frontline FILE")
        return AsOf(ref, _shipped_layer(G), grey)
    if until is None:
        msg = "this graph carries no occupation dates: give --frontline FILE with --as-of"
        raise BadInputError(msg)
    latest = str(value).strip().lower() == "latest"
    day = until if latest else parse_date(value, what="--as-of")
    if day > until:
        msg = f"--as-of {day} is after the last day the region's dates know ({until}); use latest"
        raise BadInputError(msg)
    return AsOf(day, _shipped_layer(G), grey)


def _on_layer(
    value: str | dt.date | None, G: nx.MultiDiGraph[Any], front: Frontline, *, grey: bool
) -> AsOf:
    if value is None:
        day = _graph_date(G, "reference_date") or front.dates[-1]
    elif str(value).strip().lower() == "latest":
        day = front.dates[-1]
    else:
        day = parse_date(value, what="--as-of")
    layer_day = front.layer_date(day)
    return AsOf(day, f"{front.path.name}, layer of {layer_day.isoformat()}", grey)


def lost_area(front: Frontline, date: str | dt.date, *, grey: bool = False) -> Any:
    """The area lost on a date: occupied, held since 2014 (ORDLO) and, if asked, grey.

    Parameters
    ----------
    front
        The front-line layer.
    date
        The day (the latest layer day on or before it is used).
    grey
        Add the grey "unknown status" zone.

    Returns
    -------
    shapely.Geometry
        The union, in WGS84 lon/lat (empty when nothing is lost).

    Raises
    ------
    BadInputError
        If the date precedes the layer.
    """
    import shapely  # noqa: PLC0415 - the geo stack only for a front-line layer

    day = front.layer_date(date)
    geoms = [front.area(day, ["occupied"])] if (day, "occupied") in front.features else []
    geoms.append(ordlo_area(front, day))
    if grey and (day, GREY_CATEGORY) in front.features:
        geoms.append(front.area(day, [GREY_CATEGORY]))
    return shapely.union_all(geoms)


def ordlo_area(front: Frontline, date: str | dt.date) -> Any:
    """The area held since 2014 (the separate ORDLO polygon) on a date.

    The polygon is missing from the danielrose layer on 2022-05-15 … 2022-07-10 and is a
    0.001 deg² fragment on 2022-07-11, while the area it stands for did not change; so the
    union of the two latest ORDLO polygons on or before the day is used (see
    :meth:`resilience.frontline.Frontline.area`), which bridges a missing or broken day.

    Parameters
    ----------
    front
        The front-line layer.
    date
        The day (the latest layer day on or before it is used).

    Returns
    -------
    shapely.Geometry
        WGS84 lon/lat; empty when the layer has no ORDLO polygon by then.
    """
    import shapely  # noqa: PLC0415 - the geo stack only for a front-line layer

    if _ORDLO not in front.categories:
        return shapely.Polygon()
    # Frontline.area bridges the days without (or with a broken) ORDLO polygon.
    return front.area(date, [_ORDLO])


def as_of_removal(
    G: nx.MultiDiGraph[Any],
    as_of: AsOf,
    *,
    frontline: Frontline | None = None,
    buffer_m: float = 0.0,
) -> Removal:
    """What the occupation on the analysis date takes out of the network.

    Parameters
    ----------
    G
        The network (not changed).
    as_of
        The analysis date (see :func:`resolve_as_of`).
    frontline
        A front-line layer; without it the shipped ``lost_on`` attributes are used.
    buffer_m
        Grow the layer's area by this many metres first (front-line layers only).

    Returns
    -------
    Removal
        Nodes and edges lost on that date, labelled ``as of <date>``; empty for pre-war.
    """
    if as_of.date is None:
        return Removal(labels=())
    label = (f"as of {as_of.label}",)
    if frontline is not None:
        nodes, edges = area_targets(
            G, lost_area(frontline, as_of.date, grey=as_of.grey), buffer_m=buffer_m
        )
        return Removal(nodes, edges, label)
    shipped = shipped_removal(G, as_of.date, grey=as_of.grey)
    return Removal(shipped.nodes, shipped.edges, label)


def lost_places(
    G: nx.MultiDiGraph[Any], nodes: Iterable[Any], removal: Removal
) -> list[tuple[Any, str | None]]:
    """The given nodes that are already lost on the analysis date, with the day lost.

    Parameters
    ----------
    G
        The network with its shipped dates (if any).
    nodes
        Node ids, e.g. a command's targets or destinations.
    removal
        The removal made by :func:`as_of_removal`.

    Returns
    -------
    list
        ``(node, lost_on)`` in the given order; ``lost_on`` is ``None`` when the graph has
        no date for it (front-line layers).
    """
    out = []
    for n in dict.fromkeys(nodes):
        if n in removal.nodes:
            since = G.nodes[n].get("lost_on") if n in G else None
            out.append((n, str(since) if since else None))
    return out


@dataclass(frozen=True)
class NetworkOn:
    """The network on the analysis date and what was taken out to make it.

    Attributes
    ----------
    as_of
        The analysis date and layer.
    removal
        What the occupation took out of the full network.
    """

    as_of: AsOf
    removal: Removal


def network_on(
    G: nx.MultiDiGraph[Any],
    as_of: str | dt.date | None = None,
    *,
    frontline: Frontline | None = None,
    pre_war: bool = False,
    grey: bool = False,
    buffer_m: float = 0.0,
) -> tuple[nx.MultiDiGraph[Any], NetworkOn]:
    """The network as it stands on a date, the baseline of every comparison.

    Parameters
    ----------
    G
        The full (pre-war) network (not changed).
    as_of
        ``YYYY-MM-DD``, ``"latest"`` or ``None`` (the region's reference date).
    frontline
        A front-line layer instead of the shipped dates.
    pre_war
        Take nothing out.
    grey
        Count the grey zone as lost.
    buffer_m
        Buffer around a front-line layer's area, metres.

    Returns
    -------
    tuple
        ``(G_on_date, info)``: a copy of ``G`` without what is lost (its ``graph`` gains
        ``as_of`` and ``as_of_layer``) and the date, layer and removal.

    Raises
    ------
    BadInputError
        See :func:`resolve_as_of`.
    """
    when = resolve_as_of(as_of, G, frontline=frontline, pre_war=pre_war, grey=grey)
    removal = as_of_removal(G, when, frontline=frontline, buffer_m=buffer_m)
    H = apply_removal(G, removal)
    H.graph["as_of"] = when.label
    H.graph["as_of_layer"] = when.layer
    return H, NetworkOn(when, removal)
