"""Commands for scenario files, comparisons, front-line timelines and the reports folder.

They register on the shared typer app of :mod:`resilience.cli`: ``run``, ``compare``,
``timeline`` and ``report``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from resilience import settings
from resilience.cli import GraphOpt, OutOpt, _friendly, _out, _show, _written, app
from resilience.errors import BadInputError, BadScenarioError

if TYPE_CHECKING:
    from resilience.scenario import ScenarioResult

__all__ = ["compare_cmd", "report", "run", "timeline_cmd"]

ScenarioArg = Annotated[
    list[Path],
    typer.Argument(
        help="Scenario TOML file(s), or names of files under scenarios/ (e.g. pokrovsk-falls).",
        metavar="SCENARIO...",
        show_default=False,
    ),
]


def _scenario_path(spec: Path) -> Path:
    """A file as given, else ``scenarios/<spec>.toml`` under the project root."""
    if spec.is_file() or spec.suffix == ".toml":
        return spec
    folder = settings.project_root() / "scenarios"
    named = folder / f"{spec}.toml"
    if named.is_file():
        return named
    known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "none"
    msg = f"{spec}: no such scenario file, nor a scenario of that name (known: {known})"
    raise BadScenarioError(msg)


def _results(specs: list[Path], graph: str | None) -> list[ScenarioResult]:
    from resilience.scenario import load_scenario, run_scenario  # noqa: PLC0415
    from resilience.sources.load import load_network  # noqa: PLC0415

    scenarios = [load_scenario(_scenario_path(s)) for s in specs]
    G = load_network(graph) if graph is not None else None
    # --graph overrides every scenario's own graph, loaded once for all of them.
    return [
        run_scenario(sc.model_copy(update={"graph": graph}) if graph else sc, G) for sc in scenarios
    ]


@app.command()
@_friendly
def run(
    scenario: ScenarioArg,
    graph: GraphOpt = None,
    out: OutOpt = None,
) -> None:
    """Run scenario files and write each one's report.

    For each scenario: OD travel times before and after, pairs cut off, efficiency loss,
    the minimum cut between origins and destinations, and the most critical links left.
    Writes a Markdown + HTML page, maps, charts, CSV/Parquet tables and a GeoPackage under
    REPORTS/scenarios/<name>/. --graph overrides the scenario's own graph.

    Example: resilience run pokrovsk-falls scenarios/m30-cut.toml
    """
    from resilience.render import render_scenario  # noqa: PLC0415

    for res in _results(scenario, graph):
        sc = res.scenario
        typer.echo(f"\n== {sc.name}: {sc.description}")
        removed = ", ".join(res.removal.labels) or "nothing (baseline)"
        typer.echo(
            f"Removed: {removed} — {len(res.removal.nodes)} node(s), "
            f"{len(res.removal.edges)} further link(s)"
        )
        _show("Supply pairs", res.impact.od)
        _show("Network", res.impact.summary)
        typer.echo(
            f"\nMinimum cut origins → destinations: {res.min_cut_before} → "
            f"{res.min_cut_after} link(s)"
        )
        _show("Most critical links left", res.critical[["rank", "label", "mode", "betweenness"]])
        _written(render_scenario(res, _out(out) / "scenarios" / sc.name))


@app.command("compare")
@_friendly
def compare_cmd(
    scenario: ScenarioArg,
    graph: GraphOpt = None,
    out: OutOpt = None,
) -> None:
    """Run several scenarios and compare them side by side.

    One row per scenario: nodes and links removed, OD pairs cut off and detoured, detour
    %, global efficiency loss, min cut before/after, the most critical link left. Writes
    compare.csv/.parquet, compare.png and a Markdown + HTML page under REPORTS/compare/.

    Example: resilience compare pokrovsk-falls m30-cut myrnohrad-corridor-closed
    """
    from resilience.render import render_compare  # noqa: PLC0415
    from resilience.scenario import compare  # noqa: PLC0415

    results = _results(scenario, graph)
    table = compare(results)
    _show("Scenarios compared", table)
    descriptions = {r.scenario.name: r.scenario.description for r in results}
    _written(render_compare(table, descriptions, _out(out) / "compare"))


def _every(value: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*d?\s*", value)
    if not m or int(m.group(1)) < 1:
        msg = f"--every must be a number of days such as 30d, not {value!r}"
        raise BadInputError(msg)
    return int(m.group(1))


@app.command("timeline")
@_friendly
def timeline_cmd(
    frontline: Annotated[
        Path,
        typer.Option(
            "--frontline",
            "-f",
            help="Dated front-line polygons (.geojson or .geojson.gz with a 'date' property).",
            metavar="FILE",
        ),
    ],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (always included).")],
    every: Annotated[str, typer.Option("--every", help="Step, e.g. 30d.")] = "30d",
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            help="Category counted as lost (repeatable): occupied, occupied_pre2022_ordlo, "
            "unknown_grey (default: occupied).",
        ),
    ] = None,
    buffer_m: Annotated[
        float, typer.Option("--buffer", min=0, help="Grow the area by this many metres.")
    ] = 0.0,
    origin: Annotated[
        list[str] | None, typer.Option("--origin", "-o", help="Supply origin (repeatable).")
    ] = None,
    destination: Annotated[
        list[str] | None, typer.Option("--destination", "-d", help="Destination (repeatable).")
    ] = None,
    graph: GraphOpt = None,
    out: OutOpt = None,
) -> None:
    """How supply degrades as the front line moves, date by date.

    For each date the latest front-line layer on or before it is applied: places inside
    the area are lost, links crossing it are cut. Reports destinations still reachable,
    mean travel-time increase, min cut between origins and destinations and nodes lost.
    Writes timeline.csv/.parquet, timeline.png and a page under REPORTS/timeline/.

    Example: resilience timeline --frontline ../shared/data/deepstate-occupied-daily-cyterat/
    deepstate_occupied_daily_2024-07-08_2026-08-22_clip.geojson.gz --from 2024-07-08
    --to 2026-08-22 --every 90d
    """
    from resilience.frontline import load_frontline, timeline  # noqa: PLC0415
    from resilience.render import render_timeline  # noqa: PLC0415
    from resilience.sources.load import load_network  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    step = _every(every)
    cats = tuple(category or ["occupied"])
    G = load_network(graph)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    frame = timeline(
        G,
        load_frontline(frontline),
        start,
        end,
        step,
        origins,
        destinations,
        categories=cats,
        buffer_m=buffer_m,
    )
    _show(f"Supply as the front line moves ({frontline.name}, {', '.join(cats)})", frame)
    source = f"Layer: {frontline.name}, categories {', '.join(cats)}, every {step} days."
    _written(render_timeline(frame, source, _out(out) / "timeline"))


@app.command()
@_friendly
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
) -> None:
    """Regenerate the reports folder from scenarios/ (byte-identical on rerun).

    A page per scenario, the comparison and the front-line timeline on the DeepState
    layer. Parts whose shared front-line file is absent are skipped with the reason.

    Example: resilience report --check
    """
    from resilience.render import build_reports, check_reports, remove_stale  # noqa: PLC0415

    folder = _out(out)

    def skipped(part: str, reason: str) -> None:
        typer.echo(f"skipped {part}: {reason}", err=True)

    if check:
        diffs, _ = check_reports(folder, scenarios, on_skip=skipped)
        if diffs:
            typer.echo(f"{len(diffs)} report file(s) differ from {folder}:")
            for line in diffs:
                typer.echo(f"  {line}")
            typer.echo("run `resilience report` and commit reports/")
            raise typer.Exit(1)
        typer.echo(f"reports under {folder} are up to date")
        return
    outcome = build_reports(folder, scenarios, on_skip=skipped)
    stale = remove_stale(folder, outcome)
    _show("Scenarios compared", outcome.table)
    for rel in stale:
        typer.echo(f"removed stale {rel}")
    typer.echo(f"\nwrote {len(outcome.written)} file(s) under {folder}")
