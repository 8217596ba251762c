"""What every command shares: one-line errors, table printing, the graph and targets glue."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
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
    "endpoints",
    "floats",
    "friendly",
    "load_graph",
    "out_dir",
    "removal",
    "show",
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


def written(paths: list[Path]) -> None:
    """Say how many files a command wrote and where.

    Parameters
    ----------
    paths
        The files written (all in one folder).
    """
    typer.echo(f"\nwrote {len(paths)} file(s) under {paths[0].parent}" if paths else "")


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
) -> nx.MultiDiGraph[Any]:
    """Load the network the graph-source options name (see :mod:`resilience.cli._options`).

    Parameters
    ----------
    graph, mode, stations, bbox, point, radius_km, snap_m
        The option values, as the command received them.

    Returns
    -------
    networkx.MultiDiGraph
        The checked network.
    """
    from resilience.sources.load import load_network  # noqa: PLC0415 - geo stack

    box, pt = bbox_point(bbox, point)
    return load_network(
        graph,
        mode=mode,
        stations=stations,
        bbox=box,
        point=pt,
        radius_km=radius_km,
        snap_m=snap_m,
    )


def removal(
    G: nx.MultiDiGraph[Any],
    node: list[str] | None,
    ref: list[str] | None,
    corridor: list[str] | None,
    edge: tuple[str, str] | None,
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
    from resilience.targets import build_removal  # noqa: PLC0415

    return build_removal(
        G,
        nodes=node or [],
        refs=ref or [],
        corridors=corridor or [],
        edges=[edge] if edge else [],
        polygons=polygon or [],
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

    s, t = endpoint(G, source), endpoint(G, target)
    if s == t:
        msg = f"source and target are the same place ({source!r}, {target!r})"
        raise BadInputError(msg)
    return s, t
