"""Value checks for the PII detectors: each takes distinct, trimmed, non-empty strings and
returns a boolean numpy mask (or a mask plus a detail such as the card issuer).

Cheap regular expressions run vectorised over the whole array first; the per-value
validators (email-validator, python-stdnum, phonenumbers, ipaddress) run only on the values
the prefilter let through, and a validator that raises on an odd value counts it as no match.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import re
from collections.abc import Callable, Sequence

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import validate_email
from stdnum import iban, luhn
from stdnum.us import ssn as us_ssn

# Whole-value shapes; the validators below decide.
EMAIL_RE = r"^[^@\s<>(),;:\"\[\]]{1,64}@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$"
# AAA-GG-SSSS with one separator style (dash, dot or space), or the 5-4 split some forms use.
SSN_FORMATTED_RE = r"^(?:\d{3}-\d{2}-\d{4}|\d{3}\.\d{2}\.\d{4}|\d{3} \d{2} \d{4}|\d{5}-\d{4})$"
SSN_BARE_RE = r"^\d{9}$"
CARD_RE = r"^\d(?:[ -]?\d){11,18}$"
IBAN_RE = r"(?i)^[A-Z]{2}[0-9]{2}(?:[ .-]?[A-Z0-9]){11,30}$"
PHONE_RE = r"^\+?[0-9()\-. /]{7,24}$"
ISO_DATE_RE = r"^\d{4}-\d{2}-\d{2}"
IP_RE = r"^[0-9A-Fa-f:.]{2,45}(?:/\d{1,3}|%[A-Za-z0-9_.-]{1,32})?$"
DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%Y/%m/%d", "%d-%m-%Y",
    "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%m/%d/%y", "%d.%m.%y",
    "%d-%b-%y",
)  # fmt: skip

Mask = np.ndarray


def _np(mask: pa.Array) -> Mask:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(r"\p{L}", r"[^\W\d_]"))


def regex(values: pa.Array, pattern: str) -> Mask:
    """Where ``pattern`` (RE2 syntax, no look-arounds) matches. Arrow compiles the pattern
    on every call, which dominates on a few distinct values: those go through Python's
    cached ``re`` instead (the patterns are written to mean the same in both)."""
    if len(values) < 100:
        items = values.to_pylist()
        rx = _compiled(pattern)
        return np.fromiter(
            (v is not None and rx.search(v) is not None for v in items), bool, len(items)
        )
    return _np(pc.match_substring_regex(values, pattern))


def per_value(values: pa.Array, where: Mask, check: Callable[[str], object]) -> Mask:
    """``check`` on each value where ``where`` holds; an exception is a non-match."""
    out = np.zeros(len(values), dtype=bool)
    for i in np.nonzero(where)[0]:
        try:
            out[i] = bool(check(values[int(i)].as_py()))
        except Exception:  # a validator's odd corner must not fail the column
            out[i] = False
    return out


def lengths(values: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False)


def email(values: pa.Array) -> Mask:
    """RFC 5322/6531 syntax by email-validator (IDN and punycode domains), no DNS."""

    def check(v: str) -> bool:
        validate_email(v, check_deliverability=False)
        return True

    return per_value(values, regex(values, EMAIL_RE) & (lengths(values) <= 254), check)


def ssn(values: pa.Array, *, allow_bare: bool) -> Mask:
    """US SSN by python-stdnum (area not 000/666/9xx, group and serial not zero, and the
    published sample numbers such as 078-05-1120 refused). Nine bare digits look like any
    other identifier, so they count only when the column name says SSN (``allow_bare``)."""
    shaped = regex(values, SSN_FORMATTED_RE)
    if allow_bare:
        shaped |= regex(values, SSN_BARE_RE)
    digits = pc.replace_substring_regex(values, r"[-. ]", "")
    return per_value(digits, shaped, us_ssn.is_valid)


_CARD_ISSUERS: tuple[tuple[str, tuple[tuple[int, int], ...], tuple[int, ...]], ...] = (
    ("visa", ((4, 4),), (13, 16, 19)),
    ("mastercard", ((51, 55), (2221, 2720)), (16,)),
    ("amex", ((34, 34), (37, 37)), (15,)),
    ("dankort", ((5019, 5019),), (16,)),
    ("discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)), (16, 17, 18, 19)),
    ("jcb", ((3528, 3589),), (16, 17, 18, 19)),
    ("diners", ((300, 305), (36, 36), (38, 39)), (14, 15, 16, 17, 18, 19)),
    ("unionpay", ((62, 62), (81, 81)), (16, 17, 18, 19)),
    ("mir", ((2200, 2204),), (16, 17, 18, 19)),
    ("uatp", ((1, 1),), (15,)),
    ("rupay", ((60, 60), (652, 653), (508, 508)), (16,)),
    ("troy", ((9792, 9792),), (16,)),
    (
        "maestro",
        ((5018, 5018), (5020, 5020), (5038, 5038), (6304, 6304), (6759, 6763)),
        tuple(range(12, 20)),
    ),
)


def card_issuer(digits: str) -> str | None:
    """The issuer whose prefix range and length fit ``digits``, or None."""
    for issuer, ranges, card_lengths in _CARD_ISSUERS:
        if len(digits) not in card_lengths:
            continue
        for lo, hi in ranges:
            width = len(str(lo))
            if lo <= int(digits[:width]) <= hi:
                return issuer
    return None


def payment_card(values: pa.Array) -> Mask:
    digits = pc.replace_substring_regex(values, r"[ -]", "")

    def check(d: str) -> bool:
        return len(set(d)) > 1 and card_issuer(d) is not None and luhn.is_valid(d)

    return per_value(digits, regex(values, CARD_RE), check)


def iban_number(values: pa.Array) -> Mask:
    """Mod-97 check digits and the country's IBAN length and layout (python-stdnum's IBAN
    registry); the bank-code check is left out, since a valid IBAN of a bank missing from
    the registry is still someone's account."""
    return per_value(
        values, regex(values, IBAN_RE), lambda v: iban.is_valid(v, check_country=False)
    )


