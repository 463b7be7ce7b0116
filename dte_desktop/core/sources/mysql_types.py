"""MySQL/MariaDB column types -> Arrow, with the reason wherever the mapping is a choice.

| MySQL / MariaDB                         | Arrow                         |
| --------------------------------------- | ----------------------------- |
| tinyint/smallint/mediumint/int/bigint   | int8/16/32/32/64              |
| … unsigned                              | uint8/16/32/32/64             |
| decimal(p,s) / numeric(p,s)             | decimal128(p,s) (p>38: 256)   |
| float / double                          | float32 / float64             |
| bit(n)                                  | uint64 (read as CAST … AS UNSIGNED) |
| year                                    | int16                         |
| date / datetime(n)                      | date32 / timestamp[us]        |
| timestamp(n)                            | timestamp[us, UTC] (session time zone +00:00) |
| zero or invalid dates ('0000-00-00')    | null (noted)                  |
| time(n)                                 | duration[us] (range ±838:59:59 exceeds a day) |
| char/varchar/*text, enum, set, json     | string                        |
| binary/varbinary/*blob                  | binary                        |
| geometry and its subtypes               | binary WKB (read with ST_AsBinary; SRID dropped) |
|   … from a raw query                    | the same WKB: MySQL's 4-byte SRID prefix cut |
| uuid / inet4 / inet6 / anything else    | string (noted)                |
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.sources.base import JSON_MARK, TYPE_NOTE_KEY
from dte_desktop.core.sources.sqla_types import decimal_type

GEOMETRY_TYPES = frozenset(
    {
        "geometry",
        "point",
        "linestring",
        "polygon",
        "multipoint",
        "multilinestring",
        "multipolygon",
        "geometrycollection",
        "geomcollection",
    }
)
_INTS = {
    "tinyint": (pa.int8(), pa.uint8()),
    "smallint": (pa.int16(), pa.uint16()),
    "mediumint": (pa.int32(), pa.uint32()),
    "int": (pa.int32(), pa.uint32()),
    "integer": (pa.int32(), pa.uint32()),
    "bigint": (pa.int64(), pa.uint64()),
}
_TEXT = frozenset({"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"})
_BLOB = frozenset({"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})
ZERO_DATE_NOTE = "zero or invalid dates ('0000-00-00') read as null"


GEOMETRY_NOTE = "geometry read as WKB (ST_AsBinary); the SRID is dropped"
_GEOMETRY_KEY = b"dte.mysql_geometry"
_GEOMETRY_CODE = 255
_JSON_CODE = 245


def base_type(column_type: str) -> str:
    return column_type.strip().lower().split("(")[0].split(" ")[0]


def mysql_arrow_type(
    data_type: str,
    column_type: str,
    precision: int | None = None,
    scale: int | None = None,
    is_json: bool = False,
) -> tuple[pa.DataType, str | None]:
    dt = (data_type or base_type(column_type)).lower()
    ct = (column_type or dt).lower()
    if is_json or dt == "json":
        return pa.string(), "JSON document text (nested in JSON Lines)"
    if dt in _INTS:
        signed, unsigned = _INTS[dt]
        if "unsigned" in ct:
            return unsigned, None
        if ct.startswith("tinyint(1)"):
            return signed, "tinyint(1) (BOOLEAN) kept as int8: it can hold any -128..127"
        return signed, None
    if dt in ("decimal", "numeric", "dec", "fixed"):
        return decimal_type(precision, scale)
    if dt == "float":
        return pa.float32(), None
    if dt in ("double", "real", "double precision"):
        return pa.float64(), None
    if dt == "bit":
        return pa.uint64(), "BIT(n) read as its unsigned integer value"
    if dt == "year":
        return pa.int16(), None
    if dt == "date":
        return pa.date32(), ZERO_DATE_NOTE
    if dt == "datetime":
        return pa.timestamp("us"), ZERO_DATE_NOTE
    if dt == "timestamp":
        return pa.timestamp("us", tz="UTC"), ZERO_DATE_NOTE + "; read in UTC"
    if dt == "time":
        return pa.duration("us"), "TIME spans ±838:59:59 (more than a day): read as a duration"
    if dt in _TEXT:
        return pa.string(), None
    if dt in _BLOB:
        return pa.binary(), None
    if dt in GEOMETRY_TYPES:
        return pa.binary(), GEOMETRY_NOTE
    if dt in ("uuid", "inet4", "inet6"):
        return pa.string(), f"{dt} read as its text form"
    return pa.string(), f"type {ct} has no Arrow mapping: read as text"


# PyMySQL field type codes (pymysql.constants.FIELD_TYPE) for raw queries.
_UNSIGNED_FLAG = 32
_BINARY_CHARSET = 63


def field_arrow_type(field: Any) -> pa.DataType:
    """Arrow type of a raw query's column from PyMySQL's result metadata."""
    code = field.type_code
    unsigned = bool(field.flags & _UNSIGNED_FLAG)
    ints = {1: "tinyint", 2: "smallint", 9: "mediumint", 3: "int", 8: "bigint"}
    if code in ints:
        signed_t, unsigned_t = _INTS[ints[code]]
        return unsigned_t if unsigned else signed_t
    if code in (0, 246):
        scale = int(field.scale or 0)
        precision = int(field.length) - (1 if scale else 0) - (0 if unsigned else 1)
        return decimal_type(max(precision, scale, 1), scale)[0]
    simple = {
        4: pa.float32(),
        5: pa.float64(),
        6: pa.string(),  # a literal NULL column
        7: pa.timestamp("us", tz="UTC"),
        10: pa.date32(),
        11: pa.duration("us"),
        12: pa.timestamp("us"),
        13: pa.int16(),
        14: pa.date32(),
        16: pa.binary(),  # BIT arrives as bytes when not cast
        245: pa.string(),
        247: pa.string(),
        248: pa.string(),
        255: pa.binary(),  # internal geometry format (SRID + WKB)
    }
    if code in simple:
        return simple[code]
    if code in (249, 250, 251, 252, 253, 254, 15):
        return pa.binary() if field.charsetnr == _BINARY_CHARSET else pa.string()
    return pa.string()


def query_field(name: str, field: Any) -> pa.Field:
    """A raw query's column as Arrow. A geometry column comes in MySQL's internal format
    (a 4-byte SRID, then WKB): marked here, cut to WKB by ``standard_wkb`` so a query and a
    table export give the same bytes for the same value."""
    fld = pa.field(name, field_arrow_type(field))
    if field.type_code == _JSON_CODE:  # MySQL's JSON type (MariaDB reports LONGTEXT)
        fld = fld.with_metadata(JSON_MARK)
    if field.type_code == _GEOMETRY_CODE:
        fld = fld.with_metadata({_GEOMETRY_KEY: b"1", TYPE_NOTE_KEY: GEOMETRY_NOTE.encode("utf-8")})
    return fld


def standard_wkb(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with each marked geometry column's SRID prefix removed (vectorised)."""
    marked = [i for i, f in enumerate(batch.schema) if (f.metadata or {}).get(_GEOMETRY_KEY)]
    if not marked:
        return batch
    columns = list(batch.columns)
    for i in marked:
        col = columns[i]
        if len(col):
            columns[i] = pc.binary_slice(col, 4, 2**31 - 1).cast(pa.binary())
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)
