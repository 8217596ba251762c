"""Paths and defaults, read at call time so environment overrides apply.

``RESILIENCE_GRAPHS`` overrides the graphs folder (embedded region and cache);
``RESILIENCE_REPORTS`` overrides the default reports folder;
``RESILIENCE_SHARED_DATA`` overrides the folder of the shared real datasets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final, Literal, get_args

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_WEIGHT",
    "WEIGHTS",
    "Weight",
    "graphs_dir",
    "project_root",
    "region_dir",
    "reports_dir",
    "shared_data_dir",
]

#: Edge attribute a path analysis minimises: minutes of travel or metres of length.
Weight = Literal["travel_time", "length"]
#: Every accepted :data:`Weight`, in the order the CLI lists them.
WEIGHTS: Final[tuple[Weight, ...]] = get_args(Weight)

#: Name of the embedded region used when no ``--graph`` is given.
DEFAULT_REGION = "pokrovsk"
#: Edge attribute minimised by every path analysis unless told otherwise.
DEFAULT_WEIGHT: Final[Weight] = "travel_time"


def project_root() -> Path:
    """Return the folder holding ``resilience/`` and ``graphs/``.

    Returns
    -------
    Path
        The repository root of an editable or source install.
    """
    return Path(__file__).resolve().parent.parent


def graphs_dir() -> Path:
    """Return the folder with the embedded regions and the graph cache.

    Returns
    -------
    Path
        ``$RESILIENCE_GRAPHS`` if set, else ``<project root>/graphs``.
    """
    env = os.environ.get("RESILIENCE_GRAPHS")
    return Path(env) if env else project_root() / "graphs"


def region_dir(name: str = DEFAULT_REGION) -> Path:
    """Return the source folder of an embedded region.

    Parameters
    ----------
    name
        Region name, a folder under :func:`graphs_dir`.

    Returns
    -------
    Path
        The region folder (it may not exist; the loader checks).
    """
    return graphs_dir() / name


def reports_dir() -> Path:
    """Return the default folder that reports are written to.

    Returns
    -------
    Path
        ``$RESILIENCE_REPORTS`` if set, else ``./reports`` in the working folder.
    """
    env = os.environ.get("RESILIENCE_REPORTS")
    return Path(env) if env else Path.cwd() / "reports"


def shared_data_dir() -> Path:
    """Return the folder of the shared real datasets (never copied into the repository).

    The rule: ``$RESILIENCE_SHARED_DATA`` if set; else ``../shared/data`` beside the
    project -- the checkout holding ``resilience/`` when it is one (a ``pyproject.toml``
    next to the package: source or editable install), otherwise the working folder
    (a wheel install run from inside a checkout finds the same folder).

    Returns
    -------
    Path
        The shared data folder (it may not exist; callers skip or explain).
    """
    env = os.environ.get("RESILIENCE_SHARED_DATA")
    if env:
        return Path(env)
    root = project_root()
    base = root if (root / "pyproject.toml").is_file() else Path.cwd()
    return base.parent / "shared" / "data"
