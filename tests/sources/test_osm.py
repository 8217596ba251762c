"""OSM sources: local extracts, the multimodal merge, targets, CLI and the mocked download."""

from __future__ import annotations

import bz2
import json
import shutil
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import requests
from typer.testing import CliRunner

from resilience.cli import app
from resilience.errors import BadGraphError, BadInputError, NetworkUnavailableError
from resilience.network import consolidate, impute_speeds_and_times, make_multimodal
from resilience.sources.load import load_network
from resilience.sources.osm import fetch_graph, load_osm_pbf, load_osm_xml, road_filter
from resilience.targets import build_removal, endpoint, resolve_place, resolve_ref

DATA = Path(__file__).resolve().parents[1] / "data" / "osm"
SMALL = DATA / "small.osm"
runner = CliRunner()


@pytest.fixture
def region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A graphs folder holding a small stand-in gazetteer, so tests do not track the real one."""
    graphs = tmp_path / "graphs"
    shutil.copytree(DATA / "region", graphs)
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(graphs))
    monkeypatch.setenv("RESILIENCE_REPORTS", str(tmp_path / "reports"))
    return graphs


@pytest.fixture(scope="module")
def small() -> nx.MultiDiGraph:
    return load_osm_xml(SMALL)


def _modes(G: nx.MultiDiGraph) -> dict[str, int]:
    out: dict[str, int] = {}
    for *_, m in G.edges(data="mode"):
        out[m] = out.get(m, 0) + 1
    return out


def test_xml_extract_keeps_roads_and_rail_only(small: nx.MultiDiGraph) -> None:
    highways = {d.get("highway") for *_, d in small.edges(data=True)} - {None}
    assert highways == {"trunk", "trunk_link", "secondary", "tertiary"}  # no residential
    assert {d.get("railway") for *_, d in small.edges(data=True)} - {None} == {"rail"}
    assert not {801, 802, 803} & set(small)  # the building is not part of the network
    assert _modes(small) == {"road": 15, "rail": 14, "transfer": 4}


def test_every_edge_has_mode_length_and_time(small: nx.MultiDiGraph) -> None:
    for *_, d in small.edges(data=True):
        assert d["mode"] in {"road", "rail", "transfer"}
        assert d["length"] > 0
        assert d["travel_time"] > 0
    trunk = [d for *_, d in small.edges(data=True) if d.get("highway") == "trunk"]
    assert {d["speed_kph"] for d in trunk} == {90.0}  # the tagged maxspeed
    siding = [d for *_, d in small.edges(data=True) if d.get("service") == "siding"]
    assert siding
    assert all(d["speed_kph"] == 15.0 for d in siding)


def test_stations_are_named_rail_nodes_with_transfers(small: nx.MultiDiGraph) -> None:
    station = small.nodes[502]
    assert station["kind"] == "station"
    assert station["mode"] == "rail"
    assert station["name"] == "Покровськ"
    assert "Pokrovsk" in station["aliases"]
    transfers = [(u, v) for u, v, m in small.edges(data="mode") if m == "transfer"]
    assert (502, 103) in transfers
    assert (103, 502) in transfers
    for u, v in transfers:
        assert {small.nodes[u]["mode"], small.nodes[v]["mode"]} == {"road", "rail"}


def test_road_and_rail_meet_only_through_transfers(small: nx.MultiDiGraph) -> None:
    for u, v, m in small.edges(data="mode"):
        if m != "transfer":
            assert small.nodes[u]["mode"] == small.nodes[v]["mode"] == m


def test_oneway_link_is_one_way(small: nx.MultiDiGraph) -> None:
    links = [(u, v) for u, v, h in small.edges(data="highway") if h == "trunk_link"]
    assert links == [(104, 103)]


def test_bz2_and_bbox(tmp_path: Path, small: nx.MultiDiGraph) -> None:
    packed = tmp_path / "small.osm.bz2"
    packed.write_bytes(bz2.compress(SMALL.read_bytes()))
    G = load_osm_xml(packed)
    assert sorted(G.nodes) == sorted(small.nodes)
    west = load_osm_xml(SMALL, bbox=(37.05, 48.25, 37.20, 48.30))
    assert max(d["x"] for _, d in west.nodes(data=True)) <= 37.20
    assert 502 in west
    assert 105 not in west


def test_pbf_extract_matches_xml(tmp_path: Path, small: nx.MultiDiGraph) -> None:
    osmium = pytest.importorskip("osmium")
    pbf = tmp_path / "small.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(SMALL)):
            writer.add(obj)
    G = load_osm_pbf(pbf)
    assert sorted(G.nodes) == sorted(small.nodes)
    assert _modes(G) == _modes(small)
    clipped = load_network(pbf, bbox=(37.05, 48.25, 37.20, 48.30))
    assert 105 not in clipped


def test_bad_extracts(tmp_path: Path) -> None:
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1'", encoding="utf-8")
    with pytest.raises(BadGraphError, match="not a readable OSM XML"):
        load_osm_xml(broken)
    empty = tmp_path / "empty.osm"
    empty.write_text("<osm version='0.6'></osm>", encoding="utf-8")
    with pytest.raises(BadGraphError, match="no road or rail way"):
        load_osm_xml(empty)
    with pytest.raises(BadGraphError, match="no OSM extract"):
        load_osm_pbf(tmp_path / "missing.osm.pbf")
    with pytest.raises(BadInputError, match="--stations is for line layers"):
        load_network(SMALL, stations=tmp_path / "x.geojson")


def test_road_filter_rejects_junk() -> None:
    assert "trunk_link" in road_filter(["trunk"])
    with pytest.raises(BadInputError):
        road_filter(['trunk"];way[x'])


def test_targets_on_osm_graph(small: nx.MultiDiGraph, region: Path) -> None:
    trunk = resolve_ref(small, "M30")
    assert trunk == resolve_ref(small, "М-30") == resolve_ref(small, "m-30")
    assert trunk == resolve_ref(small, "E50")
    assert all(small.edges[e]["highway"] == "trunk" for e in trunk)
    pokrovsk = resolve_place(small, "Krasnoarmiisk")
    assert {103, 502} <= pokrovsk
    assert 105 not in pokrovsk
    assert endpoint(small, "Pokrovsk") == 502  # the station carries the English name
    assert endpoint(small, "myrnohrad") in resolve_place(small, "Myrnohrad")
    assert build_removal(small, nodes=["pokrovsk"]).nodes == pokrovsk
    assert build_removal(small, refs=["Т-05-15"]).edges == resolve_ref(small, "T0515")


def test_make_multimodal_twins_level_crossings() -> None:
    road = nx.MultiDiGraph()
    road.add_node(1, x=37.0, y=48.0)
    road.add_node(2, x=37.01, y=48.0)
    road.add_edge(1, 2, length=740.0, highway="primary")
    rail = nx.MultiDiGraph()
    rail.add_node(2, x=37.01, y=48.0)  # same OSM node: a level crossing
    rail.add_node(3, x=37.0, y=48.001, railway="station", name="Halt")
    rail.add_edge(2, 3, length=750.0, railway="rail", usage="branch")
    G = impute_speeds_and_times(make_multimodal(road, rail, transfer_s=600))
    assert -2 in G
    assert G.has_edge(-2, 3)
    assert not G.has_edge(2, 3)
    assert G.edges[3, 1, 0]["mode"] == "transfer"
    assert G.edges[3, 1, 0]["travel_time"] == 600
    assert G.edges[-2, 3, 0]["speed_kph"] == 45.0
    assert G.nodes[-2]["mode"] == "rail"
    with pytest.raises(BadGraphError):
        make_multimodal(road, rail, transfer_s=-1)


def test_consolidate_merges_close_nodes_per_mode(small: nx.MultiDiGraph) -> None:
    road = small.edge_subgraph(
        [(u, v, k) for u, v, k, m in small.edges(keys=True, data="mode") if m == "road"]
    ).copy()
    merged = consolidate(road, 1600)
    assert merged.number_of_nodes() < road.number_of_nodes()
    assert {m for *_, m in merged.edges(data="mode")} == {"road"}
    assert all(-180 <= d["x"] <= 180 for _, d in merged.nodes(data=True))
    with pytest.raises(BadGraphError, match="separately"):
        consolidate(small, 50)


@pytest.mark.parametrize(
    "args",
    [
        ["cut", "--node", "myrnohrad", "--origin", "pokrovsk", "--destination", "Rodynska"],
        ["cut", "--ref", "М-30", "--origin", "pokrovsk", "--destination", "myrnohrad"],
        ["centrality", "--top", "5"],
        ["mincut", "--source", "pokrovsk", "--target", "myrnohrad"],
        ["paths", "--source", "pokrovsk", "--target", "myrnohrad"],
        ["places"],
    ],
)
def test_every_command_runs_on_the_extract(region: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--graph", str(SMALL)], terminal_width=120)
    assert result.exit_code == 0, result.output


def test_cut_pokrovsk_on_the_extract(region: Path) -> None:
    result = runner.invoke(
        app,
        [
            "cut",
            "--node",
            "pokrovsk",
            "--origin",
            "myrnohrad",
            "--destination",
            "rodynska",
            "--graph",
            str(SMALL),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Removed: pokrovsk" in result.output


# --- the download path, with osmnx's HTTP layer mocked ---------------------------------


class _Response:
    def __init__(self, payload: dict[str, Any]) -> None:
        self._payload = payload
        self.status_code = 200
        self.ok = True
        self.reason = "OK"
        self.url = "https://overpass-api.de/api/interpreter"
        self.content = json.dumps(payload).encode()
        self.text = self.content.decode()

    def json(self) -> dict[str, Any]:
        return self._payload


@pytest.fixture
def overpass(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer Overpass POSTs from the fixture; returns the list of queries sent."""
    import osmnx._http
    import osmnx._overpass
    from osmnx._osm_xml import _overpass_json_from_xml

    full = _overpass_json_from_xml(SMALL, "utf-8")
    sent: list[str] = []

    def post(url: str, data: dict[str, Any], **_: Any) -> _Response:
        query = str(data["data"])
        sent.append(query)
        key = "railway" if '"railway"' in query else "highway"
        ways = [e for e in full["elements"] if e["type"] == "way" and key in e.get("tags", {})]
        refs = {n for w in ways for n in w["nodes"]}
        nodes = [e for e in full["elements"] if e["type"] == "node" and e["id"] in refs]
        return _Response({"version": 0.6, "elements": nodes + ways})

    monkeypatch.setattr(osmnx._overpass.requests, "post", post)
    monkeypatch.setattr(osmnx._http, "_config_dns", lambda url: None)
    return sent


