"""``flow``: the tonnes per day that still reach the front, λ, and the named bottleneck."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from resilience.cli._common import (
    emit_json,
    friendly,
    load_graph,
    out_dir,
    removal,
    run_folder,
    show,
    target_slug,
    write_manifest,
    written,
)
from resilience.cli._options import (
    BboxOpt,
    CorridorOpt,
    DestOpt,
    EdgeOpt,
    GraphOpt,
    ModeOpt,
    NodeOpt,
    OriginOpt,
    OutOpt,
    PointOpt,
    PolygonOpt,
    RadiusOpt,
    RefOpt,
    SnapOpt,
    StationsOpt,
)
from resilience.errors import BadInputError

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx
    import pandas as pd

__all__ = ["COMMANDS", "flow"]


def _near(text: str) -> str:
    if text not in ("source", "target"):
        msg = f"must be source or target, not {text!r}"
        raise typer.BadParameter(msg)
    return text


CapacitiesOpt = Annotated[
    Path | None,
    typer.Option(
        "--capacities",
        metavar="FILE",
        help="CSV of capacities in t/day per direction: a capacity_t_per_day column and, per "
        "row, u,v[,key] (a link or transfer), ref (e.g. M30) or class (trunk, main, transfer).",
    ),
]
DemandTotalOpt = Annotated[
    float | None,
    typer.Option(
        "--demand-total",
        min=0.0,
        metavar="T",
        help="Total demand of the destinations, t/day, shared by the region's town weights "
        "(default: the region's, 20,000 on the embedded region).",
    ),
]
DemandOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--demand",
        metavar="NAME=T",
        help="Fix one destination's demand in t/day (repeatable), e.g. --demand pokrovsk=3000.",
    ),
]
SupplyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--supply",
        metavar="NAME=T",
        help="Bound one origin's supply in t/day for λ and deliveries (repeatable; default: "
        "unbounded). The maximum flow is always the network's own capacity.",
    ),
]
NearOpt = Annotated[
    str,
    typer.Option(
        "--near",
        parser=_near,
        metavar="source|target",
        help="Which capacity minimum cut to name when several bind equally: the one nearest "
        "the depots (source) or the front towns (target).",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the numbers as JSON only (no tables, no files).")
]


def _named_values(
    G: nx.MultiDiGraph[Any], items: list[str] | None, flag: str, allowed: list[Any]
) -> dict[Any, float]:
    from resilience.targets import endpoint  # noqa: PLC0415

    out: dict[Any, float] = {}
    for item in items or []:
        name, sep, value = item.rpartition("=")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not sep or not name.strip() or not number >= 0:
            msg = f"{flag} takes NAME=T, T in t/day >= 0 (e.g. pokrovsk=3000); got {item!r}"
            raise BadInputError(msg)
        node = endpoint(G, name.strip())
        if node not in allowed:
            kind = "destination" if flag == "--demand" else "origin"
            msg = f"{flag} {name.strip()!r} is not one of the {kind}s of this run"
            raise BadInputError(msg)
        if node in out:
            msg = f"{flag} names {name.strip()!r} twice; give each place once"
            raise BadInputError(msg)
        out[node] = number
    return out


def _links_layer(G: nx.MultiDiGraph[Any], links: pd.DataFrame) -> gpd.GeoDataFrame:
    """The link flows with each link's course (its own geometry, else a straight line)."""
    import geopandas as gpd  # noqa: PLC0415 - heavy import, only when writing layers
    import shapely  # noqa: PLC0415

    lookup = {str(n): n for n in G.nodes}
    geoms = []
    for row in links.itertuples():
        u, v = lookup[str(row.source)], lookup[str(row.target)]
        key = next(k for k in G[u][v] if str(k) == str(row.key))
        geom = G.edges[u, v, key].get("geometry")
        if not isinstance(geom, shapely.LineString):
            geom = shapely.LineString(
                [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
            )
        geoms.append(geom)
    return gpd.GeoDataFrame(links.copy(), geometry=geoms, crs="EPSG:4326")


def _no_cut(G: nx.MultiDiGraph[Any], gone: Any, origins: Any, destinations: Any) -> str:
    """Why no cut is named: the flow is 0 because a whole side left or no route is left."""
    if all(o in gone or o not in G for o in origins):
        return "none (every origin removed; nothing can be sent)"
    if all(d in gone or d not in G for d in destinations):
        return "none (every destination removed; nothing can be delivered)"
    return "none (no route is left from the origins to the destinations)"


def _no_out_with_json(as_json: bool, out: Path | None) -> None:
    """--json prints the answer and writes no files, so an --out beside it would be ignored."""
    if as_json and out is not None:
        msg = "--json prints the answer and writes no files; drop --out (or --json)"
        raise BadInputError(msg)


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:,.1f}{unit}"


