# ruff: noqa: E501 - tables of generators read better one per line
"""Writes ``pii_corpus.json``: labelled PII vectors (positives and hard negatives per type,
per country where it matters), non-PII look-alikes, and the specs of the realistic columns
``tests/unit/test_pii_corpus.py`` builds from them (200 rows, 15 % NULL, 0/10/25/40 %
placeholders).

``python tests/data/make_pii_corpus.py`` regenerates it; the output is deterministic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import corpus_ids as ci
import corpus_text as ct
from corpus_issue import ISSUE_CASES

OUT = Path(__file__).with_name("pii_corpus.json")
NOISE = (0.0, 0.1, 0.25, 0.4)

# (key, type, country, hinted column, found without a hint, positive, negative, regions)
ENTRIES = [
    ("email", "email", None, "email", True, ci.email_pos, ci.email_neg, ()),
    ("phone.us", "phone", "US", "phone", True, ci.phone_us, ci.phone_neg, ()),
    ("phone.intl", "phone", None, "mobile", True, ci.phone_intl, ci.phone_neg, ()),
    *[
        (f"phone.{r.lower()}", "phone", r, "tel", True, fn, ci.phone_neg, (r,))
        for r, fn in ci.REGION_PHONES.items()
    ],
    ("ssn", "ssn", "US", "ssn", True, ci.ssn_pos, ci.ssn_neg, ()),
    ("itin", "itin", "US", "itin", True, ci.itin_pos, ci.itin_neg, ()),
    ("payment_card", "payment_card", None, "card_number", True, ci.card_pos, ci.card_neg, ()),
    ("iban", "iban", None, "iban", True, ci.iban_pos, ci.iban_neg, ()),
    ("national_id.es", "national_id", "ES", "dni", True, ci.dni_pos, ci.dni_neg, ()),
    ("national_id.nl", "national_id", "NL", "bsn", True, ci.bsn_pos, ci.bad_check(ci.bsn_pos), ()),
    ("national_id.ca", "national_id", "CA", "sin", True, ci.sin_pos, ci.bad_check(ci.sin_pos), ()),
    ("national_id.pl", "national_id", "PL", "pesel", True, ci.pesel_pos, ci.bad_check(ci.pesel_pos), ()),
    ("uk_nhs", "uk_nhs", "GB", "nhs_number", True, ci.nhs_pos, ci.bad_check(ci.nhs_pos), ()),
    ("uk_nino", "uk_nino", "GB", "nino", True, ci.nino_pos, ci.nino_neg, ()),
    ("us_passport", "us_passport", "US", "passport_number", False, ci.passport_pos, ci.passport_neg, ()),
    ("us_driver_licence", "us_driver_licence", "US", "drivers_license", False, ci.dl_pos, ci.dl_neg, ()),
    ("medical_licence", "medical_licence", "US", "dea_number", True, ci.dea_pos, ci.bad_check(ci.dea_pos), ()),
    ("bank_account", "bank_account", "US", "account_number", False, ci.bank_pos, ci.bank_neg, ()),
    ("aba_routing", "aba_routing", "US", "routing_number", True, ci.aba_pos, ci.bad_check(ci.aba_pos), ()),
    ("crypto_wallet", "crypto_wallet", None, "wallet", True, ci.btc_pos, ci.btc_neg, ()),
    ("ip_address", "ip_address", None, "client_ip", True, ci.ip_pos, ci.ip_neg, ()),
    ("mac_address", "mac_address", None, "mac", True, ci.mac_pos, ci.mac_neg, ()),
    ("url", "url", None, "website", True, ci.url_pos, ci.url_neg, ()),
    ("date_of_birth", "date_of_birth", None, "birth_date", True, ct.dob_pos, ct.dob_neg, ()),
    ("person_name", "person_name", None, "customer_name", True, ct.name_pos, ct.name_neg, ()),
    ("street_address", "street_address", None, "address", True, ct.street_pos, ct.street_neg, ()),
    ("username", "username", None, "username", False, ct.user_pos, ct.user_neg, ()),
    ("secret", "secret", None, "password_hash", True, ct.secret_pos, ct.secret_neg, ()),
    ("pii_in_text", "pii_in_text", None, "notes", True, ct.note_pos, ct.note_neg, ()),
]  # fmt: skip


def place_issue_cases(vectors: list[dict], looks: dict[str, dict]) -> None:
    """Each value issue 18 names goes to the front of its pool (a miss among the positives,
    a false alarm among the negatives or the look-alike values) unless it is there already."""
    by_key = {v["key"]: v for v in vectors}
    for pool, value, _column, expected, _why in ISSUE_CASES:
        if pool.startswith("lookalike:"):
            values = looks[pool.split(":", 1)[1]]["values"]
        else:
            values = by_key[pool]["positives" if expected else "negatives"]
        if value not in values:
            values.insert(0, value)


def main() -> None:
    vectors = []
    for key, pii_type, country, column, neutral, pos, neg, regions in ENTRIES:
        positives, negatives = ci.many(pos), ci.many(neg)
        negatives = [v for v in negatives if v not in positives]
        vectors.append(
            {
                "key": key, "type": pii_type, "country": country, "column": column,
                "neutral": neutral, "regions": list(regions),
                "positives": positives, "negatives": negatives,
            }
        )  # fmt: skip
    looks = ct.lookalikes()
    place_issue_cases(vectors, looks)
    columns, seed = [], 0
    for v in vectors:
        names = [v["column"]] + ([f"c{len(columns)}"] if v["neutral"] else [])
        for noise in NOISE:
            for name in names:
                seed += 1
                columns.append({"name": name, "label": v["type"], "source": v["key"],
                                "noise": noise, "seed": seed, "regions": v["regions"]})  # fmt: skip
    for kind, spec in looks.items():
        for i, name in enumerate(spec["names"]):
            seed += 1
            columns.append({"name": name, "label": None, "source": kind,
                            "noise": NOISE[(i + seed) % 4], "seed": seed, "regions": []})  # fmt: skip
    corpus = {
        "about": "Labelled PII vectors and column specs for issue 18; see make_pii_corpus.py.",
        "noise_levels": list(NOISE),
        "placeholders": ["N/A", "n/a", "unknown", "000", "-", "none", "?", "TBD", "NULL", "x"],
        "vectors": vectors,
        "lookalikes": {k: v["values"] for k, v in looks.items()},
        "columns": columns,
        "issue_cases": [
            {"pool": pool, "value": value, "column": column, "expected": expected, "issue": why}
            for pool, value, column, expected, why in ISSUE_CASES
        ],
    }
    OUT.write_text(json.dumps(corpus, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n_pos = sum(len(v["positives"]) for v in vectors)
    print(f"{OUT.name}: {len(vectors)} vector sets, {n_pos} positives, {len(columns)} columns")


if __name__ == "__main__":
    main()
