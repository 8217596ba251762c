"""Properties on random road-like graphs: the fast engines agree with networkx, and the
answers obey the laws they must (Menger, monotonicity, no-effect of irrelevant removals).

The strategy draws points in a box, links each to its nearest neighbours within its own
part (so some graphs have several disconnected parts), two-way, with travel times from
length and a class speed rounded to whole seconds (so equal-cost ties occur), and doubles
a few links with a parallel edge. ``max_examples`` stays modest so the file runs in
seconds; ``deadline=None`` because the first example pays for imports.
"""

from __future__ import annotations

import itertools
import math
import string
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from resilience import backend
from resilience.analysis.centrality import edge_betweenness, node_betweenness
from resilience.analysis.cuts import min_cut, min_edge_cut, min_vertex_cut
from resilience.analysis.impact import cut, global_efficiency
from resilience.analysis.paths import disjoint_paths
from resilience.errors import BadScenarioError, ResilienceError
from resilience.network import to_digraph
from resilience.sources.bundled import load_region
from resilience.targets import (
    Removal,
    build_removal,
    normalize_name,
    normalize_ref,
    resolve_place,
    resolve_ref,
)
from tests.conftest import DATA

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SPEEDS_KPH = (30.0, 50.0, 70.0, 90.0)
TOL = 1e-6


@st.composite
def road_graphs(draw: st.DrawFn, min_nodes: int = 2, max_nodes: int = 12) -> nx.MultiDiGraph:
    """A small planar-ish two-way road graph, possibly in several parts."""
    n = draw(st.integers(min_nodes, max_nodes))
    coords = st.tuples(st.integers(0, 40), st.integers(0, 40))
    points = draw(st.lists(coords, min_size=n, max_size=n, unique=True))
    parts = draw(st.integers(1, 2 if n >= 4 else 1))
    part = [i % parts for i in range(n)]
    near = draw(st.integers(1, 3))
    G: nx.MultiDiGraph = nx.MultiDiGraph(crs="epsg:4326")
    for i, (px, py) in enumerate(points):
        G.add_node(i, x=37.0 + px / 200, y=48.0 + py / 200)
    xy = np.array(points, dtype=float)
    for i in range(n):
        same = [j for j in range(n) if j != i and part[j] == part[i]]
        same.sort(key=lambda j: (float(np.hypot(*(xy[i] - xy[j]))), j))
        for j in same[:near]:
            if G.has_edge(i, j):
                continue
            length = float(np.hypot(*(xy[i] - xy[j]))) * 400.0
            kph = draw(st.sampled_from(SPEEDS_KPH))
            data = {"length": length, "travel_time": max(1.0, round(length / (kph / 3.6)))}
            G.add_edge(i, j, **data)
            G.add_edge(j, i, **data)
            if draw(st.integers(0, 9)) == 0:  # a parallel road, sometimes equally fast
                slower = data["travel_time"] * draw(st.sampled_from((1.0, 1.5)))
                G.add_edge(i, j, length=length, travel_time=slower)
                G.add_edge(j, i, length=length, travel_time=slower)
    return G


def _pair(draw: st.DrawFn, G: nx.MultiDiGraph) -> tuple[int, int]:
    s = draw(st.sampled_from(sorted(G.nodes)))
    t = draw(st.sampled_from(sorted(set(G.nodes) - {s})))
    return s, t


@st.composite
def graph_and_pair(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, int, int]:
    G = draw(road_graphs())
    s, t = _pair(draw, G)
    return G, s, t


@st.composite
def graph_and_od(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, list[int], list[int]]:
    G = draw(road_graphs(min_nodes=3))
    nodes = sorted(G.nodes)
    origins = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2, unique=True))
    rest = [n for n in nodes if n not in origins]
    dests = draw(st.lists(st.sampled_from(rest), min_size=1, max_size=3, unique=True))
    return G, origins, dests


def _note(G: nx.MultiDiGraph) -> None:
    """Print the graph of a failing example so it can be rebuilt by hand."""
    note(f"edges (u, v, key, travel_time): {sorted(G.edges(keys=True, data='travel_time'))}")


def _nx_times(G: nx.MultiDiGraph, o: Any) -> dict[Any, float]:
    return nx.single_source_dijkstra_path_length(G, o, weight="travel_time")


def _disconnects(G: nx.MultiDiGraph, s: Any, t: Any, *, edges: Any = (), nodes: Any = ()) -> bool:
    H = G.copy()
    H.remove_edges_from(edges)
    H.remove_nodes_from(nodes)
    return not nx.has_path(H, s, t)


