"""The built-in demo database: deterministic synthetic data with PII-shaped values.

Everything is fake but *valid in shape*: SSNs in issued ranges, Luhn-valid test card
numbers, IBANs with correct mod-97 check digits — so profiling, PII detection and masking
have something real to find. Written to ``demo.sqlite.tmp`` and renamed, so a crash never
leaves a half-built demo behind.
"""

from __future__ import annotations

import os
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from dte_desktop.core.logs import get_logger

log = get_logger("demo")
DEMO_VERSION = 2
DEMO_CONNECTION = "Demo (SQLite)"
CUSTOMERS, ORDERS, PRODUCTS = 100_000, 500_000, 500

_FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa "
    "Anthony Betty Mark Sandra Donald Ashley Steven Emily Andrew Kimberly Paul Donna Joshua "
    "Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie"
).split() + ["José", "Zoë", "Øyvind", "Siobhán", "Nguyễn", "François", "Ólafur"]
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott"
).split() + ["O'Brien", "Müller", "D'Angelo", "van der Berg", "Łukasiewicz", "Çelik"]
_STREETS = "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park View Church".split()
_CITIES = [
    ("Springfield", "IL", "627"),
    ("Riverside", "CA", "925"),
    ("Franklin", "TN", "370"),
    ("Greenville", "SC", "296"),
    ("Madison", "WI", "537"),
    ("Salem", "OR", "973"),
    ("Georgetown", "TX", "786"),
    ("Clinton", "MS", "390"),
    ("Fairview", "NJ", "070"),
]
# Area codes in service, so the numbers are valid NANP numbers the phone detector accepts.
_AREA_CODES = [212, 415, 312, 617, 202, 305, 713, 206, 303, 404, 503, 612, 702, 816, 919]
_DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example"]
_CATEGORIES = ["Hardware", "Software", "Services", "Books", "Garden", "Toys", "Food"]
_STATUSES = ["shipped", "delivered", "pending", "cancelled", "returned"]
_STATUS_P = [0.35, 0.45, 0.1, 0.06, 0.04]


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def iban_de(rng: random.Random) -> str:
    bban = f"{rng.randrange(10**7, 10**8)}{rng.randrange(10**9, 10**10)}"
    numeric = int(bban + "131400")  # "DE" -> 13 14, check digits 00
    return f"DE{98 - numeric % 97:02d}{bban}"


