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
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    WORST,
)
from resilience.scenario import ScenarioResult

if TYPE_CHECKING:
    from resilience.reports.interdiction import ScenarioInterdiction

__all__ = [
    "LinkFlow",
    "MapContext",
    "edge_status",
    "flow_caption",
    "flow_map_png",
    "folium_html",
    "link_flows",
    "link_pairs",
    "map_caption",
    "map_credits",
    "map_png",
    "place_labels",
    "stable_folium_html",
    "worst_caption",
    "worst_map_png",
]

_DEEPSTATE = "DeepStateMap (deepstatemap.live)"
_OSM = "© OpenStreetMap contributors (ODbL)"


@dataclass(frozen=True)
class MapContext:
    """What a scenario map draws besides the network, and the facts its caption states.

    Attributes
    ----------
    area
        The occupied area (shapely), or ``None``.
    layer_date
        The date of the front-line layer the area comes from (``YYYY-MM-DD``).
    layer_source
        The front-line dataset as credited (file or mirror).
    """

    area: Any = None
    layer_date: str = ""
    layer_source: str = ""

    @property
    def has_area(self) -> bool:
        """Whether there is an area to draw."""
        return self.area is not None and not self.area.is_empty


def map_credits(G: nx.MultiDiGraph[Any], ctx: MapContext | None = None) -> list[str]:
    """The credit lines of the datasets a scenario map draws.

    Parameters
    ----------
    G
        The network drawn (``G.graph["source"]`` says where it comes from; ``as_of`` and
        ``lost_on_source`` which occupation it was dated with).
    ctx
        The occupied area drawn, if any.

    Returns
    -------
    list of str
        One line per dataset.
    """
    source = str(G.graph.get("source", ""))
    lines = []
    if source == "bundled":
        lines.append(
            "Network: curated schematic; station positions "
            + _OSM
            + "; rail links checked against the DCW railway layer (jamyspencer/ukraine-gis-db)"
        )
    elif source == "osm":
        lines.append("Network: " + _OSM)
    elif source:
        lines.append(f"Network: {G.graph.get('name', source)} ({source})")
    if ctx is not None and ctx.has_area:
        lines.append(
            f"Occupied area: {_DEEPSTATE}, layer of {ctx.layer_date}"
            + (f" ({ctx.layer_source})" if ctx.layer_source else "")
        )
    layer = str(G.graph.get("as_of_layer", ""))
    if G.graph.get("as_of") and layer:
        credit = layer if "DeepStateMap" in layer else f"{_DEEPSTATE}: {layer}"
        lines.append(f"Places and links lost by {G.graph['as_of']}: {credit}")
    return lines


def link_pairs(G: nx.MultiDiGraph[Any]) -> list[tuple[Any, Any, dict[str, Any]]]:
    """One entry per undirected link (the first key of the sorted direction).

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    list
        ``(u, v, data)`` with the edge key in ``data["key"]``, sorted by ``u, v, key``.
    """
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
    # Cities before towns, so the bigger place keeps the preferred label position.
    rank = {"city": 0, "town": 1}
    return sorted(
        (n for n, d in G.nodes(data=True) if d.get("kind") in rank),
        key=lambda n: (rank[G.nodes[n]["kind"]], str(n)),
    )


def _draw_area(ax: Any, area: Any) -> None:
    """Fill the area with no outline: the layer's clipping edge must not read as a front."""
    for poly in getattr(area, "geoms", [area]):
        if poly.geom_type == "Polygon":
            x, y = poly.exterior.xy
            ax.fill(x, y, color=REMOVED, alpha=0.12, lw=0, zorder=0)


def _draw_edges(ax: Any, res: ScenarioResult) -> None:
    G = res.graph
    status = edge_status(res)
    for u, v, data in link_pairs(G):
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


#: Label offsets tried in turn (points): right-above first, then the other corners and sides.
_OFFSETS = ((4, 3), (4, -9), (-4, 3), (-4, -9), (6, -3), (-6, -3), (0, 6), (0, -12))


