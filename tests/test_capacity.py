"""Capacities in t/day: per-class defaults, tag refinements, region/link/user overrides, demand."""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import pytest

from resilience import capacity as cap
from resilience.capacity import (
    CAPACITY,
    CapacityOverrides,
    assign_capacities,
    default_capacity,
)
from resilience.errors import BadGraphError, BadInputError, UnknownTargetError
from resilience.sources.bundled import load_region
from resilience.sources.load import load_network
from resilience.supply import demand_t_per_day, read_capacities, supply_t_per_day
from tests.conftest import DATA

ROAD_T_PER_VEH_H = cap.ROAD_HGV_SHARE * cap.ROAD_PAYLOAD_T * cap.ROAD_HOURS_PER_DAY


def _edge(G: nx.MultiDiGraph, u: str, v: str) -> dict:
    return G.edges[u, v, 0]


def test_road_defaults_follow_the_documented_formula() -> None:
    G = nx.MultiDiGraph()
    # trunk: 2 lanes/direction x 1,800 veh/h x 0.20 x 20 t x 16 h
    assert default_capacity(G, "a", "b", {"mode": "road", "highway": "trunk"}) == 230400
    assert default_capacity(G, "a", "b", {"mode": "road", "highway": "tertiary"}) == round(
        1000 * ROAD_T_PER_VEH_H
    )
    # a *_link ramp takes its road's class, with one lane
    assert default_capacity(G, "a", "b", {"highway": "primary_link"}) == round(
        1700 * ROAD_T_PER_VEH_H
    )
    assert default_capacity(G, "a", "b", {"highway": "trunk_link"}) == round(
        1800 * ROAD_T_PER_VEH_H
    )


def test_osm_lane_tags_refine_road_capacity() -> None:
    G = nx.MultiDiGraph()
    two_way_4 = default_capacity(G, "a", "b", {"highway": "primary", "lanes": "4"})
    oneway_3 = default_capacity(G, "a", "b", {"highway": "primary", "lanes": "3", "oneway": True})
    listed = default_capacity(G, "a", "b", {"highway": ["primary", "secondary"], "lanes": ["4"]})
    assert two_way_4 == round(2 * 1700 * ROAD_T_PER_VEH_H)
    assert oneway_3 == round(3 * 1700 * ROAD_T_PER_VEH_H)
    assert listed == two_way_4


def test_rail_tags_tracks_and_electrification() -> None:
    G = nx.MultiDiGraph()
    rail = {"mode": "rail", "railway": "rail"}
    assert default_capacity(G, "a", "b", {**rail, "usage": "main"}) == 75 * 3500
    assert default_capacity(G, "a", "b", {**rail, "usage": "branch"}) == round(20 * 2000 * 0.8)
    diesel_main = {**rail, "usage": "main", "electrified": "no"}
    assert default_capacity(G, "a", "b", diesel_main) == round(75 * 3500 * 0.8)
    single_main = {**rail, "usage": "main", "tracks": "1"}
    assert default_capacity(G, "a", "b", single_main) == 20 * 3500
    double_branch = {**rail, "usage": "branch", "tracks": "2", "electrified": "contact_line"}
    assert default_capacity(G, "a", "b", double_branch) == 75 * 2000
    # an OSM rail way without usage (industrial line)
    assert default_capacity(G, "a", "b", {"railway": "rail"}) == round(20 * 1000 * 0.8)


def test_transfer_capacity_by_the_place_served() -> None:
    G = nx.MultiDiGraph()
    G.add_node("c", kind="city")
    G.add_node("v", kind="village")
    G.add_node("s", kind="station", mode="rail")
    assert default_capacity(G, "s", "c", {"mode": "transfer"}) == 200 * 60
    assert default_capacity(G, "v", "s", {"mode": "transfer"}) == 50 * 60


