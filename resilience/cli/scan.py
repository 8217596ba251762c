"""``scan`` and ``attack``: criticality of every element, attack curves."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from resilience import settings
from resilience.cli._common import friendly, load_graph, out_dir, show, written
from resilience.cli._options import (
    BboxOpt,
    DestOpt,
    GraphOpt,
    ModeOpt,
    OriginOpt,
    OutOpt,
    PointOpt,
    RadiusOpt,
    SnapOpt,
    StationsOpt,
    WeightOpt,
)
from resilience.errors import BadInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMMANDS", "attack", "scan"]


@friendly
def scan(
    edges: Annotated[bool, typer.Option("--edges", help="Scan links (the default).")] = False,
    nodes: Annotated[bool, typer.Option("--nodes", help="Scan places.")] = False,
    both: Annotated[bool, typer.Option("--both", help="Scan links and places.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to show.")] = 15,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on Dask: 'local' (a local cluster of --jobs workers) or a scheduler "
            "address such as tcp://10.0.0.5:8786.",
            metavar="ADDR|local",
        ),
    ] = None,
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
) -> None:
    """Remove every link (or place) in turn and rank them by the damage to supply.

    Per element: importance (mean extra travel time over the supply pairs still
    connected, minutes), unsatisfied (share of pairs cut off) and efficiency loss.
    Exact: only the shortest-path trees an element lies on are recomputed. Writes
    scan.csv, scan.parquet and scan.gpkg (layers 'links', lines, and 'places', points)
    and bridges.csv under
    REPORTS/scan/.

    Example: resilience scan --both --top 20 --jobs 2
    """
    from tqdm import tqdm  # noqa: PLC0415

    from resilience.analysis.criticality import (  # noqa: PLC0415
        bridges_and_articulation_points,
    )
    from resilience.analysis.criticality import scan as run_scan  # noqa: PLC0415
    from resilience.io import write_layers, write_table  # noqa: PLC0415
    from resilience.reports.layers import element_layers  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    if sum((edges, nodes, both)) > 1:
        msg = "give only one of --edges, --nodes, --both"
        raise BadInputError(msg)
    which = "both" if both else "nodes" if nodes else "edges"
    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    total = (G.number_of_nodes() if which != "edges" else 0) + (
        G.number_of_edges() if which != "nodes" else 0
    )
    with tqdm(
        total=total, unit="el", desc="scan", disable=not sys.stderr.isatty(), leave=False
    ) as bar:
        table = run_scan(
            G,
            origins,
            destinations,
            elements=which,  # type: ignore[arg-type]
            weight=weight,
            jobs=jobs,
            scheduler=scheduler,
            progress=bar.update,
        )
    shown = table.head(top).copy()
    if weight == "travel_time":
        shown["importance"] = (shown["importance"] / 60.0).round(1)
        shown = shown.rename(columns={"importance": "importance_min"})
    shown["unsatisfied"] = (100 * shown["unsatisfied"]).round(1)
    shown["efficiency_loss"] = (100 * shown["efficiency_loss"]).round(2)
    shown = shown.rename(columns={"unsatisfied": "cut_off_%", "efficiency_loss": "eff_loss_%"})
    show(
        f"Most critical {which} ({len(table)} scanned, {len(origins)}×{len(destinations)} pairs)",
        shown.drop(columns=["u", "v", "key", "x", "y"]),
    )
    bridges = bridges_and_articulation_points(G)
    folder = out_dir(out) / "scan"
    paths = write_table(table, folder, "scan")
    # Links as lines (layer 'links'), places as points (layer 'places'), for QGIS.
    paths.append(write_layers(element_layers(G, table), folder / "scan.gpkg"))
    paths.extend(write_table(bridges, folder, "bridges", ("csv",)))
    written(paths)


@friendly
def attack(
    strategy: Annotated[
        str,
        typer.Option("--strategy", help="betweenness, degree or random."),
    ] = "betweenness",
    steps: Annotated[int, typer.Option("--steps", min=1, help="Removal steps.")] = 10,
    fraction: Annotated[
        float,
        typer.Option("--fraction", min=0.0, max=1.0, help="Share of places removed in the end."),
    ] = 0.2,
    recompute: Annotated[
        bool, typer.Option("--recompute", help="Re-rank after every step.")
    ] = False,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Random orders averaged.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random orders.")] = 0,
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
) -> None:
    """Remove places step by step (targeted or random) and chart what is left.

    Columns: share of places removed, largest connected piece, OD efficiency and share of
    supply pairs still connected. Writes attack-<strategy>.csv and .png under
    REPORTS/attack/ (byte-identical on rerun).

    Example: resilience attack --strategy random --steps 10 --runs 20 --seed 1
    """
    from resilience.analysis.attack import attack as run_attack  # noqa: PLC0415
    from resilience.io import write_bytes, write_table  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    if strategy not in ("betweenness", "degree", "random"):
        msg = f"--strategy must be betweenness, degree or random, not {strategy!r}"
        raise BadInputError(msg)
    G = load_graph(graph, mode, stations, bbox, point, radius_km, snap_m)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    curve = run_attack(
        G,
        origins,
        destinations,
        strategy=strategy,  # type: ignore[arg-type]
        steps=steps,
        fraction=fraction,
        recompute=recompute,
        runs=runs,
        seed=seed,
        weight=weight,
    )
    show(f"Attack: {curve['strategy'].iloc[0]}", curve)
    stem = f"attack-{strategy}" + ("-recomputed" if recompute else "")
    folder = out_dir(out) / "attack"
    paths = write_table(curve, folder, stem, ("csv",))
    paths.append(write_bytes(folder / f"{stem}.png", _chart(curve)))
    written(paths)


def _chart(curve: pd.DataFrame) -> bytes:
    """The attack curve as PNG bytes."""
    import matplotlib as mpl  # noqa: PLC0415

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from resilience.io import png_bytes  # noqa: PLC0415

    with mpl.rc_context({"path.simplify": True}):
        fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
        x = curve["fraction_removed"]
        for col, label in (
            ("largest_component", "largest connected piece"),
            ("od_efficiency", "OD efficiency"),
            ("od_connectivity", "OD pairs connected"),
        ):
            ax.plot(x, curve[col], marker="o", label=label)
        ax.set_xlabel("share of places removed")
        ax.set_ylabel("share of intact")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"Attack: {curve['strategy'].iloc[0]}")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        data = png_bytes(fig, dpi=100)
        plt.close(fig)
    return data


#: Command name → function, in the order ``--help`` lists them.
COMMANDS = {"scan": scan, "attack": attack}
