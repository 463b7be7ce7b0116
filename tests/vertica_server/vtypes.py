"""PostgreSQL result columns as Vertica columns: type codes, modifiers, text encodings.

Type codes are vertica-python's ``datatypes.VerticaType`` (binary encodings: ``vbinary.py``,
the inverse of the client's ``vertica/deserializer.py``). Text encodings are
PostgreSQL's own output with ``DateStyle=ISO``, ``bytea_output=escape`` (Vertica's octal
escapes), ``IntervalStyle=iso_8601`` re-rendered as Vertica's ``D HH:MM:SS`` / ``Y-M``, and
1-D arrays re-rendered as Vertica's JSON text. Numeric typmods and interval range bits have the
same layout in both engines (Vertica inherited them), so they pass through unchanged.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable
from decimal import Decimal

from tests.vertica_server.protocol import Field

BOOL, INT8, FLOAT8, CHAR, VARCHAR, DATE, TIME, TIMESTAMP, TIMESTAMPTZ = (
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
)
INTERVAL, TIMETZ, NUMERIC, VARBINARY, UUID, INTERVALYM = 14, 15, 16, 17, 20, 114
ARRAY1D = 1500  # + element code (ARRAY1D_INT8 = 1506 …)

_q, _d = struct.Struct("!q"), struct.Struct("!d")
_MONTH, _YEAR = 1 << 17, 1 << 18  # interval range bits in the type modifier (both engines)
_DAY_US = 86_400_000_000
_J2000 = 2_451_545  # Julian day number of 2000-01-01

Encoder = Callable[[bytes], bytes | None]

# PostgreSQL type OID → (Vertica type code, size)
_SCALARS: dict[int, tuple[int, int]] = {
    16: (BOOL, 1), 20: (INT8, 8), 21: (INT8, 8), 23: (INT8, 8), 26: (INT8, 8),
    700: (FLOAT8, 8), 701: (FLOAT8, 8), 1700: (NUMERIC, -1),
    18: (CHAR, -1), 1042: (CHAR, -1), 1043: (VARCHAR, -1), 25: (VARCHAR, -1),
    19: (VARCHAR, -1), 705: (VARCHAR, -1), 114: (VARCHAR, -1), 3802: (VARCHAR, -1),
    1082: (DATE, 8), 1083: (TIME, 8), 1266: (TIMETZ, 8), 1114: (TIMESTAMP, 8),
    1184: (TIMESTAMPTZ, 8), 1186: (INTERVAL, 8), 2950: (UUID, 16), 17: (VARBINARY, -1),
}  # fmt: skip
# PostgreSQL array OID → element OID
_ARRAYS = {
    1000: 16, 1005: 21, 1007: 23, 1016: 20, 1021: 700, 1022: 701, 1231: 1700, 1014: 1042,
    1015: 1043, 1009: 25, 1182: 1082, 1183: 1083, 1115: 1114, 1185: 1184, 2951: 2950, 1001: 17,
}  # fmt: skip


def vertica_field(name: str, oid: int, typmod: int, binary: bool) -> Field:
    if oid in _ARRAYS:
        code = _SCALARS[_ARRAYS[oid]][0]
        return Field(name, ARRAY1D + code, -1, typmod, True, binary)
    code, size = _SCALARS.get(oid, (VARCHAR, -1))
    if code == INTERVAL and typmod != -1 and not typmod & ~(_MONTH | _YEAR | 0xFFFF):
        code = INTERVALYM
    return Field(name, code, size, typmod, True, binary)


def encoder(oid: int, typmod: int) -> Encoder | None:
    """How to turn PostgreSQL's text for one value into Vertica's text (None: unchanged)."""
    if oid in _ARRAYS:
        elem = _ARRAYS[oid]
        return lambda v: _array_json(v, elem)
    code = vertica_field("", oid, typmod, False).type_code
    if code in (INTERVAL, INTERVALYM):
        return lambda v: _interval_text(v, code, typmod)
    return None


_ISO = re.compile(
    r"P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?[\d.]+)S)?)?$"
)


def _interval_parts(v: bytes) -> tuple[int, int]:
    """(months, microseconds) of an ISO 8601 interval; days count 24 h, as in Vertica."""
    m = _ISO.match(v.decode())
    if not m:
        raise ValueError(f"bad interval {v!r}")
    y, mo, d, h, mi, s = m.groups()
    months = int(y or 0) * 12 + int(mo or 0)
    secs = Decimal(s or 0) + int(mi or 0) * 60 + int(h or 0) * 3600 + int(d or 0) * 86400
    return months, int(secs * 1_000_000)


def _interval_text(v: bytes, code: int, typmod: int) -> bytes:
    months, us = _interval_parts(v)
    if code == INTERVALYM:
        if typmod != -1 and not typmod & _MONTH:
            return str(months // 12).encode()  # INTERVAL YEAR
        if typmod != -1 and not typmod & _YEAR:
            return str(months).encode()  # INTERVAL MONTH
        sign = "-" if months < 0 else ""
        return f"{sign}{abs(months) // 12}-{abs(months) % 12}".encode()
    us += months * 30 * _DAY_US
    sign, us = ("-" if us < 0 else ""), abs(us)
    days, rest = divmod(us, _DAY_US)
    secs, frac = divmod(rest, 1_000_000)
    text = f"{sign}{days} {secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
    return (text + (f".{frac:06d}".rstrip("0") if frac else "")).encode()


def parse_pg_array(text: str) -> list[str | None]:
    """Elements of a 1-D PostgreSQL array literal (``{a,"b c",NULL}``), as text."""
    if text.startswith("[") and "=" in text:  # explicit bounds: [0:1]={…}
        text = text[text.index("=") + 1 :]
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        if body[i] == '"':
            j, buf = i + 1, []
            while body[j] != '"':
                if body[j] == "\\":
                    j += 1
                buf.append(body[j])
                j += 1
            out.append("".join(buf))
            i = j + 2
        else:
            j = body.find(",", i)
            j = len(body) if j == -1 else j
            item = body[i:j]
            out.append(None if item == "NULL" else item)
            i = j + 1
    return out


def _array_json(v: bytes, elem: int) -> bytes:
    code = _SCALARS[elem][0]
    items: list[object] = []
    for item in parse_pg_array(v.decode()):
        if item is None:
            items.append(None)
        elif code == BOOL:
            items.append(item == "t")
        elif code == INT8:
            items.append(int(item))
        elif code == FLOAT8:
            items.append(float(item))
        else:
            items.append(item)  # NUMERIC stays a string: Decimal(text) keeps every digit
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()
