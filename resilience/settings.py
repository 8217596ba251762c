"""Paths and defaults, read at call time so environment overrides apply.

``RESILIENCE_GRAPHS`` overrides the graphs folder (embedded region and cache);
``RESILIENCE_REPORTS`` overrides the default reports folder.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_WEIGHT",
    "graphs_dir",
    "project_root",
    "region_dir",
    "reports_dir",
]

#: Name of the embedded region used when no ``--graph`` is given.
DEFAULT_REGION = "pokrovsk"
#: Edge attribute minimised by every path analysis unless told otherwise.
DEFAULT_WEIGHT = "travel_time"


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
