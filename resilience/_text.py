"""Text folding for matching names and refs: pure functions that every layer may import."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_name", "normalize_ref"]

# Cyrillic letters that Ukrainian road refs share with Latin ones (М-30, Н-20, Т-05-04, Р-08, Е50).
_CYR_TO_LAT = str.maketrans("АВЕКМНОРСТХІ", "ABEKMHOPCTXI")
_APOSTROPHES = str.maketrans({"’": "", "'": "", "ʼ": "", "`": "", "´": ""})


def normalize_name(name: str) -> str:
    """Fold a place name for matching.

    Parameters
    ----------
    name
        Any spelling.

    Returns
    -------
    str
        Lower case, accents and apostrophes dropped, runs of spaces, dashes and
        underscores folded to one ``-``.

    Examples
    --------
    >>> normalize_name("Chasiv  Yar")
    'chasiv-yar'
    >>> normalize_name("Слов'янськ") == normalize_name("Словʼянськ")
    True
    """
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-–—.,]+", "-", text).strip("-")


def normalize_ref(ref: str) -> str:
    """Fold a road or rail ref for matching.

    Parameters
    ----------
    ref
        One ref, e.g. ``М-30`` (Cyrillic), ``M-30``, ``m30``, ``Т 05 04``.

    Returns
    -------
    str
        Upper-case Latin letters and digits only.

    Examples
    --------
    >>> normalize_ref("М-30") == normalize_ref("m30") == "M30"
    True
    >>> normalize_ref("Т-05-04")
    'T0504'
    """
    return re.sub(r"[^0-9A-Z]", "", ref.upper().translate(_CYR_TO_LAT))
