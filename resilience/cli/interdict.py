"""``interdict``, ``protect``, ``repair``: the worst k losses, what to harden, what to fix first."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from resilience import settings
from resilience.cli._common import (
    emit_json,
    friendly,
    load_graph,
    out_dir,
    run_folder,
    show,
    write_manifest,
    written,
)
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
)
from resilience.errors import BadInputError, BadScenarioError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMMANDS", "interdict", "protect", "repair"]

_OBJECTIVES = ("flow", "time", "pairs")
_ELEMENTS = ("links", "nodes", "both")


def _choice(values: tuple[str, ...]) -> Any:
    def parse(text: str) -> str:
        if text not in values:
            msg = f"must be {', '.join(values[:-1])} or {values[-1]}, not {text!r}"
            raise typer.BadParameter(msg)
        return text

    return parse


KOpt = Annotated[int, typer.Option("--k", "-k", min=1, help="Most elements the attacker removes.")]
ObjectiveOpt = Annotated[
    str,
    typer.Option(
        "--objective",
        parser=_choice(_OBJECTIVES),
        metavar="flow|time|pairs",
        help="Damage measured as lost deliverable flow (t/day; paths without capacities), "
        "total OD travel-time increase (min, cut-off pairs at --cutoff-min) or OD pairs cut off.",
    ),
]
ElementsOpt = Annotated[
    str,
    typer.Option(
        "--elements",
        parser=_choice(_ELEMENTS),
        metavar="links|nodes|both",
        help="What may be removed: links (a two-way link is one), places, or both.",
    ),
]
CostOpt = Annotated[
    Path | None,
    typer.Option(
        "--cost",
        metavar="FILE",
        help="CSV of removal costs, with --budget: columns u, v, cost (and key); a place has "
        "v empty. Unlisted elements cost 1.",
    ),
]
BudgetOpt = Annotated[
    float | None,
    typer.Option("--budget", min=0.0, help="Most total cost removed (with --cost)."),
]
TimeLimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit",
        min=0.01,
        metavar="S",
        help="Seconds per solve, one solve per k = 1..K (so up to K times this in all); when "
        "hit, the best set is shown with its bound and gap.",
    ),
]
EndpointsOpt = Annotated[
    bool,
    typer.Option("--endpoints", help="Let places removed include the origins and destinations."),
]
CutoffOpt = Annotated[
    float | None,
    typer.Option(
        "--cutoff-min",
        min=0.0,
        help="time objective: travel-time cap and the time of a cut-off pair, minutes "
        "(default: the sum of every link's time, so a cut-off always hurts most).",
    ),
]
DemandOpt = Annotated[
    bool,
    typer.Option(
        "--demand",
        help="flow: each destination takes at most its demand (the region's [demand] table, "
        "t/day), so only deliveries short of demand count; default: unbounded.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only (no tables, no files).")]


def read_costs(path: Path) -> dict[Any, float]:
    """Removal costs from a CSV file: ``u, v[, key], cost``; a place has ``v`` empty.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    dict
        ``(u, v, key)`` or ``(u, v)`` for links, the node id for places, to the cost.

    Raises
    ------
    BadInputError
        If the file is missing, unreadable or lacks the columns, or a cost is no number.
    """
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte-order mark, which would
        # otherwise become part of the first column's name.
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read the cost file ({exc.__class__.__name__})"
        raise BadInputError(msg) from None
    if not rows or not {"u", "cost"} <= set(rows[0]):
        msg = f"{path}: a cost file needs the columns u, v, cost (and optionally key)"
        raise BadInputError(msg)
    out: dict[Any, float] = {}
    for i, row in enumerate(rows, start=2):
        try:
            cost = float(row["cost"])
        except (TypeError, ValueError):
            msg = f"{path}, line {i}: cost must be a number, not {row['cost']!r}"
            raise BadInputError(msg) from None
        u, v, key = row["u"], (row.get("v") or "").strip(), (row.get("key") or "").strip()
        name: Any = u if not v else (u, v, int(key) if key.isdigit() else key) if key else (u, v)
        # A second row for the same element would silently replace the first one's cost.
        if name in out or (v and (v, u, *name[2:]) in out):
            msg = f"{path}, line {i}: a second cost for the same element"
            raise BadInputError(msg)
        out[name] = cost
    return out


def _check_options(
    objective: str,
    elements: str = "nodes",
    endpoints: bool = False,
    *,
    cost: Path | None,
    budget: float | None,
    cutoff_min: float | None,
    demand: bool,
) -> None:
    """Refuse an option the objective would ignore (issue 12: none accepted and ignored)."""
    if budget is not None and cost is None:
        msg = "--budget needs --cost (every element would cost 1; use --k instead)"
        raise BadInputError(msg)
    if cost is not None and budget is None:
        msg = "--cost acts only with --budget (the most total cost removed)"
        raise BadInputError(msg)
    if cutoff_min is not None and objective != "time":
        msg = f"--cutoff-min acts only with --objective time, not {objective}"
        raise BadInputError(msg)
    if endpoints and elements == "links":
        msg = "--endpoints acts only with --elements nodes or both (it lets places be removed)"
        raise BadInputError(msg)
    if demand and objective != "flow":
        msg = f"--demand acts only with --objective flow, not {objective}"
        raise BadInputError(msg)


def _no_out_with_json(as_json: bool, out: Path | None) -> None:
    """--json prints the answer and writes no files, so an --out beside it would be ignored."""
    if as_json and out is not None:
        msg = "--json prints the answer and writes no files; drop --out (or --json)"
        raise BadInputError(msg)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _attack_setup(
    graph_options: tuple[Any, ...],
    origin: list[str] | None,
    destination: list[str] | None,
    *,
    objective: str,
    elements: str,
    endpoints: bool,
    cost: Path | None,
    budget: float | None,
    cutoff_min: float | None,
    demand: bool,
    time_limit: float,
) -> tuple[Any, list[Any], list[Any], dict[str, Any]]:
    # interdict and protect check the same options, load the same graph and pass the
    # same attacker settings; only their own counts (k, p) differ.
    from resilience.targets import resolve_od  # noqa: PLC0415

    _check_options(
        objective,
        elements,
        endpoints,
        cost=cost,
        budget=budget,
        cutoff_min=cutoff_min,
        demand=demand,
    )
    G = load_graph(*graph_options)
    origins, destinations = resolve_od(G, origin or [], destination or [])
    options = {
        "objective": objective,
        "elements": elements,
        "costs": read_costs(cost) if cost is not None else None,
        "budget": budget,
        "endpoints": endpoints,
        "cutoff_min": cutoff_min,
        "demand": _demand(G, destinations) if demand else None,
        "time_limit_s": time_limit,
    }
    return G, origins, destinations, options


def _demand(G: Any, destinations: Any) -> Any:
    # Imported on use: supply pulls in targets, networkx and pandas, which --help and the
    # other commands do not need (resilience.cli imports every command module).
    from resilience.supply import demand_t_per_day  # noqa: PLC0415

    return demand_t_per_day(G, destinations)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


@friendly
def interdict(
    k: KOpt = 2,
    objective: ObjectiveOpt = "flow",
    elements: ElementsOpt = "links",
    cost: CostOpt = None,
    budget: BudgetOpt = None,
    time_limit: TimeLimitOpt = 60.0,
    endpoints: EndpointsOpt = False,
    cutoff_min: CutoffOpt = None,
    demand: DemandOpt = False,
    as_json: JsonOpt = False,
    origin: OriginOpt = None,
    destination: DestOpt = None,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    out: OutOpt = None,
) -> None:
    """The set of at most K links (or places) whose joint loss hurts supply most.

    Exact: flow and pairs as mixed-integer programs (HiGHS), time by an enumeration over
    the current shortest paths; a time limit reports the best set, a bound and the gap.
    Shows the damage for k = 1..K beside the damage of simply taking the top k single
    losses together. Writes worst.csv, curve.csv, single.csv and run.json under
    REPORTS/interdict/<objective>-k<K>-<hash>/ (none with --json).

    Example: resilience interdict --k 2 --objective flow --json
    """
    _no_out_with_json(as_json, out)
    from resilience.analysis.interdict import interdict as run  # noqa: PLC0415
    from resilience.io import write_table  # noqa: PLC0415

    G, origins, destinations, options = _attack_setup(
        (graph, mode, stations, bbox, point, radius_km, snap_m),
        origin,
        destination,
        objective=objective,
        elements=elements,
        endpoints=endpoints,
        cost=cost,
        budget=budget,
        cutoff_min=cutoff_min,
        demand=demand,
        time_limit=time_limit,
    )
    result = run(G, origins, destinations, k=k, **options)
    unit = result.unit
    if as_json:
        doc = {
            "objective": result.objective,
            "unit": unit,
            "capacities": result.capacity_source,
            "k": k,
            "status": result.status,
            f"before_{unit}": result.before,
            f"after_{unit}": result.after,
            f"damage_{unit}": result.damage,
            f"bound_{unit}": result.bound,
            "gap_pct": result.gap_pct,
            "seconds": result.seconds,
            "elements": _records(result.worst),
            "curve": _records(result.curve),
        }
        emit_json({key: _clean(value) for key, value in doc.items()})
        return
    typer.echo(
        f"{result.objective}: before {result.before:g} {unit}, after {result.after:g}, "
        f"damage {result.damage:g} ({result.status}, bound {result.bound:g}, gap "
        f"{result.gap_pct:g} %, {result.seconds:g} s; capacities: {result.capacity_source})"
    )
    show(
        f"Worst set of at most {k}",
        result.worst[["element", "label", "u", "v", "key", f"single_damage_{unit}"]],
    )
    show("Damage for k = 1..K, and the top k single losses taken together", result.curve)
    folder = run_folder(out_dir(out), "interdict", f"{objective}-k{k}")
    paths = write_table(result.worst, folder, "worst", ("csv",))
    # Solve times vary run to run; the files hold only what the same inputs always give.
    curve = result.curve.drop(columns=["seconds"], errors="ignore")
    paths += write_table(curve, folder, "curve", ("csv",))
    paths += write_table(result.single, folder, "single", ("csv",))
    written(write_manifest(folder, paths, G, origins=origins, destinations=destinations))


@friendly
def protect(
    p: Annotated[int, typer.Option("--p", "-p", min=0, help="Most elements hardened.")] = 1,
    k: KOpt = 2,
    objective: ObjectiveOpt = "flow",
    elements: ElementsOpt = "links",
    cost: CostOpt = None,
    budget: BudgetOpt = None,
    time_limit: TimeLimitOpt = 60.0,
    endpoints: EndpointsOpt = False,
    cutoff_min: CutoffOpt = None,
    demand: DemandOpt = False,
    as_json: JsonOpt = False,
    origin: OriginOpt = None,
    destination: DestOpt = None,
    graph: GraphOpt = None,
    mode: ModeOpt = None,
    stations: StationsOpt = None,
    bbox: BboxOpt = None,
    point: PointOpt = None,
    radius_km: RadiusOpt = None,
    snap_m: SnapOpt = None,
    out: OutOpt = None,
) -> None:
    """Which P elements to harden so that the worst K-attack hurts least.

    Exact: protection sets are enumerated with the exact attacker inside, branching only
    on the elements of the current worst attack. Writes protected.csv, attack.csv and
    plans.csv and run.json under REPORTS/protect/<objective>-p<P>-k<K>-<hash>/ (none
    with --json).

    Example: resilience protect --p 2 --k 2 --objective flow
    """
    _no_out_with_json(as_json, out)
    from resilience.analysis.protect import protect as run  # noqa: PLC0415
    from resilience.io import write_table  # noqa: PLC0415

    G, origins, destinations, options = _attack_setup(
        (graph, mode, stations, bbox, point, radius_km, snap_m),
        origin,
        destination,
        objective=objective,
        elements=elements,
        endpoints=endpoints,
        cost=cost,
        budget=budget,
        cutoff_min=cutoff_min,
        demand=demand,
        time_limit=time_limit,
    )
    result = run(G, origins, destinations, p=p, k=k, **options)
    if as_json:
        unit = result.unit
        emit_json(
            {
                "objective": result.objective,
                "unit": unit,
                "p": p,
                "k": k,
                "status": result.status,
                f"damage_unprotected_{unit}": _clean(result.damage_unprotected),
                f"damage_protected_{unit}": _clean(result.damage_protected),
                "attacks_solved": result.attacks_solved,
                "seconds": result.seconds,
                "protected": _records(result.protected),
                "attack": _records(result.attack),
            }
        )
        return
    typer.echo(
        f"{result.objective}: worst {k}-attack damage {result.damage_unprotected:g} "
        f"{result.unit} unprotected, {result.damage_protected:g} with the protection "
        f"({result.status}, {result.attacks_solved} attacks solved, {result.seconds:g} s)"
    )
    show("Harden", result.protected[["element", "label", "u", "v", "key"]])
    show("Worst attack left", result.attack[["element", "label", "u", "v", "key"]])
    folder = run_folder(out_dir(out), "protect", f"{objective}-p{p}-k{k}")
    paths = write_table(result.protected, folder, "protected", ("csv",))
    paths += write_table(result.attack, folder, "attack", ("csv",))
    paths += write_table(result.plans, folder, "plans", ("csv",))
    written(write_manifest(folder, paths, G, origins=origins, destinations=destinations))


def _scenario_file(spec: Path) -> Path:
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


@friendly
def repair(
    scenario: Annotated[
        Path,
        typer.Option(
            "--scenario", metavar="FILE|NAME", help="The scenario whose damage to repair."
        ),
    ],
    r: Annotated[
        int | None, typer.Option("--r", "-r", min=1, help="Repairs to plan (default: all).")
    ] = None,
    objective: ObjectiveOpt = "flow",
    cutoff_min: CutoffOpt = None,
    demand: DemandOpt = False,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """The order in which to restore a scenario's removed elements so supply returns fastest.

    Maximises the supply summed over the first R repairs: exact (dynamic programme over
    subsets) while the subsets are few, else greedy against a stated bound. Writes
    repair.csv and run.json under REPORTS/repair/<scenario>-<hash>/ (none with --json).

    Example: resilience repair --scenario pokrovsk-falls --r 3
    """
    _no_out_with_json(as_json, out)
    from resilience.analysis.protect import repair_order  # noqa: PLC0415
    from resilience.io import write_table  # noqa: PLC0415
    from resilience.scenario import load_scenario, run_scenario  # noqa: PLC0415

    _check_options(objective, cost=None, budget=None, cutoff_min=cutoff_min, demand=demand)
    sc = load_scenario(_scenario_file(scenario))
    done = run_scenario(sc)
    result = repair_order(
        done.graph,
        done.removal,
        done.origins,
        done.destinations,
        r=r,
        objective=objective,  # type: ignore[arg-type]
        cutoff_min=cutoff_min,
        demand=_demand(done.graph, done.destinations) if demand else None,
    )
    unit = result.unit
    if as_json:
        emit_json(
            {
                "scenario": sc.name,
                "objective": result.objective,
                "unit": unit,
                f"intact_{unit}": _clean(result.intact),
                f"damaged_{unit}": _clean(result.damaged),
                "method": result.method,
                "gap_pct": _clean(result.gap_pct),
                "order": _records(result.order),
            }
        )
        return
    typer.echo(
        f"{sc.name}: {result.objective} intact {result.intact:g} {unit}, damaged "
        f"{result.damaged:g}; order {result.method} (gap to bound {result.gap_pct:g} %)"
    )
    show(
        "Repair order",
        result.order[
            ["step", "element", "label", "u", "v", f"supply_{unit}", f"gain_{unit}", "restored_pct"]
        ],
    )
    folder = run_folder(out_dir(out), "repair", sc.name)
    paths = write_table(result.order, folder, "repair", ("csv",))
    written(
        write_manifest(
            folder,
            paths,
            done.graph,
            origins=done.origins,
            destinations=done.destinations,
        )
    )


COMMANDS = {"interdict": interdict, "protect": protect, "repair": repair}
