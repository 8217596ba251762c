"""The report pipeline: scenario, comparison and timeline folders, the index, stale files.

Every file goes through :mod:`resilience.io`, so regenerating from the same inputs with
the same library versions gives the same bytes (see there for each format). Tables are
written from :func:`resilience.io.arrow_safe` copies, so a page's CSV and Parquet files
hold the same values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from resilience import settings
from resilience.errors import BadInputError
from resilience.io import arrow_safe, write_bytes, write_layers, write_table, write_text
from resilience.provenance import Provenance, graph_provenance
from resilience.reports.charts import compare_png, detours_png, interdiction_png, timeline_png
from resilience.reports.interdiction import CURVE_COLUMNS, WORST_COLUMNS, scenario_interdiction
from resilience.reports.layers import scenario_layers
from resilience.reports.maps import MapContext, flow_map_png, folium_html, map_png, worst_map_png
from resilience.reports.pages import (
    Page,
    compare_page,
    index_page,
    scenario_page,
    scenario_summary,
    timeline_page,
)
from resilience.scenario import (
    Scenario,
    ScenarioResult,
    compare,
    load_scenario,
    resolve_path,
    run_scenario,
)

__all__ = [
    "MANAGED",
    "ReportOutcome",
    "TimelineSpec",
    "build_reports",
    "check_reports",
    "diff_trees",
    "remove_stale",
    "render_compare",
    "render_scenario",
    "render_timeline",
    "scenario_provenance",
]

#: Paths under the reports folder that ``resilience report`` owns (and may delete).
MANAGED = ("index.md", "index.html", "scenarios", "compare", "timeline")


@dataclass(frozen=True)
class TimelineSpec:
    """The front-line timeline the reports include.

    Attributes
    ----------
    file
        Daily front-line file, as a scenario names it (see
        :func:`resilience.scenario.resolve_path`: under ``../shared/data/`` it is found
        through the shared-data setting).
    start, end
        First and last day.
    every_days
        Step between days.
    categories
        Categories counted as lost.
    graph
        Network to run on (``None``: the embedded default region).
    """

    file: str = (
        "../shared/data/deepstate-occupied-daily-cyterat/"
        "deepstate_occupied_daily_2024-07-08_2026-08-22_clip.geojson.gz"
    )
    start: dt.date = dt.date(2024, 7, 8)
    end: dt.date = dt.date(2026, 8, 22)
    every_days: int = 90
    # Lost = occupied + held since 2014 on every layer (cyterat's "occupied" has both).
    categories: tuple[str, ...] = ("occupied", "occupied_pre2022_ordlo")
    graph: str | None = None


@dataclass
class ReportOutcome:
    """What a report run produced.

    Attributes
    ----------
    written
        Files written, relative to the reports folder, sorted.
    skipped
        Managed sub-paths not regenerated, with the reason (e.g. shared data absent).
    table
        The comparison table.
    """

    written: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def _write_page(page: Page, folder: Path) -> list[Path]:
    return [
        write_text(folder / "index.md", page.markdown()),
        write_text(folder / "index.html", page.html()),
    ]


#: How the front-line datasets are credited (their mirrors under ../shared/data).
_FRONT_SOURCE = "DeepStateMap (deepstatemap.live) via cyterat/deepstate-map-data"


def _frontline_context(sc: Scenario) -> MapContext:
    from resilience.frontline import load_frontline  # noqa: PLC0415

    spec = sc.removals.frontline
    if spec is None:
        return MapContext()
    front = load_frontline(resolve_path(spec.file))
    return MapContext(
        area=front.area(spec.date, spec.categories),
        layer_date=front.layer_date(spec.date).isoformat(),
        layer_source=spec.file.rsplit("/", 1)[-1],
    )


def scenario_provenance(res: ScenarioResult, ctx: MapContext | None = None) -> Provenance:
    """What produced a scenario's report: the command to rerun it and its inputs.

    Parameters
    ----------
    res
        The scenario result.
    ctx
        The front-line area of the scenario, if any (its file and layer date).

    Returns
    -------
    Provenance
        The record (the command is ``resilience run NAME``).
    """
    sc = res.scenario
    graph: str | Path | None = sc.graph
    if sc.graph is not None and resolve_path(sc.graph).is_file():
        graph = resolve_path(sc.graph)
    spec = sc.removals.frontline
    extra = {"Occupation on the analysis date": str(res.graph.graph.get("as_of_layer", ""))}
    seeds = {"betweenness": sc.seed} if sc.samples else {}
    return graph_provenance(
        res.graph,
        command=f"resilience run {sc.name}",
        graph=graph,
        weight=sc.weight,
        origins=res.origins,
        destinations=res.destinations,
        seeds=seeds,
        frontline=spec.file if spec is not None else "",
        frontline_date=ctx.layer_date if ctx is not None else "",
        extra={k: v for k, v in extra.items() if v and spec is not None},
    )


def render_scenario(res: ScenarioResult, folder: Path) -> list[Path]:
    """Write a scenario's report folder.

    Files: ``index.md``, ``index.html`` (self-contained; provenance first, data
    dictionary last), ``map.png`` (scale bar, north arrow, legend, credits, caption),
    ``detours.png``, ``flow.png`` (t/day per link of the maximum flow after the
    removal, saturated links marked; when the network has capacities), ``map.html``
    (folium: layer control, legend, credits, offline background), ``od``,
    ``summary``, ``network``, ``components``, ``min_cut`` and
    ``critical`` as CSV and Parquet, and ``layers.gpkg`` (EPSG:4326: ``edges`` and
    ``network_after`` as lines, ``nodes`` as points, ``routes`` before/after as lines,
    ``occupied_area`` as polygons for a front-line scenario).

    When the network has capacities, also the interdiction curve (see
    :mod:`resilience.reports.interdiction`): ``interdiction.png`` (the curve),
    ``worst_map.png`` (the worst set of the largest ``k`` on the map), the tables
    ``interdiction`` and ``worst_set`` (CSV and Parquet) and the ``worst_links`` layer.

    Parameters
    ----------
    res
        The scenario result.
    folder
        Output folder (created when missing).

    Returns
    -------
    list of Path
        The files written.
    """
    ctx = _frontline_context(res.scenario)
    map_bytes, detours_bytes = map_png(res, ctx), detours_png(res)
    written = [
        write_bytes(folder / "map.png", map_bytes),
        write_bytes(folder / "detours.png", detours_bytes),
        write_text(folder / "map.html", folium_html(res, ctx)),
    ]
    flow_bytes = flow_map_png(res, ctx)
    if flow_bytes is not None:
        written.append(write_bytes(folder / "flow.png", flow_bytes))
    summary = scenario_summary(res)
    tables = {
        "od": res.impact.od,
        "summary": summary,
        "network": res.impact.summary,
        "components": res.impact.components,
        "min_cut": res.min_cut,
        "critical": res.critical,
    }
    inter = scenario_interdiction(res)
    curve_bytes = worst_bytes = None
    if inter is not None:
        curve_bytes = interdiction_png(
            inter.curve,
            f"{res.scenario.name}: deliverable after the worst k further losses "
            f"(k = 0..{inter.k_max})",
        )
        worst_bytes = worst_map_png(res, inter, ctx)
        written += [
            write_bytes(folder / "interdiction.png", curve_bytes),
            write_bytes(folder / "worst_map.png", worst_bytes),
        ]
        tables["interdiction"] = inter.curve[CURVE_COLUMNS]
        tables["worst_set"] = inter.worst[WORST_COLUMNS]
    for name in sorted(tables):
        written += write_table(arrow_safe(tables[name]), folder, name)
    layers = scenario_layers(
        res,
        ctx.area,
        ctx.layer_date,
        _FRONT_SOURCE,
        worst=inter.worst if inter is not None else None,
    )
    written.append(write_layers(layers, folder / "layers.gpkg"))
    prov = scenario_provenance(res, ctx)
    page = scenario_page(
        res,
        summary,
        map_bytes,
        detours_bytes,
        prov,
        ctx,
        flow_bytes,
        interdiction=inter,
        curve_png=curve_bytes,
        worst_png=worst_bytes,
    )
    written += _write_page(page, folder)
    return written


def render_compare(
    table: pd.DataFrame,
    descriptions: Mapping[str, str],
    folder: Path,
    prov: Provenance | None = None,
) -> list[Path]:
    """Write the side-by-side comparison: table (CSV/Parquet/Markdown/HTML) and chart.

    Parameters
    ----------
    table
        The output of :func:`resilience.scenario.compare`.
    descriptions
        Scenario name to description, listed under the table.
    folder
        Output folder.
    prov
        What produced it (shown first on the page).

    Returns
    -------
    list of Path
        The files written.
    """
    png = compare_png(table)
    written = [write_bytes(folder / "compare.png", png)]
    written += write_table(arrow_safe(table), folder, "compare")
    return written + _write_page(compare_page(table, descriptions, png, prov), folder)


def render_timeline(
    frame: pd.DataFrame, source: str, folder: Path, prov: Provenance | None = None
) -> list[Path]:
    """Write a front-line timeline: table (CSV/Parquet/Markdown/HTML) and line chart.

    Parameters
    ----------
    frame
        The output of :func:`resilience.frontline.timeline`.
    source
        A line naming the front-line file and categories, shown on the page.
    folder
        Output folder.
    prov
        What produced it (shown first on the page).

    Returns
    -------
    list of Path
        The files written.
    """
    png = timeline_png(frame, "Supply as the front line moves")
    written = [write_bytes(folder / "timeline.png", png)]
    written += write_table(arrow_safe(frame), folder, "timeline")
    return written + _write_page(timeline_page(frame, source, png, prov), folder)


def _progress(items: Sequence[Path], enabled: bool) -> Any:
    import sys  # noqa: PLC0415

    from tqdm import tqdm  # noqa: PLC0415

    return tqdm(items, desc="scenarios", disable=not (enabled and sys.stderr.isatty()), leave=False)


def _timeline_frame(spec: TimelineSpec, path: Path, G: nx.MultiDiGraph[Any]) -> pd.DataFrame:
    from resilience.frontline import load_frontline, timeline  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    origins, destinations = resolve_od(G)
    return timeline(
        G,
        load_frontline(path),
        spec.start,
        spec.end,
        spec.every_days,
        origins,
        destinations,
        categories=spec.categories,
    )


def build_reports(
    out: Path,
    scenarios_dir: Path | None = None,
    *,
    timeline_spec: TimelineSpec | None = TimelineSpec(),
    progress: bool = True,
    on_skip: Callable[[str, str], None] | None = None,
) -> ReportOutcome:
    """Regenerate every report: each scenario, the comparison, the timeline, an index.

    A scenario or the timeline whose shared front-line file is absent is skipped with
    its reason; other scenario errors propagate.

    Parameters
    ----------
    out
        The reports folder.
    scenarios_dir
        Folder of ``*.toml`` scenarios (default: ``<project root>/scenarios``).
    timeline_spec
        The timeline to include, ``None`` for none.
    progress
        Show a progress bar when stderr is a terminal.
    on_skip
        Called with ``(path, reason)`` for each skipped part.

    Returns
    -------
    ReportOutcome
        Files written (relative to ``out``), parts skipped, the comparison table.

    Raises
    ------
    BadInputError
        If the scenario folder holds no ``*.toml`` file.
    """
    from resilience.sources.load import load_network  # noqa: PLC0415

    folder = scenarios_dir or settings.project_root() / "scenarios"
    files = sorted(folder.glob("*.toml"))
    if not files:
        # An empty comparison table has none of the columns the pages are drawn from.
        msg = f"no scenario files (*.toml) in {folder}"
        raise BadInputError(msg)
    outcome = ReportOutcome()
    written: list[Path] = []
    results: list[ScenarioResult] = []
    graphs: dict[str | None, nx.MultiDiGraph[Any]] = {}

    def skip(part: str, reason: str) -> None:
        outcome.skipped[part] = reason
        if on_skip is not None:
            on_skip(part, reason)

    for path in _progress(files, progress):
        sc = load_scenario(path)
        spec = sc.removals.frontline
        if spec is not None and not resolve_path(spec.file).is_file():
            skip(f"scenarios/{sc.name}", f"front-line file absent: {spec.file}")
            continue
        if sc.graph not in graphs:
            graphs[sc.graph] = load_network(sc.graph)
        res = run_scenario(sc, graphs[sc.graph])
        results.append(res)
        written += render_scenario(res, out / "scenarios" / sc.name)
    outcome.table = compare(results)
    dates = sorted({str(r.graph.graph.get("as_of", "")) for r in results} - {""})
    report_prov = Provenance(
        command="resilience report",
        weight=", ".join(sorted({r.scenario.weight for r in results})) or "travel_time",
        as_of=(", ".join(dates) + " (per scenario: as_of column)") if dates else "",
        extra={"Scenarios": ", ".join(r.scenario.name for r in results) or "none"},
    )
    written += render_compare(
        outcome.table,
        {r.scenario.name: r.scenario.description for r in results},
        out / "compare",
        report_prov,
    )
    has_timeline = False
    if timeline_spec is not None:
        tl_path = resolve_path(timeline_spec.file)
        if not tl_path.is_file():
            skip("timeline", f"front-line file absent: {timeline_spec.file}")
        else:
            G = graphs.get(timeline_spec.graph) or load_network(timeline_spec.graph)
            frame = _timeline_frame(timeline_spec, tl_path, G)
            source = (
                f"Layer: {timeline_spec.file} (DeepStateMap via cyterat/deepstate-map-data), "
                f"categories {', '.join(timeline_spec.categories)}, "
                f"every {timeline_spec.every_days} days; default origins → destinations; "
                f"baseline: the network on {timeline_spec.start} (areas held by then are "
                "no loss)."
            )
            tl_prov = graph_provenance(
                G,
                command=(
                    f"resilience timeline -f {timeline_spec.file} --from {timeline_spec.start} "
                    f"--to {timeline_spec.end} --every {timeline_spec.every_days}d"
                ),
                graph=timeline_spec.graph,
                origins=G.graph.get("origins", ()),
                destinations=G.graph.get("destinations", ()),
                frontline=timeline_spec.file,
                frontline_date="per day analysed (layer_date column)",
            )
            tl_prov = dataclasses.replace(
                tl_prov,
                as_of=(
                    f"{timeline_spec.start} to {timeline_spec.end}, every "
                    f"{timeline_spec.every_days} days"
                ),
            )
            written += render_timeline(frame, source, out / "timeline", tl_prov)
            has_timeline = True
    index = index_page(
        [r.scenario.name for r in results], has_timeline, outcome.skipped, report_prov
    )
    written += _write_page(index, out)
    outcome.written = sorted(p.relative_to(out).as_posix() for p in written)
    return outcome


def _managed_files(root: Path, skipped: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for top in MANAGED:
        p = root / top
        if p.is_file():
            found.add(top)
        elif p.is_dir():
            found |= {f.relative_to(root).as_posix() for f in p.rglob("*") if f.is_file()}
    return {f for f in found if not any(f == s or f.startswith(s + "/") for s in skipped)}


def remove_stale(out: Path, outcome: ReportOutcome) -> list[str]:
    """Delete files under the managed report paths that this run did not write.

    Skipped parts are left alone: they could not be regenerated here, not retired.

    Parameters
    ----------
    out
        The reports folder.
    outcome
        The run's outcome.

    Returns
    -------
    list of str
        The deleted files, relative to ``out``.
    """
    stale = sorted(_managed_files(out, list(outcome.skipped)) - set(outcome.written))
    for rel in stale:
        (out / rel).unlink()
    for top in MANAGED:
        d = out / top
        if d.is_dir():
            for sub in sorted(d.rglob("*"), key=lambda p: -len(p.parts)):
                if sub.is_dir() and not any(sub.iterdir()):
                    sub.rmdir()
    return stale


def diff_trees(committed: Path, fresh: Path, skipped: Sequence[str] = ()) -> list[str]:
    """Managed report files that differ between two report folders.

    Parameters
    ----------
    committed
        The reports folder as committed.
    fresh
        A freshly regenerated one.
    skipped
        Parts not regenerated (left out of the comparison).

    Returns
    -------
    list of str
        ``<path> (changed|missing|stale)``, sorted: ``missing`` means not committed,
        ``stale`` committed but no longer generated.
    """
    old = _managed_files(committed, skipped)
    new = _managed_files(fresh, skipped)
    out = [f"{f} (missing)" for f in new - old]
    out += [f"{f} (stale)" for f in old - new]
    out += [
        f"{f} (changed)"
        for f in old & new
        if (committed / f).read_bytes() != (fresh / f).read_bytes()
    ]
    return sorted(out)


def check_reports(
    out: Path,
    scenarios_dir: Path | None = None,
    *,
    progress: bool = True,
    on_skip: Callable[[str, str], None] | None = None,
) -> tuple[list[str], ReportOutcome]:
    """Regenerate into a temporary folder and compare with ``out``.

    Parameters
    ----------
    out
        The committed reports folder.
    scenarios_dir
        As for :func:`build_reports`.
    progress
        Show a progress bar on a terminal.
    on_skip
        As for :func:`build_reports`.

    Returns
    -------
    tuple
        The differences (see :func:`diff_trees`) and the run's outcome.
    """
    import tempfile  # noqa: PLC0415

    tmp = Path(tempfile.mkdtemp(prefix="resilience-report-"))
    try:
        outcome = build_reports(tmp, scenarios_dir, progress=progress, on_skip=on_skip)
        return diff_trees(out, tmp, list(outcome.skipped)), outcome
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
