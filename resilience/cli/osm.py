"""``fetch``: download real OpenStreetMap road + rail graphs into the cache."""

from __future__ import annotations

from typing import Annotated

import typer

from resilience.cli._common import bbox_point, emit_json, friendly
from resilience.cli._options import BboxOpt, JsonOpt, PointOpt, RadiusOpt

__all__ = ["COMMANDS", "fetch"]


def _names(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


@friendly
def fetch(
    place: Annotated[
        str | None,
        typer.Option("--place", help="A place name OpenStreetMap knows, e.g. 'Pokrovsk, Ukraine'."),
    ] = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    bbox: BboxOpt = None,
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
    as_json: JsonOpt = False,
) -> None:
    """Download road + rail from OpenStreetMap into graphs/NAME.graphml (needs internet).

    The graph is cached with a NAME.meta.json sidecar (query, osmnx version, date, counts);
    fetching the same query again reuses it unless --refresh. Every other command then
    runs on it with --graph NAME. Without internet this fails at once: use --graph with a
    local .osm/.osm.pbf extract or a line layer, or the embedded default region.

    Example: resilience fetch --point 48.28,37.18 --radius-km 25 --name pokrovsk-osm
    """
    from resilience.sources.osm import fetch_graph  # noqa: PLC0415 - osmnx is slow to import

    box, pt = bbox_point(bbox, point)
    path = fetch_graph(
        place=place,
        point=pt,
        radius_km=radius_km,
        bbox=box,
        modes=_names(modes),
        road_classes=_names(road_classes),
        refresh=refresh,
        name=name,
    )
    if as_json:
        emit_json({"command": "fetch", "graph": str(path), "name": path.stem})
        return
    typer.echo(f"graph cached at {path}; use it with --graph {path.stem}")


#: Command name → function.
COMMANDS = {"fetch": fetch}