def place_labels(ax: Any, items: list[tuple[str, float, float, str]]) -> list[Any]:
    """Label points without overlaps: each label takes the first free offset around its point.

    Deterministic (no random jitter, unlike force-based de-overlap): labels are placed in
    the order given, against the boxes of those already placed and of the other points.

    Parameters
    ----------
    ax
        The axes (its figure is drawn once to measure the text).
    items
        ``(text, x, y, color)`` in data coordinates, most important first.

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    taken: list[Any] = []
    pts = [ax.transData.transform((x, y)) for _, x, y, _ in items]
    out = []
    for (text, x, y, color), _pt in zip(items, pts, strict=True):
        best, best_cost = None, math.inf
        for dx, dy in _OFFSETS:
            ann = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx > 0 else ("right" if dx < 0 else "center"),
                fontsize=7,
                color=color,
                zorder=8,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
            )
            box = ann.get_window_extent(renderer).expanded(1.05, 1.1)
            cost = sum(box.overlaps(b) for b in taken)
            cost += sum(1 for q in pts if box.x0 <= q[0] <= box.x1 and box.y0 <= q[1] <= box.y1)
            if cost < best_cost:
                if best is not None:
                    best[0].remove()
                best, best_cost = (ann, box), cost
            else:
                ann.remove()
            if cost == 0:
                break
        assert best is not None  # _OFFSETS is not empty
        taken.append(best[1])
        out.append(best[0])
    return out


def _nice_km(span_km: float) -> float:
    """A round scale-bar length near a fifth of the map width."""
    target = span_km / 5
    step = 10 ** math.floor(math.log10(target))
    return float(max(m * step for m in (1, 2, 5) if m * step <= target))


def _scale_bar(ax: Any, lat: float) -> None:
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415
    from mpl_toolkits.axes_grid1.anchored_artists import (  # type: ignore[import-untyped]  # noqa: PLC0415
        AnchoredSizeBar,
    )

    x0, x1 = ax.get_xlim()
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    km = _nice_km((x1 - x0) * km_per_deg)
    bar = AnchoredSizeBar(
        ax.transData,
        km / km_per_deg,
        f"{km:g} km",
        "lower right",
        pad=0.6,
        sep=3,
        frameon=True,
        size_vertical=(ax.get_ylim()[1] - ax.get_ylim()[0]) / 250,
        fontproperties=FontProperties(size=7),
    )
    bar.patch.set_alpha(0.85)
    ax.add_artist(bar)


def _north_arrow(ax: Any) -> None:
    ax.annotate(
        "N",
        xy=(0.96, 0.97),
        xytext=(0.96, 0.88),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#222", "lw": 1.5},
        zorder=9,
    )


def _title(res: ScenarioResult, width: int = 110) -> str:
    """Scenario name and what it removes, shortened to fit above the map."""
    labels = list(res.removal.labels)
    text = f"{res.scenario.name}: {', '.join(labels) or 'baseline'}"
    if len(text) <= width:
        return text
    shown = f"{res.scenario.name}: "
    for i, label in enumerate(labels):
        rest = f" … (+{len(labels) - i} more)"
        if len(shown) + len(label) + len(rest) > width:
            return shown.rstrip(", ") + rest
        shown += label + ", "
    return shown.rstrip(", ")


def _extent(G: nx.MultiDiGraph[Any]) -> tuple[float, float, float, float]:
    xs = [d["x"] for _, d in G.nodes(data=True)]
    ys = [d["y"] for _, d in G.nodes(data=True)]
    mx, my = 0.06 * (max(xs) - min(xs)) + 0.02, 0.06 * (max(ys) - min(ys)) + 0.02
    return min(xs) - mx, max(xs) + mx, min(ys) - my, max(ys) + my


def map_caption(res: ScenarioResult, ctx: MapContext | None = None) -> str:
    """The caption under a scenario map: what is shown and the analysis date.

    Parameters
    ----------
    res
        The scenario result.
    ctx
        The occupied area drawn, if any.

    Returns
    -------
    str
        One or two sentences.
    """
    G = res.graph
    as_of = G.graph.get("as_of")
    text = f"Network as of {as_of}." if as_of else "Network as loaded (no analysis date applied)."
    if ctx is not None and ctx.has_area:
        text += f" Shaded: occupied area on the front-line layer of {ctx.layer_date}."
    return text + " Straight lines join link ends (schematic); WGS84 coordinates."


def _mode_handles(G: nx.MultiDiGraph[Any]) -> list[Any]:
    """Legend entries for the road and rail links, where the network has them."""
    from matplotlib.lines import Line2D  # noqa: PLC0415

    modes = {d.get("mode") for _, _, d in G.edges(data=True)}
    handles: list[Any] = []
    if "road" in modes:
        handles.append(Line2D([], [], color=MODE_STYLE["road"]["color"], lw=1.4, label="road"))
    if "rail" in modes:
        rail = MODE_STYLE["rail"]["color"]
        handles.append(Line2D([], [], color=rail, lw=1.2, linestyle=(0, (4, 2)), label="rail"))
    return handles


def _od_and_area_handles(ctx: MapContext) -> list[Any]:
    """Legend entries every map ends with: origin, destination, the occupied area if drawn."""
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles: list[Any] = [
        Line2D([], [], color=ORIGIN, marker="^", lw=0, label="origin"),
        Line2D([], [], color=DEST, marker="s", lw=0, label="destination"),
    ]
    if ctx.has_area:
        handles.append(
            Patch(facecolor=REMOVED, alpha=0.12, lw=0, label=f"occupied area ({ctx.layer_date})")
        )
    return handles


def _legend_handles(res: ScenarioResult, ctx: MapContext, gone: list[Any]) -> list[Any]:
    """One legend entry per layer drawn (and only those)."""
    from matplotlib.lines import Line2D  # noqa: PLC0415

    status = set(edge_status(res).values())
    handles = _mode_handles(res.graph)
    if "removed" in status or gone:
        handles.append(Line2D([], [], color=REMOVED, lw=2.2, label="removed link"))
    if gone:
        handles.append(
            Line2D([], [], color=REMOVED, marker="x", lw=0, label=f"removed place ({len(gone)})")
        )
    if "min_cut" in status:
        handles.append(
            Line2D([], [], color=MIN_CUT, lw=4, label=f"min cut after ({res.min_cut_after} links)")
        )
    if "critical" in status:
        handles.append(
            Line2D([], [], color=CRITICAL, lw=2.6, label="most critical left (betweenness)")
        )
    handles.append(Line2D([], [], color="#444", marker="o", ms=3, lw=0, label="place / junction"))
    return handles + _od_and_area_handles(ctx)


def _graticule(ax: Any, extent: tuple[float, float, float, float]) -> None:
    """Limits, aspect, degree ticks and grid of a map's axes."""
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    x0, x1, y0, y1 = extent
    # Limits before labels: the area is clipped to the map and labels are measured on it.
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.1f}°E"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.1f}°N"))
    ax.tick_params(labelsize=7)
    ax.grid(visible=True, color="#999", lw=0.4, alpha=0.5, zorder=0)
    ax.set_xlabel("longitude (WGS84)", fontsize=8)
    ax.set_ylabel("latitude (WGS84)", fontsize=8)


