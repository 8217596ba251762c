"""Frames to files. Every file is written atomically: a reader sees the old file or the new one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from resilience.errors import BadInputError

__all__ = ["atomic_write", "write_frames"]


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Write a file through a temporary sibling that replaces ``path`` only when complete.

    Parameters
    ----------
    path
        Destination file.
    write
        Called with the temporary path; must write the whole file there.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    BadInputError
        If the folder cannot be created or written, or writing fails with an
        ``OSError`` (disk full, a folder in the file's place); no temporary file is left.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        msg = f"cannot write to {path.parent}: {exc.strerror or exc}"
        raise BadInputError(msg) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o644)
        tmp.replace(path)
    except OSError as exc:
        # A full disk or a folder in the file's place: the user's to fix, not a crash.
        with contextlib.suppress(OSError):
            tmp.unlink()
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise BadInputError(msg) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def _csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        frame.to_csv(tmp, index=False, lineterminator="\n")

    return write


def write_frames(frames: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write each frame as ``<folder>/<name>.csv``, atomically, sorted by name.

    Parameters
    ----------
    frames
        File stem to frame.
    folder
        Output folder (created when missing).

    Returns
    -------
    list of Path
        The files written.
    """
    written = []
    for name in sorted(frames):
        frame = frames[name]
        written.append(atomic_write(folder / f"{name}.csv", _csv_writer(frame)))
    return written
