"""XLSX: typed cells, and a clear failure for anything a worksheet cannot hold.

Excel holds numbers as IEEE doubles, dates as day serials from 1900 (with its 1900 leap-year
bug) to 9999 at millisecond resolution, and text up to 32,767 UTF-16 units per cell, in at
most 1,048,576 rows × 16,384 columns. So:

* integers within ±2^53 and floats are numbers (written with all 17 digits: xlsxwriter's own
  ``%.16G`` would round ``DOUBLE`` max up to infinity); decimals are numbers when a double
  holds them exactly, with a ``0.00`` format of their scale; the rest is exact text;
* dates and timestamps from 1900-03-01 to 9999 are Excel dates with a number format, cut to
  the millisecond; earlier or later ones are ISO text; ``TIME`` within a day is an Excel
  time; MySQL durations, NaN and ±infinity are text;
* a longer text, more rows or more columns than a worksheet holds fails the item with a
  message — never a cut cell or a lost row reported as complete.

What is written as text instead of its own type is listed per column in the manifest
(``format_notes``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.errors import ExportFailed
from dte_desktop.core.export.cells import (
    NON_FINITE,
    decimal_text,
    duration_texts,
    is_binary,
    json_text,
    out_of_range,
    plain,
    temporal_texts,
)
from dte_desktop.core.export.spec import FormatOptions

XLSX_MAX_ROWS = 1_048_576  # Excel's limit, header row included
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_TEXT = 32_767  # UTF-16 code units per cell
EXACT_INT = 2**53
_FIRST_DATE = dt.date(1900, 3, 1)  # before it Excel's serials carry its 1900 leap-year bug
_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "datetime_ms": "yyyy-mm-dd hh:mm:ss.000",
    "time": "hh:mm:ss",
    "time_ms": "hh:mm:ss.000",
}


def xlsx_notes(schema: pa.Schema) -> dict[str, str]:
    """Per column: how XLSX writes values it cannot hold as their own type."""
    notes = {}
    for f in schema:
        note = _note(plain(pa.array([], f.type)).type if _arrayable(f.type) else f.type)
        if note:
            notes[f.name] = note
    return notes


def _arrayable(t: pa.DataType) -> bool:
    return pa.types.is_dictionary(t) or isinstance(t, pa.ExtensionType)


def _note(t: pa.DataType) -> str | None:
    if pa.types.is_integer(t) and t.bit_width == 64:
        return "XLSX: integers beyond ±2^53 (a double's exact range) written as text"
    if pa.types.is_floating(t):
        return 'XLSX: NaN and ±infinity written as the text "NaN", "Infinity", "-Infinity"'
    if pa.types.is_decimal(t):
        return "XLSX: decimals a double cannot hold exactly written as exact text"
    if pa.types.is_date(t):
        return "XLSX: dates before 1900-03-01 or after 9999 written as ISO text"
    if pa.types.is_timestamp(t):
        utc = "; in UTC" if t.tz else ""
        return (
            "XLSX: timestamps cut to the millisecond (Excel's resolution); before 1900-03-01 "
            f"or after 9999 written as ISO text{utc}"
        )
    if pa.types.is_time(t):
        return "XLSX: times cut to the millisecond (Excel's resolution); 24:00:00 as text"
    if pa.types.is_duration(t):
        return "XLSX: TIME written as SQL time text ([-]H:MM:SS[.ffffff])"
    if is_binary(t):
        return "XLSX: binary written as hex text"
    if pa.types.is_nested(t):
        return "XLSX: nested values written as JSON text"
    if pa.types.is_interval(t):
        return "XLSX: intervals written as text"
    return None


class XlsxWriter:
    def __init__(self, path: Path, schema: pa.Schema, opts: FormatOptions) -> None:
        import xlsxwriter

        if len(schema) > XLSX_MAX_COLUMNS:
            raise ExportFailed(
                f"XLSX holds at most {XLSX_MAX_COLUMNS:,} columns; this result has "
                f"{len(schema):,}. Use Parquet or CSV, or pick fewer columns."
            )
        self.path = path
        self.rows = 0
        self._fh: Any = open(path, "wb")  # noqa: SIM115 - closed in close()/abort()
        self._wb = xlsxwriter.Workbook(
            self._fh,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._fmt = {k: self._wb.add_format({"num_format": v}) for k, v in _FORMATS.items()}
        self._decimal_fmt: dict[int, Any] = {}
        self._ws = self._wb.add_worksheet("data")
        # xlsxwriter writes numbers with "%.16G": doubles that need 17 digits would change
        # (DOUBLE max reads back as infinity). Every number cell is written with repr().
        ws = self._ws
        ws._xml_number_element = lambda n, attributes=(): ws.fh.write(
            "<c"
            + "".join(f' {k}="{ws._escape_attributes(v)}"' for k, v in attributes)
            + f"><v>{n!r}</v></c>"
        )
        self._names = schema.names
        for c, name in enumerate(self._names):
            self._put(0, c, name, self._ws.write_string, None, "the header")
        self._next = 1

    def write(self, batch: pa.RecordBatch) -> None:
        if self._next + batch.num_rows > XLSX_MAX_ROWS:
            raise ExportFailed(
                f"XLSX holds at most {XLSX_MAX_ROWS - 1:,} data rows; this result has more. "
                "Use Parquet or CSV, or filter the rows."
            )
        cells = [self._column(col) for col in batch.columns]
        for r in range(batch.num_rows):
            row = self._next + r
            for c, (values, write) in enumerate(cells):
                v = values[r]
                if v is not None:
                    write(row, c, v)
        self._next += batch.num_rows
        self.rows += batch.num_rows

    def _put(
        self, row: int, col: int, value: Any, fn: Callable[..., int], fmt: Any, what: str
    ) -> None:
        if isinstance(value, str) and len(value) > XLSX_MAX_TEXT // 2:
            units = len(value.encode("utf-16-le", "surrogatepass")) // 2
            if units > XLSX_MAX_TEXT:
                raise ExportFailed(
                    f"XLSX cannot hold column {self._names[col]!r} of data row {row:,}: its "
                    f"text is {units:,} UTF-16 units long and an Excel cell holds at most "
                    f"{XLSX_MAX_TEXT:,}. Use Parquet, CSV or JSON Lines for this table."
                )
        code = fn(row, col, value, fmt) if fmt is not None else fn(row, col, value)
        if code != 0:  # xlsxwriter returns an error code instead of raising
            raise ExportFailed(
                f"XLSX could not write {what} (column {self._names[col]!r}, row {row:,}): "
                f"xlsxwriter error {code}."
            )

    def _column(self, col: pa.Array) -> tuple[list[Any], Callable[[int, int, Any], None]]:
        """The column's Python values and the function that writes one of its cells."""
        col = plain(col)
        t = col.type
        ws = self._ws

        def cell(row: int, c: int, v: Any) -> None:
            if isinstance(v, tuple):  # (value, format) for typed cells
                value, fmt = v
                self._put(row, c, value, _writer(ws, value), fmt, "a value")
            else:
                self._put(row, c, v, _writer(ws, v), None, "a value")

        if pa.types.is_duration(t):
            return duration_texts(col).to_pylist(), cell
        if is_binary(t):
            return [None if v is None else v.hex() for v in col.to_pylist()], cell
        if pa.types.is_nested(t):
            return [None if v is None else json_text(v) for v in col.to_pylist()], cell
        if pa.types.is_interval(t):
            return [None if v is None else str(v) for v in col.to_pylist()], cell
        if pa.types.is_integer(t):
            return [_int_cell(v) for v in col.to_pylist()], cell
        if pa.types.is_floating(t):
            if not pa.types.is_float64(t):  # FLOAT: its shortest text, not the widened double
                col = col.cast(pa.string()).cast(pa.float64())
            return [_float_cell(v) for v in col.to_pylist()], cell
        if pa.types.is_decimal(t):
            fmt = self._decimal_format(t.scale)
            return [_decimal_cell(v, fmt) for v in col.to_pylist()], cell
        if pa.types.is_date(t):
            return self._dates(col, "date"), cell
        if pa.types.is_timestamp(t):
            if t.tz is not None:
                col = col.cast(pa.timestamp(t.unit))  # UTC wall time (noted)
            key = "datetime" if t.unit == "s" else "datetime_ms"
            return self._dates(col, key), cell
        if pa.types.is_time(t):
            key = "time" if t.unit == "s" else "time_ms"
            out = [None if v is None else (_cut_ms(v), self._fmt[key]) for v in col.to_pylist()]
            if out_of_range(col):  # 24:00:00 (read as time(0) by pyarrow): text, per cell
                day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000}.get(t.unit, 86_400e9)
                ints = col.cast(pa.int64() if pa.types.is_time64(t) else pa.int32()).to_pylist()
                texts = temporal_texts(col).to_pylist()
                out = [
                    texts[i] if v is not None and v >= day else out[i] for i, v in enumerate(ints)
                ]
            return out, cell
        return col.to_pylist(), cell

    def _dates(self, col: pa.Array, key: str) -> list[Any]:
        """Excel dates where Excel has them; Arrow's ISO text elsewhere (BC dates and years
        past 9999 included, which Python cannot even hold)."""
        t = col.type
        if pa.types.is_timestamp(t):
            if t.unit == "ns":  # cut to the millisecond anyway
                col = col.cast(pa.timestamp("us"), safe=False)
            lo = pa.scalar(dt.datetime.combine(_FIRST_DATE, dt.time()), col.type)
            hi = pa.scalar(dt.datetime(9999, 12, 31, 23, 59, 59, 999999), col.type)
        else:
            lo, hi = pa.scalar(_FIRST_DATE, t), pa.scalar(dt.date(9999, 12, 31), t)
        outside = pc.fill_null(pc.or_(pc.less(col, lo), pc.greater(col, hi)), False)
        fmt = self._fmt[key]
        values = pc.if_else(outside, pa.scalar(None, col.type), col).to_pylist()
        out: list[Any] = [None if v is None else (_cut_ms(v), fmt) for v in values]
        if pc.any(outside).as_py():
            texts = temporal_texts(col).to_pylist()
            for i in pc.indices_nonzero(outside).to_pylist():
                out[i] = texts[i]
        return out

    def _decimal_format(self, scale: int) -> Any:
        if scale not in self._decimal_fmt:
            pattern = "0" if scale <= 0 else "0." + "0" * min(scale, 30)
            self._decimal_fmt[scale] = self._wb.add_format({"num_format": pattern})
        return self._decimal_fmt[scale]

    def close(self) -> None:
        import os

        self._wb.close()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    def abort(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):
            self._fh.close()


