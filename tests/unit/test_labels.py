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
