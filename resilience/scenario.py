"""Scenario files: what is lost, between which places supply is measured, and the result.

A scenario is a TOML file (see ``scenarios/``)::

    name = "pokrovsk-falls"
    description = "Pokrovsk and its station are lost."
    graph = "pokrovsk"                 # optional: region name, cached graph or file
    origins = ["dnipro"]               # optional: the region's defaults
    destinations = ["kramatorsk"]      # optional
    weight = "travel_time"             # or "length"
    seed = 0                           # for sampled betweenness
    as_of = "2025-08-03"               # optional: the network on that day ("latest",
                                       # "pre-war"); default: the region's reference date
    [removals]
    places = ["pokrovsk"]
    refs = ["M-30"]
    corridors = ["myrnohrad-corridor"]
    edges = [["pokrovsk", "myrnohrad"],       # every direct link between the two
             ["a", "b", "1"]]                # only the parallel link with key 1
    polygons = [{ file = "zone.geojson", buffer_m = 500 }]
    frontline = { file = "../shared/data/.../keydates.geojson", date = "2025-11-20",
                  categories = ["occupied"] }

Relative file paths are taken from the project root (the folder holding ``scenarios/``).
Unknown keys are refused, and every problem becomes one
:class:`~resilience.errors.BadScenarioError` line naming the file, the key and what was
expected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from resilience import settings
from resilience._toml import read_toml
from resilience.analysis.centrality import edge_betweenness
from resilience.analysis.impact import CutResult, cut, flow_rows, links_once
from resilience.errors import BadScenarioError, ResilienceError
from resilience.frontline import CATEGORIES, frontline_removal, load_frontline, od_min_cut
from resilience.network import edge_label
from resilience.targets import EdgeKey, Removal, apply_removal, build_removal, resolve_od
from resilience.targets.names import link_count

__all__ = [
    "FrontlineSpec",
    "PolygonSpec",
    "Removals",
    "Scenario",
    "ScenarioResult",
    "check_scenario",
    "compare",
    "graph_spec",
    "load_scenario",
    "resolve_path",
    "run_scenario",
]

_TOP_CRITICAL = 10

#: The widest buffer a scenario takes, metres (as the CLI's --buffer): inf or 1e308
#: would overflow the geometry library.
MAX_BUFFER_M = 50_000.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PolygonSpec(_Strict):
    """A polygon layer whose nodes are removed.

    Attributes
    ----------
    file
        GeoJSON / GeoPackage / Shapefile path.
    buffer_m
        Grow the polygons by this many metres.
    """

    file: str = Field(min_length=1)
    buffer_m: float = Field(default=0.0, ge=0, le=MAX_BUFFER_M, allow_inf_nan=False)


class FrontlineSpec(_Strict):
    """The occupied area on a date, from a dated front-line layer.

    Attributes
    ----------
    file
        Front-line file (``.geojson`` or ``.geojson.gz``) with ``date`` properties.
    date
        The day; the latest layer on or before it is used.
    categories
        Categories counted as lost.
    buffer_m
        Grow the area by this many metres.
    """

    file: str = Field(min_length=1)
    date: dt.date
    # Areas held since 2014 are lost too by default (the danielrose layer draws them apart).
    categories: tuple[Literal["occupied", "occupied_pre2022_ordlo", "unknown_grey"], ...] = (
        "occupied",
        "occupied_pre2022_ordlo",
    )
    buffer_m: float = Field(default=0.0, ge=0, le=MAX_BUFFER_M, allow_inf_nan=False)

    @field_validator("categories")
    @classmethod
    def _not_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            msg = f"at least one of {', '.join(CATEGORIES)}"
            raise ValueError(msg)
        return value


class Removals(_Strict):
    """Everything a scenario takes out (all optional; none means the baseline).

    Attributes
    ----------
    places, refs, corridors
        Place names, road/rail refs and corridor names.
    edges
        Pairs of places whose direct links are cut; a third item, the edge key as
        ``redundancy`` lists it, cuts only that one of several parallel links (the
        command line's ``--edge A B#KEY``).
    polygons
        Polygon layers.
    frontline
        The occupied area on a date.
    """

    places: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    corridors: tuple[str, ...] = ()
    edges: tuple[tuple[str, str] | tuple[str, str, str], ...] = ()
    polygons: tuple[PolygonSpec, ...] = ()
    frontline: FrontlineSpec | None = None


class Scenario(_Strict):
    """A validated scenario file.

    Attributes
    ----------
    name
        Short slug used for report folders (default: the file name).
    description
        What the scenario models, one or more sentences.
    graph
        Network to load (``None``: the embedded default region).
    removals
        What is lost.
    origins, destinations
        Place names; empty for the region's defaults.
    weight
        ``travel_time`` or ``length``.
    seed
        Seed for sampled betweenness.
    samples
        Sample this many sources for betweenness (exact when absent).
    as_of
        The day whose network is the baseline (``YYYY-MM-DD``, ``latest`` or ``pre-war``;
        default: the region's reference date). ``run``/``compare --as-of`` or
        ``--pre-war`` override it for every scenario. See :mod:`resilience.asof`.
    source
        The file it was read from (set by :func:`load_scenario`).
    """

    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    description: str = Field(min_length=1)
    graph: str | None = None
    removals: Removals = Removals()
    origins: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    weight: Literal["travel_time", "length"] = "travel_time"
    seed: int = 0
    samples: int | None = Field(default=None, ge=1)
    as_of: str | None = Field(default=None, pattern=r"^(\d{4}-\d{2}-\d{2}|latest|pre-war)$")
    source: Path | None = Field(default=None, exclude=True)


#: How scenarios and the report's timeline name the shared datasets folder.
SHARED_DATA_PREFIX = ("..", "shared", "data")


def resolve_path(path: str | Path, base: Path | None = None) -> Path:
    """A scenario's file path: absolute as given, else relative to the scenario's folder.

    A relative path is taken from ``base`` (the folder of the scenario file) when a file
    is there; else from the project root (where the shipped scenarios' paths were written
    from), so a scenario kept beside its data works from any working folder.

    A path under ``../shared/data/`` is taken from the shared-data setting
    (:func:`resilience.settings.shared_data_dir`, ``$RESILIENCE_SHARED_DATA``), so the
    scenarios find the datasets wherever that folder is.

    Parameters
    ----------
    path
        The path written in the scenario.
    base
        The scenario file's folder, when known.

    Returns
    -------
    Path
        The resolved path.

    Examples
    --------
    >>> resolve_path("../shared/data/a/f.geojson") == settings.shared_data_dir() / "a/f.geojson"
    True
    """
    p = Path(path)
    if p.is_absolute():
        return p
    if p.parts[: len(SHARED_DATA_PREFIX)] == SHARED_DATA_PREFIX:
        return settings.shared_data_dir().joinpath(*p.parts[len(SHARED_DATA_PREFIX) :])
    if base is not None and (base / p).exists():
        return (base / p).resolve()
    return (settings.project_root() / p).resolve()


def _base(sc: Scenario) -> Path | None:
    return sc.source.parent if sc.source is not None else None


def graph_spec(sc: Scenario) -> str | None:
    """The scenario's ``graph`` for the loader: a relative file beside the scenario wins.

    Parameters
    ----------
    sc
        The scenario.

    Returns
    -------
    str or None
        A region or cached name as written, or the path of the graph file.
    """
    if sc.graph is None:
        return None
    base = _base(sc)
    beside = base / sc.graph if base is not None else None
    if beside is not None and not Path(sc.graph).is_absolute() and beside.is_file():
        return str(beside.resolve())
    return sc.graph


_EXPECTED = {
    "tuple_type": "a list",
    "list_type": "a list",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "model_type": "a table",
    "date_from_datetime_parsing": "a date YYYY-MM-DD",
    "date_parsing": "a date YYYY-MM-DD",
    "date_type": "a date YYYY-MM-DD",
    "too_short": "more items",
    "too_long": "fewer items",
}


def _explain(exc: ValidationError) -> str:
    err = exc.errors()[0]
    # List positions are dropped from the key: the file has no name for "edges.0.1".
    # So is the branch of a union ("tuple[str, str]"): the user wrote no such key.
    parts = [str(p) for p in err["loc"] if not isinstance(p, int) and "[" not in str(p)]
    key = ".".join(parts) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key {key!r}"
    if key.endswith("edges") and kind in ("missing", "too_short", "too_long", "tuple_type"):
        return (
            f"key {key!r}: expected a list of pairs of place names, e.g. [['a', 'b']] "
            "(or ['a', 'b', 'KEY'] for one of several parallel links)"
        )
    if kind == "missing":
        return f"missing key {key!r}"
    got = err.get("input")
    shown = "a table" if isinstance(got, dict) else repr(got)[:60]
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
    else:
        expected = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
        expected = expected.replace("String should match pattern", "text matching")
    return f"key {key!r}: expected {expected} (got {shown})"


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        The TOML file.

    Returns
    -------
    Scenario
        The scenario; ``name`` defaults to the file's stem.

    Raises
    ------
    BadScenarioError
        One line naming the file, the key and what was expected.
    """
    p = Path(path)
    data = read_toml(p, BadScenarioError, label=str(p), missing=f"{p}: no such scenario file")
    data.setdefault("name", p.stem)
    if "source" in data:
        msg = f"{p}: unknown key 'source'"
        raise BadScenarioError(msg)
    try:
        return Scenario.model_validate({**data, "source": p})
    except ValidationError as exc:
        msg = f"{p}: {_explain(exc)}"
        raise BadScenarioError(msg) from None


@dataclass(frozen=True)
class ScenarioResult:
    """What a scenario does to supply.

    Attributes
    ----------
    scenario
        The scenario run.
    graph
        The baseline: the network on the scenario's date (see ``graph.graph["as_of"]``).
    removal
        What was removed.
    origins, destinations
        Endpoint node ids.
    impact
        The OD table, summary and components (see :func:`resilience.cut`).
    min_cut_before, min_cut_after
        Fewest links separating the origin set from the destination set.
    min_cut
        The cut links of the damaged network: ``u``, ``v``, ``key``, ``label``, ``mode``.
    critical
        The top edges by betweenness of the damaged network.
    already_lost
        Target places already lost on the baseline's date, ``Name (lost_on)``.
    """

    scenario: Scenario
    graph: nx.MultiDiGraph[Any]
    removal: Removal
    origins: list[Any]
    destinations: list[Any]
    impact: CutResult
    min_cut_before: int
    min_cut_after: int
    min_cut: pd.DataFrame
    critical: pd.DataFrame
    already_lost: tuple[str, ...] = ()

    def metric(self, name: str) -> tuple[Any, Any]:
        """``(before, after)`` of a row of the impact summary."""
        row = self.impact.summary.loc[self.impact.summary["metric"] == name].iloc[0]
        return row["before"], row["after"]


def _scenario_error(sc: Scenario, exc: ResilienceError) -> BadScenarioError:
    where = sc.source if sc.source is not None else sc.name
    return BadScenarioError(f"{where}: {exc}")


def _removal(G: nx.MultiDiGraph[Any], sc: Scenario) -> Removal:
    r = sc.removals
    base = build_removal(
        G,
        nodes=r.places,
        refs=r.refs,
        corridors=r.corridors,
        edges=r.edges,
    )
    nodes, edges, labels = set(base.nodes), set(base.edges), list(base.labels)
    for poly in r.polygons:
        extra = build_removal(
            G, polygons=[resolve_path(poly.file, _base(sc))], polygon_buffer_m=poly.buffer_m
        )
        nodes |= extra.nodes
        labels += extra.labels
    if r.frontline is not None:
        front_path = resolve_path(r.frontline.file, _base(sc))
        front = load_frontline(front_path)
        extra = frontline_removal(
            G,
            front,
            r.frontline.date,
            categories=r.frontline.categories,
            buffer_m=r.frontline.buffer_m,
        )
        nodes |= extra.nodes
        edges |= extra.edges
        labels += extra.labels
    edges = {e for e in edges if e[0] not in nodes and e[1] not in nodes}
    return Removal(frozenset(nodes), frozenset(edges), tuple(labels))


def _edge_frame(G: nx.MultiDiGraph[Any], edges: Sequence[EdgeKey]) -> pd.DataFrame:
    rows = [
        {
            "u": u,
            "v": v,
            "key": k,
            "label": edge_label(G, u, v, k),
            "mode": G.edges[u, v, k].get("mode", ""),
        }
        for u, v, k in edges
    ]
    return pd.DataFrame(rows, columns=["u", "v", "key", "label", "mode"])


def check_scenario(sc: Scenario, G: nx.MultiDiGraph[Any] | None = None) -> None:
    """Name a scenario's targets and origins/destinations without running it.

    Lets a command that runs many scenarios refuse a bad one before writing anything.

    Parameters
    ----------
    sc
        The scenario.
    G
        Its network, when already loaded.

    Raises
    ------
    BadScenarioError
        If a target, a file or an origin/destination is unusable (names the file).
    """
    from resilience.sources.load import load_network  # noqa: PLC0415 - avoids a cycle at import

    try:
        full = G if G is not None else load_network(graph_spec(sc))
        _removal(full, sc)
        resolve_od(full, sc.origins, sc.destinations)
    except BadScenarioError:
        raise
    except ResilienceError as exc:
        raise _scenario_error(sc, exc) from None


def run_scenario(sc: Scenario, G: nx.MultiDiGraph[Any] | None = None) -> ScenarioResult:
    """Apply a scenario's removals and measure supply before and after.

    Parameters
    ----------
    sc
        The scenario.
    G
        The network, when already loaded; else ``sc.graph`` is loaded. Unless it is already
        dated (``G.graph["as_of"]``), the baseline is the network on ``sc.as_of``.

    Returns
    -------
    ScenarioResult
        OD times, cut-off pairs, efficiency, min cut and the critical links left.

    Raises
    ------
    BadScenarioError
        If a target, a file or an origin/destination of the scenario is unusable; the
        message names the scenario file.
    """
    from resilience.asof import network_on  # noqa: PLC0415 - asof imports frontline
    from resilience.sources.load import load_network  # noqa: PLC0415 - avoids a cycle at import

    try:
        full = G if G is not None else load_network(graph_spec(sc))
        G = full
        if "as_of" not in G.graph:  # a graph already dated (``--as-of``) keeps its date
            G, _ = network_on(
                G, None if sc.as_of == "pre-war" else sc.as_of, pre_war=sc.as_of == "pre-war"
            )
        # Targets are named on the whole network: one already lost by the date is noted,
        # not an unknown name.
        named = _removal(full, sc)
        removal = Removal(
            frozenset(n for n in named.nodes if n in G),
            frozenset(e for e in named.edges if G.has_edge(*e)),
            named.labels,
        )
        already_lost = _already_lost(full, named.nodes - set(G))
        origins, destinations = resolve_od(G, sc.origins, sc.destinations)
        impact = cut(G, removal, origins, destinations, weight=sc.weight)
        # Tonnes a day and demand met beside the travel times (where links carry capacity).
        flows = pd.DataFrame(flow_rows(G, removal, origins, destinations))
        if not flows.empty:
            summary = pd.concat([impact.summary, flows], ignore_index=True).astype(object)
            impact = dataclasses.replace(impact, summary=summary)
    except BadScenarioError:
        raise
    except ResilienceError as exc:
        raise _scenario_error(sc, exc) from None
    H = apply_removal(G, removal)
    before, _ = od_min_cut(G, origins, destinations)
    after, cut_edges = od_min_cut(H, origins, destinations)
    critical = edge_betweenness(H, weight=sc.weight, samples=sc.samples, seed=sc.seed)
    # A two-way link is one element: its two directions are one row, ranked once.
    critical = links_once(critical[critical["betweenness"] > 0])
    critical = critical.head(_TOP_CRITICAL).reset_index(drop=True)
    return ScenarioResult(
        scenario=sc,
        graph=G,
        removal=removal,
        origins=origins,
        destinations=destinations,
        impact=impact,
        min_cut_before=before,
        min_cut_after=after,
        min_cut=_edge_frame(H, cut_edges),
        critical=critical,
        already_lost=already_lost,
    )


def _already_lost(G: nx.MultiDiGraph[Any], nodes: frozenset[Any]) -> tuple[str, ...]:
    """``Name (lost_on)`` of target places lost before the date (a station goes with its town)."""
    out = set()
    for n in nodes:
        data = G.nodes[n]
        if data.get("place") not in nodes:
            since = data.get("lost_on")
            out.add(f"{data.get('name', n)} ({since})" if since else str(data.get("name", n)))
    return tuple(sorted(out))


def _weight_of(res: ScenarioResult) -> str:
    """The weight a scenario ran with."""
    return res.scenario.weight


def _flow_metrics(res: ScenarioResult) -> dict[str, Any]:
    """Deliverable t/day and λ before/after, when the run measured them."""
    metrics = set(res.impact.summary["metric"])
    if "deliverable_t_per_day" not in metrics:
        return {}
    t_b, t_a = res.metric("deliverable_t_per_day")
    l_b, l_a = res.metric("demand_met_lambda")
    return {
        "deliverable_before_t_per_day": t_b,
        "deliverable_after_t_per_day": t_a,
        "lambda_before": l_b,
        "lambda_after": l_a,
    }


def compare(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """One row per scenario, side by side.

    Parameters
    ----------
    results
        Scenario results, in the order to show.

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``as_of`` (the baseline's date), ``nodes_removed``, ``links_removed``
        (further links, a two-way link counted once), ``od_pairs``, ``lost`` (pairs whose
        origin or destination was removed), ``cut_off`` (both ends there, no route left),
        ``detour``,
        ``mean_detour_pct`` (over pairs with a detour), ``max_detour_pct``,
        ``efficiency_loss_pct``, ``min_cut_before``, ``min_cut_after``, ``top_critical``;
        where links carry capacities also ``deliverable_before_t_per_day``,
        ``deliverable_after_t_per_day`` (maximum flow), ``lambda_before``, ``lambda_after``
        (share of every destination's demand met at once).
    """
    rows = []
    for res in results:
        od = res.impact.od
        detours = od.loc[od["status"] == "detour", "detour_pct"]
        e_before, e_after = res.metric(
            "global_efficiency_per_h"
            if _weight_of(res) == "travel_time"
            else "global_efficiency_per_km"
        )
        flow = _flow_metrics(res)
        rows.append(
            {
                "scenario": res.scenario.name,
                "as_of": str(res.graph.graph.get("as_of", "")),
                "nodes_removed": len(res.removal.nodes),
                "links_removed": link_count(res.removal.edges),
                "od_pairs": len(od),
                # lost: an endpoint itself removed; cut off: both there, no route left.
                "lost": int((od["status"] == "lost").sum()),
                "cut_off": int((od["status"] == "cut off").sum()),
                "detour": int((od["status"] == "detour").sum()),
                "mean_detour_pct": round(float(detours.mean()), 1) if len(detours) else None,
                "max_detour_pct": round(float(detours.max()), 1) if len(detours) else None,
                "efficiency_loss_pct": round(100 * (e_before - e_after) / e_before, 1)
                if e_before
                else None,
                "min_cut_before": res.min_cut_before,
                "min_cut_after": res.min_cut_after,
                "top_critical": res.critical["label"].iloc[0] if len(res.critical) else "",
                **flow,
            }
        )
    frame = pd.DataFrame(rows)
    for col in ("mean_detour_pct", "max_detour_pct", "efficiency_loss_pct"):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame
