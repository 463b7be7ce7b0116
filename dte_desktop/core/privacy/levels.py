"""The PII types the detectors name, and the classification each suggests.

HRCI for identifiers that open a person's money, health or identity (SSN, card, passport,
national and health ids, bank accounts); Confidential for contact data, online identifiers
and secrets; Proprietary for URLs (a web address is more often a company's than a person's).
The order is the tie-break when two types fit equally well: the more specific format first.
"""

from __future__ import annotations

from collections.abc import Mapping

from dte_desktop.core.privacy.classification import Level

_H, _C, _P = Level.HRCI, Level.CONFIDENTIAL, Level.PROPRIETARY

SUGGESTED_LEVEL: Mapping[str, Level] = {
    "email": _C,
    "payment_card": _H,
    "iban": _H,
    "ssn": _H,
    "itin": _H,
    "national_id": _H,
    "uk_nhs": _H,
    "uk_nino": _H,
    "medical_licence": _H,
    "crypto_wallet": _C,
    "mac_address": _C,
    "ip_address": _C,
    "url": _P,
    "aba_routing": _C,
    "phone": _C,
    "us_passport": _H,
    "us_driver_licence": _H,
    "bank_account": _H,
    "date_of_birth": _C,
    "street_address": _C,
    "person_name": _C,
    "secret": _C,
    "username": _C,
    "pii_in_text": _C,
}

PII_TYPES: tuple[str, ...] = tuple(SUGGESTED_LEVEL)
