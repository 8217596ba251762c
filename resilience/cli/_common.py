"""What every command shares: one-line errors, table printing, the graph and targets glue."""

from __future__ import annotations

import functools
import inspect
import re
import typing
import warnings
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TextIO, TypeVar

import typer

from resilience import settings
from resilience.errors import BadInputError, ResilienceError

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from resilience.targets import Removal

__all__ = [
    "bbox_point",
    "command_line",
    "dated",
    "edge_pairs",
    "emit_json",
    "endpoints",
    "floats",
    "friendly",
    "join_edge_args",
    "load_graph",
    "out_dir",
    "records",
    "remember_argv",
    "removal",
    "row_records",
    "run_folder",
    "run_inputs",
    "show",
    "show_rows",
    "table_text",
    "target_slug",
    "write_manifest",
    "written",
]

P = ParamSpec("P")
R = TypeVar("R")


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


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into one line on stderr and exit code 2; warnings into one line.

    Parameters
    ----------
    func
        A command function.

    Returns
    -------
    Callable
        The same command, wrapped.
    """

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


def show(title: str, frame: pd.DataFrame) -> None:
    """Print a titled table, ``(none)`` when it is empty.

    Parameters
    ----------
    title
        Line printed above the table.
    frame
        The rows; missing values print as ``-``.
    """
    import pandas as pd  # noqa: PLC0415 - only commands that print tables pay for pandas

    typer.echo(f"\n{title}")
    if frame.empty:
        typer.echo("  (none)")
        return
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        typer.echo(frame.to_string(index=False, na_rep="-"))


def _text_cell(value: Any) -> str:
    # pandas prints text with tabs and line breaks escaped.
    return str(value).replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def _trim_zeros(cells: list[str]) -> list[str]:
    """Drop trailing zeros from every decimal alike, keeping one digit after the point."""
    numbers = [re.match(r"^\s*[+-]?[0-9]+\.[0-9]*$", c) is not None for c in cells]
    if not any(numbers):
        return cells
    while all(c.endswith("0") for c, is_num in zip(cells, numbers, strict=True) if is_num):
        cells = [c[:-1] if is_num else c for c, is_num in zip(cells, numbers, strict=True)]
    return [
        c + "0" if is_num and c.endswith(".") else c
        for c, is_num in zip(cells, numbers, strict=True)
    ]


def _float_cells(values: list[Any]) -> list[str]:
    """A decimal column as pandas prints it: 6 decimals, zeros trimmed alike, else 1e+07."""
    from resilience.io import is_missing  # noqa: PLC0415

    def cells(spec: str) -> list[str]:
        return _trim_zeros(["-" if is_missing(v) else format(float(v), spec) for v in values])

    out = cells(".6f")
    sizes = [abs(float(v)) for v in values if not is_missing(v)]
    too_long = max(len(c) for c in out) > 12  # noqa: PLR2004 - pandas: 6 digits + 6
    if any(0 < x < 1e-6 for x in sizes) or (too_long and any(x > 1e6 for x in sizes)):  # noqa: PLR2004
        out = cells(".6e")
    return out


def _object_cell(value: Any) -> str:
    from resilience.io import is_missing  # noqa: PLC0415

    if value is None:
        return "None"
    if is_missing(value):
        return "-"
    if isinstance(value, float):
        text = f"{value: .6f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    return _text_cell(value)


def table_text(
    rows: list[dict[str, Any]], columns: tuple[str, ...] | list[str], *, typed: bool = True
) -> str:
    """Rows as a text table, as pandas prints their frame without its index.

    The text of ``pandas.DataFrame(rows, columns=columns).to_string(index=False,
    na_rep="-")`` (``dtype=object`` with ``typed=False``; column types as
    :func:`resilience.io.column_kinds` infers them), without importing pandas: columns
    right-aligned, one space apart, number columns' headers one space wider.

    Parameters
    ----------
    rows
        One dict per row (at least one).
    columns
        The columns, in order.
    typed
        As for :func:`resilience.io.column_kinds`.

    Returns
    -------
    str
        The table, one line per row after the header, no final newline.
    """
    from resilience.io import column_kinds, is_missing  # noqa: PLC0415

    strcols = []
    for col, kind in zip(columns, column_kinds(rows, columns, typed=typed), strict=True):
        values = [row.get(col) for row in rows]
        if kind == "float":
            cells = _float_cells(values)
        elif kind in ("int", "bool"):
            cells = [str(v) for v in values]
        elif kind == "str":
            cells = ["-" if is_missing(v) else _text_cell(v) for v in values]
        else:
            cells = [_object_cell(v) for v in values]
        header = f" {col}" if kind in ("float", "int", "bool") else str(col)
        width = max(len(header), *(len(c) for c in cells))
        strcols.append([header.rjust(width), *(c.rjust(width) for c in cells)])
    return "\n".join(" ".join(line) for line in zip(*strcols, strict=True))


def show_rows(
    title: str,
    rows: list[dict[str, Any]],
    columns: tuple[str, ...] | list[str],
    *,
    typed: bool = True,
) -> None:
    """Print a titled table of plain rows (:func:`table_text`), ``(none)`` when empty.

    Looks as :func:`show` prints the rows' frame, without importing pandas.

    Parameters
    ----------
    title
        Line printed above the table.
    rows
        One dict per row; missing numbers print as ``-``.
    columns
        The columns, in order.
    typed
        As for :func:`resilience.io.column_kinds`.
    """
    typer.echo(f"\n{title}")
    if not rows:
        typer.echo("  (none)")
        return
    typer.echo(table_text(rows, columns, typed=typed))


def row_records(
    rows: list[dict[str, Any]], columns: tuple[str, ...] | list[str], *, typed: bool = True
) -> list[dict[str, Any]]:
    """Rows as JSON records, as :func:`records` gives them for the rows' frame.

    Missing values are ``None``; whole numbers in a decimal column become floats.

    Parameters
    ----------
    rows
        One dict per row.
    columns
        The columns, in order.
    typed
        As for :func:`resilience.io.column_kinds`.

    Returns
    -------
    list of dict
        One dict per row, keys in column order.
    """
    from resilience.io import column_kinds, is_missing  # noqa: PLC0415

    kinds = column_kinds(rows, columns, typed=typed)
    return [
        {
            c: None if is_missing(row.get(c)) else float(row[c]) if k == "float" else row[c]
            for c, k in zip(columns, kinds, strict=True)
        }
        for row in rows
    ]


def written(paths: list[Path]) -> None:
    """Say how many files a command wrote and where.

    Parameters
    ----------
    paths
        The files written (all in one folder).
    """
    typer.echo(f"\nwrote {len(paths)} file(s) under {paths[0].parent}" if paths else "")


def edge_pairs(values: list[str] | None) -> list[tuple[str, str, str | None]]:
    """The ``(A, B, key)`` of repeated ``--edge A B`` / ``--edge A B#KEY`` options.

    Parameters
    ----------
    values
        The ``--edge`` values, each ``A`` and ``B`` joined by :data:`EDGE_SEP` (the command
        group joins them before parsing; see :func:`join_edge_args`). ``B#KEY`` names one
        of several parallel links by its edge key.

    Returns
    -------
    list of tuple
        One ``(A, B, key or None)`` per ``--edge``, in the order given.

    Raises
    ------
    BadInputError
        If a value is not two place names, or ``#`` is followed by no key.
    """
    from resilience.cli._options import EDGE_SEP  # noqa: PLC0415

    pairs: list[tuple[str, str, str | None]] = []
    for value in values or []:
        parts = value.split(EDGE_SEP)
        if len(parts) != 2 or not all(p.strip() for p in parts):  # noqa: PLR2004
            got = " ".join(repr(p) for p in parts)
            msg = f"--edge takes two places, e.g. --edge pokrovsk myrnohrad; got {got}"
            raise BadInputError(msg)
        a, b = parts
        key: str | None = None
        if "#" in b:
            b, key = b.rsplit("#", 1)
            if not b.strip() or not key.strip():
                msg = f"--edge A B#KEY needs a place and a key around '#'; got {parts[1]!r}"
                raise BadInputError(msg)
        pairs.append((a, b, key))
    return pairs


def join_edge_args(args: list[str]) -> list[str]:
    """Join each ``--edge A B`` (or ``-e A B``) of a command line into one value.

    typer cannot take a repeatable option of two values; joined, ``--edge`` is a plain
    repeatable option and every pair is kept (not only the last).

    Parameters
    ----------
    args
        The command line after the program name.

    Returns
    -------
    list of str
        The same arguments, each pair joined by :data:`EDGE_SEP`.

    Raises
    ------
    BadInputError
        If an ``--edge`` is not followed by two place names.
    """
    from resilience.cli._options import EDGE_SEP  # noqa: PLC0415

    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg in {"--edge", "-e"}:
            pair = args[i + 1 : i + 3]
            if len(pair) < 2 or any(p.startswith("-") and len(p) > 1 for p in pair):  # noqa: PLR2004
                msg = f"{arg} takes two places, e.g. --edge pokrovsk myrnohrad"
                raise BadInputError(msg)
            out += [arg, EDGE_SEP.join(pair)]
            i += 3
            continue
        out.append(arg)
        i += 1
    return out


def out_dir(out: Path | None) -> Path:
    """The reports folder: ``--out`` or the default of :func:`settings.reports_dir`.

    Parameters
    ----------
    out
        The ``--out`` value.

    Returns
    -------
    Path
        The folder to write under.
    """
    if out is not None and not str(out).strip():
        msg = "--out needs a folder name (an empty --out would write into the current folder)"
        raise BadInputError(msg)
    return out if out is not None else settings.reports_dir()


def floats(text: str, count: int, flag: str, example: str) -> tuple[float, ...]:
    """Parse ``count`` comma-separated numbers given to ``flag``.

    Parameters
    ----------
    text
        The option value.
    count
        How many numbers it must hold.
    flag, example
        For the error message.

    Returns
    -------
    tuple of float
        The numbers.

    Raises
    ------
    BadInputError
        If ``text`` is not ``count`` numbers.
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != count:
        msg = f"{flag} takes {count} comma-separated numbers, e.g. {example}; got {text!r}"
        raise BadInputError(msg)
    return values