def test_every_embedded_edge_has_a_capacity() -> None:
    G = load_network()
    for u, v, data in G.edges(data=True):
        assert isinstance(data[CAPACITY], int), (u, v)
        assert data[CAPACITY] > 0, (u, v)
    # the two directions of a link carry the same capacity
    for u, v, k, data in G.edges(keys=True, data=True):
        assert G.edges[v, u, k][CAPACITY] == data[CAPACITY]
    # region.toml [capacity]: the Dnipro hub's transfer, a station id key
    assert _edge(G, "dnipro-station", "dnipro")[CAPACITY] == 24000
    assert _edge(G, "dnipro-station", "dnipro")["capacity_source"] == "region"
    assert _edge(G, "pavlohrad-station", "pavlohrad")[CAPACITY] == 12000
    assert _edge(G, "dnipro", "pavlohrad")[CAPACITY] == 230400


def _toy_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "toy"
    shutil.copytree(DATA / "toy", folder)
    return folder


def test_links_csv_column_and_region_table_override(tmp_path: Path) -> None:
    folder = _toy_copy(tmp_path)
    links = folder / "links.csv"
    lines = links.read_text(encoding="utf-8").splitlines()
    lines[0] += ",capacity_t_per_day"
    lines = [lines[0]] + [
        line + ("," + "5000" if "Bravo–Delta" in line else ",") for line in lines[1:]
    ]
    links.write_text("\n".join(lines) + "\n", encoding="utf-8")
    toml = folder / "region.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[capacity]\nsecondary = 777\ntransfer = 111\n"delta-station" = 222\n',
        encoding="utf-8",
    )
    G = load_region(folder)
    for u, v in (("bravo", "delta"), ("delta", "bravo")):
        assert _edge(G, u, v)[CAPACITY] == 5000
        assert _edge(G, u, v)["capacity_source"] == "link"
    assert _edge(G, "alpha", "charlie")[CAPACITY] == 777
    assert _edge(G, "alpha", "alpha-station")[CAPACITY] == 111
    assert _edge(G, "delta", "delta-station")[CAPACITY] == 222
    assert _edge(G, "alpha", "bravo")[CAPACITY] == 108800


def test_bad_capacity_values_in_region_files(tmp_path: Path) -> None:
    folder = _toy_copy(tmp_path)
    toml = folder / "region.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[capacity]\ntrunk = "lots"\n')
    with pytest.raises(BadGraphError, match=r"\[capacity\] trunk"):
        load_region(folder)
    folder2 = tmp_path / "second"
    shutil.copytree(DATA / "toy", folder2)
    links = folder2 / "links.csv"
    lines = links.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",capacity_t_per_day"] + [line + ",abc" for line in lines[1:]]
    links.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BadGraphError, match=r"links\.csv line 2"):
        load_region(folder2)


def test_user_file_by_class_ref_and_link(toy: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "caps.csv"
    path.write_text(
        "u,v,key,ref,class,capacity_t_per_day\n"
        ",,,,primary,1000\n"
        ",,,P-02,,2000\n"
        "Alpha,Bravo,,,,3000\n"
        "alpha-station,alpha,,,,40\n",
        encoding="utf-8",
    )
    overrides = read_capacities(path, toy)
    assign_capacities(toy, overrides)
    assert _edge(toy, "bravo", "delta")[CAPACITY] == 1000  # class
    assert _edge(toy, "charlie", "alpha")[CAPACITY] == 2000  # ref, both directions
    assert _edge(toy, "bravo", "alpha")[CAPACITY] == 3000  # link beats class
    assert _edge(toy, "alpha", "alpha-station")[CAPACITY] == 40  # a transfer by its ends
    assert _edge(toy, "bravo", "alpha")["capacity_source"] == "user"
    assert _edge(toy, "delta", "echo")[CAPACITY] == 64000  # untouched default
    # reassigning without the file returns to the defaults
    assign_capacities(toy)
    assert _edge(toy, "bravo", "alpha")[CAPACITY] == 108800


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("a,b\n1,2\n", BadInputError, "needs a capacity_t_per_day column"),
        ("class,capacity_t_per_day\nprimary,-5\n", BadInputError, "line 2"),
        ("class,capacity_t_per_day\nprimary,many\n", BadInputError, "line 2"),
        ("u,v,capacity_t_per_day\nalpha,,5\n", BadInputError, "both u and v"),
        ("u,v,capacity_t_per_day\nalpha,echo,5\n", BadInputError, "no link between"),
        ("u,v,capacity_t_per_day\nalpha,zulu,5\n", UnknownTargetError, "zulu"),
        ("ref,capacity_t_per_day\n,5\n", BadInputError, "name a link"),
    ],
)
def test_user_file_errors(
    toy: nx.MultiDiGraph, tmp_path: Path, text: str, error: type[Exception], match: str
) -> None:
    path = tmp_path / "caps.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=match):
        read_capacities(path, toy)


