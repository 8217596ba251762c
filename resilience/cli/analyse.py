"""``cut``, ``centrality``, ``mincut``, ``paths`` and ``places``: analyses of one network."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from resilience import settings
from resilience.cli._common import (
    emit_json,
    endpoints,
    friendly,
    load_graph,
    out_dir,
    records,
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
    JsonOpt,
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
    as_json: JsonOpt = False,
    export_network: Annotated[
        bool,
        typer.Option(
            "--export-network",
            help="Also write layers.gpkg for a GIS: each pair's route before and after, "
            "the damaged network, the removed links and places.",
        ),
    ] = False,
) -> None:
    """Remove targets and report what happens to supply.

    For every origin→destination pair: travel time before and after (time_*_min; with
    --weight length, length_*_km), detour %, status (ok, detour, cut off = no route left,
    lost = an end itself removed) and the edge-disjoint supply paths left; then the
    connected pieces left, network efficiency and, where links carry capacities, the
    tonnes a day still deliverable and the share of demand met (λ). Writes od.csv,
    summary.csv, components.csv (with --export-network also layers.gpkg, EPSG:4326:
    'routes', each pair's route before and after as lines with times, 'network_after',
    'removed_links', 'removed_places') and run.json (what produced them) under
    REPORTS/cut/<targets>-<hash>/, one folder per distinct run.

    Example: resilience cut --node pokrovsk --ref M30
    """
    # Plain rows, no pandas: the embedded region's cut starts in under a second.
    from resilience.analysis.impact import (  # noqa: PLC0415
        COMPONENT_COLUMNS,
        SUMMARY_COLUMNS,
        cut_rows,
        flow_rows,
    )
    from resilience.cli._common import row_records, show_rows  # noqa: PLC0415
    from resilience.io import write_layers, write_rows  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415
    from resilience.targets.names import link_count  # noqa: PLC0415

    folder = out_dir(out)
    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    removed = removal(G, node, ref, corridor, edge, polygon)
    if removed.empty and (node or ref or corridor or edge or polygon):
        typer.echo("note: the targets remove nothing from this graph", err=True)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    result = cut_rows(G, removed, origins, destinations, weight=weight)
    summary = [*result.summary, *flow_rows(G, removed, origins, destinations)]
    # (rows, columns, typed): the summary mixes counts and decimals, kept as they are.
    tables = {
        "components": (result.components, COMPONENT_COLUMNS, True),
        "od": (result.od, result.od_columns, True),
        "summary": (summary, SUMMARY_COLUMNS, False),
    }
    label = ", ".join(removed.labels) or "nothing (baseline)"
    links = link_count(removed.edges)
    headline = (
        f"Removed: {label} — {len(removed.nodes)} node(s), {links} further link(s) "
        f"({len(removed.edges)} link direction(s))"
    )
    folder = run_folder(folder, "cut", target_slug(G, removed))
    files = [
        write_rows(rows, cols, folder / f"{name}.csv", typed=typed)
        for name, (rows, cols, typed) in tables.items()
    ]
    if export_network:
        from resilience.reports.layers import cut_layers  # noqa: PLC0415 - geo stack

        layers = cut_layers(G, removed, origins, destinations, weight=weight, network=True)
        files.append(write_layers(layers, folder / "layers.gpkg"))
    files = write_manifest(
        folder, files, G, weight=weight, origins=origins, destinations=destinations
    )
    if as_json:
        typer.echo(headline, err=True)
        emit_json(
            {
                "command": "cut",
                "removed": list(removed.labels),
                "nodes_removed": len(removed.nodes),
                "links_removed": links,
                "weight": weight,
                "summary": row_records(summary, SUMMARY_COLUMNS, typed=False),
                "od": row_records(result.od, result.od_columns),
                "folder": str(folder),
                "files": [p.name for p in files],
            }
        )
        return
    typer.echo(headline)
    show_rows("Supply pairs", result.od, result.od_columns)
    show_rows("Network", summary, SUMMARY_COLUMNS, typed=False)
    show_rows("Connected pieces left", result.components, COMPONENT_COLUMNS)
    written(files)


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
    epsilon: Annotated[
        float | None,
        typer.Option(
            "--epsilon",
            metavar="E",
            help="Estimate from enough sampled sources that every value is within E of the "
            "exact one (values are normalised to 0-1) with probability 1-D (default: exact).",
        ),
    ] = None,
    delta: Annotated[
        float | None,
        typer.Option(
            "--delta",
            metavar="D",
            help="Failure probability of the --epsilon bound, between 0 and 1 [default: 0.1].",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --samples / --epsilon.")] = 0,
    weight: WeightOpt = settings.DEFAULT_WEIGHT,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank places and links by betweenness centrality (weighted by travel time).

    A two-way link is one row (its two directions' betweenness added). Exact by default;
    --epsilon E [--delta D] estimates every value within E of the exact one with
    probability 1-D from sampled sources (for large networks: the sample size depends on
    the number of places, E and D, not on the links). Writes nodes.csv, edges.csv (every
    element, ranked) and run.json (with the estimate's settings and sample size) under
    REPORTS/centrality/<exact|sampled-K|epsilon-E-delta-D>-<hash>/.

    Example: resilience centrality --top 10 --epsilon 0.05
    """
    from resilience.analysis.centrality import betweenness_tables  # noqa: PLC0415
    from resilience.analysis.impact import links_once  # noqa: PLC0415
    from resilience.io import write_frames  # noqa: PLC0415

    estimate = _estimate_settings(samples, epsilon, delta)
    base = out_dir(out)
    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    nodes, edges = betweenness_tables(
        G, weight=weight, samples=samples, seed=seed, epsilon=epsilon, delta=estimate[1]
    )
    # A two-way link is one element: its two directions are one row, ranked once.
    edges = links_once(edges)
    kind, stem, facts = _estimate_kind(G, samples, epsilon, estimate[1], seed)
    folder = run_folder(base, "centrality", stem)
    files = write_manifest(
        folder,
        write_frames({"nodes": nodes, "edges": edges}, folder),
        G,
        weight=weight,
        seeds=None if samples is None and epsilon is None else {"betweenness": seed},
        extra={"estimate": facts} if facts else None,
    )
    if as_json:
        emit_json(
            {
                "command": "centrality",
                "kind": kind,
                "estimate": facts or None,
                "places": records(nodes.drop(columns=["node"]).head(top)),
                "links": records(edges.drop(columns=["u", "v", "key"]).head(top)),
                "folder": str(folder),
            }
        )
        return
    show(f"Places by betweenness ({kind})", nodes.drop(columns=["node"]).head(top))
    show(f"Links by betweenness ({kind})", edges.drop(columns=["u", "v", "key"]).head(top))
    if facts and facts["sources_sampled"] < facts["nodes"]:
        typer.echo(f"\nnote: these values are estimates ({kind})")
    written(files)