_LAT_MAX, _LON_MAX = 90.0, 180.0


def _degrees(flag: str, *, lat: tuple[float, ...], lon: tuple[float, ...]) -> None:
    """Refuse latitudes outside ±90 and longitudes outside ±180 (metres, nan, inf)."""
    import math  # noqa: PLC0415

    checks = [*((v, _LAT_MAX, "latitude") for v in lat), *((v, _LON_MAX, "longitude") for v in lon)]
    for value, limit, what in checks:
        if not math.isfinite(value) or abs(value) > limit:
            msg = (
                f"{flag}: {what} {value:g} is not in degrees (-{limit:g} to {limit:g}); "
                "give WGS84 degrees, not metres"
            )
            raise BadInputError(msg)


def bbox_point(
    bbox: str | None, point: str | None
) -> tuple[tuple[float, float, float, float] | None, tuple[float, float] | None]:
    """Parse ``--bbox W,S,E,N`` and ``--point LAT,LON``.

    Parameters
    ----------
    bbox, point
        The option values, or ``None``.

    Returns
    -------
    tuple
        ``(west, south, east, north)`` or ``None``; ``(lat, lon)`` or ``None``.
    """
    pt = floats(point, 2, "--point", "48.28,37.18") if point else None
    box = floats(bbox, 4, "--bbox", "36.9,48.1,37.5,48.45") if bbox else None
    # Degrees only: metres (or nan, or a swapped pair) would clip to nothing and every
    # answer would read "nothing lost".
    if pt is not None:
        _degrees("--point", lat=(pt[0],), lon=(pt[1],))
    if box is not None:
        _degrees("--bbox", lat=(box[1], box[3]), lon=(box[0], box[2]))
        if not (box[0] < box[2] and box[1] < box[3]):
            msg = f"--bbox is W,S,E,N with W < E and S < N, e.g. 36.9,48.1,37.5,48.45; got {bbox!r}"
            raise BadInputError(msg)
    return (
        (box[0], box[1], box[2], box[3]) if box else None,
        (pt[0], pt[1]) if pt else None,
    )