def test_fetch_caches_graph_and_metadata(region: Path, overpass: list[str]) -> None:
    bbox = (37.05, 48.25, 37.36, 48.42)
    path = fetch_graph(bbox=bbox, name="small")
    assert path == region / "small.graphml"
    assert len(overpass) == 2  # one query per mode
    assert any('"railway"="rail"' in q for q in overpass)
    meta = json.loads((region / "small.meta.json").read_text(encoding="utf-8"))
    assert meta["query"]["bbox"] == list(bbox)
    assert meta["nodes"]["rail"] > 0
    assert meta["edges"]["transfer"] == 4
    assert meta["osmnx"]
    G = load_network("small")
    assert _modes(G) == _modes(load_osm_xml(SMALL))
    assert fetch_graph(bbox=bbox, name="small") == path
    assert len(overpass) == 2  # cache hit: nothing sent
    fetch_graph(bbox=bbox, name="small", refresh=True)
    assert len(overpass) == 4
    with pytest.raises(BadInputError, match="different query"):
        fetch_graph(bbox=(37.0, 48.0, 37.1, 48.1), name="small")
    assert not list(region.glob(".*.tmp"))


def test_fetch_cli_and_graph_name(region: Path, overpass: list[str]) -> None:
    result = runner.invoke(
        app, ["fetch", "--point", "48.29,37.2", "--radius-km", "8", "--modes", "rail"]
    )
    assert result.exit_code == 0, result.output
    name = "point-48.2900-37.2000-8km-rail"
    assert (region / f"{name}.graphml").is_file()
    result = runner.invoke(app, ["centrality", "--graph", name, "--top", "3"])
    assert result.exit_code == 0, result.output


def test_fetch_offline_fails_fast_with_one_line(
    region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import osmnx._http
    import osmnx._overpass

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("[Errno 111] Connection refused")

    monkeypatch.setattr(osmnx._overpass.requests, "post", refuse)
    monkeypatch.setattr(osmnx._http, "_config_dns", lambda url: None)
    with pytest.raises(NetworkUnavailableError, match="no network"):
        fetch_graph(bbox=(37.0, 48.0, 37.1, 48.1))
    result = runner.invoke(app, ["fetch", "--bbox", "37.0,48.0,37.1,48.1"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "no network" in lines[0]
    assert "--graph PATH" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fetch"], "exactly one of"),
        (["fetch", "--point", "48.2", "--radius-km", "5"], "2 comma-separated"),
        (["fetch", "--point", "48.2,37.1"], "radius"),
        (["fetch", "--bbox", "37.1,48.1,37.0,48.0"], "W < E"),
        (["fetch", "--place", "x", "--modes", "air"], "road and/or rail"),
    ],
)
def test_fetch_rejects_bad_queries(region: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
