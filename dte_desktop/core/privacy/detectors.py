"""PII detection on a column's sampled values plus its name.

Rules of evidence:

* Values decide; a column name only helps. Types recognisable by their values (email,
  payment card, IBAN, formatted SSN, national IDs, IP address, phone) need at least
  ``min_match_rate`` (0.8) of the non-null sampled values to match, or ``hinted_match_rate``
  (0.6) when the column name also says so (dirty data in a column called ``email``).
* Types that values alone cannot tell apart from ordinary data need both: a name hint AND
  ``min_match_rate`` of values: dates of birth (``dob``/``birth…`` columns holding dates
  between 1900 and today), person names (``first_name``/``surname``/… holding capitalised
  alphabetic words), nine bare digits as SSN, and phone numbers stored as integers.
* Numeric, date and binary columns are never person names.
* ``match_rate`` is weighted by how often each value occurs; ``confidence`` is the Wilson
  95 % lower bound of the rate over the *distinct* values examined (so a column that repeats
  one email a thousand times is not "certain"), raised a little by a name hint and capped
  lower for the weak hint of a bare ``name`` column.

Values are trimmed, empty strings ignored, deduplicated, and at most ``max_distinct`` distinct
values are examined, so the per-value validators stay cheap on large samples.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.privacy import _arrow_text as at
from dte_desktop.core.privacy import _checks as checks
from dte_desktop.core.privacy.classification import Level

MIN_MATCH_RATE = 0.8
HINTED_MATCH_RATE = 0.6
MAX_DISTINCT = 5_000

#: The level the profiler suggests for each PII type.
SUGGESTED_LEVEL: Mapping[str, Level] = {
    "ssn": Level.HRCI,
    "payment_card": Level.HRCI,
    "iban": Level.HRCI,
    "national_id": Level.HRCI,
    "email": Level.CONFIDENTIAL,
    "phone": Level.CONFIDENTIAL,
    "ip_address": Level.CONFIDENTIAL,
    "date_of_birth": Level.CONFIDENTIAL,
    "person_name": Level.CONFIDENTIAL,
}
#: Tie-break when two types match equally well: the more specific format first.
_PRIORITY = (
    "email",
    "payment_card",
    "iban",
    "ssn",
    "national_id",
    "ip_address",
    "phone",
    "date_of_birth",
    "person_name",
)

PII_TYPES: tuple[str, ...] = _PRIORITY


@dataclass(frozen=True)
class PiiFinding:
    type: str
    match_rate: float
    confidence: float
    suggested_classification: Level
    sampled: int = 0
    distinct: int = 0
    name_hint: bool = False
    detail: str | None = None


# --- column names -----------------------------------------------------------------------

_HINT_TOKENS: Mapping[str, frozenset[str]] = {
    "email": frozenset({"email", "mail", "emailaddress", "emails"}),
    "phone": frozenset(
        {"phone", "tel", "telephone", "mobile", "cell", "fax", "msisdn", "phonenumber"}
    ),
    "ssn": frozenset({"ssn", "ssns", "socialsecurity"}),
    "payment_card": frozenset({"card", "cc", "pan", "ccnum", "cardnumber", "creditcard"}),
    "iban": frozenset({"iban"}),
    "national_id": frozenset(
        {
            "nin",
            "nino",
            "bsn",
            "dni",
            "nif",
            "nir",
            "sin",
            "codicefiscale",
            "fiscal",
            "national",
            "nationalid",
            "taxid",
            "tin",
            "insee",
        }
    ),
    "ip_address": frozenset({"ip", "ipaddr", "ipaddress", "ipv4", "ipv6"}),
    "date_of_birth": frozenset(
        {"dob", "birth", "birthdate", "birthday", "born", "bdate", "dateofbirth"}
    ),
}
_NAME_WORDS = frozenset(
    {
        "surname",
        "forename",
        "firstname",
        "lastname",
        "fullname",
        "givenname",
        "familyname",
        "middlename",
        "maidenname",
        "fname",
        "lname",
    }
)
_NAME_QUALIFIERS = frozenset(
    {
        "first",
        "last",
        "full",
        "given",
        "family",
        "middle",
        "maiden",
        "sur",
        "fore",
        "customer",
        "employee",
        "patient",
        "person",
        "contact",
        "client",
        "legal",
        "holder",
        "owner",
        "member",
        "student",
        "mother",
        "father",
        "spouse",
    }
)
_NOT_PEOPLE = frozenset(
    {
        "company",
        "product",
        "file",
        "table",
        "column",
        "schema",
        "host",
        "server",
        "db",
        "database",
        "brand",
        "city",
        "street",
        "country",
        "org",
        "organisation",
        "organization",
        "business",
        "bank",
        "domain",
        "item",
        "category",
        "project",
        "app",
        "device",
        "sku",
        "user",
        "display",
        "screen",
        "login",
        "account",
        "field",
        "role",
        "group",
        "type",
    }
)


def name_tokens(column: str) -> list[str]:
    """``"customerEmail2"`` -> ``["customer", "email", "2"]``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column)
    spaced = re.sub(r"([A-Za-z])([0-9])", r"\1_\2", spaced)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def name_hint(column: str, pii_type: str) -> float:
    """1.0 for a clear hint, 0.5 for a weak one (a bare ``name``), 0.0 for none."""
    tokens = name_tokens(column)
    joined = "".join(tokens)
    if pii_type == "person_name":
        if _NOT_PEOPLE.intersection(tokens):
            return 0.0
        if _NAME_WORDS.intersection(tokens) or _NAME_WORDS.intersection({joined}):
            return 1.0
        if "name" in tokens:
            return 1.0 if _NAME_QUALIFIERS.intersection(tokens) else 0.5
        return 0.0
    words = _HINT_TOKENS[pii_type]
    if words.intersection(tokens) or joined in words:
        return 1.0
    if pii_type == "date_of_birth" and "birth" in joined:
        return 1.0
    if pii_type == "email" and "email" in joined:
        return 1.0
    if pii_type == "phone" and "phone" in joined:
        return 1.0
    return 0.0


