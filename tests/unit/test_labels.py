"""Stored classifications as the catalog's badges: one level per table, by the same rules
as ``labels_for`` (exact schema beats schema-less, table default, connection default)."""

from __future__ import annotations

from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.labels import classify, labels_for, table_levels
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.store import Store


def test_table_levels_follow_labels_for(dte_home) -> None:
    store = Store.open()
    try:
        people = TableRef("hr", "people")
        other_people = TableRef("sales", "people")
        orders = TableRef("sales", "orders")
        plain = TableRef("sales", "plain")
        classify(store, "db", people, "ssn", "HRCI")
        classify(store, "db", people, "city", "Public")
        classify(store, "db", TableRef(None, "people"), "email", "Confidential")  # any schema
        classify(store, "db", orders, None, "Proprietary")  # the table's default
        classify(store, "other", plain, "x", "HRCI")  # another connection: not ours
        refs = [people, other_people, orders, plain]
        levels = table_levels(store, "db", refs)
        assert levels == {
            people: Level.HRCI,
            other_people: Level.CONFIDENTIAL,  # only the schema-less entry applies there
            orders: Level.PROPRIETARY,
            plain: None,  # nothing stored: the catalog shows no badge
        }
        for ref in refs:  # the same answer labels_for gives, table by table
            labels = labels_for(store, "db", ref)
            found = [c.level for c in labels.columns.values()]
            found += [labels.default] if labels.default else []
            assert levels[ref] == (max(found) if found else None)

        classify(store, "db", None, None, "Proprietary")  # a connection default
        levels = table_levels(store, "db", refs)
        assert levels[plain] == Level.PROPRIETARY and levels[people] == Level.HRCI
    finally:
        store.close()


def test_labels_and_badges_match_names_as_the_engine_does(dte_home) -> None:
    """Issue 14 item 6: a label stored as Customer.Email applies to customer.email where the
    connection's engine says they are the same (SQLite, MySQL columns, PostgreSQL unquoted),
    not where it says they differ (a quoted-looking PostgreSQL name, MySQL tables)."""
    store = Store.open()
    try:
        store.save_connection("lite", "sqlite:///x.sqlite")
        store.save_connection("pg", "postgresql://u@h/db")
        store.save_connection("my", "mysql://u@h/db")
        for conn in ("lite", "pg", "my"):
            classify(store, conn, TableRef(None, "Customer"), "Email", "HRCI")
            classify(store, conn, TableRef(None, "Customer"), "email", "Public")
            classify(store, conn, TableRef(None, "Customer"), "NOTE", "Confidential")
        lower = TableRef(None, "customer")
        lite = labels_for(store, "lite", lower).columns
        assert lite["email"].level == Level.PUBLIC  # the exact spelling wins
        assert lite["EMAIL"].level == Level.HRCI  # folded: the most sensitive of the two
        assert lite["note"].level == Level.CONFIDENTIAL and lite["note"].column == "note"
        pg = labels_for(store, "pg", lower).columns
        assert pg["note"].level == Level.CONFIDENTIAL  # NOTE unquoted is note
        assert "Note" not in pg  # but not "Note"
        assert labels_for(store, "pg", TableRef(None, "CUSTOMER")).columns == {}
        # MySQL: columns caseless, table names case-sensitive (the Linux default).
        assert labels_for(store, "my", lower).columns == {}
        mine = labels_for(store, "my", TableRef(None, "Customer")).columns
        assert mine["note"].level == Level.CONFIDENTIAL
        assert table_levels(store, "lite", [lower, TableRef(None, "other")]) == {
            lower: Level.HRCI,
            TableRef(None, "other"): None,
        }
        assert table_levels(store, "my", [lower])[lower] is None
    finally:
        store.close()


def test_quasi_identifier_suggestions_follow_stored_pii_types() -> None:
    from dte_desktop.core.privacy.qi_suggest import suggest_quasi_identifiers

    names = ["id", "zip", "city", "signup", "gender", "email"]
    assert suggest_quasi_identifiers(names) == ["zip", "city", "gender"]
    types = {"signup": "date_of_birth", "city": "street_address", "zip": None}
    assert suggest_quasi_identifiers(names, pii_types=types) == ["zip", "signup", "gender"]
    assert suggest_quasi_identifiers(names, direct=["zip"], pii_types=types) == ["signup", "gender"]