def test_user_file_missing_or_not_text(toy: nx.MultiDiGraph, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not found"):
        read_capacities(tmp_path / "nope.csv", toy)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00capacity")
    with pytest.raises(BadInputError, match="UTF-8"):
        read_capacities(bad, toy)


def test_graph_without_capacities_gets_defaults() -> None:
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", highway="residential")
    G.add_edge("b", "c", railway="rail", usage="main", tracks="2")
    G.add_edge("c", "d", highway="motorway", capacity_t_per_day="999")  # the file's own value
    assign_capacities(G)
    assert G.edges["a", "b", 0][CAPACITY] == round(500 * ROAD_T_PER_VEH_H)
    assert G.edges["b", "c", 0][CAPACITY] == 262500
    assert G.edges["c", "d", 0][CAPACITY] == 999
    G.add_edge("d", "e", capacity_t_per_day="-1")
    with pytest.raises(BadGraphError, match="d->e"):
        assign_capacities(G)


def test_demand_is_the_total_shared_by_weight() -> None:
    G = load_network()
    towns = ["pokrovsk", "kramatorsk", "bakhmut"]  # bakhmut has no weight: 10
    d = demand_t_per_day(G, towns)
    assert sum(d.values()) == pytest.approx(20000)
    assert d["kramatorsk"] / d["pokrovsk"] == pytest.approx(150 / 60)
    assert d["bakhmut"] / d["pokrovsk"] == pytest.approx(10 / 60)
    fixed = demand_t_per_day(G, towns, total_t_per_day=1000, demand={"bakhmut": 400})
    assert fixed["bakhmut"] == 400
    assert fixed["pokrovsk"] + fixed["kramatorsk"] == pytest.approx(600)
    with pytest.raises(BadInputError):
        demand_t_per_day(G, towns, total_t_per_day=-1)


def test_demand_on_a_graph_without_a_table_uses_the_region_weights() -> None:
    G = nx.MultiDiGraph()
    G.add_node(1, name="Pokrovsk")
    G.add_node(2, name="Myrnohrad")
    G.add_node(3, name="Мирноград", x=37.2615, y=48.2956)  # matched by the gazetteer place
    d = demand_t_per_day(G, [1, 2], total_t_per_day=106)
    assert d == {1: pytest.approx(60), 2: pytest.approx(46)}
    d3 = demand_t_per_day(G, [1, 3], total_t_per_day=106)
    assert d3 == {1: pytest.approx(60), 3: pytest.approx(46)}


def test_supply_defaults_to_unbounded() -> None:
    assert supply_t_per_day(["a", "b"], {"b": 5}) == {"a": None, "b": 5.0}
    with pytest.raises(BadInputError):
        supply_t_per_day(["a"], {"a": -1})


def test_overrides_empty() -> None:
    assert CapacityOverrides().empty
    assert not CapacityOverrides(classes={"trunk": 1}).empty
