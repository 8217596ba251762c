"""Provenance: what produced an output, as a small typed record.

Every report page starts with one, and each CLI run writes one as its manifest. It says
which program version, command, graph (file and sha256, or for an embedded region the
hash of its source files), weight, analysis date and front-line layer, OD sets and seeds
made the output. It holds no wall-clock time, so regenerated outputs stay byte-identical.

>>> p = Provenance(command="resilience cut --node pokrovsk", graph="pokrovsk",
...                graph_sha256="ab" * 32, weight="travel_time")
>>> p.to_dict()["weight"]
'travel_time'
>>> p.lines()[1]
'- Command: `resilience cut --node pokrovsk`'
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Provenance", "file_sha256", "folder_sha256", "graph_provenance", "package_version"]

_CHUNK = 1 << 20


def package_version() -> str:
    """Return the installed version of ``resilience`` (``unknown`` when not installed).

    Returns
    -------
    str
        E.g. ``0.1.0``.
    """
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("resilience")
    except PackageNotFoundError:
        return "unknown"


def file_sha256(path: str | Path) -> str:
    """Return the sha256 hex digest of a file's bytes.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def folder_sha256(folder: str | Path) -> str:
    """Return one sha256 over a folder's files: each relative path and its bytes, sorted.

    The hash of an embedded region's source files (``region.toml``, ``places.csv``, ...):
    it changes when any of them changes, and not with the folder's location.

    Parameters
    ----------
    folder
        The folder (read recursively; hidden files and ``__pycache__`` left out).

    Returns
    -------
    str
        64 hex digits.
    """
    root = Path(folder)
    digest = hashlib.sha256()
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") or part == "__pycache__" for part in p.parts)
    )
    for p in files:
        rel = p.relative_to(root).as_posix().encode()
        digest.update(len(rel).to_bytes(8, "big") + rel)
        digest.update(bytes.fromhex(file_sha256(p)))
    return digest.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """What produced an output.

    Attributes
    ----------
    command
        The command line, e.g. ``resilience run pokrovsk-falls`` (no paths of the machine
        it ran on when avoidable).
    graph
        The graph as named: region name, cached graph or file name.
    graph_sha256
        sha256 of the graph file, or for an embedded region the hash of its source files
        (see :func:`folder_sha256`); empty when unknown.
    graph_hash_of
        What ``graph_sha256`` hashes: ``file`` or ``region source files``.
    weight
        The edge weight routes minimise (``travel_time`` or ``length``).
    as_of
        The analysis date (``YYYY-MM-DD``, ``pre-war``) or empty when none applied.
    frontline
        The front-line layer the occupied area comes from (file or description).
    frontline_date
        The date of that layer, ``YYYY-MM-DD``, or empty.
    origins, destinations
        The OD sets (place ids).
    seeds
        Named random seeds (e.g. ``{"betweenness": 0}``).
    version
        The program version (default: the installed one).
    extra
        Further named facts (sorted on output).
    """

    command: str
    graph: str = ""
    graph_sha256: str = ""
    graph_hash_of: str = ""
    weight: str = "travel_time"
    as_of: str = ""
    frontline: str = ""
    frontline_date: str = ""
    origins: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    seeds: Mapping[str, int] = field(default_factory=dict)
    version: str = field(default_factory=package_version)
    extra: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain JSON-ready values, keys in a fixed order.

        Returns
        -------
        dict
            ``version``, ``command``, ``graph``, ``graph_sha256``, ``graph_hash_of``,
            ``weight``, ``as_of``, ``frontline``, ``frontline_date``, ``origins``,
            ``destinations``, ``seeds``, ``extra``.
        """
        return {
            "version": self.version,
            "command": self.command,
            "graph": self.graph,
            "graph_sha256": self.graph_sha256,
            "graph_hash_of": self.graph_hash_of,
            "weight": self.weight,
            "as_of": self.as_of,
            "frontline": self.frontline,
            "frontline_date": self.frontline_date,
            "origins": list(self.origins),
            "destinations": list(self.destinations),
            "seeds": {k: int(self.seeds[k]) for k in sorted(self.seeds)},
            "extra": {k: str(self.extra[k]) for k in sorted(self.extra)},
        }

    def lines(self) -> list[str]:
        """Return the record as Markdown bullet lines, for a page's provenance block.

        Returns
        -------
        list of str
            One ``- Name: value`` line per known fact.
        """
        out = [f"- Version: resilience {self.version}", f"- Command: `{self.command}`"]
        if self.graph:
            sha = f" (sha256 of {self.graph_hash_of or 'file'}: `{self.graph_sha256}`)"
            out.append(f"- Graph: {self.graph}" + (sha if self.graph_sha256 else ""))
        out.append(f"- Weight: {self.weight}")
        out.append(f"- Analysis date (as of): {self.as_of or 'none (network as loaded)'}")
        if self.frontline:
            date = f", layer date {self.frontline_date}" if self.frontline_date else ""
            out.append(f"- Front-line layer: {self.frontline}{date}")
        if self.origins:
            out.append(f"- Origins: {', '.join(self.origins)}")
        if self.destinations:
            out.append(f"- Destinations: {', '.join(self.destinations)}")
        if self.seeds:
            out.append("- Seeds: " + ", ".join(f"{k}={self.seeds[k]}" for k in sorted(self.seeds)))
        out += [f"- {k}: {self.extra[k]}" for k in sorted(self.extra)]
        return out


def _names(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def graph_provenance(
    G: Any,
    *,
    command: str,
    graph: str | Path | None = None,
    weight: str = "travel_time",
    origins: Sequence[Any] = (),
    destinations: Sequence[Any] = (),
    seeds: Mapping[str, int] | None = None,
    frontline: str = "",
    frontline_date: str = "",
    extra: Mapping[str, str] | None = None,
) -> Provenance:
    """Build the record for a loaded network.

    The graph hash: for an existing file, its sha256; for an embedded region (``graph``
    ``None`` or a region name), the hash of the region's source folder. The analysis date
    and its layer come from ``G.graph["as_of"]`` / ``G.graph["as_of_layer"]`` when the
    network was dated (see :mod:`resilience.asof`), unless ``frontline`` is given.

    Parameters
    ----------
    G
        The network (its ``graph`` dict is read).
    command
        The command line.
    graph
        The graph as given to :func:`resilience.sources.load.load_network`.
    weight
        The edge weight.
    origins, destinations
        The OD sets.
    seeds
        Named seeds.
    frontline, frontline_date
        A front-line layer the output used besides the dating (e.g. a scenario's).
    extra
        Further named facts.

    Returns
    -------
    Provenance
        The record.
    """
    from resilience import settings  # noqa: PLC0415

    name, sha, of = "", "", ""
    path = Path(graph) if graph is not None else None
    if path is not None and path.is_file():
        name, sha, of = path.name, file_sha256(path), "file"
    else:
        region = str(graph) if graph is not None else str(G.graph.get("name", ""))
        name = region or str(G.graph.get("name", ""))
        try:
            folder = settings.region_dir(region) if region else None
        except Exception:  # noqa: BLE001 -- not a region: a cached graph name, no hash
            folder = None
        if folder is not None and folder.is_dir():
            sha, of = folder_sha256(folder), "region source files"
    as_of = str(G.graph.get("as_of", ""))
    layer = str(G.graph.get("as_of_layer", ""))
    return Provenance(
        command=command,
        graph=name,
        graph_sha256=sha,
        graph_hash_of=of,
        weight=weight,
        as_of=as_of,
        frontline=frontline or layer,
        frontline_date=frontline_date,
        origins=_names(origins),
        destinations=_names(destinations),
        seeds=dict(seeds or {}),
        extra=dict(extra or {}),
    )
