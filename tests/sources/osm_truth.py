"""OpenStreetMap's own answer for an extract: osmnx's unsimplified graph, per segment.

The project's OSM graphs are checked against this: one edge per OSM segment, osmnx's
own ``add_edge_speeds``/``add_edge_travel_times`` with the project's documented class
and rail defaults, nothing merged. Used by ``test_osm_real.py`` (and to print the
figures of every shared extract: ``python -m tests.sources.osm_truth``).
"""

from __future__ import annotations

import math
import os
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from resilience.network import RAIL_FALLBACK_KPH, RAIL_SPEEDS_KPH, ROAD_SPEEDS_KPH
from resilience.sources.osm import DEFAULT_ROAD_CLASSES, _road_values
from resilience.targets import normalize_ref

EXTRACTS = "osm-extracts-real"
#: Refs whose removal is checked on each extract (absent files are skipped).
REFS = {
    "gh-belarus-east.osm.gz": ["Р132", "58К-199"],
    "gh-krems.osm.gz": ["B37", "S5", "B3"],
    "liechtenstein-2013-08-03.osm.bz2": ["L60", "28"],
    "liechtenstein-2013-08-03.osm.pbf": ["L60"],
}


def shared_extracts() -> Path:
    """The shared folder of real extracts (``RESILIENCE_SHARED_DATA`` or ``../shared/data``)."""
    try:
        from resilience.settings import shared_data_dir
    except ImportError:  # pragma: no cover - before the setting existed
        env = os.environ.get("RESILIENCE_SHARED_DATA")
        base = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"
        return base / EXTRACTS
    return shared_data_dir() / EXTRACTS


def ref_tokens(value: Any) -> set[str]:
    """The normalised refs of a ``ref`` tag (``;``/``,``/``/``-separated)."""
    return {normalize_ref(p) for p in re.split(r"[;,/]", str(value or ""))} - {""}


def _osmnx() -> Any:
    import osmnx as ox

    ox.settings.useful_tags_way = list(
        dict.fromkeys([*ox.settings.useful_tags_way, "railway", "usage", "service", "ref"])
    )
    ox.settings.useful_tags_node = list(dict.fromkeys([*ox.settings.useful_tags_node, "name"]))
    ox.settings.log_console = False
    return ox


def _kph(value: Any) -> float | None:
    try:
        speed = float(str(value).strip())
    except ValueError:
        return None
    return speed if speed > 0 and math.isfinite(speed) else None


@dataclass
class Truth:
    """Unsimplified road and rail graphs of an extract, with per-segment times."""

    road: nx.MultiDiGraph[Any]
    rail: nx.MultiDiGraph[Any]

    def km(self, mode: str) -> float:
        G = self.road if mode == "road" else self.rail
        return math.fsum(float(d) for *_, d in G.edges(data="length")) / 1000

    def ref_km(self, ref: str) -> float:
        want = normalize_ref(ref)
        return (
            math.fsum(
                float(d["length"])
                for *_, d in self.road.edges(data=True)
                if want in ref_tokens(d.get("ref"))
            )
            / 1000
        )

    def named_nodes(self) -> dict[Any, str]:
        out: dict[Any, str] = {}
        for G in (self.road, self.rail):
            for n, name in G.nodes(data="name"):
                if name:
                    out[n] = str(name)
        return out