# --- values -----------------------------------------------------------------------------


def _wilson_lower(rate: float, n: int, z: float = 1.96) -> float:
    if n == 0:
        return 0.0
    denom = 1 + z * z / n
    centre = rate + z * z / (2 * n)
    spread = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n))
    return max(0.0, (centre - spread) / denom)


def _to_arrow(values: pa.Array | pa.ChunkedArray | Sequence[object]) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return at.decode(at.as_array(values))
    return at.from_python(values)


def detect_pii(
    values: pa.Array | pa.ChunkedArray | Sequence[object],
    column: str,
    *,
    default_region: str = "US",
    min_match_rate: float = MIN_MATCH_RATE,
    hinted_match_rate: float = HINTED_MATCH_RATE,
    max_distinct: int = MAX_DISTINCT,
) -> PiiFinding | None:
    """The most likely PII type of one column, or None."""
    arr = _to_arrow(values)
    dtype = arr.type
    if at.is_nested(dtype):
        return None
    numeric = (
        pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype)
    )
    temporal = pa.types.is_date(dtype) or pa.types.is_timestamp(dtype)
    binary = (
        pa.types.is_binary(dtype)
        or pa.types.is_large_binary(dtype)
        or (pa.types.is_fixed_size_binary(dtype))
    )
    if binary or pa.types.is_boolean(dtype):
        return None
    native_uniques = None
    if temporal:
        native_uniques, counts = at.value_counts(arr)
        uniques = native_uniques.cast(pa.string())
    else:
        text = at.to_text(arr)
        if text is None:
            return None
        text = pc.utf8_trim_whitespace(text)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        uniques, counts = at.value_counts(text)
    if len(uniques) > max_distinct:
        uniques, counts = uniques.slice(0, max_distinct), counts[:max_distinct]
        if native_uniques is not None:
            native_uniques = native_uniques.slice(0, max_distinct)
    total = int(counts.sum())
    if total == 0:
        return None

    hints = {t: name_hint(column, t) for t in _PRIORITY}
    candidates: list[tuple[str, np.ndarray, bool, str | None]] = []
    if temporal:
        if hints["date_of_birth"]:
            candidates.append(
                ("date_of_birth", checks.birth_date(uniques, native=native_uniques), True, None)
            )
    else:
        if not numeric:
            candidates += [
                ("email", checks.email(uniques), False, None),
                ("iban", checks.iban_number(uniques), False, None),
                ("ip_address", checks.ip_address(uniques), False, None),
            ]
        candidates.append(("payment_card", checks.payment_card(uniques), False, None))
        ids = uniques
        if pa.types.is_integer(dtype):
            # Integer storage drops leading zeros (SSN area 012 is stored as 12…).
            ids = pc.if_else(
                pc.less(pc.utf8_length(uniques), 9), pc.utf8_lpad(uniques, 9, "0"), uniques
            )
        candidates.append(("ssn", checks.ssn(ids, allow_bare=bool(hints["ssn"])), False, None))
        nid_mask, nid_name = checks.national_id(ids, counts)
        candidates.append(("national_id", nid_mask, False, nid_name))
        if not numeric or hints["phone"]:
            candidates.append(("phone", checks.phone(uniques, default_region), numeric, None))
        if hints["date_of_birth"] and not pa.types.is_floating(dtype):
            candidates.append(("date_of_birth", checks.birth_date(uniques), True, None))
        if hints["person_name"] and not numeric:
            candidates.append(("person_name", checks.person_name(uniques), True, None))

    best: tuple[tuple[float, int], PiiFinding] | None = None
    for pii_type, mask, needs_hint, detail in candidates:
        hint = hints[pii_type]
        if needs_hint and not hint:
            continue
        rate = float(counts[mask].sum()) / total
        threshold = hinted_match_rate if hint and not needs_hint else min_match_rate
        if rate < threshold:
            continue
        confidence = _wilson_lower(rate, len(uniques))
        if hint:
            confidence = min(1.0, confidence + 0.1)
        if hint == 0.5:
            confidence = min(confidence, 0.6)
        finding = PiiFinding(
            type=pii_type,
            match_rate=round(rate, 4),
            confidence=round(confidence, 3),
            suggested_classification=SUGGESTED_LEVEL[pii_type],
            sampled=total,
            distinct=len(uniques),
            name_hint=bool(hint),
            detail=detail,
        )
        rank = (rate, -_PRIORITY.index(pii_type))
        if best is None or rank > best[0]:
            best = (rank, finding)
    return None if best is None else best[1]


def detect_columns(
    data: pa.RecordBatch | pa.Table,
    *,
    columns: Iterable[str] | None = None,
    default_region: str = "US",
) -> dict[str, PiiFinding | None]:
    """``detect_pii`` for each column of a sampled batch or table."""
    names = list(columns) if columns is not None else list(data.schema.names)
    return {
        name: detect_pii(data.column(name), name, default_region=default_region) for name in names
    }
