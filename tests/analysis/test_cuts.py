import subprocess
import sys

import networkx as nx
import pytest

from resilience import backend
from resilience.analysis.cuts import min_cut, min_edge_cut, min_vertex_cut
from resilience.analysis.impact import NETWORKX_MAX_NODES
from resilience.errors import BadInputError
from resilience.synthetic import road_like
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


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kind", ["edge", "vertex"])
def test_every_engine_gives_the_same_cut(seed, kind):
    G = road_like(81, seed=seed, drop=0.2, integer_times=seed == 1)
    nodes = list(G.nodes)
    for s, t in ((nodes[0], nodes[-1]), ([nodes[3], nodes[9]], [nodes[70], nodes[44]])):
        for near in ("source", "target"):
            ref = min_cut(G, s, t, kind=kind, engine="networkx", near=near)
            assert min_cut(G, s, t, kind=kind, engine="fast", near=near) == ref
            assert min_cut(G, s, t, kind=kind, engine="auto", near=near) == ref


def test_auto_engine_runs_networkx_up_to_the_documented_size(monkeypatch):
    calls = []
    real = backend.flow_cut
    monkeypatch.setattr(backend, "flow_cut", lambda *a, **k: calls.append(1) or real(*a, **k))
    small = road_like(NETWORKX_MAX_NODES, seed=3)  # road_like rounds to a square grid
    assert len(small) <= NETWORKX_MAX_NODES
    min_cut(small, 0, max(small), engine="auto")
    assert not calls
    big = road_like(2 * NETWORKX_MAX_NODES, seed=3)
    assert len(big) > NETWORKX_MAX_NODES
    min_cut(big, 0, max(big), engine="auto")
    assert calls


def test_importing_cuts_leaves_scipy_unloaded():
    code = "import sys, resilience.analysis.cuts; print('scipy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
