"""Commands for scenario files, comparisons, front-line timelines and the reports folder.

``run``, ``compare``, ``timeline`` and ``report``; :mod:`resilience.cli` registers them.
"""

from __future__ import annotations

import copy
import math
import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from resilience import settings
from resilience.cli._common import (
    emit_json,
    friendly,
    load_graph,
    out_dir,
    records,
    run_folder,
    show,
    write_manifest,
    written,
)
from resilience.cli._options import (
    MAX_BUFFER_M,
    AsOfOpt,
    BboxOpt,
    DestOpt,
    GraphOpt,
    JsonOpt,
    ModeOpt,
    OriginOpt,
    OutOpt,
    PointOpt,
    PreWarOpt,
    RadiusOpt,
    SnapOpt,
    StationsOpt,
)
from resilience.errors import BadInputError, BadScenarioError

if TYPE_CHECKING:
    import networkx as nx

    from resilience.scenario import ScenarioResult

__all__ = ["COMMANDS", "compare_cmd", "report", "run", "timeline_cmd"]

ScenarioArg = Annotated[
    list[Path],
    typer.Argument(
        help="Scenario TOML file(s), or names of files under scenarios/ (e.g. pokrovsk-falls).",
        metavar="SCENARIO...",
        show_default=False,
    ),
]


def _scenario_path(spec: Path) -> Path:
    """A file as given, else ``<spec>.toml`` among the shipped scenarios."""
    if spec.is_file() or spec.suffix == ".toml":
        return spec
    folder = settings.scenarios_dir()
    named = folder / f"{spec}.toml"
    if named.is_file():
        return named
    known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "none"
    msg = f"{spec}: no such scenario file, nor a scenario of that name (known: {known})"
    raise BadScenarioError(msg)


def _option_help(option: Any, text: str) -> Any:
    """The shared option's typer info (flag, metavar) with help worded for scenarios."""
    info = copy.copy(typing.get_args(option)[1])
    info.help = text
    return info


# One definition of --as-of / --pre-war (resilience.cli._options); only the default differs.
ScenarioAsOfOpt = Annotated[
    str | None,
    _option_help(
        AsOfOpt,
        "Analyse every scenario on this day instead of its own as_of: YYYY-MM-DD or latest "
        "(default: each scenario's own as_of, else the region's reference date).",
    ),
]
ScenarioPreWarOpt = Annotated[
    bool, _option_help(PreWarOpt, "Analyse every scenario on the network without any occupation.")
]


def _date_override(as_of: str | None, pre_war: bool) -> str | None:
    """--as-of / --pre-war as a scenario ``as_of`` value, or ``None`` to keep each one's own.

    A malformed date is refused here, in one line naming the option, before any scenario
    runs (inside a scenario the error would name the scenario file).
    """
    from resilience.frontline import parse_date  # noqa: PLC0415

    if pre_war:
        if as_of is not None:
            msg = "give either --pre-war or --as-of, not both"
            raise BadInputError(msg)
        return "pre-war"
    if as_of is None:
        return None
    if as_of.strip().lower() == "latest":
        return "latest"
    return parse_date(as_of.strip(), what="--as-of").isoformat()


def _results(
    specs: list[Path],
    graph: str | None,
    network: Callable[[], nx.MultiDiGraph[Any] | None],
    as_of: str | None = None,
) -> list[ScenarioResult]:
    from resilience.scenario import load_scenario, run_scenario  # noqa: PLC0415

    scenarios = [load_scenario(_scenario_path(s)) for s in specs]
    _unique_names(scenarios)
    G = network()
    # --graph overrides every scenario's own graph, loaded once for all of them; --as-of /
    # --pre-war every scenario's own date (the graph stays undated so each one dates it).
    update: dict[str, Any] = {"graph": graph} if graph else {}
    if as_of is not None:
        update["as_of"] = as_of
    return [run_scenario(sc.model_copy(update=update) if update else sc, G) for sc in scenarios]


def _analysis_date(res: ScenarioResult) -> str:
    """The scenario's analysis date and the layer its occupation came from, one line."""
    import datetime as dt  # noqa: PLC0415

    from resilience.asof import AsOf  # noqa: PLC0415

    label = str(res.graph.graph.get("as_of", "pre-war"))
    layer = str(res.graph.graph.get("as_of_layer", "none"))
    day = None if label == "pre-war" else dt.date.fromisoformat(label)
    return AsOf(day, layer).describe()


