r"""Every file the program reads as a vector layer or writes goes through here.

Writing is atomic (a reader sees the old file or the new one, never half of one) and
deterministic (same inputs and library versions, same bytes):

- CSV: no index, ``\n`` line ends; plain rows (:func:`write_rows`) give the same bytes
  as their pandas frame, without importing pandas.
- Parquet: pyarrow, no index, zstd; columns of mixed Python objects become one type.
- GeoPackage: written by GDAL with its ``last_change`` timestamps pinned through
  ``OGR_CURRENT_DATE``.
- PNG: matplotlib's Agg canvas, no ``Software`` tag, a fixed ``svg.hashsalt``.
- text: UTF-8, ``\n`` line ends, one final newline.

Reading: :func:`read_vector` is the one reader of line, polygon and point layers, with one
CRS rule (see there).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from resilience.errors import BadInputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "GPKG_DATE",
    "PNG_DPI",
    "ColumnKind",
    "Geometry",
    "TableFormat",
    "arrow_safe",
    "atomic_write",
    "column_kinds",
    "csv_text",
    "is_missing",
    "png_bytes",
    "read_vector",
    "write_bytes",
    "write_frames",
    "write_layers",
    "write_rows",
    "write_table",
    "write_text",
]

#: The date GDAL stamps into every GeoPackage we write (so rewriting gives the same bytes).
GPKG_DATE = "2000-01-01T00:00:00.000Z"
#: Resolution of every PNG chart and map.
PNG_DPI = 110

_MAX_LON = 180.0
_MAX_LAT = 90.0

Geometry = Literal["lines", "polygons", "points"]
#: What pandas makes of a column of plain values (see :func:`column_kinds`).
ColumnKind = Literal["float", "int", "bool", "str", "object"]
TableFormat = Literal["csv", "parquet"]

_GEOM_TYPES: dict[str, tuple[str, str, str]] = {
    # kind: (single type, multi type, singular noun)
    "lines": ("LineString", "MultiLineString", "line"),
    "polygons": ("Polygon", "MultiPolygon", "polygon"),
    "points": ("Point", "MultiPoint", "point"),
}


# --------------------------------------------------------------------------- writing


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


def write_text(path: Path, text: str) -> Path:
    r"""Write UTF-8 text with ``\n`` line ends and one final newline, atomically.

    Parameters
    ----------
    path
        Destination file.
    text
        The content; a final newline is added when missing.

    Returns
    -------
    Path
        ``path``.
    """
    data = text if text.endswith("\n") else text + "\n"

    def write(tmp: Path) -> None:
        tmp.write_text(data, encoding="utf-8", newline="\n")

    return atomic_write(path, write)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write bytes atomically.

    Parameters
    ----------
    path
        Destination file.
    data
        The content.

    Returns
    -------
    Path
        ``path``.
    """

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, write)


def is_missing(value: Any) -> bool:
    """Whether a table value is missing: ``None`` or NaN.

    Parameters
    ----------
    value
        Any cell.

    Returns
    -------
    bool
        True for ``None`` and NaN.
    """
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(values: Sequence[Any]) -> ColumnKind:
    present = [v for v in values if not is_missing(v)]
    if all(_number(v) for v in present):
        # A column of missing values only is taken as numbers missing (NaN), as the
        # analysis tables declare their number columns.
        whole = len(present) == len(values) and all(isinstance(v, int) for v in present)
        return "int" if whole and present else "float"
    if len(present) == len(values) and all(isinstance(v, bool) for v in present):
        return "bool"
    if all(isinstance(v, str) for v in present):
        return "str"
    return "object"


def column_kinds(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, typed: bool = True
) -> list[ColumnKind]:
    """The type pandas gives each column of ``pandas.DataFrame(rows, columns=columns)``.

    Numbers with a decimal or a missing value among them are ``float`` (NaN where
    missing); whole numbers only ``int``; ``bool`` without gaps; text (gaps allowed)
    ``str``; anything else ``object``. A column of missing values only counts as
    ``float``, where pandas would keep ``object`` (the analysis tables turn such columns
    into numbers). ``typed=False`` is ``DataFrame(..., dtype=object)``: every column
    ``object``, values as they are.

    Parameters
    ----------
    rows
        One mapping per row; a missing key is a missing value.
    columns
        The columns, in order.
    typed
        Infer per column (pandas' default) or keep Python objects.

    Returns
    -------
    list
        One kind per column.
    """
    if not typed:
        return ["object"] * len(columns)
    return [_kind([row.get(c) for row in rows]) for c in columns]


def _csv_cell(value: Any, kind: ColumnKind) -> str:
    if is_missing(value):
        return ""
    if kind == "float" or (kind == "object" and isinstance(value, float)):
        return repr(float(value))
    return str(value)


