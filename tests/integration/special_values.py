"""Tables holding every special value real tables hold, and the truth about each column
computed in Python from all of its rows (the values are written here, inserted as SQL
literals, and the expected figures follow from the list, never from the profiler).

A cell is ``None`` (SQL NULL), ``Special(label, literal)`` (a value outside the statistics:
NaN, ±Infinity, ±infinity, zero dates, text in an SQLite INTEGER column), or
``Val(literal, value)`` where ``value`` is comparable: an int/Decimal/float, or the ISO
text the profile must show (astronomical years: 44 BC is ``-0043``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Val:
    sql: str
    value: Any
    key: Any = None  # sort key when ``value`` (ISO text of any year) does not sort itself


@dataclass(frozen=True)
class Special:
    label: str
    sql: str


def iso_key(text: str) -> tuple[int, str]:
    """Order ISO text with signed/expanded years: (year, the rest)."""
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    year, rest = body.split("-", 1)
    return sign * int(year), rest


def v(sql: str, value: Any) -> Val:
    return Val(sql, value, iso_key(value) if isinstance(value, str) else value)


N = None
PG_ENUM = "CREATE TYPE rating AS ENUM ('G','PG','PG-13','R','NC-17')"
PG_ENUM_ORDER = ["G", "PG", "PG-13", "R", "NC-17"]

# column -> (PostgreSQL type, cells for ids 1..8)
PG_COLUMNS: dict[str, tuple[str, list[Any]]] = {
    "id": ("int PRIMARY KEY", [v(str(i), i) for i in range(1, 9)]),
    "f8": ("float8", [Special("NaN", "'NaN'"), Special("Infinity", "'Infinity'"),
                      Special("-Infinity", "'-Infinity'"), v("1.5", 1.5), v("-2.5", -2.5), N,
                      v("0", 0.0), v("1e300", 1e300)]),
    "f4": ("real", [Special("NaN", "'NaN'"), v("3.25", 3.25), N, v("-1", -1.0),
                    Special("Infinity", "'Infinity'"), v("0", 0.0), v("2", 2.0), v("5", 5.0)]),
    # Unconstrained numeric (Pagila's SUM columns): exact decimals, NaN and ±Infinity.
    "n": ("numeric", [Special("NaN", "'NaN'"), Special("Infinity", "'Infinity'"),
                      Special("-Infinity", "'-Infinity'")]
                     + [v(x, Decimal(x)) for x in (
                         "10054.10", "9915.24", "9181.93", "10507.67",
                         "123456789012345678901234567890.5")]),
    "n38": ("numeric(38,10)", [v(x, Decimal(x)) for x in (
        "12345678901234567890123456.0123456789", "-9999999999999999999999999999.9999999999",
        "0", "1.5")] + [Special("NaN", "'NaN'"), N, v("2", Decimal(2)), v("3", Decimal(3))]),
    "d": ("date", [v("'0044-03-15 BC'", "-0043-03-15"), Special("infinity", "'infinity'"),
                   Special("-infinity", "'-infinity'"), v("'2020-02-29'", "2020-02-29"),
                   v("'9999-12-31'", "9999-12-31"), N, v("'1970-01-01'", "1970-01-01"),
                   v("'20000-01-01'", "+20000-01-01")]),
    "ts": ("timestamptz", [Special("-infinity", "'-infinity'"), Special("infinity", "'infinity'"),
                           v("'0001-01-01 00:00+00 BC'", "0000-01-01T00:00:00+00:00"),
                           v("'2020-02-29 12:00:00.5+00'", "2020-02-29T12:00:00.500000+00:00"),
                           v("'294276-12-31 23:59:59+00'", "+294276-12-31T23:59:59+00:00"), N,
                           v("'1970-01-01 00:00+00'", "1970-01-01T00:00:00+00:00"),
                           v("'2000-06-01 08:00+00'", "2000-06-01T08:00:00+00:00")]),
    "tsn": ("timestamp", [v("'4713-01-01 00:00 BC'", "-4712-01-01T00:00:00"),
                          v("'2021-03-04 05:06:07'", "2021-03-04T05:06:07"), N, N,
                          Special("infinity", "'infinity'"),
                          v("'1999-12-31 23:59:59'", "1999-12-31T23:59:59"),
                          v("'2021-03-04 05:06:07'", "2021-03-04T05:06:07"),
                          v("'1970-01-01 00:00'", "1970-01-01T00:00:00")]),
    "m": ("money", [v("1.5", Decimal("1.5")), v("-2.25", Decimal("-2.25")), v("0", Decimal(0)),
                    v("1000000.99", Decimal("1000000.99")), N, v("5", Decimal(5)),
                    v("5", Decimal(5)), v("7", Decimal(7))]),
    "e": ("rating", [Val(f"'{x}'", x, PG_ENUM_ORDER.index(x))
                     for x in ("G", "NC-17", "R", "PG", "PG-13", "G", "G")] + [N]),
    "b": ("bool", [v("true", True), v("false", False), N, v("true", True), v("true", True),
                   v("false", False), v("true", True), v("true", True)]),
    "allnull": ("int", [N] * 8),
    "konst": ("int", [v("7", 7)] * 8),
}  # fmt: skip

MY_ENUM_ORDER = ["G", "PG", "PG-13", "R", "NC-17"]
MY_COLUMNS: dict[str, tuple[str, list[Any]]] = {
    "id": ("INT PRIMARY KEY", [v(str(i), i) for i in range(1, 8)]),
    "f": ("DOUBLE", [v("1.5", 1.5), v("-2.5", -2.5), v("0", 0.0), N, v("1e300", 1e300),
                     v("-1e-300", -1e-300), v("2", 2.0)]),
    "dec38": ("DECIMAL(38,10)", [v(x, Decimal(x)) for x in (
        "1234567890123456789012345678.0123456789", "-9999999999999999999999999999.9999999999",
        "0")] + [N, v("1.5", Decimal("1.5")), v("2", Decimal(2)), v("2", Decimal(2))]),
    "d": ("DATE", [Special("zero or invalid date", "'0000-00-00'"),
                   v("'1000-01-01'", "1000-01-01"), v("'9999-12-31'", "9999-12-31"), N,
                   v("'2020-02-29'", "2020-02-29"),
                   Special("zero or invalid date", "'2019-00-00'"),
                   v("'2020-02-29'", "2020-02-29")]),
    "dt": ("DATETIME(6)", [Special("zero or invalid date", "'0000-00-00 00:00:00'"),
                           v("'1000-01-01 00:00:00'", "1000-01-01T00:00:00"),
                           v("'9999-12-31 23:59:59.999999'", "9999-12-31T23:59:59.999999"), N,
                           v("'2020-02-29 12:00:00'", "2020-02-29T12:00:00"),
                           v("'2001-02-03 04:05:06.5'", "2001-02-03T04:05:06.500000"),
                           v("'2020-02-29 12:00:00'", "2020-02-29T12:00:00")]),
    "t": ("TIME(6)", [Val("'838:59:59'", "838:59:59", 838 * 3600 + 3599),
                      Val("'-838:59:59'", "-838:59:59", -(838 * 3600 + 3599)),
                      Val("'00:00:00'", "0:00:00", 0), N, Val("'25:00:00'", "25:00:00", 90000),
                      Val("'-00:00:01'", "-0:00:01", -1), Val("'00:00:00'", "0:00:00", 0)]),
    "bt": ("BIT(1)", [v("b'1'", 1), v("b'0'", 0), N, v("b'1'", 1), v("b'1'", 1), v("b'0'", 0),
                      v("b'1'", 1)]),
    "b8": ("BIT(8)", [v("b'11111111'", 255), v("b'0'", 0), N, v("b'10'", 2), v("b'1'", 1),
                      v("b'1'", 1), v("b'1000'", 8)]),
    "e": ("ENUM('G','PG','PG-13','R','NC-17')",
          [Val(f"'{x}'", x, MY_ENUM_ORDER.index(x)) for x in ("G", "NC-17", "R", "PG")]
          + [N, Val("'PG-13'", "PG-13", 2), Val("'G'", "G", 0)]),
    "allnull": ("INT", [N] * 7),
    "konst": ("INT", [v("7", 7)] * 7),
}  # fmt: skip

SQ_COLUMNS: dict[str, tuple[str, list[Any]]] = {
    "id": ("INTEGER PRIMARY KEY", [v(str(i), i) for i in range(1, 8)]),
    "r": ("REAL", [Special("Infinity", "9e999"), Special("-Infinity", "-9e999"), v("1.5", 1.5),
                   N, v("-2.5", -2.5), v("0.0", 0.0), v("4.0", 4.0)]),
    # SQLite keeps any value in any column: text and a blob in an INTEGER column.
    "i": ("INTEGER", [v("1", 1), Special("text", "'abc'"), v("3", 3), N, v("2", 2),
                      Special("blob", "x'0102'"), v("2", 2)]),
    "d": ("DATE", [v("'2020-02-29'", "2020-02-29"), v("'0044-03-15'", "0044-03-15"),
                   Special("invalid date", "'not a date'"), N, v("'9999-12-31'", "9999-12-31"),
                   v("'2000-01-01'", "2000-01-01"), v("'2000-01-01'", "2000-01-01")]),
    "allnull": ("INTEGER", [N] * 7),
    "konst": ("INTEGER", [v("7", 7)] * 7),
}  # fmt: skip


def insert_sql(table: str, columns: dict[str, tuple[str, list[Any]]], quote: str = '"') -> str:
    names = ", ".join(f"{quote}{c}{quote}" for c in columns)
    n = len(next(iter(columns.values()))[1])
    rows = []
    for r in range(n):
        cells = [columns[c][1][r] for c in columns]
        rows.append("(" + ", ".join("NULL" if x is None else x.sql for x in cells) + ")")
    return f"INSERT INTO {table} ({names}) VALUES " + ", ".join(rows)


def create_sql(table: str, columns: dict[str, tuple[str, list[Any]]], quote: str = '"') -> str:
    cols = ", ".join(f"{quote}{c}{quote} {t}" for c, (t, _) in columns.items())
    return f"CREATE TABLE {table} ({cols})"


def truth(cells: list[Any]) -> dict[str, Any]:
    """The figures of one column, from all of its rows."""
    vals = [x for x in cells if isinstance(x, Val)]
    specials: dict[str, int] = {}
    for x in cells:
        if isinstance(x, Special):
            specials[x.label] = specials.get(x.label, 0) + 1
    out: dict[str, Any] = {
        "count": len(cells),
        "nulls": sum(x is None for x in cells),
        "special_values": specials,
        "distinct": len({x.sql for x in cells if x is not None}),
    }
    if vals:
        lo = min(vals, key=lambda x: x.key)
        hi = max(vals, key=lambda x: x.key)
        out["min"], out["max"] = lo.value, hi.value
        if all(isinstance(x.value, int | float | Decimal) and not isinstance(x.value, bool)
               for x in vals):  # fmt: skip
            out["mean"] = float(sum(Decimal(str(x.value)) for x in vals) / len(vals))
    counts: dict[Any, int] = {}
    for x in vals:
        counts[x.value] = counts.get(x.value, 0) + 1
    out["value_counts"] = counts
    return out
