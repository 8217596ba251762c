"""``resilience centrality --epsilon E --delta D``: the stated-error estimate on the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from resilience.cli import app

# Import osmnx (and so urllib3) at collection: urllib3 probes IPv6 with a socket on import,
# which pytest-socket reports as a warning that the CLI would print inside a test.
import osmnx  # noqa: F401  # isort: skip

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--epsilon", "0"], "--epsilon must be above 0 and below 1"),
        (["--epsilon", "-0.1"], "--epsilon must be above 0 and below 1"),
        (["--epsilon", "1"], "--epsilon must be above 0 and below 1"),
        (["--epsilon", "nan"], "--epsilon must be above 0 and below 1"),
        (["--epsilon", "0.1", "--delta", "0"], "--delta must be a probability"),
        (["--epsilon", "0.1", "--delta", "1"], "--delta must be a probability"),
        (["--epsilon", "0.1", "--delta", "-2"], "--delta must be a probability"),
        (["--delta", "0.1"], "--delta bounds the --epsilon estimate"),
        (["--epsilon", "0.1", "--samples", "5"], "--epsilon and --samples"),
    ],
)
def test_nonsense_estimate_settings_are_one_line_exit_2(tmp_path, args, says):
    res = runner.invoke(app, ["centrality", *args, "--out", str(tmp_path)])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert says in lines[0]
    assert "Traceback" not in res.output
    assert not any(tmp_path.iterdir())  # refused before anything was written


def _run(tmp_path, *args):
    res = runner.invoke(app, ["centrality", "--top", "3", "--out", str(tmp_path), *args])
    assert res.exit_code == 0, res.output
    (folder,) = (tmp_path / "centrality").iterdir()
    return res, folder


def test_epsilon_estimate_is_recorded_said_and_within_epsilon(tmp_path):
    res, folder = _run(tmp_path / "est", "--epsilon", "0.4", "--delta", "0.2", "--seed", "3")
    facts = json.loads((folder / "run.json").read_text(encoding="utf-8"))["estimate"]
    n = facts["nodes"]
    assert facts["epsilon"] == 0.4
    assert facts["delta"] == 0.2
    assert facts["seed"] == 3
    assert 0 < facts["sources_sampled"] < n  # a real sample of the region
    assert "these values are estimates" in res.stdout
    assert f"{facts['sources_sampled']} of {n} sources" in res.stdout
    _, exact = _run(tmp_path / "exact")
    assert "estimate" not in json.loads((exact / "run.json").read_text(encoding="utf-8"))
    est = pd.read_csv(folder / "nodes.csv").set_index("node")["betweenness"]
    ref = pd.read_csv(exact / "nodes.csv").set_index("node")["betweenness"]
    assert (est.reindex(ref.index) - ref).abs().max() <= 0.4


def test_epsilon_estimate_reruns_byte_identical_and_json_says_so(tmp_path):
    _, first = _run(tmp_path / "a", "--epsilon", "0.4")
    _, second = _run(tmp_path / "b", "--epsilon", "0.4")
    for name in ("nodes.csv", "edges.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    res = runner.invoke(
        app, ["centrality", "--epsilon", "0.4", "--json", "--out", str(tmp_path / "c")]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["estimate"]["delta"] == 0.1
    assert data["kind"].startswith("estimate within ±0.4")


def test_epsilon_needing_every_source_says_exact(toy_env, tmp_path):
    res, folder = _run(tmp_path, "-g", "toy", "--epsilon", "0.05")
    facts = json.loads((folder / "run.json").read_text(encoding="utf-8"))["estimate"]
    assert facts["sources_sampled"] == facts["nodes"]
    assert "exact: ±0.05" in res.stdout
    assert "these values are estimates" not in res.stdout
