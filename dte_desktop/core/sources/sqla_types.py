"""SQLAlchemy type -> Arrow type, for sources that only know a column through the inspector.

Order matters: SQLAlchemy's generic types form a hierarchy (``BigInteger`` is an ``Integer``,
``Text`` and ``Enum`` are ``String``), so the most specific class is tested first. Anything
unknown is read as text, and the note says so.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import types as st

_DECIMAL128_MAX = 38
_DECIMAL256_MAX = 76


def decimal_type(precision: int | None, scale: int | None) -> tuple[pa.DataType, str | None]:
    """Exact decimals stay exact when their precision is known and fits Arrow."""
    if precision is None or precision <= 0:
        return pa.string(), "numeric without precision: read as text to keep every digit"
    scale = scale or 0
    if scale < 0 or scale > precision:
        return pa.string(), f"numeric({precision},{scale}) has no Arrow decimal: read as text"
    if precision <= _DECIMAL128_MAX:
        return pa.decimal128(precision, scale), None
    if precision <= _DECIMAL256_MAX:
        return pa.decimal256(precision, scale), None
    return pa.string(), f"precision {precision} exceeds Arrow's 76 digits: read as text"


def sqla_type_to_arrow(t: st.TypeEngine) -> tuple[pa.DataType, str | None]:
    if isinstance(t, st.Boolean):
        return pa.bool_(), None
    if isinstance(t, st.SmallInteger):
        return pa.int16(), None
    if isinstance(t, st.BigInteger):
        return pa.int64(), None
    if isinstance(t, st.Integer):
        return pa.int64(), "integer read as int64"
    if isinstance(t, st.Float):  # before Numeric: Float is a Numeric subclass
        return pa.float64(), None
    if isinstance(t, st.Numeric):
        if not t.asdecimal:
            return pa.float64(), None
        return decimal_type(t.precision, t.scale)
    if isinstance(t, st.DateTime):
        tz = "UTC" if t.timezone else None
        return pa.timestamp("us", tz=tz), None
    if isinstance(t, st.Date):
        return pa.date32(), None
    if isinstance(t, st.Time):
        return pa.time64("us"), None
    if isinstance(t, st.Interval):
        return pa.duration("us"), None
    if isinstance(t, st.JSON):
        return pa.string(), "JSON read as its text"
    if isinstance(t, st.Uuid):
        return pa.string(), "UUID read as text"
    if isinstance(t, st.Enum):
        return pa.string(), None
    if isinstance(t, st.String):
        return pa.string(), None
    if isinstance(t, st._Binary):
        return pa.binary(), None
    if isinstance(t, st.ARRAY):
        return pa.string(), "array read as text"
    if isinstance(t, st.NullType):
        return pa.string(), "type unknown to SQLAlchemy: read as text"
    return pa.string(), f"type {type(t).__name__} has no Arrow mapping: read as text"
