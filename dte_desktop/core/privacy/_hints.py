"""What a column's name says: a hint for a PII type (1.0 clear, 0.5 weak, 0.0 none), and
names that rule a type out (``business_no`` holds no SSN, ``version`` no IP address).

A hint only ever lowers the share of values needed or raises the confidence; values decide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


def _w(text: str) -> frozenset[str]:
    return frozenset(text.split())


_HINT_TOKENS: Mapping[str, frozenset[str]] = {
    "email": _w("email mail emailaddress emails courriel"),
    "phone": _w("phone tel telephone mobile cell fax msisdn phonenumber gsm"),
    "ssn": _w("ssn ssns socialsecurity socsec"),
    "itin": _w("itin"),
    "payment_card": _w("card cc pan ccnum cardnumber creditcard"),
    "iban": _w("iban"),
    "national_id": _w(
        "nin bsn dni nie nif nir sin codicefiscale fiscal national nationalid taxid tin "
        "insee pesel hetu cpr aadhaar personnummer rrn cpf idnr personal identity"
    ),
    "uk_nhs": _w("nhs nhsnumber nhsno"),
    "uk_nino": _w("nino nino nationalinsurance ni"),
    "us_passport": _w("passport passportno passportnumber"),
    "us_driver_licence": _w("dl driver drivers licence license driverlicense driverslicense"),
    "medical_licence": _w("dea npi medical prescriber physician"),
    "bank_account": _w("acct accountnumber acctno bankaccount accountno"),
    "aba_routing": _w("routing aba rtn routingnumber"),
    "crypto_wallet": _w("wallet btc bitcoin eth ethereum crypto"),
    "ip_address": _w("ip ipaddr ipaddress ipv4 ipv6 cidr subnet"),
    "mac_address": _w("mac macaddr macaddress hwaddr bssid"),
    "url": _w("url uri link website homepage href web"),
    "date_of_birth": _w("dob birth birthdate birthday born bdate dateofbirth"),
    "street_address": _w("address addr street address1 address2 line1"),
    "username": _w("username login handle nickname screenname userid uname user"),
    "pii_in_text": _w("notes note comment comments description remarks text message body memo"),
    "secret": _w(
        "password passwd pwd pass secret token apikey hash salt credential credentials "
        "privatekey passwordhash"
    ),
}

_NAME_WORDS = _w(
    "surname forename firstname lastname fullname givenname familyname middlename "
    "maidenname fname lname nachname vorname nom prenom"
)
_NAME_QUALIFIERS = _w(
    "first last full given family middle maiden sur fore customer employee patient "
    "person contact client legal holder owner member student mother father spouse "
    "author recipient"
)
_NOT_PEOPLE = _w(
    "company product file table column schema host server db database brand city "
    "street country org organisation organization business bank domain item category "
    "project app device sku user display screen login account field role group type "
    "store shop vendor supplier team model region state department dept job title tag "
    "label event plan"
)

#: Names of columns that hold codes, counts and products: no personal identifier there.
_NOT_PERSONAL_IDS = _w(
    "order invoice sku ean upc gtin isbn barcode tracking serial part product zip "
    "zipcode postcode postal version build release price amount qty quantity total "
    "count year business brn company vat ein org orgnr corp firm store shipment batch "
    "lot ticket transaction txn"
)
_NOT_FOR: Mapping[str, frozenset[str]] = {
    "ip_address": _w("version ver release build firmware sw app"),
    "pii_in_text": _w("notes note comment comments description remarks text message body memo"),
    "secret": _w("file checksum digest etag content commit git sha md5 blob"),
    "username": _w("agent count type role group"),
    "street_address": _w("ip email mac url web mail"),
    "url": frozenset(),
    "email": frozenset(),
    "phone": _w("order invoice sku ean zip postal serial version"),
    "date_of_birth": frozenset(),
    "person_name": frozenset(),
}
_PERSONAL_ID_TYPES = _w(
    "ssn itin national_id uk_nhs uk_nino us_passport us_driver_licence "
    "medical_licence bank_account payment_card"
)


def name_tokens(column: str) -> list[str]:
    """``"customerEmail2"`` -> ``["customer", "email", "2"]``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(column))
    spaced = re.sub(r"([A-Za-z])([0-9])", r"\1_\2", spaced)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def ruled_out(column: str, pii_type: str) -> bool:
    """True when the column's name says it holds something else (``110-81-4127`` in a
    ``business_no`` column is a Korean business number, not an SSN)."""
    tokens = set(name_tokens(column))
    if name_hint(column, pii_type) == 1.0:
        return False
    if pii_type in _PERSONAL_ID_TYPES and tokens & _NOT_PERSONAL_IDS:
        return True
    return bool(tokens & _NOT_FOR.get(pii_type, frozenset()))


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
    words = _HINT_TOKENS.get(pii_type, frozenset())
    if words.intersection(tokens) or joined in words:
        return 1.0
    if pii_type == "bank_account" and "account" in tokens:
        # account_number is a bank account; account_id is a surrogate key
        return 1.0 if {"number", "no", "num", "nr", "bank"} & set(tokens) else 0.0
    if pii_type == "username" and "user" in tokens and "name" in tokens:
        return 1.0
    for stem in ("birth", "email", "phone", "passport", "password", "routing", "wallet"):
        if stem in joined and stem in " ".join(words) + " " + pii_type:
            return 1.0
    if pii_type == "us_driver_licence" and ("licen" in joined and "driv" in joined):
        return 1.0
    return 0.0


#: Column-name words that name one national scheme: only that scheme is tried there.
_SCHEME_WORDS: Mapping[str, str] = {
    "bsn": "nl.bsn", "dni": "es.dni", "nie": "es.nie", "sin": "ca.sin", "pesel": "pl.pesel",
    "hetu": "fi.hetu", "cpr": "dk.cpr", "codicefiscale": "it.codicefiscale", "nir": "fr.nir",
    "insee": "fr.nir", "aadhaar": "in.aadhaar", "personnummer": "se.personnummer",
    "rrn": "kr.rrn",
}  # fmt: skip


def national_schemes(column: str) -> frozenset[str] | None:
    """The schemes a column's name points at (``bsn`` -> ``nl.bsn``), or None for any."""
    tokens = name_tokens(column)
    found = {_SCHEME_WORDS[t] for t in [*tokens, "".join(tokens)] if t in _SCHEME_WORDS}
    return frozenset(found) or None
