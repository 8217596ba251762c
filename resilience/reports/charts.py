"""Report charts as PNG bytes: detours, the scenario comparison and the front-line timeline.

Figures are drawn on matplotlib's Agg canvas (no pyplot state) and saved through
:func:`resilience.io.png_bytes`; nothing random is drawn, so the bytes are stable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from resilience.io import png_bytes
from resilience.reports.style import MIN_CUT, REMOVED
from resilience.scenario import ScenarioResult

__all__ = ["compare_png", "detours_png", "figure", "interdiction_png", "timeline_png"]


def figure(width: float, height: float) -> Any:
    """A matplotlib figure on its own Agg canvas (no global pyplot state).

    Parameters
    ----------
    width, height
        Size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with a constrained layout.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def detours_png(res: ScenarioResult) -> bytes:
    """Bars of each supply pair's travel time (or distance) before and after the loss.

    Parameters
    ----------
    res
        The scenario result.

    Returns
    -------
    bytes
        The PNG.
    """
    od = res.impact.od
    labels = [f"{o} → {d}" for o, d in zip(od["origin"], od["destination"], strict=True)]
    fig = figure(8, max(2.5, 0.35 * len(od) + 1.2))
    ax = fig.add_subplot()
    ys = list(range(len(od)))
    ax.barh(
        [y + 0.2 for y in ys],
        od["time_before_min"].fillna(0),
        height=0.4,
        color="#9ecae1",
        label="before",
    )
    after = od["time_after_min"]
    ax.barh([y - 0.2 for y in ys], after.fillna(0), height=0.4, color="#3182bd", label="after")
    for y, (val, st) in enumerate(zip(after, od["status"], strict=True)):
        if pd.isna(val):
            ax.text(0.5, y - 0.2, st, va="center", fontsize=7, color=REMOVED)
    ax.set_yticks(ys, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_ylabel("supply pair (origin → destination)", fontsize=8)
    unit = "min" if res.scenario.weight == "travel_time" else "m"
    ax.set_xlabel(f"travel {'time' if unit == 'min' else 'distance'} ({unit})")
    ax.set_title(f"{res.scenario.name}: supply routes before and after", fontsize=10)
    ax.legend(fontsize=7)
    return png_bytes(fig)


def compare_png(table: pd.DataFrame) -> bytes:
    """Scenarios side by side: efficiency loss, pairs cut off and the min cut left.

    Parameters
    ----------
    table
        The output of :func:`resilience.scenario.compare`.

    Returns
    -------
    bytes
        The PNG.
    """
    fig = figure(10, max(3.0, 0.45 * len(table) + 1.5))
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    ys = list(range(len(table)))
    ax1.barh(ys, table["efficiency_loss_pct"].fillna(0), color="#6a3d9a")
    ax1.set_yticks(ys, list(table["scenario"]), fontsize=8)
    ax1.invert_yaxis()
    ax1.set_xlabel("global efficiency loss (%)")
    ax2.barh(
        [y - 0.2 for y in ys],
        table["cut_off"],
        height=0.4,
        color=REMOVED,
        label="OD pairs cut off",
    )
    ax2.barh(
        [y + 0.2 for y in ys],
        table["min_cut_after"],
        height=0.4,
        color=MIN_CUT,
        label="min cut left (links)",
    )
    ax2.set_xlabel("count (OD pairs; links)")
    ax1.set_ylabel("scenario")
    ax2.legend(fontsize=7)
    fig.suptitle("Scenarios side by side", fontsize=11)
    return png_bytes(fig)


def timeline_png(frame: pd.DataFrame, title: str) -> bytes:
    """A line chart of a front-line timeline.

    Parameters
    ----------
    frame
        The output of :func:`resilience.frontline.timeline`.
    title
        Chart title.

    Returns
    -------
    bytes
        The PNG.
    """
    import matplotlib.dates as mdates  # noqa: PLC0415

    days = [dt.date.fromisoformat(d) for d in frame["date"]]
    fig = figure(9, 9)
    axes = fig.subplots(4, 1, sharex=True)
    # One unit per panel: counts, minutes and percentages never share an axis.
    panels = [
        (
            "supply (count)",
            (
                ("destinations_reachable", "destinations reachable"),
                ("pairs_cut_off", "OD pairs cut off"),
                ("min_cut", "min cut (links)"),
            ),
        ),
        # Counted against the first day, as every other panel is: ground held before the
        # baseline day is no loss (the table keeps the totals, nodes_lost and links_lost).
        (
            "lost since first day (count)",
            (
                ("nodes_lost_since_start", "nodes lost since the first day"),
                ("links_lost_since_start", "links lost since the first day"),
            ),
        ),
        ("time (min)", (("mean_time_increase_min", "mean travel-time increase"),)),
        ("efficiency loss (%)", (("efficiency_loss_pct", "global efficiency loss"),)),
    ]
    for ax, (ylabel, group) in zip(axes, panels, strict=True):
        for col, label in group:
            if col in frame.columns:
                ax.plot(days, frame[col], marker="o", ms=3, label=label)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(visible=True, alpha=0.3)
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]
    axes[-1].set_xlabel("date analysed (year-month)", fontsize=8)
    fig.suptitle(title, fontsize=11)
    return png_bytes(fig)


def interdiction_png(curve: pd.DataFrame, title: str) -> bytes:
    """The interdiction curve: t/day still deliverable after the worst ``k`` losses.

    Two lines over ``k = 0..K``: the exact worst set of ``k`` links and the top ``k``
    links of the single-loss scan taken together. A ``k`` whose solve hit the time limit
    is drawn as a hollow marker with a bar down to the bound (the least that could be left).

    Parameters
    ----------
    curve
        :attr:`resilience.reports.interdiction.ScenarioInterdiction.curve`.
    title
        Chart title.

    Returns
    -------
    bytes
        The PNG.
    """
    ks = [int(k) for k in curve["k"]]
    worst = curve["deliverable_after_t_per_day"].astype(float)
    singles = curve["top_singles_deliverable_t_per_day"].astype(float)
    limited = (curve["solver_status"] == "time limit").to_numpy()
    fig = figure(8, 4.2)
    ax = fig.add_subplot()
    ax.plot(
        ks, singles, color="#7a7a7a", linestyle="--", marker="s", ms=5,
        label="top k single losses together",
    )  # fmt: skip
    ax.plot(ks, worst, color=REMOVED, marker="o", ms=6, label="worst k losses (exact)", zorder=3)
    if limited.any():
        bound = curve["deliverable_bound_t_per_day"].astype(float)
        xs = [k for k, lim in zip(ks, limited, strict=True) if lim]
        ys = worst[limited]
        ax.scatter(xs, ys, s=70, facecolor="white", edgecolor=REMOVED, zorder=4,
                   label="time limit: best found")  # fmt: skip
        ax.vlines(xs, bound[limited], ys, color=REMOVED, lw=1, linestyle=":",
                  label="down to the proven bound")  # fmt: skip
    top = max(float(worst.max()), float(singles.max()), 1.0)
    ax.set_ylim(0, top * 1.08)
    ax.set_xticks(ks)
    ax.set_xlabel("k (links lost together, after the scenario's own losses)", fontsize=8)
    ax.set_ylabel("deliverable (t/day)", fontsize=8)
    ax.yaxis.set_major_formatter(_thousands())
    ax.tick_params(labelsize=7)
    ax.grid(visible=True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title(title, fontsize=10)
    return png_bytes(fig)


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    return FuncFormatter(lambda v, _: f"{v:,.0f}")
