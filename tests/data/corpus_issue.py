# ruff: noqa: E501 - one case per line reads better
"""The values issue 18 names (misses and false alarms), each placed in the corpus by
``make_pii_corpus.py``: a miss at the front of its vector set's positives, a false alarm among
the negatives or in a look-alike pool, so the realistic columns draw them too.
``tests/unit/test_pii_corpus.py`` checks each is there and comes out as labelled.

(pool, value, column it is tried in, expected type or None, what the issue said)
``pool`` is a vector key (``email``, ``phone.il``) or ``lookalike:KIND``.
"""

from __future__ import annotations

ISSUE_CASES = [
    ("phone.us", "6172235589", "phone", "phone", "Pagila address.phone, 10 digits, suggested Public"),
    ("phone.us", "14033335568", "phone", "phone", "Pagila address.phone, 11 digits"),
    ("phone.us", "838635286649", "phone", "phone", "Pagila address.phone, 12 digits"),
    ("phone.il", "09-7625400", "tel", "phone", "other region's phone (IL)"),
    ("phone.cn", "13812345678", "tel", "phone", "other region's phone (CN)"),
    ("phone.ph", "09171234567", "tel", "phone", "PH mobile"),
    ("phone.tr", "05321234567", "tel", "phone", "TR mobile"),
    ("street_address", "47 MySakila Drive", "address", "street_address", "street addresses: no detector"),
    ("username", "mike.hillyer", "username", "username", "user names"),
    ("secret", "8cb2237d0679ca88db6464eac60da96345513964", "password_hash", "secret", "password hash (hex)"),
    ("secret", "c2VjcmV0LXRva2VuLWZvci10ZXN0aW5nLTEyMzQ1Ng==", "password_hash", "secret", "secret (base64)"),
    ("person_name", "mary smith", "customer_name", "person_name", "names in lower case"),
    ("pii_in_text", "Customer wrote from anna.k@example.com about the refund", "notes", "pii_in_text", "e-mail inside free text"),
    ("pii_in_text", "Please call back on +1 415 823 4419 after 5pm", "notes", "pii_in_text", "phone inside free text"),
    ("payment_card", "122000000000003", "card_number", "payment_card", "UATP card"),
    ("payment_card", "5019717010103742", "card_number", "payment_card", "Dankort card"),
    ("iban", "BE68539007547034", "iban", "iban", "valid checksum, bank code not in stdnum's registry"),
    ("iban", "BE68-5390-0754-7034", "iban", "iban", "IBAN with dashes"),
    ("email", "a@xn--d1acufc.xn--p1ai", "email", "email", "IDN domain (punycode)"),
    ("ip_address", "192.168.10.0/24", "client_ip", "ip_address", "IP in CIDR form"),
    ("ip_address", "fe80::1ff:fe23:4567:890a%eth0", "client_ip", "ip_address", "IPv6 with a zone id"),
    ("ssn", "078.05.1123", "ssn", "ssn", "SSN with dots"),
    ("ssn", "07805-1121", "ssn", "ssn", "SSN split 5-4"),
    ("date_of_birth", "5-May-2021", "birth_date", "date_of_birth", "birth date d-Mon-yyyy"),
    ("date_of_birth", "12 Mar 1985", "birth_date", "date_of_birth", "birth date dd Mon yyyy"),
    ("date_of_birth", "05/21/21", "birth_date", "date_of_birth", "birth date mm/dd/yy"),
    ("url", "https://www.example.com/account?id=42", "website", "url", "URL: type not covered"),
    ("mac_address", "00:1A:2B:3C:4D:5E", "mac", "mac_address", "MAC address: type not covered"),
    ("us_passport", "A12345678", "passport_number", "us_passport", "US passport: type not covered"),
    ("us_driver_licence", "D1234567", "drivers_license", "us_driver_licence", "US driver licence: type not covered"),
    ("itin", "912-70-1234", "itin", "itin", "ITIN: type not covered"),
    ("aba_routing", "011000015", "routing_number", "aba_routing", "ABA routing number: type not covered"),
    ("bank_account", "000123456789", "account_number", "bank_account", "bank account: type not covered"),
    ("crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "wallet", "crypto_wallet", "crypto wallet (base58): type not covered"),
    ("crypto_wallet", "0x742d35Cc6634C0532925a3b844Bc454e4438f44e", "wallet", "crypto_wallet", "crypto wallet (Ethereum)"),
    ("uk_nhs", "943 476 5919", "nhs_number", "uk_nhs", "UK NHS number: type not covered"),
    ("uk_nino", "AB 12 34 56 C", "nino", "uk_nino", "UK NINO: type not covered"),
    ("medical_licence", "BJ6125341", "dea_number", "medical_licence", "medical licence (DEA): type not covered"),
    ("lookalike:version", "10.2.0.1", "version", None, "false alarm: version string as IP address"),
    ("lookalike:version", "10.2.0.1", "col_d", None, "false alarm: version string as IP address, neutral name"),
    ("lookalike:company_name", "Wells Fargo", "name", None, "false alarm: company name as person name"),
    ("lookalike:company_name", "Acme Corp", "vendor", None, "false alarm: company name as person name"),
    ("lookalike:product_name", "Summit Backpack 40L", "product", None, "false alarm: product name as person name"),
    ("lookalike:korean_brn", "110-81-4127", "business_no", None, "false alarm: Korean business number as SSN"),
    ("ssn", "078-05-1120", "ssn", None, "false alarm: the well-known sample SSN"),
]  # fmt: skip