def map_png(res: ScenarioResult, ctx: MapContext | None = None) -> bytes:
    """The static scenario map, ready to publish.

    Links by mode and status, places, origins and destinations; the occupied area (fill
    only, clipped to the map); a legend entry for every layer drawn; scale bar, north
    arrow and a graticule in degrees; labels placed without overlaps; the analysis date
    and the credit of every dataset drawn under the map.

    Parameters
    ----------
    res
        The scenario result.
    ctx
        The occupied area and its layer date, or ``None``.

    Returns
    -------
    bytes
        The PNG.
    """
    G, r = res.graph, res.removal
    ctx = ctx or MapContext()
    fig = figure(11, 8.2)
    ax = fig.add_subplot()
    x0, x1, y0, y1 = _extent(G)
    lat = (y0 + y1) / 2
    if ctx.has_area:
        _draw_area(ax, ctx.area)
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
            zorder=7.5,  # over the origin/destination marker of a place that is lost
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
    _graticule(ax, (x0, x1, y0, y1))
    ax.set_title(_title(res), fontsize=10)
    place_labels(
        ax,
        [
            (
                str(G.nodes[n].get("name") or n),
                G.nodes[n]["x"],
                G.nodes[n]["y"],
                REMOVED if n in r.nodes else "#111",
            )
            for n in _labelled(G)
        ],
    )
    handles = _legend_handles(res, ctx, gone)
    # Outside the axes: a legend over the map would hide places and their labels.
    # "outside": the constrained layout makes room for it, so no axis label is cut off.
    fig.legend(handles=handles, loc="outside right upper", fontsize=7, framealpha=0.9)
    _scale_bar(ax, lat)
    _north_arrow(ax)
    foot = [map_caption(res, ctx), *map_credits(G, ctx)]
    fig.get_layout_engine().set(h_pad=0.1)
    fig.supxlabel("\n".join(foot), fontsize=6.5, ha="left", x=0.01, color="#333")
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


