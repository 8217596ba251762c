"""Every command-line option, defined once; commands share them by type alias.

A command that reads a graph takes all of :data:`GraphOpt` ... :data:`SnapOpt` and hands
them to :func:`resilience.cli._common.load_graph`, so each option means the same thing on
every command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from resilience.settings import WEIGHTS, Weight

__all__ = [
    "EDGE_SEP",
    "MAX_BUFFER_M",
    "MODES",
    "AsOfFrontlineOpt",
    "AsOfOpt",
    "BboxOpt",
    "CorridorOpt",
    "DestOpt",
    "EdgeOpt",
    "GraphOpt",
    "GreyOpt",
    "JsonOpt",
    "ModeOpt",
    "NodeCrossingsOpt",
    "NodeOpt",
    "OriginOpt",
    "OutOpt",
    "PointOpt",
    "PolygonOpt",
    "PreWarOpt",
    "RadiusOpt",
    "RefOpt",
    "SnapOpt",
    "SourceOpt",
    "StationsOpt",
    "TargetOpt",
    "WeightOpt",
]

# -- graph source -------------------------------------------------------------------------

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
MODES = ("rail", "road")


def _mode(text: str) -> str:
    # A mode the loader does not know (bus, ...) would be read as rail: refuse it instead.
    if text in MODES:
        return text
    msg = f"must be {' or '.join(MODES)}, not {text!r}"
    raise typer.BadParameter(msg)


ModeOpt = Annotated[
    str | None,
    typer.Option(
        "--mode",
        parser=_mode,
        help="Mode of a line-layer --graph: rail (default) or road.",
        metavar="rail|road",
    ),
]
StationsOpt = Annotated[
    Path | None,
    typer.Option(
        "--stations",
        help="Station point layer for a rail line-layer --graph (names and attaches them).",
        metavar="FILE",
    ),
]
BboxOpt = Annotated[
    str | None,
    typer.Option(
        "--bbox",
        help="Area as W,S,E,N in degrees (clips an .osm/.osm.pbf --graph).",
        metavar="W,S,E,N",
    ),
]
PointOpt = Annotated[
    str | None,
    typer.Option(
        "--point",
        help="Centre as LAT,LON, with --radius-km (clips an .osm/.osm.pbf --graph).",
        metavar="LAT,LON",
    ),
]
RadiusOpt = Annotated[
    float | None,
    typer.Option("--radius-km", min=0.1, help="Half-side of the square around --point, km."),
]
SnapOpt = Annotated[
    float | None,
    typer.Option(
        "--snap-m",
        min=0.0,
        help="Join line ends closer than this many metres (line-layer --graph; "
        "default: the loader's tolerance).",
        metavar="M",
    ),
]
NodeCrossingsOpt = Annotated[
    bool,
    typer.Option(
        "--node-crossings",
        help="Make a junction where lines cross without a shared vertex (line-layer --graph).",
    ),
]

# -- targets ------------------------------------------------------------------------------

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
#: Joins the two places of one ``--edge A B`` into one value (see :func:`pair_edges`).
EDGE_SEP = "\x1f"

EdgeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--edge",
        "-e",
        help="Cut the direct links between two places (repeatable), "
        "e.g. --edge pokrovsk myrnohrad --edge pokrovsk selydove. B#KEY cuts only the "
        "link with that edge key (both directions; a parallel link stays), e.g. "
        "--edge a b#1; two node ids of one place name their transfer, e.g. "
        "--edge pokrovsk pokrovsk-station. Prints how many links were cut.",
        metavar="A B[#KEY]",
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

# -- origins and destinations -------------------------------------------------------------

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
SourceOpt = Annotated[str, typer.Option("--source", "-s", help="Supply origin, e.g. dnipro.")]
TargetOpt = Annotated[str, typer.Option("--target", "-t", help="Destination, e.g. myrnohrad.")]

# -- analysis and output ------------------------------------------------------------------


def _weight(text: str) -> Weight:
    for weight in WEIGHTS:
        if text == weight:
            return weight
    msg = f"must be {' or '.join(WEIGHTS)}, not {text!r}"
    raise typer.BadParameter(msg)


WeightOpt = Annotated[
    Weight,
    typer.Option(
        "--weight",
        parser=_weight,
        help="Edge attribute to minimise: travel_time (s) or length (m).",
        metavar="|".join(WEIGHTS),
    ),
]


def _out(text: str) -> Path:
    # typer would turn "" into Path("."): the current folder, which nobody asked for.
    if not text.strip():
        msg = "--out needs a folder name (an empty --out would write into the current folder)"
        raise typer.BadParameter(msg)
    return Path(text)


OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        parser=_out,
        help="Reports folder (default: ./reports, or $RESILIENCE_REPORTS).",
        metavar="DIR",
    ),
]

# -- analysis date (added to every graph-reading command by _common.dated) ----------------

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Analyse the network as it stands on this day: YYYY-MM-DD or latest (default: "
        "the region's reference date; other graphs need --frontline).",
        metavar="DATE|latest",
    ),
]
PreWarOpt = Annotated[
    bool, typer.Option("--pre-war", help="Analyse the network without any occupation.")
]
AsOfFrontlineOpt = Annotated[
    Path | None,
    typer.Option(
        "--frontline",
        # Same words as timeline's --frontline: one flag, one meaning.
        help="Dated front-line polygons (.geojson or .geojson.gz with a 'date' property).",
        metavar="FILE",
    ),
]
GreyOpt = Annotated[
    bool,
    typer.Option("--grey", help="Count the grey (contested) zone as lost too, where known."),
]

# -- output as JSON -------------------------------------------------------------------------

JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print the summary as JSON on stdout (notes and warnings on stderr); "
        "the files are still written.",
    ),
]

#: The widest buffer an area option takes, metres (a scenario's ``buffer_m`` has the same
#: bound: resilience.scenario.MAX_BUFFER_M); inf or 1e308 would overflow the geometry.
MAX_BUFFER_M = 50_000.0
