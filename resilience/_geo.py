"""Small geodesic helpers shared by the loaders and target resolution."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # numpy only for the array version: the scalar distance is on the start-up path of a
    # command on the embedded region, which needs no numpy.
    import numpy as np
    import numpy.typing as npt

__all__ = ["EARTH_RADIUS_M", "haversine_m", "haversine_m_array"]

#: Mean Earth radius, as osmnx uses for great-circle distances.
EARTH_RADIUS_M = 6_371_009.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two WGS84 points.

    Parameters
    ----------
    lat1, lon1, lat2, lon2
        Coordinates in decimal degrees.

    Returns
    -------
    float
        Distance in metres.

    Examples
    --------
    >>> round(haversine_m(48.0, 37.0, 49.0, 37.0) / 1000, 1)
    111.2
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_m_array(
    lat: npt.ArrayLike, lon: npt.ArrayLike, lat0: float, lon0: float
) -> npt.NDArray[np.float64]:
    """Vectorised great-circle distances from many points to one point.

    Parameters
    ----------
    lat, lon
        Arrays of coordinates in decimal degrees.
    lat0, lon0
        The reference point.

    Returns
    -------
    numpy.ndarray
        Distances in metres.
    """
    import numpy as np  # noqa: PLC0415 - see the imports

    la = np.radians(np.asarray(lat, dtype=float))
    lo = np.radians(np.asarray(lon, dtype=float))
    p0, l0 = math.radians(lat0), math.radians(lon0)
    a = np.sin((la - p0) / 2) ** 2 + np.cos(la) * math.cos(p0) * np.sin((lo - l0) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a))), dtype=float)
