"""``resilience flow`` against odd and bad input (issue 12's bar).

Every case ends with exit 0 and a correct, labelled answer, or exit 2 and one ``error:``
line on stderr: no traceback, no option accepted and ignored, no file written on a refusal,
and ``--json`` prints JSON alone on stdout. The toy region (tests/data/toy: Alpha the one
origin, Delta and Echo the destinations) keeps each case well under a second; its maximum
flow is bounded by Alpha's two roads and its transfer, 108,800 + 89,600 + 12,000 t/day.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from resilience.capacity import default_capacity
from resilience.cli import app
from tests.conftest import DATA

runner = CliRunner(env={"COLUMNS": "200"})

_TOY_MAX_FLOW = 108_800 + 89_600 + 12_000

_FILES: dict[str, str | bytes] = {
    "neg.csv": "u,v,capacity_t_per_day\nalpha,bravo,-5\n",
    "nan.csv": "u,v,capacity_t_per_day\nalpha,bravo,nan\n",
    "inf.csv": "u,v,capacity_t_per_day\nalpha,bravo,inf\n",
    "word.csv": "u,v,capacity_t_per_day\nalpha,bravo,lots\n",
    "unknown.csv": "u,v,capacity_t_per_day\natlantis,bravo,5\n",
    "empty.csv": "",
    "latin1.csv": b"u,v,capacity_t_per_day\n\xe9,bravo,5\n",
    "columns.csv": "a,b\n1,2\n",
    "costs.csv": "u,v,cost\nalpha,bravo,2\n",
    "ok.csv": "u,v,capacity_t_per_day\nalpha,bravo,500\n",
    "ref.csv": "ref,capacity_t_per_day\nZZ-99,5\n",
    "class.csv": "class,capacity_t_per_day\nmotorway9,5\n",
    "twice.csv": "u,v,capacity_t_per_day\nalpha,bravo,5\nalpha,bravo,7\n",
    "reversed.csv": "u,v,capacity_t_per_day\nbravo,alpha,5\nalpha,bravo,7\n",
    "key.csv": "u,v,key,capacity_t_per_day\nalpha,bravo,9,5\n",
    "header.csv": "u,v,capacity_t_per_day\n",
    "half.csv": "u,v,capacity_t_per_day\nalpha,,5\n",
    "nolink.csv": "u,v,capacity_t_per_day\nalpha,delta,5\n",
}


def _invoke(args: list[str]) -> Any:
    res = runner.invoke(app, args)
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res


REFUSED = [
    ("demand-without-equals", ["--demand", "delta"], "NAME=T"),
    ("demand-without-name", ["--demand", "=5"], "NAME=T"),
    ("demand-unknown-place", ["--demand", "atlantis=5"], "unknown place 'atlantis'"),
    ("demand-negative", ["--demand", "delta=-1"], "NAME=T"),
    ("demand-nan", ["--demand", "delta=nan"], "NAME=T"),
    ("demand-word", ["--demand", "delta=lots"], "NAME=T"),
    ("demand-inf", ["--demand", "delta=inf"], "not inf"),
    ("demand-overflow", ["--demand", "delta=1e400"], "not inf"),
    ("demand-an-origin", ["--demand", "alpha=5"], "not one of the destinations"),
    ("demand-twice", ["--demand", "delta=5", "--demand", "Delta=7"], "twice"),
    ("supply-without-equals", ["--supply", "alpha"], "NAME=T"),
    ("supply-unknown-place", ["--supply", "atlantis=5"], "unknown place 'atlantis'"),
    ("supply-a-destination", ["--supply", "delta=5"], "not one of the origins"),
    ("supply-nan", ["--supply", "alpha=nan"], "NAME=T"),
    ("supply-negative", ["--supply", "alpha=-3"], "NAME=T"),
    ("supply-inf", ["--supply", "alpha=inf"], "not inf"),
    ("supply-twice", ["--supply", "alpha=5", "--supply", "alpha=5"], "twice"),
    ("demand-total-nan", ["--demand-total", "nan"], "--demand-total"),
    ("demand-total-inf", ["--demand-total", "inf"], "not inf"),
    ("demand-total-negative", ["--demand-total", "-5"], "--demand-total"),
    ("demand-total-zero", ["--demand-total", "0"], "no demand"),
    ("demand-above-total", ["--demand", "delta=30000", "--demand-total", "20000"], "above"),
    (
        "demand-total-nobody-shares",
        ["--demand", "delta=5", "--demand", "echo=5", "--demand-total", "9"],
        "no town left",
    ),
    ("capacity-negative", ["--capacities", "{tmp}/neg.csv"], "line 2"),
    ("capacity-nan", ["--capacities", "{tmp}/nan.csv"], "not 'nan'"),
    ("capacity-inf", ["--capacities", "{tmp}/inf.csv"], "not 'inf'"),
    ("capacity-word", ["--capacities", "{tmp}/word.csv"], "line 2"),
    ("capacity-unknown-place", ["--capacities", "{tmp}/unknown.csv"], "atlantis"),
    ("capacity-empty-file", ["--capacities", "{tmp}/empty.csv"], "capacity_t_per_day"),
    ("capacity-not-utf8", ["--capacities", "{tmp}/latin1.csv"], "UTF-8"),
    ("capacity-missing-columns", ["--capacities", "{tmp}/columns.csv"], "capacity_t_per_day"),
    ("capacity-a-cost-file", ["--capacities", "{tmp}/costs.csv"], "capacity_t_per_day"),
    ("capacity-missing-file", ["--capacities", "{tmp}/absent.csv"], "absent.csv"),
    ("capacity-unknown-ref", ["--capacities", "{tmp}/ref.csv"], "has the ref 'ZZ-99'"),
    ("capacity-unknown-class", ["--capacities", "{tmp}/class.csv"], "class 'motorway9'"),
    ("capacity-link-twice", ["--capacities", "{tmp}/twice.csv"], "capacity twice"),
    ("capacity-link-both-ways", ["--capacities", "{tmp}/reversed.csv"], "capacity twice"),
    ("capacity-unknown-key", ["--capacities", "{tmp}/key.csv"], "with key 9"),
    ("capacity-header-only", ["--capacities", "{tmp}/header.csv"], "no rows"),
    ("capacity-half-a-link", ["--capacities", "{tmp}/half.csv"], "both u and v"),
    ("capacity-no-such-link", ["--capacities", "{tmp}/nolink.csv"], "no link between"),
    ("near-unknown", ["--near", "middle"], "source or target"),
    ("node-unknown", ["--node", "atlantis"], "atlantis"),
    ("origin-unknown", ["-o", "atlantis"], "atlantis"),
]


@pytest.mark.parametrize(("args", "match"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_refused_in_one_line(
    args: list[str], match: str, as_json: bool, toy_env: Path, tmp_path: Path
) -> None:
    for name, text in _FILES.items():
        path = tmp_path / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text, "utf-8")
    out = tmp_path / "reports"
    full = [a.replace("{tmp}", str(tmp_path)) for a in args]
    # --json writes no files, so it takes no --out (that pair is refused, see below).
    extra = ["--json"] if as_json else ["--out", str(out)]
    res = _invoke(["flow", *full, *extra, "-g", "toy"])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, res.output
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert match in lines[0]
    assert res.stdout == ""
    assert not out.exists()


def test_json_with_out_is_refused(toy_env: Path, tmp_path: Path) -> None:
    res = _invoke(["flow", "-g", "toy", "--json", "--out", str(tmp_path / "r")])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        "error: --json prints the answer and writes no files; drop --out (or --json)"
    ]
    assert res.stdout == ""
    assert not (tmp_path / "r").exists()


def _json(args: list[str], graph: list[str] | None = None) -> dict[str, Any]:
    res = _invoke(["flow", *args, *(graph or ["-g", "toy"]), "--json"])
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


_UNITS = re.compile(r"_(t_per_day|min|pct)$")


def _check_units(doc: dict[str, Any]) -> None:
    """Every number in the JSON names its unit (λ is a share, the counts are counts)."""
    for key, value in doc.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert _UNITS.search(key) or key.startswith(("lambda_", "saturated_links_")), key
    for row in doc["destinations"]:
        for key, value in row.items():
            if isinstance(value, (int, float)):
                assert _UNITS.search(key), key


def test_baseline_numbers_carry_units(toy_env: Path) -> None:
    doc = _json([])
    _check_units(doc)
    assert doc["max_flow_before_t_per_day"] == _TOY_MAX_FLOW
    assert doc["max_flow_after_t_per_day"] == _TOY_MAX_FLOW
    assert doc["removed"] == []


def test_every_origin_removed_is_flow_zero(toy_env: Path, tmp_path: Path) -> None:
    doc = _json(["--node", "alpha"])
    _check_units(doc)
    assert doc["max_flow_after_t_per_day"] == 0
    assert doc["lambda_after"] == 0.0
    assert doc["mean_travel_time_after_min"] is None
    assert doc["bottleneck_after"] == []
    assert {d["status"] for d in doc["destinations"]} == {"cut off"}
    res = _invoke(["flow", "-g", "toy", "--node", "alpha", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "none (every origin removed" in res.stdout


def test_every_destination_removed_is_flow_zero(toy_env: Path, tmp_path: Path) -> None:
    doc = _json(["--node", "delta", "--node", "echo"])
    assert doc["max_flow_after_t_per_day"] == 0
    assert {d["status"] for d in doc["destinations"]} == {"lost"}
    res = _invoke(
        ["flow", "-g", "toy", "--node", "delta", "--node", "echo", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert "none (every destination removed" in res.stdout


def test_zero_demand_is_met_not_nan(toy_env: Path) -> None:
    doc = _json(["--demand", "delta=0"])
    rows = {d["destination"]: d for d in doc["destinations"]}
    assert rows["Delta"]["demand_t_per_day"] == 0.0
    assert rows["Delta"]["share_met_after_pct"] == 100.0
    assert rows["Echo"]["demand_t_per_day"] == doc["total_demand_t_per_day"]


def test_zero_supply_meets_nothing(toy_env: Path) -> None:
    doc = _json(["--supply", "alpha=0"])
    # The maximum flow is the network's own capacity; λ and deliveries obey the supply.
    assert doc["max_flow_before_t_per_day"] == _TOY_MAX_FLOW
    assert doc["lambda_before"] == 0.0


def test_capacity_file_acts(toy_env: Path, tmp_path: Path) -> None:
    caps = tmp_path / "caps.csv"
    caps.write_text("u,v,capacity_t_per_day\nalpha,bravo,500\n", encoding="utf-8")
    doc = _json(["--capacities", str(caps)])
    # Alpha–Bravo (108,800 by default) down to 500: Alpha's cut is still the smallest.
    assert doc["max_flow_before_t_per_day"] == _TOY_MAX_FLOW - 108_800 + 500


def test_capacity_by_ref_acts(toy_env: Path, tmp_path: Path) -> None:
    caps = tmp_path / "caps.csv"
    # H-01 is Alpha–Bravo–Delta; the ref is matched however it is spelt.
    caps.write_text("ref,capacity_t_per_day\nh01,500\n", encoding="utf-8")
    doc = _json(["--capacities", str(caps)])
    assert doc["max_flow_before_t_per_day"] == _TOY_MAX_FLOW - 108_800 + 500


def test_capacity_file_from_a_spreadsheet_acts(toy_env: Path, tmp_path: Path) -> None:
    # "CSV UTF-8" from a spreadsheet: a byte-order mark and CRLF line ends.
    caps = tmp_path / "caps.csv"
    caps.write_bytes("u,v,capacity_t_per_day\r\nalpha,bravo,500\r\n".encode("utf-8-sig"))
    doc = _json(["--capacities", str(caps)])
    assert doc["max_flow_before_t_per_day"] == _TOY_MAX_FLOW - 108_800 + 500


def test_demands_accumulate_over_places(toy_env: Path) -> None:
    doc = _json(["--demand", "delta=3000", "--demand", "echo=1000"])
    rows = {d["destination"]: d["demand_t_per_day"] for d in doc["destinations"]}
    assert rows == {"Delta": 3000.0, "Echo": 1000.0}
    assert doc["total_demand_t_per_day"] == 4000.0


def _line_graphml(path: Path) -> Path:
    """Three places on one road, no capacities: P0 – P1 – P2, primary road both ways."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(3):
        G.add_node(i, x=37.0 + 0.01 * i, y=48.0, name=f"P{i}")
    for a, b in ((0, 1), (1, 2)):
        for u, v in ((a, b), (b, a)):
            G.add_edge(u, v, length=744.0, travel_time=60.0, highway="primary")
    nx.write_graphml(G, path)
    return path


