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
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from resilience.network import RAIL_FALLBACK_KPH, RAIL_SPEEDS_KPH, ROAD_SPEEDS_KPH
from resilience.sources.osm import DEFAULT_ROAD_CLASSES, _road_values
from resilience.targets import _ref_tokens, normalize_ref

EXTRACTS = "osm-extracts-real"
#: Refs whose removal is checked on each extract (absent files are skipped).
REFS = {
    "gh-belarus-east.osm.gz": ["Р132", "58К-199"],
    "gh-krems.osm.gz": ["B37", "S5", "B3"],
    "liechtenstein-2013-08-03.osm.bz2": ["L60", "28"],
    "liechtenstein-2013-08-03.osm.pbf": ["L60"],
    "aguascalientes.osm.bz2": ["45"],
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
                if want in _ref_tokens(d.get("ref"))
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


def truth(path: Path) -> Truth:
    """osmnx's unsimplified graph of an XML extract, per segment, split into the modes."""
    ox = _osmnx()
    raw = ox.graph_from_xml(path, simplify=False, retain_all=True)
    classes = set(_road_values(DEFAULT_ROAD_CLASSES))
    road_e = [(u, v, k) for u, v, k, h in raw.edges(keys=True, data="highway") if h in classes]
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
        if not xml.is_file():
            print("   (no XML twin: no osmnx truth)")
            continue
        T = truth(xml)
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