def _estimate_settings(
    samples: int | None, epsilon: float | None, delta: float | None
) -> tuple[float | None, float]:
    """Check --samples/--epsilon/--delta before any loading; ``(epsilon, delta)``."""
    if epsilon is not None and samples is not None:
        msg = "--epsilon and --samples are two ways to sample: give one"
        raise BadInputError(msg)
    if delta is not None and epsilon is None:
        msg = "--delta bounds the --epsilon estimate: give --epsilon too"
        raise BadInputError(msg)
    if epsilon is not None and not 0 < epsilon < 1:
        msg = f"--epsilon must be above 0 and below 1 (betweenness is 0-1), not {epsilon}"
        raise BadInputError(msg)
    if delta is not None and not 0 < delta < 1:
        msg = f"--delta must be a probability above 0 and below 1, not {delta}"
        raise BadInputError(msg)
    return epsilon, 0.1 if delta is None else delta


def _estimate_kind(
    G: Any, samples: int | None, epsilon: float | None, delta: float, seed: int
) -> tuple[str, str, dict[str, Any]]:
    """The estimate's title words, folder stem and run.json facts (empty when exact)."""
    n = G.number_of_nodes()
    if epsilon is not None:
        from resilience.analysis.centrality import sources_sampled  # noqa: PLC0415

        k = sources_sampled(n, epsilon, delta)
        facts = {
            "method": "sampled sources, Hoeffding bound",
            "epsilon": epsilon,
            "delta": delta,
            "sources_sampled": k,
            "nodes": n,
            "seed": seed,
        }
        kind = (
            f"estimate within ±{epsilon:g} with probability {1 - delta:g}, "
            f"{k} of {n} sources, seed {seed}"
            if k < n
            else f"exact: ±{epsilon:g} with probability {1 - delta:g} needs all {n} sources"
        )
        return kind, f"epsilon-{epsilon:g}-delta-{delta:g}", facts
    if samples is not None:
        facts = {
            "method": "networkx sampled sources",
            "sources_sampled": min(samples, n),
            "nodes": n,
            "seed": seed,
        }
        return f"sampled, {samples} sources, seed {seed}", f"sampled-{samples}", facts
    return "exact", "exact", {}