# --- engines against the networkx reference ---------------------------------------------


@SETTINGS
@given(road_graphs())
def test_csgraph_dijkstra_equals_networkx(G):
    _note(G)
    csr = backend.to_csr(G)
    dist, _ = backend.shortest_times(csr, list(range(csr.n)))
    for o in G.nodes:
        ref = _nx_times(G, o)
        row = dist[csr.index[o]]
        for d in G.nodes:
            assert row[csr.index[d]] == pytest.approx(ref.get(d, math.inf), abs=TOL)


@SETTINGS
@given(road_graphs(min_nodes=3))
def test_exact_betweenness_equals_networkx_on_the_collapsed_digraph(G):
    _note(G)
    D = to_digraph(G)
    want_nodes = nx.betweenness_centrality(D, weight="travel_time", normalized=True)
    want_edges = nx.edge_betweenness_centrality(D, weight="travel_time", normalized=True)
    nodes, edges = backend.betweenness(G)
    assert set(nodes) == set(want_nodes)
    for n, value in want_nodes.items():
        assert nodes[n] == pytest.approx(value, abs=1e-9), n
    for e, value in want_edges.items():
        assert edges[e] == pytest.approx(value, abs=1e-9), e
    # The ranked tables the CLI prints carry the same numbers.
    table = node_betweenness(G).set_index("node")["betweenness"]
    for n, value in want_nodes.items():
        assert table[n] == pytest.approx(value, abs=1e-9)
    etable = edge_betweenness(G)
    for (u, v), value in want_edges.items():
        row = etable[(etable["u"] == u) & (etable["v"] == v)]
        assert row["betweenness"].iloc[0] == pytest.approx(value, abs=1e-9)


# --- Menger --------------------------------------------------------------------------------


@SETTINGS
@given(graph_and_pair())
def test_min_edge_cut_size_equals_edge_disjoint_paths(case):
    G, s, t = case
    _note(G)
    table = min_edge_cut(G, s, t)
    paths = disjoint_paths(G, s, t)
    assert len(table) == len(paths)
    cut_edges = list(zip(table["u"], table["v"], table["key"], strict=True))
    assert _disconnects(G, s, t, edges=cut_edges)
    assert len(min_cut(G, s, t)) == len(paths)
    assert min_cut(G, s, t) == min_cut(G, s, t, engine="networkx")
    assert _disconnects(G, s, t, edges=min_cut(G, s, t))
    # The paths really are edge-disjoint (parallel edges are separate routes).
    used: dict[tuple[int, int], int] = {}
    for _, nodes in paths:
        assert nodes[0] == s and nodes[-1] == t
        for u, v in itertools.pairwise(nodes):
            used[u, v] = used.get((u, v), 0) + 1
    assert all(count <= G.number_of_edges(u, v) for (u, v), count in used.items())


@SETTINGS
@given(graph_and_pair())
def test_min_vertex_cut_size_equals_node_disjoint_paths(case):
    G, s, t = case
    _note(G)
    table = min_vertex_cut(G, s, t)
    fast = min_cut(G, s, t, kind="vertex")
    assert fast == min_cut(G, s, t, kind="vertex", engine="networkx")
    if G.has_edge(s, t):
        assert table is None and fast is None
        return
    assert table is not None and fast is not None
    disjoint = list(nx.node_disjoint_paths(nx.DiGraph(G), s, t)) if nx.has_path(G, s, t) else []
    assert len(table) == len(fast) == len(disjoint)
    assert _disconnects(G, s, t, nodes=list(table["node"]))
    assert _disconnects(G, s, t, nodes=fast)
    assert s not in set(table["node"]) and t not in set(table["node"])


# --- removals --------------------------------------------------------------------------------


def _on_a_shortest_path(G: nx.MultiDiGraph, origins: list[int], dests: list[int]) -> tuple:
    """Nodes and edge keys lying on at least one shortest OD path (ties included)."""
    rev = G.reverse(copy=False)
    nodes: set[Any] = set()
    edges: set[tuple[Any, Any, Any]] = set()
    for o in origins:
        from_o = _nx_times(G, o)
        for d in dests:
            if d not in from_o:
                continue
            to_d = nx.single_source_dijkstra_path_length(rev, d, weight="travel_time")
            best = from_o[d]
            nodes |= {n for n in from_o if n in to_d and from_o[n] + to_d[n] <= best + TOL}
            edges |= {
                (u, v, k)
                for u, v, k, w in G.edges(keys=True, data="travel_time")
                if u in from_o and v in to_d and from_o[u] + w + to_d[v] <= best + TOL
            }
    return nodes, edges


