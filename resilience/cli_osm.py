"""``resilience fetch``: download real OpenStreetMap road + rail graphs into the cache."""

from __future__ import annotations

from typing import Annotated

import typer

from resilience.cli import _friendly, app
from resilience.errors import BadInputError

__all__ = ["fetch"]


def _floats(text: str, count: int, flag: str, example: str) -> tuple[float, ...]:
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != count:
        msg = f"{flag} takes {count} comma-separated numbers, e.g. {example}; got {text!r}"
        raise BadInputError(msg)
    return values


def _names(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


@app.command()
@_friendly
def fetch(
    place: Annotated[
        str | None,
        typer.Option("--place", help="A place name OpenStreetMap knows, e.g. 'Pokrovsk, Ukraine'."),
    ] = None,
    point: Annotated[
        str | None,
        typer.Option("--point", help="Centre as LAT,LON (with --radius-km).", metavar="LAT,LON"),
    ] = None,
    radius_km: Annotated[
        float | None,
        typer.Option("--radius-km", min=0.1, help="Half-side of the square around --point, km."),
    ] = None,
    bbox: Annotated[
        str | None,
        typer.Option("--bbox", help="Area as W,S,E,N in degrees.", metavar="W,S,E,N"),
    ] = None,
    modes: Annotated[
        str, typer.Option("--modes", help="Networks to download: road, rail or road,rail.")
    ] = "road,rail",
    road_classes: Annotated[
        str,
        typer.Option(
            "--road-classes",
            help="OSM highway classes (their _link roads included).",
            metavar="CLASSES",
        ),
    ] = "motorway,trunk,primary,secondary,tertiary",
    name: Annotated[
        str | None,
        typer.Option("--name", help="Cache name: graphs/NAME.graphml (default: from the query)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Download again even if the cache has this query.")
    ] = False,
) -> None:
    """Download road + rail from OpenStreetMap into graphs/NAME.graphml (needs internet).

    The graph is cached with a NAME.meta.json sidecar (query, osmnx version, date, counts);
    fetching the same query again reuses it unless --refresh. Every other command then
    runs on it with --graph NAME. Without internet this fails at once: use --graph with a
    local .osm/.osm.pbf extract or a line layer, or the embedded default region.

    Example: resilience fetch --point 48.28,37.18 --radius-km 25 --name pokrovsk-osm
    """
    from resilience.sources.osm import fetch_graph  # noqa: PLC0415 - osmnx is slow to import

    pt = _floats(point, 2, "--point", "48.28,37.18") if point else None
    box = _floats(bbox, 4, "--bbox", "36.9,48.1,37.5,48.45") if bbox else None
    path = fetch_graph(
        place=place,
        point=(pt[0], pt[1]) if pt else None,
        radius_km=radius_km,
        bbox=(box[0], box[1], box[2], box[3]) if box else None,
        modes=_names(modes),
        road_classes=_names(road_classes),
        refresh=refresh,
        name=name,
    )
    typer.echo(f"graph cached at {path}; use it with --graph {path.stem}")