def load_graph(
    graph: str | None,
    mode: str | None,
    stations: Path | None,
    bbox: str | None,
    point: str | None,
    radius_km: float | None,
    snap_m: float | None,
    *,
    node_crossings: bool = False,
) -> nx.MultiDiGraph[Any]:
    """Load the network the graph-source options name (see :mod:`resilience.cli._options`).

    Parameters
    ----------
    graph, mode, stations, bbox, point, radius_km, snap_m, node_crossings
        The option values, as the command received them.

    Returns
    -------
    networkx.MultiDiGraph
        The checked network.
    """
    from resilience.sources.load import load_network  # noqa: PLC0415 - geo stack

    box, pt = bbox_point(bbox, point)
    G = load_network(
        graph,
        mode=mode,
        stations=stations,
        bbox=box,
        point=pt,
        radius_km=radius_km,
        snap_m=snap_m,
        node_crossings=node_crossings,
    )
    return _on_date(G)


def removal(
    G: nx.MultiDiGraph[Any],
    node: list[str] | None,
    ref: list[str] | None,
    corridor: list[str] | None,
    edge: list[str] | None,
    polygon: list[Path] | None,
) -> Removal:
    """The removal the target options of a command name.

    Parameters
    ----------
    G
        The network.
    node, ref, corridor, edge, polygon
        The target option values.

    Returns
    -------
    Removal
        Nodes and edges to take out.
    """
    from resilience.targets import Removal, build_removal  # noqa: PLC0415

    dated_run = _DATED_RUN.get()
    full = dated_run.full if dated_run is not None else G
    removed = build_removal(
        full,
        nodes=node or [],
        refs=ref or [],
        corridors=corridor or [],
        edges=edge_pairs(edge),
        polygons=polygon or [],
    )
    if dated_run is None:
        if edge:
            _edge_note(full, removed, edge_pairs(edge))
        return removed
    # Name targets on the whole network, so one already lost says so instead of "unknown".
    for line in _lost_lines(full, removed.nodes & dated_run.info.removal.nodes, dated_run):
        typer.echo(line)
    on_date = Removal(
        frozenset(n for n in removed.nodes if n in G),
        frozenset(e for e in removed.edges if G.has_edge(e[0], e[1], e[2])),
        removed.labels,
    )
    if edge:
        _edge_note(full, on_date, edge_pairs(edge))
    return on_date