def test_graph_file_without_capacities_takes_the_defaults(tmp_path: Path) -> None:
    path = _line_graphml(tmp_path / "line.graphml")
    doc = _json([], ["-g", str(path), "-o", "P0", "-d", "P2"])
    G = nx.MultiDiGraph()
    G.add_edge(0, 1, highway="primary")
    one_road = default_capacity(G, 0, 1, G.edges[0, 1, 0])
    # Two equal roads in series carry what one carries.
    assert doc["max_flow_before_t_per_day"] == one_road > 0
    cut = _json(["--node", "P1"], ["-g", str(path), "-o", "P0", "-d", "P2"])
    assert cut["max_flow_after_t_per_day"] == 0


def test_osm_file_without_capacities_answers() -> None:
    small = str(DATA / "osm" / "small.osm")
    doc = _json([], ["-g", small, "-o", "pokrovsk", "-d", "myrnohrad"])
    assert doc["max_flow_before_t_per_day"] > 0
    assert doc["bottleneck_before"]


def test_files_go_into_a_run_folder_per_option_set(toy_env: Path, tmp_path: Path) -> None:
    caps = tmp_path / "caps.csv"
    caps.write_text("u,v,capacity_t_per_day\nalpha,bravo,500\n", encoding="utf-8")
    out = tmp_path / "reports"
    for extra in ([], ["--capacities", str(caps)]):
        res = _invoke(["flow", "-g", "toy", "--node", "bravo", *extra, "--out", str(out)])
        assert res.exit_code == 0, res.output
    folders = sorted((out / "flow").iterdir())
    # Same targets, other capacities: two folders, not one overwritten.
    assert len(folders) == 2
    for folder in folders:
        assert folder.name.startswith("bravo-")
        manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        assert "summary.csv" in manifest["files"]
        header = (folder / "links.csv").read_text(encoding="utf-8").splitlines()[0]
        assert "capacity_t_per_day" in header
        assert "flow_after_t_per_day" in header
