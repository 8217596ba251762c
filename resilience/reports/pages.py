"""Report pages: one list of blocks per page, rendered to both Markdown and HTML.

A page is a title and a sequence of blocks (text, heading, table, image, links). Each block
knows its Markdown and its HTML form, so the two files of a page cannot drift apart. The
HTML is one self-contained file: charts are embedded as PNG data URIs.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from resilience.columns import dictionary_frame
from resilience.provenance import Provenance
from resilience.reports.interdiction import ScenarioInterdiction, statement
from resilience.reports.maps import (
    MapContext,
    flow_caption,
    map_caption,
    map_credits,
    worst_caption,
)
from resilience.scenario import ScenarioResult, compare

__all__ = [
    "Block",
    "Heading",
    "Image",
    "Links",
    "Markup",
    "Page",
    "ProvenanceBlock",
    "Table",
    "Text",
    "compare_page",
    "index_page",
    "markdown_table",
    "scenario_page",
    "scenario_summary",
    "timeline_page",
]

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;margin:1em 0;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}"
    "img{max-width:100%}code{background:#f3f3f3;padding:0 .2em}"
)


# --------------------------------------------------------------------------- tables


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


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text."""

    text: str

    def markdown(self) -> str | None:
        """The Markdown form."""
        return self.text

    def html(self) -> str | None:
        """The HTML form."""
        return f"<p>{html.escape(self.text)}</p>"


@dataclass(frozen=True)
class Heading:
    """A section heading (level 2)."""

    title: str

    def markdown(self) -> str | None:
        """The Markdown form."""
        return f"## {self.title}"

    def html(self) -> str | None:
        """The HTML form."""
        return f"<h2>{html.escape(self.title)}</h2>"


@dataclass(frozen=True)
class Table:
    """A table (``(none)`` when empty)."""

    frame: pd.DataFrame

    def markdown(self) -> str | None:
        """The Markdown form."""
        return markdown_table(self.frame)

    def html(self) -> str | None:
        """The HTML form."""
        return _html_table(self.frame)


@dataclass(frozen=True)
class Image:
    """A PNG chart: linked from Markdown by file name, embedded in HTML as a data URI."""

    png: bytes
    file: str
    alt: str

    def markdown(self) -> str | None:
        """The Markdown form."""
        return f"![{self.alt}]({self.file})"

    def html(self) -> str | None:
        """The HTML form."""
        data = base64.b64encode(self.png).decode("ascii")
        return f'<p><img alt="{html.escape(self.alt)}" src="data:image/png;base64,{data}"></p>'


@dataclass(frozen=True)
class Links:
    """A list of links to sub-reports, each ``(text, folder)``: to its ``index.md``/``.html``."""

    items: tuple[tuple[str, str], ...]

    def markdown(self) -> str | None:
        """The Markdown form."""
        return "\n".join(f"- [{text}]({folder}/index.md)" for text, folder in self.items)

    def html(self) -> str | None:
        """The HTML form."""
        items = "".join(
            f'<li><a href="{folder}/index.html">{html.escape(text)}</a></li>'
            for text, folder in self.items
        )
        return f"<ul>{items}</ul>"


@dataclass(frozen=True)
class Markup:
    """Text written by hand per format; ``None`` leaves the block out of that format."""

    md: str | None
    html_text: str | None

    def markdown(self) -> str | None:
        """The Markdown form."""
        return self.md

    def html(self) -> str | None:
        """The HTML form."""
        return self.html_text


@dataclass(frozen=True)
class ProvenanceBlock:
    """What produced the page (see :class:`resilience.provenance.Provenance`)."""

    prov: Provenance

    def markdown(self) -> str | None:
        """The Markdown form."""
        return "**Provenance**\n\n" + "\n".join(self.prov.lines())

    def html(self) -> str | None:
        """The HTML form."""
        items = "".join(
            f"<li>{html.escape(line[2:]).replace('`', '')}</li>" for line in self.prov.lines()
        )
        return f'<section class="provenance"><strong>Provenance</strong><ul>{items}</ul></section>'