def truth(path: Path, *, every_highway: bool = False) -> Truth:
    """osmnx's unsimplified graph of an XML extract, per segment, split into the modes.

    Roads are the default classes, or every ``highway`` way with ``every_highway``.
    """
    ox = _osmnx()
    raw = ox.graph_from_xml(path, simplify=False, retain_all=True)
    classes = set(_road_values(DEFAULT_ROAD_CLASSES))
    road_e = [
        (u, v, k)
        for u, v, k, h in raw.edges(keys=True, data="highway")
        if h in classes or (every_highway and h is not None)
    ]
    rail_e = [(u, v, k) for u, v, k, r in raw.edges(keys=True, data="railway") if r == "rail"]
    road: nx.MultiDiGraph[Any] = raw.edge_subgraph(road_e).copy()  # type: ignore[arg-type]
    rail: nx.MultiDiGraph[Any] = raw.edge_subgraph(rail_e).copy()  # type: ignore[arg-type]
    if road.number_of_edges():
        # osmnx's rule: a class not in hwy_speeds gets the mean of its tagged edges. Give
        # the table speed only to the classes that have no tagged edge at all.
        probe = ox.add_edge_speeds(road.copy(), fallback=-1.0)
        untagged = {
            str(cls)
            for cls in {h for *_, h in road.edges(data="highway")}
            if all(s == -1.0 for *_, h, s in _speeds(probe) if h == cls)
        }
        road = ox.add_edge_speeds(
            road, hwy_speeds={c: ROAD_SPEEDS_KPH.get(c, 40.0) for c in untagged}
        )
        road = ox.add_edge_travel_times(road)
    for *_, d in rail.edges(data=True):
        kph = _kph(d.get("maxspeed"))
        if kph is None:
            usage = RAIL_SPEEDS_KPH.get(str(d.get("usage")), RAIL_FALLBACK_KPH)
            kph = RAIL_SPEEDS_KPH["service"] if d.get("service") else usage
        d["travel_time"] = float(d["length"]) / (kph / 3.6)
    return Truth(road, rail)


def split_at_missing_nodes(src: Path, dst: Path) -> None:
    """Write ``src`` as OSM XML with each road/rail way split where its nodes are missing.

    The truth for an extract cut at a boundary: osmnx cannot read a way whose nodes are
    absent, and the parts between absent nodes are what the extract really holds.
    """
    import osmium

    present: set[int] = set()
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node():
            present.add(obj.id)
            continue
        if "highway" not in obj.tags and "railway" not in obj.tags:
            continue
        tags = {t.k: t.v for t in obj.tags}
        run: list[int] = []
        parts: list[list[int]] = []
        for node in obj.nodes:
            if node.ref in present:
                run.append(node.ref)
            else:
                parts.append(run)
                run = []
        parts.append(run)
        kept = [r for r in parts if len(r) > 1]
        ways += [(obj.id * 100 + i, r, tags) for i, r in enumerate(kept)]
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src), osmium.osm.NODE):
            writer.add_node(obj)
        for wid, nodes, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=nodes, tags=tags))


def clipped_ways(src: Path) -> int:
    """How many default-class road and ``railway=rail`` ways reference an absent node."""
    import osmium

    classes = set(_road_values(DEFAULT_ROAD_CLASSES))
    present: set[int] = set()
    count = 0
    for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node():
            present.add(obj.id)
        elif obj.tags.get("highway") in classes or obj.tags.get("railway") == "rail":
            count += any(n.ref not in present for n in obj.nodes)
    return count


def train_stations(src: Path) -> int:
    """How many ``railway=station|halt`` nodes of the train network ``src`` holds."""
    import osmium

    metro = {"subway", "light_rail", "tram", "monorail", "funicular", "miniature"}
    return sum(
        o.tags.get("railway") in {"station", "halt"} and o.tags.get("station") not in metro
        for o in osmium.FileProcessor(str(src), osmium.osm.NODE)
    )


def _speeds(G: nx.MultiDiGraph[Any]) -> list[tuple[Any, Any, Any, float]]:
    return [(u, v, d["highway"], float(d["speed_kph"])) for u, v, d in G.edges(data=True)]


