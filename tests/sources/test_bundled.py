from pathlib import Path

import pytest

from resilience.errors import BadGraphError
from resilience.sources.bundled import load_places, load_region
from tests.conftest import DATA


def test_toy_edges_are_two_way_with_derived_times(toy):
    # Alpha–Bravo: 13.4 km great-circle × 1.25 detour at 70 km/h.
    e = toy.edges["alpha", "bravo", 0]
    assert e["mode"] == "road" and e["highway"] == "primary" and e["ref"] == "H-01"
    assert e["length"] == pytest.approx(16_732, rel=1e-3)
    assert e["travel_time"] == pytest.approx(e["length"] / (70 / 3.6), abs=0.1)
    assert toy.edges["bravo", "alpha", 0]["length"] == e["length"]


def test_link_detour_override_is_used(toy):
    # delta–echo carries detour 1.0, so its length is the great-circle distance.
    assert toy.edges["delta", "echo", 0]["length"] == pytest.approx(14_878, rel=1e-3)


def test_stations_get_transfer_edges_to_their_town(toy):
    e = toy.edges["alpha-station", "alpha", 0]
    assert e["mode"] == "transfer" and e["travel_time"] == 1800
    assert toy.has_edge("alpha", "alpha-station")
    assert not toy.has_edge("junction", "alpha")


def test_graph_metadata(toy):
    assert toy.graph["origins"] == ["alpha"]
    assert toy.graph["destinations"] == ["delta", "echo"]
    assert toy.graph["crs"] == "epsg:4326"
    assert toy.nodes["alpha"]["x"] == 37.0 and toy.nodes["alpha"]["y"] == 48.0


def _copy_region(tmp_path: Path) -> Path:
    dst = tmp_path / "r"
    dst.mkdir()
    for f in (DATA / "toy").iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def test_unknown_place_in_links_is_refused(tmp_path):
    region = _copy_region(tmp_path)
    with (region / "links.csv").open("a") as fh:
        fh.write("alpha,zulu,road,primary,,x,,\n")
    with pytest.raises(BadGraphError, match="line 10: unknown place 'zulu'"):
        load_region(region)


def test_rail_link_between_towns_is_refused(tmp_path):
    region = _copy_region(tmp_path)
    with (region / "links.csv").open("a") as fh:
        fh.write("alpha,delta,rail,main,,x,,\n")
    with pytest.raises(BadGraphError, match="must join two rail places"):
        load_region(region)


def test_bad_coordinate_is_refused(tmp_path):
    region = _copy_region(tmp_path)
    text = (region / "places.csv").read_text().replace("48.1000,37.1000", "48.1x,37.1000")
    (region / "places.csv").write_text(text)
    with pytest.raises(BadGraphError, match="lat/lon of 'bravo' is not a number"):
        load_places(region)


def test_missing_region_is_refused(tmp_path):
    with pytest.raises(BadGraphError, match="no embedded region"):
        load_region(tmp_path / "absent")