def _edge_note(
    G: nx.MultiDiGraph[Any], removed: Removal, pairs: list[tuple[str, str, str | None]]
) -> None:
    # One line on stderr (stdout may be --json): how many two-way links the --edge
    # options took out, counted as redundancy counts them (both directions of a key once).
    from resilience.targets.names import link_count, resolve_edge  # noqa: PLC0415

    edges: set[Any] = set()
    for a, b, key in pairs:
        edges |= resolve_edge(G, a, b, key=key)
    kept = {
        e
        for e in edges
        if e in removed.edges and e[0] not in removed.nodes and e[1] not in removed.nodes
    }
    typer.echo(
        f"note: --edge removed {link_count(kept)} link(s) ({len(kept)} link direction(s))",
        err=True,
    )


def endpoints(G: nx.MultiDiGraph[Any], source: str, target: str) -> tuple[Any, Any]:
    """The nodes of ``--source`` and ``--target``, refused when they are the same place.

    Parameters
    ----------
    G
        The network.
    source, target
        Place names.

    Returns
    -------
    tuple
        The two node ids.

    Raises
    ------
    BadInputError
        If both name the same node.
    """
    from resilience.targets import endpoint  # noqa: PLC0415

    dated_run = _DATED_RUN.get()
    if dated_run is not None:
        full = dated_run.full
        ends = [endpoint(full, source), endpoint(full, target)]
        lost = [n for n in ends if n not in G]
        for line in _lost_lines(full, lost, dated_run):
            typer.echo(line)
        if lost:
            raise typer.Exit(0)
    s, t = endpoint(G, source), endpoint(G, target)
    if s == t:
        msg = f"source and target are the same place ({source!r}, {target!r})"
        raise BadInputError(msg)
    return s, t


