"""The ``resilience`` command line: a thin typer shell over the library.

Each command parses its options, calls library functions, prints readable tables and
writes the frames under the reports folder. Errors a user causes become one line on
stderr and exit code 2.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TextIO, TypeVar

import pandas as pd
import typer
from typer.core import TyperGroup

# typer >= 0.16 vendors click; the usage errors it raises are its own copies of click's.
try:
    from typer._click.core import Context
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer on plain click
    from click import Context  # type: ignore[assignment]
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[assignment]

from resilience import settings
from resilience.errors import BadInputError, ResilienceError

P = ParamSpec("P")
R = TypeVar("R")


class _OneLineGroup(TyperGroup):
    """The command group; usage errors (missing or bad options) become one line, exit 2."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        with _usage_in_one_line():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with _usage_in_one_line():
            return super().invoke(ctx)


@contextlib.contextmanager
def _usage_in_one_line() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        typer.echo(f"error: {exc.format_message()}{where}", err=True)
        raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="resilience",
    help=(
        "Logistics network resilience: how a road + rail supply network holds up when "
        "places fall or routes are cut. Runs on the embedded Pokrovsk region by default.\n\n"
        "Example: resilience cut --node pokrovsk"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_OneLineGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)

GraphOpt = Annotated[
    str | None,
    typer.Option(
        "--graph",
        "-g",
        help="Embedded region name, cached graph name or graph file "
        "(default: the embedded Pokrovsk region).",
        metavar="NAME|PATH",
    ),
]
ModeOpt = Annotated[
    str | None,
    typer.Option("--mode", help="Mode of a line-layer --graph: rail (default) or road."),
]
StationsOpt = Annotated[
    Path | None,
    typer.Option(
        "--stations",
        help="Station point layer for a rail line-layer --graph (names and attaches them).",
        metavar="FILE",
    ),
]
NodeOpt = Annotated[
    list[str] | None,
    typer.Option("--node", "-n", help="Remove a place (name or alias; repeatable), e.g. pokrovsk."),
]
RefOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--ref", "-r", help="Remove every edge carrying a road/rail ref (repeatable), e.g. M30."
    ),
]
CorridorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--corridor",
        "-c",
        help="Remove the nodes of a named corridor (repeatable), e.g. myrnohrad-corridor.",
    ),
]
EdgeOpt = Annotated[
    tuple[str, str] | None,
    typer.Option(
        "--edge",
        "-e",
        help="Cut the direct links between two places, e.g. --edge pokrovsk myrnohrad.",
        metavar="A B",
    ),
]
PolygonOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--polygon",
        help="Remove nodes inside the polygons of a GeoJSON/GPKG layer (repeatable).",
        metavar="FILE",
    ),
]
OriginOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--origin", "-o", help="Supply origin (repeatable; default: the region's rear depots)."
    ),
]
DestOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--destination", "-d", help="Destination (repeatable; default: the region's front towns)."
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Reports folder (default: ./reports, or $RESILIENCE_REPORTS).", metavar="DIR"
    ),
]
WeightOpt = Annotated[
    str,
    typer.Option("--weight", help="Edge attribute to minimise: travel_time (s) or length (m)."),
]


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print a warning as one ``warning: ...`` line on stderr, without source lines."""
    del category, filename, lineno, file, line
    text = str(message).splitlines()[0] if str(message) else "warning"
    typer.echo(f"warning: {text}", err=True)


def _friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into one line on stderr and exit code 2; warnings into one line."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with warnings.catch_warnings():
            # Library warnings (a graph file repaired, ...) are for the user: always shown,
            # one line each, even where a test harness turns warnings into errors.
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = _one_line_warning
            try:
                return func(*args, **kwargs)
            except ResilienceError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from None
            except KeyboardInterrupt:
                typer.echo("interrupted; no partial files were left", err=True)
                raise typer.Exit(130) from None

    return wrapper


def _weight(value: str) -> str:
    if value not in ("travel_time", "length"):
        msg = f"--weight must be travel_time or length, not {value!r}"
        raise BadInputError(msg)
    return value


def _show(title: str, frame: pd.DataFrame) -> None:
    typer.echo(f"\n{title}")
    if frame.empty:
        typer.echo("  (none)")
        return
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        typer.echo(frame.to_string(index=False, na_rep="-"))


def _written(paths: list[Path]) -> None:
    typer.echo(f"\nwrote {len(paths)} file(s) under {paths[0].parent}" if paths else "")


def _removal(
    G: Any,
    node: list[str] | None,
    ref: list[str] | None,
    corridor: list[str] | None,
    edge: tuple[str, str] | None,
    polygon: list[Path] | None,
) -> Any:
    """The removal the target options of a command name."""
    from resilience.targets import build_removal  # noqa: PLC0415

    return build_removal(
        G,
        nodes=node or [],
        refs=ref or [],
        corridors=corridor or [],
        edges=[edge] if edge else [],
        polygons=polygon or [],
    )


def _endpoints(G: Any, source: str, target: str) -> tuple[Any, Any]:
    """The nodes of --source and --target, refused when they are the same place."""
    from resilience.targets import endpoint  # noqa: PLC0415

    s, t = endpoint(G, source), endpoint(G, target)
    if s == t:
        msg = f"source and target are the same place ({source!r}, {target!r})"
        raise BadInputError(msg)
    return s, t


def _out(out: Path | None) -> Path:
    return out if out is not None else settings.reports_dir()


@app.command()
@_friendly
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
    weight: WeightOpt = "travel_time",
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
    from resilience.report import write_frames  # noqa: PLC0415
    from resilience.sources.load import load_network  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    w = _weight(weight)
    G = load_network(graph, mode=mode, stations=stations)
    removal = _removal(G, node, ref, corridor, edge, polygon)
    if removal.empty and (node or ref or corridor or edge or polygon):
        typer.echo("note: the targets remove nothing from this graph", err=True)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    result = run_cut(G, removal, origins, destinations, weight=w)
    label = ", ".join(removal.labels) or "nothing (baseline)"
    typer.echo(
        f"Removed: {label} — {len(removal.nodes)} node(s), {len(removal.edges)} extra edge(s)"
    )
    _show("Supply pairs", result.od)
    _show("Network", result.summary)
    _show("Connected pieces left", result.components)
    folder = _out(out) / "cut" / removal.slug()
    _written(
        write_frames(
            {"od": result.od, "summary": result.summary, "components": result.components}, folder
        )
    )


@app.command()
@_friendly
def centrality(
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to show.")] = 15,
    samples: Annotated[
        int | None,
        typer.Option("--samples", min=1, help="Sample this many source nodes (default: exact)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --samples.")] = 0,
    weight: WeightOpt = "travel_time",
    out: OutOpt = None,
) -> None:
    """Rank places and links by betweenness centrality (weighted by travel time).

    Writes nodes.csv and edges.csv (every element, ranked) under REPORTS/centrality/.

    Example: resilience centrality --top 10
    """
    from resilience.analysis.centrality import edge_betweenness, node_betweenness  # noqa: PLC0415
    from resilience.report import write_frames  # noqa: PLC0415
    from resilience.sources.load import load_network  # noqa: PLC0415

    w = _weight(weight)
    G = load_network(graph, mode=mode, stations=stations)
    nodes = node_betweenness(G, weight=w, samples=samples, seed=seed)
    edges = edge_betweenness(G, weight=w, samples=samples, seed=seed)
    kind = "exact" if samples is None else f"sampled, {samples} sources, seed {seed}"
    _show(f"Places by betweenness ({kind})", nodes.drop(columns=["node"]).head(top))
    _show(f"Links by betweenness ({kind})", edges.drop(columns=["u", "v", "key"]).head(top))
    _written(write_frames({"nodes": nodes, "edges": edges}, _out(out) / "centrality"))


@app.command()
@_friendly
def mincut(
    source: Annotated[str, typer.Option("--source", "-s", help="Supply origin, e.g. dnipro.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Destination, e.g. myrnohrad.")],
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
    out: OutOpt = None,
) -> None:
    """The minimum edge cut and minimum vertex cut between two places.

    The edge cut is the fewest road/rail links whose loss stops all supply from SOURCE to
    TARGET; the vertex cut the fewest places. Writes edge_cut.csv and vertex_cut.csv under
    REPORTS/mincut/<source>-<target>/.

    Example: resilience mincut --source dnipro --target myrnohrad
    """
    from resilience.analysis.cuts import min_edge_cut, min_vertex_cut  # noqa: PLC0415
    from resilience.report import write_frames  # noqa: PLC0415
    from resilience.sources.load import load_network  # noqa: PLC0415
    from resilience.targets import normalize_name  # noqa: PLC0415

    G = load_network(graph, mode=mode, stations=stations)
    s, t = _endpoints(G, source, target)
    edges = min_edge_cut(G, s, t, near=near)
    vertices = min_vertex_cut(G, s, t, near=near)
    _show(
        f"Minimum edge cut {source} → {target}: {len(edges)} link(s)",
        edges[["from", "to", "mode", "ref", "label"]],
    )
    if vertices is None:
        typer.echo(f"\nMinimum vertex cut: none — {source} and {target} are directly linked")
        vertices = pd.DataFrame(columns=["node", "name", "kind", "x", "y"])
    else:
        _show(
            f"Minimum vertex cut {source} → {target}: {len(vertices)} place(s)",
            vertices[["name", "kind"]],
        )
    folder = _out(out) / "mincut" / f"{normalize_name(source)}-{normalize_name(target)}"
    _written(write_frames({"edge_cut": edges, "vertex_cut": vertices}, folder))


@app.command()
@_friendly
def paths(
    source: Annotated[str, typer.Option("--source", "-s", help="Supply origin, e.g. dnipro.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Destination, e.g. kramatorsk.")],
    node: NodeOpt = None,
    ref: RefOpt = None,
    corridor: CorridorOpt = None,
    edge: EdgeOpt = None,
    polygon: PolygonOpt = None,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    weight: WeightOpt = "travel_time",
    out: OutOpt = None,
) -> None:
    """The shortest supply path and the edge-disjoint alternatives, after optional removals.

    The alternatives are the largest set of paths sharing no link, with the least total
    travel time. Writes paths.csv under REPORTS/paths/<source>-<target>/.

    Example: resilience paths --source dnipro --target kramatorsk --node pokrovsk
    """
    from resilience.analysis.paths import paths_table  # noqa: PLC0415
    from resilience.report import write_frames  # noqa: PLC0415
    from resilience.sources.load import load_network  # noqa: PLC0415
    from resilience.targets import apply_removal, normalize_name  # noqa: PLC0415

    w = _weight(weight)
    G = load_network(graph, mode=mode, stations=stations)
    s, t = _endpoints(G, source, target)
    removal = _removal(G, node, ref, corridor, edge, polygon)
    for name, n in ((source, s), (target, t)):
        if n in removal.nodes:
            msg = f"{name!r} is itself removed by the targets"
            raise BadInputError(msg)
    H = apply_removal(G, removal)
    table = paths_table(H, s, t, weight=w)
    removed = f" without {', '.join(removal.labels)}" if removal.labels else ""
    if table.empty:
        typer.echo(f"No route from {source} to {target}{removed}: it is cut off.")
    else:
        _show(f"Supply paths {source} → {target}{removed}", table)
    folder = _out(out) / "paths" / f"{normalize_name(source)}-{normalize_name(target)}"
    if removal.labels:
        folder = folder / removal.slug()
    _written(write_frames({"paths": table}, folder))


@app.command()
@_friendly
def places(
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
) -> None:
    """List the places, refs and corridors that targets can name.

    Example: resilience places
    """
    from resilience.sources.load import load_network  # noqa: PLC0415
    from resilience.targets import _ref_tokens, graph_corridors_file, load_corridors  # noqa: PLC0415

    G = load_network(graph, mode=mode, stations=stations)
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
    _show("Places", pd.DataFrame(rows).sort_values("id") if rows else pd.DataFrame())
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


def main() -> Any:
    """Entry point of the ``resilience`` script."""
    return app(prog_name="resilience")


# Commands of the other concerns live in their own modules and register on ``app`` here,
# after everything they import from this module exists.
from resilience import cli_osm as _cli_osm  # noqa: E402, F401
from resilience import cli_scan as _cli_scan  # noqa: E402, F401
from resilience import cli_scenarios as _cli_scenarios  # noqa: E402, F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
