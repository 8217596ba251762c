"""Graphs from line layers: synthetic checks and the real regional rail layer (shared data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from resilience.cli import app
from resilience.errors import BadGraphError, BadInputError
from resilience.sources.lines import graph_from_lines
from resilience.targets import endpoint, resolve_place

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
RAIL = SHARED / "ukraine-railroads-dcw-jamyspencer" / "railroads_window_clip.geojson"
STATIONS = SHARED / "ukraine-rail-stations-osm-njfinney" / "rail_stations_window.geojson"
REGION = Path(__file__).resolve().parents[1] / "data" / "osm" / "region"
runner = CliRunner()


def _layer(path: Path, features: list[dict], crs: bool = True) -> Path:
    data: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _line(coords: list[list[float]]) -> dict:
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def test_gaps_within_tolerance_join_and_crossings_split(tmp_path: Path) -> None:
    # The second line stops ~20 m short of the first; the third crosses the first.
    path = _layer(
        tmp_path / "lines.geojson",
        [
            _line([[37.0, 48.0], [37.1, 48.0]]),
            _line([[37.05, 48.00018], [37.05, 48.05]]),
            _line([[37.08, 47.95], [37.08, 48.05]]),
        ],
    )
    G = graph_from_lines(path, mode="rail")
    assert nx.is_strongly_connected(G)
    assert G.number_of_nodes() == 7  # 2 junctions + 5 line ends
    assert {d["mode"] for *_, d in G.edges(data=True)} == {"rail"}
    east = [d["length"] for u, v, d in G.edges(data=True)]
    assert min(east) > 1000
    apart = graph_from_lines(path, mode="rail", snap_m=5)
    assert not nx.is_weakly_connected(apart)


def test_road_mode_and_refusals(tmp_path: Path) -> None:
    path = _layer(tmp_path / "r.geojson", [_line([[37.0, 48.0], [37.1, 48.0]])])
    G = graph_from_lines(path, mode="road")
    assert {d["highway"] for *_, d in G.edges(data=True)} == {"unclassified"}
    assert all(d["travel_time"] > 0 for *_, d in G.edges(data=True))
    with pytest.raises(BadInputError):
        graph_from_lines(path, mode="air")
    points = _layer(
        tmp_path / "p.geojson",
        [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [37, 48]},
            }
        ],
    )
    with pytest.raises(BadGraphError, match="no line"):
        graph_from_lines(points)
    shp = tmp_path / "nocrs.shp"
    import geopandas as gpd
    from shapely.geometry import LineString

    with pytest.warns(UserWarning, match="crs"):
        gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])]).to_file(shp)
    with pytest.raises(BadGraphError, match="coordinate reference system"):
        graph_from_lines(shp)


@pytest.fixture(scope="module")
def rail() -> nx.MultiDiGraph:
    if not (RAIL.is_file() and STATIONS.is_file()):
        pytest.skip(f"shared rail layers not found under {SHARED}")
    return graph_from_lines(RAIL, mode="rail", stations=STATIONS)


@pytest.fixture
def region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    graphs = tmp_path / "graphs"
    shutil.copytree(REGION, graphs)
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(graphs))
    monkeypatch.setenv("RESILIENCE_REPORTS", str(tmp_path / "reports"))
    return graphs


@pytest.mark.shared_data
def test_pokrovsk_station_is_a_junction(rail: nx.MultiDiGraph, region: Path) -> None:
    stations = [n for n, d in rail.nodes(data=True) if d.get("name") == "Pokrovsk"]
    assert len(stations) == 1
    station = stations[0]
    assert rail.nodes[station]["kind"] == "station"
    assert "Покровськ" in rail.nodes[station]["aliases"]
    (junction,) = set(rail.successors(station))
    assert rail.out_degree(junction) >= 4  # the station link and three or more lines

    lines = set(rail.successors(junction)) - {station}
    assert len(lines) >= 3  # a junction of three or more lines

    def route(name: str) -> list[int]:
        path = nx.shortest_path(rail, station, endpoint(rail, name), weight="length")
        assert path[1] == junction
        return list(path[2:])

    west, north, south = route("Dnipro"), route("Kramatorsk"), route("Donetsk")
    assert west[0] != north[0]
    assert west[0] != south[0]
    assert route("Kostiantynivka")[0] == north[0]
    # On this coarse layer Kramatorsk and Donetsk trains leave on the same track east of
    # Pokrovsk and split ~42 km on (the coarse layer joins them there).
    shared = next(i for i, (a, b) in enumerate(zip(north, south, strict=False)) if a != b)
    km = nx.path_weight(rail, [junction, *north[:shared]], "length") / 1000
    assert 20 < km < 60
    assert station in resolve_place(rail, "Pokrovsk")


@pytest.mark.shared_data
def test_cli_on_the_real_rail_layer(rail: nx.MultiDiGraph, region: Path) -> None:
    layer = ["--graph", str(RAIL), "--mode", "rail", "--stations", str(STATIONS)]
    result = runner.invoke(
        app, ["mincut", "--source", "dnipro", "--target", "kramatorsk", *layer], terminal_width=160
    )
    assert result.exit_code == 0, result.output
    assert "Minimum edge cut dnipro → kramatorsk" in result.output
    result = runner.invoke(
        app,
        [
            "cut",
            "--node",
            "pokrovsk",
            "--origin",
            "dnipro",
            "--destination",
            "kramatorsk",
            "--destination",
            "donetsk",
            *layer,
        ],
        terminal_width=160,
    )
    assert result.exit_code == 0, result.output
    assert "Removed: pokrovsk" in result.output
