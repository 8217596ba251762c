"""``redundancy``: the best way around each link closed alone (RA2CE's single-link table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from resilience import settings
from resilience.cli._common import (
    friendly,
    load_graph,
    out_dir,
    run_folder,
    show,
    write_manifest,
    written,
)
from resilience.cli._options import (
    BboxOpt,
    GraphOpt,
    ModeOpt,
    NodeCrossingsOpt,
    OutOpt,
    PointOpt,
    RadiusOpt,
    SnapOpt,
    StationsOpt,
    WeightOpt,
)

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = ["COMMANDS", "redundancy"]


def _lines(G: nx.MultiDiGraph[Any], table: pd.DataFrame) -> Any:
    """The table as a line layer: each link's own geometry, else a straight line."""
    import geopandas as gpd  # noqa: PLC0415 - only when writing the layer
    import shapely  # noqa: PLC0415

    from resilience.io import arrow_safe  # noqa: PLC0415

    geoms = []
    for u, v, k, xu, yu, xv, yv in zip(
        table["u"],
        table["v"],
        table["key"],
        table["x_u"],
        table["y_u"],
        table["x_v"],
        table["y_v"],
        strict=True,
    ):
        geom = G.edges[u, v, k].get("geometry")
        geoms.append(geom if geom is not None else shapely.LineString([(xu, yu), (xv, yv)]))
    return gpd.GeoDataFrame(arrow_safe(table), geometry=geoms, crs="EPSG:4326")


@friendly
def redundancy(
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to show.")] = 15,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    node_crossings: NodeCrossingsOpt = False,
    weight: WeightOpt = settings.DEFAULT_WEIGHT,
    out: OutOpt = None,
) -> None:
    """Close each link alone and report the best alternative between its ends.

    The single-link redundancy table of RA2CE: per link (a two-way road once, parallel
    links separately) its length, whether a detour exists, the detour's length and time
    (alt_length, diff_length in metres; alt_time_min in minutes) and its nodes; prints
    the longest detours. --weight
    length finds the shortest detour, travel_time the fastest. Writes redundancy.csv,
    redundancy.parquet, redundancy.gpkg (layer 'redundancy', the link lines) and run.json
    under REPORTS/redundancy/<weight>-<hash>/.

    Example: resilience redundancy --graph roads.shp --mode road --weight length
    """
    from resilience.analysis.redundancy import redundancy as run  # noqa: PLC0415
    from resilience.io import write_layers, write_table  # noqa: PLC0415

    G = load_graph(
        graph, mode, stations, bbox, point, radius_km, snap_m, node_crossings=node_crossings
    )
    if G.graph.get("noding"):
        typer.echo(f"noding: {G.graph['noding']}")
    table = run(G, weight=weight, jobs=jobs)
    cut = int((~table["detour"]).sum())
    worst = (
        table[table["detour"]]
        .sort_values("diff_length" if weight == "length" else "diff_time_min", ascending=False)
        .head(top)
    )
    shown = worst[["u", "v", "key", "source_id", "name", "ref", "mode", "length"]].copy()
    shown["length"] = shown["length"].round(1)
    shown["alt_length"] = worst["alt_length"].round(1)
    shown["diff_length"] = worst["diff_length"].round(1)
    shown["alt_time_min"] = worst["alt_time_min"].round(1)
    shown = shown.dropna(axis="columns", how="all")
    show(
        f"Single-link redundancy by {weight}: {len(table)} links, {len(table) - cut} with a "
        f"detour, {cut} without one (cut off); the longest detours (m, min):",
        shown,
    )
    # One folder per distinct run (options and input files hashed), with run.json.
    folder = run_folder(out_dir(out), "redundancy", weight)
    paths = write_table(table, folder, "redundancy")
    paths.append(write_layers({"redundancy": _lines(G, table)}, folder / "redundancy.gpkg"))
    written(write_manifest(folder, paths, G, weight=weight))


COMMANDS = {"redundancy": redundancy}