#: A 1x1 transparent GIF: the tiles of the plain background base layer (no web needed).
_BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def _legend_html(res: ScenarioResult, ctx: MapContext) -> str:
    swatch = (
        '<div><span style="display:inline-block;width:18px;height:0;border-top:{w}px '
        '{style} {c};margin-right:6px;vertical-align:middle"></span>{t}</div>'
    )
    dot = (
        '<div><span style="display:inline-block;width:10px;height:10px;background:{c};'
        'border-radius:{r};margin:0 10px 0 4px;vertical-align:middle"></span>{t}</div>'
    )
    rows = [
        swatch.format(w=3, style="solid", c="#555", t="road"),
        swatch.format(w=3, style="dashed", c="#000", t="rail"),
        swatch.format(w=3, style="solid", c=REMOVED, t="removed link"),
        swatch.format(w=5, style="solid", c=MIN_CUT, t=f"min cut after ({res.min_cut_after})"),
        swatch.format(w=3, style="solid", c=CRITICAL, t="most critical left"),
        dot.format(c=REMOVED, r="50%", t="removed place"),
        dot.format(c=ORIGIN, r="50%", t="origin"),
        dot.format(c=DEST, r="50%", t="destination"),
    ]
    if ctx.has_area:
        rows.append(
            dot.format(c="rgba(214,39,40,.25)", r="0", t=f"occupied area ({ctx.layer_date})")
        )
    notes = [map_caption(res, ctx), *map_credits(res.graph, ctx)]
    notes.append(
        "Needs the web for Leaflet and the OpenStreetMap tiles; offline or with "
        "'plain background' chosen, the layers show on a plain background."
    )
    body = "".join(rows) + "".join(
        f'<div style="margin-top:4px;color:#444">{html.escape(n)}</div>' for n in notes
    )
    return (
        '<div id="legend" style="position:fixed;bottom:24px;left:10px;z-index:9999;'
        "background:rgba(255,255,255,.92);padding:6px 8px;font:12px system-ui,sans-serif;"
        f'max-width:340px;border:1px solid #aaa"><b>Legend</b>{body}</div>'
    )