def _unique_names(scenarios: list[Any]) -> None:
    """Refuse two scenarios of one name: their reports would share (overwrite) a folder."""
    seen: dict[str, Any] = {}
    for sc in scenarios:
        if sc.name in seen and seen[sc.name].source != sc.source:
            msg = (
                f"two scenarios are named {sc.name!r} ({seen[sc.name].source}, {sc.source}); "
                "give one another name"
            )
            raise BadScenarioError(msg)
        seen[sc.name] = sc


def _override(
    graph: str | None,
    mode: str | None,
    stations: Path | None,
    bbox: str | None,
    point: str | None,
    radius_km: float | None,
    snap_m: float | None,
) -> nx.MultiDiGraph[Any] | None:
    """The network --graph names for every scenario, or ``None`` to use each one's own."""
    if graph is None:
        given = (mode, stations, bbox, point, radius_km, snap_m)
        if any(v is not None for v in given):
            msg = "the graph options need --graph (each scenario otherwise names its own graph)"
            raise BadInputError(msg)
        return None
    return load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)


@friendly
def run(
    scenario: ScenarioArg,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    as_of: ScenarioAsOfOpt = None,
    pre_war: ScenarioPreWarOpt = False,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run scenario files and write each one's report.

    For each scenario: OD travel times before and after, pairs cut off, efficiency loss,
    the minimum cut between origins and destinations, and the most critical links left.
    Writes a Markdown + HTML page, maps, charts, CSV/Parquet tables, a GeoPackage and
    run.json under REPORTS/scenarios/<name>-<hash>/. --graph overrides the scenario's own
    graph; --as-of DATE|latest or --pre-war overrides every scenario's own as_of (absent:
    each scenario's own date, by default the region's reference date). Each scenario's
    analysis date is printed. Paths inside a scenario file are relative to that file.

    Example: resilience run pokrovsk-falls m30-cut
    """
    from resilience.provenance import file_sha256  # noqa: PLC0415
    from resilience.reports import render_scenario  # noqa: PLC0415
    from resilience.targets.names import link_count  # noqa: PLC0415

    when = _date_override(as_of, pre_war)
    base = out_dir(out)
    options = (graph, mode, stations, bbox, point, radius_km, snap_m)
    summaries = []
    for res in _results(scenario, graph, lambda: _override(*options), when):
        sc = res.scenario
        sha = file_sha256(sc.source) if sc.source is not None else ""
        folder = run_folder(base, "scenarios", sc.name, extra=sha)
        files = render_scenario(res, folder)
        files = write_manifest(
            folder,
            files,
            res.graph,
            weight=sc.weight,
            origins=res.origins,
            destinations=res.destinations,
            seeds={"betweenness": sc.seed} if sc.samples else None,
        )
        links = link_count(res.removal.edges)
        removed = ", ".join(res.removal.labels) or "nothing (baseline)"
        if as_json:
            summaries.append(
                {
                    "scenario": sc.name,
                    "as_of": str(res.graph.graph.get("as_of", "pre-war")),
                    "as_of_layer": str(res.graph.graph.get("as_of_layer", "none")),
                    "removed": list(res.removal.labels),
                    "nodes_removed": len(res.removal.nodes),
                    "links_removed": links,
                    "summary": records(res.impact.summary),
                    "od": records(res.impact.od),
                    "min_cut_before": res.min_cut_before,
                    "min_cut_after": res.min_cut_after,
                    "folder": str(folder),
                }
            )
            continue
        typer.echo(f"\n== {sc.name}: {sc.description}")
        typer.echo(f"Analysis date: {_analysis_date(res)}")
        typer.echo(
            f"Removed: {removed} — {len(res.removal.nodes)} node(s), {links} further link(s)"
        )
        show("Supply pairs", res.impact.od)
        show("Network", res.impact.summary)
        typer.echo(
            f"\nMinimum cut origins → destinations: {res.min_cut_before} → "
            f"{res.min_cut_after} link(s)"
        )
        show("Most critical links left", res.critical[["rank", "label", "mode", "betweenness"]])
        written(files)
    if as_json:
        emit_json({"command": "run", "scenarios": summaries})


@friendly
def compare_cmd(
    scenario: ScenarioArg,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    as_of: ScenarioAsOfOpt = None,
    pre_war: ScenarioPreWarOpt = False,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run several scenarios and compare them side by side.

    One row per scenario: nodes and links removed (a two-way link once), OD pairs lost (an
    end removed), cut off (no route left) and detoured, detour %, network efficiency
    loss, min cut before/after, the most critical link left. Writes compare.csv/.parquet,
    compare.png, a Markdown + HTML page and run.json under
    REPORTS/compare/<names>-<hash>/. --as-of DATE|latest or --pre-war overrides every
    scenario's own as_of (absent: each scenario's own date); each scenario's analysis
    date is printed under the table.

    Example: resilience compare pokrovsk-falls m30-cut myrnohrad-corridor-closed
    """
    from resilience.reports import render_compare  # noqa: PLC0415
    from resilience.scenario import compare  # noqa: PLC0415

    when = _date_override(as_of, pre_war)
    options = (graph, mode, stations, bbox, point, radius_km, snap_m)
    base = out_dir(out)
    results = _results(scenario, graph, lambda: _override(*options), when)
    table = compare(results)
    descriptions = {r.scenario.name: r.scenario.description for r in results}
    stem = "+".join(r.scenario.name for r in results)[:60]
    folder = run_folder(base, "compare", stem)
    files = write_manifest(folder, render_compare(table, descriptions, folder))
    if as_json:
        emit_json(
            {
                "command": "compare",
                "table": records(table),
                "analysis_dates": {r.scenario.name: _analysis_date(r) for r in results},
                "folder": str(folder),
            }
        )
        return
    show("Scenarios compared", table)
    typer.echo("\nAnalysis date per scenario:")
    for res in results:
        typer.echo(f"  {res.scenario.name}: {_analysis_date(res)}")
    written(files)


