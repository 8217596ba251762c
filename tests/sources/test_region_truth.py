"""Truth tests for the embedded Pokrovsk region (graphs/pokrovsk).

The CSVs are read with the stdlib ``csv`` module and checked against the shared public
reference layers (OSM station points, DCW-lineage railway lines) in ``../shared/data``.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely import STRtree
from shapely.geometry import LineString, Point, shape

REPO = Path(__file__).resolve().parents[2]
REGION = REPO / "graphs" / "pokrovsk"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
STATIONS_JSON = SHARED / "ukraine-rail-stations-osm-njfinney" / "ukraine_stations_osm.json"
RAIL_LINES = SHARED / "ukraine-railroads-dcw-jamyspencer" / "railroads_window_clip.geojson"

ROAD_KINDS = {"city", "town", "village"}
RAIL_KINDS = {"station", "junction"}
ROAD_CLASSES = {"motorway", "trunk", "primary", "secondary", "tertiary"}
RAIL_CLASSES = {"main", "branch"}
NOT_IN_DCW = "not-in-dcw"

MANDATORY = [
    "dnipro", "pavlohrad", "mezhova", "pokrovsk", "myrnohrad", "rodynske", "dobropillia",
    "bilozerske", "druzhkivka", "kramatorsk", "sloviansk", "kostiantynivka", "chasiv-yar",
    "toretsk", "selydove", "novohrodivka", "hrodivka", "ocheretyne", "avdiivka", "kurakhove",
    "udachne", "kotlyne", "shevchenko", "novopavlivka", "velyka-novosilka", "vuhledar",
    "zaporizhzhia", "donetsk", "horlivka", "bakhmut", "barvinkove", "izium", "lozova",
]  # fmt: skip

STATION_MAX_M = 300.0  # station row vs its OSM point
TOWN_STATION_MAX_M = 6_000.0  # town centre vs the station that serves it
LINE_MAX_M = 3_000.0  # station vs nearest DCW line (layer is ~1 km accurate)
SNAP_M = 50.0  # vertex / T-junction snapping when building the line graph
RATIO_MIN, RATIO_MAX = 0.9, 2.5  # path along the lines vs straight line
ROAD_LINK_MAX_M = 80_000.0

pytestmark = pytest.mark.shared_data


# ---------------------------------------------------------------- helpers


def _read(name: str) -> list[dict[str, str]]:
    with (REGION / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def places() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in _read("places.csv")}


@cache
def links() -> list[dict[str, str]]:
    return _read("links.csv")


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"shared reference data absent: {path}")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _ll(row: dict[str, str]) -> tuple[float, float]:
    return float(row["lat"]), float(row["lon"])


_CYR = dict(
    zip(
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэё",
        [
            "a",
            "b",
            "v",
            "h",
            "g",
            "d",
            "e",
            "ie",
            "zh",
            "z",
            "y",
            "i",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "iu",
            "ia",
            "y",
            "e",
            "e",
        ],
        strict=True,
    )
)


def norm(text: str) -> str:
    """Lower-case, transliterate Cyrillic, drop everything but letters and digits."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = "".join(_CYR.get(c, c) for c in text).replace("_", "")
    out = unicodedata.normalize("NFKD", out).encode("ascii", "ignore").decode()
    out = out.replace("kh", "h").replace("g", "h").replace("y", "i").replace("j", "i")
    return re.sub(r"[^a-z0-9]", "", out)


def names_match(ours: list[str], theirs: list[str]) -> bool:
    a = [norm(x) for x in ours if x.strip()]
    b = [norm(x) for x in theirs if x and x.strip()]
    for x in a:
        for y in b:
            if not x or not y:
                continue
            if x in y or y in x or SequenceMatcher(None, x, y).ratio() >= 0.75:
                return True
    return False


# UTM zone 37N via pyproj; the line graph is built in metres.
@cache
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)