def folium_html(res: ScenarioResult, ctx: MapContext | None = None) -> str:
    """The interactive scenario map (folium / Leaflet) as a byte-stable HTML page.

    One toggleable layer per kind of feature (occupied area, links by status, places,
    origins and destinations), a legend with the credits and the analysis date, and two
    base layers: OpenStreetMap tiles (from the web) and a plain background that needs
    none. The page itself loads Leaflet from a CDN (folium's default).

    Parameters
    ----------
    res
        The scenario result.
    ctx
        The occupied area and its layer date, or ``None``.

    Returns
    -------
    str
        The page.
    """
    import folium  # noqa: PLC0415 - heavy import, only for reports

    ctx = ctx or MapContext()
    G, r = res.graph, res.removal
    status = edge_status(res)
    lat = sum(G.nodes[n]["y"] for n in G) / len(G)
    lon = sum(G.nodes[n]["x"] for n in G) / len(G)
    m = folium.Map(location=[round(lat, 5), round(lon, 5)], zoom_start=9, tiles=None)
    folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap tiles (needs the web)", overlay=False
    ).add_to(m)
    folium.TileLayer(
        _BLANK_TILE,
        name="plain background (offline)",
        # The data credits stay in the attribution line when the tiles are off.
        attr=html.escape(" | ".join(map_credits(G, ctx))) or "plain background",
        overlay=False,
    ).add_to(m)
    root: Any = m.get_root()
    root.header.add_child(folium.Element("<style>.leaflet-container{background:#f2efe9}</style>"))
    groups = {
        key: folium.FeatureGroup(name=name)
        for key, name in (
            ("area", f"occupied area ({ctx.layer_date})"),
            ("intact", "links"),
            ("removed", "removed links"),
            ("critical", "most critical left"),
            ("min_cut", "min cut after"),
            ("places", "places"),
            ("od", "origins and destinations"),
        )
    }
    if ctx.has_area:
        folium.GeoJson(
            ctx.area.__geo_interface__,
            name="occupied area",
            # weight 0: the layer's straight clipping edge must not read as a front line.
            style_function=lambda _: {"color": REMOVED, "weight": 0, "fillOpacity": 0.15},
        ).add_to(groups["area"])
    colors = {"removed": REMOVED, "min_cut": MIN_CUT, "critical": CRITICAL}
    for u, v, data in link_pairs(G):
        if data.get("mode") == "transfer":
            continue
        st = status[(u, v, data["key"])]
        folium.PolyLine(  # type: ignore[no-untyped-call]
            [[G.nodes[u]["y"], G.nodes[u]["x"]], [G.nodes[v]["y"], G.nodes[v]["x"]]],
            color=colors.get(st, "#555" if data.get("mode") == "road" else "#000"),
            weight=5 if st == "min_cut" else 3,
            dash_array="6 4" if data.get("mode") == "rail" else None,
            tooltip=html.escape(f"{edge_label(G, u, v, data['key'])} — {st}"),
        ).add_to(groups[st])
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
        ).add_to(groups["od" if st in ("origin", "destination") else "places"])
    for key, group in groups.items():
        if key != "area" or ctx.has_area:
            group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    root.html.add_child(folium.Element(_legend_html(res, ctx)))
    return stable_folium_html(root.render())


# --- the flow map --------------------------------------------------------------------------

#: Flow lines: colour, saturated-link colour, widest line (points) and thinnest carrying one.
FLOW_COLOR = "#1f77b4"
SATURATED = "#ff7f0e"
_FLOW_LW_MAX = 9.0
_FLOW_LW_MIN = 0.8


@dataclass(frozen=True)
class LinkFlow:
    """The min-cost maximum flow on one link after a scenario's removal.

    Attributes
    ----------
    u, v, key
        The link (its first-listed direction, as :func:`link_pairs` names it).
    mode
        ``road``, ``rail`` or ``transfer``.
    flow_t_per_day
        t/day in both directions together.
    saturated
        Whether a direction carries its full capacity.
    """

    u: Any
    v: Any
    key: Any
    mode: str
    flow_t_per_day: float
    saturated: bool


def link_flows(res: ScenarioResult) -> tuple[int, list[LinkFlow]] | None:
    """The maximum flow after the removal and the links that carry it.

    The min-cost maximum flow of :func:`resilience.analysis.flow.max_flow` from the
    scenario's origins to its destinations once the removal is applied: the tonnes per
    day the damaged network still carries to the front, on the fastest routes.

    Parameters
    ----------
    res
        The scenario result.

    Returns
    -------
    tuple or None
        The maximum flow (t/day) and one :class:`LinkFlow` per link carrying flow, in
        :func:`link_pairs` order; ``None`` when a link has no ``capacity_t_per_day``.
    """
    G = res.graph
    if any("capacity_t_per_day" not in d for _, _, d in G.edges(data=True)):
        return None
    from resilience.analysis.flow import max_flow  # noqa: PLC0415 - LP stack on demand

    result = max_flow(G, res.origins, res.destinations, removal=res.removal)
    saturated = set(result.saturated)
    out = []
    for u, v, data in link_pairs(G):
        k = data["key"]
        ways = [(u, v, k), (v, u, k)] if u != v else [(u, v, k)]
        carried = sum(result.flows.get(e, 0.0) for e in ways)
        if carried <= 0:
            continue
        out.append(
            LinkFlow(
                u,
                v,
                k,
                str(data.get("mode", "road")),
                round(carried, 1),
                any(e in saturated for e in ways),
            )
        )
    return result.value_t_per_day, out


