"""The demo database: deterministic, big enough, PII-shaped values that validate."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from stdnum import iban, luhn

from dte_desktop.core.demo import CUSTOMERS, ORDERS, PRODUCTS, ensure_demo, generate, is_current


def _digest(path: str, sql: str) -> str:
    with sqlite3.connect(path) as con:
        h = hashlib.sha256()
        for row in con.execute(sql):
            h.update(repr(row).encode())
        return h.hexdigest()


def test_sizes_and_shapes(demo_db_file: str) -> None:
    con = sqlite3.connect(demo_db_file)
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("customers", "orders", "products")
    }
    assert counts == {"customers": CUSTOMERS, "orders": ORDERS, "products": PRODUCTS}
    assert CUSTOMERS >= 100_000 and ORDERS >= 500_000
    rows = con.execute(
        "SELECT ssn, card_number, iban, email, birth_date FROM customers "
        "WHERE customer_id % 997 = 0"
    ).fetchall()
    for ssn, card, ib, email, _birth in rows:
        area, group, serial = ssn.split("-")
        assert area not in ("000", "666") and int(area) < 900 and group != "00" and serial != "0000"
        assert luhn.is_valid(card) and card[0] in "345"
        assert iban.is_valid(ib)
        assert email is None or "@" in email
    nulls = con.execute(
        "SELECT sum(email IS NULL), sum(phone IS NULL), sum(first_name = '') FROM customers"
    ).fetchone()
    assert all(n > 0 for n in nulls)  # the odd values a real table has
    assert con.execute("SELECT count(*) FROM orders WHERE quantity < 0").fetchone()[0] > 0
    con.close()


def test_generation_is_deterministic(demo_db_file: str, tmp_path: Path) -> None:
    again = generate(tmp_path / "again.sqlite")
    sql = "SELECT * FROM customers WHERE customer_id % 101 = 0 ORDER BY customer_id"
    assert _digest(demo_db_file, sql) == _digest(str(again), sql)
    sql = "SELECT * FROM orders WHERE order_id % 1009 = 0 ORDER BY order_id"
    assert _digest(demo_db_file, sql) == _digest(str(again), sql)
    other = generate(tmp_path / "other.sqlite", seed=7)
    assert _digest(str(other), sql) != _digest(str(again), sql)


def test_ensure_demo_builds_once_and_replaces_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    path.write_bytes(b"not a database")
    assert not is_current(path)
    _, built = ensure_demo(path)
    assert built and is_current(path)
    _, built = ensure_demo(path)
    assert not built
    assert not (tmp_path / "demo.sqlite.tmp").exists()
