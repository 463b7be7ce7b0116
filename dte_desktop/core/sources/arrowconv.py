"""Row tuples from a DB-API driver -> Arrow record batches, column by column.

Drivers hand out rows; Arrow wants columns. ``zip(*rows)`` transposes once per batch and each
column is built with one ``pa.array(values, type=…)`` call (C speed). Only when that fast path
refuses a column (a value of an unexpected Python type) is the column coerced value by value,
so the per-value Python cost is paid by odd columns only, never by the common case.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa

from dte_desktop.core.errors import QueryFailed

_CONVERSION_ERRORS = (
    pa.ArrowInvalid,
    pa.ArrowTypeError,
    pa.ArrowNotImplementedError,
    TypeError,
    ValueError,
    OverflowError,
)


class ColumnCoercionError(QueryFailed):
    """A value that does not fit the column's declared Arrow type."""

    def __init__(self, message: str, *, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column  # which column, so a reader can go on without it


def build_batch(
    rows: Sequence[Sequence[Any]], schema: pa.Schema, *, lenient_temporal: bool = False
) -> pa.RecordBatch:
    """One RecordBatch from row tuples. ``lenient_temporal`` turns unparseable date/time text
    (MySQL zero dates such as ``0000-00-00``) into null instead of failing."""
    if not rows:
        return empty_batch(schema)
    columns = list(zip(*rows, strict=True))
    arrays = [
        column_array(values, field.type, field.name, lenient_temporal=lenient_temporal)
        for values, field in zip(columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def empty_batch(schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], type=f.type) for f in schema], schema=schema)


def column_array(
    values: Sequence[Any], typ: pa.DataType, name: str = "?", *, lenient_temporal: bool = False
) -> pa.Array:
    try:
        return pa.array(values, type=typ)
    except _CONVERSION_ERRORS:
        pass
    if pa.types.is_temporal(typ) and not pa.types.is_duration(typ):
        # Dates stored as ISO text (SQLite): Arrow's own string cast, still columnwise.
        try:
            return pa.array(values, type=pa.string()).cast(typ)
        except _CONVERSION_ERRORS:
            pass
    coerce = _coercer(typ, lenient_temporal)
    try:
        return pa.array([None if v is None else coerce(v) for v in values], type=typ)
    except _CONVERSION_ERRORS as exc:
        bad = next((v for v in values if v is not None and not _fits(v, typ)), None)
        raise ColumnCoercionError(
            f"Column {name!r}: the value {_short(bad)} does not fit the column's type {typ} "
            f"({exc}). Read it through a query that casts it to text.",
            column=name,
        ) from None


def _fits(value: Any, typ: pa.DataType) -> bool:
    try:
        pa.array([value], type=typ)
        return True
    except _CONVERSION_ERRORS:
        return False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _coercer(typ: pa.DataType, lenient_temporal: bool) -> Callable[[Any], Any]:
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _to_text
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        return _to_bytes
    if pa.types.is_boolean(typ):
        return _to_bool
    if pa.types.is_integer(typ):
        return _to_int
    if pa.types.is_floating(typ):
        return float
    if pa.types.is_decimal(typ):
        return _to_decimal
    if pa.types.is_date(typ):
        return _lenient(_to_date) if lenient_temporal else _to_date
    if pa.types.is_timestamp(typ):
        return _lenient(_to_datetime) if lenient_temporal else _to_datetime
    if pa.types.is_time(typ):
        return _to_time
    return lambda v: v


def _to_text(v: Any) -> str:
    if isinstance(v, bytes | bytearray | memoryview):
        return bytes(v).decode("utf-8", errors="replace")
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(v, set | frozenset):  # MySQL SET read through a driver converter
        return ",".join(sorted(str(x) for x in v))
    return str(v)


def _to_bytes(v: Any) -> bytes:
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, int):  # BIT(n) read as an integer by some drivers
        return v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")
    return bytes(v)


def _to_bool(v: Any) -> bool:
    if isinstance(v, bytes):
        return any(v)
    if isinstance(v, str):
        return v.strip().lower() not in ("", "0", "f", "false", "n", "no")
    return bool(v)


def _to_int(v: Any) -> int:
    if isinstance(v, bytes):  # BIT(n)
        return int.from_bytes(v, "big")
    if isinstance(v, float) and not v.is_integer():
        raise ValueError(f"{v!r} is not an integer")
    return int(v)


def _to_decimal(v: Any) -> decimal.Decimal:
    return decimal.Decimal(str(v)) if isinstance(v, float) else decimal.Decimal(v)


def _to_date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v).strip()[:10])


def _to_datetime(v: Any) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    return dt.datetime.fromisoformat(str(v).strip())


def _to_time(v: Any) -> dt.time:
    if isinstance(v, dt.timedelta):
        return (dt.datetime.min + v).time()
    if isinstance(v, dt.time):
        return v
    return dt.time.fromisoformat(str(v).strip())


def _lenient(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        try:
            return fn(v)
        except (ValueError, TypeError):
            return None

    return convert


def batches_from_rows(
    chunks: Iterable[Sequence[Sequence[Any]]],
    schema: pa.Schema,
    *,
    limit: int | None = None,
    lenient_temporal: bool = False,
    batch_rows: int | None = None,
) -> Iterator[pa.RecordBatch]:
    """Turn successive ``fetchmany`` chunks into batches, stopping at ``limit`` rows. Always
    yields at least one (possibly empty) batch so a consumer learns the schema.

    Each chunk is converted on its own (short GIL holds); with ``batch_rows`` the converted
    chunks are joined into batches of about that many rows, because what comes next
    (masking, writers) pays a fixed cost per batch."""
    produced = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for rows in chunks:
        if limit is not None and produced + len(rows) > limit:
            rows = rows[: limit - produced]
        if rows:
            produced += len(rows)
            part = build_batch(rows, schema, lenient_temporal=lenient_temporal)
            if batch_rows is None:
                yield part
            else:
                pending.append(part)
                pending_rows += part.num_rows
                if pending_rows >= batch_rows:
                    yield _joined(pending)
                    pending, pending_rows = [], 0
        if limit is not None and produced >= limit:
            break
    if pending:
        yield _joined(pending)
    if produced == 0:
        yield empty_batch(schema)


def _joined(parts: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(parts) == 1:
        return parts[0]
    return pa.Table.from_batches(parts).combine_chunks().to_batches()[0]


def infer_schema(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> pa.Schema:
    """A schema for a query whose column types the driver does not describe: inferred from
    the first chunk; columns that are all null there are read as text."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    fields = []
    for name, values in zip(names, columns, strict=True):
        try:
            typ = pa.array(values).type
        except _CONVERSION_ERRORS:
            typ = pa.string()
        if pa.types.is_null(typ) or pa.types.is_nested(typ):
            typ = pa.string()
        fields.append(pa.field(name, typ))
    return pa.schema(fields)
