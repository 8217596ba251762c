import networkx as nx
import pytest

from resilience.analysis.cuts import min_edge_cut, min_vertex_cut
from resilience.errors import BadInputError
from resilience.targets import apply_removal, build_removal


def test_edge_cut_alpha_delta_is_three(toy):
    cut = min_edge_cut(toy, "alpha", "delta")
    assert len(cut) == 3
    # It really disconnects: removing the cut edges leaves no path.
    H = toy.copy()
    H.remove_edges_from(zip(cut["u"], cut["v"], cut["key"], strict=True))
    assert not nx.has_path(H, "alpha", "delta")


def test_edge_cut_single_bridge(toy):
    cut = min_edge_cut(toy, "alpha", "echo")
    assert list(cut["label"]) == ["T-03 Delta–Echo (road)"]


def test_vertex_cut(toy):
    assert list(min_vertex_cut(toy, "alpha", "echo")["node"]) == ["delta"]
    nodes = set(min_vertex_cut(toy, "alpha", "delta")["node"])
    assert len(nodes) == 3 and {"bravo", "charlie"} <= nodes


def test_vertex_cut_of_adjacent_places_is_none(toy):
    assert min_vertex_cut(toy, "alpha", "bravo") is None


def test_cut_when_already_disconnected_is_empty(toy):
    H = apply_removal(toy, build_removal(toy, nodes=["delta"]))
    assert min_edge_cut(H, "alpha", "echo").empty
    assert min_vertex_cut(H, "alpha", "echo").empty


def test_same_endpoints_refused(toy):
    with pytest.raises(BadInputError, match="same place"):
        min_edge_cut(toy, "alpha", "alpha")


def test_near_picks_the_extreme_minimum_cuts(toy):
    near_t = min_edge_cut(toy, "alpha", "delta", near="target")
    near_s = min_edge_cut(toy, "alpha", "delta", near="source")
    assert set(near_t["v"]) == {"delta"}
    assert set(near_s["u"]) == {"alpha"}
    assert len(near_t) == len(near_s) == 3
    with pytest.raises(BadInputError, match="near must be"):
        min_edge_cut(toy, "alpha", "delta", near="middle")
