"""``generalize``: coarsen a value so that it no longer points at one record.

It follows the column's type and, when the detectors (or an officer) said so, its PII type:

* a date of birth becomes its year, whatever its storage (a date, a timestamp, an integer
  ``YYYYMMDD``, a string in a usual date format);
* a phone number keeps its country and area code only (``+1 512 xxxxxxx``);
* an email keeps its domain (``@example.com``); an IP address its first half
  (``10.1.x.x``); a URL its scheme and host; a MAC address its maker's three octets; a
  secret or a wallet key nothing (the redaction token);
* other dates and timestamps become ``YYYY-MM`` or ``YYYY``; times their hour ``HH:00``;
* numbers become buckets written as their leading digits and ``x`` for the rest (``3x`` for
  30–39, ``51230xxxxx``). The width is the policy's ``bucket_width`` rounded up to a power of
  ten, and never less than half of a value's digits: a 10-digit phone number stored as an
  integer shows at most its first 5 digits. A label shows no bound, so a raw value is never
  printed as the edge of its own bucket;
* any other text keeps a prefix of ``prefix_length`` characters, and at most half of a
  short value.

A value that the PII type's rule cannot read (a "phone" of ``N/A``) becomes the redaction
token: it is masked, not shown, and not mistaken for NULL. NaN and infinities become NULL.
"""

from __future__ import annotations

import decimal
import ipaddress
import math
import re
import urllib.parse

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.privacy import _arrow_text as at

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%Y/%m/%d")
_D = decimal.Decimal
_CTX = decimal.Context(prec=400, traps=[])


def generalize(
    values: at.ArrayLike,
    *,
    date_unit: str = "month",
    bucket_width: float = 10,
    bucket_label: str = "range",
    prefix_length: int = 3,
    pii_type: str | None = None,
    region: str = "US",
) -> pa.Array:
    """Coarsen each value (see the module docstring); NULL stays NULL, output is ``string``.
    ``bucket_label`` is accepted for older policies: both labels are the digit form."""
    del bucket_label  # "lower" printed the lower bound, which can be the raw value itself
    arr = at.decode(at.as_array(values))
    dtype = arr.type
    if at.is_nested(dtype):
        return at.all_null(len(arr))
    if pii_type in ("secret", "crypto_wallet"):  # whatever its storage (a PIN as a number)
        return pc.if_else(pc.is_valid(arr), at.REDACTION, pa.scalar(None, pa.string()))
    if pii_type == "date_of_birth":
        return _birth_year(arr)
    if pii_type in _TEXT_RULES and not (pa.types.is_temporal(dtype) or _is_number(dtype)):
        return _per_value(arr, _TEXT_RULES[pii_type])
    if pii_type == "phone" and pa.types.is_integer(dtype):
        return _per_value(arr.cast(pa.string()), lambda v: _phone_area(v, region))
    if pii_type == "phone" and not pa.types.is_temporal(dtype):
        return _per_value(at.to_text(arr), lambda v: _phone_area(v, region))
    if pa.types.is_date(dtype) or pa.types.is_timestamp(dtype):
        return _date_label(arr, "year" if date_unit == "year" else "month")
    if pa.types.is_time(dtype):
        hour = pc.utf8_lpad(pc.cast(pc.hour(arr), pa.string()), 2, "0")
        return pc.binary_join_element_wise(hour, "00", ":")
    if _is_number(dtype):
        return bucket(arr, bucket_width)
    text = at.to_text(arr)
    if text is None:
        return at.all_null(len(arr))
    return prefix(text, prefix_length)


def _is_number(dtype: pa.DataType) -> bool:
    return pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype)