def _every(value: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*d?\s*", value)
    if not m or int(m.group(1)) < 1:
        msg = f"--every must be a number of days such as 30d, not {value!r}"
        raise BadInputError(msg)
    return int(m.group(1))


def _buffer(text: str) -> float:
    # inf or 1e308 metres would overflow the geometry library; nan would buffer nothing.
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= MAX_BUFFER_M:
        msg = f"must be a number of metres from 0 to {MAX_BUFFER_M:,.0f}, not {text!r}"
        raise typer.BadParameter(msg)
    return value


@friendly
def timeline_cmd(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (always included).")],
    frontline: Annotated[
        Path | None,
        typer.Option(
            "--frontline",
            "-f",
            help="Dated front-line polygons (.geojson or .geojson.gz with a 'date' property).",
            metavar="FILE",
        ),
    ] = None,
    every: Annotated[str, typer.Option("--every", help="Step, e.g. 30d.")] = "30d",
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            help="Category counted as lost (repeatable): occupied, occupied_pre2022_ordlo, "
            "unknown_grey (default: occupied and occupied_pre2022_ordlo).",
        ),
    ] = None,
    buffer_m: Annotated[
        float,
        typer.Option(
            "--buffer",
            parser=_buffer,
            help=f"Grow the area by this many metres (0 to {MAX_BUFFER_M:,.0f}).",
            metavar="M",
        ),
    ] = 0.0,
    origin: OriginOpt = None,
    destination: DestOpt = None,
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
    """How supply degrades as the front line moves, date by date.

    For each date the latest front-line layer on or before it is applied: places inside
    the area are lost, links crossing it are cut. Reports destinations still reachable,
    mean travel-time increase, min cut between origins and destinations and nodes lost.
    A pair with no route counts at a penalty (a day) in mean_time_increase_min, so it
    cannot fall when supply worsens; mean_time_increase_connected_min is over the pairs
    still connected. Writes timeline.csv/.parquet, timeline.png, a page and run.json under
    REPORTS/timeline/<from>-<to>-<hash>/.

    Example: resilience timeline --frontline ../shared/data/deepstate-occupied-daily-cyterat/
    deepstate_occupied_daily_2024-07-08_2026-08-22_clip.geojson.gz --from 2024-07-08
    --to 2026-08-22 --every 90d
    """
    from resilience.frontline import load_frontline, timeline  # noqa: PLC0415
    from resilience.reports import render_timeline  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    step = _every(every)
    base = out_dir(out)
    # Areas held since 2014 are lost on every layer (danielrose draws them apart).
    cats = tuple(category or ["occupied", "occupied_pre2022_ordlo"])
    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    frame = timeline(
        G,
        load_frontline(frontline) if frontline is not None else None,
        start,
        end,
        step,
        origins,
        destinations,
        categories=cats,
        buffer_m=buffer_m,
    )
    layer = frontline.name if frontline is not None else str(G.graph.get("lost_on_source", ""))
    source = (
        f"Layer: {layer}, categories {', '.join(cats)}, every {step} days; "
        f"baseline: the network on {frame['date'].iloc[0]}."
    )
    folder = run_folder(base, "timeline", f"{frame['date'].iloc[0]}-{frame['date'].iloc[-1]}")
    files = write_manifest(
        folder,
        render_timeline(frame, source, folder),
        G,
        origins=origins,
        destinations=destinations,
    )
    if as_json:
        emit_json(
            {"command": "timeline", "layer": layer, "rows": records(frame), "folder": str(folder)}
        )
        return
    show(f"Supply as the front line moves ({layer}, {', '.join(cats)})", frame)
    written(files)