def _writer(ws: Any, v: Any) -> Callable[..., int]:
    if isinstance(v, str):
        return ws.write_string
    if isinstance(v, bool):
        return ws.write_boolean
    if isinstance(v, int | float):
        return ws.write_number
    if isinstance(v, dt.date | dt.time):
        return ws.write_datetime
    raise ExportFailed(f"XLSX cannot write a value of type {type(v).__name__}.")


def _int_cell(v: int | None) -> Any:
    if v is None:
        return None
    return v if -EXACT_INT <= v <= EXACT_INT else str(v)


def _float_cell(v: float | None) -> Any:
    if v is None:
        return None
    return v if math.isfinite(v) else NON_FINITE[repr(v)]


def _decimal_cell(v: decimal.Decimal | None, fmt: Any) -> Any:
    if v is None:
        return None
    f = float(v)
    # Exact when the double reads back as the same decimal (12.34 does; 38 digits do not).
    if math.isfinite(f) and decimal.Decimal(repr(f)) == v:
        return (f, fmt)
    return decimal_text(v)


def _cut_ms(v: Any) -> Any:
    """Excel's resolution is the millisecond: finer digits are cut (noted in the manifest)."""
    if not isinstance(v, dt.datetime | dt.time):
        return v
    return v.replace(microsecond=v.microsecond // 1000 * 1000)
