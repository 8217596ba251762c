"""A scenario's interdiction curve: the worst ``k`` further link losses after its own.

On the network the scenario leaves (its analysis date, its removal applied: the "after"
network its page reports on), :func:`scenario_interdiction` asks, for ``k = 0..K``,
which ``k`` links lost together cut the deliverable flow (t/day, maximum flow from the
scenario's origins to its destinations over ``capacity_t_per_day``) the most, solved
exactly by :func:`resilience.analysis.interdict.solve` (Wood's MILP, HiGHS), and puts
beside it the top ``k`` links of the single-link scan lost together (same measure), so
the difference shows. A solve stopped by the time limit is reported as such with its
gap, never as optimal.

Ties: among sets doing the same damage, the solver is steered to the fewest links and
then to the links worst alone (the MILP's tiny price per removal grows with a link's
single-loss rank; see ``prefer`` in :func:`resilience.analysis.interdict.solve`), so at
``k = 1`` the worst set is the top single. HiGHS returns the same set for the same input,
and a set's links are listed by single-loss rank (then the network's link order), so the
tables, chart and map are the same bytes on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from resilience.targets import apply_removal, place_label

if TYPE_CHECKING:
    from resilience.analysis.interdict import Element, InterdictionNet
    from resilience.scenario import ScenarioResult

__all__ = [
    "CURVE_COLUMNS",
    "REPORT_K",
    "REPORT_TIME_LIMIT_S",
    "WORST_COLUMNS",
    "ScenarioInterdiction",
    "has_capacities",
    "link_name",
    "scenario_interdiction",
    "statement",
]

#: Largest ``k`` of a report's curve. Every ``k`` up to 5 is proven optimal in well under
#: a second per scenario on the embedded region, so the whole curve costs about a second
#: of the report build per scenario; 5 also covers the issue's "k = 1..5" question.
REPORT_K = 5

#: Time limit per solve in the reports, seconds. A solve that reaches it is reported
#: with its gap (and its set may then depend on the machine's speed).
REPORT_TIME_LIMIT_S = 30.0

#: Columns of the curve table (``interdiction.csv``), one row per ``k = 0..K``.
CURVE_COLUMNS = [
    "k",
    "worst_set",
    "deliverable_after_t_per_day",
    "loss_pct",
    "top_singles_set",
    "top_singles_deliverable_t_per_day",
    "top_singles_loss_pct",
    "solver_status",
    "gap_pct",
    "deliverable_bound_t_per_day",
]

#: Columns of the worst-set table (``worst_set.csv``) and the ``worst_links`` layer.
WORST_COLUMNS = [
    "label",
    "ref",
    "mode",
    "u",
    "v",
    "key",
    "u_label",
    "v_label",
    "single_loss_t_per_day",
    "single_rank",
]


@dataclass(frozen=True)
class ScenarioInterdiction:
    """The interdiction curve of one scenario.

    Attributes
    ----------
    k_max
        The largest ``k`` (the curve has rows ``0..k_max``).
    before_t_per_day
        Deliverable flow on the scenario's network after its own losses (``k = 0``).
    curve
        One row per ``k``: :data:`CURVE_COLUMNS`.
    worst
        The worst set of ``k_max`` links, one row each: :data:`WORST_COLUMNS`, with the
        end coordinates ``u_x``, ``u_y``, ``v_x``, ``v_y`` for drawing (not written).
    limited
        Whether some solve stopped at the time limit (its row says ``time limit``).
    flat_reason
        Why the curve is flat at 0 (nothing deliverable to begin with), else ``""``.
    """

    k_max: int
    before_t_per_day: float
    curve: pd.DataFrame
    worst: pd.DataFrame
    limited: bool
    flat_reason: str = ""

    @property
    def after_t_per_day(self) -> float:
        """Deliverable flow after the worst ``k_max`` further losses."""
        return float(self.curve["deliverable_after_t_per_day"].iloc[-1])


def link_name(net: InterdictionNet, e: Element) -> str:
    """A link named for a planner: ``ref place–place (mode)``.

    Parameters
    ----------
    net
        The converted network.
    e
        A link element.

    Returns
    -------
    str
        The name, e.g. ``M-30;E50 Pavlohrad–Petropavlivka (road)``.
    """
    G = net.graph
    data = G.edges[e.u, e.v, e.key]
    ref = data.get("ref") or ""
    ref = ";".join(map(str, ref)) if isinstance(ref, list) else str(ref)
    ends = f"{place_label(G, e.u)}–{place_label(G, e.v)}"
    mode = str(data.get("mode", ""))
    return " ".join(p for p in (ref, ends, f"({mode})" if mode else "") if p)


def _pct(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole > 0 else 0.0


def _flat(k_max: int, before: float, reason: str) -> ScenarioInterdiction:
    rows = [
        {
            "k": k,
            "worst_set": "",
            "deliverable_after_t_per_day": before,
            "loss_pct": 0.0,
            "top_singles_set": "",
            "top_singles_deliverable_t_per_day": before,
            "top_singles_loss_pct": 0.0,
            "solver_status": "not needed" if k else "",
            "gap_pct": 0.0,
            "deliverable_bound_t_per_day": before,
        }
        for k in range(k_max + 1)
    ]
    worst = pd.DataFrame(columns=[*WORST_COLUMNS, "u_x", "u_y", "v_x", "v_y"])
    return ScenarioInterdiction(
        k_max,
        before,
        pd.DataFrame(rows, columns=CURVE_COLUMNS),
        worst,
        limited=False,
        flat_reason=reason,
    )


def has_capacities(res: ScenarioResult) -> bool:
    """Whether every link of a scenario's network carries ``capacity_t_per_day``.

    Parameters
    ----------
    res
        The scenario result.

    Returns
    -------
    bool
        ``True`` when the flow (and so the curve) can be measured in t/day.
    """
    return all("capacity_t_per_day" in d for _, _, d in res.graph.edges(data=True))


def scenario_interdiction(
    res: ScenarioResult,
    k_max: int = REPORT_K,
    time_limit_s: float = REPORT_TIME_LIMIT_S,
) -> ScenarioInterdiction | None:
    """The worst ``k`` further link losses on a scenario's network, ``k = 0..k_max``.

    Parameters
    ----------
    res
        The scenario result: its baseline network, removal, origins and destinations.
    k_max
        The largest ``k``.
    time_limit_s
        Time limit per solve (see :data:`REPORT_TIME_LIMIT_S`).

    Returns
    -------
    ScenarioInterdiction or None
        The curve and the worst set of ``k_max`` links; ``None`` when a link has no
        ``capacity_t_per_day`` (as for the flow map: no tonnes to measure).
    """
    from resilience.analysis.interdict import (  # noqa: PLC0415 - MILP stack on demand
        build_net,
        candidates,
        damage,
        single_ranking,
        solve,
        supply,
    )

    if not has_capacities(res):
        return None
    H = apply_removal(res.graph, res.removal)
    origins = [n for n in res.origins if n in H]
    destinations = [n for n in res.destinations if n in H]
    if not origins or not destinations:
        return _flat(
            k_max,
            0.0,
            "the scenario removes every origin or every destination: nothing is deliverable, "
            "so no further loss can do harm",
        )
    net = build_net(H, origins, destinations)
    before = supply(net, "flow", ())
    if before <= 0:
        return _flat(
            k_max,
            0.0,
            "the network is already cut in two between the origins and the destinations: "
            "0 t/day is deliverable, so no further loss can do harm",
        )
    cands = candidates(net, "links", (), endpoints=False)
    costs = np.ones(len(cands))
    single = single_ranking(net, "flow", cands)
    rank_of = {e: i for i, (_, e) in enumerate(single)}
    # Ties go to the links worst alone (see the module docstring).
    prefer = np.array([rank_of[e] for e in cands], dtype=float) / max(len(cands) - 1, 1)
    single_of = {e: d for d, e in single}
    # Removing every link delivers nothing: once a set does that, it is optimal for
    # every larger k too and the remaining solves are skipped.
    ceiling = damage(net, "flow", cands)
    rows: list[dict[str, Any]] = [
        {
            "k": 0,
            "worst_set": "",
            "deliverable_after_t_per_day": before,
            "loss_pct": 0.0,
            "top_singles_set": "",
            "top_singles_deliverable_t_per_day": before,
            "top_singles_loss_pct": 0.0,
            "solver_status": "",
            "gap_pct": 0.0,
            "deliverable_bound_t_per_day": before,
        }
    ]
    chosen: tuple[Element, ...] = ()
    dmg, bound, status = 0.0, 0.0, "optimal"
    for k in range(1, k_max + 1):
        if k == 1 or dmg < ceiling - 1e-6:
            chosen, dmg, bound, status = solve(
                net, "flow", cands, costs, k, None, time_limit_s, prefer=prefer
            )
        if dmg >= ceiling - 1e-6:
            bound, status = dmg, "optimal"
        chosen = tuple(sorted(chosen, key=rank_of.__getitem__))
        top = [e for _, e in single[:k]]
        top_dmg = damage(net, "flow", top)
        rows.append(
            {
                "k": k,
                "worst_set": " + ".join(link_name(net, e) for e in chosen),
                "deliverable_after_t_per_day": before - dmg,
                "loss_pct": _pct(dmg, before),
                "top_singles_set": " + ".join(link_name(net, e) for e in top),
                "top_singles_deliverable_t_per_day": before - top_dmg,
                "top_singles_loss_pct": _pct(top_dmg, before),
                "solver_status": "optimal" if status == "optimal" else "time limit",
                "gap_pct": round(100 * (bound - dmg) / bound, 2) if bound > 0 else 0.0,
                "deliverable_bound_t_per_day": before - bound,
            }
        )
    worst_rows = []
    for e in chosen:
        a, b = H.nodes[e.u], H.nodes[e.v]
        data = H.edges[e.u, e.v, e.key]
        ref = data.get("ref") or ""
        worst_rows.append(
            {
                "label": link_name(net, e),
                "ref": ";".join(map(str, ref)) if isinstance(ref, list) else str(ref),
                "mode": str(data.get("mode", "")),
                "u": e.u,
                "v": e.v,
                "key": e.key,
                "u_label": place_label(H, e.u),
                "v_label": place_label(H, e.v),
                "single_loss_t_per_day": single_of[e],
                "single_rank": rank_of[e] + 1,
                "u_x": float(a["x"]),
                "u_y": float(a["y"]),
                "v_x": float(b["x"]),
                "v_y": float(b["y"]),
            }
        )
    worst = pd.DataFrame(worst_rows, columns=[*WORST_COLUMNS, "u_x", "u_y", "v_x", "v_y"])
    curve = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    limited = bool((curve["solver_status"] == "time limit").any())
    return ScenarioInterdiction(k_max, before, curve, worst, limited)


def statement(inter: ScenarioInterdiction) -> str:
    """What the curve is and how sure it is, in plain words, for the page.

    Parameters
    ----------
    inter
        The curve.

    Returns
    -------
    str
        A few sentences.
    """
    k = inter.k_max
    if inter.flat_reason:
        return f"Curve flat for k = 0..{k}: {inter.flat_reason}. There is no worst set to show."
    curve = inter.curve[inter.curve["k"] > 0]
    limited = curve[curve["solver_status"] == "time limit"]
    if limited.empty:
        sure = (
            f"Every k = 1..{k} is proven optimal (HiGHS, relative gap 0): no set of k links "
            "does more harm."
        )
    else:
        ks = ", ".join(str(int(x)) for x in limited["k"])
        worst_gap = float(limited["gap_pct"].max())
        sure = (
            f"The solver hit its time limit ({REPORT_TIME_LIMIT_S:g} s) at k = {ks}: those "
            "sets are the best found, NOT proven optimal; the true worst could leave as little "
            f"as deliverable_bound_t_per_day (gap up to {worst_gap:g}%). The other k are "
            "proven optimal."
        )
    worse = curve[
        curve["deliverable_after_t_per_day"] < curve["top_singles_deliverable_t_per_day"] - 1e-6
    ]
    diff = (
        "The top k single losses taken together do as much harm for every k."
        if worse.empty
        else "The exact worst set does more harm than the top k single losses at k = "
        + ", ".join(str(int(x)) for x in worse["k"])
        + ": losses do not add up."
    )
    empty = curve[curve["deliverable_after_t_per_day"] <= 0]
    if len(empty):
        first = int(empty["k"].iloc[0])
        diff += (
            f" From k = {first} on, the worst set leaves 0 t/day: {first} link(s) suffice "
            "to cut every origin from every destination, so the set stops growing."
        )
    return f"{sure} {diff}"