def _ssn(rng: random.Random) -> str:
    area = rng.randrange(1, 900)
    while area == 666:
        area = rng.randrange(1, 900)
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def _card(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return luhn_complete("4" + "".join(rng.choices("0123456789", k=14)))
    if kind < 0.85:
        return luhn_complete(str(rng.randrange(51, 56)) + "".join(rng.choices("0123456789", k=13)))
    return luhn_complete(rng.choice(("34", "37")) + "".join(rng.choices("0123456789", k=12)))


def _customer_rows(rng: random.Random):  # type: ignore[no-untyped-def]
    epoch = date(1940, 1, 1)
    for cid in range(1, CUSTOMERS + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        city, state, zip3 = rng.choice(_CITIES)
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = f"{local}{cid}@{rng.choice(_DOMAINS)}"
        area, exchange, line = (
            rng.choice(_AREA_CODES),
            rng.randrange(200, 1000),
            rng.randrange(10000),
        )
        phone = f"+1 {area}-{exchange}-{line:04d}"
        birth = epoch + timedelta(days=rng.randrange(0, 23_000))
        row = [
            cid,
            first,
            last,
            email,
            phone,
            _ssn(rng),
            _card(rng),
            iban_de(rng),
            birth.isoformat(),
            f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)} St",
            city,
            state,
            f"{zip3}{rng.randrange(0, 100):02d}",
            round(rng.lognormvariate(7, 1.2), 2),
            f"{2015 + rng.randrange(0, 10)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        ]
        # Odd values a real table has: NULLs, empty strings, stray whitespace.
        r = rng.random()
        if r < 0.03:
            row[4] = None
        elif r < 0.05:
            row[3] = None
        elif r < 0.055:
            row[1] = ""
        elif r < 0.06:
            row[2] = row[2] + "  "
        if rng.random() < 0.02:
            row[8] = None
        yield row


def generate(path: Path, seed: int = 42) -> Path:
    """Write the demo database to ``path`` (replacing it atomically)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE demo_meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE products (
                product_id INTEGER PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL,
                category TEXT, unit_price NUMERIC(10,2), discontinued BOOLEAN);
            CREATE TABLE customers (
                customer_id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT,
                email TEXT, phone TEXT, ssn TEXT, card_number TEXT, iban TEXT,
                birth_date DATE, street TEXT, city TEXT, state TEXT, postal_code TEXT,
                lifetime_value REAL, customer_since DATE);
            CREATE TABLE orders (
                order_id INTEGER PRIMARY KEY,
                customer_id INTEGER NOT NULL REFERENCES customers(customer_id),
                product_id INTEGER NOT NULL REFERENCES products(product_id),
                quantity INTEGER, unit_price NUMERIC(10,2), ordered_at TIMESTAMP,
                status TEXT, note TEXT);
            CREATE VIEW customer_order_totals AS
                SELECT c.customer_id, c.last_name, count(o.order_id) AS orders,
                       sum(o.quantity * o.unit_price) AS total
                FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id
                GROUP BY c.customer_id, c.last_name;
            """
        )
        products = [
            (
                pid,
                f"SKU-{pid:05d}",
                f"{rng.choice(_CATEGORIES)} item {pid}",
                None if pid % 97 == 0 else rng.choice(_CATEGORIES),
                round(rng.uniform(0.5, 900), 2),
                pid % 23 == 0,
            )
            for pid in range(1, PRODUCTS + 1)
        ]
        con.executemany("INSERT INTO products VALUES (?,?,?,?,?,?)", products)
        con.executemany(
            "INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", _customer_rows(rng)
        )
        _insert_orders(con, nrng, [p[4] for p in products])
        con.executemany(
            "INSERT INTO demo_meta VALUES (?, ?)",
            [("version", str(DEMO_VERSION)), ("seed", str(seed))],
        )
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)
    return path


def _insert_orders(con: sqlite3.Connection, nrng: np.random.Generator, prices: list) -> None:
    n = ORDERS
    ids = np.arange(1, n + 1)
    cust = nrng.integers(1, CUSTOMERS + 1, n)
    prod = nrng.integers(1, PRODUCTS + 1, n)
    qty = nrng.integers(1, 20, n)
    qty[nrng.random(n) < 0.001] = -1  # returns booked as negative quantities
    price = np.asarray(prices)[prod - 1]
    base = np.datetime64("2019-01-01T00:00:00")
    at = (base + nrng.integers(0, 6 * 365 * 86400, n).astype("timedelta64[s]")).astype(str)
    status = nrng.choice(_STATUSES, n, p=_STATUS_P)
    note_pick = nrng.random(n)
    notes = np.where(note_pick < 0.9, None, np.where(note_pick < 0.99, "gift wrap", "call ☎ first"))
    qty_list = qty.tolist()
    for i in np.flatnonzero(nrng.random(n) < 0.01).tolist():
        qty_list[i] = None
    rows = zip(
        ids.tolist(),
        cust.tolist(),
        prod.tolist(),
        qty_list,
        price.tolist(),
        [s.replace("T", " ") for s in at.tolist()],
        status.tolist(),
        notes.tolist(),
        strict=True,
    )
    con.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?,?,?)", rows)


def is_current(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM demo_meta WHERE key='version'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == str(DEMO_VERSION)


def ensure_demo(path: Path) -> tuple[Path, bool]:
    """Generate the demo database if it is missing or from an older generator.
    Returns the path and whether it was (re)built."""
    if is_current(path):
        return path, False
    log.info("generating the demo database at %s", path)
    from dte_desktop.core.paths import private_file

    return private_file(generate(path)), True


def demo_url(path: Path) -> str:
    return f"sqlite:///{path}"