def _ip(v: str) -> bool:
    if "/" in v:
        addr, _, prefix = v.partition("/")
        ipaddress.ip_address(addr)
        ipaddress.ip_network(v, strict=False)
        return prefix.isdigit()
    ipaddress.ip_address(v)  # IPv6 zone ids (fe80::1%eth0) are accepted since Python 3.9
    return True


def ip_address(values: pa.Array) -> Mask:
    """IPv4/IPv6 addresses, CIDR blocks and zoned IPv6, by :mod:`ipaddress`."""
    shaped = regex(values, IP_RE) & (
        _np(pc.match_substring(values, ".")) | _np(pc.match_substring(values, ":"))
    )
    return per_value(values, shaped, _ip)


def version_like(values: pa.Array) -> Mask:
    """Dotted quads whose parts are all small (``10.2.0.1``): software versions more often
    than addresses; the detector refuses a column where most addresses look like this."""
    parts = pc.extract_regex(values, r"^(?P<a>\d{1,3})\.(?P<b>\d{1,3})\.(?P<c>\d{1,3})\.\d{1,3}$")
    ok = _np(pc.is_valid(parts))
    out = ok.copy()
    matched = pa.array(ok)
    for name in ("a", "b", "c"):
        # An unmatched row's groups are empty strings, not NULL: cast only matched rows.
        field = pc.cast(pc.if_else(matched, parts.field(name), "999"), pa.int32())
        out &= field.to_numpy(zero_copy_only=False) <= 20
    return out


def _digit_counts(values: pa.Array) -> np.ndarray:
    return lengths(pc.replace_substring_regex(values, r"\D", ""))


