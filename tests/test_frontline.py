"""Front-line layers by date, their removal, the min cut between OD sets and the timeline."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest

from resilience.errors import BadInputError
from resilience.frontline import (
    frontline_removal,
    load_frontline,
    od_min_cut,
    parse_date,
    timeline,
)
from resilience.sources.bundled import load_region

DATA = Path(__file__).parent / "data"
SMALL = DATA / "frontline_small.geojson"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
KEYDATES = SHARED / "deepstate-occupied-daily-cyterat" / "deepstate_occupied_keydates_clip.geojson"
STATUS = SHARED / "deepstate-status-history-danielrose" / "deepstate_status_keydates_clip.geojson"


@pytest.fixture(scope="module")
def toy():
    return load_region(DATA / "toy")


@pytest.fixture(scope="module")
def front():
    return load_frontline(SMALL)


def test_dates_and_categories(front):
    assert front.dates == [dt.date(2024, 1, 1), dt.date(2024, 6, 1), dt.date(2024, 9, 1)]
    assert front.categories == ["occupied", "unknown_grey"]


def test_layer_is_latest_on_or_before(front):
    assert front.layer_date("2024-01-01") == dt.date(2024, 1, 1)
    assert front.layer_date("2024-05-31") == dt.date(2024, 1, 1)
    assert front.layer_date(dt.date(2030, 1, 1)) == dt.date(2024, 9, 1)
    with pytest.raises(BadInputError, match="no front line on or before 2023-12-31"):
        front.layer_date("2023-12-31")


def test_removal_grows_with_the_front(toy, front):
    early = frontline_removal(toy, front, "2024-03-01")
    assert early.nodes == {"echo"}
    assert early.labels == ("front line 2024-01-01",)
    later = frontline_removal(toy, front, "2024-06-01")
    assert later.nodes == {"delta", "delta-station", "echo"}
    grey = frontline_removal(toy, front, "2024-06-01", categories=["occupied", "unknown_grey"])
    assert grey.nodes == {"bravo", "delta", "delta-station", "echo"}


def test_link_crossing_the_area_is_cut_though_its_towns_hold(toy, front):
    removal = frontline_removal(toy, front, "2024-09-01")
    assert removal.nodes == frozenset()
    assert removal.edges == {("alpha", "charlie", 0), ("charlie", "alpha", 0)}


def test_buffer_reaches_nearby_places(toy, front):
    plain = frontline_removal(toy, front, "2024-09-01")
    grown = frontline_removal(toy, front, "2024-09-01", buffer_m=8000)
    assert plain.nodes < grown.nodes


def test_bad_category_and_date(toy, front):
    with pytest.raises(BadInputError, match="unknown front-line category 'red'"):
        frontline_removal(toy, front, "2024-06-01", categories=["red"])
    with pytest.raises(BadInputError, match="YYYY-MM-DD"):
        parse_date("01/06/2024")


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(BadInputError, match="not found"):
        load_frontline(tmp_path / "nope.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"^cannot read front-line layer bad\.geojson: "):
        load_frontline(bad)


def test_layer_in_web_mercator_reads_the_same(tmp_path, front):
    import geopandas as gpd

    metres = tmp_path / "small.gpkg"
    gpd.read_file(SMALL).to_crs("EPSG:3857").to_file(metres, engine="pyogrio")
    again = load_frontline(metres)
    assert again.dates == front.dates
    assert again.categories == front.categories
    for key, geoms in front.features.items():
        assert all(g.equals_exact(h, 1e-9) for g, h in zip(again.features[key], geoms, strict=True))


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_layer_in_metres_without_crs_is_one_line(tmp_path):
    import geopandas as gpd

    metres = tmp_path / "small.gpkg"
    layer = gpd.read_file(SMALL).to_crs("EPSG:3857").set_crs(None, allow_override=True)
    layer.to_file(metres, engine="pyogrio")
    with pytest.raises(
        BadInputError, match=r"^front-line layer small\.gpkg: its coordinates are not"
    ):
        load_frontline(metres)


def test_layer_without_dates_or_polygons(tmp_path):
    square = '{"type":"Polygon","coordinates":[[[37,48],[37.1,48],[37.1,48.1],[37,48]]]}'
    undated = tmp_path / "undated.geojson"
    undated.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},'
        f'"geometry":{square}}}]}}',
        encoding="utf-8",
    )
    with pytest.raises(BadInputError, match=r"^undated\.geojson: its features have no 'date'"):
        load_frontline(undated)
    points = tmp_path / "points.geojson"
    points.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"date":"2024-01-01"},"geometry":{"type":"Point","coordinates":[37,48]}}]}',
        encoding="utf-8",
    )
    with pytest.raises(BadInputError, match="no polygon in the layer"):
        load_frontline(points)


def test_polygon_without_date_is_named(tmp_path):
    bad = tmp_path / "nodate.geojson"
    bad.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":null},'
        '"geometry":{"type":"Polygon","coordinates":[[[37,48],[37.1,48],[37.1,48.1],[37,48]]]}}]}',
        encoding="utf-8",
    )
    with pytest.raises(BadInputError, match="polygon feature 0 has no 'date' property"):
        load_frontline(bad)


def test_gzipped_layer_reads_the_same(tmp_path, front):
    gz = tmp_path / "small.geojson.gz"
    with SMALL.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert load_frontline(gz).features == front.features


def test_od_min_cut_matches_menger_on_toy(toy):
    size, edges = od_min_cut(toy, ["alpha"], ["delta", "echo"])
    assert size == 3
    assert len(edges) == 3
    assert od_min_cut(toy, ["alpha"], []) == (0, [])


def test_timeline_rows(toy, front):
    frame = timeline(toy, front, "2024-01-01", "2024-09-01", 100, ["alpha"], ["delta", "echo"])
    assert list(frame["date"]) == ["2024-01-01", "2024-04-10", "2024-07-19", "2024-09-01"]
    assert list(frame["layer_date"]) == ["2024-01-01", "2024-01-01", "2024-06-01", "2024-09-01"]
    # The baseline is the network on the first day: Echo, held by then, is no loss and
    # no destination; the area receding on 2024-09-01 shows as a gain.
    assert list(frame["destinations_total"]) == [1, 1, 1, 1]
    assert list(frame["destinations_reachable"]) == [1, 1, 0, 1]
    assert list(frame["nodes_lost"]) == [1, 1, 3, 0]
    assert list(frame["nodes_lost_since_start"]) == [0, 0, 2, 0]
    # Links are counted against the first day too (a two-way link once).
    assert all(frame["links_lost_since_start"] <= frame["links_lost"])
    assert frame.loc[0, "links_lost_since_start"] == 0
    # Delta itself falls on 2024-07-19: its pair is lost, not cut off (issue 12).
    assert list(frame["pairs_lost"]) == [0, 0, 1, 0]
    assert list(frame["pairs_cut_off"]) == [0, 0, 0, 0]
    # The lost pair counts at the penalty (a day), so the mean rises when it falls; the
    # connected-only mean has no pair left that day.
    assert list(frame["mean_time_increase_min"]) == [0.0, 0.0, 1440.0, 0.0]
    assert frame["mean_time_increase_connected_min"].isna().tolist() == [False, False, True, False]
    assert list(frame["efficiency_loss_pct"])[:2] == [0.0, 0.0]
    assert list(frame["min_cut"]) == [3, 3, 0, 2]
    with pytest.raises(BadInputError, match="before it starts"):
        timeline(toy, front, "2024-09-01", "2024-01-01", 30, ["alpha"], ["delta"])


@pytest.mark.shared_data
def test_real_layer_pokrovsk_falls_on_2025_11_20():
    if not KEYDATES.is_file():
        pytest.skip(f"shared DeepState layer absent: {KEYDATES}")
    G = load_region()
    front = load_frontline(KEYDATES)
    assert "pokrovsk" not in frontline_removal(G, front, "2025-07-01").nodes
    assert "pokrovsk" in frontline_removal(G, front, "2025-11-20").nodes
    assert "kramatorsk" not in frontline_removal(G, front, "2026-08-22").nodes


@pytest.mark.shared_data
def test_real_status_layer_has_ordlo_and_grey():
    if not STATUS.is_file():
        pytest.skip(f"shared DeepState status layer absent: {STATUS}")
    G = load_region()
    front = load_frontline(STATUS)
    assert set(front.categories) == {"occupied", "occupied_pre2022_ordlo", "unknown_grey"}
    occupied = frontline_removal(G, front, "2024-02-17", categories=["occupied"])
    held = frontline_removal(
        G, front, "2024-02-17", categories=["occupied", "occupied_pre2022_ordlo"]
    )
    assert occupied.nodes <= held.nodes
    assert "donetsk" in held.nodes
    # No categories named: "lost" means what scenario files and the analysis date mean.
    assert frontline_removal(G, front, "2024-02-17") == held