def _local(G: Any, ends: list[Any]) -> set[Any]:
    """An end's own nodes: each place with its stations (a station goes with its town)."""
    own = set(ends)
    own |= {n for n, place in G.nodes(data="place") if place and place in own}
    return own


def _cut_frame(G: Any, cut: list[Any] | None) -> Any:
    import pandas as pd  # noqa: PLC0415

    from resilience.network import edge_label, node_label  # noqa: PLC0415

    cols = ["u", "v", "key", "from", "to", "mode", "ref", "label"]
    rows = [
        {
            "u": u,
            "v": v,
            "key": k,
            "from": node_label(G, u),
            "to": node_label(G, v),
            "mode": G.edges[u, v, k].get("mode", ""),
            "ref": str(G.edges[u, v, k].get("ref") or ""),
            "label": edge_label(G, u, v, k),
        }
        for u, v, k in cut or []
    ]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.sort_values(["from", "to", "key"], ignore_index=True) if rows else frame


def _vertex_frame(G: Any, found: list[Any]) -> Any:
    import pandas as pd  # noqa: PLC0415

    from resilience.network import node_label  # noqa: PLC0415

    rows = [
        {
            "node": n,
            "name": node_label(G, n),
            "kind": G.nodes[n].get("kind", ""),
            "x": G.nodes[n].get("x"),
            "y": G.nodes[n].get("y"),
        }
        for n in found
    ]
    frame = pd.DataFrame(rows, columns=["node", "name", "kind", "x", "y"])
    return frame.sort_values(["name"], key=lambda c: c.astype(str), ignore_index=True)


def _grown(G: Any, own: set[Any]) -> set[Any]:
    """A side grown by one hop: its own nodes and every node one link away."""
    return own | {m for n in own for m in (*G.successors(n), *G.predecessors(n))}


