import pytest
from typer.testing import CliRunner

from resilience.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def test_every_command_has_help_with_an_example():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    assert {"cut", "centrality", "mincut", "paths"} <= set(commands)
    for name in commands:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0, name
        assert "Example" in res.output, name


def test_cut_writes_reports(toy_env, tmp_path):
    res = runner.invoke(app, ["cut", "--graph", "toy", "--node", "bravo", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "detour" in res.output
    (folder,) = (tmp_path / "cut").glob("bravo-*")
    names = {p.name for p in folder.iterdir()}
    assert {"components.csv", "od.csv", "run.json", "summary.csv"} <= names
    assert "Alpha,Delta" in (folder / "od.csv").read_text()
    assert not list(folder.glob(".*tmp"))


def test_cut_is_byte_identical_on_rerun(toy_env, tmp_path):
    for out in ("a", "b"):
        res = runner.invoke(app, ["cut", "-g", "toy", "-r", "P-02", "--out", str(tmp_path / out)])
        assert res.exit_code == 0
    (folder_a,) = (tmp_path / "a" / "cut").glob("p-02-*")
    (folder_b,) = (tmp_path / "b" / "cut").glob("p-02-*")
    assert folder_a.name == folder_b.name  # same inputs, same folder
    for f in ("od.csv", "summary.csv", "components.csv"):
        assert (folder_a / f).read_bytes() == (folder_b / f).read_bytes()


def test_unknown_place_is_one_line_exit_2(toy_env, tmp_path):
    res = runner.invoke(app, ["cut", "-g", "toy", "--node", "brava", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.strip() == "error: unknown place 'brava'; did you mean Bravo?"
    assert not any(tmp_path.iterdir())


def test_mincut_and_paths(toy_env, tmp_path):
    res = runner.invoke(
        app, ["mincut", "-g", "toy", "-s", "alpha", "-t", "echo", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0 and "1 link(s)" in res.output and "1 place(s)" in res.output
    res = runner.invoke(
        app,
        ["paths", "-g", "toy", "-s", "alpha", "-t", "delta", "-n", "bravo", "--out", str(tmp_path)],
    )
    assert res.exit_code == 0 and "Alpha > Charlie > Delta" in res.output
    res = runner.invoke(
        app,
        ["paths", "-g", "toy", "-s", "alpha", "-t", "echo", "-n", "delta", "--out", str(tmp_path)],
    )
    assert res.exit_code == 0 and "cut off" in res.output
    res = runner.invoke(
        app,
        ["paths", "-g", "toy", "-s", "alpha", "-t", "delta", "-n", "delta", "--out", str(tmp_path)],
    )
    assert res.exit_code == 2 and "itself removed" in res.output


def test_centrality_top(toy_env, tmp_path):
    res = runner.invoke(app, ["centrality", "-g", "toy", "--top", "3", "--out", str(tmp_path)])
    assert res.exit_code == 0
    (nodes,) = (tmp_path / "centrality").glob("exact-*/nodes.csv")
    assert nodes.read_text().splitlines()[1].startswith("1,delta,")


@pytest.mark.parametrize(
    "args",
    [
        ["cut", "-g", "toy", "--weight", "speed"],
        ["mincut", "-g", "toy", "-s", "alpha", "-t", "old alpha"],
    ],
)
def test_bad_options_exit_2(toy_env, tmp_path, args):
    res = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1
