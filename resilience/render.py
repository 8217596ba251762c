r"""Scenario, comparison and timeline reports: tables, maps, charts and GIS layers.

Every file is written atomically (see :func:`resilience.report.atomic_write`) and is
byte-identical when regenerated from the same inputs with the same library versions:

- PNG: matplotlib's Agg canvas (no pyplot state) with the ``Software`` tag dropped and
  a fixed ``svg.hashsalt``; nothing random is drawn.
- folium HTML: folium names every element ``<kind>_<uuid4 hex>``; the hex ids are
  replaced by a counter in order of first appearance. The page loads Leaflet, jQuery and
  Bootstrap from public CDNs (folium's default) and OpenStreetMap tiles, so the
  interactive map needs a network connection to show its base layer; everything drawn
  on it is inline.
- Parquet: pyarrow, no index; the only metadata is the library versions.
- GeoPackage: SQLite written by GDAL; its ``last_change`` timestamps are pinned with
  GDAL's ``OGR_CURRENT_DATE``, so the file is stable too.
- Markdown/HTML/CSV: sorted rows, no timestamps, ``\n`` line ends; PNGs are embedded in
  the HTML as data URIs so a page is one self-contained file.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import html
import io
import math
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from resilience import settings
from resilience.errors import BadInputError
from resilience.report import atomic_write
from resilience.scenario import (
    Scenario,
    ScenarioResult,
    compare,
    load_scenario,
    resolve_path,
    run_scenario,
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

#: Paths under the reports folder that ``resilience report`` owns (and may delete).
MANAGED = ("index.md", "index.html", "scenarios", "compare", "timeline")

_GPKG_DATE = "2000-01-01T00:00:00.000Z"
_MODE_STYLE: dict[str, dict[str, Any]] = {
    "road": {"color": "#7a7a7a", "linestyle": "-", "lw": 1.4},
    "rail": {"color": "#2b2b2b", "linestyle": (0, (4, 2)), "lw": 1.2},
}
_REMOVED = "#d62728"
_MIN_CUT = "#ff7f0e"
_CRITICAL = "#6a3d9a"
_ORIGIN = "#2ca02c"
_DEST = "#1f77b4"
_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;margin:1em 0;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}"
    "img{max-width:100%}code{background:#f3f3f3;padding:0 .2em}"
)


@dataclass(frozen=True)
class TimelineSpec:
    """The front-line timeline the reports include.

    Attributes
    ----------
    file
        Daily front-line file, relative to the project root.
    start, end
        First and last day.
    every_days
        Step between days.
    categories
        Categories counted as lost.
    graph
        Network to run on (``None``: the embedded default region).
    """

    file: str = (
        "../shared/data/deepstate-occupied-daily-cyterat/"
        "deepstate_occupied_daily_2024-07-08_2026-08-22_clip.geojson.gz"
    )
    start: dt.date = dt.date(2024, 7, 8)
    end: dt.date = dt.date(2026, 8, 22)
    every_days: int = 90
    categories: tuple[str, ...] = ("occupied",)
    graph: str | None = None


@dataclass
class ReportOutcome:
    """What a report run produced.

    Attributes
    ----------
    written
        Files written, relative to the reports folder, sorted.
    skipped
        Managed sub-paths not regenerated, with the reason (e.g. shared data absent).
    table
        The comparison table.
    """

    written: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


# --------------------------------------------------------------------------- writers


def _write_text(path: Path, text: str) -> Path:
    data = text if text.endswith("\n") else text + "\n"

    def write(tmp: Path) -> None:
        tmp.write_text(data, encoding="utf-8", newline="\n")

    return atomic_write(path, write)


def _write_bytes(path: Path, data: bytes) -> Path:
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, write)


def _arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding numbers become float, the rest text (pyarrow needs one type)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        values = [
            v for v in out[col] if v is not None and not (isinstance(v, float) and math.isnan(v))
        ]
        if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        else:
            out[col] = [
                None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                for v in out[col]
            ]
    return out


def _write_table(frame: pd.DataFrame, folder: Path, name: str) -> list[Path]:
    safe = _arrow_safe(frame)
    csv_path = atomic_write(
        folder / f"{name}.csv",
        lambda tmp: safe.to_csv(tmp, index=False, lineterminator="\n"),
    )
    pq_path = atomic_write(
        folder / f"{name}.parquet",
        lambda tmp: safe.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd"),
    )
    return [csv_path, pq_path]


@contextlib.contextmanager
def _gdal_fixed_date() -> Iterator[None]:
    import pyogrio  # noqa: PLC0415 - heavy import, only when writing layers

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _write_gpkg(layers: Mapping[str, Any], path: Path) -> Path:
    def write(tmp: Path) -> None:
        # GDAL warns about any extension but .gpkg, so build it beside the temporary file.
        gpkg = tmp.with_name(tmp.name + ".gpkg")
        try:
            with _gdal_fixed_date():
                for name in sorted(layers):
                    layers[name].to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
            gpkg.replace(tmp)
        finally:
            gpkg.unlink(missing_ok=True)

    return atomic_write(path, write)


def _png_bytes(fig: Any) -> bytes:
    import matplotlib as mpl  # noqa: PLC0415

    buf = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "resilience"}):
        fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


# --------------------------------------------------------------------------- text


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame) -> str:
    """A frame as a GitHub Markdown table.

    Parameters
    ----------
    frame
        The table.

    Returns
    -------
    str
        The Markdown, ``(none)`` for an empty frame.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"a": [1], "b": [None]})))
    | a | b |
    |---|---|
    | 1 | – |
    """
    if frame.empty:
        return "(none)"
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def _html_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _html_page(title: str, blocks: Sequence[str]) -> str:
    body = "\n".join(blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n"
        f"<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></p>'


# --------------------------------------------------------------------------- geometry


def _pairs(G: nx.MultiDiGraph[Any]) -> list[tuple[Any, Any, dict[str, Any]]]:
    """One entry per undirected link (the first key of the sorted direction)."""
    seen: set[frozenset[Any]] = set()
    out = []
    for u, v, k, data in sorted(
        G.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), e[2])
    ):
        pair = frozenset((u, v, k))
        if pair in seen:
            continue
        seen.add(pair)
        out.append((u, v, {**data, "key": k}))
    return out


def _edge_status(res: ScenarioResult) -> dict[tuple[Any, Any, int], str]:
    G, r = res.graph, res.removal
    status: dict[tuple[Any, Any, int], str] = {}
    cut = {(row.u, row.v, row.key) for row in res.min_cut.itertuples()}
    crit = {(row.u, row.v, row.key) for row in res.critical.itertuples()}
    for u, v, k in G.edges(keys=True):
        if u in r.nodes or v in r.nodes or (u, v, k) in r.edges:
            status[(u, v, k)] = "removed"
        elif (u, v, k) in cut or (v, u, k) in cut:
            status[(u, v, k)] = "min_cut"
        elif (u, v, k) in crit or (v, u, k) in crit:
            status[(u, v, k)] = "critical"
        else:
            status[(u, v, k)] = "intact"
    return status


def _frontline_area(sc: Scenario) -> Any:
    from resilience.frontline import load_frontline  # noqa: PLC0415

    spec = sc.removals.frontline
    if spec is None:
        return None
    return load_frontline(resolve_path(spec.file)).area(spec.date, spec.categories)


def _labelled(G: nx.MultiDiGraph[Any]) -> list[Any]:
    return sorted((n for n, d in G.nodes(data=True) if d.get("kind") in ("city", "town")), key=str)


# --------------------------------------------------------------------------- scenario


_STATUS_STYLE: dict[str, dict[str, Any]] = {
    "removed": {"color": _REMOVED, "lw": 2.2, "zorder": 3},
    "min_cut": {"color": _MIN_CUT, "lw": 4.0, "zorder": 4},
    "critical": {"color": _CRITICAL, "lw": 2.6, "zorder": 2},
}


def _draw_area(ax: Any, area: Any) -> None:
    if area is None or area.is_empty:
        return
    for poly in getattr(area, "geoms", [area]):
        if poly.geom_type == "Polygon":
            x, y = poly.exterior.xy
            ax.fill(x, y, color=_REMOVED, alpha=0.12, lw=0, zorder=0)


def _draw_edges(ax: Any, res: ScenarioResult) -> None:
    G = res.graph
    status = _edge_status(res)
    for u, v, data in _pairs(G):
        mode = data.get("mode", "road")
        if mode == "transfer":
            continue
        xs = [G.nodes[u]["x"], G.nodes[v]["x"]]
        ys = [G.nodes[u]["y"], G.nodes[v]["y"]]
        style = _MODE_STYLE.get(mode, _MODE_STYLE["road"])
        special = _STATUS_STYLE.get(status[(u, v, data["key"])])
        if special is None:
            ax.plot(xs, ys, zorder=1, **style)
        else:
            ax.plot(xs, ys, linestyle=style["linestyle"], **special)


def _map_png(res: ScenarioResult, area: Any) -> bytes:
    G, r = res.graph, res.removal
    fig = _figure(9, 8)
    ax = fig.add_subplot()
    _draw_area(ax, area)
    _draw_edges(ax, res)
    kept = [n for n in sorted(G.nodes, key=str) if n not in r.nodes]
    ax.scatter(
        [G.nodes[n]["x"] for n in kept],
        [G.nodes[n]["y"] for n in kept],
        s=8,
        color="#444",
        zorder=5,
    )
    gone = sorted(r.nodes, key=str)
    if gone:
        ax.scatter(
            [G.nodes[n]["x"] for n in gone],
            [G.nodes[n]["y"] for n in gone],
            s=60,
            marker="x",
            color=_REMOVED,
            zorder=6,
        )
    for nodes, color, marker in ((res.origins, _ORIGIN, "^"), (res.destinations, _DEST, "s")):
        ax.scatter(
            [G.nodes[n]["x"] for n in nodes],
            [G.nodes[n]["y"] for n in nodes],
            s=70,
            marker=marker,
            color=color,
            edgecolor="white",
            zorder=7,
        )
    for n in _labelled(G):
        ax.annotate(
            str(G.nodes[n].get("name") or n),
            (G.nodes[n]["x"], G.nodes[n]["y"]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            color=_REMOVED if n in r.nodes else "#111",
            zorder=8,
        )
    from matplotlib.lines import Line2D  # noqa: PLC0415

    handles = [
        Line2D([], [], color=_MODE_STYLE["road"]["color"], lw=1.4, label="road"),
        Line2D(
            [], [], color=_MODE_STYLE["rail"]["color"], lw=1.2, linestyle=(0, (4, 2)), label="rail"
        ),
        Line2D([], [], color=_REMOVED, lw=2.2, label="removed"),
        Line2D([], [], color=_MIN_CUT, lw=4, label=f"min cut ({res.min_cut_after} links)"),
        Line2D([], [], color=_CRITICAL, lw=2.6, label="most critical left"),
        Line2D([], [], color=_ORIGIN, marker="^", lw=0, label="origin"),
        Line2D([], [], color=_DEST, marker="s", lw=0, label="destination"),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    ax.set_aspect(1 / math.cos(math.radians(sum(G.nodes[n]["y"] for n in G) / len(G))))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"{res.scenario.name}: {', '.join(r.labels) or 'baseline'}", fontsize=10)
    return _png_bytes(fig)


def _detours_png(res: ScenarioResult) -> bytes:
    od = res.impact.od
    labels = [f"{o} → {d}" for o, d in zip(od["origin"], od["destination"], strict=True)]
    fig = _figure(8, max(2.5, 0.35 * len(od) + 1.2))
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
            ax.text(0.5, y - 0.2, st, va="center", fontsize=7, color=_REMOVED)
    ax.set_yticks(ys, labels, fontsize=7)
    ax.invert_yaxis()
    unit = "min" if res.scenario.weight == "travel_time" else "m"
    ax.set_xlabel(f"travel {'time' if unit == 'min' else 'distance'} ({unit})")
    ax.set_title(f"{res.scenario.name}: supply routes before and after", fontsize=10)
    ax.legend(fontsize=7)
    return _png_bytes(fig)


def stable_folium_html(text: str) -> str:
    """Replace folium's random element ids by a counter, in order of first appearance.

    Parameters
    ----------
    text
        Rendered folium HTML.

    Returns
    -------
    str
        The same page with ``<kind>_<32 hex>`` ids made deterministic.

    Examples
    --------
    >>> stable_folium_html("map_" + "ab" * 16 + " x map_" + "ab" * 16)
    'map_0001 x map_0001'
    """
    ids: dict[str, str] = {}

    def repl(m: re.Match[str]) -> str:
        return ids.setdefault(m.group(0), f"{len(ids) + 1:04d}")

    return re.sub(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])", repl, text)


def _folium_html(res: ScenarioResult, area: Any) -> str:
    import folium  # noqa: PLC0415 - heavy import, only for reports

    G, r = res.graph, res.removal
    status = _edge_status(res)
    lat = sum(G.nodes[n]["y"] for n in G) / len(G)
    lon = sum(G.nodes[n]["x"] for n in G) / len(G)
    m = folium.Map(location=[round(lat, 5), round(lon, 5)], zoom_start=9, tiles="OpenStreetMap")
    if area is not None and not area.is_empty:
        folium.GeoJson(
            area.__geo_interface__,
            name="occupied area",
            style_function=lambda _: {"color": _REMOVED, "weight": 1, "fillOpacity": 0.15},
        ).add_to(m)
    colors = {"removed": _REMOVED, "min_cut": _MIN_CUT, "critical": _CRITICAL}
    for u, v, data in _pairs(G):
        if data.get("mode") == "transfer":
            continue
        st = status[(u, v, data["key"])]
        folium.PolyLine(  # type: ignore[no-untyped-call]
            [[G.nodes[u]["y"], G.nodes[u]["x"]], [G.nodes[v]["y"], G.nodes[v]["x"]]],
            color=colors.get(st, "#555" if data.get("mode") == "road" else "#000"),
            weight=5 if st == "min_cut" else 3,
            dash_array="6 4" if data.get("mode") == "rail" else None,
            tooltip=html.escape(f"{_label(G, u, v, data['key'])} — {st}"),
        ).add_to(m)
    roles = dict.fromkeys(res.origins, "origin") | dict.fromkeys(res.destinations, "destination")
    for n in sorted(G.nodes, key=str):
        d = G.nodes[n]
        st = "removed" if n in r.nodes else roles.get(n, "intact")
        color = {"removed": _REMOVED, "origin": _ORIGIN, "destination": _DEST}.get(st, "#333")
        folium.CircleMarker(
            [d["y"], d["x"]],
            radius=6 if st != "intact" else 3,
            color=color,
            fill=True,
            fill_opacity=0.9,
            tooltip=html.escape(f"{d.get('name') or n} ({d.get('kind', '')}) — {st}"),
        ).add_to(m)
    return stable_folium_html(m.get_root().render())


def _label(G: nx.MultiDiGraph[Any], u: Any, v: Any, k: int) -> str:
    from resilience.network import edge_label  # noqa: PLC0415

    return edge_label(G, u, v, k)


def _layers(res: ScenarioResult) -> dict[str, Any]:
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    G, r = res.graph, res.removal
    status = _edge_status(res)
    crit = {(row.u, row.v, row.key): row.rank for row in res.critical.itertuples()}
    erows = []
    for u, v, k, d in sorted(
        G.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), e[2])
    ):
        erows.append(
            {
                "u": str(u),
                "v": str(v),
                "key": int(k),
                "mode": str(d.get("mode", "")),
                "ref": str(d.get("ref") or ""),
                "name": str(d.get("name") or ""),
                "length_m": float(d.get("length", math.nan)),
                "travel_time_s": float(d.get("travel_time", math.nan)),
                "status": status[(u, v, k)],
                "critical_rank": crit.get((u, v, k)),
                "geometry": shapely.LineString(
                    [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
                ),
            }
        )
    roles = dict.fromkeys(res.origins, "origin") | dict.fromkeys(res.destinations, "destination")
    nrows = [
        {
            "id": str(n),
            "name": str(d.get("name") or ""),
            "kind": str(d.get("kind") or ""),
            "mode": str(d.get("mode") or ""),
            "status": "removed" if n in r.nodes else "intact",
            "role": roles.get(n, ""),
            "geometry": shapely.Point(d["x"], d["y"]),
        }
        for n, d in sorted(G.nodes(data=True), key=lambda e: str(e[0]))
    ]
    edges = gpd.GeoDataFrame(erows, geometry="geometry", crs="EPSG:4326")
    edges["critical_rank"] = pd.to_numeric(edges["critical_rank"]).astype("Int64")
    return {
        "edges": edges,
        "nodes": gpd.GeoDataFrame(nrows, geometry="geometry", crs="EPSG:4326"),
    }


def _summary_rows(res: ScenarioResult) -> pd.DataFrame:
    row = compare([res]).iloc[0]
    return pd.DataFrame({"measure": list(row.index[1:]), "value": [row[c] for c in row.index[1:]]})


def _critical_view(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["rank", "label", "mode", "betweenness"]].assign(
        betweenness=frame["betweenness"].round(4)
    )


def render_scenario(res: ScenarioResult, folder: Path) -> list[Path]:
    """Write a scenario's report folder.

    Files: ``index.md``, ``index.html`` (self-contained), ``map.png``, ``detours.png``,
    ``map.html`` (folium), ``od``, ``summary``, ``network``, ``components``, ``min_cut``
    and ``critical`` as CSV and Parquet, and ``layers.gpkg`` (``edges`` and ``nodes``
    with their status).

    Parameters
    ----------
    res
        The scenario result.
    folder
        Output folder (created when missing).

    Returns
    -------
    list of Path
        The files written.
    """
    sc = res.scenario
    area = _frontline_area(sc)
    map_png, det_png = _map_png(res, area), _detours_png(res)
    written = [
        _write_bytes(folder / "map.png", map_png),
        _write_bytes(folder / "detours.png", det_png),
    ]
    written.append(_write_text(folder / "map.html", _folium_html(res, area)))
    summary = _summary_rows(res)
    tables = {
        "od": res.impact.od,
        "summary": summary,
        "network": res.impact.summary,
        "components": res.impact.components,
        "min_cut": res.min_cut,
        "critical": res.critical,
    }
    for name in sorted(tables):
        written += _write_table(tables[name], folder, name)
    written.append(_write_gpkg(_layers(res), folder / "layers.gpkg"))

    removed = ", ".join(res.removal.labels) or "nothing (baseline)"
    facts = (
        f"Removed: {removed} — {len(res.removal.nodes)} node(s), "
        f"{len(res.removal.edges)} further link(s)."
    )
    sections: list[tuple[str, pd.DataFrame]] = [
        ("Summary", summary),
        ("Supply pairs", res.impact.od),
        ("Network", res.impact.summary),
        (
            f"Minimum cut origins → destinations after the loss ({res.min_cut_after} links)",
            res.min_cut[["label", "mode"]],
        ),
        ("Most critical links left (edge betweenness)", _critical_view(res.critical)),
        ("Connected pieces", res.impact.components),
    ]
    md = [f"# Scenario: {sc.name}", "", sc.description, "", facts, "", "![map](map.png)", ""]
    for title, frame in sections:
        md += [f"## {title}", "", markdown_table(frame), ""]
    md += [
        "![detours](detours.png)",
        "",
        "Interactive map: [map.html](map.html) (Leaflet and OpenStreetMap tiles from the web).",
        "GIS layers: `layers.gpkg` (edges and nodes with status). Tables: CSV and Parquet.",
    ]
    written.append(_write_text(folder / "index.md", "\n".join(md)))
    blocks = [
        f"<p>{html.escape(sc.description)}</p>",
        f"<p>{html.escape(facts)}</p>",
        _img(map_png, "map"),
    ]
    for title, frame in sections:
        blocks += [f"<h2>{html.escape(title)}</h2>", _html_table(frame)]
    blocks += [
        _img(det_png, "detours"),
        (
            '<p>Interactive map: <a href="map.html">map.html</a> (loads Leaflet and '
            "OpenStreetMap tiles from the web). GIS layers: <code>layers.gpkg</code>.</p>"
        ),
    ]
    written.append(_write_text(folder / "index.html", _html_page(f"Scenario: {sc.name}", blocks)))
    return written


# --------------------------------------------------------------------------- compare


def _compare_png(table: pd.DataFrame) -> bytes:
    fig = _figure(10, max(3.0, 0.45 * len(table) + 1.5))
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
        color=_REMOVED,
        label="OD pairs cut off",
    )
    ax2.barh(
        [y + 0.2 for y in ys],
        table["min_cut_after"],
        height=0.4,
        color=_MIN_CUT,
        label="min cut left (links)",
    )
    ax2.set_xlabel("count")
    ax2.legend(fontsize=7)
    fig.suptitle("Scenarios side by side", fontsize=11)
    return _png_bytes(fig)


def render_compare(
    table: pd.DataFrame, descriptions: Mapping[str, str], folder: Path
) -> list[Path]:
    """Write the side-by-side comparison: table (CSV/Parquet/Markdown/HTML) and chart.

    Parameters
    ----------
    table
        The output of :func:`resilience.scenario.compare`.
    descriptions
        Scenario name to description, listed under the table.
    folder
        Output folder.

    Returns
    -------
    list of Path
        The files written.
    """
    png = _compare_png(table)
    written = [_write_bytes(folder / "compare.png", png), *_write_table(table, folder, "compare")]
    desc = pd.DataFrame({"scenario": list(descriptions), "models": list(descriptions.values())})
    md = [
        "# Scenarios compared",
        "",
        markdown_table(table),
        "",
        "![comparison](compare.png)",
        "",
        "## What each scenario models",
        "",
        markdown_table(desc),
    ]
    written.append(_write_text(folder / "index.md", "\n".join(md)))
    blocks = [
        _html_table(table),
        _img(png, "comparison"),
        "<h2>What each scenario models</h2>",
        _html_table(desc),
    ]
    written.append(_write_text(folder / "index.html", _html_page("Scenarios compared", blocks)))
    return written


# --------------------------------------------------------------------------- timeline


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
    fig = _figure(9, 7)
    axes = fig.subplots(3, 1, sharex=True)
    series = [
        (("destinations_reachable", "destinations reachable"), ("min_cut", "min cut (links)")),
        (("mean_time_increase_min", "mean travel-time increase (min)"),),
        (("nodes_lost", "nodes lost"), ("efficiency_loss_pct", "efficiency loss (%)")),
    ]
    for ax, group in zip(axes, series, strict=True):
        for col, label in group:
            ax.plot(days, frame[col], marker="o", ms=3, label=label)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(visible=True, alpha=0.3)
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]
    fig.suptitle(title, fontsize=11)
    return _png_bytes(fig)


def render_timeline(frame: pd.DataFrame, source: str, folder: Path) -> list[Path]:
    """Write a front-line timeline: table (CSV/Parquet/Markdown/HTML) and line chart.

    Parameters
    ----------
    frame
        The output of :func:`resilience.frontline.timeline`.
    source
        A line naming the front-line file and categories, shown on the page.
    folder
        Output folder.

    Returns
    -------
    list of Path
        The files written.
    """
    png = timeline_png(frame, "Supply as the front line moves")
    written = [_write_bytes(folder / "timeline.png", png), *_write_table(frame, folder, "timeline")]
    md = [
        "# Front-line timeline",
        "",
        source,
        "",
        "![timeline](timeline.png)",
        "",
        markdown_table(frame),
    ]
    written.append(_write_text(folder / "index.md", "\n".join(md)))
    blocks = [f"<p>{html.escape(source)}</p>", _img(png, "timeline"), _html_table(frame)]
    written.append(_write_text(folder / "index.html", _html_page("Front-line timeline", blocks)))
    return written


# --------------------------------------------------------------------------- all


def _progress(items: Sequence[Path], enabled: bool) -> Any:
    import sys  # noqa: PLC0415

    from tqdm import tqdm  # noqa: PLC0415

    return tqdm(items, desc="scenarios", disable=not (enabled and sys.stderr.isatty()), leave=False)


def _index(outcome: ReportOutcome, names: Sequence[str], has_timeline: bool) -> tuple[str, str]:
    lines = ["# Resilience reports", "", "- [Scenarios compared](compare/index.md)"]
    items = ['<li><a href="compare/index.html">Scenarios compared</a></li>']
    if has_timeline:
        lines.append("- [Front-line timeline](timeline/index.md)")
        items.append('<li><a href="timeline/index.html">Front-line timeline</a></li>')
    for name in names:
        lines.append(f"- [{name}](scenarios/{name}/index.md)")
        items.append(f'<li><a href="scenarios/{name}/index.html">{html.escape(name)}</a></li>')
    if outcome.skipped:
        lines += ["", "Not regenerated here:", ""]
        lines += [f"- `{k}`: {v}" for k, v in sorted(outcome.skipped.items())]
    page = _html_page("Resilience reports", [f"<ul>{''.join(items)}</ul>"])
    return "\n".join(lines), page


def build_reports(
    out: Path,
    scenarios_dir: Path | None = None,
    *,
    timeline_spec: TimelineSpec | None = TimelineSpec(),
    progress: bool = True,
    on_skip: Callable[[str, str], None] | None = None,
) -> ReportOutcome:
    """Regenerate every report: each scenario, the comparison, the timeline, an index.

    A scenario or the timeline whose shared front-line file is absent is skipped with
    its reason; other scenario errors propagate.

    Parameters
    ----------
    out
        The reports folder.
    scenarios_dir
        Folder of ``*.toml`` scenarios (default: ``<project root>/scenarios``).
    timeline_spec
        The timeline to include, ``None`` for none.
    progress
        Show a progress bar when stderr is a terminal.
    on_skip
        Called with ``(path, reason)`` for each skipped part.

    Returns
    -------
    ReportOutcome
        Files written (relative to ``out``), parts skipped, the comparison table.
    """
    from resilience.frontline import load_frontline, timeline  # noqa: PLC0415
    from resilience.sources.load import load_network  # noqa: PLC0415
    from resilience.targets import resolve_od  # noqa: PLC0415

    folder = scenarios_dir or settings.project_root() / "scenarios"
    files = sorted(folder.glob("*.toml"))
    if not files:
        # An empty comparison table has none of the columns the pages are drawn from.
        msg = f"no scenario files (*.toml) in {folder}"
        raise BadInputError(msg)
    outcome = ReportOutcome()
    written: list[Path] = []
    results: list[ScenarioResult] = []
    graphs: dict[str | None, nx.MultiDiGraph[Any]] = {}

    def skip(part: str, reason: str) -> None:
        outcome.skipped[part] = reason
        if on_skip is not None:
            on_skip(part, reason)

    for path in _progress(files, progress):
        sc = load_scenario(path)
        spec = sc.removals.frontline
        if spec is not None and not resolve_path(spec.file).is_file():
            skip(f"scenarios/{sc.name}", f"front-line file absent: {spec.file}")
            continue
        if sc.graph not in graphs:
            graphs[sc.graph] = load_network(sc.graph)
        res = run_scenario(sc, graphs[sc.graph])
        results.append(res)
        written += render_scenario(res, out / "scenarios" / sc.name)
    outcome.table = compare(results)
    written += render_compare(
        outcome.table, {r.scenario.name: r.scenario.description for r in results}, out / "compare"
    )
    has_timeline = False
    if timeline_spec is not None:
        tl_path = resolve_path(timeline_spec.file)
        if not tl_path.is_file():
            skip("timeline", f"front-line file absent: {timeline_spec.file}")
        else:
            G = graphs.get(timeline_spec.graph) or load_network(timeline_spec.graph)
            origins, destinations = resolve_od(G)
            frame = timeline(
                G,
                load_frontline(tl_path),
                timeline_spec.start,
                timeline_spec.end,
                timeline_spec.every_days,
                origins,
                destinations,
                categories=timeline_spec.categories,
            )
            source = (
                f"Layer: {timeline_spec.file} (DeepStateMap via cyterat/deepstate-map-data), "
                f"categories {', '.join(timeline_spec.categories)}, "
                f"every {timeline_spec.every_days} days; default origins → destinations."
            )
            written += render_timeline(frame, source, out / "timeline")
            has_timeline = True
    md, page = _index(outcome, [r.scenario.name for r in results], has_timeline)
    written += [_write_text(out / "index.md", md), _write_text(out / "index.html", page)]
    outcome.written = sorted(p.relative_to(out).as_posix() for p in written)
    return outcome


def _managed_files(root: Path, skipped: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for top in MANAGED:
        p = root / top
        if p.is_file():
            found.add(top)
        elif p.is_dir():
            found |= {f.relative_to(root).as_posix() for f in p.rglob("*") if f.is_file()}
    return {f for f in found if not any(f == s or f.startswith(s + "/") for s in skipped)}


def remove_stale(out: Path, outcome: ReportOutcome) -> list[str]:
    """Delete files under the managed report paths that this run did not write.

    Skipped parts are left alone: they could not be regenerated here, not retired.

    Parameters
    ----------
    out
        The reports folder.
    outcome
        The run's outcome.

    Returns
    -------
    list of str
        The deleted files, relative to ``out``.
    """
    stale = sorted(_managed_files(out, list(outcome.skipped)) - set(outcome.written))
    for rel in stale:
        (out / rel).unlink()
    for top in MANAGED:
        d = out / top
        if d.is_dir():
            for sub in sorted(d.rglob("*"), key=lambda p: -len(p.parts)):
                if sub.is_dir() and not any(sub.iterdir()):
                    sub.rmdir()
    return stale


def diff_trees(committed: Path, fresh: Path, skipped: Sequence[str] = ()) -> list[str]:
    """Managed report files that differ between two report folders.

    Parameters
    ----------
    committed
        The reports folder as committed.
    fresh
        A freshly regenerated one.
    skipped
        Parts not regenerated (left out of the comparison).

    Returns
    -------
    list of str
        ``<path> (changed|missing|stale)``, sorted: ``missing`` means not committed,
        ``stale`` committed but no longer generated.
    """
    old = _managed_files(committed, skipped)
    new = _managed_files(fresh, skipped)
    out = [f"{f} (missing)" for f in new - old]
    out += [f"{f} (stale)" for f in old - new]
    out += [
        f"{f} (changed)"
        for f in old & new
        if (committed / f).read_bytes() != (fresh / f).read_bytes()
    ]
    return sorted(out)


def check_reports(
    out: Path,
    scenarios_dir: Path | None = None,
    *,
    progress: bool = True,
    on_skip: Callable[[str, str], None] | None = None,
) -> tuple[list[str], ReportOutcome]:
    """Regenerate into a temporary folder and compare with ``out``.

    Parameters
    ----------
    out
        The committed reports folder.
    scenarios_dir
        As for :func:`build_reports`.
    progress
        Show a progress bar on a terminal.
    on_skip
        As for :func:`build_reports`.

    Returns
    -------
    tuple
        The differences (see :func:`diff_trees`) and the run's outcome.
    """
    import tempfile  # noqa: PLC0415

    tmp = Path(tempfile.mkdtemp(prefix="resilience-report-"))
    try:
        outcome = build_reports(tmp, scenarios_dir, progress=progress, on_skip=on_skip)
        return diff_trees(out, tmp, list(outcome.skipped)), outcome
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