Block = Text | Heading | Table | Image | Links | Markup | ProvenanceBlock

#: Tables whose first column names measures: their rows are listed in the dictionary too.
_ROW_NAMED = ("measure", "metric")


def _shown_columns(blocks: Sequence[Block]) -> list[str]:
    names: list[str] = []
    for b in blocks:
        if isinstance(b, Table):
            names += [str(c) for c in b.frame.columns]
            if len(b.frame.columns) and b.frame.columns[0] in _ROW_NAMED:
                names += [str(v) for v in b.frame.iloc[:, 0]]
    return names


def _framed(title: str, prov: Provenance | None, blocks: Sequence[Block]) -> Page:
    """A page that starts with its provenance and ends with a dictionary of its columns."""
    head: list[Block] = [ProvenanceBlock(prov)] if prov is not None else []
    tail: list[Block] = []
    shown = _shown_columns(blocks)
    if shown:
        tail = [
            Heading("Columns"),
            Text("Unit and definition of each column and measure shown (docs/columns.md)."),
            Table(dictionary_frame(shown)),
        ]
    return Page(title, (*head, *blocks, *tail))


@dataclass(frozen=True)
class Page:
    """A titled list of blocks.

    Attributes
    ----------
    title
        The page title (Markdown ``#`` heading, HTML ``<title>`` and ``<h1>``).
    blocks
        The content, in order.
    """

    title: str
    blocks: tuple[Block, ...]

    def markdown(self) -> str:
        """The page as Markdown: the title and the blocks separated by blank lines.

        Returns
        -------
        str
            The Markdown, without a final newline.
        """
        parts = [b.markdown() for b in self.blocks]
        return "\n\n".join([f"# {self.title}", *(p for p in parts if p is not None)])

    def html(self) -> str:
        """The page as one self-contained HTML document.

        Returns
        -------
        str
            The HTML, ending in a newline.
        """
        parts = [b.html() for b in self.blocks]
        body = "\n".join(p for p in parts if p is not None)
        title = html.escape(self.title)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{_CSS}</style></head>\n"
            f"<body>\n<h1>{title}</h1>\n{body}\n</body></html>\n"
        )


# --------------------------------------------------------------------------- pages


_LAYERS_TEXT = (
    "edges (links as lines with status), nodes (places as points), network_after (the "
    "damaged network), routes (one line per supply pair before and after, with times) and, "
    "for a front-line scenario, occupied_area (polygons with the layer date) and, when "
    "the network has capacities, worst_links (the worst set of the interdiction curve)"
)


def scenario_summary(res: ScenarioResult) -> pd.DataFrame:
    """A scenario's row of the comparison table as ``measure``/``value`` rows.

    Parameters
    ----------
    res
        The scenario result.

    Returns
    -------
    pandas.DataFrame
        One row per measure.
    """
    row = compare([res]).iloc[0]
    return pd.DataFrame({"measure": list(row.index[1:]), "value": [row[c] for c in row.index[1:]]})