@SETTINGS
@given(graph_and_od(), st.data())
def test_removing_what_no_shortest_path_uses_changes_no_time(case, data):
    G, origins, dests = case
    _note(G)
    used_nodes, used_edges = _on_a_shortest_path(G, origins, dests)
    free_nodes = sorted(set(G.nodes) - used_nodes - set(origins) - set(dests))
    free_edges = sorted(set(G.edges(keys=True)) - used_edges)
    assume(free_nodes or free_edges)
    if free_nodes and (not free_edges or data.draw(st.booleans())):
        removal = Removal(nodes=frozenset({data.draw(st.sampled_from(free_nodes))}))
    else:
        removal = Removal(edges=frozenset({data.draw(st.sampled_from(free_edges))}))
    od = cut(G, removal, origins, dests).od
    assert set(od["status"]) <= {"ok", "no route"}, od
    pd.testing.assert_series_equal(od["time_before_min"], od["time_after_min"], check_names=False)


@st.composite
def removals(draw: st.DrawFn, G: nx.MultiDiGraph, keep: set[int]) -> Removal:
    nodes = sorted(set(G.nodes) - keep)
    edges = sorted(G.edges(keys=True))
    rm_nodes = draw(st.lists(st.sampled_from(nodes), max_size=3, unique=True)) if nodes else []
    rm_edges = draw(st.lists(st.sampled_from(edges), max_size=4, unique=True))
    return Removal(frozenset(rm_nodes), frozenset(rm_edges))


@SETTINGS
@given(graph_and_od(), st.data())
def test_removals_never_shorten_a_trip_nor_raise_efficiency(case, data):
    G, origins, dests = case
    _note(G)
    removal = data.draw(removals(G, set(origins) | set(dests)))
    result = cut(G, removal, origins, dests)
    od = result.od
    both = od.dropna(subset=["time_before_min", "time_after_min"])
    assert (both["time_after_min"] >= both["time_before_min"]).all(), od
    assert not ((od["status"] == "no route") & od["time_after_min"].notna()).any()
    assert (od["paths_after"] <= od["paths_before"]).all()
    H = G.copy()
    H.remove_edges_from(removal.edges)
    H.remove_nodes_from(removal.nodes)
    n = G.number_of_nodes()
    assert global_efficiency(H, n_total=n) <= global_efficiency(G) + 1e-12
    # Exact times, not the rounded table: every OD time is at least the intact one.
    for o in origins:
        before, after = _nx_times(G, o), _nx_times(H, o)
        for d in dests:
            assert after.get(d, math.inf) >= before.get(d, math.inf) - TOL


# --- scan: the masked, subtree-recomputing engine against the naive reference -------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph_and_od(), st.sampled_from(["edges", "nodes", "both"]))
def test_scan_equals_naive_scan(case, elements):
    from resilience.analysis.criticality import scan, scan_naive

    G, origins, dests = case
    _note(G)
    fast = scan(G, origins, dests, elements=elements)
    slow = scan_naive(G, origins, dests, elements=elements)
    key = ["element", "label"]
    fast = fast.sort_values(key, ignore_index=True)
    slow = slow.sort_values(key, ignore_index=True)
    assert list(fast["element"]) == list(slow["element"])
    for col in ("importance", "unsatisfied", "efficiency_loss"):
        assert np.allclose(fast[col], slow[col], atol=1e-6, equal_nan=True), col
    assert list(fast["pairs_affected"]) == list(slow["pairs_affected"])


# --- the name resolver never fails with anything but a ResilienceError -----------------------

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
) | st.sampled_from(["Alpha", "alfa", "Dalta", "H-01", "Н-01", "Р-02", "", " ", "-", "’"])


@pytest.fixture(scope="module")
def toy_graph() -> nx.MultiDiGraph:
    return load_region(DATA / "toy")


@settings(max_examples=300, deadline=None)
@given(names)
def test_normalize_name_is_idempotent_and_plain(text):
    key = normalize_name(text)
    assert normalize_name(key) == key
    assert not key.startswith("-") and not key.endswith("-")
    assert "--" not in key
    ref = normalize_ref(text)
    assert normalize_ref(ref) == ref
    assert ref.isascii()


@settings(max_examples=300, deadline=None)
@given(names)
def test_resolvers_return_or_raise_resilience_error(toy_graph, text):
    for resolve in (resolve_place, resolve_ref):
        try:
            found = resolve(toy_graph, text)
        except ResilienceError as exc:
            message = str(exc)
            assert "\n" not in message
        else:
            assert found and all(
                (e in toy_graph) if resolve is resolve_place else toy_graph.has_edge(*e)
                for e in found
            )