def _flow_width(flow: float, most: float) -> float:
    return _FLOW_LW_MIN + (_FLOW_LW_MAX - _FLOW_LW_MIN) * flow / most if most > 0 else 0.0


def _round_t(value: float) -> float:
    """A round number of t/day at or below ``value`` for the legend's width samples."""
    step = 10 ** math.floor(math.log10(value))
    return float(max(m * step for m in (1, 2, 5) if m * step <= value))


def _flow_legend(links: list[LinkFlow], most: float, removed: bool, ctx: MapContext) -> list[Any]:
    """Width samples at round t/day, then one entry per other layer drawn."""
    from matplotlib.lines import Line2D  # noqa: PLC0415

    handles: list[Any] = []
    if most > 0:
        samples = sorted({_round_t(most), _round_t(most / 4)}, reverse=True)
        handles += [
            Line2D([], [], color=FLOW_COLOR, lw=_flow_width(t, most), label=f"{t:,.0f} t/day")
            for t in samples
        ]
    if any(f.saturated for f in links):
        handles.append(Line2D([], [], color=SATURATED, lw=3, label="saturated (at capacity)"))
    handles.append(Line2D([], [], color="#bbbbbb", lw=0.7, label="link without flow"))
    if removed:
        handles.append(Line2D([], [], color=REMOVED, lw=1.6, label="removed link"))
    return handles + _od_and_area_handles(ctx)


def _frame(
    res: ScenarioResult, ctx: MapContext
) -> tuple[Any, Any, tuple[float, float, float, float]]:
    """The figure, its axes and extent, with the occupied area drawn first (underneath)."""
    fig = figure(11, 8.2)
    ax = fig.add_subplot()
    extent = _extent(res.graph)
    if ctx.has_area:
        _draw_area(ax, ctx.area)
    return fig, ax, extent


def _draw_live_places(ax: Any, res: ScenarioResult) -> None:
    """Places still held, and the origins and destinations among them."""
    G, gone = res.graph, res.removal.nodes
    kept = [n for n in sorted(G.nodes, key=str) if n not in gone]
    ax.scatter([G.nodes[n]["x"] for n in kept], [G.nodes[n]["y"] for n in kept], s=6,
               color="#444", zorder=5)  # fmt: skip
    for nodes, color, marker in ((res.origins, ORIGIN, "^"), (res.destinations, DEST, "s")):
        live = [n for n in nodes if n not in gone]
        ax.scatter([G.nodes[n]["x"] for n in live], [G.nodes[n]["y"] for n in live], s=70,
                   marker=marker, color=color, edgecolor="white", zorder=7)  # fmt: skip


def _live_labels(res: ScenarioResult) -> list[tuple[str, float, float, str]]:
    """Name labels of the labelled places still held."""
    G = res.graph
    return [
        (str(G.nodes[n].get("name") or n), G.nodes[n]["x"], G.nodes[n]["y"], "#111")
        for n in _labelled(G)
        if n not in res.removal.nodes
    ]


def _finish(
    fig: Any,
    ax: Any,
    res: ScenarioResult,
    ctx: MapContext,
    extent: tuple[float, float, float, float],
    handles: list[Any],
    caption: str,
) -> bytes:
    """Legend, scale bar, north arrow, the caption and credits under it; the PNG."""
    fig.legend(handles=handles, loc="outside right upper", fontsize=7, framealpha=0.9)
    _scale_bar(ax, (extent[2] + extent[3]) / 2)
    _north_arrow(ax)
    # The caption is longer than the figure is wide: wrapped, not cut off.
    foot = [textwrap.fill(caption, 150), *map_credits(res.graph, ctx)]
    # These legends are narrower than map_png's: without the wider pad the constrained
    # layout let the latitude label fall off the left edge.
    fig.get_layout_engine().set(h_pad=0.1, w_pad=0.3)
    fig.supxlabel("\n".join(foot), fontsize=6.5, ha="left", x=0.01, color="#333")
    return png_bytes(fig)