# -- analysis date -------------------------------------------------------------------------


@dataclass(frozen=True)
class _DateOptions:
    as_of: str | None
    pre_war: bool
    frontline: Path | None
    grey: bool
    to_stderr: bool = False


@dataclass(frozen=True)
class _DatedRun:
    full: nx.MultiDiGraph[Any]
    info: Any  # resilience.asof.NetworkOn


_DATE_OPTIONS: ContextVar[_DateOptions | None] = ContextVar("date_options", default=None)
_DATED_RUN: ContextVar[_DatedRun | None] = ContextVar("dated_run", default=None)


def dated(func: Callable[..., R]) -> Callable[..., R]:
    """Give a graph-reading command ``--as-of``, ``--pre-war``, ``--frontline`` and ``--grey``.

    The options are appended to the command's signature (so typer lists them) and are read
    by :func:`load_graph`, which turns the loaded network into the network on that date;
    the command body never sees them.

    Parameters
    ----------
    func
        A command function that loads its graph with :func:`load_graph`.

    Returns
    -------
    Callable
        The command with the four options.
    """
    from resilience.cli._options import (  # noqa: PLC0415 - keeps _options free of _common
        AsOfFrontlineOpt,
        AsOfOpt,
        GreyOpt,
        PreWarOpt,
    )

    extra = {
        "as_of": (AsOfOpt, None),
        "pre_war": (PreWarOpt, False),
        "frontline": (AsOfFrontlineOpt, None),
        "grey": (GreyOpt, False),
    }

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        values = [kwargs.pop(name, default) for name, (_, default) in extra.items()]
        # The date line goes with the output, except where stdout must stay pure JSON.
        to_stderr = any(v is True for k, v in kwargs.items() if "json" in k)
        as_of, pre_war, frontline, grey = values
        options = _DateOptions(as_of, pre_war, frontline, grey, to_stderr=to_stderr)
        token = _DATE_OPTIONS.set(options)
        run_token = _DATED_RUN.set(None)
        try:
            result = func(*args, **kwargs)
            # Said last, so an error stays one line; every answer ends with its date.
            for line in _date_lines():
                typer.echo(line, err=to_stderr)
            return result
        finally:
            _DATED_RUN.reset(run_token)
            _DATE_OPTIONS.reset(token)

    sig = inspect.signature(func, eval_str=True)
    params = list(sig.parameters.values()) + [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
        for name, (a, d) in extra.items()
    ]
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **typing.get_type_hints(func, include_extras=True),
        **{name: a for name, (a, _) in extra.items()},
    }
    return wrapper


def _on_date(G: nx.MultiDiGraph[Any]) -> nx.MultiDiGraph[Any]:
    """The network on the command's analysis date (said by the command's closing line)."""
    options = _DATE_OPTIONS.get()
    if options is None:
        return G
    from resilience.asof import network_on  # noqa: PLC0415
    from resilience.frontline import load_frontline  # noqa: PLC0415

    front = load_frontline(options.frontline) if options.frontline is not None else None
    H, info = network_on(
        G, options.as_of, frontline=front, pre_war=options.pre_war, grey=options.grey
    )
    _DATED_RUN.set(_DatedRun(G, info))
    return H


