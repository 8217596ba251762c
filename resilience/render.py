"""Deprecated: reports moved to :mod:`resilience.reports`; this shim goes once the CLI uses it."""

from __future__ import annotations

from resilience.reports import (
    MANAGED,
    ReportOutcome,
    TimelineSpec,
    build_reports,
    check_reports,
    diff_trees,
    markdown_table,
    remove_stale,
    render_compare,
    render_scenario,
    render_timeline,
    stable_folium_html,
    timeline_png,
)

__all__ = [
    "MANAGED",
    "ReportOutcome",
    "TimelineSpec",
    "build_reports",
    "check_reports",
    "diff_trees",
    "markdown_table",
    "remove_stale",
    "render_compare",
    "render_scenario",
    "render_timeline",
    "stable_folium_html",
    "timeline_png",
]
