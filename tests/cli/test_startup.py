"""Start-up of ``resilience cut`` on the embedded region: what it imports, and what it prints.

A structural test, not a timed one: the run must not load the heavy packages (pandas, numpy,
scipy, the geo stack, numba, networkit, matplotlib), which cost over a second of the
start (``benchmarks/startup.py`` measures the wall time). The table printer and the JSON
records that replace pandas on that path are checked against pandas itself.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.cli._common import records, row_records, table_text

# Nothing on the embedded region's cut needs these (analysis on networkx, CSV by the csv
# module); each one alone costs 0.3-1 s of start-up.
ENGINE_AND_GRAPHICS = ("scipy", "numba", "networkit", "matplotlib", "geopandas", "pyogrio")
PANDAS_AND_GEOMETRY = ("pandas", "pyarrow", "shapely", "pyproj", "numpy")

_PROBE = """
import runpy, sys
sys.argv = ["resilience", *sys.argv[1:]]
try:
    runpy.run_module("resilience.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _run(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    """Run the CLI in a fresh interpreter; its exit code, top-level modules and output."""
    proc = subprocess.run(
        [sys.executable, "-c", "import json\n" + _PROBE, *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    *output, last = proc.stdout.rstrip("\n").split("\n")
    probe = json.loads(last)
    return int(probe["code"] or 0), set(probe["modules"]), "\n".join(output)


@pytest.fixture(scope="module", params=[(), ("--json",)], ids=["table", "json"])
def cut_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("startup")
    return _run(tmp, "cut", "--node", "pokrovsk", *request.param)


def test_the_probe_sees_what_a_run_imports(tmp_path: Path) -> None:
    # The runner itself: a command that does need pandas (a betweenness table) shows it.
    code, modules, _ = _run(tmp_path, "centrality", "--top", "1")
    assert code == 0
    assert "pandas" in modules
    assert "networkx" in modules


def test_cut_runs_without_the_engine_or_graphics(cut_run: tuple[int, set[str], str]) -> None:
    code, modules, output = cut_run
    assert code == 0
    assert "demand_met_lambda" in output  # the flow rows came, without scipy
    assert not modules & set(ENGINE_AND_GRAPHICS), sorted(modules & set(ENGINE_AND_GRAPHICS))


def test_cut_runs_without_pandas_numpy_or_geometry(cut_run: tuple[int, set[str], str]) -> None:
    _, modules, _ = cut_run
    assert not modules & set(PANDAS_AND_GEOMETRY), sorted(modules & set(PANDAS_AND_GEOMETRY))


# --- the printed table and the JSON records, as pandas gave them -------------------------------


def _pandas_table(rows: list[dict], columns: list[str], *, typed: bool) -> str:
    frame = pd.DataFrame(rows, columns=columns, dtype=None if typed else object)
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        return frame.to_string(index=False, na_rep="-")


_CUT_LIKE = [
    {"origin": "Dnipro", "destination": "Pokrovsk", "t": 150.9, "a": None, "n": 3, "s": "lost"},
    {"origin": "Zaporizhzhia", "destination": "Sloviansk", "t": 318.3, "a": 318.3, "n": 2, "s": ""},
    {"origin": "Київ", "destination": "x, y", "t": 1e7, "a": 2.25, "n": 10, "s": "ok"},
]
_SUMMARY_LIKE = [
    {"metric": "nodes", "before": 65, "after": 63, "change_pct": -3.1},
    {"metric": "od_pairs_lost", "before": 0, "after": 3, "change_pct": None},
    {"metric": "global_efficiency_per_h", "before": 0.497026, "after": 0.413673, "change_pct": 0.0},
    {"metric": "deliverable_t_per_day", "before": 407000.0, "after": 1e-7, "change_pct": math.nan},
]


@pytest.mark.parametrize(
    ("rows", "typed"),
    [(_CUT_LIKE, True), (_CUT_LIKE, False), (_SUMMARY_LIKE, False), (_SUMMARY_LIKE, True)],
)
def test_table_text_equals_pandas(rows: list[dict], typed: bool) -> None:
    columns = list(rows[0])
    assert table_text(rows, columns, typed=typed) == _pandas_table(rows, columns, typed=typed)
    for col in columns:
        one = [{col: r[col]} for r in rows]
        assert table_text(one, [col], typed=typed) == _pandas_table(one, [col], typed=typed)


_CELLS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**9), 10**9)
    | st.floats(-1e9, 1e9).map(lambda x: round(x, 6))
    | st.just(math.nan)
    | st.sampled_from(["Dnipro", "Kramatorsk", "", "a, b", "Слов'янськ"])
)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.lists(st.lists(_CELLS, min_size=k, max_size=k), min_size=1, max_size=6)
    ),
    st.booleans(),
)
def test_table_text_equals_pandas_on_random_rows(table: list[list], typed: bool) -> None:
    columns = [f"col{i}" for i in range(len(table[0]))]
    rows = [dict(zip(columns, r, strict=True)) for r in table]
    # A column of missing values only prints as numbers missing ("-"): the analysis tables
    # declare such columns as numbers; pandas would keep them as objects ("None").
    for c in columns:
        if typed and all(r[c] is None or r[c] != r[c] for r in rows):
            for r in rows:
                r[c] = math.nan
    assert table_text(rows, columns, typed=typed) == _pandas_table(rows, columns, typed=typed)


@pytest.mark.parametrize(("rows", "typed"), [(_CUT_LIKE, True), (_SUMMARY_LIKE, False)])
def test_row_records_equal_pandas_records(rows: list[dict], typed: bool) -> None:
    columns = list(rows[0])
    frame = pd.DataFrame(rows, columns=columns, dtype=None if typed else object)
    ours = row_records(rows, columns, typed=typed)
    assert ours == records(frame)
    assert json.dumps(ours) == json.dumps(records(frame))
