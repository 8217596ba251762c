"""Reading TOML files (region and scenario settings) with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from resilience.errors import ResilienceError

__all__ = ["read_toml"]


def read_toml(
    path: Path, error: type[ResilienceError], *, label: str, missing: str
) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can fail into one line.

    Parameters
    ----------
    path
        The file.
    error
        The project error to raise (``BadGraphError``, ``BadScenarioError``).
    label
        How messages name the file, e.g. its path or its name.
    missing
        The whole message when the file does not exist.

    Returns
    -------
    dict
        The parsed table.

    Raises
    ------
    ResilienceError
        ``error``, when the file is missing, unreadable, not UTF-8 or not valid TOML.
    """
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise error(missing) from None
    except OSError as exc:
        msg = f"{label}: cannot read ({exc.strerror or exc})"
        raise error(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{label}: not valid TOML ({str(exc).splitlines()[0]})"
        raise error(msg) from None
    except UnicodeDecodeError as exc:  # tomllib decodes the bytes before parsing them
        msg = f"{label}: not UTF-8 text (byte {exc.start})"
        raise error(msg) from None
