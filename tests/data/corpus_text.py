# ruff: noqa: E501 - tables of generators read better one per line
"""Generators of labelled word vectors for ``make_pii_corpus.py``: birth dates, person
names, street addresses, user names, secrets, free text, and the non-PII look-alikes.

The names and streets are this file's own short lists (several cultures), not the word lists
the detectors ship, so a name the detector's list lacks is a real miss.
"""

from __future__ import annotations

import datetime as dt
import string
import uuid

from corpus_ids import R, digits, email_pos, phone_us

GIVEN = ["james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "wei",
         "fatima", "mohammed", "olga", "hiroshi", "yuki", "carlos", "lucia", "pierre", "amelie",
         "hans", "greta", "sanjay", "priya", "kwame", "amara", "ivan", "svetlana", "lars",
         "ingrid", "mateusz", "agnieszka", "tomasz", "giulia", "marco", "chen", "mei", "ali",
         "zeynep", "emre", "nguyen", "lin", "david", "sarah", "thomas", "emma", "noah", "sofia"]  # fmt: skip
FAMILY = ["smith", "johnson", "williams", "brown", "garcia", "miller", "davis", "martinez",
          "zhang", "wang", "li", "chen", "kowalski", "nowak", "müller", "schmidt", "dubois",
          "moreau", "rossi", "bianchi", "ivanov", "petrova", "tanaka", "suzuki", "sato", "kim",
          "park", "singh", "patel", "okafor", "mensah", "yilmaz", "demir", "hansen", "larsen",
          "johansson", "silva", "santos", "fernandez", "lopez", "o'brien", "murphy", "nguyen"]  # fmt: skip


def name_pos() -> str:
    g, f = R.choice(GIVEN), R.choice(FAMILY)
    style = R.random()
    if style < 0.35:
        return f"{g.title()} {f.title()}"
    if style < 0.55:
        return f"{g} {f}"
    if style < 0.7:
        return f"{f.title()}, {g.title()}"
    if style < 0.85:
        return f"{g.title()} {R.choice(string.ascii_uppercase)}. {f.title()}"
    return f"{g.upper()} {f.upper()}"


PRODUCTS = ["Acme Widget", "Blue Mountain Coffee", "Golden Delight", "Royal Canin", "Ocean Spray",
            "Silver Arrow", "Green Valley Farms", "Apple iPhone 13", "Galaxy Tab S8", "Aero Chair",
            "Nordic Blend Tea", "Summit Backpack 40L", "Ultra Clean Wipes", "Rapid Charger Pro",
            "Classic Denim Jacket", "Smart Thermostat", "Trail Runner Shoes", "Espresso Machine",
            "Desk Lamp LED", "Wireless Mouse", "Office Chair Deluxe", "Garden Hose 25m"]  # fmt: skip
COMPANIES = ["Johnson Controls", "Wells Fargo", "Ford Motor Company", "Goldman Sachs",
             "Dell Technologies", "Procter & Gamble", "Acme Corp", "Globex Ltd", "Initech LLC",
             "Umbrella GmbH", "Stark Industries", "Wayne Enterprises", "Hooli Inc",
             "Vandelay Industries", "Soylent Foods", "Cyberdyne Systems", "Tyrell Corporation",
             "Oscorp Holdings", "Wonka Industries", "Massive Dynamic"]  # fmt: skip
CITIES = ["London", "Paris", "Berlin", "Madrid", "Rome", "Warsaw", "Istanbul", "Tokyo", "Lagos",
          "Nairobi", "Lima", "Toronto", "Chicago", "Houston", "Phoenix", "Oslo", "Vienna", "Seoul"]  # fmt: skip


def name_neg() -> str:
    return R.choice(PRODUCTS + COMPANIES + CITIES + ["Pending review", "Out of stock", "Active"])


STREET_NAMES = ["Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
                "Hanoi", "Loja", "Joliet", "Workhaven", "Lillydale", "Sunset", "River", "Church"]  # fmt: skip
SUFFIXES = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Drive", "Dr", "Lane", "Ln", "Way",
            "Boulevard", "Blvd", "Court", "Place", "Terrace"]  # fmt: skip