def flow_map_png(res: ScenarioResult, ctx: MapContext | None = None) -> bytes | None:
    """The supply flow map: tonnes per day on each link after the scenario's removal.

    Line width by the t/day of the min-cost maximum flow (:func:`link_flows`), links
    that carry their full capacity drawn in the saturated colour, the network and the
    removed links underneath; legend with width samples, scale bar, north arrow, the
    analysis date and the credit of every dataset drawn, as on :func:`map_png`.

    Parameters
    ----------
    res
        The scenario result.
    ctx
        The occupied area and its layer date, or ``None``.

    Returns
    -------
    bytes or None
        The PNG; ``None`` when the network has no capacities.
    """
    flows = link_flows(res)
    if flows is None:
        return None
    value, links = flows
    G = res.graph
    ctx = ctx or MapContext()
    fig, ax, extent = _frame(res, ctx)
    status = edge_status(res)
    for u, v, data in link_pairs(G):
        if data.get("mode") == "transfer":
            continue
        xs, ys = [G.nodes[u]["x"], G.nodes[v]["x"]], [G.nodes[u]["y"], G.nodes[v]["y"]]
        gone = status[(u, v, data["key"])] == "removed"
        ax.plot(xs, ys, color=REMOVED if gone else "#bbbbbb", lw=1.6 if gone else 0.7, zorder=1)
    # Transfers are not drawn, so they do not set the width scale either.
    most = max((f.flow_t_per_day for f in links if f.mode != "transfer"), default=0.0)
    for f in links:
        if f.mode == "transfer":
            continue
        xs, ys = [G.nodes[f.u]["x"], G.nodes[f.v]["x"]], [G.nodes[f.u]["y"], G.nodes[f.v]["y"]]
        ax.plot(
            xs,
            ys,
            color=SATURATED if f.saturated else FLOW_COLOR,
            lw=_flow_width(f.flow_t_per_day, most),
            solid_capstyle="round",
            alpha=0.85,
            zorder=4 if f.saturated else 3,  # over a parallel link that has room left
        )
    _draw_live_places(ax, res)
    _graticule(ax, extent)
    ax.set_title(f"{_title(res, 80)} — {value:,} t/day reach the front", fontsize=10)
    place_labels(ax, _live_labels(res))
    handles = _flow_legend(links, most, "removed" in status.values(), ctx)
    return _finish(fig, ax, res, ctx, extent, handles, flow_caption(res, ctx))


def flow_caption(res: ScenarioResult, ctx: MapContext | None = None) -> str:
    """The caption under the flow map: what the widths mean, then :func:`map_caption`.

    Parameters
    ----------
    res
        The scenario result.
    ctx
        The occupied area drawn, if any.

    Returns
    -------
    str
        A few sentences.
    """
    return (
        "Line width: tonnes per day of the maximum flow from the origins to the "
        "destinations after the removal, routed at the least travel time (both directions "
        "together); saturated links carry their full capacity_t_per_day. " + map_caption(res, ctx)
    )


# --- the map of the worst set --------------------------------------------------------------


def _worst_legend(
    G: nx.MultiDiGraph[Any], inter: ScenarioInterdiction, removed: bool, ctx: MapContext
) -> list[Any]:
    from matplotlib.lines import Line2D  # noqa: PLC0415

    handles = _mode_handles(G)
    if removed:
        handles.append(Line2D([], [], color=REMOVED, lw=1.6, alpha=0.5, label="lost in scenario"))
    if len(inter.worst):
        handles.append(
            Line2D(
                [],
                [],
                color=WORST,
                lw=5,
                label=f"worst set, k ≤ {inter.k_max} ({len(inter.worst)} links, numbered)",
            )
        )
    return handles + _od_and_area_handles(ctx)


