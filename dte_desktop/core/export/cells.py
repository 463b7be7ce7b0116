"""How values that a file format cannot hold natively are written: one rule per value kind,
shared by every text format (CSV, JSON Lines, XLSX) and by the preview grid.

* SQL ``TIME`` read as a duration (MySQL's ±838:59:59) -> ``[-]H:MM:SS[.ffffff]``, the text
  the server itself prints (never Python's ``-35 days, 1:00:01``).
* decimals -> their exact value in plain notation (``-0.0000000001``, never ``-1E-10``).
* binary -> hex; nested values (CSV, XLSX) -> JSON text.
* JSON Lines writes JSON documents (jsonb, PostgreSQL arrays and composites: columns with
  ``JSON_MARK``) as nested JSON, not as strings holding JSON.
* JSON Lines has no NaN or infinity (RFC 8259): they become the strings ``"NaN"``,
  ``"Infinity"`` and ``"-Infinity"``; FLOAT (float32) values keep their shortest text
  (``1.1``, not the widened ``1.100000023841858``).

Per-value Python work is confined to the rare column types (durations, binary, nested); the
common ones are converted by Arrow, column at a time.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.sources.base import is_json_field

NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
JSONL_NON_FINITE_NOTE = 'NaN and ±infinity written as the strings "NaN", "Infinity", "-Infinity"'


def time_text(value: dt.timedelta | int) -> str:
    """SQL TIME text of a duration (a ``timedelta`` or microseconds): ``-838:59:59``,
    ``25:00:00.5``; hours are not wrapped at 24."""
    us = value if isinstance(value, int) else _micros(value)
    sign = "-" if us < 0 else ""
    us = abs(us)
    seconds, frac = divmod(us, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}"
    if frac:
        text += f".{frac:06d}".rstrip("0")
    return text


def _micros(td: dt.timedelta) -> int:
    return (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds


_DURATION_US = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}


def duration_texts(col: pa.Array) -> pa.Array:
    """A duration column as SQL TIME text (nanoseconds keep all nine digits)."""
    unit = col.type.unit
    ints = col.cast(pa.int64()).to_pylist()
    if unit == "ns":
        return pa.array([None if v is None else _ns_text(v) for v in ints], pa.string())
    scale = _DURATION_US[unit]
    return pa.array([None if v is None else time_text(v * scale) for v in ints], pa.string())


def _ns_text(ns: int) -> str:
    us, rest = divmod(abs(ns), 1000)
    text = time_text(us if ns >= 0 else -us)
    if rest:
        head = text if "." in text else text + "."
        frac = head.split(".")[1].ljust(6, "0")
        text = head.split(".")[0] + "." + (frac + f"{rest:03d}").rstrip("0")
    return text


_OUT_OF_RANGE = "<value out of range"  # what Arrow's cast to text prints for such values
_UNIT_US = {"s": 1_000_000, "ms": 1_000, "us": 1}


def _civil(days: int) -> str:
    """Proleptic Gregorian ``Y-MM-DD`` of days since 1970-01-01, any year (H. Hinnant's
    algorithm): PostgreSQL's 5874897-12-31 is a valid date32 Arrow cannot print."""
    z = days + 719_468
    era, doe = divmod(z, 146_097)
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d, m = doy - (153 * mp + 2) // 5 + 1, mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (m <= 2)
    return f"{'-' if y < 0 else ''}{abs(y):04d}-{m:02d}-{d:02d}"


def _exact_text(t: pa.DataType, v: int) -> str:
    """One temporal value (its integer storage) Arrow could not print."""
    if pa.types.is_time(t):  # PostgreSQL's 24:00:00: one past the last time of day
        return time_text(v * _UNIT_US[t.unit]) if t.unit != "ns" else _ns_text(v)
    if pa.types.is_date32(t):
        return _civil(v)
    if pa.types.is_date64(t):
        return _civil(v // 86_400_000)
    per_day = 86_400 * 1_000_000 * (1000 if t.unit == "ns" else 1) // _UNIT_US.get(t.unit, 1)
    days, rest = divmod(v, per_day)
    sub = rest * _UNIT_US[t.unit] if t.unit != "ns" else rest // 1000
    clock = time_text(sub) if t.unit != "ns" else _ns_text(rest)
    return f"{_civil(days)}T{clock}" + ("Z" if t.tz is not None else "")


def temporal_texts(col: pa.Array) -> pa.Array:
    """A date/time/timestamp column as Arrow's ISO text (BC years as ``-0043``), with the
    values Arrow cannot print (years past 9999 in a date, a time of 24:00:00) written
    exactly instead of ``<value out of range: …>``."""
    text = col.cast(pa.string())
    odd = pc.fill_null(pc.starts_with(text, _OUT_OF_RANGE), False)
    if not pc.any(odd).as_py():
        return text
    ints = col.cast(pa.int32() if pa.types.is_date32(col.type) or pa.types.is_time32(col.type)
                    else pa.int64()).to_pylist()  # fmt: skip
    values = text.to_pylist()
    for i in pc.indices_nonzero(odd).to_pylist():
        values[i] = _exact_text(col.type, ints[i])
    return pa.array(values, pa.string())


def out_of_range(col: pa.Array) -> bool:
    """Whether a temporal column holds a value Python's datetime cannot (or Arrow prints
    as ``<value out of range``): such a column is written as text."""
    return bool(pc.any(pc.fill_null(pc.starts_with(col.cast(pa.string()), _OUT_OF_RANGE),
                                    False)).as_py())  # fmt: skip


def decimal_text(value: decimal.Decimal) -> str:
    """Exact, plain notation (``format(d, 'f')``): no exponent whatever the magnitude."""
    return format(value, "f")


def decimal_texts(col: pa.Array) -> pa.Array:
    """A decimal column as exact plain text. Arrow's own cast writes small values with an
    exponent (``-1E-10``); only those values are redone in Python."""
    text = col.cast(pa.string())
    odd = pc.fill_null(pc.match_substring(text, "E"), False)
    if not pc.any(odd).as_py():
        return text
    values = text.to_pylist()
    return pa.array(
        [decimal_text(decimal.Decimal(v)) if v is not None and "E" in v else v for v in values],
        pa.string(),
    )


def json_text(value: Any) -> str:
    return json.dumps(_json_safe(value), ensure_ascii=False, allow_nan=False, default=json_default)


def json_default(v: Any) -> Any:
    """What ``json.dumps`` cannot write itself: exact text of the value."""
    if isinstance(v, bytes | bytearray):
        return v.hex()
    if isinstance(v, decimal.Decimal):
        return decimal_text(v) if v.is_finite() else str(v)
    if isinstance(v, dt.timedelta):
        return time_text(v)
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)


