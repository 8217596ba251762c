"""``cut``, ``centrality``, ``mincut``, ``paths`` and ``places``: analyses of one network."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from resilience import settings
from resilience.cli._common import endpoints, friendly, load_graph, out_dir, removal, show, written
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
    SourceOpt,
    StationsOpt,
    TargetOpt,
    WeightOpt,
)
from resilience.errors import BadInputError

__all__ = ["COMMANDS", "centrality", "cut", "mincut", "paths", "places"]


@friendly
def cut(
    node: NodeOpt = None,
    ref: RefOpt = None,
    corridor: CorridorOpt = None,
    edge: EdgeOpt = None,
    polygon: PolygonOpt = None,
    origin: OriginOpt = None,
    destination: DestOpt = None,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    weight: WeightOpt = settings.DEFAULT_WEIGHT,
    out: OutOpt = None,
) -> None:
    """Remove targets and report what happens to supply.

    For every origin→destination pair: travel time before and after, detour %, whether it
    is cut off, and the edge-disjoint supply paths left; then the connected pieces left and
    global efficiency. Writes od.csv, summary.csv and components.csv under
    REPORTS/cut/<targets>/.

    Example: resilience cut --node pokrovsk --ref M30
    """
    from resilience.analysis.impact import cut as run_cut  # noqa: PLC0415
    from resilience.io import write_frames  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    removed = removal(G, node, ref, corridor, edge, polygon)
    if removed.empty and (node or ref or corridor or edge or polygon):
        typer.echo("note: the targets remove nothing from this graph", err=True)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    result = run_cut(G, removed, origins, destinations, weight=weight)
    label = ", ".join(removed.labels) or "nothing (baseline)"
    typer.echo(
        f"Removed: {label} — {len(removed.nodes)} node(s), {len(removed.edges)} extra edge(s)"
    )
    show("Supply pairs", result.od)
    show("Network", result.summary)
    show("Connected pieces left", result.components)
    folder = out_dir(out) / "cut" / removed.slug()
    written(
        write_frames(
            {"od": result.od, "summary": result.summary, "components": result.components}, folder
        )
    )


@friendly
def centrality(
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to show.")] = 15,
    samples: Annotated[
        int | None,
        typer.Option("--samples", min=1, help="Sample this many source nodes (default: exact)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --samples.")] = 0,
    weight: WeightOpt = settings.DEFAULT_WEIGHT,
    out: OutOpt = None,
) -> None:
    """Rank places and links by betweenness centrality (weighted by travel time).

    Writes nodes.csv and edges.csv (every element, ranked) under REPORTS/centrality/.

    Example: resilience centrality --top 10
    """
    from resilience.analysis.centrality import edge_betweenness, node_betweenness  # noqa: PLC0415
    from resilience.io import write_frames  # noqa: PLC0415

    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    nodes = node_betweenness(G, weight=weight, samples=samples, seed=seed)
    edges = edge_betweenness(G, weight=weight, samples=samples, seed=seed)
    kind = "exact" if samples is None else f"sampled, {samples} sources, seed {seed}"
    show(f"Places by betweenness ({kind})", nodes.drop(columns=["node"]).head(top))
    show(f"Links by betweenness ({kind})", edges.drop(columns=["u", "v", "key"]).head(top))
    written(write_frames({"nodes": nodes, "edges": edges}, out_dir(out) / "centrality"))


@friendly
def mincut(
    source: SourceOpt,
    target: TargetOpt,
    near: Annotated[
        str,
        typer.Option(
            "--near",
            help="Minimum cuts are not unique: report the one nearest the target (the last "
            "chokepoints before it) or the source.",
        ),
    ] = "target",
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    out: OutOpt = None,
) -> None:
    """The minimum edge cut and minimum vertex cut between two places.

    The edge cut is the fewest road/rail links whose loss stops all supply from SOURCE to
    TARGET; the vertex cut the fewest places. Writes edge_cut.csv and vertex_cut.csv under
    REPORTS/mincut/<source>-<target>/.

    Example: resilience mincut --source dnipro --target myrnohrad
    """
    import pandas as pd  # noqa: PLC0415

    from resilience.analysis.cuts import min_edge_cut, min_vertex_cut  # noqa: PLC0415
    from resilience.io import write_frames  # noqa: PLC0415
    from resilience.targets import normalize_name  # noqa: PLC0415

    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    s, t = endpoints(G, source, target)
    edges = min_edge_cut(G, s, t, near=near)
    vertices = min_vertex_cut(G, s, t, near=near)
    show(
        f"Minimum edge cut {source} → {target}: {len(edges)} link(s)",
        edges[["from", "to", "mode", "ref", "label"]],
    )
    if vertices is None:
        typer.echo(f"\nMinimum vertex cut: none — {source} and {target} are directly linked")
        vertices = pd.DataFrame(columns=["node", "name", "kind", "x", "y"])
    else:
        show(
            f"Minimum vertex cut {source} → {target}: {len(vertices)} place(s)",
            vertices[["name", "kind"]],
        )
    folder = out_dir(out) / "mincut" / f"{normalize_name(source)}-{normalize_name(target)}"
    written(write_frames({"edge_cut": edges, "vertex_cut": vertices}, folder))


@friendly
def paths(
    source: SourceOpt,
    target: Annotated[str, typer.Option("--target", "-t", help="Destination, e.g. kramatorsk.")],
    node: NodeOpt = None,
    ref: RefOpt = None,
    corridor: CorridorOpt = None,
    edge: EdgeOpt = None,
    polygon: PolygonOpt = None,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    weight: WeightOpt = settings.DEFAULT_WEIGHT,
    out: OutOpt = None,
) -> None:
    """The shortest supply path and the edge-disjoint alternatives, after optional removals.

    The alternatives are the largest set of paths sharing no link, with the least total
    travel time. Writes paths.csv under REPORTS/paths/<source>-<target>/.

    Example: resilience paths --source dnipro --target kramatorsk --node pokrovsk
    """
    from resilience.analysis.paths import paths_table  # noqa: PLC0415
    from resilience.io import write_frames  # noqa: PLC0415
    from resilience.targets import apply_removal, normalize_name  # noqa: PLC0415

    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    s, t = endpoints(G, source, target)
    removed = removal(G, node, ref, corridor, edge, polygon)
    for name, n in ((source, s), (target, t)):
        if n in removed.nodes:
            msg = f"{name!r} is itself removed by the targets"
            raise BadInputError(msg)
    H = apply_removal(G, removed)
    table = paths_table(H, s, t, weight=weight)
    without = f" without {', '.join(removed.labels)}" if removed.labels else ""
    if table.empty:
        typer.echo(f"No route from {source} to {target}{without}: it is cut off.")
    else:
        show(f"Supply paths {source} → {target}{without}", table)
    folder = out_dir(out) / "paths" / f"{normalize_name(source)}-{normalize_name(target)}"
    if removed.labels:
        folder = folder / removed.slug()
    written(write_frames({"paths": table}, folder))


@friendly
def places(
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
) -> None:
    """List the places, refs and corridors that targets can name.

    Example: resilience places
    """
    import pandas as pd  # noqa: PLC0415

    from resilience.targets import _ref_tokens, graph_corridors_file, load_corridors  # noqa: PLC0415

    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    rows = [
        {
            "id": n,
            "name": d.get("name", ""),
            "kind": d.get("kind", ""),
            "aliases": d.get("aliases", ""),
        }
        for n, d in G.nodes(data=True)
        if d.get("name")
    ]
    show("Places", pd.DataFrame(rows).sort_values("id") if rows else pd.DataFrame())
    tokens: set[str] = set()
    value: Any
    for _u, _v, value in G.edges(data="ref"):
        tokens |= _ref_tokens(value)
    refs = sorted(tokens)
    typer.echo(f"\nRefs: {', '.join(refs) or '(none)'}")
    corr = load_corridors(graph_corridors_file(G))
    typer.echo("\nCorridors:")
    for spec in corr.values():
        typer.echo(f"  {spec['name']}: {spec['title']}")


#: Command name → function, in the order ``--help`` lists them.
COMMANDS = {
    "cut": cut,
    "centrality": centrality,
    "mincut": mincut,
    "paths": paths,
    "places": places,
}
