"""Value checks for the PII detectors: each takes distinct, trimmed, non-empty strings and
returns a boolean numpy mask (or a mask plus a detail such as the card issuer).

Cheap regular expressions run vectorised over the whole array first; the per-value
validators (Luhn, IBAN mod 97, phonenumbers, ipaddress) run only on the values the
prefilter let through.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import iban, luhn
from stdnum.ca import sin as ca_sin
from stdnum.es import dni as es_dni
from stdnum.fr import nir as fr_nir
from stdnum.it import codicefiscale as it_cf
from stdnum.nl import bsn as nl_bsn

# Whole-value match: a value *containing* an email among other text does not count.
EMAIL_RE = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
SSN_FORMATTED_RE = r"^(?P<g1>\d{3})[- ](?P<g2>\d{2})[- ](?P<g3>\d{4})$"
SSN_BARE_RE = r"^(?P<g1>\d{3})(?P<g2>\d{2})(?P<g3>\d{4})$"
CARD_RE = r"^\d(?:[ -]?\d){11,18}$"
IBAN_RE = r"(?i)^[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30}$"
PHONE_RE = r"^\+?[0-9()\-. /]{7,24}$"
ISO_DATE_RE = r"^\d{4}-\d{2}-\d{2}"
IP_RE = r"^[0-9A-Fa-f:.]{2,45}$"
# Capitalised alphabetic words, with the particles and punctuation real names carry.
NAME_RE = (
    r"^\p{Lu}[\p{L}'’.\-]*"
    r"(?:,?\s+(?:\p{Lu}[\p{L}'’.\-]*|van|von|der|den|de|da|del|della|di|du|la|le|bin|al|y))"
    r"{0,4}$"
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%Y/%m/%d")

Mask = np.ndarray


def _np(mask: pa.Array) -> Mask:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def regex(values: pa.Array, pattern: str) -> Mask:
    return _np(pc.match_substring_regex(values, pattern))


def _per_value(values: pa.Array, where: Mask, check: Callable[[str], bool]) -> Mask:
    out = np.zeros(len(values), dtype=bool)
    for i in np.nonzero(where)[0]:
        out[i] = check(values[int(i)].as_py())
    return out


def email(values: pa.Array) -> Mask:
    return regex(values, EMAIL_RE) & (pc.utf8_length(values).to_numpy() <= 254)


def ssn(values: pa.Array, *, allow_bare: bool) -> Mask:
    """US SSN: AAA-GG-SSSS with area not 000, 666 or 900-999, group not 00, serial not 0000.
    Nine bare digits look like any other identifier, so they count only when the column name
    says SSN (``allow_bare``)."""
    result = np.zeros(len(values), dtype=bool)
    patterns = [SSN_FORMATTED_RE] + ([SSN_BARE_RE] if allow_bare else [])
    for pattern in patterns:
        parts = pc.extract_regex(values, pattern)
        ok = _np(pc.is_valid(parts))
        if not ok.any():
            continue
        # A row that did not match still has its groups, as empty strings (the struct is
        # NULL, its children are not): cast only the matched rows' digits.
        matched = pa.array(ok)
        area, group, serial = (
            pc.cast(pc.if_else(matched, parts.field(f"g{i}"), "0"), pa.int32()).to_numpy(
                zero_copy_only=False
            )
            for i in (1, 2, 3)
        )
        valid_ranges = (area != 0) & (area != 666) & (area < 900) & (group != 0) & (serial != 0)
        result |= ok & valid_ranges
    return result


_CARD_ISSUERS: tuple[tuple[str, tuple[tuple[int, int], ...], tuple[int, ...]], ...] = (
    ("visa", ((4, 4),), (13, 16, 19)),
    ("mastercard", ((51, 55), (2221, 2720)), (16,)),
    ("amex", ((34, 34), (37, 37)), (15,)),
    ("discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)), (16, 17, 18, 19)),
    ("jcb", ((3528, 3589),), (16, 17, 18, 19)),
    ("diners", ((300, 305), (36, 36), (38, 39)), (14, 15, 16, 17, 18, 19)),
    ("unionpay", ((62, 62),), (16, 17, 18, 19)),
    (
        "maestro",
        ((5018, 5018), (5020, 5020), (5038, 5038), (6304, 6304), (6759, 6763)),
        tuple(range(12, 20)),
    ),
)


def card_issuer(digits: str) -> str | None:
    """The issuer whose prefix range and length fit ``digits``, or None."""
    for issuer, ranges, lengths in _CARD_ISSUERS:
        if len(digits) not in lengths:
            continue
        for lo, hi in ranges:
            width = len(str(lo))
            if lo <= int(digits[:width]) <= hi:
                return issuer
    return None


def payment_card(values: pa.Array) -> Mask:
    candidates = regex(values, CARD_RE)
    digits = pc.replace_substring_regex(values, r"[ -]", "")

    def check(d: str) -> bool:
        return card_issuer(d) is not None and luhn.is_valid(d)

    return _per_value(digits, candidates, check)


def iban_number(values: pa.Array) -> Mask:
    return _per_value(values, regex(values, IBAN_RE), iban.is_valid)


#: (name, prefilter, validator) for national identifiers python-stdnum checks cheaply.
NATIONAL_IDS: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
    ("es.dni", r"^\d{8}-?[A-Za-z]$", es_dni.is_valid),
    (
        "it.codicefiscale",
        r"(?i)^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z]"
        r"[0-9LMNPQRSTUV]{3}[A-Z]$",
        it_cf.is_valid,
    ),
    (
        "fr.nir",
        r"^[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}$",
        fr_nir.is_valid,
    ),
    ("nl.bsn", r"^\d{4}\.?\d{2}\.?\d{3}$", nl_bsn.is_valid),
    ("ca.sin", r"^\d{3}[- ]?\d{3}[- ]?\d{3}$", ca_sin.is_valid),
)


def national_id(values: pa.Array, counts: np.ndarray) -> tuple[Mask, str | None]:
    """Values valid under any of the schemes (a multinational HR table mixes them); the
    detail names the scheme most values follow."""
    union = np.zeros(len(values), dtype=bool)
    best_name, best_hits = None, 0
    for name, prefilter, validator in NATIONAL_IDS:
        mask = _per_value(values, regex(values, prefilter) & ~union, validator)
        union |= mask
        hits = int(counts[mask].sum())
        if hits > best_hits:
            best_name, best_hits = name, hits
    return union, best_name


def ip_address(values: pa.Array) -> Mask:
    shaped = regex(values, IP_RE) & (
        _np(pc.match_substring(values, ".")) | _np(pc.match_substring(values, ":"))
    )

    def check(v: str) -> bool:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            return False
        return True

    return _per_value(values, shaped, check)


def phone(values: pa.Array, region: str) -> Mask:
    n_digits = pc.utf8_length(pc.replace_substring_regex(values, r"\D", "")).to_numpy()
    shaped = (
        regex(values, PHONE_RE) & ~regex(values, ISO_DATE_RE) & (n_digits >= 7) & (n_digits <= 15)
    )

    def check(v: str) -> bool:
        try:
            number = phonenumbers.parse(v, region)
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.is_valid_number(number)

    return _per_value(values, shaped, check)


def _plausible(ts: pa.Array, today: dt.date) -> Mask:
    # Straight to whole days: a date64 or sub-second timestamp would refuse a lossy cast to
    # seconds, and the time of day does not matter here.
    days = pc.cast(ts, pa.date32(), safe=False)
    lo, hi = pa.scalar(dt.date(1900, 1, 1)), pa.scalar(today)
    return _np(pc.and_(pc.greater_equal(days, lo), pc.less_equal(days, hi)))


def birth_date(values: pa.Array, *, native: pa.Array | None = None) -> Mask:
    """Dates from 1900 to today. ``native`` is the distinct values in their own date or
    timestamp type, when the column has one."""
    today = dt.datetime.now(dt.UTC).date()
    if native is not None:
        return _plausible(native, today)
    result = np.zeros(len(values), dtype=bool)
    first10 = pc.utf8_slice_codeunits(values, 0, 10)
    for fmt in DATE_FORMATS:
        source = first10 if fmt == "%Y-%m-%d" else values
        parsed = pc.strptime(source, format=fmt, unit="s", error_is_null=True)
        result |= _plausible(parsed, today)
    return result


def person_name(values: pa.Array) -> Mask:
    return regex(values, NAME_RE) & (pc.utf8_length(values).to_numpy() <= 80)
