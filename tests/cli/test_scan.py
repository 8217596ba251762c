"""``scan``'s files carry the unit-named columns of its printed table (issue 12, "units lie")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from resilience.analysis.criticality import labelled_scan_table, scan
from resilience.cli import app
from resilience.columns import missing
from resilience.sources.load import load_network


def _scan(args: list[str], out: Path) -> Any:
    result = CliRunner().invoke(app, ["scan", "-g", "toy", *args, "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data, Path(data["folder"])


@pytest.mark.parametrize(
    ("weight", "unit", "scale"), [("travel_time", "min", 60.0), ("length", "km", 1000.0)]
)
def test_scan_files_carry_the_printed_units(toy_env, tmp_path, weight, unit, scale):
    data, folder = _scan(["--both", "--weight", weight], tmp_path)
    csv = pd.read_csv(folder / "scan.csv")
    parquet = pd.read_parquet(folder / "scan.parquet")
    named = {f"importance_{unit}", "cut_off_pct", "od_efficiency_loss_pct"}
    for frame in (csv, parquet):
        assert named <= set(frame.columns)
        assert not {"importance", "unsatisfied", "efficiency_loss"} & set(frame.columns)
    for layer in ("links", "places"):
        assert named <= set(gpd.read_file(folder / "scan.gpkg", layer=layer).columns)
    # Every written column is defined in the data dictionary.
    assert missing(csv.columns) == []
    assert missing(pd.read_csv(folder / "bridges.csv").columns) == []
    # The file holds what the screen shows, unrounded: same rows, same values to rounding.
    for row, top in zip(csv.itertuples(), data["top"], strict=False):
        assert row.label == top["label"]
        assert round(getattr(row, f"importance_{unit}"), 1) == top[f"importance_{unit}"]
        assert round(row.cut_off_pct, 1) == top["cut_off_pct"]
    # ... and the raw library values converted: seconds → minutes (or m → km), share → %.
    G = load_network("toy")
    origins, destinations = _od(folder)
    raw = scan(G, origins, destinations, elements="both", weight=weight)
    assert csv[f"importance_{unit}"].to_numpy() == pytest.approx(
        raw["importance"].to_numpy() / scale
    )
    assert csv["cut_off_pct"].to_numpy() == pytest.approx(100 * raw["unsatisfied"].to_numpy())
    assert csv["od_efficiency_loss_pct"].to_numpy() == pytest.approx(
        100 * raw["efficiency_loss"].to_numpy()
    )
    assert raw["importance"].max() > 0  # the comparison is not vacuous


def _od(folder: Path) -> tuple[list[Any], list[Any]]:
    """The OD sets the run used, as its manifest records them."""
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    return manifest["origins"], manifest["destinations"]


def test_labelled_scan_table_leaves_the_library_table_alone():
    raw = pd.DataFrame(
        {"rank": [1], "importance": [90.0], "unsatisfied": [0.5], "efficiency_loss": [0.125]}
    )
    out = labelled_scan_table(raw, "travel_time")
    assert list(out.columns) == ["rank", "importance_min", "cut_off_pct", "od_efficiency_loss_pct"]
    assert out.iloc[0].tolist() == [1, 1.5, 50.0, 12.5]
    assert list(raw.columns) == ["rank", "importance", "unsatisfied", "efficiency_loss"]
    assert labelled_scan_table(raw, "length")["importance_km"].iloc[0] == pytest.approx(0.09)