def _json_safe(v: Any) -> Any:
    """Nested values with NaN/±inf inside: the strings JSON Lines uses for them."""
    if isinstance(v, float) and not math.isfinite(v):
        return NON_FINITE[repr(v)]
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json_safe(x) for x in v]
    return v


def _per_value(col: pa.Array, fn: Any) -> pa.Array:
    return pa.array([None if v is None else fn(v) for v in col.to_pylist()], pa.string())


def is_json(t: pa.DataType) -> bool:
    return isinstance(t, pa.ExtensionType) and t.extension_name == "arrow.json"


def is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)


def plain(col: pa.Array) -> pa.Array:
    """Dictionary-decoded, extension storage unwrapped (JSON stays its document text)."""
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if isinstance(col.type, pa.ExtensionType):
        col = col.storage
    return col


def textual(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Columns CSV cannot hold as they are become text: nested values -> JSON, binary ->
    hex, durations -> SQL TIME text, decimals -> exact plain text."""
    arrays, fields = [], []
    for f, col in zip(batch.schema, batch.columns, strict=True):
        col = plain(col)
        t = col.type
        if pa.types.is_nested(t):
            col = _per_value(col, json_text)
        elif is_binary(t):
            col = _per_value(col, lambda v: v.hex())
        elif pa.types.is_duration(t):
            col = duration_texts(col)
        elif pa.types.is_interval(t):
            col = _per_value(col, str)
        elif pa.types.is_decimal(t):
            col = decimal_texts(col)
        elif pa.types.is_temporal(t) and out_of_range(col):
            col = temporal_texts(col)
        arrays.append(col)
        fields.append(pa.field(f.name, col.type, f.nullable))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


def jsonl_lines(batch: pa.RecordBatch) -> str:
    """One JSON document per row, RFC 8259 valid: nested values nested, JSON documents as
    JSON, temporal values as ISO text, decimals as exact strings, binary as hex."""
    names = batch.schema.names
    columns = [
        _json_documents(col) if is_json_field(f) else _jsonl_column(col)
        for f, col in zip(batch.schema, batch.columns, strict=True)
    ]
    out = []
    for values in zip(*columns, strict=True):
        out.append(
            json.dumps(
                dict(zip(names, values, strict=True)),
                ensure_ascii=False,
                allow_nan=False,
                default=json_default,
            )
        )
    return "\n".join(out) + "\n" if out else ""


def _json_documents(col: pa.Array) -> list[Any]:
    """A JSON-marked text column as the documents themselves. A value that is not JSON (a
    masked one: tokens, hashes) stays a string."""
    out: list[Any] = []
    for v in plain(col).to_pylist():
        if v is None:
            out.append(None)
            continue
        try:
            out.append(json.loads(v, parse_constant=_not_json))
        except ValueError:
            out.append(v)
    return out


def _not_json(name: str) -> Any:
    raise ValueError(name)  # NaN/Infinity are not JSON: keep such a value as its text


def _jsonl_column(col: pa.Array) -> list[Any]:
    if is_json(col.type):
        return [None if v is None else json.loads(v) for v in col.storage.to_pylist()]
    col = plain(col)
    t = col.type
    if pa.types.is_floating(t):
        if pa.types.is_float32(t) or pa.types.is_float16(t):
            # The shortest text that reads back as the same float32, not its float64 widening.
            col = col.cast(pa.string()).cast(pa.float64())
        values = col.to_pylist()
        if pc.any(pc.fill_null(pc.invert(pc.is_finite(col)), False)).as_py():
            values = [_json_safe(v) for v in values]
        return values
    if pa.types.is_nested(t):
        return [_json_safe(v) for v in col.to_pylist()]
    if pa.types.is_decimal(t):
        return decimal_texts(col).to_pylist()
    if pa.types.is_duration(t):
        return duration_texts(col).to_pylist()
    if pa.types.is_temporal(t) and not pa.types.is_interval(t):
        return temporal_texts(col).to_pylist()  # ISO text: BC and years past 9999 too
    if is_binary(t):
        return [None if v is None else v.hex() for v in col.to_pylist()]
    return col.to_pylist()
