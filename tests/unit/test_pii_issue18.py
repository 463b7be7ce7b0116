"""Issue 18: what the detectors missed and what they flagged wrongly, one test per item."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.detectors import detect_all, detect_pii
from dte_desktop.core.privacy.freetext import find_spans, mask_spans


def _type(values, column: str = "col", **kw) -> str | None:
    finding = detect_pii(values, column, **kw)
    return None if finding is None else finding.type


def _noisy(values: list[str], junk_share: float, seed: int = 1) -> list[str | None]:
    """200 rows: 15 % NULL, ``junk_share`` placeholders, the rest drawn from ``values``."""
    rng = random.Random(seed)
    junk = ["N/A", "unknown", "000", "-", "n/a", "none", "?", "TBD"]
    out: list[str | None] = []
    for _ in range(200):
        r = rng.random()
        if r < 0.15:
            out.append(None)
        elif r < 0.15 + junk_share * 0.85:
            out.append(rng.choice(junk))
        else:
            out.append(rng.choice(values))
    return out


# --- misses -------------------------------------------------------------------------------


def test_sakila_phones_in_a_column_named_phone() -> None:
    rng = random.Random(7)
    phones = [str(rng.randrange(10**9, 10**12)) for _ in range(150)]
    finding = detect_pii(phones, "phone")
    assert finding is not None and finding.type == "phone"
    assert finding.suggested_classification is Level.CONFIDENTIAL


@pytest.mark.parametrize(
    ("values", "region"),
    [
        (["09-7625400", "03-6912345", "04-8123456", "02-6251111"], "IL"),
        (["13812345678", "13912345678", "15012345678", "18612345678"], "CN"),
        (["09171234567", "09181234567", "09221234567", "09951234567"], "PH"),
        (["05321234567", "05421234567", "05051234567", "05551234567"], "TR"),
    ],
)
def test_phones_of_a_configured_region(values: list[str], region: str) -> None:
    assert _type(values * 3, "contact", regions=(region,)) == "phone"


def test_street_addresses() -> None:
    addresses = [
        "47 MySakila Drive", "28 MySQL Boulevard", "23 Workhaven Lane", "1411 Lillydale Drive",
        "1913 Hanoi Way", "1121 Loja Avenue", "692 Joliet Street", "Hauptstraße 5",
        "12 rue de la Paix", "ul. Marszałkowska 10", "Calle Mayor 3", "10 Downing St",
    ]  # fmt: skip
    assert _type(addresses, "location") == "street_address"
    assert _type(addresses, "address") == "street_address"


def test_user_names_and_secrets() -> None:
    users = ["jsmith", "anna.k", "bob_99", "m.garcia", "tlee", "kw2021", "zoe-r", "admin7"]
    assert _type(users, "username") == "username"
    assert _type(users, "login") == "username"
    bcrypt = "$2b$12$" + "a" * 22 + "Q" * 31
    hashes = [
        bcrypt,
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        bcrypt[:-1] + "x",
    ]
    assert _type(hashes, "pw") == "secret"
    hexes = [f"{random.Random(i).getrandbits(256):064x}" for i in range(20)]
    assert _type(hexes, "password_hash") == "secret"
    assert _type(hexes, "file_checksum") is None  # a checksum is not a secret


def test_lower_case_names_and_names_without_a_hint() -> None:
    lower = ["john smith", "maria garcia", "wei zhang", "anna kowalski", "james brown"]
    assert _type(lower * 3, "customer") == "person_name"
    assert _type(["alice", "bob", "carol", "david"], "first_name") == "person_name"


def test_pii_in_free_text_is_flagged_with_its_types() -> None:
    notes = [
        f"Called the client, reach her at ann{i}@example.com or +1 202-555-01{i:02d}"
        for i in range(40)
    ]
    finding = detect_pii(notes, "notes")
    assert finding is not None and finding.type == "pii_in_text"
    assert finding.detail == "email, phone"
    assert "email-validator" in finding.validator and "phonenumbers" in finding.validator


def test_span_masking_keeps_the_rest_of_the_text() -> None:
    texts = pa.array(["mail ann@example.com today", None, "no pii here", "SSN 123-45-6789."])
    masked = mask_spans(texts).to_pylist()
    assert masked == ["mail [EMAIL] today", None, "no pii here", "SSN [SSN]."]
    whole = mask_spans(texts, whole_cell=True).to_pylist()
    assert whole == ["[REDACTED]", None, "no pii here", "[REDACTED]"]
    assert [sp.type for sp in find_spans(["Mr. Mayers called"])[0]] == ["person_name"]


def test_uatp_and_dankort_cards() -> None:
    assert _type(["122000000000003", "5019717010103742"] * 3, "col") == "payment_card"


def test_ibans_with_dashes_and_unregistered_bank_codes() -> None:
    assert _type(["BE68539007547034", "GB82-WEST-1234-5698-7654-32"] * 3, "col") == "iban"


def test_idn_emails() -> None:
    assert _type(["a@xn--d1acufc.xn--p1ai", "user@пример.рф", "b@xn--80ak6aa92e.com"]) == "email"


def test_cidr_and_zoned_ip_addresses() -> None:
    assert _type(["10.0.0.0/8", "192.168.1.0/24", "fe80::1%eth0", "2001:db8::/32"]) == "ip_address"


def test_ssns_with_dots_and_the_5_4_split() -> None:
    assert _type(["078.05.1123", "07805-1121", "123.45.6789", "12345-6789"]) == "ssn"


def test_birth_dates_in_more_formats() -> None:
    assert _type(["5-May-1991", "12 Mar 1985", "05/21/71", "3-Jan-1960"], "dob") == "date_of_birth"


def test_birth_dates_without_a_hint_when_the_values_are_strong() -> None:
    rng = random.Random(3)
    dobs = [f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    dobs = [
        f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        for _ in range(80)
    ]
    assert _type(dobs, "col_7") == "date_of_birth"
    recent = [f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(80)]
    assert _type(recent, "col_7") is None  # order dates


@pytest.mark.parametrize(
    ("values", "column", "expected"),
    [
        (["https://example.com/a", "http://www.test.org/x?y=1", "www.example.net"], "col", "url"),
        (["00:1A:2B:3C:4D:5E", "a4-5e-60-e8-12-af", "0019.d2ff.1234"], "col", "mac_address"),
        (["C12345678", "123456789", "A98765432"], "passport_no", "us_passport"),
        (["D1234567", "S12345678901", "1234567"], "driver_license", "us_driver_licence"),
        (["912-70-1234", "900-70-0000", "999-88-1234"], "col", "itin"),
        (["12345678", "000123456789", "9876543210"], "account_number", "bank_account"),
        (["011000015", "021000021", "122105278"], "col", "aba_routing"),
        (
            ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
             "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"],
            "col", "crypto_wallet",
        ),
        (["943 476 5919", "401 023 2137", "9434765870"], "col", "uk_nhs"),
        (["AB123456C", "CR 12 34 56 D", "JG103759A"], "col", "uk_nino"),
        (["AB1234563", "BJ2417411", "FC7654329"], "col", "medical_licence"),
    ],
)  # fmt: skip
def test_new_types(values: list[str], column: str, expected: str) -> None:
    assert _type(values * 3, column) == expected


def test_neutral_names_survive_a_quarter_and_more_of_junk() -> None:
    emails = [f"user{i}@example.com" for i in range(100)]
    for share in (0.0, 0.1, 0.25, 0.4):
        assert _type(_noisy(emails, share), "c1") == "email", share


# --- false alarms -------------------------------------------------------------------------


def test_version_strings_are_not_ip_addresses() -> None:
    assert _type(["10.2.0.1", "1.0.0.0", "2.3.1.4", "4.1.12.0", "10.0.2.3"] * 3, "col") is None
    assert _type(["10.2.0.1", "1.0.0.0"] * 3, "release") is None


def test_product_and_company_names_are_not_person_names() -> None:
    products = ["Acme Widget", "Blue Mountain Coffee", "Golden Delight", "Royal Canin"]
    products += ["Silver Arrow", "Green Valley Farms", "Ocean Spray", "Apple iPhone 13"]
    companies = ["Johnson Controls", "Smith Barney", "Ford Motor Company", "Wells Fargo"]
    companies += ["Procter Gamble", "Goldman Sachs", "Dell Technologies", "Black Rock"]
    assert _type(products * 2, "name") is None
    assert _type(companies * 2, "name") is None


def test_korean_business_number_is_not_an_ssn() -> None:
    assert _type(["110-81-4127", "220-81-6138", "120-86-1234"], "business_no") is None


def test_well_known_sample_ssn_is_ignored() -> None:
    assert _type(["078-05-1120"] * 10, "ssn") is None


def test_findings_carry_evidence() -> None:
    [finding, *_] = detect_all(["ann@example.com", "bob@example.org", "N/A"], "email")
    d = finding.as_dict()
    assert d["validator"] == "email-validator" and d["junk"] == 1
    assert d["evidence"].startswith("100% of 2 values pass email-validator")


# --- regions, span masking in the policy, evidence in the profile -------------------------

IL_PHONES = ["09-7625400", "03-6912345", "04-8123456", "02-6251111", "08-9123456"]


def test_site_phone_regions_reach_the_privacy_gate(tmp_path) -> None:
    from dte_desktop.core.errors import ConfigError
    from dte_desktop.core.privacy.gate import PrivacyGate
    from dte_desktop.core.privacy.policy import default_policy
    from dte_desktop.core.site import load_site

    site_file = tmp_path / "site.toml"
    site_file.write_text(
        '[privacy]\nphone_regions = ["gb"]\n\n[[connections]]\nname = "Warehouse"\n'
        'url = "postgresql://a@db.example/dw"\nphone_regions = ["IL"]\n'
    )
    site = load_site(site_file)
    assert site.regions_for("Warehouse") == ("IL", "GB")
    assert site.regions_for("Other") == ("GB",)
    assert load_site(tmp_path / "missing.toml").regions_for("x") == ("US",)
    values = pa.array(IL_PHONES * 4)
    gate = PrivacyGate(default_policy(), None, None, site.regions_for("Warehouse"))
    decision = gate.decide_column("contact", values, table=None)
    assert decision.classification.pii_type == "phone"
    us_gate = PrivacyGate(default_policy(), None, None)
    assert us_gate.decide_column("contact", values, table=None).classification.pii_type is None
    site_file.write_text('[privacy]\nphone_regions = ["XX"]\n')
    with pytest.raises(ConfigError, match="unknown phone region"):
        load_site(site_file)


def test_span_masking_is_a_policy_operator() -> None:
    from dte_desktop.core.privacy.operators import apply_operator, loosening_reason
    from dte_desktop.core.privacy.policy import default_policy

    notes = pa.array(["call 202-555-0173 today", "nothing here", None])
    spans = apply_operator("mask_spans", notes).to_pylist()
    assert spans == ["call [PHONE] today", "nothing here", None]
    whole = apply_operator("mask_spans", notes, {"whole_cell": True}).to_pylist()
    assert whole[0] != notes[0].as_py() and "202" not in whole[0] and whole[1] == "nothing here"
    assert default_policy().pii["pii_in_text"].operator == "mask_spans"
    assert loosening_reason("mask_spans", {"whole_cell": True}, {"whole_cell": False})


def test_the_profile_records_each_type_with_its_evidence() -> None:
    from dte_desktop.core.profiling.model import ColumnProfile
    from dte_desktop.core.profiling.sample import apply_sample

    col = ColumnProfile(name="contact", type="text", arrow_type="string", kind="text")
    apply_sample(col, pa.array(IL_PHONES * 4 + ["N/A"]), regions=("IL",))
    assert col.pii is not None and col.pii["type"] == "phone"
    assert col.pii["validator"].startswith("phonenumbers") and col.pii["junk"] == 1
    assert col.pii["suggested_classification"] == "Confidential"
    assert col.pii["types"][0]["evidence"].startswith("100% of 20 values pass phonenumbers")
    assert col.classification_reason.startswith("values look like phone (100% of 20 values")


def test_password_hashes_mixed_with_raw_hex_digests_in_a_neutral_column() -> None:
    """Three quarters bcrypt, the rest raw SHA-256 hex: a secrets column without a name hint
    (the hex alone stays a checksum)."""
    rng = random.Random(5)
    alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./"
    bcrypt = ["$2b$12$" + "".join(rng.choice(alnum) for _ in range(53)) for _ in range(30)]
    hexes = [rng.randbytes(32).hex() for _ in range(12)]
    assert _type(bcrypt + hexes, "c7") == "secret"
    assert _type(hexes, "c7") is None


def test_slavic_gendered_surnames_and_names_fakers_lists_lack() -> None:
    names = ["mary petrova", "Olga Ivanova", "SOFIA KOWALSKI", "Anna Wiśniewska"]
    names.append("Sanjay R. Garcia")
    assert all(_type([n] * 3, "customer_name") == "person_name" for n in names), [
        (n, _type([n] * 3, "customer_name")) for n in names
    ]
    assert _type(names * 4, "c9") == "person_name"


def test_a_column_named_for_a_person_is_not_suggested_public_when_values_do_not_confirm() -> None:
    # Seen in the first-session tour: full_name holding "Ana Tourson17" was suggested Public.
    from dte_desktop.core.profiling.sample import classify

    assert classify("full_name", None, None) == (
        "Confidential",
        "column name says person name; the sample did not confirm it",
    )
    assert classify("customer_ssn", None, None)[0] == "HRCI"
    assert classify("contact_email", None, None)[0] == "Confidential"
    assert classify("birth_date", None, None)[0] == "Confidential"
    # Names that say something else stay value-decided.
    assert classify("product_name", None, None)[0] == "Public"
    assert classify("country", None, None)[0] == "Public"
    assert classify("user_id", None, None)[0] == "Public"
    assert classify("balance", None, None)[0] == "Proprietary"
