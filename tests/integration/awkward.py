"""The "awkward values" fixtures of the round-trip tests (issue 17): the values a file format
most easily gets wrong, on PostgreSQL and MariaDB, each with the value the server holds.

Each column is ``name: (SQL type, kind, [(SQL literal, value), ...])``; row ``i`` of table
``awkward`` takes entry ``i`` of every column (``None`` = NULL). ``kind`` tells the reader
how each format represents the value (see ``roundtrip.py``). A value Python cannot hold (a
BC date) is given as ``Iso(text)``: compared as ISO text.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from decimal import Decimal

LONG_TEXT = "ü" * 20_000 + "🙂" * 7_000  # 34,000 UTF-16 units: past Excel's 32,767
INF = float("inf")
WKB_POINT = struct.pack("<BIdd", 1, 1, 1.5, -2.0)  # standard WKB: byte order, type, x, y
WKB_LINE = struct.pack("<BII4d", 1, 2, 2, 0.0, 0.0, 1.0, 1.0)
NAN = float("nan")


@dataclass(frozen=True)
class Iso:
    text: str  # Arrow's ISO text for a value Python's datetime cannot hold


Column = tuple[str, str, list[tuple[str, object]]]

PG: dict[str, Column] = {
    "b": ("boolean", "bool", [("true", True), ("false", False), ("NULL", None)]),
    "i8": (
        "bigint",
        "int",
        [
            ("9223372036854775807", 2**63 - 1),
            ("-9223372036854775808", -(2**63)),
            ("9007199254740993", 2**53 + 1),
        ],
    ),
    "f4": ("real", "float32", [("1.1", 1.1), ("'NaN'", NAN), ("'-Infinity'", -INF)]),
    "f8": (
        "double precision",
        "float64",
        [
            ("'Infinity'", INF),
            ("1.7976931348623157e308", 1.7976931348623157e308),
            ("0.30000000000000004", 0.30000000000000004),
        ],
    ),
    "n38": (
        "numeric(38,10)",
        "decimal",
        [
            (
                "'1234567890123456789012345678.0123456789'",
                Decimal("1234567890123456789012345678.0123456789"),
            ),
            ("-0.0000000001", Decimal("-0.0000000001")),
            ("12.34", Decimal("12.34")),
        ],
    ),
    "t": (
        "text",
        "text",
        [("'naïve ☃ 𝄞 🙂'", "naïve ☃ 𝄞 🙂"), ("''", ""), ("E'a\\nb,\"c\"'", 'a\nb,"c"')],
    ),
    "d": (
        "date",
        "date",
        [
            ("'0044-03-15 BC'", Iso("-0043-03-15")),
            ("'1000-01-01'", dt.date(1000, 1, 1)),
            ("'2024-02-29'", dt.date(2024, 2, 29)),
        ],
    ),
    "ts": (
        "timestamp",
        "timestamp",
        [
            ("'2024-01-02 03:04:05.123456'", dt.datetime(2024, 1, 2, 3, 4, 5, 123456)),
            ("'1899-12-31 23:59:59'", dt.datetime(1899, 12, 31, 23, 59, 59)),
            ("'9999-12-31 23:59:59.999999'", dt.datetime(9999, 12, 31, 23, 59, 59, 999999)),
        ],
    ),
    "tz": (
        "timestamptz",
        "timestamptz",
        [
            ("'2024-06-01 12:00:00+02'", dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC)),
            ("NULL", None),
            ("'1970-01-01 00:00:00+00'", dt.datetime(1970, 1, 1, tzinfo=dt.UTC)),
        ],
    ),
    "tm": (
        "time",
        "time",
        [
            ("'00:00:00'", dt.time(0)),
            ("'23:59:59.999999'", dt.time(23, 59, 59, 999999)),
            ("'12:30:00.5'", dt.time(12, 30, 0, 500000)),
        ],
    ),
    "by": ("bytea", "bytes", [("'\\x00ff10'", b"\x00\xff\x10"), ("''", b""), ("NULL", None)]),
    "ta": (
        "text[]",
        "json",
        [
            ("ARRAY['a,b', NULL, '\"q\"', '🙂']", ["a,b", None, '"q"', "🙂"]),
            ("'{}'", []),
            ("NULL", None),
        ],
    ),
    "ia": (
        "integer[]",
        "json",
        [("'{1,NULL,3}'", [1, None, 3]), ("'{{1,2},{3,4}}'", [[1, 2], [3, 4]]), ("NULL", None)],
    ),
    "jb": (
        "jsonb",
        "json",
        [
            ('\'{"k": "v", "n": 1.5, "a": [1, null]}\'', {"k": "v", "n": 1.5, "a": [1, None]}),
            ("'[]'", []),
            ("'\"text\"'", "text"),
        ],
    ),
    "cp": (
        "pair",
        "json",
        [
            ("ROW(1, 'x,y')::pair", {"a": 1, "b": "x,y"}),
            ("ROW(NULL, NULL)::pair", {"a": None, "b": None}),
            ("NULL", None),
        ],
    ),
    "tx": (  # PostgreSQL's end of day: one past Arrow's last time of day
        "time",
        "time",
        [
            ("'24:00:00'", Iso("24:00:00")),
            ("'00:00:00.000001'", dt.time(0, 0, 0, 1)),
            ("NULL", None),
        ],
    ),
    "dx": (  # the largest and smallest dates PostgreSQL has, and Excel's last
        "date",
        "date",
        [
            ("'5874897-12-31'", Iso("5874897-12-31")),
            ("'4713-01-01 BC'", Iso("-4712-01-01")),
            ("'9999-12-31'", dt.date(9999, 12, 31)),
        ],
    ),
    "nu": (  # unconstrained numeric: NaN and ±Infinity kept, as exact text
        "numeric",
        "text",
        [
            ("'NaN'", "NaN"),
            ("'-Infinity'", "-Infinity"),
            (
                "123456789012345678901234567890123456789012.5",
                "123456789012345678901234567890123456789012.5",
            ),
        ],
    ),
    "u64": (  # BIGINT UNSIGNED's max, as PostgreSQL holds it
        "numeric(20,0)",
        "decimal",
        [("18446744073709551615", Decimal(2**64 - 1)), ("0", Decimal(0)), ("NULL", None)],
    ),
    "pt": ("point", "text", [("'(1.5,-2)'", "(1.5,-2)"), ("NULL", None), ("'(0,0)'", "(0,0)")]),
    "tt": (
        "timetz",
        "text",
        [("'24:00:00-15:59'", "24:00:00-15:59"), ("'00:00+14'", "00:00:00+14"), ("NULL", None)],
    ),
}
PG_ROWS = 3

MY: dict[str, Column] = {
    "u64": (
        "bigint unsigned",
        "int",
        [("18446744073709551615", 2**64 - 1), ("0", 0), ("9007199254740993", 2**53 + 1)],
    ),
    "i64": ("bigint", "int", [("-9223372036854775808", -(2**63)), ("1", 1), ("NULL", None)]),
    "fl": ("float", "float32", [("1.1", 1.1), ("-3.5", -3.5), ("NULL", None)]),
    "dbl": (
        "double",
        "float64",
        [
            ("1.7976931348623157e308", 1.7976931348623157e308),
            ("0.30000000000000004", 0.30000000000000004),
            ("-2.2250738585072014e-308", -2.2250738585072014e-308),
        ],
    ),
    "dec": (
        "decimal(38,10)",
        "decimal",
        [
            ("-0.0000000001", Decimal("-0.0000000001")),
            (
                "1234567890123456789012345678.0123456789",
                Decimal("1234567890123456789012345678.0123456789"),
            ),
            ("12.34", Decimal("12.34")),
        ],
    ),
    "dec65": (
        "decimal(65,30)",
        "decimal",
        [
            ("-0.000000000000000000000000000001", Decimal("-1E-30")),
            (
                "'99999999999999999999999999999999999.999999999999999999999999999999'",
                Decimal("99999999999999999999999999999999999.999999999999999999999999999999"),
            ),
            ("NULL", None),
        ],
    ),
    "t": (
        "text",
        "text",
        [("'naïve ☃ 𝄞 🙂'", "naïve ☃ 𝄞 🙂"), ("''", ""), ("'a\\nb,\"c\"'", 'a\nb,"c"')],
    ),
    "d": (
        "date",
        "date",
        [
            ("'1000-01-01'", dt.date(1000, 1, 1)),
            ("'9999-12-31'", dt.date(9999, 12, 31)),
            ("'1900-03-01'", dt.date(1900, 3, 1)),
        ],
    ),
    "dtm": (
        "datetime(6)",
        "timestamp",
        [
            ("'1000-01-01 00:00:00'", dt.datetime(1000, 1, 1)),
            ("'9999-12-31 23:59:59.999999'", dt.datetime(9999, 12, 31, 23, 59, 59, 999999)),
            ("'2022-02-15 09:57:20.5'", dt.datetime(2022, 2, 15, 9, 57, 20, 500000)),
        ],
    ),
    "tm": (
        "time(6)",
        "sqltime",
        [
            ("'-838:59:59'", "-838:59:59"),
            ("'838:59:59'", "838:59:59"),
            ("'25:00:00.5'", "25:00:00.5"),
        ],
    ),
    "bl": ("blob", "bytes", [("x'00ff10'", b"\x00\xff\x10"), ("''", b""), ("NULL", None)]),
    "js": (
        "json",
        "json",
        [
            (
                '\'{"a": [1, null, "q\\\\"", "🙂"], "n": 1.5}\'',
                {"a": [1, None, 'q"', "🙂"], "n": 1.5},
            ),
            ("'[]'", []),
            ("NULL", None),
        ],
    ),
    "g": (
        "geometry",
        "geometry",
        [
            ("ST_GeomFromText('POINT(1.5 -2)', 4326)", WKB_POINT),
            ("ST_GeomFromText('LINESTRING(0 0,1 1)')", WKB_LINE),
            ("NULL", None),
        ],
    ),
}
MY_ROWS = 3


def pg_build(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TYPE pair AS (a int, b text)")
        cols = ", ".join(f"{n} {typ}" for n, (typ, _, _) in PG.items())
        conn.execute(f"CREATE TABLE awkward (id int PRIMARY KEY, {cols})")
        for i in range(PG_ROWS):
            vals = ", ".join(v[i][0] for _, _, v in PG.values())
            conn.execute(f"INSERT INTO awkward VALUES ({i}, {vals})")
        conn.execute("CREATE TABLE long_text (id int PRIMARY KEY, body text, tail text)")
        conn.execute("INSERT INTO long_text VALUES (1, %s, 'kept')", (LONG_TEXT,))


def my_build(conn_args: dict[str, object]) -> None:
    import pymysql

    conn = pymysql.connect(**conn_args, charset="utf8mb4", autocommit=True)
    try:
        with conn.cursor() as cur:
            cols = ", ".join(f"`{n}` {typ}" for n, (typ, _, _) in MY.items())
            cur.execute(f"CREATE TABLE awkward (id int PRIMARY KEY, {cols})")
            for i in range(MY_ROWS):
                vals = ", ".join(v[i][0] for _, _, v in MY.values())
                cur.execute(f"INSERT INTO awkward VALUES ({i}, {vals})")
            cur.execute("CREATE TABLE long_text (id int PRIMARY KEY, body longtext, tail text)")
            cur.execute("INSERT INTO long_text VALUES (1, %s, 'kept')", (LONG_TEXT,))
    finally:
        conn.close()


def wanted(columns: dict[str, Column], rows: int) -> list[dict[str, object]]:
    return [
        {"id": i, **{n: vals[i][1] for n, (_, _, vals) in columns.items()}} for i in range(rows)
    ]
