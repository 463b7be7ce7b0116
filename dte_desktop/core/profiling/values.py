"""Values as real tables hold them, written as JSON-native text without Python's limits.

Python's ``date``/``datetime`` stop at years 1..9999, yet PostgreSQL keeps dates from 4713 BC
to 5874897 AD and Arrow's date32/timestamp[us] hold them too; ``as_py()`` on such a value
raises ``OverflowError``. Here dates and times are computed from integer day / microsecond
counts with the proleptic Gregorian calendar and written in ISO 8601 with astronomical year
numbering (year 0 is 1 BC, ``-0043-03-15`` is 15 March 44 BC; years past 9999 carry a ``+``),
which is what ISO 8601's expanded representation prescribes. Inside Python's range the text
is exactly ``date.isoformat()`` / ``datetime.isoformat()``.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

US_PER_DAY = 86_400_000_000


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count since 1970-01-01 (H. Hinnant's algorithm)."""
    z = days + 719_468
    era = z // 146_097  # floor division (the C++ original adjusts for truncation)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def _year(y: int) -> str:
    if 0 <= y <= 9999:
        return f"{y:04d}"
    return f"{'-' if y < 0 else '+'}{abs(y):04d}"


def iso_date(days: int) -> str:
    y, m, d = civil_from_days(days)
    return f"{_year(y)}-{m:02d}-{d:02d}"


def iso_timestamp(us: int, tz: bool = False) -> str:
    """A timestamp (microseconds since the epoch); ``tz``: an instant in UTC (``+00:00``)."""
    days, rest = divmod(int(us), US_PER_DAY)
    secs, micro = divmod(rest, 1_000_000)
    hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
    frac = f".{micro:06d}" if micro else ""
    return f"{iso_date(days)}T{hh:02d}:{mm:02d}:{ss:02d}{frac}{'+00:00' if tz else ''}"


def iso_duration(us: int) -> str:
    """A signed duration as ``[-]H:MM:SS[.ffffff]`` (MySQL TIME spans ±838:59:59)."""
    sign = "-" if us < 0 else ""
    secs, micro = divmod(abs(int(us)), 1_000_000)
    frac = f".{micro:06d}" if micro else ""
    return f"{sign}{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}{frac}"


def temporal_text(us: int | float | Decimal | None, unit: str, tz: bool = False) -> str | None:
    """Microseconds since the epoch as the column's ISO text (``unit``: date or timestamp)."""
    if us is None:
        return None
    if isinstance(us, float) and not math.isfinite(us):
        return None
    n = int(us) if isinstance(us, int) else int(round(us))  # noqa: RUF046
    if unit == "date":
        return iso_date(n // US_PER_DAY)
    return iso_timestamp(n, tz)


def is_tz(t: pa.DataType) -> bool:
    return pa.types.is_timestamp(t) and t.tz is not None


def to_pylist(arr: pa.Array | pa.ChunkedArray) -> list[Any]:
    """``arr.to_pylist()`` that never overflows: dates and timestamps outside Python's years
    come back as their ISO text (every value of such an array, so one column has one type)."""
    t = arr.type
    try:
        return arr.to_pylist()
    except (OverflowError, ValueError):
        if not (pa.types.is_date(t) or pa.types.is_timestamp(t)):
            raise
    if pa.types.is_date(t):
        days = arr.cast(pa.date32()).cast(pa.int32()).to_pylist()
        return [None if d is None else iso_date(d) for d in days]
    scale = {"s": 1_000_000, "ms": 1000, "us": 1, "ns": 0}[t.unit]
    raw = arr.cast(pa.int64()).to_pylist()
    if scale == 0:
        return [None if v is None else iso_timestamp(v // 1000, is_tz(t)) for v in raw]
    return [None if v is None else iso_timestamp(v * scale, is_tz(t)) for v in raw]


def json_value(v: Any) -> Any:
    """A database value in its JSON form: numbers stay numbers, times become ISO text,
    non-finite floats their names (JSON has no NaN), exact decimals beyond a float's 15
    significant digits their exact text."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, Decimal):
        if not v.is_finite():
            return "NaN" if v.is_nan() else ("Infinity" if v > 0 else "-Infinity")
        f = float(v)
        if Decimal(repr(f)) == v:
            return f
        return int(v) if v == v.to_integral_value() else format(v, "f")
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, timedelta):
        return iso_duration((v.days * 86_400 + v.seconds) * 1_000_000 + v.microseconds)
    if isinstance(v, bytes):
        return v.hex() if len(v) <= 32 else v[:32].hex() + "…"
    return str(v)
