"""The embedded default region, built from the human-readable files in ``graphs/<region>/``.

The files are ``region.toml`` (speeds, detour factors, transfer cost, default origins and
destinations), ``places.csv`` (towns and rail stations), ``links.csv`` (two-way road and
rail links) and ``corridors.geojson`` (named corridors). ``graphs/README.md`` documents
them. The result is an osmnx-style :class:`networkx.MultiDiGraph`, so every analysis runs
unchanged on it and on real OpenStreetMap graphs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from resilience import settings
from resilience._geo import haversine_m
from resilience._toml import read_toml
from resilience.capacity import CAPACITY, assign_capacities
from resilience.errors import BadGraphError

__all__ = ["Place", "load_places", "load_region"]

_ROAD_KINDS = frozenset({"city", "town", "village"})
_RAIL_KINDS = frozenset({"station", "junction"})
_PLACE_COLUMNS = ("id", "name", "name_uk", "aliases", "lat", "lon", "kind", "place")
_LINK_COLUMNS = ("source", "target", "mode", "class", "ref", "name")


@dataclass(frozen=True)
class Place:
    """A named place of the embedded gazetteer.

    Attributes
    ----------
    id
        Slug, also the node id in the embedded graph.
    name, name_uk
        English and Ukrainian names.
    aliases
        Other names (Russian, Soviet-era, transliterations).
    lat, lon
        WGS84 position in decimal degrees.
    kind
        ``city``, ``town``, ``village``, ``station`` or ``junction``.
    place
        For a station: the id of the town it serves, else ``""``.
    """

    id: str
    name: str
    name_uk: str
    aliases: tuple[str, ...]
    lat: float
    lon: float
    kind: str
    place: str

    @property
    def mode(self) -> str:
        """``road`` for settlements, ``rail`` for stations and junctions."""
        return "rail" if self.kind in _RAIL_KINDS else "road"

    @property
    def radius_m(self) -> float:
        """Radius used to find this place's nodes in a graph that lacks its id."""
        return {"city": 6000.0, "town": 3000.0, "village": 1500.0}.get(self.kind, 800.0)


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        msg = f"embedded region file missing: {path}"
        raise BadGraphError(msg)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                msg = f"{path.name}: missing column(s) {', '.join(missing)}"
                raise BadGraphError(msg)
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except UnicodeDecodeError as exc:
        msg = f"{path.name}: not UTF-8 text (byte {exc.start})"
        raise BadGraphError(msg) from None


def load_places(region: str | Path = settings.DEFAULT_REGION) -> dict[str, Place]:
    """Read the gazetteer of an embedded region.

    Parameters
    ----------
    region
        Region name under ``graphs/`` or a path to a region folder.

    Returns
    -------
    dict
        Places by id, in file order.

    Raises
    ------
    BadGraphError
        If the file is missing, a column is missing, a coordinate is not a number,
        a kind is unknown or an id repeats.
    """
    folder = _region_folder(region)
    places: dict[str, Place] = {}
    for line, row in enumerate(_read_csv(folder / "places.csv", _PLACE_COLUMNS), start=2):
        pid = row["id"]
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            msg = f"places.csv line {line}: lat/lon of {pid!r} is not a number"
            raise BadGraphError(msg) from None
        if row["kind"] not in _ROAD_KINDS | _RAIL_KINDS:
            msg = f"places.csv line {line}: unknown kind {row['kind']!r} for {pid!r}"
            raise BadGraphError(msg)
        if pid in places:
            msg = f"places.csv line {line}: id {pid!r} repeats"
            raise BadGraphError(msg)
        aliases = tuple(a.strip() for a in row["aliases"].split(";") if a.strip())
        places[pid] = Place(
            pid, row["name"], row["name_uk"], aliases, lat, lon, row["kind"], row["place"]
        )
    for p in places.values():
        if p.place and p.place not in places:
            msg = f"places.csv: {p.id!r} serves unknown place {p.place!r}"
            raise BadGraphError(msg)
    return places


def _region_folder(region: str | Path) -> Path:
    folder = Path(region) if isinstance(region, Path) else settings.region_dir(region)
    if not folder.is_dir():
        msg = f"no embedded region at {folder}"
        raise BadGraphError(msg)
    return folder


def _read_config(folder: Path) -> dict[str, Any]:
    path = folder / "region.toml"
    return read_toml(
        path, BadGraphError, label=path.name, missing=f"embedded region file missing: {path}"
    )


