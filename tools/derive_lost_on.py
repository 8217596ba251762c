# ruff: noqa: INP001 - a maintainer's script run from the project root, not a package
"""Derive ``graphs/<region>/lost_on.csv`` from the DeepState front-line layers.

For every place and every link of the embedded region, the day on which DeepStateMap first
shows it inside the occupied area *for good* (``lost_on``: inside on every later layer day
up to the last one), the earlier periods it spent inside and then left (``occupied_before``)
and the day from which the older layer shows it contested or occupied (``grey_from``).

Usage (from the project root, with ``../shared/data`` present)::

    .venv/bin/python tools/derive_lost_on.py            # writes graphs/pokrovsk/lost_on.csv
    .venv/bin/python tools/derive_lost_on.py --check    # exit 1 if the shipped file differs

How (see graphs/README.md, "Occupation dates"):

- Layers: ``deepstate-status-history-danielrose`` (2022-04-03 … 2025-08-03; categories
  ``occupied``, ``occupied_pre2022_ordlo``, ``unknown_grey``) and
  ``deepstate-occupied-daily-cyterat`` (2024-07-08 … 2026-08-22; ``occupied`` only, which
  already includes ORDLO and Crimea). Lost = occupied ∪ ORDLO on every layer
  (:func:`resilience.asof.lost_area`; a day without the ORDLO polygon uses the last one).
- A place is inside when its point lies in the area; a link when its straight course
  (the schematic stores no road geometry) touches it, its end places included.
- The two records are merged day by day: on a day both layers cover, an element is inside
  when either layer shows it inside, so ``lost_on`` is the earliest day the layers give.
  Places held since 2014 get the first day of the older layer (2022-04-03).
- ``layer`` names the layer(s) showing it inside on ``lost_on``; ``category`` the category
  of the area that held it then (``occupied_pre2022_ordlo`` where only the ORDLO polygon
  does).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from resilience import settings
from resilience.asof import lost_area, ordlo_area
from resilience.frontline import Frontline, load_frontline
from resilience.sources.bundled import load_region
from resilience.targets import area_targets

CYTERAT = (
    "deepstate-occupied-daily-cyterat",
    "deepstate_occupied_daily_2024-07-08_2026-08-22_clip.geojson.gz",
)
DANIELROSE = (
    "deepstate-status-history-danielrose",
    "deepstate_status_daily_2022-04-03_2025-08-03_clip.geojson.gz",
)
LAYERS = {"danielrose": DANIELROSE, "cyterat": CYTERAT}
COLUMNS = (
    "element",
    "id",
    "source",
    "target",
    "mode",
    "lost_on",
    "layer",
    "category",
    "occupied_before",
    "grey_from",
)

Key = tuple[str, ...]  # ("place", id) or ("link", source, target, mode)
Status = dict[dt.date, frozenset[Key]]


def layer_path(name: str, data_dir: Path | None = None) -> Path:
    """The daily file of a shared DeepState layer."""
    folder, file = LAYERS[name]
    return (data_dir or settings.shared_data_dir()) / folder / file


def link_keys(G: nx.MultiDiGraph[Any]) -> dict[tuple[Any, Any, int], Key]:
    """Each road/rail edge of the region mapped to its links.csv row (both directions)."""
    rows = read_link_rows()
    by_pair = {(frozenset((s, t)), m): (s, t, m) for s, t, m in rows}
    out: dict[tuple[Any, Any, int], Key] = {}
    for u, v, k, mode in G.edges(keys=True, data="mode"):
        if mode in ("road", "rail"):
            s, t, m = by_pair[(frozenset((u, v)), str(mode))]
            out[(u, v, k)] = ("link", s, t, m)
    return out


def read_link_rows() -> list[tuple[str, str, str]]:
    """``(source, target, mode)`` of every link, in file order."""
    path = settings.region_dir() / "links.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["source"], r["target"], r["mode"]) for r in csv.DictReader(fh)]


def inside(
    G: nx.MultiDiGraph[Any], edge_key: dict[tuple[Any, Any, int], Key], area: Any
) -> frozenset[Key]:
    """Places in ``area`` and links whose course (end places included) touches it."""
    nodes, edges = area_targets(G, area)
    hit: set[Key] = {("place", str(n)) for n in nodes}
    for e, key in edge_key.items():
        if e in edges or e[0] in nodes or e[1] in nodes:
            hit.add(key)
    return frozenset(hit)


def layer_status(
    G: nx.MultiDiGraph[Any],
    front: Frontline,
    *,
    area: Callable[[Frontline, dt.date], Any],
    log: Callable[[str], None] = lambda _: None,
) -> Status:
    """The elements inside ``area(front, day)`` on every day of the layer."""
    edge_key = link_keys(G)
    out: Status = {}
    for i, day in enumerate(front.dates):
        out[day] = inside(G, edge_key, area(front, day))
        if i % 200 == 0:
            log(f"  {front.path.name}: {day} ({i + 1}/{len(front.dates)})")
    return out


def held_since(days: list[dt.date], record: dict[dt.date, bool]) -> tuple[dt.date | None, list]:
    """The first day of the stretch inside that lasts to the end, and earlier stretches.

    Returns ``(since, periods)``: ``since`` is ``None`` when outside on the last day;
    ``periods`` are ``(start, end)`` stretches that ended, ``end`` the first day seen out.
    """
    periods: list[tuple[dt.date, dt.date]] = []
    start: dt.date | None = None
    for day in days:
        if record[day] and start is None:
            start = day
        elif not record[day] and start is not None:
            periods.append((start, day))
            start = None
    return start, periods


def derive(
    data_dir: Path | None = None, log: Callable[[str], None] = print
) -> list[dict[str, str]]:
    """Compute the rows of ``lost_on.csv`` from both layers."""
    G = load_region()
    fronts = {name: load_frontline(layer_path(name, data_dir)) for name in LAYERS}
    lost = {name: layer_status(G, f, area=lost_area, log=log) for name, f in fronts.items()}
    dr = fronts["danielrose"]
    ordlo = layer_status(G, dr, area=ordlo_area, log=log)
    grey = layer_status(G, dr, area=lambda fr, d: lost_area(fr, d, grey=True), log=log)

    days = sorted(set(lost["danielrose"]) | set(lost["cyterat"]))
    elements: list[Key] = [("place", str(n)) for n in G.nodes]
    elements += [("link", s, t, m) for s, t, m in read_link_rows()]
    dr_days = sorted(lost["danielrose"])
    rows = []
    for key in elements:
        record = {d: any(key in lost[name].get(d, frozenset()) for name in LAYERS) for d in days}
        since, periods = held_since(days, record)
        layer = category = ""
        if since is not None:
            showing = [name for name in LAYERS if key in lost[name].get(since, frozenset())]
            layer = "+".join(showing)
            only_ordlo = "danielrose" in showing and key in ordlo[since]
            category = "occupied_pre2022_ordlo" if only_ordlo else "occupied"
        grey_since, _ = held_since(dr_days, {d: key in grey[d] for d in dr_days})
        grey_from = ""
        if grey_since is not None and (since is None or grey_since < since):
            grey_from = grey_since.isoformat()
        rows.append(
            {
                "element": key[0],
                "id": key[1] if key[0] == "place" else "",
                "source": key[1] if key[0] == "link" else "",
                "target": key[2] if key[0] == "link" else "",
                "mode": key[3] if key[0] == "link" else "",
                "lost_on": since.isoformat() if since else "",
                "layer": layer,
                "category": category,
                "occupied_before": ";".join(f"{s}/{e}" for s, e in periods),
                "grey_from": grey_from,
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    """The file's text (LF line ends, fixed column order)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or ``--check``) the region's lost_on.csv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file")
    parser.add_argument("--data", type=Path, default=None, help="shared data folder")
    args = parser.parse_args(argv)
    for name in LAYERS:
        if not layer_path(name, args.data).is_file():
            print(f"missing layer {layer_path(name, args.data)}", file=sys.stderr)
            return 2
    text = to_csv(derive(args.data, log=lambda m: print(m, file=sys.stderr)))
    target = settings.region_dir() / "lost_on.csv"
    if args.check:
        same = target.is_file() and target.read_text(encoding="utf-8") == text
        print("lost_on.csv is up to date" if same else "lost_on.csv differs from the layers")
        return 0 if same else 1
    tmp = target.with_suffix(".csv.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    print(f"wrote {target} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
