"""The Overview of a table shows its keys as the catalog declares them — primary key,
foreign keys, indexes — and the rules they suggest; one click stores them (issue 20 item 10)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.ui.conftest import select_table

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def test_overview_lists_keys_and_stores_the_rules_they_suggest(qtbot, window) -> None:
    overview = window.overview_tab
    with qtbot.waitSignal(overview.described, timeout=30_000) as got:
        select_table(qtbot, window, "orders")
    keys = got.args[0]
    assert keys.primary_key == ("order_id",)
    assert {fk.ref_table.name for fk in keys.foreign_keys} == {"customers", "products"}
    text = overview.text()
    assert "Primary key: <b>order_id</b>" in text
    assert "Foreign key (customer_id) → customers (customer_id)" in text
    assert "Suggested rules" in text and "referential on <b>product_id</b>" in text
    assert overview.add_rules_button.isVisible()
    SHOTS.mkdir(exist_ok=True)
    window.tabs.setCurrentWidget(overview)
    overview.grab().save(str(SHOTS / "overview-keys.png"))

    with qtbot.waitSignal(overview.rules_added, timeout=5_000) as added:
        qtbot.mouseClick(overview.add_rules_button, Qt.MouseButton.LeftButton)
    assert added.args == [2]
    rules = window.ctx.store.list_rules("Demo (SQLite)", "orders")
    assert sorted((r.kind, r.column, r.params["table"]) for r in rules) == [
        ("referential", "customer_id", "customers"),
        ("referential", "product_id", "products"),
    ]
    assert not overview.add_rules_button.isVisible()

    # Looked at again: what is stored is not suggested twice.
    with qtbot.waitSignal(overview.described, timeout=30_000):
        select_table(qtbot, window, "customers")
    with qtbot.waitSignal(overview.described, timeout=30_000):
        select_table(qtbot, window, "orders")
    assert overview.suggested == [] and not overview.add_rules_button.isVisible()
    assert "Suggested rules" not in overview.text()


def test_overview_shows_the_last_profiles_pii_evidence(qtbot, window) -> None:
    overview = window.overview_tab
    with qtbot.waitSignal(overview.described, timeout=30_000):
        select_table(qtbot, window, "customers")
    assert "Not profiled yet" in overview.text()
    view = window.profile_view
    window.tree.setFocus()
    with qtbot.waitSignal(view.profiled, timeout=120_000) as done:
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    found = {c["name"]: c for c in done.args[0]["columns"] if c.get("pii")}
    assert {"email", "ssn", "card_number"} <= set(found)
    with qtbot.waitSignal(overview.described, timeout=30_000):
        select_table(qtbot, window, "orders")
    with qtbot.waitSignal(overview.described, timeout=30_000):
        select_table(qtbot, window, "customers")
    text = overview.text()
    assert "PII found by the profile of" in text
    for name, col in found.items():  # every column, its type, its evidence, its level
        assert f"<b>{name}</b>: looks like <b>{col['pii']['type']}" in text
        assert f"suggested classification <b>{col['suggested_classification']}</b>" in text
    assert "% of values" in text or "validator" in text.lower()
    window.tabs.setCurrentWidget(overview)
    page = QLabel(overview.text())  # the whole page, beyond the scroll area's height
    page.setWordWrap(True)
    page.setMargin(16)
    page.setFixedWidth(900)
    page.adjustSize()
    page.grab().save(str(SHOTS / "overview-pii.png"))
