"""A scenario's GIS layers: every link and place with its status, as GeoDataFrames."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from resilience.reports.maps import edge_status
from resilience.scenario import ScenarioResult

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["scenario_layers"]


def scenario_layers(res: ScenarioResult) -> dict[str, gpd.GeoDataFrame]:
    """The ``edges`` (straight lines) and ``nodes`` (points) layers of a scenario, WGS84.

    Edges carry ``u``, ``v``, ``key``, ``mode``, ``ref``, ``name``, ``length_m``,
    ``travel_time_s``, ``status`` (see :func:`resilience.reports.maps.edge_status`) and
    ``critical_rank``; nodes carry ``id``, ``name``, ``kind``, ``mode``, ``status``
    (``removed``/``intact``) and ``role`` (``origin``/``destination``). Ids are text so
    each column holds one type.

    Parameters
    ----------
    res
        The scenario result.

    Returns
    -------
    dict
        Layer name to GeoDataFrame, rows sorted by id.
    """
    import geopandas as gpd  # noqa: PLC0415 - heavy import, only when writing layers
    import shapely  # noqa: PLC0415

    G, r = res.graph, res.removal
    status = edge_status(res)
    crit = {(row.u, row.v, row.key): row.rank for row in res.critical.itertuples()}
    erows = []
    for u, v, k, d in sorted(
        G.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), e[2])
    ):
        erows.append(
            {
                "u": str(u),
                "v": str(v),
                "key": int(k),
                "mode": str(d.get("mode", "")),
                "ref": str(d.get("ref") or ""),
                "name": str(d.get("name") or ""),
                "length_m": float(d.get("length", math.nan)),
                "travel_time_s": float(d.get("travel_time", math.nan)),
                "status": status[(u, v, k)],
                "critical_rank": crit.get((u, v, k)),
                "geometry": shapely.LineString(
                    [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
                ),
            }
        )
    roles = dict.fromkeys(res.origins, "origin") | dict.fromkeys(res.destinations, "destination")
    nrows = [
        {
            "id": str(n),
            "name": str(d.get("name") or ""),
            "kind": str(d.get("kind") or ""),
            "mode": str(d.get("mode") or ""),
            "status": "removed" if n in r.nodes else "intact",
            "role": roles.get(n, ""),
            "geometry": shapely.Point(d["x"], d["y"]),
        }
        for n, d in sorted(G.nodes(data=True), key=lambda e: str(e[0]))
    ]
    edges = gpd.GeoDataFrame(erows, geometry="geometry", crs="EPSG:4326")
    edges["critical_rank"] = pd.to_numeric(edges["critical_rank"]).astype("Int64")
    return {
        "edges": edges,
        "nodes": gpd.GeoDataFrame(nrows, geometry="geometry", crs="EPSG:4326"),
    }
