"""``tokenize`` by type: a token of a date is a valid date, of an integer an integer.

Every type is mapped by a keyed permutation of a domain of that type (built on the string
tokenizer of ``_fpe``, restricted to the domain by cycle walking: re-tokenize until the
result falls inside; a permutation restricted this way is still a permutation, so equal
values give equal tokens and distinct values distinct ones):

* integers (and durations): within the values of the same number of digits and sign,
  ``[10^(n-1), 10^n - 1]`` (``[0, 9]`` for one digit), capped by the type's range. No
  leading zeros, no collisions, the same type. The same value gives the same token in any
  integer column and in a text column holding it in canonical form (``"42"``), so joins
  keep working; where a narrower type caps the range (10-digit values in ``int32``) the
  token is re-drawn to fit and may differ from the ``int64`` one.
* decimals: the unscaled digits as an integer, same precision and scale.
* floats: sign and binary exponent kept, the mantissa permuted (NaN, infinities and ±0
  kept): a float of the same magnitude. Zero is kept because under exponent 0 a permuted
  mantissa is a subnormal (2.6e-309 for a balance of 0.00), which no real column holds;
  that a value is zero is the one thing a float token tells.
* dates: a date of 1900–2099 (any date a real record holds) becomes a valid date far
  outside it (years 9800–9999 for ``date32``, 1677–1899 or 2100–2262 for nanosecond
  timestamps), so a token can never equal, nor pass for, a real date. Timestamps: the
  date so, and the time of day within the day (midnight and whole seconds kept as such);
  times within the day.
* booleans: a keyed flip (one bit: a known pair reveals the column — use ``redact``).
* text (``_typed_text``): text holding a canonical integer, an ISO date or timestamp is
  tokenized as that value and written back in its layout; a JSON object or array stays
  valid JSON; other text goes through the string tokenizer.

Binary stays ``string`` (hex tokens); nested types give NULL of their own type (fail closed).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.privacy import _arrow_text as at
from dte_desktop.core.privacy._fpe import Tokenizer

_EPOCH = dt.date(1970, 1, 1)
_DAY_MIN = (dt.date(1, 1, 1) - _EPOCH).days
_DAY_MAX = (dt.date(9999, 12, 31) - _EPOCH).days
_INNER = ((dt.date(1900, 1, 1) - _EPOCH).days, (dt.date(2099, 12, 31) - _EPOCH).days)
_UNIT = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_INT64 = (-(2**63), 2**63 - 1)
_FLOATS = {16: (np.uint16, 10, 5), 32: (np.uint32, 23, 8), 64: (np.uint64, 52, 11)}


def output_type(t: pa.DataType) -> pa.DataType:
    """The type ``TypedTokenizer.arrow`` returns for input of type ``t``."""
    if pa.types.is_dictionary(t) or pa.types.is_run_end_encoded(t):
        t = t.value_type
    kept = (
        pa.types.is_null(t)
        or at.is_nested(t)
        or pa.types.is_boolean(t)
        or pa.types.is_integer(t)
        or pa.types.is_duration(t)
        or pa.types.is_decimal(t)
        or pa.types.is_floating(t)
        or pa.types.is_date(t)
        or pa.types.is_timestamp(t)
        or pa.types.is_time(t)
        or pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_string_view(t)
    )
    return t if kept else pa.string()


class TypedTokenizer:
    def __init__(self, key: bytes, tweak: str = "") -> None:
        self.text = Tokenizer(key, tweak)
        self._key, self._tweak = key, tweak
        self._domains: dict[str, Tokenizer] = {}
        flip = hmac.new(key, b"dte-desktop/v1/bool/" + tweak.encode(), hashlib.sha256)
        self.flip = bool(flip.digest()[0] & 1)

    def _tok(self, domain: str) -> Tokenizer:
        tok = self._domains.get(domain)
        if tok is None:
            tok = self._domains[domain] = Tokenizer(self._key, f"{self._tweak}\x00{domain}")
        return tok

    # --- the one primitive: a permutation of range(size) -------------------------------

    def permute(
        self, domain: str, offsets: Sequence[int], size: int, width: int | None = None
    ) -> list[int]:
        """Each offset in ``[0, size)`` to its image under the domain's permutation of
        ``width``-digit strings restricted to ``[0, size)``. Two sizes with one width share
        the permutation, so their images agree wherever both fit."""
        if size <= 1:
            return list(offsets)
        width = width or len(str(size - 1))
        tok = self._tok(f"{domain}/{width}")
        if width <= _FAST_WIDTH and offsets and min(offsets) >= 0 and max(offsets) < 10**width:
            return _permute_fast(tok, offsets, size, width)  # else: signs, longer strings
        out = [str(o).zfill(width) for o in offsets]
        pending = list(range(len(out)))
        while pending:
            stepped = tok.tokenize_many([out[i] for i in pending])
            for i, s in zip(pending, stepped, strict=True):
                out[i] = s
            pending = [i for i in pending if int(out[i]) >= size]
        return [int(s) for s in out]

    # --- integers --------------------------------------------------------------------

    def ints(self, values: Sequence[int], lo: int = _INT64[0], hi: int = _INT64[1]) -> list[int]:
        """Same sign, same number of digits, within ``[lo, hi]``."""
        groups: dict[tuple[bool, int], list[int]] = {}
        for i, v in enumerate(values):
            groups.setdefault((v < 0, len(str(abs(v)))), []).append(i)
        out = list(values)
        for (neg, n), idx in groups.items():
            start = 10 ** (n - 1) if n > 1 else (1 if neg else 0)
            end = min(10**n - 1, -lo if neg else hi)
            mags = [abs(values[i]) - start for i in idx]
            images = self.permute(f"int/{'-' if neg else '+'}", mags, end - start + 1, n)
            for i, m in zip(idx, images, strict=True):
                out[i] = -(m + start) if neg else m + start
        return out

    # --- dates and times -------------------------------------------------------------

    def days(self, values: Sequence[int], lo: int = _DAY_MIN, hi: int = _DAY_MAX) -> list[int]:
        """Days since 1970 within ``[lo, hi]``. The days a real record holds (1900–2099,
        ``A``) and a block of as many days at the far end of the type's range (``B``) are
        swapped, each permuted; the rest maps within itself. A token of a real date is
        therefore a valid date that can never equal, nor pass for, a real one."""
        a_lo, a_hi = max(_INNER[0], lo), min(_INNER[1], hi)
        n_a = a_hi - a_lo + 1
        n_rest = (hi - lo + 1) - n_a
        if n_rest < n_a:  # a type too narrow to hold a second block: permute within each
            return self._days_within(values, lo, hi, a_lo, a_hi)
        b0 = n_rest - n_a  # B is the last n_a ranks of the rest

        def rank(d: int) -> int:
            return d - lo if d < a_lo else d - lo - n_a

        def unrank(r: int) -> int:
            return r + lo if r + lo < a_lo else r + lo + n_a

        out = list(values)
        in_a = [i for i, d in enumerate(values) if a_lo <= d <= a_hi]
        others = [i for i, d in enumerate(values) if not a_lo <= d <= a_hi]
        in_b = [i for i in others if rank(values[i]) >= b0]
        in_r = [i for i in others if rank(values[i]) < b0]
        for i, m in zip(
            in_a, self.permute("day/A", [values[i] - a_lo for i in in_a], n_a), strict=True
        ):
            out[i] = unrank(b0 + m)
        b_off = [rank(values[i]) - b0 for i in in_b]
        for i, m in zip(in_b, self.permute("day/B", b_off, n_a), strict=True):
            out[i] = a_lo + m
        r_off = [rank(values[i]) for i in in_r]
        for i, m in zip(in_r, self.permute("day/R", r_off, b0), strict=True):
            out[i] = unrank(m)
        return out

    def _days_within(
        self, values: Sequence[int], lo: int, hi: int, a_lo: int, a_hi: int
    ) -> list[int]:
        n_a = a_hi - a_lo + 1
        out = list(values)
        inner = [i for i, d in enumerate(values) if a_lo <= d <= a_hi]
        outer = [i for i, d in enumerate(values) if not a_lo <= d <= a_hi]
        for i, m in zip(
            inner, self.permute("day", [values[i] - a_lo for i in inner], n_a), strict=True
        ):
            out[i] = m + a_lo
        if outer:

            def rank(d: int) -> int:
                return d - lo if d < a_lo else d - lo - n_a

            def unrank(r: int) -> int:
                return r + lo if r + lo < a_lo else r + lo + n_a

            size = (hi - lo + 1) - n_a
            images = self.permute("day/outer", [rank(values[i]) for i in outer], size)
            for i, m in zip(outer, images, strict=True):
                out[i] = unrank(m)
        return out

    def clock(self, values: Sequence[int], unit: str) -> list[int]:
        """Times of day in ``unit``. Precision is format: midnight stays midnight (a date
        kept in a timestamp), whole seconds stay whole seconds; the rest is permuted."""
        per_sec = _UNIT[unit]
        secs = [v // per_sec for v in values]
        frac = [v % per_sec for v in values]
        out = [0] * len(values)
        whole = [i for i, v in enumerate(values) if v and not frac[i]]
        parts = [i for i, f in enumerate(frac) if f]
        if whole:
            images = self.permute("second+", [secs[i] - 1 for i in whole], 86_399)
            for i, m in zip(whole, images, strict=True):
                out[i] = (m + 1) * per_sec
        if parts:
            s_img = self.permute("second", [secs[i] for i in parts], 86_400)
            f_img = self.permute(f"fraction/{unit}", [frac[i] - 1 for i in parts], per_sec - 1)
            for i, a, b in zip(parts, s_img, f_img, strict=True):
                out[i] = a * per_sec + b + 1
        return out

    def arrow(self, arr: pa.Array) -> pa.Array:
        """``arr`` tokenized, same type (see the module docstring for the exceptions)."""
        arr = at.decode(at.as_array(arr))
        t = arr.type
        if pa.types.is_null(t) or len(arr) == arr.null_count:
            return arr
        if at.is_nested(t):
            return pa.nulls(len(arr), type=t)
        if pa.types.is_boolean(t):
            return pc.xor(arr, pa.scalar(True)) if self.flip else arr
        if pa.types.is_integer(t):
            info = np.iinfo(t.to_pandas_dtype())
            lo, hi = int(info.min), int(info.max)
            return at.map_unique_many(arr, lambda vs: self.ints(vs, lo, hi), t)
        if pa.types.is_duration(t):
            return at.map_unique_many(arr.view(pa.int64()), self.ints, pa.int64()).view(t)
        if pa.types.is_decimal(t):
            return self._decimals(arr)
        if pa.types.is_floating(t):
            return self._floats(arr)
        if pa.types.is_date(t) or pa.types.is_timestamp(t) or pa.types.is_time(t):
            return self._temporal(arr)
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            out = at.map_unique_many(arr.cast(pa.string()), self.strings, pa.string())
            return out if t == pa.string() else out.cast(t)
        text = at.to_text(arr)  # binary (hex) and anything else with a text form
        return at.map_unique_many(text, self.strings, pa.string())

    def _decimals(self, arr: pa.Array) -> pa.Array:
        t = arr.type
        limit = 10**t.precision - 1

        def run(vs: list) -> list:
            # scaleb rounds to the context's precision (28 digits by default): a decimal(38)
            # or decimal(65) value needs all its digits, or the image does not fit its type.
            with decimal.localcontext() as ctx:
                ctx.prec = t.precision + 2
                unscaled = [int(v.scaleb(t.scale)) for v in vs]
                images = self.ints(unscaled, -limit, limit)
                return [type(v)(m).scaleb(-t.scale) for v, m in zip(vs, images, strict=True)]

        return at.map_unique_many(arr, run, t)

    def _floats(self, arr: pa.Array) -> pa.Array:
        t = arr.type
        utype, mbits, ebits = _FLOATS[t.bit_width]
        raw = pc.fill_null(arr, 0).to_numpy(zero_copy_only=False)
        bits = raw.view(utype).astype(np.uint64)
        high = bits >> np.uint64(mbits)  # sign and exponent
        mant = bits & np.uint64((1 << mbits) - 1)
        exponent = high & np.uint64((1 << ebits) - 1)
        special = (exponent == np.uint64((1 << ebits) - 1)) | ((exponent == 0) & (mant == 0))
        out = mant.copy()
        todo = ~special & pc.is_valid(arr).to_numpy(zero_copy_only=False)
        for h in np.unique(high[todo]).tolist():
            at_h = np.nonzero(todo & (high == h))[0]
            uniq, inv = np.unique(mant[at_h], return_inverse=True)
            images = self.permute(f"float{t.bit_width}/{h}", uniq.tolist(), 1 << mbits)
            out[at_h] = np.array(images, dtype=np.uint64)[inv.reshape(-1)]
        new = ((high << np.uint64(mbits)) | out).astype(utype).view(raw.dtype)
        return pa.array(new, type=t, mask=~pc.is_valid(arr).to_numpy(zero_copy_only=False))

    def _temporal(self, arr: pa.Array) -> pa.Array:
        t = arr.type
        if pa.types.is_date32(t):
            return at.map_unique_many(arr.view(pa.int32()), self.days, pa.int32()).view(t)
        if pa.types.is_date64(t):
            ms = arr.view(pa.int64())

            def run_ms(vs: list) -> list:
                days = self.days([v // 86_400_000 for v in vs])
                return [d * 86_400_000 + v % 86_400_000 for d, v in zip(days, vs, strict=True)]

            return at.map_unique_many(ms, run_ms, pa.int64()).view(t)
        per_day = _UNIT[t.unit] * 86_400
        storage = pa.int32() if pa.types.is_time32(t) else pa.int64()
        ints = arr.view(storage)
        if pa.types.is_time(t):
            run_clock = lambda vs: self.clock(vs, t.unit)  # noqa: E731
            return at.map_unique_many(ints, run_clock, storage).view(t)
        lo = -(2**63) // per_day + 1
        hi = (2**63 - 1) // per_day - 1

        def run(vs: list) -> list:
            days = self.days([v // per_day for v in vs], max(lo, _DAY_MIN), min(hi, _DAY_MAX))
            clock = self.clock([v % per_day for v in vs], t.unit)
            return [d * per_day + c for d, c in zip(days, clock, strict=True)]

        return at.map_unique_many(ints, run, pa.int64()).view(t)

    # --- text ------------------------------------------------------------------------

    def strings(self, values: Sequence[str]) -> list[str]:
        from dte_desktop.core.privacy._typed_text import tokenize_strings

        return tokenize_strings(self, values)

    def json_float(self, value: float) -> float:
        return float(self._floats(pa.array([value], pa.float64()))[0].as_py())


_FAST_WIDTH = 19  # 10^19 - 1 < 2^64: the digits and their value fit in uint64


def _permute_fast(tok: Tokenizer, offsets: Sequence[int], size: int, width: int) -> list[int]:
    """``permute``'s cycle walk on digit matrices (NumPy), not on strings: same images."""
    out = np.asarray(offsets, dtype=np.uint64)
    if out.size == 0:
        return []
    out = out.copy()
    pow10 = np.uint64(10) ** np.arange(width - 1, -1, -1, dtype=np.uint64)
    pending = np.arange(out.size)
    while pending.size:
        digits = (out[pending, None] // pow10) % np.uint64(10)
        stepped = (tok.tokenize_digits(digits) * pow10).sum(axis=1, dtype=np.uint64)
        out[pending] = stepped
        pending = pending[stepped >= np.uint64(size)]
    return out.tolist()
