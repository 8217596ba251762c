from pathlib import Path

import pytest

from resilience.errors import BadInputError, UnknownTargetError
from resilience.targets import (
    apply_removal,
    area_targets,
    build_removal,
    endpoint,
    load_corridors,
    normalize_ref,
    resolve_corridor,
    resolve_edge,
    resolve_od,
    resolve_place,
    resolve_ref,
)
from tests.conftest import DATA


def test_place_includes_its_stations_and_aliases(toy):
    assert resolve_place(toy, "ALPHA") == {"alpha", "alpha-station"}
    assert resolve_place(toy, "old alpha") == {"alpha", "alpha-station"}
    assert resolve_place(toy, "Альфа") == {"alpha", "alpha-station"}
    assert resolve_place(toy, "bravo") == {"bravo"}


def test_unknown_place_suggests_near_names(toy):
    with pytest.raises(UnknownTargetError, match=r"unknown place 'brava'; did you mean Bravo\?"):
        resolve_place(toy, "brava")


@pytest.mark.parametrize("spelling", ["H-01", "h01", "Н-01", "H 01"])
def test_ref_in_any_spelling(toy, spelling):
    edges = resolve_ref(toy, spelling)
    assert {(u, v) for u, v, _ in edges} == {
        ("alpha", "bravo"),
        ("bravo", "alpha"),
        ("bravo", "delta"),
        ("delta", "bravo"),
    }


def test_ref_semicolon_lists_and_cyrillic():
    assert normalize_ref("М-30") == "M30"
    from resilience.targets import _ref_tokens

    assert _ref_tokens("М-30;Е50") == {"M30", "E50"}
    assert _ref_tokens(["H-20", "T-05-04"]) == {"H20", "T0504"}


def test_unknown_ref_suggests(toy):
    with pytest.raises(UnknownTargetError, match="did you mean"):
        resolve_ref(toy, "H-02")


def test_corridor_buffer_selects_nodes(toy):
    corr = load_corridors(DATA / "toy" / "corridors.geojson")
    assert resolve_corridor(toy, "bravo-corridor", corridors=corr) == {"bravo"}
    assert resolve_corridor(toy, "bravo", corridors=corr) == {"bravo"}
    with pytest.raises(UnknownTargetError, match="unknown corridor"):
        resolve_corridor(toy, "zulu", corridors=corr)


def test_corridor_cuts_the_links_crossing_it(toy, monkeypatch):
    # The toy region's own corridors file is used, not the default region's.
    removal = build_removal(toy, corridors=["charlie-road-block"])
    assert removal.nodes == frozenset()
    assert {(u, v) for u, v, _ in removal.edges} == {("alpha", "charlie"), ("charlie", "alpha")}


def test_area_targets_skip_edges_of_removed_nodes(toy):
    import shapely

    nodes, edges = area_targets(toy, shapely.Point(37.1, 48.1), buffer_m=1000)
    assert nodes == {"bravo"} and edges == frozenset()


def test_edge_between_places_both_directions(toy):
    assert {(u, v) for u, v, _ in resolve_edge(toy, "charlie", "delta")} == {
        ("charlie", "delta"),
        ("delta", "charlie"),
    }
    with pytest.raises(UnknownTargetError, match="no road or rail link joins"):
        resolve_edge(toy, "alpha", "echo")


def test_removal_of_everything_is_refused(toy):
    everything = ["alpha", "bravo", "charlie", "delta", "echo", "junction"]
    with pytest.raises(BadInputError, match="remove every node"):
        build_removal(toy, nodes=everything)


def test_apply_removal_does_not_mutate(toy):
    removal = build_removal(toy, nodes=["bravo"], refs=["P-02"])
    H = apply_removal(toy, removal)
    assert "bravo" in toy and "bravo" not in H
    assert not H.has_edge("alpha", "charlie") and toy.has_edge("alpha", "charlie")
    assert removal.slug() == "bravo+p-02"


def test_od_defaults_and_same_place(toy):
    assert resolve_od(toy) == (["alpha"], ["delta", "echo"])
    assert endpoint(toy, "Dalta") == "delta"


def test_polygon_layer(toy, tmp_path: Path):
    layer = tmp_path / "p.geojson"
    layer.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Polygon","coordinates":[[[37.15,47.95],[37.5,47.95],[37.5,48.02],'
        "[37.15,48.02],[37.15,47.95]]]}}]}"
    )
    removal = build_removal(toy, polygons=[layer])
    assert removal.nodes == {"delta", "delta-station", "echo"}


def _box_layer(path: Path, crs: str | None) -> Path:
    import geopandas as gpd
    from shapely.geometry import box

    wgs = gpd.GeoDataFrame(geometry=[box(37.15, 47.95, 37.5, 48.02)], crs="EPSG:4326")
    layer = wgs.to_crs("EPSG:3857")
    layer = layer if crs else layer.set_crs(None, allow_override=True)
    layer.to_file(path, engine="pyogrio")
    return path


