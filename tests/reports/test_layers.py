"""GIS layers: links as lines, places as points, routes, in EPSG:4326, read back from disk."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from typer.testing import CliRunner

from resilience.analysis.criticality import scan
from resilience.io import write_layers
from resilience.reports.layers import element_layers, links_layer, routes_layer
from resilience.sources.bundled import load_region
from resilience.targets import apply_removal, build_removal
from tests.conftest import DATA


def test_scan_table_becomes_link_lines_and_place_points(tmp_path):
    G = load_region(DATA / "toy")
    origins, destinations = list(G.graph["origins"]), list(G.graph["destinations"])
    table = scan(G, origins, destinations, elements="both")
    layers = element_layers(G, table)
    n_links = int((table["element"] == "edge").sum())
    assert len(layers["links"]) == n_links > 0
    assert len(layers["places"]) == len(table) - n_links > 0
    path = write_layers(layers, tmp_path / "scan.gpkg")
    assert sorted(str(n) for n, _ in pyogrio.list_layers(path)) == ["links", "places"]
    links = gpd.read_file(path, layer="links")
    places = gpd.read_file(path, layer="places")
    assert links.crs.to_epsg() == places.crs.to_epsg() == 4326
    assert set(links.geom_type) == {"LineString"}
    assert set(places.geom_type) == {"Point"}
    # Each line joins its link's two ends.
    for row in links.itertuples():
        ends = {tuple(row.geometry.coords[0]), tuple(row.geometry.coords[-1])}
        nodes = {(G.nodes[n]["x"], G.nodes[n]["y"]) for n in (row.u, row.v)}
        assert ends == nodes
    assert "x" not in links.columns
    assert {"importance", "unsatisfied", "efficiency_loss"} <= set(links.columns)


def test_links_layer_has_one_feature_per_two_way_link():
    G = load_region(DATA / "toy")
    layer = links_layer(G)
    two_way = {frozenset((u, v, k)) for u, v, k in G.edges(keys=True)}
    assert len(layer) == len(two_way)
    assert layer.crs.to_epsg() == 4326


def test_routes_layer_before_and_after_a_cut():
    G = load_region(DATA / "toy")
    removal = build_removal(G, nodes=["bravo"])
    H = apply_removal(G, removal)
    origins, destinations = list(G.graph["origins"]), list(G.graph["destinations"])
    routes = routes_layer(G, H, origins, destinations)
    assert set(routes["when"]) == {"before", "after"}
    assert len(routes) % 2 == 0
    before = routes[routes["when"] == "before"]
    assert (before["status"] == "ok").all()
    assert pd.Series(before.geom_type).eq("LineString").all()
    after = routes[routes["when"] == "after"]
    ok = after[after["status"] == "ok"]
    merged = ok.merge(before, on=["origin", "destination"], suffixes=("_a", "_b"))
    assert (merged["time_min_a"] >= merged["time_min_b"] - 1e-9).all()
    assert not any("Bravo" in via for via in after["via"])


def test_cli_scan_writes_lines_and_points(tmp_path, monkeypatch):
    from resilience.cli import app

    monkeypatch.setenv("RESILIENCE_GRAPHS", str(Path("tests/data").resolve()))
    args = ["scan", "--graph", "toy", "--both", "--top", "3", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args, terminal_width=120)
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "scan").rglob("scan.gpkg")  # in a per-run folder
    kinds = {str(n): str(t) for n, t in pyogrio.list_layers(path)}
    assert kinds == {"links": "LineString", "places": "Point"}


def test_scan_attack_and_bridges_columns_are_in_the_dictionary():
    from resilience.analysis import attack, criticality
    from resilience.columns import COLUMNS, missing

    G = load_region(DATA / "toy")
    bridges = criticality.bridges_and_articulation_points(G)
    names = [*criticality.COLUMNS, *attack.COLUMNS, *bridges.columns]
    assert missing(names) == []
    assert missing(["no_such_column"]) == ["no_such_column"]
    assert COLUMNS["importance"].unit == "s"


def test_attack_lists_the_places_removed_at_each_step():
    from resilience.analysis.attack import attack

    G = load_region(DATA / "toy")
    origins, destinations = list(G.graph["origins"]), list(G.graph["destinations"])
    curve = attack(G, origins, destinations, strategy="degree", steps=3, fraction=0.5)
    names = [[n for n in cell.split("; ") if n] for cell in curve["removed_at_step"]]
    assert names[0] == []
    assert [len(n) for n in names[1:]] == list(curve["removed"].diff().iloc[1:].astype(int))
    every = [n for step in names for n in step]
    assert len(every) == len(set(every)) == curve["removed"].iloc[-1] > 0
    labels = {str(d.get("name") or n) for n, d in G.nodes(data=True)}
    assert {n.split(" (")[0] for n in every} <= labels


def test_cli_cut_export_network_writes_routes_and_the_damaged_network(tmp_path, monkeypatch):
    from resilience.cli import app

    monkeypatch.setenv("RESILIENCE_GRAPHS", str(Path("tests/data").resolve()))
    base = ["cut", "--graph", "toy", "--node", "bravo"]
    kinds = {}
    for flag in ([], ["--export-network"]):
        out = tmp_path / ("net" if flag else "plain")
        result = CliRunner().invoke(app, [*base, *flag, "--out", str(out)])
        assert result.exit_code == 0, result.output
        kinds[bool(flag)] = sorted(p.name for p in out.rglob("*.*"))
    assert "layers.gpkg" not in kinds[False]  # the default outputs stay as they were
    assert kinds[True] == sorted([*kinds[False], "layers.gpkg"])
    (path,) = (tmp_path / "net").rglob("layers.gpkg")
    assert gpd.read_file(path, layer="routes").crs.to_epsg() == 4326
    assert {str(n): str(t) for n, t in pyogrio.list_layers(path)} == {
        "routes": "LineString",
        "network_after": "LineString",
        "removed_links": "LineString",
        "removed_places": "Point",
    }
    net = gpd.read_file(path, layer="network_after")
    assert "bravo" not in set(net["u"]) | set(net["v"])
    places = gpd.read_file(path, layer="removed_places")
    assert places["id"].tolist() == ["bravo"]


def test_place_labels_do_not_overlap_and_are_deterministic():
    from resilience.reports.charts import figure
    from resilience.reports.maps import place_labels

    def boxes():
        fig = figure(4, 4)
        ax = fig.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        # Close pairs like Pokrovsk/Myrnohrad and Chasiv Yar/Bakhmut.
        items = [
            ("Pokrovsk", 0.40, 0.40, "k"),
            ("Myrnohrad", 0.43, 0.41, "k"),
            ("Rodynske", 0.41, 0.44, "k"),
            ("Chasiv Yar", 0.70, 0.70, "k"),
            ("Bakhmut", 0.72, 0.69, "k"),
        ]
        labels = place_labels(ax, items)
        renderer = fig.canvas.get_renderer()
        return [a.get_window_extent(renderer) for a in labels]

    first = boxes()
    assert len(first) == 5
    for i, a in enumerate(first):
        for b in first[i + 1 :]:
            assert not a.overlaps(b)
    assert [tuple(b.bounds) for b in boxes()] == [tuple(b.bounds) for b in first]