def street_pos() -> str:
    n = R.randint(1, 9999)
    style = R.random()
    if style < 0.6:
        extra = R.choice(["", "", f", Apt {R.randint(1, 40)}", f" Suite {R.randint(100, 999)}"])
        return f"{n} {R.choice(STREET_NAMES)} {R.choice(SUFFIXES)}{extra}"
    if style < 0.7:
        return f"{R.choice(['Haupt', 'Bahnhof', 'Schiller', 'Goethe'])}straße {R.randint(1, 200)}"
    if style < 0.8:
        return f"{R.randint(1, 120)} rue {R.choice(['de la Paix', 'Victor Hugo', 'du Moulin'])}"
    if style < 0.9:
        return f"Calle {R.choice(['Mayor', 'Real', 'Luna'])} {R.randint(1, 99)}"
    return f"ul. {R.choice(['Marszałkowska', 'Długa', 'Polna'])} {R.randint(1, 150)}"


def street_neg() -> str:
    return R.choice([f"Order {digits(5)} shipped", f"Room {R.randint(1, 500)}", R.choice(CITIES),
                     f"Version {R.randint(1, 9)}.{R.randint(0, 9)}", f"{R.randint(1, 99)} items",
                     f"Gate {R.randint(1, 40)}", f"Level {R.randint(1, 9)} meeting",
                     f"Chapter {R.randint(1, 30)}"])  # fmt: skip


def dob_pos() -> str:
    d = dt.date(1930, 1, 1) + dt.timedelta(days=R.randint(0, 75 * 365))
    return R.choice([d.isoformat(), d.strftime("%m/%d/%Y"), d.strftime("%d.%m.%Y"),
                     f"{d.day}-{d.strftime('%b-%Y')}", f"{d.day} {d.strftime('%b %Y')}",
                     d.strftime("%m/%d/%y") if d.year >= 1970 else d.isoformat()])  # fmt: skip


def dob_neg() -> str:
    return R.choice([f"{R.randint(2100, 2999)}-01-0{R.randint(1, 9)}", f"18{R.randint(10, 99)}-05-06",
                     f"2020-{R.randint(13, 19)}-{R.randint(32, 45)}", "hello", f"{R.randint(1, 999)}",
                     f"Q{R.randint(1, 4)} 2024", "31/31/1999"])  # fmt: skip


def user_pos() -> str:
    g, f = R.choice(GIVEN), R.choice(FAMILY).replace("'", "").replace("ü", "u")
    return R.choice([f"{g[0]}{f}", f"{g}.{f}", f"{g}_{R.randint(1, 99)}", f"{f}{R.randint(1, 9)}",
                     f"{g}-{f[:3]}", f"{g[:3]}{f[:3]}{R.randint(10, 99)}"])  # fmt: skip


def user_neg() -> str:
    g, f = R.choice(GIVEN), R.choice(FAMILY)
    return R.choice([f"{g} {f}", f"{g[0]}", f"!{g}!", f"{g} {digits(2)}", f"{digits(2)}",
                     f"#{f} value", f"({g} given)", f"{g}/{f}", f"{f}?"])  # fmt: skip


