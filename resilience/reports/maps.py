"""Scenario maps: a static PNG (matplotlib) and an interactive folium page.

folium names every element ``<kind>_<uuid4 hex>``; :func:`stable_folium_html` replaces
the hex ids by a counter in order of first appearance, so the page is byte-stable. The
page loads Leaflet, jQuery and Bootstrap from public CDNs (folium's default) and
OpenStreetMap tiles, so the interactive map needs a network connection to show its base
layer; everything drawn on it is inline.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import networkx as nx

from resilience.io import png_bytes
from resilience.network import edge_label
from resilience.reports.charts import figure
from resilience.reports.style import (
    CRITICAL,
    DEST,
    MIN_CUT,
    MODE_STYLE,
    ORIGIN,
    REMOVED,
    STATUS_STYLE,
)
from resilience.scenario import ScenarioResult

__all__ = ["edge_status", "folium_html", "map_png", "stable_folium_html"]


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


def edge_status(res: ScenarioResult) -> dict[tuple[Any, Any, int], str]:
    """Each edge's status in a scenario: ``removed``, ``min_cut``, ``critical`` or ``intact``.

    Parameters
    ----------
    res
        The scenario result.

    Returns
    -------
    dict
        ``(u, v, key)`` to status, for every directed edge.
    """
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


def _labelled(G: nx.MultiDiGraph[Any]) -> list[Any]:
    return sorted((n for n, d in G.nodes(data=True) if d.get("kind") in ("city", "town")), key=str)


def _draw_area(ax: Any, area: Any) -> None:
    if area is None or area.is_empty:
        return
    for poly in getattr(area, "geoms", [area]):
        if poly.geom_type == "Polygon":
            x, y = poly.exterior.xy
            ax.fill(x, y, color=REMOVED, alpha=0.12, lw=0, zorder=0)


def _draw_edges(ax: Any, res: ScenarioResult) -> None:
    G = res.graph
    status = edge_status(res)
    for u, v, data in _pairs(G):
        mode = data.get("mode", "road")
        if mode == "transfer":
            continue
        xs = [G.nodes[u]["x"], G.nodes[v]["x"]]
        ys = [G.nodes[u]["y"], G.nodes[v]["y"]]
        style = MODE_STYLE.get(mode, MODE_STYLE["road"])
        special = STATUS_STYLE.get(status[(u, v, data["key"])])
        if special is None:
            ax.plot(xs, ys, zorder=1, **style)
        else:
            ax.plot(xs, ys, linestyle=style["linestyle"], **special)


def map_png(res: ScenarioResult, area: Any) -> bytes:
    """The static scenario map: links by mode and status, places, origins and destinations.

    Parameters
    ----------
    res
        The scenario result.
    area
        The front-line area drawn underneath (a shapely geometry), or ``None``.

    Returns
    -------
    bytes
        The PNG.
    """
    G, r = res.graph, res.removal
    fig = figure(9, 8)
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
            color=REMOVED,
            zorder=6,
        )
    for nodes, color, marker in ((res.origins, ORIGIN, "^"), (res.destinations, DEST, "s")):
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
            color=REMOVED if n in r.nodes else "#111",
            zorder=8,
        )
    from matplotlib.lines import Line2D  # noqa: PLC0415

    handles = [
        Line2D([], [], color=MODE_STYLE["road"]["color"], lw=1.4, label="road"),
        Line2D(
            [], [], color=MODE_STYLE["rail"]["color"], lw=1.2, linestyle=(0, (4, 2)), label="rail"
        ),
        Line2D([], [], color=REMOVED, lw=2.2, label="removed"),
        Line2D([], [], color=MIN_CUT, lw=4, label=f"min cut ({res.min_cut_after} links)"),
        Line2D([], [], color=CRITICAL, lw=2.6, label="most critical left"),
        Line2D([], [], color=ORIGIN, marker="^", lw=0, label="origin"),
        Line2D([], [], color=DEST, marker="s", lw=0, label="destination"),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    ax.set_aspect(1 / math.cos(math.radians(sum(G.nodes[n]["y"] for n in G) / len(G))))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"{res.scenario.name}: {', '.join(r.labels) or 'baseline'}", fontsize=10)
    return png_bytes(fig)


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


def folium_html(res: ScenarioResult, area: Any) -> str:
    """The interactive scenario map (folium / Leaflet) as a byte-stable HTML page.

    Parameters
    ----------
    res
        The scenario result.
    area
        The front-line area drawn underneath (a shapely geometry), or ``None``.

    Returns
    -------
    str
        The page.
    """
    import folium  # noqa: PLC0415 - heavy import, only for reports

    G, r = res.graph, res.removal
    status = edge_status(res)
    lat = sum(G.nodes[n]["y"] for n in G) / len(G)
    lon = sum(G.nodes[n]["x"] for n in G) / len(G)
    m = folium.Map(location=[round(lat, 5), round(lon, 5)], zoom_start=9, tiles="OpenStreetMap")
    if area is not None and not area.is_empty:
        folium.GeoJson(
            area.__geo_interface__,
            name="occupied area",
            style_function=lambda _: {"color": REMOVED, "weight": 1, "fillOpacity": 0.15},
        ).add_to(m)
    colors = {"removed": REMOVED, "min_cut": MIN_CUT, "critical": CRITICAL}
    for u, v, data in _pairs(G):
        if data.get("mode") == "transfer":
            continue
        st = status[(u, v, data["key"])]
        folium.PolyLine(  # type: ignore[no-untyped-call]
            [[G.nodes[u]["y"], G.nodes[u]["x"]], [G.nodes[v]["y"], G.nodes[v]["x"]]],
            color=colors.get(st, "#555" if data.get("mode") == "road" else "#000"),
            weight=5 if st == "min_cut" else 3,
            dash_array="6 4" if data.get("mode") == "rail" else None,
            tooltip=html.escape(f"{edge_label(G, u, v, data['key'])} — {st}"),
        ).add_to(m)
    roles = dict.fromkeys(res.origins, "origin") | dict.fromkeys(res.destinations, "destination")
    for n in sorted(G.nodes, key=str):
        d = G.nodes[n]
        st = "removed" if n in r.nodes else roles.get(n, "intact")
        color = {"removed": REMOVED, "origin": ORIGIN, "destination": DEST}.get(st, "#333")
        folium.CircleMarker(
            [d["y"], d["x"]],
            radius=6 if st != "intact" else 3,
            color=color,
            fill=True,
            fill_opacity=0.9,
            tooltip=html.escape(f"{d.get('name') or n} ({d.get('kind', '')}) — {st}"),
        ).add_to(m)
    return stable_folium_html(m.get_root().render())