def phone_shaped(values: pa.Array) -> Mask:
    """Looks like a phone number: 7 to 15 digits with phone punctuation, not a date."""
    n_digits = _digit_counts(values)
    return (
        regex(values, PHONE_RE) & ~regex(values, ISO_DATE_RE) & (n_digits >= 7) & (n_digits <= 15)
    )


def phone_shaped_only(values: pa.Array) -> Mask:
    """The looser shape a ``phone`` column may rely on (Sakila's 10-12 random digits): 9 to
    15 digits, not in international form (a ``+`` number that fails validation is wrong,
    not unknown)."""
    n_digits = _digit_counts(values)
    return phone_shaped(values) & (n_digits >= 9) & ~regex(values, r"^\+")


def phone(values: pa.Array, regions: Sequence[str]) -> Mask:
    """Valid for at least one of ``regions`` (the site's and the connection's), or in
    international form, by phonenumbers' metadata."""
    regions = [r for r in dict.fromkeys(regions) if r] or ["US"]

    def check(v: str) -> bool:
        for region in regions if not v.startswith("+") else regions[:1]:
            try:
                number = phonenumbers.parse(v, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        return False

    return per_value(values, phone_shaped(values), check)


def _days(ts: pa.Array) -> np.ndarray:
    # Straight to whole days: a date64 or sub-second timestamp would refuse a lossy cast to
    # seconds, and the time of day does not matter here.
    days = pc.cast(ts, pa.date32(), safe=False)
    arr = pc.cast(days, pa.int32())
    return pc.fill_null(pc.cast(arr, pa.float64()), np.nan).to_numpy(zero_copy_only=False)


def date_days(values: pa.Array, *, native: pa.Array | None = None) -> np.ndarray:
    """Days since 1970-01-01 for each value that is a date in one of ``DATE_FORMATS`` (or
    of the column's own date/timestamp type, ``native``); NaN where none fits."""
    if native is not None:
        try:
            return _days(native)
        except pa.ArrowException:
            return np.full(len(native), np.nan)
    out = np.full(len(values), np.nan)
    first10 = pc.utf8_slice_codeunits(values, 0, 10)
    for fmt in DATE_FORMATS:
        source = first10 if fmt == "%Y-%m-%d" else values
        parsed = pc.strptime(source, format=fmt, unit="s", error_is_null=True)
        days = _days(parsed)
        # A later format wins where the earlier one gave no date or an implausible one
        # ("02/27/93" read with %Y is the year 93).
        fill = ~np.isnan(days) & (np.isnan(out) | ~plausible_birth(out))
        out[fill] = days[fill]
    return out


def plausible_birth(days: np.ndarray) -> Mask:
    """Dates from 1900 to today."""
    lo = (dt.date(1900, 1, 1) - dt.date(1970, 1, 1)).days
    hi = (dt.datetime.now(dt.UTC).date() - dt.date(1970, 1, 1)).days
    with np.errstate(invalid="ignore"):
        return (days >= lo) & (days <= hi)


def birth_date(values: pa.Array, *, native: pa.Array | None = None) -> Mask:
    return plausible_birth(date_days(values, native=native))


def looks_like_birth_dates(days: np.ndarray, weights: np.ndarray) -> bool:
    """Dates that are strong evidence of birth dates without a column name: all in the past,
    spread over decades, most people adults (an order or event date column spans a few
    recent years)."""
    ok = plausible_birth(days)
    if ok.sum() < 10:
        return False
    d, w = days[ok], weights[ok]
    order = np.argsort(d)
    d, cw = d[order], np.cumsum(w[order]) / w.sum()
    p10, p50, p90 = (d[min(np.searchsorted(cw, q), len(d) - 1)] for q in (0.1, 0.5, 0.9))
    today = (dt.datetime.now(dt.UTC).date() - dt.date(1970, 1, 1)).days
    return (p90 - p10) >= 15 * 365 and (today - p50) >= 18 * 365
