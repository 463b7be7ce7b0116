"""PostgreSQL binary values → Vertica binary values (the fast path of a binary session).

Most of the two engines' binary forms are the same bytes: 8-byte big-endian integers and
doubles, booleans, TIME/TIMESTAMP/TIMESTAMPTZ as microseconds (since midnight / 2000-01-01),
UUID, raw binary strings, UTF-8 text. The rest is converted here: smaller integers and REAL
widen, DATE moves from days-since-2000 to a Julian day number, NUMERIC from base-10000 digits
to the unscaled two's-complement integer, TIMETZ and INTERVAL to Vertica's packing. A result
holding any other type (arrays among them) is sent in text format instead (``SUPPORTED``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

_q, _i, _h, _f, _d = (struct.Struct(f) for f in ("!q", "!i", "!h", "!f", "!d"))
_NUMERIC_HEAD = struct.Struct("!hhHh")
_TIMETZ, _INTERVAL = struct.Struct("!qi"), struct.Struct("!qii")
_J2000, _DAY_US = 2_451_545, 86_400_000_000
_MONTH, _YEAR = 1 << 17, 1 << 18

Encoder = Callable[[bytes], bytes | None]

# OIDs whose binary value is already Vertica's: bool, int8, float8, text types, time,
# timestamp(tz), uuid, bytea, unknown, json.
_SAME = {16, 20, 701, 25, 1043, 1042, 18, 19, 705, 114, 1083, 1114, 1184, 2950, 17}


def _date(v: bytes) -> bytes:
    return _q.pack(_i.unpack(v)[0] + _J2000)


def _timetz(v: bytes) -> bytes:
    local_us, zone_west = _TIMETZ.unpack(v)
    return _q.pack(((local_us + zone_west * 1_000_000) % _DAY_US) << 24 | (86400 + zone_west))


def _numeric(scale: int) -> Encoder:
    def enc(v: bytes) -> bytes | None:
        ndigits, weight, sign, _dscale = _NUMERIC_HEAD.unpack_from(v)
        if sign >= 0xC000:
            return None  # NaN / ±Infinity: Vertica NUMERIC has neither
        acc = 0
        for d in struct.unpack_from(f"!{ndigits}H", v, 8):
            acc = acc * 10000 + d
        exp = 4 * (weight - ndigits + 1) + scale
        n = acc * 10**exp if exp >= 0 else acc // 10**-exp
        if sign == 0x4000:
            n = -n
        return n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True)

    return enc


def _interval(year_month: bool) -> Encoder:
    def enc(v: bytes) -> bytes:
        us, days, months = _INTERVAL.unpack(v)
        if year_month:
            return _q.pack(months)
        return _q.pack(us + (days + 30 * months) * _DAY_US)  # day-time holds no months

    return enc


def binary_encoder(oid: int, typmod: int) -> Encoder | None:
    """The converter for one column (None: the bytes pass unchanged); KeyError if the type
    has no binary path here."""
    if oid in _SAME:
        return None
    if oid == 21:
        return lambda v: _q.pack(_h.unpack(v)[0])
    if oid in (23, 26):
        return lambda v: _q.pack(int.from_bytes(v, "big", signed=oid == 23))
    if oid == 700:
        return lambda v: _d.pack(_f.unpack(v)[0])
    if oid == 1082:
        return _date
    if oid == 1266:
        return _timetz
    if oid == 1700:
        return _numeric(15 if typmod == -1 else (typmod - 4) & 0xFFFF)
    if oid == 1186:
        ym = typmod != -1 and not typmod & ~(_MONTH | _YEAR | 0xFFFF)
        return _interval(ym)
    if oid == 3802:
        return lambda v: v[1:]  # jsonb: a version byte, then the text
    raise KeyError(oid)


def supported(oids: list[int]) -> bool:
    try:
        for oid in oids:
            binary_encoder(oid, -1)
    except KeyError:
        return False
    return True