def _read_lines(path: Path) -> list[np.ndarray]:
    """Every (multi)line part of the layer as an (n, 2) array in UTM 37N metres."""
    tr = _transformer()
    gj = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for ft in gj["features"]:
        g = shape(ft["geometry"])
        for part in [g] if g.geom_type == "LineString" else list(g.geoms):
            xs, ys = tr.transform(*np.asarray(part.coords).T)
            lines.append(np.column_stack([xs, ys]))
    return lines


class LineGraph:
    """The DCW railway lines as a weighted graph (metres), with stations attached."""

    def __init__(self, path: Path) -> None:
        lines = _read_lines(path)
        allv = np.vstack(lines)
        parent = list(range(len(allv)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in cKDTree(allv).query_pairs(SNAP_M):
            a, b = find(int(i)), find(int(j))
            if a != b:
                parent[a] = b
        self.G = nx.Graph()
        self.segs: list[LineString] = []
        self.ends: list[tuple[int, int]] = []
        k = 0
        for arr in lines:
            ids = [find(k + i) for i in range(len(arr))]
            for i in range(len(arr) - 1):
                a, b = ids[i], ids[i + 1]
                if a != b:
                    self.G.add_edge(a, b, w=float(np.hypot(*(arr[i + 1] - arr[i]))))
                    self.G.nodes[a]["xy"] = tuple(arr[i])
                    self.G.nodes[b]["xy"] = tuple(arr[i + 1])
                    self.segs.append(LineString([arr[i], arr[i + 1]]))
                    self.ends.append((a, b))
            k += len(arr)
        self.tree = STRtree(self.segs)
        self.attached: dict[object, tuple[int, int]] = {}
        # T-junctions: a line end lying on the interior of another line's segment.
        for n in [n for n in self.G.nodes if self.G.degree(n) == 1]:
            self._link(n, self.G.nodes[n]["xy"], SNAP_M)

    def _link(self, key: object, xy: tuple[float, float], within: float | None) -> float:
        p = Point(xy)
        if within is None:
            cands = [int(self.tree.nearest(p))]
        else:
            cands = [int(i) for i in self.tree.query(p.buffer(within))]
        best = math.inf
        for i in cands:
            s = self.segs[i]
            a, b = self.ends[i]
            gap = s.distance(p)
            if key in (a, b) or (within is not None and gap > within):
                continue
            t = s.project(p)
            self.G.add_edge(key, a, w=t + gap * (within is not None))
            self.G.add_edge(key, b, w=s.length - t + gap * (within is not None))
            best = min(best, gap)
        return best

    def attach(self, key: str, lat: float, lon: float) -> tuple[float, tuple[float, float]]:
        """Attach a station at its nearest line point; return (offset m, snapped xy)."""
        x, y = _transformer().transform(lon, lat)
        p = Point(x, y)
        i = int(self.tree.nearest(p))
        s = self.segs[i]
        self.attached[key] = self.ends[i]
        q = s.interpolate(s.project(p))
        return self._link(key, (x, y), None), (q.x, q.y)


@cache
def osm_stations() -> dict[str, dict]:
    _need(STATIONS_JSON)
    data = json.loads(STATIONS_JSON.read_text(encoding="utf-8"))
    return {str(r["id"]): r for r in data}


@cache
def line_graph() -> tuple[LineGraph, dict[str, float], dict[str, tuple[float, float]]]:
    _need(RAIL_LINES)
    lg = LineGraph(RAIL_LINES)
    off, snapped = {}, {}
    for pid, row in places().items():
        if row["kind"] in RAIL_KINDS:
            off[pid], snapped[pid] = lg.attach(pid, *_ll(row))
    return lg, off, snapped


def rail_links() -> list[dict[str, str]]:
    return [lk for lk in links() if lk["mode"] == "rail"]


def _lid(lk: dict[str, str]) -> str:
    return f"{lk['source']}--{lk['target']}"


# ---------------------------------------------------------------- structure (no shared data)


def test_headers_exact() -> None:
    with (REGION / "places.csv").open(encoding="utf-8") as f:
        assert f.readline().strip() == (
            "id,name,name_uk,aliases,lat,lon,kind,place,osm_station_id,notes"
        )
    with (REGION / "links.csv").open(encoding="utf-8") as f:
        assert f.readline().strip() == (
            "source,target,mode,class,ref,name,detour,capacity_t_per_day,notes"
        )


def test_places_basic() -> None:
    rows = _read("places.csv")
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate place ids"
    for r in rows:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["id"]), r["id"]
        lat, lon = _ll(r)
        assert 47.5 <= lat <= 49.5, r["id"]
        assert 34.5 <= lon <= 39.0, r["id"]
        assert r["kind"] in ROAD_KINDS | RAIL_KINDS, r["id"]
        if r["kind"] in ROAD_KINDS:
            assert not r["place"], f"{r['id']}: towns carry no place"
            assert not r["osm_station_id"], f"{r['id']}: only station rows carry osm ids"
        elif r["place"]:
            assert places()[r["place"]]["kind"] in ROAD_KINDS, r["id"]
    road = [r for r in rows if r["kind"] in ROAD_KINDS]
    assert len(road) >= 60, f"only {len(road)} road places"
    missing = [m for m in MANDATORY if m not in places()]
    assert not missing, f"mandatory places missing: {missing}"


def test_links_basic() -> None:
    seen: set[frozenset[str]] = set()
    for lk in links():
        a, b = lk["source"], lk["target"]
        assert a in places(), f"unknown id {a!r}"
        assert b in places(), f"unknown id {b!r}"
        assert a != b
        key = frozenset((a, b))
        assert key not in seen, f"duplicate link {a}-{b}"
        seen.add(key)
        kinds = {places()[a]["kind"], places()[b]["kind"]}
        if lk["mode"] == "road":
            assert kinds <= ROAD_KINDS, f"road link to a rail node: {a}-{b}"
            assert lk["class"] in ROAD_CLASSES, _lid(lk)
            d = haversine_m(*_ll(places()[a]), *_ll(places()[b]))
            assert d < ROAD_LINK_MAX_M, f"road link {a}-{b} is {d / 1000:.0f} km long"
        else:
            assert lk["mode"] == "rail", _lid(lk)
            assert kinds <= RAIL_KINDS, f"rail link to a road node: {a}-{b}"
            assert lk["class"] in RAIL_CLASSES, _lid(lk)
        for ref in filter(None, lk["ref"].split(";")):
            assert re.fullmatch(r"[A-Z]+(-[0-9]+)+|E[0-9]+", ref), f"bad ref {ref!r}"
        if lk["detour"]:
            assert 1.0 <= float(lk["detour"]) <= 3.0, _lid(lk)


def test_network_connected() -> None:
    G = nx.Graph()
    G.add_nodes_from(places())
    G.add_edges_from((lk["source"], lk["target"]) for lk in links())
    G.add_edges_from((pid, r["place"]) for pid, r in places().items() if r["place"])
    parts = sorted(nx.connected_components(G), key=len)
    assert len(parts) == 1, f"disconnected pieces: {parts[:-1]}"


def test_pokrovsk_is_a_rail_junction() -> None:
    station = next(pid for pid, r in places().items() if r["place"] == "pokrovsk")
    nbrs = {
        lk["target"] if lk["source"] == station else lk["source"]
        for lk in rail_links()
        if station in (lk["source"], lk["target"])
    }
    assert len(nbrs) >= 3, nbrs
    # towards Dnipro (west), Kostiantynivka/Kramatorsk (north/east), Donetsk (south-east)
    lat0, lon0 = _ll(places()[station])
    bearings = {
        math.degrees(math.atan2(float(places()[n]["lon"]) - lon0, float(places()[n]["lat"]) - lat0))
        % 360
        for n in nbrs
    }
    assert any(200 <= b <= 330 for b in bearings), "no rail link westwards (Dnipro)"
    assert any(b <= 60 or b >= 330 for b in bearings), "no rail link northwards"
    assert any(60 <= b <= 200 for b in bearings), "no rail link south-east (Donetsk)"


# ---------------------------------------------------------------- against shared data


def test_stations_match_osm_points() -> None:
    osm = osm_stations()
    bad = []
    for pid, r in places().items():
        if not r["osm_station_id"]:
            assert r["kind"] in ROAD_KINDS or r["notes"], pid
            continue
        pt = osm.get(r["osm_station_id"])
        if pt is None:
            bad.append(f"{pid}: OSM id {r['osm_station_id']} not in the station layer")
            continue
        d = haversine_m(*_ll(r), pt["lat"], pt["lon"])
        if d > STATION_MAX_M:
            bad.append(f"{pid}: {d:.0f} m from OSM point {r['osm_station_id']}")
        ours = [r["name"], r["name_uk"], *r["aliases"].split(";")]
        if not names_match(ours, [pt.get("name") or "", pt.get("nameLocal") or ""]):
            bad.append(f"{pid}: name {r['name']!r} vs OSM {pt.get('name')!r}")
    assert not bad, "\n".join(bad)


def test_station_rows_carry_osm_ids() -> None:
    missing = [
        pid for pid, r in places().items() if r["kind"] in RAIL_KINDS and not r["osm_station_id"]
    ]
    assert not missing, f"rail nodes without an OSM station id: {missing}"


def test_towns_near_their_station() -> None:
    bad = []
    for pid, r in places().items():
        if r["place"]:
            d = haversine_m(*_ll(r), *_ll(places()[r["place"]]))
            if d > TOWN_STATION_MAX_M:
                bad.append(f"{r['place']} is {d / 1000:.1f} km from its station {pid}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("lk", rail_links(), ids=_lid)
def test_rail_link_follows_dcw_line(lk: dict[str, str]) -> None:
    if NOT_IN_DCW in lk["notes"]:
        pytest.skip(f"{_lid(lk)} marked not-in-dcw: {lk['notes']}")
    lg, off, snapped = line_graph()
    a, b = lk["source"], lk["target"]
    for end in (a, b):
        assert off[end] <= LINE_MAX_M, f"{end} is {off[end] / 1000:.2f} km from any DCW line"
    try:
        path = nx.shortest_path(lg.G, a, b, weight="w")
    except nx.NetworkXNoPath:
        pytest.fail(f"{a} and {b} are not connected through the DCW line layer")
    path_m = nx.path_weight(lg.G, path, weight="w")
    # A link joins neighbouring rail nodes: its path must not run past another one.
    on_path = set(path)
    skipped = [
        k
        for k, ends in lg.attached.items()
        if k not in (a, b) and off[k] <= LINE_MAX_M and (k in on_path or set(ends) <= on_path)
    ]
    assert not skipped, f"{_lid(lk)} runs past {skipped}: split the link there"
    straight = math.dist(snapped[a], snapped[b])
    ratio = path_m / straight
    assert RATIO_MIN <= ratio <= RATIO_MAX, (
        f"{_lid(lk)}: path along lines {path_m / 1000:.1f} km vs straight "
        f"{straight / 1000:.1f} km (ratio {ratio:.2f})"
    )


def test_dcw_checker_rejects_a_jump() -> None:
    """Self-check: a link between stations on unconnected lines must fail the ratio test."""
    lg, _, snapped = line_graph()
    a, b = "sloviansk-station", "kramatorsk-station"  # main line absent from DCW
    path_m = nx.shortest_path_length(lg.G, a, b, weight="w")
    assert path_m / math.dist(snapped[a], snapped[b]) > RATIO_MAX