@friendly
def flow(
    node: NodeOpt = None,
    ref: RefOpt = None,
    corridor: CorridorOpt = None,
    edge: EdgeOpt = None,
    polygon: PolygonOpt = None,
    origin: OriginOpt = None,
    destination: DestOpt = None,
    capacities: CapacitiesOpt = None,
    demand_total: DemandTotalOpt = None,
    demand: DemandOpt = None,
    supply: SupplyOpt = None,
    near: NearOpt = "source",
    as_json: JsonOpt = False,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    out: OutOpt = None,
) -> None:
    """How many tonnes a day still reach the front, and where the bottleneck is.

    Before and after removing the targets: the maximum flow from the depots to the front
    towns (t/day, the network's own capacity), the maximum concurrent flow λ (the share of
    every town's demand met at once; above 1 there is room to spare), each town's demand,
    delivery and share met, the capacity minimum cut (the links and transfers that bound
    the flow) and the mean travel time per tonne of the fastest routing of the maximum.
    Capacities are per-class defaults (graphs/README.md), the region's overrides and
    --capacities. Writes summary, destinations, cut and links (CSV; links also Parquet
    and a GeoPackage layer for QGIS) and run.json under REPORTS/flow/<targets>-<hash>/.

    Example: resilience flow --node pokrovsk
    """
    _no_out_with_json(as_json, out)
    from resilience.analysis.flow import analyse_flow  # noqa: PLC0415
    from resilience.capacity import assign_capacities  # noqa: PLC0415
    from resilience.io import write_frames, write_layers, write_table  # noqa: PLC0415
    from resilience.supply import demand_t_per_day, read_capacities  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    # With --json stdout holds the JSON alone: notes the shared loading and target glue
    # prints (the date analysed, a target already lost) go to stderr instead.
    quiet = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    with quiet:
        G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
        removed = removal(G, node, ref, corridor, edge, polygon)
    overrides = read_capacities(capacities, G) if capacities is not None else None
    # Graphs from files carry no capacities (or the embedded region's defaults): set them
    # here with the user's file on top, for any graph source.
    assign_capacities(G, overrides)
    if removed.empty and (node or ref or corridor or edge or polygon):
        typer.echo("note: the targets remove nothing from this graph", err=True)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    fixed = _named_values(G, demand, "--demand", destinations)
    bounds = _named_values(G, supply, "--supply", origins)
    if demand_total is not None and set(destinations) <= set(fixed):
        msg = "--demand-total has no town left to share it: every destination has a --demand"
        raise BadInputError(msg)
    demands = demand_t_per_day(G, destinations, total_t_per_day=demand_total, demand=fixed)
    result = analyse_flow(
        G, removed, origins, destinations, demand=demands, supply=bounds, near=near
    )
    if as_json:
        emit_json(result.to_json())
        return

    before, after = result.max_flow_before_t_per_day, result.max_flow_after_t_per_day
    lost_pct = 100.0 * (before - after) / before if before else 0.0
    label = ", ".join(removed.labels) or "nothing (baseline)"
    typer.echo(
        f"Removed: {label} — {len(removed.nodes)} node(s), {len(removed.edges)} extra edge(s)"
    )
    typer.echo(
        f"Deliverable to the front: {before:,} t/day before, {after:,} after "
        f"(-{before - after:,}, -{lost_pct:.1f} %)"
    )
    typer.echo(
        f"Concurrent share λ: {result.lambda_before:.3f} before, {result.lambda_after:.3f} "
        f"after (demand {result.total_demand_t_per_day:,.0f} t/day; λ >= 1: every town met)"
    )
    typer.echo(
        f"Mean travel time per tonne: {_fmt(result.mean_travel_time_before_min, ' min')} "
        f"before, {_fmt(result.mean_travel_time_after_min, ' min')} after"
    )
    typer.echo(
        "Bottleneck after (capacity minimum cut): "
        + ("; ".join(result.bottleneck_after) or _no_cut(G, removed.nodes, origins, destinations))
    )
    saturated = result.links[result.links["saturated_after"]] if len(result.links) else None
    if saturated is not None:
        typer.echo(
            f"Saturated links after (full in the fastest routing of the maximum): "
            f"{len(saturated)} of {len(result.links)} (links.csv)"
        )
    show("Front towns (t/day)", result.destinations)
    show(
        "Capacity minimum cut after",
        result.cut[result.cut["when"] == "after"].drop(columns=["when"]),
    )
    folder = run_folder(out_dir(out), "flow", target_slug(G, removed))
    paths = write_frames(
        {"summary": result.summary, "destinations": result.destinations, "cut": result.cut},
        folder,
    )
    paths += write_table(result.links, folder, "links", formats=("csv", "parquet"))
    paths.append(write_layers({"links": _links_layer(G, result.links)}, folder / "links.gpkg"))
    written(sorted(write_manifest(folder, paths, G, origins=origins, destinations=destinations)))


#: Command name → function, in the order ``--help`` lists them.
COMMANDS = {"flow": flow}
