"""Which checks run on a column, given its Arrow type and its name's hints: one
:class:`Candidate` (a mask over the distinct values plus how much it proves) per type.

A shape with no checksum is only tried when the name hints at it, so it never costs a
validator run on an unrelated column and never decides alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.privacy import _checks as ck
from dte_desktop.core.privacy import _checks_ids as ids
from dte_desktop.core.privacy import _checks_text as tx


@dataclass(frozen=True)
class Candidate:
    type: str
    mask: np.ndarray
    validator: str
    needs_hint: bool = False
    shape_only: bool = False
    detail: str | None = None
    min_rate: float | None = None


def _pad9(uniques: pa.Array) -> pa.Array:
    """Integer storage drops leading zeros (SSN area 012 is stored as 12…)."""
    return pc.if_else(pc.less(pc.utf8_length(uniques), 9), pc.utf8_lpad(uniques, 9, "0"), uniques)


def _integer(
    uniques: pa.Array,
    counts: np.ndarray,
    hints: Mapping[str, float],
    regions: Sequence[str],
    schemes: frozenset[str] | None,
) -> Iterator[Candidate]:
    padded = _pad9(uniques)
    yield Candidate("payment_card", ck.payment_card(uniques), "Luhn + issuer ranges")
    if hints["ssn"]:
        yield Candidate("ssn", ck.ssn(padded, allow_bare=True), "python-stdnum us.ssn")
    mask, scheme = ids.national_id(padded, counts, schemes)
    yield Candidate("national_id", mask, f"python-stdnum {scheme}", detail=scheme)
    yield Candidate("uk_nhs", ids.uk_nhs(uniques), "python-stdnum gb.nhs")
    if hints["phone"]:
        yield Candidate("phone", ck.phone(uniques, regions), "phonenumbers")
        yield Candidate(
            "phone", ck.phone_shaped_only(uniques), "phone shape + column name", shape_only=True
        )
    if hints["bank_account"]:
        yield Candidate(
            "bank_account", ids.bank_account(uniques), "digits + column name", shape_only=True
        )
    if hints["us_passport"]:
        yield Candidate(
            "us_passport", ids.us_passport(padded), "passport shape + column name", shape_only=True
        )
    if hints["date_of_birth"]:
        yield Candidate("date_of_birth", ck.birth_date(uniques), "date 1900-today + column name")


def _dates(
    uniques: pa.Array, counts: np.ndarray, native: pa.Array | None, hints: Mapping[str, float]
) -> Iterator[Candidate]:
    days = ck.date_days(uniques, native=native)
    plausible = ck.plausible_birth(days)
    if hints["date_of_birth"]:
        yield Candidate("date_of_birth", plausible, "date 1900-today + column name")
    elif plausible.any() and ck.looks_like_birth_dates(days, counts):
        yield Candidate("date_of_birth", plausible, "dates spread over adults' birth years")


def _text(
    uniques: pa.Array,
    counts: np.ndarray,
    hints: Mapping[str, float],
    regions: Sequence[str],
    schemes: frozenset[str] | None,
) -> Iterator[Candidate]:
    # Cheap gates: most checks need a digit (or an @); a column without any skips them.
    if ck.regex(uniques, "@").any():
        yield Candidate("email", ck.email(uniques), "email-validator")
    yield Candidate("crypto_wallet", ids.crypto_wallet(uniques), "Base58Check / bech32")
    yield Candidate("mac_address", ids.mac_address(uniques), "EUI-48 format")
    yield Candidate("url", ids.url(uniques), "urllib.parse")
    if ck.regex(uniques, r"\d").any():
        yield from _text_with_digits(uniques, counts, hints, regions, schemes)
    if hints["username"]:
        yield Candidate(
            "username", tx.username(uniques), "login-name shape + column name", shape_only=True
        )
    full, shaped = tx.person_name(uniques)
    yield Candidate("person_name", full, "given + family name lists")
    if hints["person_name"] == 1.0:  # a bare "name" (products, companies) needs full names
        yield Candidate("person_name", shaped, "name lists + column name")
    strong, weak = tx.secret(uniques)
    yield Candidate("secret", strong, "password-hash / API-key formats")
    if hints["secret"]:
        yield Candidate("secret", weak, "high-entropy token + column name")
    elif counts[strong].sum() * 2 >= counts.sum():
        # Mostly password-hash/API-key formats: the column's other high-entropy strings are
        # secrets of older schemes (raw hex digests), not file checksums.
        yield Candidate("secret", weak, "password-hash / API-key formats + high-entropy tokens")


def _text_with_digits(
    uniques: pa.Array,
    counts: np.ndarray,
    hints: Mapping[str, float],
    regions: Sequence[str],
    schemes: frozenset[str] | None,
) -> Iterator[Candidate]:
    yield Candidate("payment_card", ck.payment_card(uniques), "Luhn + issuer ranges")
    yield Candidate("iban", ck.iban_number(uniques), "python-stdnum iban (mod 97, layout)")
    yield Candidate("ssn", ck.ssn(uniques, allow_bare=bool(hints["ssn"])), "python-stdnum us.ssn")
    yield Candidate("itin", ids.itin(uniques, allow_bare=bool(hints["itin"])), "stdnum us.itin")
    mask, scheme = ids.national_id(uniques, counts, schemes)
    yield Candidate("national_id", mask, f"python-stdnum {scheme}", detail=scheme)
    yield Candidate("uk_nhs", ids.uk_nhs(uniques), "python-stdnum gb.nhs")
    yield Candidate("uk_nino", ids.uk_nino(uniques), "HMRC NINO prefix rules")
    yield Candidate("medical_licence", ids.medical_licence(uniques), "DEA check digit")
    ip = ck.ip_address(uniques)
    versions = ck.version_like(uniques) & ip
    if hints["ip_address"] or counts[versions].sum() < 0.5 * max(1, counts[ip].sum()):
        yield Candidate("ip_address", ip, "ipaddress")
    yield Candidate("aba_routing", ids.aba_routing(uniques), "python-stdnum us.rtn")
    yield Candidate("phone", ck.phone(uniques, regions), f"phonenumbers ({', '.join(regions)})")
    if hints["phone"]:
        yield Candidate(
            "phone", ck.phone_shaped_only(uniques), "phone shape + column name", shape_only=True
        )
    for pii_type, check, what in (
        ("us_passport", ids.us_passport, "passport shape"),
        ("us_driver_licence", ids.us_driver_licence, "licence shape"),
        ("bank_account", ids.bank_account, "account digits"),
    ):
        if hints[pii_type]:
            yield Candidate(pii_type, check(uniques), f"{what} + column name", shape_only=True)
    yield from _dates(uniques, counts, None, hints)
    yield Candidate("street_address", tx.street_address(uniques), "house number + street word")


def candidates(
    uniques: pa.Array,
    counts: np.ndarray,
    native: pa.Array | None,
    dtype: pa.DataType,
    hints: Mapping[str, float],
    regions: Sequence[str],
    schemes: frozenset[str] | None = None,
) -> Iterator[Candidate]:
    """The candidates for a column of ``dtype`` (``uniques`` are its distinct values as text,
    ``native`` the same in their date or timestamp type)."""
    if native is not None:
        yield from _dates(uniques, counts, native, hints)
    elif pa.types.is_integer(dtype):
        yield from _integer(uniques, counts, hints, regions, schemes)
    elif pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return  # measurements and amounts; an identifier stored as a float lost its digits
    else:
        yield from _text(uniques, counts, hints, regions, schemes)
