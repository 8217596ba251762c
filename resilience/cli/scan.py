"""``scan`` and ``attack``: criticality of every element, attack curves."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

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
    BboxOpt,
    DestOpt,
    GraphOpt,
    JsonOpt,
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


_CONNECT_S = 3.0


def _check_scheduler(text: str | None) -> None:
    """Refuse a --scheduler that is neither 'local' nor a reachable host:port, at once.

    Dask would wait its own 30 s before failing with a traceback; a quick TCP connect
    answers in one line instead.
    """
    import re  # noqa: PLC0415
    import socket  # noqa: PLC0415

    if text is None or text == "local":
        return
    found = re.fullmatch(r"(?:tcp://)?(\[[^\]]+\]|[A-Za-z0-9_.\-]+):(\d{1,5})", text)
    if found is None or not 0 < int(found.group(2)) < 65536:  # noqa: PLR2004
        msg = (
            "--scheduler must be 'local' or a scheduler address such as "
            f"tcp://10.0.0.5:8786, not {text!r}"
        )
        raise BadInputError(msg)
    host, port = found.group(1).strip("[]"), int(found.group(2))
    try:
        with socket.create_connection((host, port), timeout=_CONNECT_S):
            pass
    except Exception as exc:  # noqa: BLE001 - refused, timeout, unknown host, sockets blocked
        msg = f"--scheduler {text}: cannot reach a Dask scheduler there ({type(exc).__name__})"
        raise BadInputError(msg) from None


@friendly
def scan(
    edges: Annotated[bool, typer.Option("--edges", help="Scan links (the default).")] = False,
    nodes: Annotated[bool, typer.Option("--nodes", help="Scan places.")] = False,
    both: Annotated[bool, typer.Option("--both", help="Scan links and places.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to show.")] = 15,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Threads running the compiled repairs.")
    ] = 1,
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
    as_json: JsonOpt = False,
) -> None:
    """Remove every link (or place) in turn and rank them by the damage to supply.

    Per element: importance_min (mean extra travel time, minutes, over the supply pairs
    still connected; with --weight length the extra distance, importance_km), cut_off_pct
    (% of supply pairs cut off) and od_efficiency_loss_pct (% loss of OD efficiency over
    the supply pairs; not cut's whole-network efficiency). The files carry the same
    columns and units as the table shown (unrounded); see docs/columns.md. Exact: only
    the shortest-path trees an element lies on are recomputed. Writes scan.csv,
    scan.parquet, scan.gpkg (layers 'links', lines, and 'places', points), bridges.csv
    and run.json under REPORTS/scan/<edges|nodes|both>-<hash>/.

    Example: resilience scan --both --top 20 --jobs 2
    """
    from tqdm import tqdm  # noqa: PLC0415

    from resilience.analysis.criticality import (  # noqa: PLC0415
        bridges_and_articulation_points,
        labelled_scan_table,
    )
    from resilience.analysis.criticality import scan as run_scan  # noqa: PLC0415
    from resilience.analysis.impact import weight_units  # noqa: PLC0415
    from resilience.io import write_layers, write_table  # noqa: PLC0415
    from resilience.reports.layers import element_layers  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    if sum((edges, nodes, both)) > 1:
        msg = "give only one of --edges, --nodes, --both"
        raise BadInputError(msg)
    which = "both" if both else "nodes" if nodes else "edges"
    _check_scheduler(scheduler)
    base = out_dir(out)
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
    _, unit, _ = weight_units(weight)
    # Files and screen carry the same unit-named columns (min or km, %), converted once.
    labelled = labelled_scan_table(table, weight)
    shown = labelled.head(top).copy()
    shown[f"importance_{unit}"] = shown[f"importance_{unit}"].round(1)
    shown["cut_off_pct"] = shown["cut_off_pct"].round(1)
    shown["od_efficiency_loss_pct"] = shown["od_efficiency_loss_pct"].round(2)
    bridges = bridges_and_articulation_points(G)
    folder = run_folder(base, "scan", which)
    paths = write_table(labelled, folder, "scan")
    # Links as lines (layer 'links'), places as points (layer 'places'), for QGIS.
    paths.append(write_layers(element_layers(G, labelled), folder / "scan.gpkg"))
    paths.extend(write_table(bridges, folder, "bridges", ("csv",)))
    paths = write_manifest(
        folder, paths, G, weight=weight, origins=origins, destinations=destinations
    )
    title = (
        f"Most critical {which} ({len(table)} scanned, {len(origins)}×{len(destinations)} pairs)"
    )
    if as_json:
        emit_json(
            {
                "command": "scan",
                "elements": which,
                "scanned": len(table),
                "od_pairs": len(origins) * len(destinations),
                "weight": weight,
                "importance_unit": unit,
                "top": records(shown.drop(columns=["u", "v", "key", "x", "y"])),
                "folder": str(folder),
            }
        )
        return
    show(title, shown.drop(columns=["u", "v", "key", "x", "y"]))
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
    as_json: JsonOpt = False,
) -> None:
    """Remove places step by step (targeted or random) and chart what is left.

    Columns: share of places removed, largest connected piece, OD efficiency and share of
    supply pairs still connected. The last step ends at --fraction (never beyond).
    Writes attack-<strategy>.csv, .png and run.json under
    REPORTS/attack/attack-<strategy>-<hash>/ (byte-identical on rerun).

    Example: resilience attack --strategy random --steps 10 --runs 20 --seed 1
    """
    from resilience.analysis.attack import attack as run_attack  # noqa: PLC0415
    from resilience.io import write_bytes, write_table  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    if strategy not in ("betweenness", "degree", "random"):
        msg = f"--strategy must be betweenness, degree or random, not {strategy!r}"
        raise BadInputError(msg)
    base = out_dir(out)
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
    stem = f"attack-{strategy}" + ("-recomputed" if recompute else "")
    folder = run_folder(base, "attack", stem)
    paths = write_table(curve, folder, stem, ("csv",))
    paths.append(write_bytes(folder / f"{stem}.png", _chart(curve)))
    paths = write_manifest(
        folder,
        paths,
        G,
        weight=weight,
        origins=origins,
        destinations=destinations,
        seeds={"attack": seed} if strategy == "random" else None,
    )
    if as_json:
        emit_json({"command": "attack", "curve": records(curve), "folder": str(folder)})
        return
    show(f"Attack: {curve['strategy'].iloc[0]}", curve)
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
