"""The Classify tab (the classification editor), the Profile tab's stored level, and the
catalog's effective badges, on the demo database and a fresh SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3

from PySide6.QtCore import Qt

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.labels import classify, labels_for
from dte_desktop.core.privacy.masking import build_masker
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui import theme
from dte_desktop.ui.main_window import TAB_CLASSIFY
from tests.ui.conftest import select_table

DEMO = "Demo (SQLite)"
TABLE = TableRef(None, "products")
SHOTS = os.environ.get("DTE_SHOTS", "/tmp/dte-shots")


def _grab(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    os.makedirs(SHOTS, exist_ok=True)
    widget.grab().save(os.path.join(SHOTS, name))


def _open_editor(qtbot, window, table: str):  # type: ignore[no-untyped-def]
    select_table(qtbot, window, table)
    view = window.classify_view
    view.target = None  # read again (a profile may have been made meanwhile)
    with qtbot.waitSignal(view.planned, timeout=30_000) as planned:
        window.classify_selected()
    assert window.tabs.currentIndex() == TAB_CLASSIFY
    return view, planned.args[0]


def _row(view, column: str) -> int:  # type: ignore[no-untyped-def]
    names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    return names.index(column)


def _profile(qtbot, window, table: str) -> dict:  # type: ignore[no-untyped-def]
    select_table(qtbot, window, table)
    with qtbot.waitSignal(window.profile_view.profiled, timeout=120_000) as done:
        window.profile_selected()
    return done.args[0]


def test_editor_shows_the_gates_plan_accepts_suggestions_and_confirms_a_lowering(
    qtbot, window
) -> None:
    store = window.ctx.store
    view, plan = _open_editor(qtbot, window, "products")
    names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    assert names == ["product_id", "sku", "name", "category", "unit_price", "discontinued"]
    assert "No profile of this table yet" in view.note.text()
    # In force and operator are the privacy gate's: the same as the export's decisions.
    gate = build_masker(window.ctx, DEMO, keyed=False)
    for r, name in enumerate(names):
        d = gate.decide_column(name, None, table=TableRef(None, "products"))
        assert view.table.item(r, 6).text() == d.level.value
        assert d.basis in view.table.item(r, 6).toolTip()
        assert view.table.item(r, 7).text() == d.rule.describe()
    assert view.table_default.currentText() == "Public"  # the demo's table default

    _profile(qtbot, window, "products")
    view, plan = _open_editor(qtbot, window, "products")
    assert view.note.isHidden()
    suggested = {c.column: c.suggestion for c in plan.columns if c.suggestion is not None}
    assert suggested, "the profile's suggestions reach the editor"
    assert view.table.item(_row(view, "product_id"), 3).text() == suggested["product_id"].value
    before = len(AuditLog(store).records(action="classification_change"))
    assert view.accept_suggestions() == len(suggested)
    view.reason.setText("first pass over products")
    with qtbot.waitSignal(view.saved, timeout=10_000):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved" in view.status.text(), timeout=10_000)
    stored = labels_for(store, DEMO, TableRef(None, "products")).columns
    assert {n: stored[n].level for n in suggested} == suggested
    recs = AuditLog(store).records(action="classification_change")
    assert len(recs) == before + len(suggested)
    assert all(json.loads(r.details)["reason"] == "first pass over products" for r in recs[before:])

    # Lowering a stored level: confirmed with a reason, audited as a lowering.
    view, plan = _open_editor(qtbot, window, "products")
    row = _row(view, "category")
    box = view.stored_box(row)
    box.setCurrentIndex(box.findText("HRCI"))
    with qtbot.waitSignal(view.saved, timeout=10_000):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    view, plan = _open_editor(qtbot, window, "products")
    box = view.stored_box(_row(view, "category"))
    box.setCurrentIndex(box.findText("Public"))
    view.accept_suggestions()  # never lowers: the HRCI stays in the box
    assert box.currentText() == "Public"  # the user's own choice is kept
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    dlg = view.lower_dialog
    assert dlg is not None and dlg.isVisible()
    _grab(dlg, f"classify-lower-{theme.state().name}.png")
    assert not dlg.ok.isEnabled()  # no reason yet
    dlg.reject()  # cancelled: nothing stored
    qtbot.waitUntil(lambda: "not confirmed" in view.status.text(), timeout=5_000)
    category = lambda: labels_for(store, DEMO, TABLE).columns["category"].level  # noqa: E731
    assert category() is Level.HRCI
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    dlg = view.lower_dialog
    qtbot.keyClicks(dlg.reason, "categories hold no personal data")
    assert dlg.ok.isEnabled()
    with qtbot.waitSignal(view.saved, timeout=10_000):
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    assert category() is Level.PUBLIC
    last = AuditLog(store).records(action="classification_change")[-1]
    details = json.loads(last.details)
    assert details["reason"] == "categories hold no personal data"
    assert details["previous"] == "HRCI" and details["lowered"] is True


def test_editor_in_both_themes(qtbot, window) -> None:
    _profile(qtbot, window, "customers")
    for name in ("light", "dark"):
        window.set_theme(name)
        view, _plan = _open_editor(qtbot, window, "customers")
        window.resize(1280, 780)
        qtbot.wait(50)
        assert view.stored_box(_row(view, "ssn")).currentText() == "HRCI"
        op = view.table.item(_row(view, "ssn"), 7).text()
        assert op != "keep"
        _grab(window, f"classify-{name}.png")


def test_profile_tab_shows_the_stored_level_and_a_lower_suggestion_needs_confirmation(
    qtbot, window
) -> None:
    store = window.ctx.store
    classify(store, DEMO, TableRef(None, "products"), "sku", "HRCI", reason="test")
    data = _profile(qtbot, window, "products")
    view = window.profile_view
    names = [c["name"] for c in data["columns"]]
    row = names.index("sku")
    view.table.setCurrentCell(row, 0)
    qtbot.waitUntil(lambda: view.table.item(row, 11).text() == "HRCI", timeout=10_000)
    level = data["columns"][row]["suggested_classification"]
    assert Level(level) < Level.HRCI
    assert view.accept_button.text() == f"Lower to {level}…"
    assert "stored <b>HRCI</b>" in view.pii.text()
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    dlg = view.lower_dialog
    assert dlg is not None and not dlg.ok.isEnabled()
    qtbot.wait(100)
    stored = labels_for(store, DEMO, TableRef(None, "products")).columns["sku"].level
    assert stored is Level.HRCI  # one click does not downgrade
    qtbot.keyClicks(dlg.reason, "SKUs are public catalogue numbers")
    with qtbot.waitSignal(view.accepted, timeout=10_000):
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    assert labels_for(store, DEMO, TableRef(None, "products")).columns["sku"].level.value == level
    assert view.table.item(row, 11).text() == level


def test_catalog_badge_counts_the_default_for_unclassified_columns(qtbot, window, tmp_path) -> None:
    db = tmp_path / "fresh.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)")
    con.execute("INSERT INTO accounts VALUES (1, 10.5)")
    con.commit()
    con.close()
    store = window.ctx.store
    store.save_connection("Fresh", f"sqlite:///{db}")
    classify(store, "Fresh", TableRef(None, "accounts"), "id", "Public", reason="test")
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
        window.refresh_connections()
    conn = window.catalog.find_connection("Fresh")
    with qtbot.waitSignal(window.catalog.children_loaded, timeout=15_000):
        window.tree.expandItem(conn)
    item = window.catalog.find_table("Fresh", "accounts")
    # balance has no stored level: the policy's default (Confidential) is in force.
    assert item.text(3) == "Confidential"
    window.tree.setCurrentItem(item)
    view = window.classify_view
    with qtbot.waitSignal(view.planned, timeout=30_000):
        window.classify_selected()
    box = view.stored_box(_row(view, "balance"))
    box.setCurrentIndex(box.findText("Public"))
    with qtbot.waitSignal(view.saved, timeout=10_000):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    # Every column now classified Public: the badge follows.
    qtbot.waitUntil(lambda: item.text(3) == "Public", timeout=10_000)
