"""The fast scan equals the remove-and-recompute reference, in every execution mode."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from resilience.analysis.criticality import bridges_and_articulation_points, scan, scan_naive
from resilience.errors import BadInputError
from resilience.synthetic import road_like

METRICS = ["importance", "unsatisfied", "efficiency_loss"]


def _od(G):
    nodes = list(G)
    return [nodes[0], nodes[9], nodes[20]], [nodes[-1], nodes[40], nodes[33], nodes[50]]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert len(a) == len(b)
    assert a[["rank", "element", "label"]].equals(b[["rank", "element", "label"]])
    assert a[["u", "v", "key"]].astype(str).equals(b[["u", "v", "key"]].astype(str))
    for col in METRICS:
        np.testing.assert_allclose(a[col], b[col], rtol=1e-9, atol=1e-9)
    assert a["pairs_affected"].equals(b["pairs_affected"])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("elements", ["edges", "nodes", "both"])
def test_scan_equals_naive(seed, elements):
    # Whole-minute travel times make equal-cost alternatives common; drop=0.3 leaves
    # dead ends and pairs that are cut off.
    G = road_like(64, seed=seed, drop=0.3, integer_times=seed % 2 == 0)
    o, d = _od(G)
    _same(scan(G, o, d, elements=elements), scan_naive(G, o, d, elements=elements))


def test_ties_give_zero_increase():
    # Two equal routes a-b-d and a-c-d: losing either link costs nothing.
    G = nx.MultiDiGraph()
    for n, (x, y) in {"a": (0, 0), "b": (1, 1), "c": (1, -1), "d": (2, 0)}.items():
        G.add_node(n, x=x, y=y)
    for u, v in [("a", "b"), ("b", "d"), ("a", "c"), ("c", "d")]:
        G.add_edge(u, v, travel_time=60.0)
        G.add_edge(v, u, travel_time=60.0)
    table = scan(G, ["a"], ["d"])
    assert (table["importance"] == 0).all()
    assert (table["efficiency_loss"] == 0).all()
    _same(table, scan_naive(G, ["a"], ["d"]))


def test_disconnected_pairs_and_lost_endpoints():
    G = road_like(36, seed=3, drop=0.2)
    G.add_node("island", x=40.0, y=50.0)
    o, d = [0, 7], [35, "island"]
    table = scan(G, o, d, elements="both")
    _same(table, scan_naive(G, o, d, elements="both"))
    origin = table[(table["element"] == "node") & (table["u"] == 0)].iloc[0]
    assert origin["unsatisfied"] == pytest.approx(0.5)  # 2 of the 4 pairs were ever connected


def test_parallel_cheaper_rail_is_a_noop_when_equal():
    G = nx.MultiDiGraph()
    G.add_node("a", x=0, y=0)
    G.add_node("b", x=1, y=0)
    G.add_edge("a", "b", key=0, travel_time=10.0, mode="road")
    G.add_edge("a", "b", key=1, travel_time=10.0, mode="rail")
    G.add_edge("a", "b", key=2, travel_time=30.0, mode="road")
    table = scan(G, ["a"], ["b"])
    assert (table["importance"] == 0).all()
    _same(table, scan_naive(G, ["a"], ["b"]))


def test_jobs_two_equals_one():
    G = road_like(100, seed=5, integer_times=True)
    o, d = _od(G)
    pd.testing.assert_frame_equal(scan(G, o, d, jobs=2), scan(G, o, d))


@pytest.mark.enable_socket
def test_dask_local_cluster_equals_single_process():
    distributed = pytest.importorskip("distributed")
    G = road_like(100, seed=6)
    o, d = _od(G)
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=False,
            threads_per_worker=1,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = scan(G, o, d, elements="both", scheduler=client)
    pd.testing.assert_frame_equal(got, scan(G, o, d, elements="both"))


def test_bad_input():
    G = road_like(16)
    with pytest.raises(BadInputError):
        scan(G, [0], [0])
    with pytest.raises(BadInputError):
        scan(G, [0], ["nowhere"])
    with pytest.raises(BadInputError):
        scan(G, [0], [15], elements="links")  # type: ignore[arg-type]


def test_bridges_and_articulation_points():
    G = nx.MultiDiGraph()
    for i, n in enumerate("abcd"):
        G.add_node(n, x=float(i), y=0.0, name=n.upper())
    for u, v in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]:
        G.add_edge(u, v, travel_time=1.0)
        G.add_edge(v, u, travel_time=1.0)
    table = bridges_and_articulation_points(G)
    assert table["element"].tolist() == ["articulation point", "bridge"]
    assert table["label"].tolist() == ["C", "C–D"]


def test_cli_scan(tmp_path, monkeypatch):
    from resilience.cli import app

    monkeypatch.setenv("RESILIENCE_GRAPHS", str(Path("tests/data").resolve()))
    runner = CliRunner()
    args = ["scan", "--graph", "toy", "--both", "--top", "5", "--out", str(tmp_path)]
    result = runner.invoke(app, args, terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "Most critical both" in result.output
    # The CLI writes each run into its own folder (named by what was asked).
    (run,) = (tmp_path / "scan").iterdir()
    files = sorted(p.name for p in run.iterdir())
    assert {"bridges.csv", "scan.csv", "scan.gpkg", "scan.parquet"} <= set(files)
    first = (run / "scan.csv").read_bytes()
    assert runner.invoke(app, args, terminal_width=120).exit_code == 0
    assert (run / "scan.csv").read_bytes() == first
    bad = runner.invoke(app, ["scan", "--graph", "toy", "--edges", "--nodes"])
    assert bad.exit_code == 2
    assert "only one of" in bad.output


@pytest.mark.parametrize("integer_times", [False, True])
def test_bounded_repair_equals_naive_on_a_larger_grid(integer_times):
    # Long OD paths: repairs run first over the part of the subtree within a bound of
    # the destinations (reverse distances), retry with a wider bound, and fall back to
    # the whole subtree for pairs that are cut off; the table must not change.
    G = road_like(196, seed=7, drop=0.25, integer_times=integer_times)
    nodes = list(G)
    o, d = [nodes[0], nodes[13], nodes[100]], [nodes[-1], nodes[182], nodes[90], nodes[60]]
    _same(scan(G, o, d, elements="both"), scan_naive(G, o, d, elements="both"))


def test_compiled_metrics_are_the_reference_floats():
    # The kernel re-implements numpy's pairwise sums so tables stay byte-identical.
    from resilience.analysis._repair import metrics
    from resilience.analysis.criticality import _REL_TOL, _metrics

    rng = np.random.default_rng(0)
    for shape in [(1, 1), (3, 4), (20, 20), (5, 30), (40, 40)]:
        for _ in range(40):
            before = rng.uniform(100, 1000, shape)
            before[rng.random(shape) < 0.1] = np.inf
            factor = rng.choice([1.0, 1.0, 1 + 1e-12, 1.1, np.inf], size=(4, *shape))
            after = before[None] * factor
            out = metrics(before, after, _REL_TOL)
            for j in range(4):
                assert np.array_equal(out[j], np.array(_metrics(before, after[j])))


def _by_element(table: pd.DataFrame) -> dict[tuple[str, str, str, str], tuple[float, ...]]:
    def txt(x):
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return ""
        return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)

    return {
        (e, txt(u), txt(v), txt(k)): (a, b, c, int(p))
        for e, u, v, k, a, b, c, p in zip(
            table["element"],
            table["u"],
            table["v"],
            table["key"],
            table["importance"],
            table["unsatisfied"],
            table["efficiency_loss"],
            table["pairs_affected"],
            strict=True,
        )
    }


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("seed", "integer_times", "rail"), [(0, False, 0.02), (1, True, 0.02), (2, True, 0.4)]
)
def test_both_pass_equals_the_two_scans_bitwise(seed, integer_times, rail, jobs):
    # elements="both" lets a place take the distances of the link repair of the same
    # subtree; ties (whole minutes) and parallel rail links (rail=0.4) decide whether
    # a shortest path avoids the place. The floats must be exactly the separate scans'.
    G = road_like(196, seed=seed, drop=0.25, rail=rail, integer_times=integer_times)
    nodes = list(G)
    o = [nodes[0], nodes[13], nodes[100], nodes[97]]
    d = [nodes[-1], nodes[182], nodes[90], nodes[60], nodes[98], nodes[14]]
    both = scan(G, o, d, elements="both", jobs=jobs)
    separate = pd.concat([scan(G, o, d, elements="edges"), scan(G, o, d, elements="nodes")])
    assert _by_element(both) == _by_element(separate)
    _same(both, scan_naive(G, o, d, elements="both"))


def test_place_reuse_gives_the_repaired_floats():
    # The kernel directly: place removals with the link repairs kept give the very OD
    # times of their own repairs, and most of them are taken from the kept repairs.
    from resilience.analysis import _repair
    from resilience.analysis.criticality import _REL_TOL, _build_engine, _elements, _needs_work
    from resilience.backend import edge_arrays

    G = road_like(400, seed=4, drop=0.2, rail=0.2)
    nodes = list(G)
    o, d = [nodes[0], nodes[210], nodes[399]], [nodes[19], nodes[380], nodes[150], nodes[255]]
    arrays = edge_arrays(G, "travel_time")
    engine = _build_engine(arrays, o, d)
    items = _elements(G, arrays, "both")
    jobs = [
        ("node", (arrays.index[e.u],)) if e.kind == "node" else ("edge", e.edges) for e in items
    ]
    jobs = [j for j, w in zip(jobs, _needs_work(engine, jobs), strict=True) if w]
    edge_jobs = [j for j in jobs if j[0] == "edge"]
    node_jobs = [j for j in jobs if j[0] == "node"]
    places = np.array([ids[0] for _, ids in node_jobs])
    share = _repair.share_slots(engine.relevant, engine.origins, places, len(d))
    _repair.run_chunk(engine, edge_jobs, share=share)
    slot_of, _, ok, filled = share
    assert filled.all()
    reusable = 0
    for oi in range(len(o)):
        for x in places[slot_of[oi, places] >= 0]:
            lo = engine.tin[oi, x]
            under = [
                j
                for j, t in enumerate(engine.dests)
                if lo <= engine.tin[oi, t] < lo + engine.size[oi, x] and t != x
            ]
            reusable += all(ok[slot_of[oi, x], j] for j in under)
    assert reusable > len(filled) // 3
    shared = _repair.run_chunk(engine, node_jobs, share=share)
    alone = _repair.run_chunk(engine, node_jobs)
    assert np.array_equal(shared, alone)
    np.testing.assert_allclose(
        _repair.metrics(engine.base, shared, _REL_TOL), engine.run_reference(node_jobs), rtol=1e-12
    )


def test_both_pass_with_origin_and_destination_on_paths():
    # b is an origin on a's shortest path; c is a destination on the way to d; the
    # parallel slower rail a-b keeps the tree edge into b from being the only way in.
    G = nx.MultiDiGraph()
    for i, n in enumerate("abcdef"):
        G.add_node(n, x=float(i), y=0.0)
    for u, v, t in [("a", "b", 60), ("b", "c", 60), ("c", "d", 60), ("a", "e", 100),
                    ("e", "c", 100), ("e", "f", 30), ("f", "d", 200), ("b", "e", 45)]:  # fmt: skip
        G.add_edge(u, v, travel_time=float(t), mode="road")
        G.add_edge(v, u, travel_time=float(t), mode="road")
    G.add_edge("a", "b", key=1, travel_time=70.0, mode="rail")
    o, d = ["a", "b"], ["c", "d"]
    both = scan(G, o, d, elements="both", jobs=2)
    _same(both, scan_naive(G, o, d, elements="both"))
    separate = pd.concat([scan(G, o, d, elements="edges"), scan(G, o, d, elements="nodes")])
    assert _by_element(both) == _by_element(separate)
    lost_b = both[(both["element"] == "node") & (both["u"] == "b")].iloc[0]
    assert lost_b["unsatisfied"] == pytest.approx(0.5)  # b's own two pairs
