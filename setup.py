"""Packaging glue that ``pyproject.toml`` cannot express (everything else lives there).

The embedded regions (``graphs/<region>/``) and the scenarios (``scenarios/``) stay where
people edit them, and are shipped inside the package as ``resilience/_regions`` and
``resilience/_scenarios`` so that a wheel install finds them through
:mod:`importlib.resources` (see :mod:`resilience.settings`). A mapped folder has to be
named as a package, which ``[tool.setuptools.packages.find]`` cannot add to what it finds.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["resilience", "resilience.*"]),
        "resilience._regions",
        "resilience._scenarios",
    ],
    package_dir={"resilience._regions": "graphs", "resilience._scenarios": "scenarios"},
)
