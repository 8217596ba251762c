"""Scenario files: validation with one-line errors, running, comparing."""

from __future__ import annotations

from pathlib import Path

import pytest

from resilience.errors import BadScenarioError
from resilience.scenario import compare, load_scenario, run_scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def toy_graphs(monkeypatch):
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(DATA))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
description = "Bravo falls and the H-01 is cut"
graph = "toy"
seed = 3
[removals]
places = ["bravo"]
refs = ["P-02"]
edges = [["delta", "echo"]]
"""


def test_valid_file_loads_with_defaults(tmp_path):
    sc = load_scenario(write(tmp_path, "bravo-falls", VALID))
    assert sc.name == "bravo-falls"
    assert sc.removals.places == ("bravo",)
    assert sc.removals.edges == (("delta", "echo"),)
    assert sc.weight == "travel_time"
    assert sc.seed == 3
    assert sc.origins == ()


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('description = "x"\ngrap = "toy"\n', "grap", "unknown key"),
        ("graph = 'toy'\n", "description", "missing key"),
        ('description = "x"\n[removals]\nrefs = "H-01"\n', "removals.refs", "list"),
        ('description = "x"\n[removals]\nplace = ["bravo"]\n', "removals.place", "unknown key"),
        ('description = "x"\nweight = "speed"\n', "weight", "travel_time"),
        (
            'description = "x"\n[removals.frontline]\nfile = "f.geojson"\ndate = "2025-13-01"\n',
            "removals.frontline.date",
            "date",
        ),
        (
            (
                'description = "x"\n[removals.frontline]\nfile = "f"\ndate = 2025-01-01\n'
                'categories = ["red"]\n'
            ),
            "removals.frontline.categories",
            "occupied",
        ),
        ('description = "x"\n[removals]\nedges = [["a"]]\n', "removals.edges", "pair"),
        ('description = "x"\nname = "Bad Name"\n', "name", "matching"),
        ('description = "x"\nseed = "one"\n', "seed", "an integer"),
    ],
)
def test_invalid_file_is_one_line_naming_file_and_key(tmp_path, text, key, expected):
    path = write(tmp_path, "bad", text)
    with pytest.raises(BadScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(path))
    assert repr(key) in msg
    assert expected in msg


def test_bad_toml_and_missing_file(tmp_path):
    path = write(tmp_path, "broken", "description = \n")
    with pytest.raises(BadScenarioError, match=r"broken\.toml: not valid TOML"):
        load_scenario(path)
    with pytest.raises(BadScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")


def test_unknown_target_names_the_file(tmp_path):
    path = write(
        tmp_path, "typo", 'description = "x"\ngraph = "toy"\n[removals]\nplaces = ["brav"]\n'
    )
    with pytest.raises(BadScenarioError) as info:
        run_scenario(load_scenario(path))
    msg = str(info.value)
    assert msg.startswith(str(path))
    assert "unknown place 'brav'" in msg
    assert "Bravo" in msg


def test_missing_frontline_file_is_one_line(tmp_path):
    path = write(
        tmp_path,
        "front",
        'description = "x"\ngraph = "toy"\n[removals.frontline]\n'
        'file = "no/such/front.geojson"\ndate = "2024-06-01"\n',
    )
    with pytest.raises(BadScenarioError, match=r"front\.toml: front-line file not found"):
        run_scenario(load_scenario(path))


def test_run_and_compare(tmp_path):
    res = run_scenario(load_scenario(write(tmp_path, "bravo-falls", VALID)))
    assert res.removal.nodes == {"bravo"}
    assert set(res.impact.od["destination"]) == {"Delta", "Echo"}
    assert res.min_cut_before == 3
    assert res.min_cut_after < res.min_cut_before
    assert len(res.critical) <= 10
    assert res.critical["betweenness"].is_monotonic_decreasing
    base = run_scenario(
        load_scenario(write(tmp_path, "baseline", 'description = "b"\ngraph = "toy"\n'))
    )
    table = compare([base, res])
    assert list(table["scenario"]) == ["baseline", "bravo-falls"]
    assert table.loc[0, "efficiency_loss_pct"] == 0
    assert table.loc[1, "efficiency_loss_pct"] > 0
    assert table.loc[1, "cut_off"] == 1  # echo, behind the cut delta–echo link


def test_frontline_scenario_on_toy(tmp_path):
    path = write(
        tmp_path,
        "front",
        'description = "x"\ngraph = "toy"\n[removals.frontline]\n'
        'file = "tests/data/frontline_small.geojson"\ndate = "2024-07-01"\n',
    )
    res = run_scenario(load_scenario(path))
    assert res.removal.nodes == {"delta", "delta-station", "echo"}
    assert res.removal.labels == ("front line 2024-06-01",)


def test_shared_data_paths_follow_the_setting(tmp_path, monkeypatch):
    import shutil

    shared = tmp_path / "elsewhere"
    (shared / "front").mkdir(parents=True)
    shutil.copy(DATA / "frontline_small.geojson", shared / "front" / "small.geojson")
    monkeypatch.setenv("RESILIENCE_SHARED_DATA", str(shared))
    path = write(
        tmp_path,
        "front",
        'description = "x"\ngraph = "toy"\n[removals.frontline]\n'
        'file = "../shared/data/front/small.geojson"\ndate = "2024-07-01"\n',
    )
    res = run_scenario(load_scenario(path))
    assert res.removal.nodes == {"delta", "delta-station", "echo"}


def test_shipped_scenarios_validate():
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    assert len(files) >= 7
    names = [load_scenario(f).name for f in files]
    assert names == [f.stem for f in files]


def test_an_edge_key_cuts_one_of_parallel_links(tmp_path):
    from resilience.sources.load import load_network

    G = load_network("toy")
    u, v, k, data = next(e for e in G.edges(keys=True, data=True) if e[0] == "delta")
    extra = G.add_edge(u, v, **data)
    G.add_edge(v, u, key=extra, **data)
    head = 'description = "x"\ngraph = "toy"\n[removals]\n'

    def run(name, edge):
        return run_scenario(load_scenario(write(tmp_path, name, f"{head}edges = [{edge}]\n")), G)

    res = run("one", f'["{u}", "{v}", "{extra}"]')
    assert res.removal.edges == {(u, v, extra), (v, u, extra)}
    both = run("both", f'["{u}", "{v}"]')
    assert {(u, v, k), (u, v, extra), (v, u, k), (v, u, extra)} <= both.removal.edges
    with pytest.raises(BadScenarioError, match=r"no link with key '9'.*keys there"):
        run("nine", f'["{u}", "{v}", "9"]')


@pytest.mark.parametrize("edge", ['["a"]', '["a", "b", "1", "2"]', '"a"', "[1, 2]"])
def test_a_malformed_edge_is_one_line_naming_the_key(tmp_path, edge):
    path = write(tmp_path, "bad", f'description = "x"\n[removals]\nedges = [{edge}]\n')
    with pytest.raises(BadScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert "'removals.edges'" in msg