def _critical_view(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["rank", "label", "mode", "betweenness"]].assign(
        betweenness=frame["betweenness"].round(4)
    )


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def _interdiction_blocks(
    res: ScenarioResult,
    inter: ScenarioInterdiction,
    curve_png: bytes,
    worst_png: bytes,
    ctx: MapContext | None,
) -> list[Block]:
    """The interdiction section: what is asked, the curve, its table, the worst-set map."""
    k = inter.k_max
    as_of = res.graph.graph.get("as_of")
    date = f" as of {as_of}" if as_of else ""
    intro = (
        f"Which k links, lost together on top of this scenario's losses, cut supply most? "
        f"On the network this page reports on (the network{date} with the scenario's "
        f"removal applied), for k = 0..{k} (K = {k}: each k takes well under a second to "
        "prove on the embedded region, so the report build stays short), the set of at "
        "most k links (a two-way link is one) whose joint loss leaves the least deliverable "
        "flow from the origins to the destinations (maximum flow over capacity_t_per_day, "
        "t/day), solved exactly as one mixed-integer program (Wood 1993; HiGHS through "
        "scipy.optimize.milp), beside the top k links of the single-link scan lost "
        "together (same measure). Ties between equally damaging sets go to the fewest "
        "links, then to the links worst alone; a set's links are listed worst-alone first "
        "(single_rank). On the intact network "
        "the same question is `resilience interdict --k K --objective flow`."
    )
    curve = inter.curve.copy()
    view = curve.assign(
        worst_set=curve["worst_set"].replace("", "–"),
        top_singles_set=curve["top_singles_set"].replace("", "–"),
        solver_status=curve["solver_status"].replace("", "–"),
    )
    notes = [worst_caption(inter, res, ctx), *map_credits(res.graph, ctx)]
    blocks: list[Block] = [
        Heading(f"Worst k further losses (interdiction curve, k = 0..{k})"),
        Text(intro),
        Text(statement(inter)),
        Image(curve_png, "interdiction.png", "interdiction curve"),
        Table(view),
        Heading(f"Map of the worst set (k = {k})"),
        Image(worst_png, "worst_map.png", "worst set map"),
        Text("Worst-set map: " + " ".join(_sentence(n) for n in notes)),
    ]
    if len(inter.worst):
        from resilience.reports.interdiction import WORST_COLUMNS  # noqa: PLC0415

        blocks.append(Table(inter.worst[WORST_COLUMNS]))
    return blocks


def scenario_page(
    res: ScenarioResult,
    summary: pd.DataFrame,
    map_png: bytes,
    detours_png: bytes,
    prov: Provenance | None = None,
    ctx: MapContext | None = None,
    flow_png: bytes | None = None,
    *,
    interdiction: ScenarioInterdiction | None = None,
    curve_png: bytes | None = None,
    worst_png: bytes | None = None,
) -> Page:
    """A scenario's page: what was removed, the map, its tables and the detour chart.

    Parameters
    ----------
    res
        The scenario result.
    summary
        :func:`scenario_summary` of ``res``.
    map_png, detours_png
        The static map and the detour chart.
    prov
        What produced it, shown first (none: no provenance block).
    ctx
        The occupied area drawn on the map (for the caption).
    flow_png
        The supply flow map (t/day per link after the removal), shown after the
        summary; ``None``: none (the network has no capacities).
    interdiction, curve_png, worst_png
        The interdiction curve (:func:`resilience.reports.interdiction.scenario_interdiction`),
        its chart and the map of its worst set, shown after the tables; ``None``: none.

    Returns
    -------
    Page
        The page.
    """
    sc = res.scenario
    removed = ", ".join(res.removal.labels) or "nothing (baseline)"
    facts = (
        f"Removed: {removed} — {len(res.removal.nodes)} node(s), "
        f"{len(res.removal.edges)} further link(s)."
    )
    if res.graph.graph.get("as_of"):  # the baseline is the network on that day
        facts += (
            f" Baseline: the network as of {res.graph.graph['as_of']} "
            f"(occupation: {res.graph.graph.get('as_of_layer', '')})."
        )
    if res.already_lost:
        facts += f" Already lost by then: {', '.join(res.already_lost)}."
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
    footer = Markup(
        "Interactive map: [map.html](map.html) (Leaflet and OpenStreetMap tiles from the web; "
        "offline it shows the layers on a plain background).\n"
        f"GIS layers (EPSG:4326): `layers.gpkg` — {_LAYERS_TEXT}. Tables: CSV and Parquet.",
        '<p>Interactive map: <a href="map.html">map.html</a> (loads Leaflet and '
        "OpenStreetMap tiles from the web; offline it shows the layers on a plain background). "
        f"GIS layers (EPSG:4326): <code>layers.gpkg</code> — {html.escape(_LAYERS_TEXT)}.</p>",
    )
    notes = [map_caption(res, ctx), *map_credits(res.graph, ctx)]
    caption = Text("Map: " + " ".join(n if n.endswith(".") else n + "." for n in notes))
    blocks: list[Block] = [
        Text(sc.description),
        Text(facts),
        Image(map_png, "map.png", "map"),
        caption,
    ]
    for title, frame in sections:
        blocks += [Heading(title), Table(frame)]
        if flow_png is not None and title == "Summary":
            flow_notes = [flow_caption(res, ctx), *map_credits(res.graph, ctx)]
            blocks += [
                Heading("Supply flow after the loss (t/day per link)"),
                Image(flow_png, "flow.png", "supply flow map"),
                Text("Flow map: " + " ".join(_sentence(n) for n in flow_notes)),
            ]
    if interdiction is not None and curve_png is not None and worst_png is not None:
        blocks += _interdiction_blocks(res, interdiction, curve_png, worst_png, ctx)
    blocks += [Image(detours_png, "detours.png", "detours"), footer]
    return _framed(f"Scenario: {sc.name}", prov, blocks)


