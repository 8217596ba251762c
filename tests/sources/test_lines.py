"""Graphs from line layers: noding cases built with shapely, and the real DCW rail layer."""

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


# A UTM zone over the region: coordinates in metres, so gaps are exact.
UTM = "EPSG:32637"
X0, Y0 = 400_000.0, 5_300_000.0


def _utm_layer(path: Path, lines: list, crs: str = UTM, **columns: list) -> Path:
    """A layer of shapely lines given in metres from (X0, Y0), saved in ``crs``."""
    import geopandas as gpd
    import shapely

    geoms = [shapely.affinity.translate(g, X0, Y0) for g in lines]
    gdf = gpd.GeoDataFrame(columns or None, geometry=geoms, crs=UTM)
    gdf.to_crs(crs).to_file(path)
    return path


def _ends(G: nx.MultiDiGraph) -> set[tuple[float, float]]:
    return {c for *_, g in G.edges(data="geometry") for c in (g.coords[0], g.coords[-1])}


def test_near_miss_is_merged_to_one_point_within_the_tolerance(tmp_path: Path) -> None:
    from shapely import LineString

    # Two lines whose ends are 0.6 m apart.
    lines = [LineString([(0, 0), (1000, 0)]), LineString([(1000.6, 0), (2000, 0)])]
    path = _utm_layer(tmp_path / "gap.gpkg", lines)
    G = graph_from_lines(path, mode="road", snap_m=1)
    assert nx.is_strongly_connected(G)
    assert G.number_of_nodes() == 3
    assert G.number_of_edges() == 4  # two links, both directions
    # The ends meet at ONE point (no swapping): the middle node, where both links end.
    middle = next(n for n in G if G.out_degree(n) == 2)
    xy = (G.nodes[middle]["x"], G.nodes[middle]["y"])
    ends_at_middle = [g.coords[-1] for _, v, g in G.edges(data="geometry") if v == middle]
    assert len(ends_at_middle) == 2
    assert all(end == ends_at_middle[0] for end in ends_at_middle)
    assert ends_at_middle[0] == pytest.approx(xy, abs=1e-12)
    assert "2 line ends joined" in G.graph["noding"]
    apart = graph_from_lines(path, mode="road", snap_m=0.1)
    assert apart.number_of_nodes() == 4
    assert not nx.is_weakly_connected(apart)
    assert "0 line ends joined" in apart.graph["noding"]


def test_t_junction_on_a_vertex_splits_but_a_near_pass_does_not(tmp_path: Path) -> None:
    from shapely import LineString

    lines = [
        LineString([(0, 0), (500, 0), (1000, 0)]),  # a through line with a vertex at 500
        LineString([(500, 0.4), (500, 800)]),  # ends 0.4 m from that vertex
        LineString([(300, 0.4), (300, -800)]),  # ends 0.4 m from the line, at no vertex
    ]
    G = graph_from_lines(_utm_layer(tmp_path / "t.gpkg", lines), mode="road")
    assert G.number_of_edges() == 2 * 4  # the through line in two pieces, two branches
    assert sorted(G.out_degree(n) for n in G) == [1, 1, 1, 1, 1, 3]
    assert "1 lines split at shared vertices" in G.graph["noding"]
    assert nx.number_weakly_connected_components(G) == 2  # the near-pass stays apart
    assert min(d for *_, d in G.edges(data="length")) == pytest.approx(500, abs=2)


def test_crossing_without_a_shared_vertex_is_noded_only_when_asked(tmp_path: Path) -> None:
    from shapely import LineString

    lines = [LineString([(0, 0), (1000, 0)]), LineString([(500, -500), (500, 500)])]
    path = _utm_layer(tmp_path / "x.gpkg", lines)
    G = graph_from_lines(path, mode="road")
    assert (G.number_of_nodes(), G.number_of_edges()) == (4, 4)
    assert nx.number_weakly_connected_components(G) == 2
    noded = graph_from_lines(path, mode="road", node_crossings=True)
    assert (noded.number_of_nodes(), noded.number_of_edges()) == (5, 8)
    assert nx.is_strongly_connected(noded)
    assert "crossing points" in noded.graph["noding"]
    # Every piece keeps the feature it came from.
    by_source = sorted(d for *_, d in noded.edges(data="source_id"))
    assert by_source == [0, 0, 0, 0, 1, 1, 1, 1]