@friendly
def report(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Regenerate into a temporary folder and exit 1 listing files that differ "
            "from the reports folder.",
        ),
    ] = False,
    scenarios: Annotated[
        Path | None,
        typer.Option("--scenarios", help="Scenario folder (default: scenarios/).", metavar="DIR"),
    ] = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Regenerate the reports folder from scenarios/ (byte-identical on rerun).

    A page per scenario, the comparison and the front-line timeline on the DeepState
    layer. Parts whose shared front-line file is absent are skipped with the reason.

    Example: resilience report --check
    """
    from resilience.reports import build_reports, check_reports, remove_stale  # noqa: PLC0415

    folder = out_dir(out)

    def skipped(part: str, reason: str) -> None:
        typer.echo(f"skipped {part}: {reason}", err=True)

    if check:
        diffs, _ = check_reports(folder, scenarios, on_skip=skipped)
        if as_json:
            emit_json({"command": "report", "check": True, "differ": diffs, "folder": str(folder)})
            raise typer.Exit(1 if diffs else 0)
        if diffs:
            typer.echo(f"{len(diffs)} report file(s) differ from {folder}:")
            for line in diffs:
                typer.echo(f"  {line}")
            typer.echo("run `resilience report` and commit reports/")
            raise typer.Exit(1)
        typer.echo(f"reports under {folder} are up to date")
        return
    _check_all(scenarios)
    outcome = build_reports(folder, scenarios, on_skip=skipped)
    stale = remove_stale(folder, outcome)
    if as_json:
        emit_json(
            {
                "command": "report",
                "table": records(outcome.table),
                "written": outcome.written,
                "removed_stale": stale,
                "skipped": dict(outcome.skipped),
                "folder": str(folder),
            }
        )
        return
    show("Scenarios compared", outcome.table)
    for rel in stale:
        typer.echo(f"removed stale {rel}")
    typer.echo(f"\nwrote {len(outcome.written)} file(s) under {folder}")


def _check_all(folder: Path | None) -> None:
    """Refuse a scenario folder with any bad scenario before a report file is written."""
    from resilience.scenario import (  # noqa: PLC0415
        check_scenario,
        graph_spec,
        load_scenario,
        resolve_path,
    )
    from resilience.sources.load import load_network  # noqa: PLC0415

    files = sorted((folder or settings.project_root() / "scenarios").glob("*.toml"))
    scenarios = [load_scenario(p) for p in files]
    _unique_names(scenarios)
    graphs: dict[str | None, Any] = {}
    for sc in scenarios:
        spec = sc.removals.frontline
        if (
            spec is not None
            and not resolve_path(spec.file, sc.source and sc.source.parent).is_file()
        ):
            continue  # skipped by the report with its reason
        key = graph_spec(sc)
        if key not in graphs:
            graphs[key] = load_network(key)
        check_scenario(sc, graphs[key])


#: Command name → function, in the order ``--help`` lists them.
COMMANDS = {"run": run, "compare": compare_cmd, "timeline": timeline_cmd, "report": report}
