"""The I/O module: atomic, byte-stable writers and the one vector reader with its CRS rule."""

from __future__ import annotations

import contextlib
import gzip
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from resilience.errors import BadGraphError, BadInputError
from resilience.io import (
    GPKG_DATE,
    arrow_safe,
    atomic_write,
    column_kinds,
    csv_text,
    png_bytes,
    read_vector,
    write_bytes,
    write_frames,
    write_layers,
    write_rows,
    write_table,
    write_text,
)

# Two lines near Pokrovsk, the second a MultiLineString, both with a Z coordinate.
_LINE = shapely.LineString([(37.17, 48.28, 150.0), (37.20, 48.30, 152.0)])
_MULTI = shapely.MultiLineString(
    [[(37.10, 48.20, 140.0), (37.12, 48.21, 141.0)], [(37.13, 48.22, 1.0), (37.14, 48.23, 2.0)]]
)


def _lines(crs: str | None = "EPSG:4326") -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[_LINE, _MULTI], crs="EPSG:4326")
    if crs is None:
        return gdf
    return gdf.to_crs(crs)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _no_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.set_crs(None, allow_override=True)


# --- atomic writes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc", [RuntimeError("boom"), KeyboardInterrupt()], ids=["error", "ctrl-c"]
)
def test_failed_write_leaves_no_temporary_file_and_the_old_file(tmp_path, exc):
    target = tmp_path / "t.csv"
    target.write_text("old\n")

    def dies(tmp: Path) -> None:
        tmp.write_text("half")
        raise exc

    with pytest.raises(type(exc)):
        atomic_write(target, dies)
    assert _files(tmp_path) == ["t.csv"]
    assert target.read_text() == "old\n"