@settings(max_examples=150, deadline=None)
@given(st.lists(names, max_size=3), st.lists(names, max_size=2), st.lists(names, max_size=2))
def test_build_removal_returns_or_raises_resilience_error(toy_graph, places, refs, corridors):
    try:
        removal = build_removal(toy_graph, nodes=places, refs=refs, corridors=corridors)
    except ResilienceError as exc:
        message = str(exc)
        assert "\n" not in message
    else:
        assert removal.nodes < set(toy_graph.nodes)
        assert removal.edges <= set(toy_graph.edges(keys=True))


def _respell(draw: st.DrawFn, name: str) -> str:
    """The same name as a user might type it: other case, separators, apostrophes."""
    out = []
    for ch in name:
        if ch in " -_":
            out.append(draw(st.sampled_from([" ", "  ", "-", "_", " - ", "–"])))
        else:
            out.append(ch.upper() if draw(st.booleans()) else ch.lower())
        if draw(st.integers(0, 19)) == 0:
            out.append("’")
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_spelling_of_a_known_place_resolves_to_it(toy_graph, data):
    node = data.draw(st.sampled_from(sorted(n for n in toy_graph if "-" not in n)))
    attrs = toy_graph.nodes[node]
    spelled = [attrs["name"], attrs["name_uk"], *filter(None, attrs["aliases"].split(";"))]
    name = data.draw(st.sampled_from(spelled))
    assert node in resolve_place(toy_graph, _respell(data.draw, name))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_spelling_of_a_known_ref_resolves_to_the_same_edges(toy_graph, data):
    ref = data.draw(st.sampled_from(["H-01", "P-02", "T-03"]))
    lookalike = str.maketrans("HPTAB", "НРТАВ")  # Cyrillic letters users type for refs
    typed = "".join(
        data.draw(st.sampled_from([c, c.lower(), c.translate(lookalike)]))
        if c.isalpha()
        else data.draw(st.sampled_from(["-", " ", "", "–"]))
        if c == "-"
        else c
        for c in ref
    )
    assert resolve_ref(toy_graph, typed) == resolve_ref(toy_graph, ref)


# --- the scenario loader only ever raises BadScenarioError ------------------------------------

toml_values = st.recursive(
    st.none().map(lambda _: "''")
    | st.integers(-5, 5).map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: (
            "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf") if math.isinf(f) else repr(f)
        )
    )
    | st.booleans().map(lambda b: str(b).lower())
    | st.text(string.ascii_letters + " -", max_size=8).map(lambda s: f'"{s}"')
    | st.sampled_from(['"2025-12-30"', "2025-12-30", '"pokrovsk"', '"M30"', '"x.geojson"']),
    lambda inner: st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
    max_leaves=6,
)
keys = st.sampled_from(
    [
        "name",
        "description",
        "graph",
        "origins",
        "destinations",
        "weight",
        "seed",
        "samples",
        "source",
        "extra",
    ]
)
sub_keys = st.sampled_from(
    ["places", "refs", "corridors", "edges", "polygons", "frontline", "bogus"]
)


@st.composite
def scenario_texts(draw: st.DrawFn) -> str:
    lines = [f"{k} = {v}" for k, v in draw(st.dictionaries(keys, toml_values, max_size=5)).items()]
    if draw(st.booleans()):
        lines.append("[removals]")
        subs = draw(st.dictionaries(sub_keys, toml_values, max_size=3))
        lines += [f"{k} = {v}" for k, v in subs.items()]
    if draw(st.booleans()):
        lines.append("[removals.frontline]")
        fl = draw(
            st.dictionaries(
                st.sampled_from(["file", "date", "categories", "buffer_m"]), toml_values, max_size=4
            )
        )
        lines += [f"{k} = {v}" for k, v in fl.items()]
    return "\n".join(lines) + "\n"


def _load_or_bad(path: Path) -> None:
    from resilience.scenario import Scenario, load_scenario

    try:
        scenario = load_scenario(path)
    except BadScenarioError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.startswith(str(path))
    else:
        assert isinstance(scenario, Scenario)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenario_texts())
def test_scenario_loader_fuzz_structured(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    _load_or_bad(path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=80) | st.text(max_size=80).map(str.encode))
def test_scenario_loader_fuzz_raw_bytes(tmp_path, raw):
    path = tmp_path / "s.toml"
    path.write_bytes(raw)
    _load_or_bad(path)