def compare_page(
    table: pd.DataFrame,
    descriptions: Mapping[str, str],
    png: bytes,
    prov: Provenance | None = None,
) -> Page:
    """The side-by-side comparison page.

    Parameters
    ----------
    table
        The output of :func:`resilience.scenario.compare`.
    descriptions
        Scenario name to description, listed under the table.
    png
        The comparison chart.
    prov
        What produced it, shown first.

    Returns
    -------
    Page
        The page.
    """
    desc = pd.DataFrame({"scenario": list(descriptions), "models": list(descriptions.values())})
    blocks: tuple[Block, ...] = (
        Table(table),
        Image(png, "compare.png", "comparison"),
        Heading("What each scenario models"),
        Table(desc),
    )
    return _framed("Scenarios compared", prov, blocks)


def timeline_page(
    frame: pd.DataFrame, source: str, png: bytes, prov: Provenance | None = None
) -> Page:
    """The front-line timeline page.

    Parameters
    ----------
    frame
        The output of :func:`resilience.frontline.timeline`.
    source
        A line naming the front-line file and categories.
    png
        The timeline chart.
    prov
        What produced it, shown first.

    Returns
    -------
    Page
        The page.
    """
    blocks: tuple[Block, ...] = (Text(source), Image(png, "timeline.png", "timeline"), Table(frame))
    return _framed("Front-line timeline", prov, blocks)


def index_page(
    names: Sequence[str],
    has_timeline: bool,
    skipped: Mapping[str, str],
    prov: Provenance | None = None,
) -> Page:
    """The reports' index: links to every part, and (in Markdown) the parts not regenerated.

    Parameters
    ----------
    names
        Scenario names, in order.
    has_timeline
        Whether the timeline was written.
    skipped
        Part to the reason it was not regenerated.
    prov
        What produced it, shown first.

    Returns
    -------
    Page
        The page.
    """
    items = [("Scenarios compared", "compare")]
    if has_timeline:
        items.append(("Front-line timeline", "timeline"))
    items += [(name, f"scenarios/{name}") for name in names]
    blocks: list[Block] = [Links(tuple(items))]
    if skipped:
        # Only the Markdown index (read in the repository) says what this run left alone.
        reasons = "\n".join(f"- `{k}`: {v}" for k, v in sorted(skipped.items()))
        blocks += [Markup("Not regenerated here:", None), Markup(reasons, None)]
    blocks.append(
        Markup(
            "Column units and definitions: `docs/columns.md` in the repository.",
            "<p>Column units and definitions: <code>docs/columns.md</code> in the repository.</p>",
        )
    )
    return _framed("Resilience reports", prov, blocks)