def test_polygon_layer_in_web_mercator_is_reprojected(toy, tmp_path: Path):
    layer = _box_layer(tmp_path / "p.gpkg", "EPSG:3857")
    removal = build_removal(toy, polygons=[layer])
    assert removal.nodes == {"delta", "delta-station", "echo"}


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
@pytest.mark.parametrize("name", ["p.gpkg", "p.geojson"])
def test_polygon_layer_in_metres_without_crs_is_refused(toy, tmp_path: Path, name):
    layer = _box_layer(tmp_path / name, None)
    with pytest.raises(BadInputError) as info:
        build_removal(toy, polygons=[layer])
    message = str(info.value)
    assert message.startswith(f"polygon layer {name}: its coordinates are not longitude/latitude")
    assert "\n" not in message


def test_place_label_names_nodes_of_other_graphs_by_gazetteer(toy):
    from resilience.sources.bundled import load_places
    from resilience.targets import place_label

    G = toy.copy()
    G.graph["source"] = "osm"
    G.add_node("km40", x=37.101, y=48.101, name="40")
    G.add_node("far", x=39.0, y=49.0, name="Field")
    gaz = load_places(DATA / "toy")
    assert place_label(G, "km40", gazetteer=gaz) == "Bravo"
    assert place_label(G, "far", gazetteer=gaz) == "Field"
    assert place_label(toy, "delta-station") == "Delta station"


# -- one of several parallel links, transfers (issues 11, 12) ------------------------------


def parallel_roads(path: Path) -> Path:
    """A road line layer: West - A, two parallel roads A - B (straight, bent), B - East."""
    import geopandas as gpd
    import shapely
    from shapely.geometry import LineString

    lines = [
        LineString([(0, 0), (1000, 0)]),
        LineString([(0, 0), (500, 300), (1000, 0)]),
        LineString([(1000, 0), (2000, 0)]),
        LineString([(-700, 0), (0, 0)]),
    ]
    geoms = [shapely.affinity.translate(g, 400_000.0, 5_300_000.0) for g in lines]
    names = ["Straight", "Bend", "East", "West"]
    gpd.GeoDataFrame({"name": names}, geometry=geoms, crs="EPSG:32637").to_file(path)
    return path


@pytest.fixture
def parallel(tmp_path):
    from resilience.sources.lines import graph_from_lines

    G = graph_from_lines(parallel_roads(tmp_path / "parallel.gpkg"), mode="road")
    a, b = next((u, v) for u, v, d in G.edges(data="name") if d == "Straight")
    return G, a, b


def test_edge_key_names_one_of_two_parallel_links(parallel):
    G, a, b = parallel
    everything = resolve_edge(G, str(a), str(b))
    assert len(everything) == 4  # two links, both directions each
    straight = next(k for k, d in G[a][b].items() if d["name"] == "Straight")
    one = resolve_edge(G, str(a), str(b), key=str(straight))
    assert one == {(a, b, straight), (b, a, straight)}
    assert {G.edges[e]["source_id"] for e in one} == {G[a][b][straight]["source_id"]}
    removal = build_removal(G, edges=[(str(a), str(b), str(straight))])
    assert removal.links == 1
    assert build_removal(G, edges=[(str(a), str(b))]).links == 2
    H = apply_removal(G, removal)
    assert [d["name"] for d in H[a][b].values()] == ["Bend"]


def test_edge_unknown_key_lists_the_keys_there(parallel):
    G, a, b = parallel
    with pytest.raises(UnknownTargetError, match=r"no link with key '7'.*keys there: 0 \(.*1 \("):
        resolve_edge(G, str(a), str(b), key="7")


def test_edge_transfer_by_node_ids_but_not_the_same_place(toy):
    assert resolve_edge(toy, "delta", "delta-station") == {
        ("delta", "delta-station", 0),
        ("delta-station", "delta", 0),
    }
    assert build_removal(toy, edges=[("delta-station", "delta")]).links == 1
    with pytest.raises(UnknownTargetError, match="same place"):
        resolve_edge(toy, "delta", "delta")
    with pytest.raises(UnknownTargetError, match="same place"):
        resolve_edge(toy, "delta", "Delta Station")


def test_repeated_edges_accumulate_and_count_links(toy):
    removal = build_removal(toy, edges=[("alpha", "bravo"), ("alpha", "charlie", "0")])
    assert removal.links == 2
    assert len(removal.edges) == 4
    assert removal.labels == ("alpha-bravo", "alpha-charlie#0")


def test_edge_key_between_towns_with_stations_picks_the_named_nodes():
    from resilience.sources.bundled import load_region

    G = load_region()
    both = resolve_edge(G, "pokrovsk", "myrnohrad")
    assert {frozenset(e[:2]) for e in both} == {
        frozenset({"pokrovsk", "myrnohrad"}),
        frozenset({"pokrovsk-station", "myrnohrad-station"}),
    }
    assert resolve_edge(G, "pokrovsk", "myrnohrad", key="0") == {
        ("pokrovsk", "myrnohrad", 0),
        ("myrnohrad", "pokrovsk", 0),
    }
    rail = resolve_edge(G, "pokrovsk-station", "myrnohrad-station", key="0")
    assert {G.edges[e]["mode"] for e in rail} == {"rail"}
    with pytest.raises(UnknownTargetError, match="several node pairs"):
        resolve_edge(G, "Krasnoarmiisk", "myrnohrad", key="0")
