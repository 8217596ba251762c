"""Attack curves: shape, determinism, and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from resilience.analysis.attack import attack
from resilience.errors import BadInputError
from resilience.synthetic import road_like


@pytest.mark.parametrize("strategy", ["betweenness", "degree", "random"])
def test_curve_shape(strategy):
    G = road_like(100, seed=2)
    curve = attack(G, [0, 5], [99, 90], strategy=strategy, steps=4, runs=3, seed=1)
    assert curve["step"].tolist() == [0, 1, 2, 3, 4]
    assert curve["removed"].tolist() == [0, 5, 10, 15, 20]
    first = curve.iloc[0]
    assert (first["largest_component"], first["od_efficiency"], first["od_connectivity"]) == (
        1.0,
        1.0,
        1.0,
    )
    assert curve["largest_component"].is_monotonic_decreasing
    assert curve["od_connectivity"].is_monotonic_decreasing


def test_random_is_seeded():
    G = road_like(64, seed=3)
    a = attack(G, [0], [63], strategy="random", steps=3, runs=5, seed=4)
    b = attack(G, [0], [63], strategy="random", steps=3, runs=5, seed=4)
    assert a.equals(b)


def test_targeted_hurts_more_than_random():
    G = road_like(144, seed=1)
    targeted = attack(G, [0], [143], strategy="betweenness", steps=4, recompute=True)
    rand = attack(G, [0], [143], strategy="random", steps=4, runs=10, seed=0)
    assert targeted["largest_component"].iloc[-1] < rand["largest_component"].iloc[-1]
    assert targeted["strategy"].iloc[0] == "betweenness (recomputed)"


def test_bad_strategy():
    with pytest.raises(BadInputError):
        attack(road_like(16), [0], [15], strategy="closeness")  # type: ignore[arg-type]


def test_cli_attack_is_byte_identical(tmp_path, monkeypatch):
    from resilience.cli import app

    monkeypatch.setenv("RESILIENCE_GRAPHS", str(Path("tests/data").resolve()))
    args = ["attack", "--graph", "toy", "--strategy", "random", "--steps", "3", "--runs", "4"]
    args += ["--seed", "1", "--out", str(tmp_path)]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 0
    (folder,) = (tmp_path / "attack").glob("attack-random-*")
    png = (folder / "attack-random.png").read_bytes()
    csv = (folder / "attack-random.csv").read_bytes()
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (folder / "attack-random.png").read_bytes() == png
    assert (folder / "attack-random.csv").read_bytes() == csv
    bad = runner.invoke(app, ["attack", "--graph", "toy", "--strategy", "nope"])
    assert bad.exit_code == 2
