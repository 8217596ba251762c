"""``interdict``, ``protect``, ``repair`` against odd and bad input (issue 12's bar).

Every case ends with exit 0 and a correct, labelled answer, or exit 2 and one ``error:``
line on stderr: no traceback, no option accepted and ignored, no file written on a refusal.
The toy region (tests/data/toy: Alpha is the one origin, Delta and Echo the destinations)
keeps each case well under a second.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from resilience.cli import app

runner = CliRunner(env={"COLUMNS": "200"})

# Every link of the toy region: 4 roads, a rail line of 2 links, 2 transfers, Delta–Echo.
_TOY_MAX_FLOW = 210400.0


def _invoke(args: list[str]) -> Any:
    res = runner.invoke(app, args)
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res


def _files(tmp_path: Path, name: str, text: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# (case id, arguments after the command with {tmp} for the test folder, files, match)
_FILES = {
    "nan.csv": "u,v,cost\nalpha,bravo,nan\n",
    "neg.csv": "u,v,cost\nalpha,bravo,-1\n",
    "inf.csv": "u,v,cost\nalpha,bravo,inf\n",
    "unknown.csv": "u,v,cost\natlantis,bravo,2\n",
    "empty.csv": "",
    "latin1.csv": b"u,v,cost\n\xe9,bravo,2\n",
    "columns.csv": "a,b\n1,2\n",
    "key.csv": "u,v,key,cost\nalpha,bravo,zz,3\n",
    "nolink.csv": "u,v,cost\nalpha,echo,3\n",
    "word.csv": "u,v,cost\nalpha,bravo,cheap\n",
    "ok.csv": "u,v,cost\nalpha,bravo,2\n",
    "twice.csv": "u,v,cost\nalpha,bravo,2\nalpha,bravo,3\n",
    "place.csv": "u,v,cost\nbravo,,5\n",
    "origin.csv": "u,v,cost\nalpha,,5\n",
    "reversed.csv": "u,v,cost\nbravo,alpha,2\nalpha,bravo,3\n",
}

REFUSED = [
    ("k-zero", ["interdict", "--k", "0"], "--k"),
    ("k-negative", ["interdict", "--k", "-1"], "--k"),
    ("k-not-integer", ["interdict", "--k", "1.5"], "--k"),
    ("k-word", ["interdict", "--k", "two"], "--k"),
    ("objective-unknown", ["interdict", "--objective", "bogus"], "flow, time or pairs"),
    ("elements-unknown", ["interdict", "--elements", "edges"], "links, nodes or both"),
    ("budget-without-cost", ["interdict", "--budget", "3"], "--budget needs --cost"),
    (
        "cost-nan",
        ["interdict", "--cost", "{tmp}/nan.csv", "--budget", "5"],
        "non-negative number, not nan",
    ),
    (
        "cost-negative",
        ["interdict", "--cost", "{tmp}/neg.csv", "--budget", "5"],
        "non-negative number",
    ),
    ("cost-inf", ["interdict", "--cost", "{tmp}/inf.csv", "--budget", "5"], "not inf"),
    (
        "cost-word",
        ["interdict", "--cost", "{tmp}/word.csv", "--budget", "5"],
        "cost must be a number",
    ),
    (
        "cost-unknown-place",
        ["interdict", "--cost", "{tmp}/unknown.csv", "--budget", "5"],
        "atlantis",
    ),
    (
        "cost-empty-file",
        ["interdict", "--cost", "{tmp}/empty.csv", "--budget", "5"],
        "needs the columns",
    ),
    ("cost-not-utf8", ["interdict", "--cost", "{tmp}/latin1.csv", "--budget", "5"], "cannot read"),
    (
        "cost-missing-columns",
        ["interdict", "--cost", "{tmp}/columns.csv", "--budget", "5"],
        "needs the columns",
    ),
    (
        "cost-missing-file",
        ["interdict", "--cost", "{tmp}/absent.csv", "--budget", "5"],
        "cannot read",
    ),
    ("cost-unknown-key", ["interdict", "--cost", "{tmp}/key.csv", "--budget", "5"], "with key zz"),
    (
        "cost-no-such-link",
        ["interdict", "--cost", "{tmp}/nolink.csv", "--budget", "5"],
        "no link alpha–echo",
    ),
    ("cost-twice", ["interdict", "--cost", "{tmp}/twice.csv", "--budget", "5"], "second cost"),
    (
        "cost-both-ways",
        ["interdict", "--cost", "{tmp}/reversed.csv", "--budget", "5"],
        "second cost",
    ),
    ("cost-without-budget", ["interdict", "--cost", "{tmp}/ok.csv"], "only with --budget"),
    (
        "cost-a-place-links-only",
        ["interdict", "--cost", "{tmp}/place.csv", "--budget", "5"],
        "may not remove",
    ),
    (
        "cost-an-origin-no-endpoints",
        ["interdict", "--elements", "nodes", "--cost", "{tmp}/origin.csv", "--budget", "5"],
        "may not remove",
    ),
    ("protect-cost-without-budget", ["protect", "--cost", "{tmp}/ok.csv"], "only with --budget"),
    ("budget-inf", ["interdict", "--cost", "{tmp}/ok.csv", "--budget", "inf"], "not inf"),
    ("budget-negative", ["interdict", "--cost", "{tmp}/ok.csv", "--budget", "-1"], "--budget"),
    ("budget-nan", ["interdict", "--cost", "{tmp}/ok.csv", "--budget", "nan"], "--budget"),
    ("time-limit-zero", ["interdict", "--time-limit", "0"], "--time-limit"),
    ("time-limit-negative", ["interdict", "--time-limit", "-1"], "--time-limit"),
    ("time-limit-nan", ["interdict", "--time-limit", "nan"], "--time-limit"),
    ("cutoff-nan", ["interdict", "--objective", "time", "--cutoff-min", "nan"], "--cutoff"),
    ("cutoff-inf", ["interdict", "--objective", "time", "--cutoff-min", "inf"], "not inf"),
    ("cutoff-zero", ["interdict", "--objective", "time", "--cutoff-min", "0"], "positive"),
    ("cutoff-with-flow", ["interdict", "--cutoff-min", "5"], "only with --objective time"),
    ("demand-with-pairs", ["interdict", "--objective", "pairs", "--demand"], "only with"),
    ("endpoints-with-links", ["interdict", "--endpoints"], "only with --elements nodes"),
    ("protect-endpoints-with-links", ["protect", "--endpoints"], "only with --elements"),
    ("origin-unknown", ["interdict", "-o", "atlantis"], "unknown place 'atlantis'"),
    ("origin-is-destination", ["interdict", "-o", "alpha", "-d", "alpha"], "both"),
    ("protect-p-negative", ["protect", "--p", "-1"], "--p"),
    ("protect-k-zero", ["protect", "--k", "0"], "--k"),
    ("protect-budget-without-cost", ["protect", "--budget", "2"], "--budget needs --cost"),
    ("protect-cutoff-with-flow", ["protect", "--cutoff-min", "9"], "only with"),
    ("protect-demand-with-time", ["protect", "--objective", "time", "--demand"], "only with"),
]


@pytest.mark.parametrize(("args", "match"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_in_one_line(args: list[str], match: str, toy_env: Path, tmp_path: Path) -> None:
    for name, text in _FILES.items():
        _files(tmp_path, name, text)
    out = tmp_path / "reports"
    full = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = _invoke([*full, "-g", "toy", "--out", str(out)])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, res.output
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert match in lines[0]
    assert res.stdout == ""
    assert not out.exists()


def _json(args: list[str]) -> dict[str, Any]:
    res = _invoke([*args, "-g", "toy", "--json"])
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def test_k_beyond_every_element_removes_all_flow(toy_env: Path) -> None:
    doc = _json(["interdict", "--k", "100"])
    assert doc["before_t_per_day"] == _TOY_MAX_FLOW
    assert doc["after_t_per_day"] == 0.0
    assert doc["damage_t_per_day"] == _TOY_MAX_FLOW
    assert doc["status"] == "optimal"
    # The smallest set that does it: Alpha's two roads and its transfer.
    assert len(doc["elements"]) == 3
    assert {(e["u"], e["v"]) for e in doc["elements"]} == {
        ("alpha", "bravo"),
        ("alpha", "charlie"),
        ("alpha", "alpha-station"),
    }
    # Past k = 3 nothing more can be lost: every step is the proven maximum, not re-solved.
    curve = doc["curve"]
    assert [row["k"] for row in curve] == list(range(1, len(curve) + 1))
    assert all(row["status"] == "optimal" for row in curve)
    assert [row["damage_t_per_day"] for row in curve[2:]] == [_TOY_MAX_FLOW] * (len(curve) - 2)
    assert all(row["bound_t_per_day"] == _TOY_MAX_FLOW for row in curve[2:])


def test_huge_k_on_time_ends_with_a_proven_optimum(toy_env: Path) -> None:
    doc = _json(["interdict", "--k", "60", "--objective", "time", "--time-limit", "5"])
    assert doc["status"] == "optimal"
    assert doc["gap_pct"] == 0.0
    assert doc["damage_min"] == doc["bound_min"] > 0
    damages = [row["damage_min"] for row in doc["curve"]]
    assert damages == sorted(damages)


@pytest.mark.parametrize(
    ("objective", "unit"), [("flow", "t_per_day"), ("time", "min"), ("pairs", "pairs")]
)
@pytest.mark.parametrize("elements", ["links", "nodes", "both"])
def test_each_objective_and_element_kind_answers_with_its_unit(
    objective: str, unit: str, elements: str, toy_env: Path
) -> None:
    doc = _json(["interdict", "--k", "1", "--objective", objective, "--elements", elements])
    assert doc["unit"] == unit
    assert f"damage_{unit}" in doc
    assert doc[f"damage_{unit}"] >= 0
    assert len(doc["elements"]) <= 1
    curve = doc["curve"]
    assert [row["k"] for row in curve] == [1]
    kinds = {e["element"] for e in doc["elements"]}
    assert kinds <= {"links": {"link"}, "nodes": {"node"}, "both": {"link", "node"}}[elements]


def test_budget_with_costs_is_kept(toy_env: Path, tmp_path: Path) -> None:
    # Alpha–Bravo costs 2, everything else 1: a budget of 2 buys two cheap links or that one.
    costs = _files(tmp_path, "ok.csv", "u,v,cost\nalpha,bravo,2\n")
    doc = _json(["interdict", "--k", "5", "--cost", str(costs), "--budget", "2"])
    assert sum(e["cost"] for e in doc["elements"]) <= 2
    assert doc["damage_t_per_day"] > 0


def test_cost_file_from_a_spreadsheet_acts(toy_env: Path, tmp_path: Path) -> None:
    # "CSV UTF-8" from a spreadsheet: a byte-order mark and CRLF line ends. Alpha–Bravo
    # priced out of a budget of 1, so the worst single link is another.
    costs = tmp_path / "c.csv"
    costs.write_bytes("u,v,cost\r\nalpha,bravo,5\r\nbravo,delta,5\r\n".encode("utf-8-sig"))
    doc = _json(["interdict", "--k", "1", "--cost", str(costs), "--budget", "1"])
    assert doc["damage_t_per_day"] == 89_600
    assert {(e["u"], e["v"]) for e in doc["elements"]}.isdisjoint(
        {("alpha", "bravo"), ("bravo", "delta")}
    )


def test_cost_file_a_place_row_counts(toy_env: Path, tmp_path: Path) -> None:
    # A place with v empty: Alpha made very dear, so the node attacker never takes it.
    costs = _files(tmp_path, "p.csv", "u,v,cost\nalpha,,1000\n")
    doc = _json(
        ["interdict", "--k", "1", "--elements", "nodes", "--endpoints", "--cost", str(costs),
         "--budget", "1"]
    )  # fmt: skip
    assert all(e["u"] != "alpha" for e in doc["elements"])


def test_runs_write_their_own_folders_with_a_manifest(toy_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    for objective in ("flow", "pairs"):
        res = _invoke(["interdict", "-g", "toy", "--objective", objective, "--out", str(out)])
        assert res.exit_code == 0, res.output
    folders = sorted(p.name for p in (out / "interdict").iterdir())
    assert len(folders) == 2, folders
    for folder in (out / "interdict").iterdir():
        assert sorted(p.name for p in folder.iterdir()) == [
            "curve.csv",
            "run.json",
            "single.csv",
            "worst.csv",
        ]
        manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        assert manifest["inputs"]["command"] == "interdict"
    # The same run again lands in the same folder, byte for byte.
    first = {p: p.read_bytes() for p in out.rglob("*.csv")}
    res = _invoke(["interdict", "-g", "toy", "--objective", "flow", "--out", str(out)])
    assert res.exit_code == 0
    assert {p: p.read_bytes() for p in out.rglob("*.csv")} == first


@pytest.mark.parametrize("command", ["interdict", "protect", "repair"])
def test_json_with_out_is_refused(command: str, toy_env: Path, tmp_path: Path) -> None:
    # --json prints and writes no files: an --out beside it would be ignored.
    out = tmp_path / "reports"
    where = ["--scenario", "pokrovsk-falls"] if command == "repair" else ["-g", "toy"]
    res = _invoke([command, *where, "--json", "--out", str(out)])
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1
    assert "drop --out" in res.stderr
    assert not out.exists()


def test_protect_nothing_and_everything(toy_env: Path, tmp_path: Path) -> None:
    res = _invoke(["protect", "-g", "toy", "--p", "0", "--k", "1", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "108800 t_per_day unprotected, 108800 with the protection" in res.stdout
    # p and k beyond the number of elements: everything that matters is hardened.
    res = _invoke(["protect", "-g", "toy", "--p", "50", "--k", "50", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "210400 t_per_day unprotected, 0 with the protection" in res.stdout
    assert len(list((tmp_path / "protect").iterdir())) == 2


def _scenario(tmp_path: Path, name: str, removals: str) -> Path:
    text = f'name = "{name}"\ndescription = "test"\ngraph = "toy"\n[removals]\n{removals}\n'
    return _files(tmp_path, f"{name}.toml", text)


@pytest.mark.parametrize(
    ("case", "args", "match"),
    [
        ("unknown-name", ["--scenario", "no-such-scenario"], "no such scenario file"),
        ("missing-file", ["--scenario", "{tmp}/absent.toml"], "no such scenario file"),
        ("r-zero", ["--scenario", "{tmp}/bravo.toml", "--r", "0"], "--r"),
        ("bad-toml", ["--scenario", "{tmp}/bad.toml"], "not valid TOML"),
        ("nothing-removed", ["--scenario", "{tmp}/empty.toml"], "nothing to repair"),
        ("unknown-place", ["--scenario", "{tmp}/atlantis.toml"], "atlantis"),
        ("demand-with-pairs", ["--scenario", "{tmp}/bravo.toml", "--objective", "pairs",
                               "--demand"], "only with"),
        ("cutoff-with-flow", ["--scenario", "{tmp}/bravo.toml", "--cutoff-min", "9"],
         "only with"),
        ("objective-unknown", ["--scenario", "{tmp}/bravo.toml", "--objective", "x"], "flow"),
    ],
)  # fmt: skip
def test_repair_refused(
    case: str, args: list[str], match: str, toy_env: Path, tmp_path: Path
) -> None:
    _scenario(tmp_path, "bravo", 'places = ["bravo"]')
    _scenario(tmp_path, "empty", "places = []")
    _scenario(tmp_path, "atlantis", 'places = ["atlantis"]')
    _files(tmp_path, "bad.toml", "name = [\n")
    out = tmp_path / "reports"
    full = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = _invoke(["repair", *full, "--out", str(out)])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, (case, res.output)
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert match in lines[0]
    assert not out.exists()


def test_repair_r_beyond_the_damage_plans_every_element(toy_env: Path, tmp_path: Path) -> None:
    sc = _scenario(tmp_path, "alpha-roads", 'edges = [["alpha", "bravo"], ["alpha", "charlie"]]')
    res = _invoke(["repair", "--scenario", str(sc), "--r", "9", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    folders = list((tmp_path / "r" / "repair").iterdir())
    assert len(folders) == 1
    assert folders[0].name.startswith("alpha-roads-")
    order = (folders[0] / "repair.csv").read_text(encoding="utf-8").splitlines()
    assert order[0].startswith("step,")
    assert "supply_t_per_day" in order[0]
    assert len(order) == 3  # header + the two links, r capped at what was removed


def test_protect_and_repair_json_alone_on_stdout(toy_env: Path, tmp_path: Path) -> None:
    # H-01 is two links in series (108,800 each): hardening one leaves the other, so p = 1
    # hardens nothing; p = 2 hardens both and leaves a P-02 link (89,600) as the worst.
    doc = _json(["protect", "--p", "1", "--k", "1"])
    assert doc["damage_unprotected_t_per_day"] == 108800
    assert doc["damage_protected_t_per_day"] == 108800
    assert doc["protected"] == []
    doc = _json(["protect", "--p", "2", "--k", "1"])
    assert doc["damage_protected_t_per_day"] == 89600
    assert {(e["u"], e["v"]) for e in doc["protected"]} == {("alpha", "bravo"), ("bravo", "delta")}
    sc = _scenario(tmp_path, "bravo", 'places = ["bravo"]')
    res = _invoke(["repair", "--scenario", str(sc), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["scenario"] == "bravo"
    assert rep["intact_t_per_day"] == _TOY_MAX_FLOW
    assert rep["damaged_t_per_day"] < rep["intact_t_per_day"]
    assert rep["order"][-1]["supply_t_per_day"] == _TOY_MAX_FLOW
