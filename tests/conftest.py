"""Shared fixtures: the toy region (hand-checkable) and the shared data folder."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from resilience.sources.bundled import load_region

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
SHARED_DATA = TESTS.parent.parent / "shared" / "data"


@pytest.fixture
def toy_env(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the graphs folder at tests/data so ``--graph toy`` resolves."""
    monkeypatch.setenv("RESILIENCE_GRAPHS", str(DATA))
    return DATA


@pytest.fixture
def toy(toy_env: Path) -> nx.MultiDiGraph:
    """The toy region: Alpha–{Bravo, Charlie}–Delta roads, a rail line, Echo behind Delta."""
    return load_region("toy")


def shared(path: str) -> Path:
    """A file under ../shared/data, or skip the test with the reason."""
    full = SHARED_DATA / path
    if not full.exists():
        pytest.skip(f"shared dataset absent: {full} (provided by the project's steering)")
    return full