def csv_text(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, typed: bool = True
) -> str:
    r"""Rows as CSV text, byte for byte what pandas writes for their frame.

    The same text as ``pandas.DataFrame(rows, columns=columns).to_csv(index=False,
    lineterminator="\n")`` (``dtype=object`` with ``typed=False``), without pandas:
    minimal quoting, missing values empty, decimals in Python's shortest round-trip form,
    whole numbers in a decimal column as ``1.0`` (see :func:`column_kinds`).

    Parameters
    ----------
    rows
        One mapping per row.
    columns
        The columns, in order.
    typed
        As for :func:`column_kinds`.

    Returns
    -------
    str
        The header line and one line per row.
    """
    kinds = column_kinds(rows, columns, typed=typed)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_csv_cell(row.get(c), k) for c, k in zip(columns, kinds, strict=True))
    return buf.getvalue()


def write_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    path: Path,
    *,
    typed: bool = True,
) -> Path:
    """Write rows as a CSV file (:func:`csv_text`), atomically.

    Parameters
    ----------
    rows
        One mapping per row.
    columns
        The columns, in order.
    path
        The ``.csv`` file.
    typed
        As for :func:`column_kinds`.

    Returns
    -------
    Path
        ``path``.
    """
    data = csv_text(rows, columns, typed=typed).encode("utf-8")
    return write_bytes(path, data)


def arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose object columns hold one type each, as Parquet needs.

    Object columns holding only numbers become float; any other object column becomes
    text (node ids may mix integers and strings). Missing values stay missing.

    Parameters
    ----------
    frame
        The table.

    Returns
    -------
    pandas.DataFrame
        The converted copy.
    """
    import pandas as pd  # noqa: PLC0415 - pandas only where a frame is converted

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        values = [v for v in out[col] if not is_missing(v)]
        if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        else:
            out[col] = [None if is_missing(v) else str(v) for v in out[col]]
    return out


def write_table(
    frame: pd.DataFrame,
    folder: Path,
    stem: str,
    formats: Iterable[TableFormat] = ("csv", "parquet"),
) -> list[Path]:
    """Write a table as ``<folder>/<stem>.csv`` and/or ``.parquet``, atomically.

    The CSV is the frame as pandas writes it; Parquet needs one type per column, so it is
    written from :func:`arrow_safe` of the frame. Pass ``arrow_safe(frame)`` to have both
    files hold the same values (the reports do).

    Parameters
    ----------
    frame
        The table (its index is not written).
    folder
        Output folder (created when missing).
    stem
        File name without suffix.
    formats
        Which files to write, in this order.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    BadInputError
        If a format is unknown or a file cannot be written.
    """
    writers: dict[str, Callable[[Path], None]] = {
        "csv": lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"),
        "parquet": lambda tmp: arrow_safe(frame).to_parquet(
            tmp, index=False, engine="pyarrow", compression="zstd"
        ),
    }
    written = []
    for fmt in formats:
        if fmt not in writers:
            msg = f"unknown table format {fmt!r}; use csv or parquet"
            raise BadInputError(msg)
        written.append(atomic_write(folder / f"{stem}.{fmt}", writers[fmt]))
    return written


def write_frames(
    frames: Mapping[str, pd.DataFrame],
    folder: Path,
    formats: Iterable[TableFormat] = ("csv",),
) -> list[Path]:
    """Write each frame with :func:`write_table`, sorted by name.

    Parameters
    ----------
    frames
        File stem to frame.
    folder
        Output folder (created when missing).
    formats
        Which files to write per frame.

    Returns
    -------
    list of Path
        The files written.
    """
    fmts = tuple(formats)
    written: list[Path] = []
    for name in sorted(frames):
        written.extend(write_table(frames[name], folder, name, fmts))
    return written


@contextlib.contextmanager
def _gdal_fixed_date() -> Iterator[None]:
    import pyogrio  # noqa: PLC0415 - heavy import, only when writing layers

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def write_layers(layers: Mapping[str, gpd.GeoDataFrame], path: Path) -> Path:
    """Write GeoDataFrames as the layers of one GeoPackage, atomically and reproducibly.

    Parameters
    ----------
    layers
        Layer name to frame; written in name order. Object columns should hold one type
        each (see :func:`arrow_safe`).
    path
        The ``.gpkg`` file (replaced as a whole).

    Returns
    -------
    Path
        ``path``.
    """

    def write(tmp: Path) -> None:
        # GDAL warns about any extension but .gpkg, so build it beside the temporary file.
        gpkg = tmp.with_name(tmp.name + ".gpkg")
        try:
            with _gdal_fixed_date():
                for name in sorted(layers):
                    layers[name].to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
            gpkg.replace(tmp)
        finally:
            gpkg.unlink(missing_ok=True)

    return atomic_write(path, write)


def png_bytes(fig: Any, *, dpi: int = PNG_DPI) -> bytes:
    """A matplotlib figure as PNG bytes without a ``Software`` tag or any timestamp.

    Parameters
    ----------
    fig
        A ``matplotlib.figure.Figure`` with an Agg canvas.
    dpi
        Resolution.

    Returns
    -------
    bytes
        The PNG.
    """
    import matplotlib as mpl  # noqa: PLC0415 - heavy import, only when drawing

    buf = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "resilience"}):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


# --------------------------------------------------------------------------- reading


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:160]


def _gdal_path(path: Path) -> str:
    # GDAL reads a gzip-compressed layer (e.g. .geojson.gz) through its /vsigzip/ handler.
    return f"/vsigzip/{path}" if path.name.lower().endswith(".gz") else str(path)


def _fits_lonlat(bounds: Any) -> bool:
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    return -_MAX_LON <= xmin <= xmax <= _MAX_LON and -_MAX_LAT <= ymin <= ymax <= _MAX_LAT


def read_vector(
    path: str | Path,
    *,
    geometry: Geometry,
    what: str | None = None,
    layer: str | None = None,
    explode: bool = False,
    error: type[Exception] = BadInputError,
) -> gpd.GeoDataFrame:
    """Read a vector layer in WGS84 longitude/latitude, keeping the features of one kind.

    The CRS rule: a layer that states its CRS is reprojected to EPSG:4326; a layer without
    one (GeoJSON without a ``crs`` member counts as EPSG:4326) is taken as
    longitude/latitude only if all its coordinates fit (x in [-180, 180], y in [-90, 90]),
    otherwise it is refused. Z coordinates are dropped; features of
    another kind, null and empty geometries are left out.

    Parameters
    ----------
    path
        GeoJSON (also ``.geojson.gz``), GeoPackage or Shapefile.
    geometry
        Which features to keep: ``lines`` (LineString, MultiLineString), ``polygons``
        (Polygon, MultiPolygon) or ``points`` (Point, MultiPoint).
    what
        What the layer is for, used in messages (default ``line layer``,
        ``polygon layer`` or ``point layer``).
    layer
        The layer of a multi-layer file (GeoPackage); default its first.
    explode
        Split Multi* features into one row per part (index renumbered).
    error
        The :class:`~resilience.errors.ResilienceError` type raised (e.g.
        ``BadGraphError`` when the layer is a graph source).

    Returns
    -------
    geopandas.GeoDataFrame
        The features, in EPSG:4326, index ``0..n-1``.

    Raises
    ------
    BadInputError
        (or ``error``) If the file is missing or unreadable, has no geometry, no feature
        of the asked kind, a CRS that cannot be reprojected, or no CRS and coordinates
        that are not longitude/latitude.
    """
    import geopandas as gpd  # noqa: PLC0415 - heavy import, only when a layer is read
    import shapely  # noqa: PLC0415

    single, multi, noun = _GEOM_TYPES[geometry]
    what = what or f"{noun} layer"
    p = Path(path)
    if not p.is_file():
        reason = "it is a folder" if p.is_dir() else "no such file"
        msg = f"cannot read {what} {p}: {reason}"
        raise error(msg)
    try:
        with warnings.catch_warnings():
            # The first layer of a GeoPackage is the documented default, not a surprise.
            warnings.filterwarnings("ignore", "More than one layer found", UserWarning)
            gdf = gpd.read_file(_gdal_path(p), engine="pyogrio", layer=layer)
    except Exception as exc:  # noqa: BLE001 - pyogrio/GDAL raise many types for a bad file
        msg = f"cannot read {what} {p.name}: {_first_line(exc)}"
        raise error(msg) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        msg = f"{what} {p.name}: no geometry in the layer"
        raise error(msg)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf[gdf.geometry.geom_type.isin([single, multi])]
    if gdf.empty:
        msg = f"{what} {p.name}: no {noun} in the layer"
        raise error(msg)
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.to_numpy()), crs=gdf.crs)
    stated = gdf.crs
    if stated is None:
        gdf = gdf.set_crs("EPSG:4326")
    elif not stated.equals("EPSG:4326"):
        try:
            gdf = gdf.to_crs("EPSG:4326")
        except Exception as exc:  # noqa: BLE001 - pyproj raises CRSError, ProjError, ValueError
            msg = f"{what} {p.name}: cannot reproject its CRS to EPSG:4326 ({_first_line(exc)})"
            raise error(msg) from None
    # GDAL reports EPSG:4326 for any GeoJSON without a "crs" member (RFC 7946), so a layer
    # in metres saved without its CRS shows up here as out-of-range longitudes/latitudes.
    if not _fits_lonlat(gdf.total_bounds):
        msg = (
            f"{what} {p.name}: its coordinates are not longitude/latitude and it states no "
            "other CRS; save it with its CRS (e.g. EPSG:3857)"
        )
        raise error(msg)
    if explode:
        gdf = gdf.explode(index_parts=False)
    return gdf.reset_index(drop=True)
