"""OSM extract cases that real extracts hold: ref and speed changes, clipped ways, stations.

``tests/data/osm/cases.osm`` is hand-written so every expected value can be checked by
hand (its header comment lists the cases).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import osmnx  # noqa: F401 - imported first: urllib3's import-time IPv6 probe warns under pytest-socket
import pytest

from resilience.errors import UnknownTargetError
from resilience.network import ROAD_SPEEDS_KPH, impute_speeds_and_times, simplify_segments
from resilience.sources.osm import STATION_ATTACH_MAX_M, OsmExtractWarning, load_osm_xml
from resilience.targets import resolve_place, resolve_ref
from tests.sources.osm_truth import digest_under_hashseed

CASES = Path(__file__).resolve().parents[1] / "data" / "osm" / "cases.osm"


@pytest.fixture(scope="module")
def cases() -> nx.MultiDiGraph[Any]:
    with pytest.warns(OsmExtractWarning) as seen:
        G = load_osm_xml(CASES)
    G.graph["warnings"] = [str(w.message) for w in seen]
    return G


def test_a_node_stays_where_the_ref_or_the_speed_limit_changes(
    cases: nx.MultiDiGraph[Any],
) -> None:
    assert {2, 3} <= set(cases)  # two neighbours each: only the tag change keeps them
    assert cases.edges[1, 2, 0]["ref"] == "P1"
    assert cases.edges[2, 3, 0]["ref"] == cases.edges[3, 4, 0]["ref"] == "P2"
    p1 = sum(cases.edges[e]["length"] for e in resolve_ref(cases, "P1"))
    assert p1 == pytest.approx(2 * cases.edges[1, 2, 0]["length"])


def test_untagged_road_takes_the_mean_of_its_tagged_class(cases: nx.MultiDiGraph[Any]) -> None:
    # primary segments tagged 100 and 60 (both directions): the untagged one runs at 80,
    # not the table's 70.
    assert ROAD_SPEEDS_KPH["primary"] != 80.0
    assert cases.edges[2, 3, 0]["speed_kph"] == 80.0
    assert cases.edges[3, 4, 0]["speed_kph"] == 60.0
    d = cases.edges[2, 3, 0]
    assert d["travel_time"] == pytest.approx(d["length"] / (80 / 3.6), abs=1e-3)


def test_named_node_on_a_road_stays(cases: nx.MultiDiGraph[Any]) -> None:
    assert cases.nodes[5]["name"] == "Border Post"
    assert resolve_place(cases, "border post", gazetteer={}) == {5}


def test_highway_also_tagged_railway_is_a_road(cases: nx.MultiDiGraph[Any]) -> None:
    d = cases.edges[6, 7, 0]
    assert (d["mode"], d["highway"], d["railway"]) == ("road", "secondary", "abandoned")


def test_street_running_rail_leaves_the_ref_to_the_road(cases: nx.MultiDiGraph[Any]) -> None:
    hits = resolve_ref(cases, "P9")
    assert {cases.edges[e]["mode"] for e in hits} == {"road"}
    assert len(hits) == 2
    assert cases.edges[-40, -41, 0]["mode"] == "rail"  # the rail twin of the same way
    assert "ref" not in cases.edges[-40, -41, 0]


def test_way_cut_at_the_boundary_keeps_its_present_part(cases: nx.MultiDiGraph[Any]) -> None:
    assert cases.has_edge(8, 9)
    assert not cases.has_edge(7, 8)
    assert cases.graph["ways_clipped"] == 1
    assert any("1 of 9 road/rail ways run past the edge" in w for w in cases.graph["warnings"])


def test_track_number_is_no_route_ref(cases: nx.MultiDiGraph[Any]) -> None:
    d = cases.edges[20, 21, 0]
    assert (d["ref"], d["track_ref"], d["route_name"]) == ("R100", "2", "Test Line")
    with pytest.raises(UnknownTargetError):
        resolve_ref(cases, "2")
    assert len(resolve_ref(cases, "R100")) == 4


def test_station_beside_the_track_is_attached(cases: nx.MultiDiGraph[Any]) -> None:
    station = cases.nodes[21]  # 15 m from station node 30
    assert (station["kind"], station["name"], station["station_osmid"]) == (
        "station",
        "Beside",
        30,
    )
    assert 30 not in cases
    assert cases.graph["stations_attached"] == 1  # the metro station is not counted
    assert cases.graph["stations_too_far"] == 1  # "Far", 2 km away
    assert any(f"more than {STATION_ATTACH_MAX_M:g} m" in w for w in cases.graph["warnings"])
    assert cases.graph["transfers"] == 1
    assert cases.edges[21, 2, 0]["mode"] == "transfer"


def test_merged_edge_sums_its_segments(cases: nx.MultiDiGraph[Any]) -> None:
    assert 24 not in cases  # the siding's middle node merged away
    d = cases.edges[22, 23, 0]
    assert d["speed_kph"] == 15.0
    assert d["travel_time"] == pytest.approx(d["length"] / (15 / 3.6), abs=2e-3)


def test_no_transfer_warns() -> None:
    # The box keeps the track but leaves the station node beside it outside.
    with pytest.warns(OsmExtractWarning) as seen:
        G = load_osm_xml(CASES, bbox=(36.99, 47.99, 37.1, 48.0101))
    assert G.graph["transfers"] == 0
    assert G.graph["stations_attached"] == 0
    assert any("no road-rail transfer" in str(w.message) for w in seen)


def test_merged_values_are_sorted_and_times_summed() -> None:
    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(crs="epsg:4326")
    for n in range(3):
        G.add_node(n, x=37.0 + n / 100, y=48.0)
    G.add_edge(0, 1, length=500.0, highway="primary", maxspeed="50", osmid=9, name="b")
    G.add_edge(1, 2, length=500.0, highway="primary", maxspeed="50", osmid=3, name="a")
    H = simplify_segments(impute_speeds_and_times(G))
    d = H.edges[0, 2, 0]
    assert (d["osmid"], d["name"]) == ([3, 9], ["a", "b"])
    assert d["travel_time"] == pytest.approx(72.0)
    assert d["length"] == 1000.0


def test_same_graph_under_two_hash_seeds() -> None:
    a, b = (digest_under_hashseed(CASES, s) for s in ("1", "2"))
    assert a == b
    assert int(a.split()[1]) > 0


def test_implicit_and_unit_maxspeeds_read_as_osmnx_reads_them() -> None:
    G: nx.MultiDiGraph[Any] = nx.MultiDiGraph(crs="epsg:4326")
    for n in range(4):
        G.add_node(n, x=37.0 + n / 100, y=48.0)
    G.add_edge(0, 1, length=100.0, highway="tertiary", maxspeed="UA:urban")  # 50
    G.add_edge(1, 2, length=100.0, highway="tertiary", maxspeed="70 km/h")
    G.add_edge(2, 3, length=100.0, highway="tertiary", maxspeed="60;80")  # unreadable
    impute_speeds_and_times(G)
    speeds = [G.edges[u, u + 1, 0]["speed_kph"] for u in range(3)]
    assert speeds == [50.0, 70.0, 60.0]  # the unreadable one takes the class mean


def test_ways_before_their_nodes_are_not_clipped(
    tmp_path: Path, cases: nx.MultiDiGraph[Any]
) -> None:
    # Overpass answers "out body; >; out skel" with the ways first, their nodes after.
    text = CASES.read_text(encoding="utf-8")
    head, body = text.split("<osm ", 1)
    opening, rest = body.split(">", 1)
    rest = rest.removesuffix("</osm>\n")
    nodes = rest[: rest.index("  <way ")]
    ways = rest[rest.index("  <way ") :]
    flipped = tmp_path / "overpass.osm"
    flipped.write_text(f"{head}<osm {opening}>{ways}{nodes}</osm>\n", encoding="utf-8")
    assert flipped.read_text(encoding="utf-8").index("<way ") < flipped.read_text(
        encoding="utf-8"
    ).index("<node ")
    with pytest.warns(OsmExtractWarning):
        G = load_osm_xml(flipped)
    assert G.graph["ways_clipped"] == 1  # only way 2006, whose node 99 is truly absent
    assert sorted(map(str, G.edges(keys=True))) == sorted(map(str, cases.edges(keys=True)))
