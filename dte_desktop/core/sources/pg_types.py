"""PostgreSQL / Greenplum types -> Arrow, and the per-column plan that reads them over COPY CSV.

Every column is read through ``COPY (SELECT <expr> …) TO STDOUT (FORMAT csv)``; the plan says
which SQL expression feeds the CSV, which type pyarrow's CSV parser produces, and which
vectorised step (if any) turns that into the final Arrow type. Types are matched on their
``pg_catalog`` name after unwrapping domains (a domain reads like its base type, with the
domain's own typmod when the column has none).

============================  ===========================  =======================================
PostgreSQL type               Arrow type                   how / ``type_note``
============================  ===========================  =======================================
boolean                       bool                         CSV ``t``/``f``
smallint / integer / bigint   int16 / int32 / int64
oid                           int64                        (unsigned 32-bit in PostgreSQL)
real / double precision       float32 / float64            NaN and ±Infinity kept
numeric(p,s), p <= 38         decimal128(p,s)              NaN -> null (noted)
numeric(p,s), 38 < p <= 76    decimal256(p,s)              NaN -> null (noted)
numeric (no typmod), p > 76,  string                       exact text: arbitrary precision,
negative scale or s > p                                    NaN and ±Infinity kept (noted)
money                         string                       ``money::numeric`` text, no currency
                                                           symbol or locale grouping (noted)
text, varchar, char(n), name  string                       char(n) keeps its blank padding
"char", citext, unknown       string
date                          date32                       sent as a day number; ±infinity -> null
timestamp                     timestamp[us]                years 1..9999; ±infinity, BC and
                                                           later years -> null (noted)
timestamptz                   timestamp[us, tz=UTC]        as timestamp; read with TimeZone=UTC
time                          time64[us]                   sent as microseconds since midnight
timetz                        string                       Arrow has no time with offset (noted)
interval                      string                       PostgreSQL interval text (noted)
bytea                         binary                       hex output decoded in numpy
uuid                          string                       canonical text (noted)
json / jsonb                  string, JSON-marked          document text; nested in JSON Lines
xml                           string                       document text (noted)
inet, cidr, macaddr(8)        string                       (noted)
bit(n) / varbit               string                       e.g. ``'1010'`` (noted)
tsvector / tsquery            string                       (noted)
point, line, lseg, box,       string                       PostgreSQL text form (noted)
path, polygon, circle
arrays (any element)          string, JSON-marked          ``array_to_json``: ``[1,null,3]``,
                                                           nested for 2-D values (noted)
enum                          string                       the label (noted)
composite                     string, JSON-marked          ``to_json``: ``{"a":1,"b":"x"}``
range / multirange / other    string                       range literal / text (noted)
============================  ===========================  =======================================

"JSON-marked" columns carry ``JSON_MARK`` in their field metadata: text in Parquet, Arrow,
CSV and XLSX (with the note), nested JSON in JSON Lines. Arrays are not Arrow lists because
PostgreSQL does not enforce an array column's dimensions: a 2-D value may sit in an
``integer[]`` column, and a list type fixed per file could not hold it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from dte_desktop.core.sources.pg_sql import quote_ident

_DIRECT: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int2": pa.int16(),
    "int4": pa.int32(),
    "int8": pa.int64(),
    "oid": pa.int64(),
    "float4": pa.float32(),
    "float8": pa.float64(),
}
_PLAIN_TEXT = {"text", "varchar", "bpchar", "name", "char", "citext", "unknown"}
_NOTES: dict[str, str] = {
    "timetz": "time with time zone read as text (Arrow has no time-with-offset type)",
    "interval": "interval read as PostgreSQL text",
    "uuid": "uuid read as its canonical text",
    "xml": "XML read as document text",
    "inet": "network address read as text",
    "cidr": "network address read as text",
    "macaddr": "MAC address read as text",
    "macaddr8": "MAC address read as text",
    "bit": "bit string read as text of 0/1",
    "varbit": "bit string read as text of 0/1",
    "tsvector": "text-search vector read as text",
    "tsquery": "text-search query read as text",
}
for _geo in ("point", "line", "lseg", "box", "path", "polygon", "circle"):
    _NOTES[_geo] = "geometric type read as PostgreSQL text"

_TS_MIN, _TS_MAX = "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999"
_TS_NOTE = "±infinity, BC and years after 9999 read as null"
# Arrow's time of day stops at 23:59:59.999999; PostgreSQL also has 24:00:00.
_TIME_NOTE = (
    "24:00:00 kept as 86,400,000,000 µs (one past Arrow's last time of day); "
    "text formats write 24:00:00"
)


@dataclass(frozen=True)
class PgType:
    """What the catalog says about one type (domains already unwrapped by the caller)."""

    oid: int
    name: str  # pg_type.typname
    schema: str = "pg_catalog"
    typtype: str = "b"  # b base, c composite, d domain, e enum, p pseudo, r range, m multirange
    category: str = "U"  # typcategory: 'A' for arrays
    domain: str | None = None  # the domain's name when the column was declared with one


@dataclass(frozen=True)
class ColumnPlan:
    """How one column travels: ``expr(ident)`` in the SELECT, ``csv_type`` out of the CSV
    parser, ``finish`` (vectorised) to ``arrow_type``."""

    arrow_type: pa.DataType
    csv_type: pa.DataType
    template: str = "{c}"  # SQL with {c} standing for the quoted column reference
    finish: Callable[[pa.Array], pa.Array] | None = None
    note: str | None = None
    json: bool = False  # the text is a JSON document (see the module's docstring)

    def expr(self, column_sql: str) -> str:
        return self.template.replace("{c}", column_sql)


def numeric_precision_scale(typmod: int) -> tuple[int, int] | None:
    """Decode numeric's atttypmod; None when unconstrained. Scale is an 11-bit signed field
    since PostgreSQL 15 (negative scales are allowed)."""
    if typmod < 4:
        return None
    t = typmod - 4
    precision = (t >> 16) & 0xFFFF
    scale = t & 0x7FF
    if scale & 0x400:
        scale -= 0x800
    return precision, scale


def plan_for(t: PgType, typmod: int = -1) -> ColumnPlan:
    """The read plan for a column of type ``t`` (domains unwrapped, ``typmod`` effective)."""
    plan = _plan(t, typmod)
    if (
        t.domain
        and plan.note is None
        and plan.arrow_type == pa.string()
        and t.name not in (_PLAIN_TEXT)
    ):
        plan = ColumnPlan(
            plan.arrow_type, plan.csv_type, plan.template, plan.finish, "read as text", plan.json
        )
    if t.domain:
        base = f"domain {t.domain} over {t.name}"
        note = f"{base}: {plan.note}" if plan.note else f"{base}, mapped by its base type"
        plan = ColumnPlan(
            plan.arrow_type, plan.csv_type, plan.template, plan.finish, note, plan.json
        )
    return plan


def _plan(t: PgType, typmod: int) -> ColumnPlan:
    text = pa.string()
    if t.category == "A":
        return ColumnPlan(
            text, text, "array_to_json({c})::text", json=True,
            note="array read as a JSON array, e.g. [1,null,3] (nested for a 2-D value)",
        )  # fmt: skip
    if t.typtype == "e":
        return ColumnPlan(text, text, note="enum read as its label")
    if t.typtype == "c":
        return ColumnPlan(
            text, text, "to_json({c})::text", json=True,
            note="composite read as a JSON object of its fields",
        )  # fmt: skip
    if t.typtype in ("r", "m"):
        return ColumnPlan(text, text, note="range read as its PostgreSQL literal")
    if t.schema != "pg_catalog":
        if t.name == "citext":
            return ColumnPlan(text, text)
        return ColumnPlan(text, text, note=f"extension type {t.schema}.{t.name} read as text")
    name = t.name
    if name in ("json", "jsonb"):
        return ColumnPlan(text, text, json=True, note="JSON document text (nested in JSON Lines)")
    if name in _DIRECT:
        return ColumnPlan(_DIRECT[name], _DIRECT[name])
    if name in _PLAIN_TEXT:
        return ColumnPlan(text, text)
    if name == "numeric":
        return _numeric_plan(typmod)
    if name == "money":
        return ColumnPlan(
            text, text, "({c})::numeric::text",
            note="money read as its numeric value in text (no currency symbol or grouping)",
        )  # fmt: skip
    if name == "date":
        return ColumnPlan(
            pa.date32(), pa.int32(), "CASE WHEN isfinite({c}) THEN {c} - DATE '1970-01-01' END",
            finish=_to(pa.date32()), note="±infinity read as null",
        )  # fmt: skip
    if name in ("timestamp", "timestamptz"):
        tz = "UTC" if name == "timestamptz" else None
        suffix = "+00" if tz else ""
        lo, hi = f"'{_TS_MIN}{suffix}'::{name}", f"'{_TS_MAX}{suffix}'::{name}"
        arrow = pa.timestamp("us", tz=tz)
        return ColumnPlan(
            arrow, arrow, f"CASE WHEN {{c}} BETWEEN {lo} AND {hi} THEN {{c}} END", note=_TS_NOTE
        )
    if name == "time":
        return ColumnPlan(
            pa.time64("us"), pa.int64(), "(EXTRACT(EPOCH FROM {c}) * 1000000)::int8",
            finish=_to(pa.time64("us")), note=_TIME_NOTE,
        )  # fmt: skip
    if name == "bytea":
        return ColumnPlan(pa.binary(), pa.binary(), finish=decode_pg_hex)
    return ColumnPlan(text, text, note=_NOTES.get(name, f"{name} read as text"))


def _numeric_plan(typmod: int) -> ColumnPlan:
    ps = numeric_precision_scale(typmod)
    if ps is not None:
        p, s = ps
        if 0 <= s <= p and p <= 76:
            nan = "NULLIF({c}, 'NaN'::numeric)"  # NaN is legal in numeric(p,s); not in Arrow
            if p <= 38:
                arrow = pa.decimal128(p, s)
                return ColumnPlan(arrow, arrow, nan, note="NaN read as null")
            # pyarrow's CSV reader has no decimal256 conversion; the cast does.
            arrow = pa.decimal256(p, s)
            return ColumnPlan(arrow, pa.string(), nan, _to(arrow), note="NaN read as null")
    return ColumnPlan(
        pa.string(),
        pa.string(),
        note="numeric without a usable precision read as exact text (NaN/Infinity kept)",
    )


def _to(target: pa.DataType) -> Callable[[pa.Array], pa.Array]:
    def cast(arr: pa.Array) -> pa.Array:
        return arr.cast(target)

    return cast


_HEX_LUT = np.full(256, 0, dtype=np.uint8)
for _i, _ch in enumerate(b"0123456789abcdef"):
    _HEX_LUT[_ch] = _i
for _i, _ch in enumerate(b"ABCDEF"):
    _HEX_LUT[_ch] = 10 + _i


def decode_pg_hex(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``\\x0a0b`` (bytea_output=hex) -> binary, for a whole array at once."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if len(arr) == 0:
        return pa.array([], pa.binary())
    arr = arr.cast(pa.binary())
    validity, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    )
    starts = offsets[:-1].astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    has_prefix = lengths >= 2
    keep = np.zeros(len(data), dtype=bool)
    # Mark every byte inside a value, then drop the two-byte "\x" prefix of each one.
    base = int(offsets[0])
    span = data[base : int(offsets[-1])]
    keep_span = np.ones(len(span), dtype=bool)
    prefix_at = (starts[has_prefix] - base).astype(np.int64)
    keep_span[prefix_at] = False
    keep_span[prefix_at + 1] = False
    keep[base : int(offsets[-1])] = keep_span
    digits = _HEX_LUT[data[keep]]
    out = (digits[0::2] << 4) | digits[1::2]
    new_lengths = np.where(has_prefix, (lengths - 2) // 2, 0)
    new_offsets = np.zeros(len(arr) + 1, dtype=np.int32)
    np.cumsum(new_lengths, out=new_offsets[1:])
    return pa.Array.from_buffers(
        pa.binary(),
        len(arr),
        [
            validity if arr.offset == 0 else _shifted_validity(arr),
            pa.py_buffer(new_offsets),
            pa.py_buffer(out.astype(np.uint8)),
        ],
        null_count=arr.null_count,
    )


def _shifted_validity(arr: pa.Array) -> pa.Buffer | None:
    if arr.null_count == 0:
        return None
    return pa.array(arr.is_valid()).buffers()[1]


def column_sql(name: str, qualifier: str | None = None) -> str:
    """A quoted column reference, optionally qualified by a (quoted) relation alias."""
    return f"{quote_ident(qualifier)}.{quote_ident(name)}" if qualifier else quote_ident(name)