def worst_caption(inter: ScenarioInterdiction, res: ScenarioResult, ctx: MapContext | None) -> str:
    """The caption under the worst-set map: what is highlighted, then :func:`map_caption`.

    Parameters
    ----------
    inter
        The scenario's interdiction curve.
    res
        The scenario result.
    ctx
        The occupied area drawn, if any.

    Returns
    -------
    str
        A few sentences.
    """
    if inter.flat_reason:
        head = f"No worst set: {inter.flat_reason}."
    else:
        head = (
            f"Highlighted and numbered: the {len(inter.worst)} links whose joint loss, after "
            f"the scenario's own, cuts the deliverable flow most "
            f"({inter.before_t_per_day:,.0f} → {inter.after_t_per_day:,.0f} t/day)"
            + (" — best found within the time limit, not proven optimal." if inter.limited else ".")
        )
    return f"{head} {map_caption(res, ctx)}"


def worst_map_png(
    res: ScenarioResult, inter: ScenarioInterdiction, ctx: MapContext | None = None
) -> bytes:
    """The map of the worst set: the ``K`` links whose joint loss hurts supply most.

    The network after the scenario's losses (lost links faint red), the worst set of
    the interdiction curve's largest ``k`` drawn thick and labelled with its number and
    ref (or name), origins and destinations; legend, scale bar, north arrow, the
    analysis date and the credit of every dataset drawn, as on :func:`map_png`.

    Parameters
    ----------
    res
        The scenario result.
    inter
        Its interdiction curve (:func:`resilience.reports.interdiction.scenario_interdiction`).
    ctx
        The occupied area and its layer date, or ``None``.

    Returns
    -------
    bytes
        The PNG.
    """
    G = res.graph
    ctx = ctx or MapContext()
    fig, ax, extent = _frame(res, ctx)
    status = edge_status(res)
    for u, v, data in link_pairs(G):
        mode = data.get("mode", "road")
        if mode == "transfer":
            continue
        xs, ys = [G.nodes[u]["x"], G.nodes[v]["x"]], [G.nodes[u]["y"], G.nodes[v]["y"]]
        if status[(u, v, data["key"])] == "removed":
            ax.plot(xs, ys, color=REMOVED, lw=1.6, alpha=0.5, zorder=1)
        else:
            ax.plot(xs, ys, zorder=1, **MODE_STYLE.get(mode, MODE_STYLE["road"]))
    labels: list[tuple[str, float, float, str]] = []
    for i, row in enumerate(inter.worst.to_dict("records"), start=1):
        ux, uy, vx, vy = (float(row[c]) for c in ("u_x", "u_y", "v_x", "v_y"))
        # A transfer joins a town to its station a few hundred metres away: a dot shows it.
        ax.plot([ux, vx], [uy, vy], color=WORST, lw=5, solid_capstyle="round", marker="o",
                ms=4, zorder=6)  # fmt: skip
        ref = str(row["ref"])
        tag = ref.split(";", maxsplit=1)[0] if ref else f"{row['u_label']}–{row['v_label']}"
        labels.append((f"{i} {tag} ({row['mode']})", (ux + vx) / 2, (uy + vy) / 2, WORST))
    _draw_live_places(ax, res)
    _graticule(ax, extent)
    if inter.flat_reason:
        head = f"{res.scenario.name}: nothing deliverable — no worst set"
    else:
        head = (
            f"{res.scenario.name}: the worst {len(inter.worst)} further link losses "
            f"(k ≤ {inter.k_max}) — "
            f"{inter.before_t_per_day:,.0f} → {inter.after_t_per_day:,.0f} t/day"
        )
    ax.set_title(head, fontsize=10)
    # The worst links' labels first: they win the free spots around their lines.
    place_labels(ax, labels + _live_labels(res))
    handles = _worst_legend(G, inter, "removed" in status.values(), ctx)
    return _finish(fig, ax, res, ctx, extent, handles, worst_caption(inter, res, ctx))
