"""Colours and line styles shared by the report's charts and maps."""

from __future__ import annotations

from typing import Any

__all__ = [
    "CRITICAL",
    "DEST",
    "MIN_CUT",
    "MODE_STYLE",
    "ORIGIN",
    "REMOVED",
    "STATUS_STYLE",
    "WORST",
]

#: How each mode is drawn on the static map.
MODE_STYLE: dict[str, dict[str, Any]] = {
    "road": {"color": "#7a7a7a", "linestyle": "-", "lw": 1.4},
    "rail": {"color": "#2b2b2b", "linestyle": (0, (4, 2)), "lw": 1.2},
}
REMOVED = "#d62728"
MIN_CUT = "#ff7f0e"
CRITICAL = "#6a3d9a"
ORIGIN = "#2ca02c"
DEST = "#1f77b4"
#: The worst set of the interdiction curve (distinct from removed, min cut and critical).
WORST = "#e7298a"

#: Links with a status other than ``intact`` are drawn over the mode style.
STATUS_STYLE: dict[str, dict[str, Any]] = {
    "removed": {"color": REMOVED, "lw": 2.2, "zorder": 3},
    "min_cut": {"color": MIN_CUT, "lw": 4.0, "zorder": 4},
    "critical": {"color": CRITICAL, "lw": 2.6, "zorder": 2},
}
