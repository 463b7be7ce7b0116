"""The Export tab filled from the selected table with each column's masking shown, and the
polish of issue 20 item 11: dark-theme checkboxes, badge width, "1 table", the keyboard
shortcut reference, a visible Ctrl+J."""

from __future__ import annotations

import os
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from dte_desktop.ui.main_window import TAB_EXPORT
from tests.ui.conftest import select_table

SHOTS = os.environ.get("DTE_SHOTS", "/tmp/dte-shots")


def test_export_tab_is_filled_from_the_selection_and_shows_masking(qtbot, window) -> None:
    select_table(qtbot, window, "customers")
    form = window.export_form
    with qtbot.waitSignal(form.columns_loaded, timeout=30_000):
        window.tabs.setCurrentIndex(TAB_EXPORT)  # the tab itself, not Ctrl+E
    assert form.checked_tables() == ["customers"]
    texts = {
        form.columns.item(i).data(Qt.ItemDataRole.UserRole): form.columns.item(i).text()
        for i in range(form.columns.count())
    }
    assert "masked:" in texts["ssn"] and "(HRCI)" in texts["ssn"]
    assert texts["customer_id"].endswith("— kept (Public)")
    how = form.column_masking()
    n = sum(v.startswith("masked") for v in how.values())
    assert n >= 5 and form.columns_note.text() == f"{n} of {len(how)} columns will be masked"
    os.makedirs(SHOTS, exist_ok=True)
    for name in ("light", "dark"):
        window.set_theme(name)
        qtbot.wait(50)
        window.grab().save(os.path.join(SHOTS, f"export-tab-{name}.png"))
    assert "::indicator" in QApplication.instance().styleSheet()  # dark: boxes drawn
    window.set_theme("light")
    assert "::indicator" not in QApplication.instance().styleSheet()
    form.mask.setChecked(False)
    assert "not masked" in form.columns.item(0).text()
    assert form.columns_note.text().startswith("Masking is off")


def test_polish_badges_counts_shortcuts_and_ctrl_j(qtbot, window, tmp_path) -> None:
    db = tmp_path / "one.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE only_one (id INTEGER)")
    con.commit()
    con.close()
    window.ctx.store.save_connection("One", f"sqlite:///{db}")
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
        window.refresh_connections()
    conn = window.catalog.find_connection("One")
    with qtbot.waitSignal(window.catalog.children_loaded, timeout=15_000):
        window.tree.expandItem(conn)
    assert window.status_label.text() == "One: 1 table"
    tree = window.tree
    assert tree.columnWidth(3) >= tree.fontMetrics().horizontalAdvance("Confidential") + 8

    dlg = window.show_shortcuts()
    rows = {
        tuple(dlg.table.item(r, c).text() for c in range(3)) for r in range(dlg.table.rowCount())
    }
    assert ("Tools", "Job history", "Ctrl+J") in rows
    assert ("Tools", "Profile table", "Ctrl+P") in rows
    assert dlg.windowTitle() == "Keyboard shortcuts"
    dlg.grab().save(os.path.join(SHOTS, "shortcuts.png"))
    dlg.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)

    select_table(qtbot, window, "products")
    window.tree.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.jobs_dock.isVisible() and window.focusWidget() is window.jobs_dock.table
    assert "Job history" in window.status_label.text()
