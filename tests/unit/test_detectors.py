"""PII detectors: positive and negative vectors for each type, and the rules of evidence."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from stdnum import luhn

from dte_desktop.core.privacy._checks import card_issuer
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.detectors import (
    detect_columns,
    detect_pii,
    name_hint,
    name_tokens,
)


def _type(values, column: str = "col", **kw) -> str | None:
    finding = detect_pii(values, column, **kw)
    return None if finding is None else finding.type


# --- email --------------------------------------------------------------------------------

EMAILS = ["ann@example.com", "bob.smith+tag@mail.example.co.uk", "x_y@sub.example.org"]


def test_email_positive() -> None:
    finding = detect_pii(EMAILS * 3, "contact")
    assert finding is not None and finding.type == "email"
    assert finding.match_rate == 1.0
    assert finding.suggested_classification is Level.CONFIDENTIAL
    assert not finding.name_hint


def test_emails_inside_text_are_pii_in_text_not_email() -> None:
    values = ["write to ann@example.com today", "mail bob@example.org", "cc: x@y.example.com"]
    finding = detect_pii(values, "contact")
    assert finding is not None and finding.type == "pii_in_text" and finding.detail == "email"


@pytest.mark.parametrize(
    "values",
    [
        ["ann@", "@example.com", "ann@@example.com", "ann@example", "ann example.com"],
        ["ann@exa mple.com", "bob@example..com", "<bob@example.com>"],
    ],
)
def test_email_negative(values: list[str]) -> None:
    assert _type(values, "contact") is None


def test_free_text_column_with_one_email_is_not_flagged() -> None:
    notes = [f"meeting note number {i} about the quarterly plan" for i in range(30)]
    assert _type(notes + ["ann@example.com"], "notes") is None
    # Even when the column is named email, one lucky value out of many is not enough.
    assert _type(notes + ["ann@example.com"], "email") is None


def test_name_hint_lowers_the_bar_for_dirty_data() -> None:
    dirty = EMAILS * 2 + ["see file", "ask bob", "left"]  # 6 of 9 match: 0.67
    assert _type(dirty, "customer_email") == "email"
    assert _type(dirty, "contact") is None


def test_placeholders_are_set_aside_before_the_share_is_computed() -> None:
    """Issue 18: a quarter of junk used to hide a neutrally named column."""
    noisy = EMAILS * 2 + ["n/a", "unknown", "-", "N/A", "000"]
    finding = detect_pii(noisy, "contact")
    assert finding is not None and finding.type == "email" and finding.match_rate == 1.0
    assert finding.junk == 5 and "placeholder" in finding.evidence


# --- SSN ----------------------------------------------------------------------------------


def test_ssn_positive() -> None:
    values = ["123-45-6789", "078-05-1123", "219 09 9998", "665-01-0001"]
    finding = detect_pii(values, "col")
    assert finding is not None and finding.type == "ssn"
    assert finding.suggested_classification is Level.HRCI


@pytest.mark.parametrize(
    "invalid",
    ["000-12-3456", "666-12-3456", "900-12-3456", "999-99-9999", "123-00-4567", "123-45-0000"],
)
def test_ssn_invalid_ranges(invalid: str) -> None:
    assert _type([invalid] * 5, "ssn") is None


def test_bare_nine_digits_need_the_column_name() -> None:
    values = ["123456789", "078051123", "219099998"]
    assert _type(values, "customer_ssn") == "ssn"
    assert _type(values, "reference") != "ssn"
    # Stored as integers, leading zeros are gone: 78051123 is 078-05-1123.
    assert _type(pa.array([123456789, 78051123]), "ssn") == "ssn"
    assert _type(pa.array([123456789, 223456780, 323456781]), "order_id") is None


# --- payment cards --------------------------------------------------------------------

CARDS = [
    "4111 1111 1111 1111",  # Visa
    "4012888888881881",
    "5555555555554444",  # Mastercard 5-series
    "2223000048400011",  # Mastercard 2-series
    "378282246310005",  # Amex
    "6011111111111117",  # Discover
    "3530111333300000",  # JCB
    "3056-9309-0259-04",  # Diners
]


def test_card_positive() -> None:
    finding = detect_pii(CARDS, "col")
    assert finding is not None and finding.type == "payment_card"
    assert finding.suggested_classification is Level.HRCI


@pytest.mark.parametrize(
    ("digits", "issuer"),
    [
        ("4111111111111111", "visa"),
        ("2223000048400011", "mastercard"),
        ("5105105105105100", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("1111111111111117", None),  # no issuer starts with 1
        ("37828224631000", None),  # Amex prefix, wrong length
    ],
)
def test_card_issuers(digits: str, issuer: str | None) -> None:
    assert card_issuer(digits) == issuer


def test_luhn_failing_cards_are_not_cards() -> None:
    bad = ["4111 1111 1111 1112", "5555555555554445", "378282246310006", "6011111111111118"]
    assert all(not luhn.is_valid(c.replace(" ", "")) for c in bad)
    assert _type(bad * 2, "card_number") is None


def test_luhn_valid_numbers_without_an_issuer_are_not_cards() -> None:
    bodies = ["100000000000000", "900000000000123", "800000000000456"]
    values = [b + luhn.calc_check_digit(b) for b in bodies]
    assert _type(values, "col") != "payment_card"


# --- IBAN and national IDs --------------------------------------------------------------


def test_iban_positive_and_malformed() -> None:
    good = ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR1420041010050500013M02606"]
    assert _type(good, "col") == "iban"
    malformed = [
        "GB82 WEST 1234 5698 7654 33",  # checksum
        "DE89370400440532013001",
        "XX89370400440532013000",  # no such country
        "GB82WEST",  # too short
    ]
    assert _type(malformed, "iban") is None


def test_national_ids() -> None:
    sin_bodies = ["13029382", "19283746", "27364554"]
    sins = [b + luhn.calc_check_digit(b) for b in sin_bodies]
    finding = detect_pii(sins, "sin")
    assert finding is not None and finding.type == "national_id"
    assert finding.detail == "ca.sin"
    assert _type(["54362315K", "12345678Z"], "dni") == "national_id"
    assert _type(["54362315A", "12345678B"], "dni") is None  # wrong check letters
    assert _type(["RCCMNL83S18D969H"], "codice_fiscale") == "national_id"


# --- IP addresses ------------------------------------------------------------------------


def test_ip_addresses() -> None:
    assert _type(["192.168.0.1", "10.0.0.254", "2001:db8::1", "::1"], "col") == "ip_address"
    assert _type(["256.1.1.1", "1.2.3", "3.14", "12:30:00"], "client_ip") is None


# --- phone numbers ----------------------------------------------------------------------


def test_phone_positive_and_negative() -> None:
    phones = ["+1 202-555-0173", "(415) 555-2671", "+44 20 7946 0958", "+33 1 42 68 53 00"]
    finding = detect_pii(phones, "col")
    assert finding is not None and finding.type == "phone"
    assert _type(["12345", "555-0000", "+1 000 000 0000", "2020-01-02"], "phone") is None


def test_phone_default_region() -> None:
    uk_local = ["020 7946 0958", "0161 496 0000", "0113 496 0000"]
    assert _type(uk_local, "telephone", default_region="GB") == "phone"


def test_integer_columns_are_phones_only_when_named_so() -> None:
    ints = pa.array([2025550173, 4155552671, 2125550199])
    assert _type(ints, "mobile") == "phone"
    assert _type(ints, "account_id") is None


# --- dates of birth ----------------------------------------------------------------------


def test_date_of_birth_needs_name_and_plausible_values() -> None:
    dates = pa.array([dt.date(1980, 1, 2), dt.date(1955, 6, 7), None])
    finding = detect_pii(dates, "date_of_birth")
    assert finding is not None and finding.type == "date_of_birth"
    assert detect_pii(dates, "created_at") is None
    text = ["1985-03-12", "12/31/1999", "1970-01-01 00:00:00", "19850312"]
    assert _type(text, "dob") == "date_of_birth"
    future = pa.array([dt.date(2999, 1, 1), dt.date(2998, 1, 1)])
    assert _type(future, "birthdate") is None
    assert _type(["1850-01-01", "1801-02-03"], "birth_date") is None
    assert _type(["hello", "world"], "dob") is None


# --- person names -----------------------------------------------------------------------


def test_person_names_need_name_and_values() -> None:
    names = ["Alice", "Bob", "Jean-Luc", "Mary Ann", "O'Brien", "Ludwig van Beethoven", "Zoë"]
    finding = detect_pii(names, "first_name")
    assert finding is not None and finding.type == "person_name"
    assert finding.suggested_classification is Level.CONFIDENTIAL
    assert _type(names, "status") is None
    assert _type(names, "product_name") is None


def test_numbers_and_dates_named_name_are_not_names() -> None:
    assert _type(pa.array([1, 2, 3, 4]), "name") is None
    assert _type(pa.array([1.5, 2.5]), "full_name") is None
    assert _type(pa.array([dt.date(2020, 1, 1), dt.date(2021, 1, 1)]), "name") is None
    assert _type(["12345", "67890", "2020-01-01"], "last_name") is None
    assert _type(["2020-01-01", "2021-03-04"], "name") is None
    assert _type(["12:30", "13:45"], "first_name") is None


def test_bare_name_column_is_a_weak_hint() -> None:
    finding = detect_pii(["Alice Smith", "Bob Jones", "Carol King"], "name")
    assert finding is not None and finding.type == "person_name"
    assert finding.confidence <= 0.6


# --- rules of evidence ------------------------------------------------------------------


def test_column_name_alone_never_decides() -> None:
    assert _type(["hello", "world", "foo"], "email") is None
    assert _type(["hello", "world", "foo"], "ssn") is None
    assert _type(["x"], "credit_card_number") is None


def test_confidence_grows_with_distinct_sample_size() -> None:
    few = detect_pii(["ann@example.com"], "col")
    many = detect_pii([f"user{i}@example.com" for i in range(200)], "col")
    assert few is not None and many is not None
    assert few.confidence < 0.5 < many.confidence
    repeated = detect_pii(["ann@example.com"] * 1000, "col")
    assert repeated is not None and repeated.confidence == few.confidence


def test_nulls_empties_and_unusual_types() -> None:
    assert detect_pii([None, "", "  "], "email") is None
    assert detect_pii([], "email") is None
    assert detect_pii(pa.array([[1], [2]]), "email") is None
    assert detect_pii(pa.array([b"ann@example.com"]), "email") is None
    padded = detect_pii(["  ann@example.com ", None, "", "bob@example.com"], "col")
    assert padded is not None and padded.type == "email" and padded.sampled == 2


def test_deduplication_keeps_rates_weighted() -> None:
    values = ["ann@example.com"] * 90 + [f"free text {i}" for i in range(10)]
    finding = detect_pii(values, "col")
    assert finding is not None and finding.match_rate == 0.9
    assert finding.distinct == 11


def test_detect_columns_on_a_batch() -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "email": EMAILS,
            "ssn": ["123-45-6789", "078-05-1123", "219-09-9998"],
            "qty": [1, 2, 3],
        }
    )
    found = detect_columns(batch)
    assert found["email"].type == "email"
    assert found["ssn"].type == "ssn"
    assert found["qty"] is None


def test_name_tokens_and_hints() -> None:
    assert name_tokens("customerEmail2") == ["customer", "email", "2"]
    assert name_hint("DOB", "date_of_birth") == 1.0
    assert name_hint("date_of_birth", "date_of_birth") == 1.0
    assert name_hint("LastName", "person_name") == 1.0
    assert name_hint("company_name", "person_name") == 0.0
    assert name_hint("name", "person_name") == 0.5