def mode_graph(G: nx.MultiDiGraph[Any], mode: str) -> nx.MultiDiGraph[Any]:
    """The edges of one mode of a project graph (transfers left out)."""
    keep = [(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m == mode]
    return G.edge_subgraph(keep).copy()  # type: ignore[arg-type]


def pair_agreement(
    G: nx.MultiDiGraph[Any], T: nx.MultiDiGraph[Any], *, pairs: int = 60, seed: int = 0
) -> tuple[int, int, list[tuple[Any, Any, float, float]]]:
    """Random node pairs of ``G`` whose travel time agrees with ``T`` within 0.1 %.

    Returns the agreeing count, the pair count and the disagreeing pairs.
    """
    rng = random.Random(seed)
    nodes = sorted(n for n in G if n in T)
    if len(nodes) < 2:
        return 0, 0, []
    ok, tried, bad = 0, 0, []
    attempts = 0
    while tried < pairs and attempts < pairs * 20:
        attempts += 1
        s, t = rng.sample(nodes, 2)
        try:
            got = nx.shortest_path_length(G, s, t, weight="travel_time")
        except nx.NetworkXNoPath:
            continue
        want = nx.shortest_path_length(T, s, t, weight="travel_time")
        tried += 1
        if abs(got - want) <= 1e-3 * max(want, 1e-9):
            ok += 1
        else:
            bad.append((s, t, float(got), float(want)))
    return ok, tried, bad


def has_name(G: nx.MultiDiGraph[Any], n: Any, name: str) -> bool:
    """Whether node ``n`` (or its rail twin ``-n``) carries ``name``."""
    return any(m in G and G.nodes[m].get("name") == name for m in (n, -n))


_DIGEST = """
import hashlib, json, sys, warnings
warnings.simplefilter("ignore")
from resilience.sources.osm import load_osm_pbf, load_osm_xml
path = sys.argv[1]
G = (load_osm_pbf if path.endswith(".pbf") else load_osm_xml)(path)
# In iteration order: labels and scans follow it, so it must not move either.
rows = [
    json.dumps([str(u), str(v), k, {a: str(b) for a, b in sorted(d.items())}])
    for u, v, k, d in G.edges(keys=True, data=True)
]
nodes = [
    json.dumps([str(n), {a: str(b) for a, b in sorted(d.items())}])
    for n, d in G.nodes(data=True)
]
print(hashlib.sha256("\\n".join(rows + nodes).encode()).hexdigest(), len(rows))
"""


def digest_under_hashseed(path: Path, seed: str) -> str:
    """The graph of ``path`` built in a fresh interpreter with ``PYTHONHASHSEED=seed``."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", _DIGEST, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    return out.stdout.strip()


def main() -> None:  # pragma: no cover - prints the figures of the shared extracts
    """Print, per shared extract, how the project's graph compares with the truth."""
    import warnings

    from resilience.sources.osm import load_osm_pbf, load_osm_xml
    from resilience.targets import resolve_ref

    folder = shared_extracts()
    for path in sorted(folder.glob("*.osm*")):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            load = load_osm_pbf if path.name.endswith(".pbf") else load_osm_xml
            G = load(path)
        notes = [str(w.message) for w in seen]
        print(f"== {path.name}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
        print(
            f"   ways clipped {G.graph['ways_clipped']}, stations attached "
            f"{G.graph['stations_attached']}, too far {G.graph['stations_too_far']}, "
            f"transfers {G.graph['transfers']}"
        )
        for note in notes:
            print(f"   warning: {note}")
        twin = path.with_name(path.name.replace(".osm.pbf", ".osm.bz2"))
        xml = path if not path.name.endswith(".pbf") else twin
        if xml.is_file():
            T = truth(xml)
        else:  # cut at a boundary: osmnx reads the ways split where nodes are absent
            with tempfile.TemporaryDirectory() as tmp:
                split_at_missing_nodes(path, Path(tmp) / "split.osm")
                T = truth(Path(tmp) / "split.osm")
        for mode, TG in (("road", T.road), ("rail", T.rail)):
            H = mode_graph(G, mode)
            if mode == "rail":
                H = nx.relabel_nodes(H, {n: -n for n in H if isinstance(n, int) and n < 0})
            km = math.fsum(float(d) for *_, d in H.edges(data="length")) / 1000
            ok, n, _ = pair_agreement(H, TG)
            print(f"   {mode}: {km:.3f} km vs osmnx {T.km(mode):.3f} km; pairs {ok}/{n}")
        for ref in REFS.get(path.name, []):
            try:
                hit = resolve_ref(G, ref)
            except Exception as exc:  # noqa: BLE001
                print(f"   --ref {ref}: {exc}")
                continue
            km = math.fsum(float(G.edges[e]["length"]) for e in hit) / 1000
            print(
                f"   --ref {ref}: removes {km:.3f} km; OSM ways carrying it {T.ref_km(ref):.3f} km"
            )
        names = T.named_nodes()
        lost = [n for n, name in names.items() if not has_name(G, n, name)]
        print(f"   named nodes {len(names)}, lost {len(lost)}")
    sys.stdout.flush()


if __name__ == "__main__":  # pragma: no cover
    main()
