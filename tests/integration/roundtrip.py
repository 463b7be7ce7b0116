"""Reading an export back, format by format, into the values the server holds.

Independent of the writers' code on purpose: each format is read with its own reader
(pyarrow for Parquet/Arrow/CSV, ``json.loads`` with a strict parser for JSON Lines, openpyxl
for XLSX) and each value is decoded by what the column *is* (``kind``), then compared with
the fixture's value. Conversions a format cannot avoid are applied to the expected value
only where the manifest notes them (``noted``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from tests.integration.awkward import Iso


def _no_constants(name: str) -> Any:
    raise ValueError(f"not JSON (RFC 8259): bare {name}")


def read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The file's rows as dicts of the values its reader gives."""
    if fmt in ("parquet", "arrow", "feather"):
        if fmt == "parquet":
            table = pq.read_table(path)
        else:
            with pa.ipc.open_file(path) as r:
                table = r.read_all()
        cols = {n: _py(table.column(n).combine_chunks()) for n in table.column_names}
        return [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
    if fmt == "csv":
        data = path.read_bytes()
        head = pcsv.read_csv(io.BytesIO(data), read_options=pcsv.ReadOptions(block_size=1 << 26))
        opts = pcsv.ConvertOptions(
            column_types={n: pa.string() for n in head.column_names},
            strings_can_be_null=True,
            null_values=[""],  # an unquoted empty field; "nan" is a float, not a NULL
            quoted_strings_can_be_null=False,
        )
        table = pcsv.read_csv(
            io.BytesIO(data), read_options=pcsv.ReadOptions(block_size=1 << 26),
            convert_options=opts,
        )  # fmt: skip
        return table.to_pylist()
    if fmt == "jsonl":
        return [
            json.loads(line, parse_constant=_no_constants)
            for line in path.read_text("utf-8").splitlines()
        ]
    if fmt == "xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(path, read_only=True).active
        it = ws.iter_rows(values_only=True)
        header = next(it)
        return [dict(zip(header, r, strict=True)) for r in it]
    raise AssertionError(fmt)


_DAY_US = 86_400_000_000


def _py(col: pa.Array) -> list[Any]:
    if pa.types.is_time64(col.type) and col.type.unit == "us":
        # pyarrow wraps 24:00:00 (86,400,000,000 µs) to time(0): read the storage instead
        ints = col.cast(pa.int64()).to_pylist()
        if any(v is not None and v >= _DAY_US for v in ints):
            return [Iso(_sql_time(dt.timedelta(microseconds=v))) if v is not None
                    and v >= _DAY_US else None if v is None else col[i].as_py()
                    for i, v in enumerate(ints)]  # fmt: skip
    try:
        return col.to_pylist()
    except (ValueError, OverflowError):  # BC dates, years past 9999: Python has none
        out = []
        for i in range(len(col)):
            try:
                out.append(col[i].as_py())
            except (ValueError, OverflowError):
                out.append(Iso(_np_text(col.type, col[i])))
        return out


def _np_text(t: pa.DataType, value: pa.Scalar) -> str:
    """ISO text of a date Python cannot hold, by numpy (any year), not by the writers."""
    if not pa.types.is_date32(t):
        return value.cast(pa.string()).as_py()
    text = str(np.datetime64(value.cast(pa.int32()).as_py(), "D"))  # year -43 as "-043"
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    y, m, d = body.split("-")
    return f"{sign}{int(y):04d}-{m}-{d}"


def _sql_time(td: dt.timedelta) -> str:
    us = td // dt.timedelta(microseconds=1)
    sign, us = ("-" if us < 0 else ""), abs(us)
    s, frac = divmod(us, 1_000_000)
    text = f"{sign}{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return text + (f".{frac:06d}".rstrip("0") if frac else "")


def _iso_or(text: str, parse: Any) -> Any:
    try:
        return parse(text)
    except ValueError:
        return Iso(text)


_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def decode(kind: str, fmt: str, v: Any) -> Any:
    """One read-back value as the Python value it stands for."""
    if v is None or isinstance(v, Iso):
        return v
    binary = fmt in ("parquet", "arrow", "feather")
    if kind == "bool":
        return v if isinstance(v, bool) else {"true": True, "false": False}[v]
    if kind == "int":
        assert not isinstance(v, float) or v.is_integer(), v
        return int(v)
    if kind in ("float32", "float64"):
        if isinstance(v, str):  # JSON Lines and XLSX spell NaN/±inf out; CSV is all text
            return float(v) if fmt == "csv" else _NON_FINITE.get(v, v)
        return float(v)
    if kind == "decimal":
        if isinstance(v, float):
            return Decimal(repr(v))
        if isinstance(v, str):
            assert "E" not in v.upper(), f"not plain notation: {v}"
        return Decimal(v)
    if kind == "text":
        return v
    if kind in ("bytes", "geometry"):
        return v if binary else bytes.fromhex(v)
    if kind == "date":
        if isinstance(v, dt.datetime):  # openpyxl reads a date cell as midnight
            assert v.time() == dt.time(0), v
            return v.date()
        if isinstance(v, dt.date):
            return v
        return _iso_or(v, dt.date.fromisoformat)
    if kind in ("timestamp", "timestamptz"):
        if isinstance(v, str):
            v = _iso_or(v, dt.datetime.fromisoformat)
        if fmt == "xlsx" and kind == "timestamptz" and isinstance(v, dt.datetime):
            v = v.replace(tzinfo=dt.UTC)  # noted: XLSX holds the UTC wall time
        return v
    if kind == "time":
        if isinstance(v, str):
            return _iso_or(v, dt.time.fromisoformat)  # 24:00:00 has no Python time
        return v
    if kind == "json":  # JSON Lines nests the document; other formats hold its text
        if fmt == "jsonl":
            return v
        assert isinstance(v, str), v
        return json.loads(v)
    if kind == "sqltime":
        return _sql_time(v) if isinstance(v, dt.timedelta) else v
    raise AssertionError(kind)


def expected(kind: str, fmt: str, want: Any) -> Any:
    """The fixture's value as the format holds it, after the conversions its manifest notes."""
    if want is None:
        return None
    if kind == "float32" and fmt != "xlsx" and fmt in ("parquet", "arrow", "feather"):
        return float(np.float32(want))  # the same float32, widened by the reader
    if fmt != "xlsx":
        return want
    if kind in ("timestamp", "timestamptz", "time") and not isinstance(want, Iso):
        if kind != "time" and want.date() < dt.date(1900, 3, 1):
            return want  # written as ISO text, read back whole
        return want.replace(microsecond=want.microsecond // 1000 * 1000)  # noted: ms cut
    return want


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b