def test_parallel_links_are_separate_and_attributes_are_kept(tmp_path: Path) -> None:
    from shapely import LineString, MultiLineString

    lines = [
        LineString([(0, 0), (1000, 0)]),
        LineString([(0, 0), (500, 300), (1000, 0)]),
        MultiLineString([[(1000, 0), (2000, 0)], [(0, 0), (-700, 0)]]),
    ]
    path = _utm_layer(
        tmp_path / "p.gpkg",
        lines,
        name=["Straight", "Bend", "Ends"],
        ref=["H-20", "M-30", "T-05"],
        highway=["primary", "secondary", "tertiary"],
        ID=[11, 12, 13],
    )
    G = graph_from_lines(path, mode="road")
    a, b = next((u, v) for u, v, d in G.edges(data="name") if d == "Straight")
    assert set(G[a][b]) == {0, 1}  # the two routes are two parallel links
    assert {G[a][b][k]["name"] for k in (0, 1)} == {"Straight", "Bend"}
    assert {G[a][b][k]["highway"] for k in (0, 1)} == {"primary", "secondary"}
    assert {G[a][b][k]["ID"] for k in (0, 1)} == {11, 12}
    # The MultiLineString is exploded; both parts keep its id and attributes.
    ends = [d for *_, d in G.edges(data=True) if d["source_id"] == 2]
    assert len(ends) == 4
    assert {d["ref"] for d in ends} == {"T-05"}
    assert sorted({round(d["length"]) for d in ends}) == [700, 1000]


def test_z_coordinates_and_a_layer_in_web_mercator(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely import LineString

    z = gpd.GeoDataFrame(
        geometry=[LineString([(37.0, 48.0, 120.0), (37.1, 48.0, 130.0)])], crs="EPSG:4326"
    )
    z.to_file(tmp_path / "z.geojson")
    G = graph_from_lines(tmp_path / "z.geojson", mode="road")
    assert all(not g.has_z for *_, g in G.edges(data="geometry"))
    length = next(iter(G.edges(data="length")))[2]
    assert length == pytest.approx(7460, rel=0.01)  # 0.1 degree of longitude at 48 N

    z.to_crs("EPSG:3857").to_file(tmp_path / "merc.gpkg")
    M = graph_from_lines(tmp_path / "merc.gpkg", mode="road")
    xs = sorted((d["x"], d["y"]) for _, d in M.nodes(data=True))
    assert xs[0] == pytest.approx((37.0, 48.0), abs=1e-9)
    assert xs[1] == pytest.approx((37.1, 48.0), abs=1e-9)
    assert next(iter(M.edges(data="length")))[2] == pytest.approx(length, abs=0.2)


def test_pieces_collapsed_by_merging_are_dropped(tmp_path: Path) -> None:
    from shapely import LineString

    lines = [
        LineString([(0, 0), (1000, 0)]),
        LineString([(1000.3, 0), (1000.8, 0)]),  # a 0.5 m sliver between two ends
        LineString([(1000.9, 0), (2000, 0)]),
    ]
    G = graph_from_lines(_utm_layer(tmp_path / "s.gpkg", lines), mode="road")
    assert G.number_of_nodes() == 3
    assert min(d for *_, d in G.edges(data="length")) > 990
    assert "1 zero-length pieces and 0 closed loops dropped" in G.graph["noding"]


def test_road_mode_and_refusals(tmp_path: Path) -> None:
    path = _layer(tmp_path / "r.geojson", [_line([[37.0, 48.0], [37.1, 48.0]])])
    G = graph_from_lines(path, mode="road")
    assert {d["highway"] for *_, d in G.edges(data=True)} == {"unclassified"}
    assert all(d["travel_time"] > 0 for *_, d in G.edges(data=True))
    with pytest.raises(BadInputError):
        graph_from_lines(path, mode="air")
    with pytest.raises(BadInputError, match="non-negative"):
        graph_from_lines(path, snap_m=-1)
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
    with pytest.raises(BadGraphError, match="not longitude/latitude"):
        graph_from_lines(shp)


@pytest.mark.shared_data
def test_the_real_dcw_layer_noding_and_redundancy() -> None:

    from resilience.analysis.redundancy import redundancy

    full = RAIL.with_name("railroads.shp")
    if not full.is_file():
        pytest.skip(f"shared rail layer not found under {SHARED}")
    G = graph_from_lines(full, mode="rail")
    # 1,720 features, 1,733 lines once exploded; a few ends meet within a metre.
    assert G.graph["noding"].startswith("1720 features, 1733 lines -> ")
    lengths = [d for *_, d in G.edges(data="length")]
    assert min(lengths) > 1  # no sliver survives merging
    table = redundancy(G, weight="length")  # its speed: just bench --only redundancy
    assert len(table) == G.number_of_edges() // 2
    assert 0 < table["detour"].sum() < len(table)
    assert (table.loc[table["detour"], "alt_length"] > 0).all()
    assert table.loc[~table["detour"], "alt_length"].isna().all()


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
