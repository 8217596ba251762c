"""The data dictionary: every column (and summary measure) the reports write, with its unit.

One source of truth: the report pages end with the entries of the columns they show
(:func:`dictionary_frame`), and ``docs/columns.md`` is generated from here
(:func:`markdown`; a test keeps the file in step).

>>> COLUMNS["time_before_min"].unit
'min'
>>> dictionary_frame(["origin", "detour_pct"])["unit"].tolist()
['–', '%']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = ["COLUMNS", "Column", "dictionary_frame", "markdown", "missing"]


@dataclass(frozen=True)
class Column:
    """One entry of the data dictionary.

    Attributes
    ----------
    unit
        Unit of the values (``–`` for names, labels and categories; ``count`` for counts).
    definition
        What the value means, one sentence or two.
    """

    unit: str
    definition: str


_ = "–"

#: Column (or measure) name to its unit and definition.
COLUMNS: dict[str, Column] = {
    # ---- supply pairs (od)
    "origin": Column(_, "Origin place id of a supply pair."),
    "destination": Column(_, "Destination place id of a supply pair."),
    "time_before_min": Column(
        "min", "Fastest travel time from origin to destination on the baseline network."
    ),
    "length_before_km": Column(
        "km", "Shortest distance from origin to destination on the baseline (weight length)."
    ),
    "length_after_km": Column(
        "km", "Shortest distance after the loss (weight length); empty when cut off or lost."
    ),
    "time_after_min": Column(
        "min", "Fastest travel time after the loss; empty when the pair is cut off."
    ),
    "detour_pct": Column(
        "%",
        "Extra travel time after the loss, as a share of the time before: 100·(after/before − 1).",
    ),
    "status": Column(
        _,
        "Pair: ok, detour, cut off, lost (an endpoint removed) or no route (none before "
        "either). Link or place in a layer: "
        "removed, min_cut, critical or intact; route: ok, cut off or lost.",
    ),
    "paths_before": Column("count", "Edge-disjoint paths from origin to destination before."),
    "paths_after": Column("count", "Edge-disjoint paths from origin to destination after."),
    # ---- network summary
    "metric": Column(_, "Network measure (rows: nodes, edges, components, ...)."),
    "before": Column("as the metric", "Value of the measure on the baseline network."),
    "after": Column("as the metric", "Value of the measure after the loss."),
    "change_pct": Column("%", "Change from before to after: 100·(after/before − 1)."),
    "nodes": Column("count", "Nodes (places, junctions, stations) in the network or piece."),
    "edges": Column("count", "Directed links in the network (a two-way link counts twice)."),
    "links": Column("count", "Links in the network; a two-way road or rail link counts once."),
    "link_directions": Column("count", "Directed links (a two-way link counts twice)."),
    "od_pairs_lost": Column("count", "Supply pairs whose origin or destination was removed."),
    "od_pairs_cut_off": Column("count", "Supply pairs with both ends left but no route."),
    "components": Column("count", "Weakly connected pieces of the network."),
    "od_pairs_connected": Column("count", "Supply pairs with a route."),
    "edge_disjoint_paths_total": Column(
        "count", "Sum over supply pairs of their edge-disjoint paths."
    ),
    "global_efficiency_per_h": Column(
        "1/h",
        "Network efficiency: mean over all ordered node pairs of 1/(travel time); 0 for "
        "unreachable pairs (not the OD efficiency of scan, which covers supply pairs only).",
    ),
    "global_efficiency_per_km": Column(
        "1/km", "Network efficiency with weight length: mean over node pairs of 1/distance."
    ),
    # ---- components
    "component": Column(_, "Connected piece number, largest first."),
    "places": Column("count", "Named places (towns, cities) in the piece."),
    "sample": Column(_, "Some of the piece's place names."),
    # ---- links (min cut, critical, layers)
    "rank": Column("rank", "Position by edge betweenness, 1 = carries the most shortest paths."),
    "u": Column(_, "Node id at one end of the link (the link is two-way unless a one-way)."),
    "v": Column(_, "Node id at the other end of the link."),
    "key": Column(_, "Parallel-link key between u and v (0 for the first)."),
    "label": Column(_, "Readable name of the link: its ref or name and its end places."),
    "mode": Column(_, "road, rail or transfer (road-rail at a station)."),
    "betweenness": Column(
        "share", "Edge betweenness centrality on the damaged network (normalised, 0-1)."
    ),
    "ref": Column(_, "Road or rail reference (e.g. M-30, H-20), empty when none."),
    "name": Column(_, "Name of the link or place, empty when none."),
    "length_m": Column("m", "Length of the link."),
    "travel_time_s": Column("s", "Travel time along the link at its mode's speed."),
    "critical_rank": Column(
        "rank", "Betweenness rank among the most critical links left; empty if not among them."
    ),
    # ---- places layer
    "id": Column(_, "Node id."),
    "kind": Column(_, "Kind of node: city, town, village, station, junction."),
    "role": Column(_, "origin, destination or empty."),
    # ---- occupied area and routes layers
    "category": Column(_, "Front-line category: occupied, occupied_pre2022_ordlo, unknown_grey."),
    "layer_date": Column("date", "Date of the front-line layer used (YYYY-MM-DD)."),
    "source": Column(_, "Where the geometry comes from (dataset and its credit)."),
    "when": Column(_, "before (baseline network) or after (damaged network)."),
    "time_min": Column("min", "Travel time along the route."),
    "length_km": Column("km", "Length of the route."),
    "hops": Column("count", "Links along the route."),
    "via": Column(_, "Named places the route passes through, in order."),
    # ---- scenario summary and comparison
    "measure": Column(_, "Scenario measure (a column of the comparison table)."),
    "value": Column("as the measure", "Value of the measure."),
    "scenario": Column(_, "Scenario name (its file name)."),
    "models": Column(_, "What the scenario models (its description)."),
    "as_of": Column("date", "Analysis date: the baseline is the network on that day."),
    "nodes_removed": Column("count", "Nodes the scenario removes."),
    "edges_removed": Column("count", "Further directed links removed (besides those at nodes)."),
    "links_removed": Column(
        "count", "Further links removed (besides those at nodes); a two-way link counts once."
    ),
    "lost": Column("count", "Supply pairs whose origin or destination itself was removed."),
    "od_pairs": Column("count", "Supply pairs measured (origins × destinations)."),
    "cut_off": Column(
        "count", "Supply pairs whose ends are both still there but have no route left."
    ),
    "detour": Column("count", "Supply pairs still connected but slower after the loss."),
    "mean_detour_pct": Column("%", "Mean detour_pct over the pairs with a detour."),
    "max_detour_pct": Column("%", "Largest detour_pct of a pair with a detour."),
    "efficiency_loss_pct": Column("%", "Drop of global efficiency: 100·(1 − after/before)."),
    "min_cut_before": Column(
        "count", "Fewest links whose loss separates all origins from all destinations, before."
    ),
    "min_cut_after": Column("count", "The same, on the damaged network."),
    "top_critical": Column(_, "Labels of the links with the highest betweenness after the loss."),
    "deliverable_before_t_per_day": Column(
        "t/day", "Maximum flow from the origins to the destinations on the baseline."
    ),
    "deliverable_after_t_per_day": Column(
        "t/day",
        "Maximum flow after the loss (interdiction curve: after the scenario's loss and "
        "the k links of worst_set).",
    ),
    "lambda_before": Column(
        "share", "Maximum concurrent flow: share of every destination's demand met at once."
    ),
    "lambda_after": Column("share", "Share of every destination's demand met at once, after."),
    "deliverable_t_per_day": Column(
        "t/day", "Summary row: maximum flow from the origins to the destinations."
    ),
    "demand_met_lambda": Column(
        "share", "Summary row: share of every destination's demand met at once (λ)."
    ),
    # ---- interdiction curve of a scenario: interdiction.csv, worst_set.csv, worst_links
    "k": Column(
        "count",
        "Links lost together on top of the scenario's own losses (0 = the scenario's "
        "network as it is).",
    ),
    "worst_set": Column(
        _,
        "The set of at most k links whose joint loss leaves the least deliverable flow "
        "(exact MILP), as ref place–place (mode), joined by +; listed worst-alone first.",
    ),
    "loss_pct": Column(
        "%",
        "Deliverable flow lost to the worst set: 100·(1 − after/at k = 0), against the "
        "scenario's network.",
    ),
    "top_singles_set": Column(
        _, "The k links that each cut the deliverable flow most when lost alone, joined by +."
    ),
    "top_singles_deliverable_t_per_day": Column(
        "t/day", "Maximum flow left when the top_singles_set links are lost together."
    ),
    "top_singles_loss_pct": Column(
        "%", "Deliverable flow lost to the top_singles_set, against k = 0 (≤ loss_pct)."
    ),
    "solver_status": Column(
        _,
        "optimal (proven, relative gap 0) or time limit (the best set found; the optimum "
        "may leave as little as deliverable_bound_t_per_day).",
    ),
    "gap_pct": Column(
        "%",
        "How far the damage found may be from the optimum: 100·(bound − found)/bound; 0 "
        "when optimal.",
    ),
    "deliverable_bound_t_per_day": Column(
        "t/day",
        "Least deliverable flow any set of k links could leave (the solver's proven "
        "bound); equals deliverable_after_t_per_day when optimal.",
    ),
    "u_label": Column(_, "Place at the u end of the link."),
    "v_label": Column(_, "Place at the v end of the link."),
    "single_loss_t_per_day": Column(
        "t/day", "Deliverable flow lost when this link alone is lost (single-link scan)."
    ),
    "single_rank": Column(
        "rank", "Position in the single-link scan by single_loss_t_per_day, 1 = worst alone."
    ),
    # ---- scan (resilience scan): scan.csv/.parquet/.gpkg, the printed table and --json
    "importance_min": Column(
        "min",
        "Mean extra travel time over the supply pairs still connected when the element "
        "is removed alone (scan).",
    ),
    "importance_km": Column(
        "km", "Mean extra distance over the supply pairs still connected (scan, weight length)."
    ),
    "cut_off_pct": Column(
        "%", "Share of the supply pairs connected before that the element's loss cuts off."
    ),
    "od_efficiency_loss_pct": Column(
        "%",
        "Loss of OD efficiency 100·(1 − E'/E), E = Σ 1/d over the supply pairs only "
        "(not the network efficiency of cut).",
    ),
    "distance_km": Column("km", "Path length minimised with --weight length (paths)."),
    # ---- front-line timeline
    "date": Column("date", "Day analysed (YYYY-MM-DD)."),
    "nodes_lost": Column("count", "Nodes inside the occupied area on that day."),
    "nodes_lost_since_start": Column(
        "count", "Nodes lost on that day that were still held on the first day analysed."
    ),
    "destinations_reachable": Column(
        "count", "Destinations still reachable from at least one origin."
    ),
    "destinations_total": Column("count", "Destinations measured."),
    "links_lost": Column(
        "count", "Links inside or crossing the occupied area; a two-way link counts once."
    ),
    "links_lost_since_start": Column(
        "count",
        "Links lost on that day (inside or crossing the area, between held places) that were "
        "still open on the first day analysed; a two-way link counts once.",
    ),
    "pairs_lost": Column("count", "Supply pairs with an end inside the occupied area that day."),
    "pairs_cut_off": Column("count", "Supply pairs with both ends held but no route that day."),
    "mean_time_increase_min": Column(
        "min",
        "Mean extra travel time against the first day over every pair connected then; a "
        "pair with no route counts at no_route_penalty_min, so it cannot fall as supply "
        "worsens.",
    ),
    "mean_time_increase_connected_min": Column(
        "min", "Mean extra travel time of the pairs still connected only (can fall)."
    ),
    "no_route_penalty_min": Column(
        "min", "What a pair with no route counts as: a day, or the largest increase if longer."
    ),
    "min_cut": Column("count", "Fewest links separating origins from destinations on that day."),
    # ---- scan (resilience scan): one row per link or place removed alone
    "element": Column(
        _, "edge (a link) or node (a place); in bridges.csv: bridge or articulation point."
    ),
    "x": Column("°E", "Longitude of the place, or of the link's midpoint (WGS84)."),
    "y": Column("°N", "Latitude of the place, or of the link's midpoint (WGS84)."),
    # The library's raw scan table (resilience.analysis.criticality.scan); the files the
    # CLI writes carry importance_min/_km, cut_off_pct and od_efficiency_loss_pct instead.
    "importance": Column(
        "s",
        "Library table only: mean increase in OD travel time over the pairs that stay "
        "connected, in the units of the weight (seconds for travel_time, metres for length).",
    ),
    "unsatisfied": Column(
        "share",
        "Library table only: share (0-1) of the OD pairs connected before that the loss "
        "cuts off (written as cut_off_pct).",
    ),
    "efficiency_loss": Column(
        "share",
        "Library table only: 1 − E'/E, with the OD efficiency E = Σ 1/d over the OD pairs "
        "(0-1; written as od_efficiency_loss_pct).",
    ),
    "pairs_affected": Column("count", "OD pairs whose travel time or connection changes."),
    # ---- attack (resilience attack): one row per removal step
    "strategy": Column(_, "How places are chosen: betweenness, degree or random."),
    "step": Column("count", "Removal step (0 = the intact network)."),
    "removed": Column("count", "Places removed so far."),
    "fraction_removed": Column("share", "Places removed so far, as a share (0-1) of all."),
    "largest_component": Column(
        "share", "Share (0-1) of all places in the largest weakly connected piece."
    ),
    "od_efficiency": Column(
        "share", "OD efficiency Σ 1/d over the OD pairs, relative to the intact network."
    ),
    "od_connectivity": Column("share", "Share (0-1) of the OD pairs still connected."),
    "removed_at_step": Column(
        _, "Places removed at that step, by name (; between them; random: the first run's)."
    ),
}


def missing(names: Iterable[str]) -> list[str]:
    """Names not in the data dictionary (``geometry`` is never listed).

    Parameters
    ----------
    names
        Column names.

    Returns
    -------
    list of str
        Those without an entry, sorted and unique.
    """
    return sorted({n for n in names if n != "geometry" and n not in COLUMNS})


def dictionary_frame(names: Iterable[str]) -> pd.DataFrame:
    """The dictionary entries of some columns, in first-seen order, for a page's table.

    Parameters
    ----------
    names
        Column names (repeats and ``geometry`` left out).

    Returns
    -------
    pandas.DataFrame
        ``column``, ``unit``, ``definition``.

    Notes
    -----
    A name without an entry is listed as not yet defined rather than refused, so a new
    column elsewhere does not break the reports; a test (see :func:`missing`) keeps every
    written column listed.
    """
    seen = [n for n in dict.fromkeys(names) if n != "geometry"]
    blank = Column("?", "(not yet in the data dictionary)")
    return pd.DataFrame(
        {
            "column": seen,
            "unit": [COLUMNS.get(n, blank).unit for n in seen],
            "definition": [COLUMNS.get(n, blank).definition for n in seen],
        }
    )


def markdown() -> str:
    """The whole dictionary as the Markdown of ``docs/columns.md``.

    Returns
    -------
    str
        The document, ending in a newline.
    """
    head = (
        "# Columns\n\n"
        "Every column (and summary measure) the reports and their GIS layers write, with its\n"
        "unit and definition. Generated from `resilience/columns.py`; do not edit by hand\n"
        "(`python -c \"import resilience.columns as c; print(c.markdown(), end='')\" "
        "> docs/columns.md`).\n\n"
        "| column | unit | definition |\n|---|---|---|\n"
    )
    rows = "".join(
        f"| `{name}` | {col.unit} | {col.definition} |\n" for name, col in sorted(COLUMNS.items())
    )
    return head + rows
