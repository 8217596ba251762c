"""The interdiction curve of a scenario's report: exact, monotone, stated plainly."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from resilience.reports.interdiction import (
    CURVE_COLUMNS,
    WORST_COLUMNS,
    scenario_interdiction,
    statement,
)
from resilience.scenario import load_scenario, run_scenario

DATA = Path(__file__).parent.parent / "data"

TOY = {
    "bravo-falls": 'description = "Bravo falls"\ngraph = "toy"\n[removals]\nplaces = ["bravo"]\n',
    "h01-cut": 'description = "The H-01 is cut"\ngraph = "toy"\n[removals]\nrefs = ["H-01"]\n',
    "baseline": 'description = "Nothing lost"\ngraph = "toy"\n[removals]\nplaces = []\n',
    # Bravo, Charlie and the rail junction gone: Alpha keeps only its station, a dead end.
    "split": (
        'description = "Alpha cut off"\ngraph = "toy"\n[removals]\n'
        'places = ["bravo", "charlie", "junction"]\n'
    ),
}


@pytest.fixture(autouse=True)
def toy_graphs(monkeypatch):
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(DATA))


def _result(tmp_path: Path, name: str):
    path = tmp_path / f"{name}.toml"
    path.write_text(TOY[name], encoding="utf-8")
    return run_scenario(load_scenario(path))


def _brute_force_after(res, k: int) -> float:
    """The least deliverable flow any set of at most k links leaves, by trying them all."""
    from resilience.analysis.interdict import build_net, candidates, supply
    from resilience.targets import apply_removal

    H = apply_removal(res.graph, res.removal)
    net = build_net(
        H,
        [n for n in res.origins if n in H],
        [n for n in res.destinations if n in H],
    )
    links = candidates(net, "links", (), endpoints=False)
    return min(
        supply(net, "flow", combo)
        for r in range(k + 1)
        for combo in itertools.combinations(links, r)
    )


@pytest.mark.parametrize("name", ["bravo-falls", "h01-cut", "baseline"])
def test_curve_is_exact_monotone_and_beats_the_top_singles(tmp_path, name):
    res = _result(tmp_path, name)
    inter = scenario_interdiction(res, k_max=3)
    assert inter is not None
    curve = inter.curve
    assert list(curve.columns) == CURVE_COLUMNS
    assert list(curve["k"]) == [0, 1, 2, 3]
    # k = 0 is the deliverable flow the page's summary reports after the scenario.
    assert curve["deliverable_after_t_per_day"].iloc[0] == pytest.approx(
        res.metric("deliverable_t_per_day")[1], abs=1
    )
    after = list(curve["deliverable_after_t_per_day"])
    assert after == sorted(after, reverse=True)  # damage never decreases with k
    assert list(curve["loss_pct"]) == sorted(curve["loss_pct"])
    assert (curve["loss_pct"] >= curve["top_singles_loss_pct"]).all()
    assert (
        curve["deliverable_after_t_per_day"] <= curve["top_singles_deliverable_t_per_day"]
    ).all()
    assert set(curve["solver_status"].iloc[1:]) == {"optimal"}
    # k = 1: the worst link alone is the top single; ties go to it, so both name it.
    assert curve["worst_set"].iloc[1] == curve["top_singles_set"].iloc[1]
    assert (curve["gap_pct"] == 0).all()
    for k in (1, 2, 3):
        assert after[k] == _brute_force_after(res, k), k
    # The worst set of the largest k: at most k links, named with refs and places.
    assert list(inter.worst.columns[: len(WORST_COLUMNS)]) == WORST_COLUMNS
    assert 0 < len(inter.worst) <= 3
    assert curve["worst_set"].iloc[-1] == " + ".join(inter.worst["label"])
    assert list(inter.worst["single_rank"]) == sorted(inter.worst["single_rank"])


def test_best_pair_is_not_the_two_best_singles_on_bravo_falls(tmp_path):
    inter = scenario_interdiction(_result(tmp_path, "bravo-falls"), k_max=2)
    assert inter is not None
    row = inter.curve.iloc[2]
    assert row["deliverable_after_t_per_day"] == 0
    assert row["top_singles_deliverable_t_per_day"] > 0
    assert "losses do not add up" in statement(inter)
    assert "P-02 Alpha–Charlie (road)" in row["worst_set"]


def test_already_split_network_gives_a_flat_stated_curve(tmp_path):
    res = _result(tmp_path, "split")
    inter = scenario_interdiction(res)
    assert inter is not None
    assert inter.k_max == 5
    assert inter.before_t_per_day == 0
    assert (inter.curve["deliverable_after_t_per_day"] == 0).all()
    assert (inter.curve["loss_pct"] == 0).all()
    assert inter.worst.empty
    assert "already cut in two" in inter.flat_reason
    assert statement(inter).startswith("Curve flat for k = 0..5: the network is already cut")


def test_time_limit_is_stated_never_a_silent_optimal(tmp_path, monkeypatch):
    from resilience.analysis import interdict as mod

    real = mod.solve

    def limited(net, objective, cands, costs, k, budget, time_limit_s, **kw):
        if k == 1:
            return real(net, objective, cands, costs, k, budget, time_limit_s, **kw)
        # Pretend the solver stopped early, still on the best single link, with a bound
        # above it (a set short of cutting everything is not proven by the ceiling).
        chosen, dmg, _, _ = real(net, objective, cands, costs, 1, budget, time_limit_s, **kw)
        return chosen, dmg, dmg + 1000.0, "time_limit"

    monkeypatch.setattr(mod, "solve", limited)
    inter = scenario_interdiction(_result(tmp_path, "h01-cut"), k_max=3)
    assert inter is not None
    assert inter.limited
    status = list(inter.curve["solver_status"])
    assert status[1] == "optimal"
    assert "time limit" in status[2:]
    limited_rows = inter.curve[inter.curve["solver_status"] == "time limit"]
    assert (limited_rows["gap_pct"] > 0).all()
    assert (
        limited_rows["deliverable_bound_t_per_day"] < limited_rows["deliverable_after_t_per_day"]
    ).all()
    text = statement(inter)
    assert "NOT proven optimal" in text
    assert "time limit" in text


def test_network_without_capacities_has_no_curve(tmp_path):
    res = _result(tmp_path, "h01-cut")
    G = res.graph.copy()
    for _, _, d in G.edges(data=True):
        d.pop("capacity_t_per_day", None)
    assert scenario_interdiction(dataclasses.replace(res, graph=G)) is None


def test_split_scenario_report_builds_with_flat_curve_and_map(tmp_path):
    from resilience.reports import build_reports

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "split.toml").write_text(TOY["split"], encoding="utf-8")
    outcome = build_reports(tmp_path / "out", folder, timeline_spec=None, progress=False)
    page = tmp_path / "out" / "scenarios" / "split"
    assert "scenarios/split/interdiction.png" in outcome.written
    assert "scenarios/split/worst_map.png" in outcome.written
    text = (page / "index.md").read_text(encoding="utf-8")
    assert "Curve flat for k = 0..5: the network is already cut in two" in text
    assert "![worst set map](worst_map.png)" in text
    import pandas as pd

    curve = pd.read_csv(page / "interdiction.csv")
    assert (curve["deliverable_after_t_per_day"] == 0).all()
    assert list(curve["k"]) == [0, 1, 2, 3, 4, 5]