def load_region(region: str | Path = settings.DEFAULT_REGION) -> nx.MultiDiGraph[Any]:
    """Build the embedded region into an osmnx-style multimodal graph.

    Node attributes: ``x`` (lon), ``y`` (lat), ``name``, ``name_uk``, ``aliases``
    (``;``-joined), ``kind``, ``place``, ``mode``. Edge attributes: ``length`` (m,
    great-circle length times the detour factor), ``travel_time`` (s), ``speed_kph``,
    ``mode`` (``road``, ``rail`` or ``transfer``), ``highway`` or ``railway`` and
    ``usage``, ``ref``, ``name``. Every link is two-way; each station is joined to
    the town it serves by a pair of ``transfer`` edges.

    Parameters
    ----------
    region
        Region name under ``graphs/`` or a path to a region folder.

    Returns
    -------
    networkx.MultiDiGraph
        The graph; ``G.graph`` holds ``name``, ``crs``, ``origins``, ``destinations``.

    Raises
    ------
    BadGraphError
        If a file is missing or malformed, a link names an unknown place, a class has
        no speed, or a link joins places of the wrong mode.

    Examples
    --------
    >>> G = load_region()
    >>> G.nodes["pokrovsk"]["name"]
    'Pokrovsk'
    """
    folder = _region_folder(region)
    config = _read_config(folder)
    places = load_places(folder)
    try:
        detour = {k: float(v) for k, v in config["detour"].items()}
        speeds = {k: float(v) for k, v in config["speed_kph"].items()}
        transfer_s = float(config["transfer"]["time_s"])
        transfer_m = float(config["transfer"]["length_m"])
        defaults = config["defaults"]
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"region.toml: missing or bad key {exc}"
        raise BadGraphError(msg) from None

    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(
        name=str(config.get("name", folder.name)),
        title=str(config.get("title", folder.name)),
        crs="epsg:4326",
        source="bundled",
        corridors_file=str(folder / "corridors.geojson"),
        origins=list(defaults.get("origins", [])),
        destinations=list(defaults.get("destinations", [])),
        capacity_table=dict(config.get("capacity", {})),
        demand_table=dict(config.get("demand", {})),
    )
    for p in places.values():
        G.add_node(
            p.id,
            x=p.lon,
            y=p.lat,
            name=p.name,
            name_uk=p.name_uk,
            aliases=";".join(p.aliases),
            kind=p.kind,
            place=p.place,
            mode=p.mode,
        )

    for line, row in enumerate(_read_csv(folder / "links.csv", _LINK_COLUMNS), start=2):
        _add_link(G, places, row, line, detour, speeds)

    for p in places.values():
        if p.place:
            for u, v in ((p.id, p.place), (p.place, p.id)):
                G.add_edge(
                    u,
                    v,
                    mode="transfer",
                    length=transfer_m,
                    travel_time=transfer_s,
                    name=f"{places[p.place].name} transfer",
                    ref="",
                    speed_kph=round(transfer_m / transfer_s * 3.6, 3),
                )

    # Occupation dates (lost_on.csv) and the region's reference date; see resilience/asof.py.
    _add_lost_on(G, folder, config)
    for key in ("origins", "destinations"):
        unknown = [n for n in G.graph[key] if n not in G]
        if unknown:
            msg = f"region.toml: default {key} name unknown place(s) {', '.join(unknown)}"
            raise BadGraphError(msg)
    # Capacities in t/day on every link and transfer (per-class defaults, the region's
    # [capacity] table, links.csv's capacity_t_per_day column); see resilience/capacity.py.
    assign_capacities(G)
    return G


def _add_link(
    G: nx.MultiDiGraph[Any],
    places: dict[str, Place],
    row: dict[str, str],
    line: int,
    detour: dict[str, float],
    speeds: dict[str, float],
) -> None:
    u, v, mode, cls = row["source"], row["target"], row["mode"], row["class"]
    for end in (u, v):
        if end not in places:
            msg = f"links.csv line {line}: unknown place {end!r}"
            raise BadGraphError(msg)
    if mode not in ("road", "rail") or places[u].mode != mode or places[v].mode != mode:
        msg = f"links.csv line {line}: a {mode!r} link must join two {mode} places ({u}, {v})"
        raise BadGraphError(msg)
    if cls not in speeds:
        msg = f"links.csv line {line}: class {cls!r} has no speed in region.toml"
        raise BadGraphError(msg)
    factor = float(row["detour"]) if row.get("detour") else detour[mode]
    pu, pv = places[u], places[v]
    length = haversine_m(pu.lat, pu.lon, pv.lat, pv.lon) * factor
    speed = speeds[cls]
    attrs: dict[str, Any] = {
        "mode": mode,
        "length": round(length, 1),
        "speed_kph": speed,
        "travel_time": round(length / (speed / 3.6), 1),
        "ref": row["ref"],
        "name": row["name"],
    }
    if mode == "road":
        attrs["highway"] = cls
    else:
        attrs["railway"] = "rail"
        attrs["usage"] = cls
    if row.get(CAPACITY):
        try:
            attrs[CAPACITY] = float(row[CAPACITY])
        except ValueError:
            msg = f"links.csv line {line}: {CAPACITY} {row[CAPACITY]!r} is not a number"
            raise BadGraphError(msg) from None
    G.add_edge(u, v, **attrs)
    G.add_edge(v, u, **attrs)


_LOST_ON_COLUMNS = ("element", "id", "source", "target", "mode", "lost_on", "occupied_before")


def _add_lost_on(G: nx.MultiDiGraph[Any], folder: Path, config: dict[str, Any]) -> None:
    """Put the shipped occupation dates on nodes and both directions of each link."""
    for key in ("reference_date", "lost_on_until"):
        if config.get(key):
            G.graph[key] = str(config[key])
    path = folder / "lost_on.csv"
    if not path.is_file():
        return
    G.graph["lost_on_source"] = str(
        config.get("lost_on_source") or f"DeepStateMap, dates shipped in {folder.name}/lost_on.csv"
    )
    for line, row in enumerate(_read_csv(path, _LOST_ON_COLUMNS), start=2):
        attrs = {k: row[k] for k in ("lost_on", "occupied_before", "grey_from") if row.get(k)}
        if row["element"] == "place":
            if row["id"] not in G:
                msg = f"lost_on.csv line {line}: unknown place {row['id']!r}"
                raise BadGraphError(msg)
            G.nodes[row["id"]].update(attrs)
            continue
        u, v, mode = row["source"], row["target"], row["mode"]
        edges = [
            d
            for a, b in ((u, v), (v, u))
            if G.has_edge(a, b)
            for d in G[a][b].values()
            if d.get("mode") == mode
        ]
        if not edges:
            msg = f"lost_on.csv line {line}: no {mode} link {u}–{v} in links.csv"
            raise BadGraphError(msg)
        for d in edges:
            d.update(attrs)
