"""Scenario, comparison and timeline reports: pages, charts, maps, GIS layers, the pipeline.

- :mod:`~resilience.reports.pages`: one list of blocks per page, rendered to Markdown and HTML.
- :mod:`~resilience.reports.charts`: PNG charts.
- :mod:`~resilience.reports.maps`: the static and the folium map of a scenario.
- :mod:`~resilience.reports.layers`: a scenario's GeoPackage layers.
- :mod:`~resilience.reports.interdiction`: a scenario's interdiction curve (the worst k
  further link losses, exact) and its worst set.
- :mod:`~resilience.reports.build`: writing the folders, the index, stale files, ``--check``.

Every file is written through :mod:`resilience.io` and is byte-identical when regenerated.
"""

from __future__ import annotations

from resilience.reports.build import (
    MANAGED,
    ReportOutcome,
    TimelineSpec,
    build_reports,
    check_reports,
    diff_trees,
    remove_stale,
    render_compare,
    render_scenario,
    render_timeline,
)
from resilience.reports.charts import timeline_png
from resilience.reports.interdiction import ScenarioInterdiction, scenario_interdiction
from resilience.reports.maps import stable_folium_html
from resilience.reports.pages import markdown_table

__all__ = [
    "MANAGED",
    "ReportOutcome",
    "ScenarioInterdiction",
    "TimelineSpec",
    "build_reports",
    "check_reports",
    "diff_trees",
    "markdown_table",
    "remove_stale",
    "render_compare",
    "render_scenario",
    "render_timeline",
    "scenario_interdiction",
    "stable_folium_html",
    "timeline_png",
]