def _date_lines() -> list[str]:
    """The analysis date and layer, and the default destinations it left out."""
    run = _DATED_RUN.get()
    if run is None:
        return []
    G, info = run.full, run.info
    lost = info.removal
    if info.as_of.date is None:
        return [f"\n{info.as_of.describe()}"]
    counts = f"{len(lost.nodes)} place(s) and {len(lost.edges)} more link direction(s) lost"
    lines = [f"\n{info.as_of.describe()}: {counts}"]
    destinations = [n for n in G.graph.get("destinations", []) if n in lost.nodes]
    if destinations:
        names = ", ".join(
            f"{G.nodes[n].get('name', n)} ({G.nodes[n].get('lost_on') or 'lost'})"
            for n in destinations
        )
        lines.append(f"default destinations already lost, left out: {names}")
    return lines


def _lost_lines(full: nx.MultiDiGraph[Any], nodes: Any, run: _DatedRun) -> list[str]:
    """One line per place already lost (a station goes with its town), sorted by name."""
    nodes = set(nodes)
    lines = set()
    for n in nodes:
        data = full.nodes[n]
        if data.get("place") in nodes:
            continue  # the station of a town already named
        since = data.get("lost_on")
        when = f"lost on {since}" if since else "inside the occupied area"
        lines.add(
            f"{data.get('name', n)} is already {when}: "
            f"not in the network as of {run.info.as_of.label} ({run.info.as_of.layer})"
        )
    return sorted(lines)


# -- run folders, manifests and JSON -------------------------------------------------------

# Where and how a run executes, not what it computes: same answer, same folder.
_NOT_INPUTS = frozenset({"out", "as_json", "jobs", "scheduler"})


def _context() -> Any:
    try:
        from typer._click.globals import get_current_context  # noqa: PLC0415
    except ImportError:  # pragma: no cover - older typer on plain click
        from click import get_current_context  # type: ignore[no-redef]  # noqa: PLC0415
    return get_current_context(silent=True)


def _plain(value: Any) -> Any:
    from resilience.cli._options import EDGE_SEP  # noqa: PLC0415

    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return value.replace(EDGE_SEP, " ")
    return value


def target_slug(G: nx.MultiDiGraph[Any], removed: Removal) -> str:
    """A readable folder stem for a removal, from place names when the labels are not Latin.

    Parameters
    ----------
    G
        The network.
    removed
        What is removed.

    Returns
    -------
    str
        E.g. ``pokrovsk+m30``; ``baseline`` when nothing is removed.
    """
    from resilience.targets import normalize_name  # noqa: PLC0415

    slug = removed.slug()
    if slug != "removal":
        return slug
    names = sorted(
        {
            normalize_name(str(G.nodes[n].get("name", n)))
            for n in removed.nodes
            if n in G and not G.nodes[n].get("place")
        }
    )
    text = "+".join(n for n in names if n.isascii())
    return text[:60] or "removal"


def _file_hashes(params: dict[str, Any]) -> dict[str, str]:
    """sha256 of every option value that names an existing file (graph, polygons, layers)."""
    from resilience.provenance import file_sha256  # noqa: PLC0415

    out: dict[str, str] = {}
    stack = list(params.values())
    while stack:
        value = stack.pop()
        if isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, (str, Path)) and str(value) and Path(value).is_file():
            out[str(value)] = file_sha256(value)
    return dict(sorted(out.items()))


_ARGV: ContextVar[tuple[str, ...]] = ContextVar("argv", default=())


def remember_argv(args: list[str]) -> None:
    """Keep the command line as typed, for :func:`command_line` (the command group calls it).

    Parameters
    ----------
    args
        The arguments after the program name.
    """
    _ARGV.set(tuple(args))


def command_line() -> str:
    """The command as typed (``resilience`` and its arguments), for manifests.

    Returns
    -------
    str
        A shell-quoted command line.
    """
    import shlex  # noqa: PLC0415

    return shlex.join(["resilience", *_ARGV.get()])


