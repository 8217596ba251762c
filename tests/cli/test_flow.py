"""``resilience flow``: the table, --json against networkx, --capacities, demand, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import resilience
from resilience.cli import app
from tests.analysis.test_flow import nx_max_flow

runner = CliRunner(env={"COLUMNS": "200"})


def _json(args: list[str]) -> dict:
    res = runner.invoke(app, ["flow", *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _pre_war() -> list[str]:
    # Commands may analyse a dated network by default; the library call below is pre-war.
    res = runner.invoke(app, ["flow", "--help"])
    return ["--pre-war"] if "--pre-war" in res.stdout else []


def test_json_equals_networkx_on_the_embedded_region() -> None:
    out = _json(["--node", "pokrovsk", *_pre_war()])
    G = resilience.load_network()
    origins, destinations = resilience.resolve_od(G)
    removal = resilience.build_removal(G, nodes=["pokrovsk"])
    H = resilience.apply_removal(G, removal)
    assert out["max_flow_before_t_per_day"] == nx_max_flow(G, origins, destinations)
    assert out["max_flow_after_t_per_day"] == nx_max_flow(H, origins, destinations)
    assert out["max_flow_after_t_per_day"] < out["max_flow_before_t_per_day"]
    assert out["lambda_after"] <= out["lambda_before"] + 1e-9 or any(
        d["status"] == "lost" for d in out["destinations"]
    )
    assert {d["destination"] for d in out["destinations"]} >= {"Myrnohrad", "Kramatorsk"}
    assert out["bottleneck_after"]


def test_table_prints_the_same_numbers(tmp_path: Path) -> None:
    out = _json(["--ref", "M30"])
    res = runner.invoke(app, ["flow", "--ref", "M30", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert f"{out['max_flow_before_t_per_day']:,} t/day before" in res.stdout
    assert f"{out['max_flow_after_t_per_day']:,} after" in res.stdout
    assert f"λ: {out['lambda_before']:.3f} before, {out['lambda_after']:.3f} after" in res.stdout
    folder = tmp_path / "flow"
    written = sorted(p.name for p in next(folder.iterdir()).iterdir())
    assert written == [
        "cut.csv",
        "destinations.csv",
        "links.csv",
        "links.gpkg",
        "links.parquet",
        "run.json",
        "summary.csv",
    ]
    import geopandas as gpd

    layer = gpd.read_file(next(folder.iterdir()) / "links.gpkg", layer="links")
    assert len(layer) == len(pd.read_csv(next(folder.iterdir()) / "links.csv"))
    assert layer["flow_before_t_per_day"].max() > 0


def test_capacities_file_and_demand_options(tmp_path: Path) -> None:
    base = _json([])
    caps = tmp_path / "caps.csv"
    # every transfer closed: rail supply cannot enter or leave, roads alone carry it
    caps.write_text("class,capacity_t_per_day\ntransfer,0\n", encoding="utf-8")
    roads = _json(["--capacities", str(caps)])
    assert roads["max_flow_before_t_per_day"] < base["max_flow_before_t_per_day"]
    # twice the demand halves λ
    double = _json(["--demand-total", str(2 * base["total_demand_t_per_day"])])
    assert double["lambda_before"] == pytest.approx(base["lambda_before"] / 2, rel=1e-6)
    fixed = _json(["--demand", "pokrovsk=5000", "--demand-total", "6000"])
    rows = {d["destination"]: d for d in fixed["destinations"]}
    assert rows["Pokrovsk"]["demand_t_per_day"] == 5000
    bounded = _json(
        ["--supply", "dnipro=0", "--supply", "pavlohrad=0", "--supply", "zaporizhzhia=1000"]
    )
    assert bounded["lambda_before"] == pytest.approx(1000 / bounded["total_demand_t_per_day"])


def test_toy_graph(toy_env: Path) -> None:
    # Alpha's cut: Alpha–Bravo 108,800 + Alpha–Charlie 89,600 + the transfer 12,000.
    out = _json(["--graph", "toy", "--edge", "alpha", "bravo"])
    assert out["max_flow_before_t_per_day"] == 210400
    assert out["max_flow_after_t_per_day"] == 210400 - 108800


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--demand", "pokrovsk"], "NAME=T"),
        (["--demand", "pokrovsk=-3"], "NAME=T"),
        (["--demand", "dnipro=5"], "not one of the destinations"),
        (["--supply", "atlantis=5"], "atlantis"),
        (["--capacities", "/nonexistent/caps.csv"], "not found"),
        (["--near", "middle"], "source or target"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], match: str) -> None:
    res = runner.invoke(app, ["flow", *args])
    assert res.exit_code == 2
    assert match in res.output
    assert "Traceback" not in res.output


def test_json_stdout_is_json_alone_when_a_target_is_already_lost() -> None:
    if "--as-of" not in runner.invoke(app, ["flow", "--help"]).stdout:
        pytest.skip("commands have no --as-of date here")
    out = _json(["--as-of", "latest", "--node", "pokrovsk"])
    assert out["max_flow_after_t_per_day"] <= out["max_flow_before_t_per_day"]


def test_files_are_byte_identical_on_rerun(toy_env: Path, tmp_path: Path) -> None:
    args = ["flow", "-g", "toy", "--node", "bravo", "--out", str(tmp_path)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    first = {path: path.read_bytes() for path in tmp_path.rglob("*.*")}
    assert len(first) == 7
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert {path: path.read_bytes() for path in tmp_path.rglob("*.*")} == first