def secret_pos() -> str:
    kind = R.random()
    alnum = string.ascii_letters + string.digits
    salt = "".join(R.choice(alnum + "./") for _ in range(22))
    if kind < 0.3:
        return "$2b$12$" + salt + "".join(R.choice(alnum + "./") for _ in range(31))
    if kind < 0.45:
        return (
            "$argon2id$v=19$m=65536,t=3,p=4$"
            + salt
            + "$"
            + "".join(R.choice(alnum) for _ in range(43))
        )
    if kind < 0.55:
        return "AKIA" + "".join(R.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    if kind < 0.65:
        return "ghp_" + "".join(R.choice(alnum) for _ in range(36))
    if kind < 0.85:
        return R.randbytes(32).hex()
    return "pbkdf2_sha256$600000$" + salt + "$" + "".join(R.choice(alnum + "+/") for _ in range(43))


def secret_neg() -> str:
    word = R.choice(GIVEN + FAMILY)
    return R.choice([str(uuid.UUID(int=R.getrandbits(128))), f"{word}{digits(2)}",
                     "a" * R.randint(20, 40), f"{word} value hidden", "0" * R.randint(20, 40),
                     f"changeme{digits(1)}", str(uuid.UUID(int=R.getrandbits(128))).upper()])  # fmt: skip


NOTE_TEMPLATES = ["Called the customer, reach her at {email}.", "Left voicemail on {phone} re invoice",
                  "Customer {name} asked for a refund; email {email}", "Please phone {phone} after 5pm",
                  "Updated SSN on file to {ssn} after call", "New contact: {email} (billing)"]  # fmt: skip
PLAIN_NOTES = ["Meeting moved to Thursday; agenda unchanged.", "Shipped with order 48213, 3 boxes.",
               "Price updated to 12.50 per unit from 11.90", "Upgrade to version 10.2.0.1 scheduled",
               "Waiting for the quarterly report.", "Ticket closed, no further action needed.",
               "Batch 2024-11 passed QA on line 4", "Reorder when stock falls below 250 units"]  # fmt: skip


def note_pos() -> str:
    from corpus_ids import ssn_pos

    name = f"{R.choice(GIVEN).title()} {R.choice(FAMILY).title()}"
    return R.choice(NOTE_TEMPLATES).format(
        email=email_pos(), phone=phone_us(), name=name, ssn=ssn_pos()
    )


def note_neg() -> str:
    return R.choice(PLAIN_NOTES) + R.choice(["", " OK.", f" Ref {digits(4)}.", " Thanks."])


def lookalikes() -> dict[str, dict[str, object]]:
    """Non-PII columns that look like PII: (values, column names to try)."""

    def ean13() -> str:
        body = R.choice(["400", "500", "761", "871"]) + digits(9)
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
        return body + str((10 - total % 10) % 10)

    base = dt.datetime(2025, 1, 1)
    gens = {
        "order_number": (lambda: digits(R.choice([9, 10])), ["order_no", "ref", "col_a"]),
        "ean_barcode": (ean13, ["ean", "barcode", "code"]),
        "zip_code": (lambda: R.choice([digits(5), f"{digits(5)}-{digits(4)}"]), ["zip", "postcode", "col_b"]),
        "timestamp": (lambda: (base + dt.timedelta(seconds=R.randint(0, 3 * 10**7))).isoformat(sep=" "), ["created_at", "ts", "col_c"]),
        "uuid": (lambda: str(uuid.UUID(int=R.getrandbits(128))), ["id", "guid", "token_id"]),
        "version": (lambda: f"{R.randint(1, 12)}.{R.randint(0, 9)}.{R.randint(0, 9)}.{R.randint(0, 20)}", ["version", "col_d", "build"]),
        "price": (lambda: f"{R.randint(1, 9999)}.{R.randint(0, 99):02d}", ["price", "amount", "col_e"]),
        "sku": (lambda: f"SKU-{digits(5)}-{R.choice(string.ascii_uppercase)}{R.choice(string.ascii_uppercase)}", ["sku", "item_code", "col_f"]),
        "order_date": (lambda: (dt.date(2023, 1, 1) + dt.timedelta(days=R.randint(0, 900))).isoformat(), ["order_date", "col_g", "shipped"]),
        "product_name": (lambda: R.choice(PRODUCTS), ["name", "product", "title"]),
        "company_name": (lambda: R.choice(COMPANIES), ["name", "company", "vendor"]),
        "city": (lambda: R.choice(CITIES), ["city", "location", "col_h"]),
        "quantity": (lambda: str(R.randint(0, 500)), ["qty", "units", "col_i"]),
        "tracking": (lambda: "1Z" + "".join(R.choice(string.ascii_uppercase + string.digits) for _ in range(16)), ["tracking", "shipment_ref", "col_j"]),
        "sha256_checksum": (lambda: R.randbytes(32).hex(), ["file_checksum", "sha256", "digest"]),
        "invoice": (lambda: f"INV-{R.randint(2019, 2025)}-{digits(5)}", ["invoice", "doc_no", "col_k"]),
        "plain_notes": (note_neg, ["notes", "comment", "description"]),
        "status": (lambda: R.choice(["active", "pending", "closed", "on hold", "cancelled"]), ["status", "state", "col_l"]),
        "coordinates": (lambda: f"{R.uniform(-90, 90):.5f}", ["lat", "col_m", "y"]),
        "korean_brn": (lambda: f"{R.randint(101, 999)}-{R.randint(81, 88)}-{digits(5)}", ["business_no", "brn", "company_reg"]),
    }  # fmt: skip
    return {
        kind: {"values": [g() for _ in range(120)], "names": names}
        for kind, (g, names) in gens.items()
    }