def run_inputs() -> dict[str, Any]:
    """The command's name, every option value (not ``--out``/``--json``) and file hashes."""
    ctx = _context()
    if ctx is None:
        return {}
    params = {k: _plain(v) for k, v in sorted(ctx.params.items()) if k not in _NOT_INPUTS}
    return {
        "command": ctx.info_name,
        "options": params,
        "files_sha256": _file_hashes(ctx.params),
    }


def run_folder(base: Path, kind: str, name: str, extra: str = "") -> Path:
    """``base/kind/<name>-<hash>``: one folder per distinct run, the same for the same run.

    The hash (8 hex digits of sha256) covers the command, every option value but those of
    where and how it runs (``--out``, ``--json``, ``--jobs``, ``--scheduler``), and the
    sha256 of every input file named, so two runs that differ in anything get two folders
    and a rerun lands on (and rewrites byte for byte) its own.

    Parameters
    ----------
    base
        The reports folder.
    kind
        The command's folder, e.g. ``cut``.
    name
        Readable stem from the targets, e.g. ``pokrovsk+myrnohrad``.
    extra
        Further input to hash (e.g. a scenario file's sha256).

    Returns
    -------
    Path
        The folder (not created).
    """
    import hashlib  # noqa: PLC0415
    import json  # noqa: PLC0415

    payload = json.dumps(run_inputs(), sort_keys=True, default=str, ensure_ascii=True) + extra
    digest = hashlib.sha256(payload.encode()).hexdigest()[:8]
    return base / kind / f"{name[:60].rstrip('+-')}-{digest}"


def write_manifest(
    folder: Path,
    files: list[Path],
    G: nx.MultiDiGraph[Any] | None = None,
    *,
    weight: str = "travel_time",
    origins: Any = (),
    destinations: Any = (),
    seeds: dict[str, int] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Path]:
    """Write ``run.json`` beside the outputs and return ``files`` plus it.

    The manifest holds the provenance record (version, command line, graph file and its
    sha256, weight, analysis date and front-line layer, OD sets, seeds), every option
    value, the sha256 of every input file and the names of the files written. It holds no
    clock time, so a rerun writes the same bytes.

    Parameters
    ----------
    folder
        The run folder.
    files
        The files the command wrote there.
    G
        The network analysed.
    weight, origins, destinations, seeds
        As the command used them.
    extra
        Facts the command derived (e.g. a sampled estimate's sample size), recorded under
        their own keys after the provenance record.

    Returns
    -------
    list of Path
        ``files`` and the manifest.
    """
    import json  # noqa: PLC0415

    from resilience.io import write_text  # noqa: PLC0415
    from resilience.provenance import Provenance, graph_provenance  # noqa: PLC0415

    inputs = run_inputs()
    graph = inputs.get("options", {}).get("graph")
    command = command_line()
    record = (
        graph_provenance(
            G,
            command=command,
            graph=graph,
            weight=weight,
            origins=list(origins),
            destinations=list(destinations),
            seeds=seeds,
        )
        if G is not None
        else Provenance(command=command, weight=weight)
    )
    names = sorted(str(p.relative_to(folder)) for p in files if folder in p.parents)
    manifest = {**record.to_dict(), **(extra or {}), "inputs": inputs, "files": names}
    text = json.dumps(manifest, indent=2, sort_keys=False, default=str, ensure_ascii=False)
    return [*files, write_text(folder / "run.json", text + "\n")]


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (notes and warnings go to stderr).

    Parameters
    ----------
    data
        JSON-ready values; frames are given as records by the caller.
    """
    import json  # noqa: PLC0415

    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False, allow_nan=False))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON records, missing values as ``null``.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    list of dict
        One dict per row.
    """
    import json  # noqa: PLC0415

    return list(json.loads(frame.to_json(orient="records", force_ascii=False)))