def test_failed_table_write_leaves_nothing(tmp_path, monkeypatch):
    def dies(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", dies)
    with pytest.raises(
        BadInputError, match=r"^cannot write .*t\.parquet: No space left on device$"
    ):
        write_table(pd.DataFrame({"a": [1]}), tmp_path, "t")
    assert _files(tmp_path) == ["t.csv"]


def test_failed_layer_write_leaves_no_gpkg_beside(tmp_path, monkeypatch):
    def dies(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("GDAL gave up")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", dies)
    with pytest.raises(RuntimeError, match="GDAL gave up"):
        write_layers({"lines": _lines()}, tmp_path / "l.gpkg")
    assert _files(tmp_path) == []


def test_text_has_unix_line_ends_and_one_final_newline(tmp_path):
    path = write_text(tmp_path / "a" / "p.md", "one\ntwo")
    assert path.read_bytes() == b"one\ntwo\n"
    assert write_text(path, "x\n").read_bytes() == b"x\n"
    assert write_bytes(tmp_path / "b.bin", b"\x00\r\n").read_bytes() == b"\x00\r\n"


# --- same bytes on rewrite ------------------------------------------------------------------


def _rewrite(tmp_path: Path, write: object, name: str) -> tuple[bytes, bytes]:
    first, second = tmp_path / "1" / name, tmp_path / "2" / name
    write(first)  # type: ignore[operator]
    write(second)  # type: ignore[operator]
    return first.read_bytes(), second.read_bytes()


def test_table_bytes_identical_on_rewrite(tmp_path):
    frame = pd.DataFrame({"u": [1, "x", None], "time_min": [1.5, float("nan"), 3.0]})
    for fmt in ("csv", "parquet"):
        a, b = _rewrite(
            tmp_path, lambda p, f=fmt: write_table(frame, p.parent, "t", (f,)), f"t.{fmt}"
        )
        assert a == b
    assert (tmp_path / "1" / "t.csv").read_bytes() == b"u,time_min\n1,1.5\nx,\n,3.0\n"
    back = pd.read_parquet(tmp_path / "1" / "t.parquet")
    assert list(back["u"][:2]) == ["1", "x"]
    assert back["u"].isna().tolist() == [False, False, True]


def test_geopackage_bytes_identical_on_rewrite(tmp_path):
    points = gpd.GeoDataFrame(geometry=[shapely.Point(37, 48)], crs="EPSG:4326")
    layers = {"lines": _lines(), "points": points}
    a, b = _rewrite(tmp_path, lambda p: write_layers(layers, p), "l.gpkg")
    assert a == b
    assert read_vector(tmp_path / "1" / "l.gpkg", geometry="lines")["name"].tolist() == ["a", "b"]
    assert len(read_vector(tmp_path / "1" / "l.gpkg", geometry="points", layer="points")) == 1
    # Two writes within one second match anyway; the pinned date is what keeps later ones equal.
    with contextlib.closing(sqlite3.connect(tmp_path / "1" / "l.gpkg")) as db:
        stamps = {row[0] for row in db.execute("SELECT last_change FROM gpkg_contents")}
    assert stamps == {GPKG_DATE}


def test_png_bytes_identical_and_without_software_tag():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def draw() -> bytes:
        fig = Figure(figsize=(2, 2))
        FigureCanvasAgg(fig)
        fig.add_subplot().plot([0, 1], [1, 0])
        return png_bytes(fig)

    first = draw()
    assert first == draw()
    assert first.startswith(b"\x89PNG")
    assert b"Software" not in first
    assert b"matplotlib" not in first


def test_write_frames_sorted_and_unknown_format_refused(tmp_path):
    frames = {"b": pd.DataFrame({"x": [1]}), "a": pd.DataFrame({"x": [2]})}
    written = write_frames(frames, tmp_path, ("csv", "parquet"))
    assert [p.name for p in written] == ["a.csv", "a.parquet", "b.csv", "b.parquet"]
    with pytest.raises(BadInputError, match="unknown table format 'xlsx'"):
        write_table(frames["a"], tmp_path, "a", ("xlsx",))  # type: ignore[arg-type]


def test_csv_keeps_the_frame_as_given_and_parquet_gets_one_type(tmp_path):
    frame = pd.DataFrame({"n": pd.Series([65, 63.5], dtype=object)})
    csv, parquet = write_table(frame, tmp_path, "t")
    assert csv.read_bytes() == b"n\n65\n63.5\n"
    assert pd.read_parquet(parquet)["n"].tolist() == [65.0, 63.5]


def test_arrow_safe_gives_each_object_column_one_type():
    frame = pd.DataFrame({"ids": [1, "a"], "nums": pd.Series([1, 2.5], dtype=object)})
    safe = arrow_safe(frame)
    assert list(safe["ids"]) == ["1", "a"]
    assert safe["nums"].dtype == float
    assert list(frame["ids"]) == [1, "a"]  # the input is not changed


# --- read_vector: the CRS rule --------------------------------------------------------------


def test_wgs84_layer_is_read_as_is_z_dropped(tmp_path):
    path = tmp_path / "l.geojson"
    _lines().to_file(path)
    gdf = read_vector(path, geometry="lines")
    assert gdf.crs.equals("EPSG:4326")
    assert not gdf.geometry.has_z.any()
    assert gdf.geometry.iloc[0].equals_exact(shapely.force_2d(_LINE), 1e-12)
    assert list(gdf.geom_type) == ["LineString", "MultiLineString"]


@pytest.mark.parametrize("name", ["l.gpkg", "l.geojson", "l.shp"])
def test_web_mercator_layer_with_its_crs_is_reprojected(tmp_path, name):
    path = tmp_path / name
    _lines("EPSG:3857").to_file(path)
    gdf = read_vector(path, geometry="lines", explode=True)
    assert gdf.crs.equals("EPSG:4326")
    assert list(gdf.geom_type) == ["LineString"] * 3
    assert list(gdf["name"]) == ["a", "b", "b"]
    assert list(gdf.index) == [0, 1, 2]
    assert gdf.geometry.iloc[0].equals_exact(shapely.force_2d(_LINE), 1e-7)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
@pytest.mark.parametrize("name", ["l.gpkg", "l.geojson", "l.shp"])
def test_metres_without_crs_are_refused_in_one_line(tmp_path, name):
    path = tmp_path / name
    _no_crs(_lines("EPSG:3857")).to_file(path)
    with pytest.raises(BadInputError) as info:
        read_vector(path, geometry="lines")
    assert str(info.value) == (
        f"line layer {name}: its coordinates are not longitude/latitude and it states no "
        "other CRS; save it with its CRS (e.g. EPSG:3857)"
    )


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_lonlat_without_crs_is_accepted(tmp_path):
    path = tmp_path / "l.gpkg"
    _no_crs(_lines()).to_file(path)
    gdf = read_vector(path, geometry="lines")
    assert gdf.crs.equals("EPSG:4326")
    assert len(gdf) == 2


def test_gzipped_geojson_reads_like_the_plain_one(tmp_path):
    plain = tmp_path / "l.geojson"
    _lines().to_file(plain)
    packed = tmp_path / "l.geojson.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    a = read_vector(plain, geometry="lines")
    b = read_vector(packed, geometry="lines")
    assert a.geometry.geom_equals_exact(b.geometry, 0).all()


def test_other_kinds_and_empty_geometries_are_left_out(tmp_path):
    path = tmp_path / "mixed.gpkg"
    mixed = gpd.GeoDataFrame(
        {"k": ["poly", "point", "line"]},
        geometry=[shapely.box(37, 48, 37.1, 48.1), shapely.Point(37, 48), _LINE],
        crs="EPSG:4326",
    )
    mixed.to_file(path)
    assert list(read_vector(path, geometry="polygons")["k"]) == ["poly"]
    assert list(read_vector(path, geometry="points")["k"]) == ["point"]


# --- read_vector: bad files, one line each ---------------------------------------------------


def _one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(BadInputError) as info:
        read_vector(tmp_path / "nope.gpkg", geometry="polygons")
    assert _one_line(info) == f"cannot read polygon layer {tmp_path / 'nope.gpkg'}: no such file"
    with pytest.raises(BadInputError) as info:
        read_vector(tmp_path, geometry="polygons")
    assert _one_line(info).endswith(": it is a folder")


@pytest.mark.parametrize(
    ("name", "content"),
    [("x.geojson", "{not json"), ("x.gpkg", "a,b\n1,2\n"), ("x.shp", "")],
    ids=["junk-geojson", "junk-gpkg", "empty-shp"],
)
def test_unreadable_file_is_one_line_naming_it(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(BadInputError) as info:
        read_vector(path, geometry="lines", what="station layer")
    assert _one_line(info).startswith(f"cannot read station layer {name}: ")


def test_empty_layer_is_one_line(tmp_path):
    path = tmp_path / "e.geojson"
    path.write_text('{"type":"FeatureCollection","features":[]}')
    with pytest.raises(BadInputError) as info:
        read_vector(path, geometry="lines")
    assert _one_line(info) == "line layer e.geojson: no line in the layer"


def test_layer_without_geometry_is_one_line(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("name,value\na,1\n")
    with pytest.raises(BadInputError) as info:
        read_vector(path, geometry="points")
    assert _one_line(info) == "point layer table.csv: no geometry in the layer"


def test_null_geometries_only_is_one_line(tmp_path):
    path = tmp_path / "n.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":'
        '[{"type":"Feature","properties":{"a":1},"geometry":null}]}'
    )
    with pytest.raises(BadInputError) as info:
        read_vector(path, geometry="polygons")
    assert _one_line(info) == "polygon layer n.geojson: no polygon in the layer"


def test_error_type_can_be_chosen(tmp_path):
    with pytest.raises(BadGraphError, match="no such file"):
        read_vector(tmp_path / "g.geojson", geometry="lines", error=BadGraphError)


# --- plain rows as CSV, byte for byte as pandas writes them -----------------------------------

_TRICKY_ROWS = [
    {
        "f": 0.1 + 0.2,
        "whole": 3,
        "gap": 1,
        "flag": True,
        "maybe": True,
        "text": 'comma, "quote"\nnew line',
        "mixed": 7,
        "none": None,
    },
    {
        "f": 1e-7,
        "whole": -12,
        "gap": None,
        "flag": False,
        "maybe": None,
        "text": "Костянтинівка — Слов'янськ",
        "mixed": "seven",
        "none": None,
    },
    {
        "f": 1.5e16,
        "whole": 0,
        "gap": 2.5,
        "flag": True,
        "maybe": False,
        "text": "",
        "mixed": 0.5,
        "none": None,
    },
    {
        "f": float("nan"),
        "whole": 10**12,
        "gap": float("nan"),
        "flag": False,
        "maybe": None,
        "text": None,
        "mixed": None,
        "none": None,
    },
    {
        "f": -0.0,
        "whole": 1,
        "gap": 123456789.125,
        "flag": True,
        "maybe": True,
        "text": "tab\there\r",
        "mixed": False,
        "none": None,
    },
]


def _pandas_csv(rows: list[dict], columns: list[str], *, typed: bool = True) -> str:
    frame = pd.DataFrame(rows, columns=columns, dtype=None if typed else object)
    return frame.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("typed", [True, False])
def test_csv_text_equals_pandas_on_tricky_values(typed):
    columns = list(_TRICKY_ROWS[0])
    assert csv_text(_TRICKY_ROWS, columns, typed=typed) == _pandas_csv(
        _TRICKY_ROWS, columns, typed=typed
    )
    # One column at a time too, so that each column's type is inferred on its own.
    for col in columns:
        rows = [{col: r[col]} for r in _TRICKY_ROWS]
        assert csv_text(rows, [col], typed=typed) == _pandas_csv(rows, [col], typed=typed), col


def test_column_kinds():
    columns = list(_TRICKY_ROWS[0])
    kinds = dict(zip(columns, column_kinds(_TRICKY_ROWS, columns), strict=True))
    assert kinds == {
        "f": "float",
        "whole": "int",
        "gap": "float",  # ints with a gap are NaN-able floats, written 1.0
        "flag": "bool",
        "maybe": "object",
        "text": "str",
        "mixed": "object",
        "none": "float",
    }
    assert column_kinds(_TRICKY_ROWS, columns, typed=False) == ["object"] * len(columns)


_CELLS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["a,b", 'say "hi"', "two\nlines", "\r", "ä€𝄞", ""])
)


@hsettings(max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.lists(st.lists(_CELLS, min_size=k, max_size=k), min_size=0, max_size=6)
    ),
    st.booleans(),
)
def test_csv_text_equals_pandas_on_random_rows(table, typed):
    width = len(table[0]) if table else 2
    columns = [f"c{i}" for i in range(width)]
    rows = [dict(zip(columns, r, strict=True)) for r in table]
    expected = _pandas_csv(rows, columns, typed=typed)
    # pandas keeps a column of only missing values as objects; ours counts it as a number
    # column (both write empty cells), so compare the bytes, not the types.
    assert csv_text(rows, columns, typed=typed) == expected


def test_write_rows_is_atomic_and_byte_stable(tmp_path, monkeypatch):
    path = tmp_path / "od.csv"
    columns = list(_TRICKY_ROWS[0])
    write_rows(_TRICKY_ROWS, columns, path)
    first = path.read_bytes()
    assert first == _pandas_csv(_TRICKY_ROWS, columns).encode()
    write_rows(_TRICKY_ROWS, columns, path)
    assert path.read_bytes() == first

    def fail(self: Path, data: bytes) -> int:
        self.write_text("half")
        msg = "disk full"
        raise OSError(28, msg)

    monkeypatch.setattr(Path, "write_bytes", fail)
    with pytest.raises(BadInputError, match="cannot write"):
        write_rows(_TRICKY_ROWS[:1], columns, path)
    monkeypatch.undo()
    assert path.read_bytes() == first
    assert _files(tmp_path) == ["od.csv"]