@friendly
def mincut(  # noqa: C901, PLR0912, PLR0915 - one command's glue, read top to bottom
    source: Annotated[
        list[str],
        typer.Option(
            "--source", "-s", help="Supply origin (repeatable: a group, e.g. the rear depots)."
        ),
    ],
    target: Annotated[
        list[str],
        typer.Option("--target", "-t", help="Destination (repeatable: a group of front towns)."),
    ],
    near: Annotated[
        str,
        typer.Option(
            "--near",
            help="Minimum cuts are not unique: report the one nearest the target (the last "
            "chokepoints before it) or the source.",
        ),
    ] = "target",
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
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The minimum edge cut and minimum vertex cut between two places or two groups.

    The edge cut is the fewest road/rail links whose loss stops all supply from the
    sources to the targets; the vertex cut the fewest places. Targets (--node, --ref, ...)
    are removed first. When the minimum cut is only the links at one end (a town's own
    roads), it says so and also reports the smallest cut away from the ends: the rule is
    to grow each side by one hop (every place linked directly to a source, or to a
    target, joins that side) and cut between the grown sides; none exists when the sides
    then meet. Writes edge_cut.csv, vertex_cut.csv (and edge_cut_away.csv), run.json under
    REPORTS/mincut/<sources>-<targets>-<hash>/.

    Example: resilience mincut --source dnipro --source pavlohrad --target myrnohrad
    """
    from resilience.analysis.cuts import min_cut  # noqa: PLC0415
    from resilience.io import write_frames  # noqa: PLC0415
    from resilience.targets import apply_removal, endpoint, normalize_name  # noqa: PLC0415

    if near not in ("target", "source"):
        msg = f"--near must be target or source, not {near!r}"
        raise BadInputError(msg)
    base = out_dir(out)
    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    src = list(dict.fromkeys(endpoint(G, n) for n in source))
    dst = list(dict.fromkeys(endpoint(G, n) for n in target))
    both = sorted(set(src) & set(dst), key=str)
    if both:
        msg = f"a place is both a --source and a --target ({', '.join(map(str, both))})"
        raise BadInputError(msg)
    removed = removal(G, node, ref, corridor, edge, polygon)
    gone = [n for n in (*src, *dst) if n in removed.nodes]
    if gone:
        msg = f"{', '.join(map(str, gone))} is itself removed by the targets"
        raise BadInputError(msg)
    H = apply_removal(G, removed)
    side = "target" if near == "target" else "source"
    cut = min_cut(H, src, dst, kind="edge", near=side, engine="auto")  # type: ignore[arg-type]
    vertex = min_cut(H, src, dst, kind="vertex", near=side, engine="auto")  # type: ignore[arg-type]
    edges, vertices = _cut_frame(H, cut), _vertex_frame(H, vertex or [])
    names = " + ".join(source), " + ".join(target)
    own_s, own_t = _local(H, src), _local(H, dst)
    at_end = ""
    if cut:
        if all(v in own_t for _, v, _ in cut):
            at_end = "target"
        elif all(u in own_s for u, _, _ in cut):
            at_end = "source"
    frames = {"edge_cut": edges, "vertex_cut": vertices}
    away_note, away = "", None
    if at_end:
        grown_s, grown_t = _grown(H, own_s), _grown(H, own_t)
        if grown_s & grown_t:
            away_note = "no cut away from the ends: the two sides are one link apart"
        else:
            ends = sorted(grown_s, key=str), sorted(grown_t, key=str)
            away = _cut_frame(H, min_cut(H, *ends, engine="auto"))
            frames["edge_cut_away"] = away
    folder = run_folder(base, "mincut", f"{normalize_name(names[0])}-{normalize_name(names[1])}")
    files = write_manifest(folder, write_frames(frames, folder), H, origins=src, destinations=dst)
    if as_json:
        emit_json(
            {
                "command": "mincut",
                "sources": source,
                "targets": target,
                "removed": list(removed.labels),
                "edge_cut_links": len(edges),
                "edge_cut": records(edges.drop(columns=["u", "v", "key"])),
                "edge_cut_only_at_end": at_end or None,
                "edge_cut_away": None
                if away is None
                else records(away.drop(columns=["u", "v", "key"])),
                "vertex_cut": None if vertex is None else records(vertices[["name", "kind"]]),
                "folder": str(folder),
            }
        )
        return
    show(
        f"Minimum edge cut {names[0]} → {names[1]}: {len(edges)} link(s)",
        edges[["from", "to", "mode", "ref", "label"]],
    )
    if at_end:
        end = names[1] if at_end == "target" else names[0]
        typer.echo(f"\nnote: this minimum cut is only the links at the {at_end} ({end}) itself")
        if away is not None:
            show(
                "Smallest cut away from the ends (each side grown by one hop): "
                f"{len(away)} link(s)",
                away[["from", "to", "mode", "ref", "label"]],
            )
        else:
            typer.echo(away_note)
    if vertex is None:
        typer.echo(f"\nMinimum vertex cut: none — {names[0]} and {names[1]} are directly linked")
    else:
        show(
            f"Minimum vertex cut {names[0]} → {names[1]}: {len(vertices)} place(s)",
            vertices[["name", "kind"]],
        )
    written(files)


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
    as_json: JsonOpt = False,
) -> None:
    """The shortest supply path and the edge-disjoint alternatives, after optional removals.

    The alternatives are the largest set of paths sharing no link, with the least total
    travel time (travel_time_min; with --weight length, distance_km). Writes paths.csv and
    run.json under REPORTS/paths/<source>-<target>[+without-<targets>]-<hash>/.

    Example: resilience paths --source dnipro --target kramatorsk --node pokrovsk
    """
    from resilience.analysis.paths import paths_table  # noqa: PLC0415
    from resilience.io import write_frames  # noqa: PLC0415
    from resilience.targets import apply_removal, normalize_name  # noqa: PLC0415

    base = out_dir(out)
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
    stem = f"{normalize_name(source)}-{normalize_name(target)}"
    if removed.labels:
        stem += f"+without-{target_slug(G, removed)}"
    folder = run_folder(base, "paths", stem)
    files = write_manifest(
        folder,
        write_frames({"paths": table}, folder),
        H,
        weight=weight,
        origins=[s],
        destinations=[t],
    )
    if as_json:
        emit_json(
            {
                "command": "paths",
                "source": source,
                "target": target,
                "removed": list(removed.labels),
                "weight": weight,
                "cut_off": table.empty,
                "paths": records(table),
                "folder": str(folder),
            }
        )
        return
    if table.empty:
        typer.echo(f"No route from {source} to {target}{without}: it is cut off.")
    else:
        show(f"Supply paths {source} → {target}{without}", table)
    written(files)


@friendly
def places(
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the places, refs and corridors that targets can name.

    Example: resilience places
    """
    import pandas as pd  # noqa: PLC0415

    from resilience.errors import ResilienceError  # noqa: PLC0415
    from resilience.targets import _ref_tokens, graph_corridors_file, load_corridors  # noqa: PLC0415
    from resilience.targets.areas import corridor_area  # noqa: PLC0415

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
    tokens: set[str] = set()
    value: Any
    for _u, _v, value in G.edges(data="ref"):
        tokens |= _ref_tokens(value)
    refs = sorted(tokens)
    corr = load_corridors(graph_corridors_file(G))
    # The region's corridors apply to any graph of the same area, but only those that
    # reach this graph can be named: list those, and say how many lie outside.
    inside, outside = [], 0
    for spec in corr.values():
        try:
            hit_nodes, hit_edges = corridor_area(G, spec["name"])
        except ResilienceError:
            hit_nodes, hit_edges = frozenset(), frozenset()
        if hit_nodes or hit_edges:
            inside.append(spec)
        else:
            outside += 1
    if as_json:
        emit_json(
            {
                "command": "places",
                "places": rows,
                "refs": refs,
                "corridors": [{"name": c["name"], "title": c["title"]} for c in inside],
                "corridors_outside_graph": outside,
            }
        )
        return
    show("Places", pd.DataFrame(rows).sort_values("id") if rows else pd.DataFrame())
    typer.echo(f"\nRefs: {', '.join(refs) or '(none)'}")
    typer.echo("\nCorridors:" + ("" if inside else " (none in this graph)"))
    for spec in inside:
        typer.echo(f"  {spec['name']}: {spec['title']}")
    if outside:
        typer.echo(f"  ({outside} corridor(s) of the embedded region lie outside this graph)")


#: Command name → function, in the order ``--help`` lists them.
COMMANDS = {
    "cut": cut,
    "centrality": centrality,
    "mincut": mincut,
    "paths": paths,
    "places": places,
}
