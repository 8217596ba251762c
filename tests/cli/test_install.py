"""A non-editable install works from any folder: the region ships as package data.

Builds a wheel offline from a copy of the sources, installs it into a fresh virtual
environment (the dependencies come from this interpreter's site-packages through a
``.pth`` line, so nothing is downloaded) and runs the installed ``resilience`` script
from a folder that is not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(args: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510 - the caller checks the code and shows the output
        [str(a) for a in args], capture_output=True, text=True, timeout=600, **kwargs
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh venv holding a wheel built from the sources."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    src.mkdir()
    for name in ("resilience", "graphs", "scenarios"):
        shutil.copytree(
            ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.graphml")
        )
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", dist, src],
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("resilience-*.whl")

    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv])
    assert made.returncode == 0, made.stderr
    py = venv / "bin" / "python"
    purelib = _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    # The dependencies, not the project: a plain path line does not run the editable
    # install's own .pth hook, and the venv's site-packages comes first on sys.path.
    Path(purelib.stdout.strip(), "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    put = _run(
        [sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps",
         "--no-index", wheel],
    )  # fmt: skip
    assert put.returncode == 0, put.stderr
    return venv / "bin"


@pytest.fixture(scope="module")
def sources(installed: Path) -> Path:
    """The copy of the sources the wheel was built from (a checkout of its own)."""
    return installed.parents[1] / "src"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESILIENCE_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["HOME"] = str(tmp_path / "home")
    return env


def test_installed_cut_runs_from_another_folder(
    installed: Path, sources: Path, tmp_path: Path
) -> None:
    where = _run(
        [installed / "python", "-c", "import resilience; print(resilience.__file__)"],
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), "not the installed copy"

    res = _run(
        [installed / "resilience", "cut", "--node", "pokrovsk"], cwd=tmp_path, env=_env(tmp_path)
    )
    assert res.returncode == 0, res.stderr
    assert "Removed: pokrovsk — 2 node(s)" in res.stdout
    (ours_dir,) = (tmp_path / "reports" / "cut").glob("pokrovsk-*")
    assert (ours_dir / "od.csv").is_file()
    checkout = _run(
        [
            sys.executable,
            "-m",
            "resilience",
            "cut",
            "--node",
            "pokrovsk",
            "--out",
            tmp_path / "ref",
        ],
        cwd=sources,
        env=_env(tmp_path) | {"PYTHONPATH": str(sources)},
    )
    assert checkout.returncode == 0, checkout.stderr
    # Same command and options: the same run folder, the same bytes.
    ref_dir = tmp_path / "ref" / "cut" / ours_dir.name
    for name in ("od.csv", "summary.csv", "components.csv"):
        assert (ours_dir / name).read_bytes() == (ref_dir / name).read_bytes(), name


def test_installed_folders(installed: Path, tmp_path: Path) -> None:
    code = (
        "from resilience import settings as s; "
        "print(s.in_checkout(), s.graphs_dir(), s.region_dir(), s.scenarios_dir(), sep='\\n')"
    )
    res = _run([installed / "python", "-c", code], cwd=tmp_path, env=_env(tmp_path))
    assert res.returncode == 0, res.stderr
    checkout, cache, region, scenarios = res.stdout.splitlines()
    assert checkout == "False"
    # Fetched graphs go to a writable user folder, not into site-packages.
    assert Path(cache) == tmp_path / "cache" / "resilience" / "graphs"
    assert (Path(region) / "region.toml").is_file()
    assert (Path(scenarios) / "pokrovsk-falls.toml").is_file()

    env = _env(tmp_path) | {"RESILIENCE_GRAPHS": str(ROOT / "tests" / "data")}
    res = _run([installed / "resilience", "places", "--graph", "toy"], cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    assert "Alpha" in res.stdout


def test_installed_scenario_by_name(installed: Path, tmp_path: Path) -> None:
    res = _run(
        [installed / "resilience", "run", "pokrovsk-falls", "--out", tmp_path / "out"],
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert res.returncode == 0, res.stderr
    (folder,) = (tmp_path / "out" / "scenarios").glob("pokrovsk-falls-*")
    assert (folder / "index.md").is_file()
    assert (folder / "run.json").is_file()