def prefix(text: pa.Array, length: int) -> pa.Array:
    """The first ``length`` code points; a value not longer than that keeps half of them."""
    n_chars = at.lengths(text)
    keep_n = np.where(n_chars > length, length, n_chars // 2)
    return at.grouped(text, keep_n, lambda rows, k: at.slice_text(rows, 0, k))


def _per_value(arr: pa.Array | None, rule) -> pa.Array:  # type: ignore[no-untyped-def]
    if arr is None:
        return at.all_null(0)
    return at.map_unique(arr, rule, pa.string())


def _date_label(arr: pa.Array, unit: str) -> pa.Array:
    year = pc.utf8_lpad(pc.cast(pc.year(arr), pa.string()), 4, "0")
    if unit == "year":
        return year
    month = pc.utf8_lpad(pc.cast(pc.month(arr), pa.string()), 2, "0")
    return pc.binary_join_element_wise(year, month, "-")


# --- dates of birth -----------------------------------------------------------------------


def _birth_year(arr: pa.Array) -> pa.Array:
    dtype = arr.type
    if pa.types.is_date(dtype) or pa.types.is_timestamp(dtype):
        return _date_label(arr, "year")
    if pa.types.is_integer(dtype) or pa.types.is_decimal(dtype):
        text = arr.cast(pa.string())
    else:
        text = at.to_text(arr)
        if text is None:
            return at.all_null(len(arr))
        text = pc.utf8_trim_whitespace(text)
    year = pa.nulls(len(text), pa.string())
    for fmt in DATE_FORMATS:
        source = pc.utf8_slice_codeunits(text, 0, 10) if fmt == "%Y-%m-%d" else text
        parsed = pc.strptime(source, format=fmt, unit="s", error_is_null=True)
        year = pc.coalesce(year, pc.utf8_lpad(pc.cast(pc.year(parsed), pa.string()), 4, "0"))
    unreadable = pc.and_(pc.is_valid(arr), pc.is_null(year))
    return pc.if_else(unreadable, pa.scalar(at.REDACTION, pa.string()), year)


# --- phones, emails, IP addresses ---------------------------------------------------------


def _phone_area(value: object, region: str) -> str:
    text = str(value).strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return at.REDACTION
    if not phonenumbers.is_possible_number(number):
        return at.REDACTION
    national = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area == 0:
        area = phonenumbers.length_of_national_destination_code(number)
    # Never more than half of the subscriber's digits, whatever the numbering plan says.
    area = min(area, len(national) // 2)
    head = national[:area]
    rest = "x" * (len(national) - area)
    return f"+{number.country_code} {head} {rest}" if head else f"+{number.country_code} {rest}"


def _email_domain(value: object) -> str:
    text = str(value).strip()
    local, at_sign, domain = text.rpartition("@")
    if not at_sign or not local or not domain:
        return at.REDACTION
    return "@" + domain


def _ip_network(value: object) -> str:
    try:
        ip = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return at.REDACTION
    if ip.version == 4:
        a, b, _c, _d = str(ip).split(".")
        return f"{a}.{b}.x.x"
    groups = ip.exploded.split(":")
    return ":".join(groups[:2]) + ":x"


def _url_origin(value: object) -> str:
    parts = urllib.parse.urlsplit(str(value).strip())
    if not parts.scheme or not parts.hostname:
        return at.REDACTION
    return f"{parts.scheme}://{parts.hostname}/…"


def _mac_vendor(value: object) -> str:
    """The first three octets name the maker (the OUI), the rest the device."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", str(value))
    if len(digits) != 12:
        return at.REDACTION
    sep = next((ch for ch in str(value) if not ch.isalnum()), ":")
    return sep.join([digits[i : i + 2] for i in (0, 2, 4)] + ["xx"] * 3)


_TEXT_RULES = {
    "email": _email_domain,
    "ip_address": _ip_network,
    "url": _url_origin,
    "mac_address": _mac_vendor,
}


# --- numbers ------------------------------------------------------------------------------


def bucket(arr: pa.Array, width: float) -> pa.Array:
    """Each number as its leading digits and ``x`` for the rest (see the module docstring).
    Computed once per distinct value, exactly (``Decimal``), so 64-bit and 38-digit values
    are not rounded through a float on the way."""
    exp = _width_exponent(width)
    if pa.types.is_integer(arr.type) and arr.type != pa.uint64():
        return _int_buckets(arr, exp)
    return at.map_unique(arr, lambda v: number_label(v, exp), pa.string())


def _width_exponent(width: float) -> int:
    """The power of ten at or above ``width`` (a width of 25 gives buckets of 100)."""
    w = _D(str(width))
    exp = w.adjusted()
    return exp if w == _D(1).scaleb(exp) else exp + 1


def _min_exponent(abs_int: int) -> int:
    """A bucket hides at least half of the digits of the value's integer part."""
    return len(str(abs_int)) // 2


def number_label(value: object, exp: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):  # an integer always hides at least its last digit
        exp = max(exp, 1)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = _D(repr(value))
    d = _D(value) if not isinstance(value, decimal.Decimal) else value
    if not d.is_finite():
        return None
    sign = "-" if d < 0 else ""
    mag = abs(d)
    whole = int(mag)
    k = max(exp, _min_exponent(whole))
    if k >= 1:
        head = whole // 10**k
        return f"{sign}{head if head else ''}{'x' * k}"
    # Widths below 1 (a fraction like 0.1): whole part, the kept decimals, then "x".
    kept = mag.quantize(_D(1).scaleb(k), rounding=decimal.ROUND_DOWN, context=_CTX)
    text = format(kept, "f")
    return f"{sign}{text}{'.' if k == 0 else ''}x"


_POW10 = np.array([10**i for i in range(20)], dtype=np.uint64)
_XS = pa.array(["x" * i for i in range(21)], pa.string())


def _int_buckets(arr: pa.Array, exp: int) -> pa.Array:
    """The integer case of ``number_label``, vectorised (ids, phones, amounts are common)."""
    v = pc.fill_null(arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)
    neg = v < 0
    # |int64 min| does not fit in int64; its magnitude as uint64 does.
    mag = np.where(neg, (~v.astype(np.uint64)) + np.uint64(1), v.astype(np.uint64))
    n_digits = np.searchsorted(_POW10, mag, side="right")  # 1 for 0..9, 2 for 10..99, ...
    n_digits = np.maximum(n_digits, 1)
    k = np.clip(np.maximum(max(exp, 1), n_digits // 2), 1, 20)
    head = np.where(k < 20, mag // _POW10[np.minimum(k, 19)], 0)
    head_s = pc.if_else(pa.array(head == 0), "", pa.array(head).cast(pa.string()))
    sign = pc.if_else(pa.array(neg), "-", "")
    labels = pc.binary_join_element_wise(sign, head_s, _XS.take(pa.array(k)), "")
    return pc.if_else(pc.is_valid(arr), labels, pa.scalar(None, pa.string()))
