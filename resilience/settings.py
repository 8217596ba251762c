"""Paths and defaults, read at call time so environment overrides apply.

``RESILIENCE_GRAPHS`` overrides the graphs folder (embedded regions and cache);
``RESILIENCE_REPORTS`` overrides the default reports folder;
``RESILIENCE_SHARED_DATA`` overrides the folder of the shared real datasets.

Where data is found depends on how the package is installed. In a checkout (a source
tree or an editable install: a ``pyproject.toml`` beside the package) the embedded
regions and the fetched-graph cache are ``graphs/`` and the scenarios ``scenarios/``.
Installed from a wheel, the regions and scenarios are package data
(``resilience/_regions``, ``resilience/_scenarios``, read through
:mod:`importlib.resources`) and fetched graphs go to a user cache folder.
"""

from __future__ import annotations

import importlib.resources
import os
import sys
from pathlib import Path
from typing import Final, Literal, get_args

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_WEIGHT",
    "WEIGHTS",
    "Weight",
    "bundled_regions_dir",
    "graphs_dir",
    "in_checkout",
    "project_root",
    "region_dir",
    "reports_dir",
    "scenarios_dir",
    "shared_data_dir",
]

#: Edge attribute a path analysis minimises: seconds of travel or metres of length.
Weight = Literal["travel_time", "length"]
#: Every accepted :data:`Weight`, in the order the CLI lists them.
WEIGHTS: Final[tuple[Weight, ...]] = get_args(Weight)

#: Name of the embedded region used when no ``--graph`` is given.
DEFAULT_REGION = "pokrovsk"
#: Edge attribute minimised by every path analysis unless told otherwise.
DEFAULT_WEIGHT: Final[Weight] = "travel_time"


def project_root() -> Path:
    """Return the folder holding ``resilience/`` (and, in a checkout, ``graphs/``).

    Returns
    -------
    Path
        The repository root of an editable or source install; ``site-packages`` (or
        wherever the package lies) when installed from a wheel.
    """
    return Path(__file__).resolve().parent.parent


def in_checkout() -> bool:
    """Return whether the package runs from a checkout rather than an installed wheel.

    Returns
    -------
    bool
        ``True`` when ``pyproject.toml`` and ``graphs/`` sit beside ``resilience/``.
    """
    root = project_root()
    return (root / "pyproject.toml").is_file() and (root / "graphs").is_dir()


def _package_data(folder: str) -> Path:
    # A wheel is always unpacked on install, so the resource is a real folder.
    return Path(str(importlib.resources.files("resilience").joinpath(folder)))


def _user_cache() -> Path:
    if sys.platform == "win32":  # pragma: no cover - CI runs on Linux
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":  # pragma: no cover
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "resilience" / "graphs"


def graphs_dir() -> Path:
    """Return the folder of the graph cache (fetched graphs) and of the user's regions.

    Returns
    -------
    Path
        ``$RESILIENCE_GRAPHS`` if set; else ``<checkout>/graphs`` in a checkout; else a
        writable user folder (``$XDG_CACHE_HOME/resilience/graphs``, by default
        ``~/.cache/resilience/graphs``). It may not exist yet; writers create it.
    """
    env = os.environ.get("RESILIENCE_GRAPHS")
    if env:
        return Path(env)
    return project_root() / "graphs" if in_checkout() else _user_cache()


def bundled_regions_dir() -> Path:
    """Return the folder of the regions shipped with the program.

    Returns
    -------
    Path
        ``<checkout>/graphs`` in a checkout, else the package data folder
        ``resilience/_regions`` of the installed wheel.
    """
    return project_root() / "graphs" if in_checkout() else _package_data("_regions")


def region_dir(name: str = DEFAULT_REGION) -> Path:
    """Return the source folder of an embedded region.

    Parameters
    ----------
    name
        Region name: a folder under :func:`graphs_dir` or, unless ``$RESILIENCE_GRAPHS``
        is set, under :func:`bundled_regions_dir`.

    Returns
    -------
    Path
        The region folder (it may not exist; the loader checks).
    """
    own = graphs_dir() / name
    if os.environ.get("RESILIENCE_GRAPHS") or (own / "region.toml").is_file():
        return own
    return bundled_regions_dir() / name


def scenarios_dir() -> Path:
    """Return the folder of the shipped scenario files.

    Returns
    -------
    Path
        ``<checkout>/scenarios`` in a checkout, else the package data folder
        ``resilience/_scenarios``.
    """
    return project_root() / "scenarios" if in_checkout() else _package_data("_scenarios")


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
