"""A new, unclassified table previews as visibly masked: tinted cells and a padlock in the
header of each masked column, and a banner that says why and offers to profile the table
for suggested classifications (which opens the classification editor)."""

from __future__ import annotations

import os
import sqlite3

from PySide6.QtCore import Qt

from dte_desktop.core.privacy.labels import classify
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui import theme
from dte_desktop.ui.main_window import TAB_CLASSIFY

SHOTS = os.environ.get("DTE_SHOTS", "/tmp/dte-shots")


def _fresh(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "fresh.sqlite"
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL, country TEXT, opened DATE)"
    )
    con.executemany(
        "INSERT INTO accounts VALUES (?, ?, ?, ?)",
        [(i, 10.5 * i, ["DE", "FR", "US"][i % 3], f"2020-01-{1 + i % 28:02d}") for i in range(300)],
    )
    con.commit()
    con.close()
    window.ctx.store.save_connection("Fresh", f"sqlite:///{db}")
    classify(window.ctx.store, "Fresh", TableRef(None, "accounts"), "id", "Public", reason="t")


def _preview(qtbot, window):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
        window.refresh_connections()
    conn = window.catalog.find_connection("Fresh")
    with qtbot.waitSignal(window.catalog.children_loaded, timeout=15_000):
        window.tree.expandItem(conn)
    window.tree.setCurrentItem(window.catalog.find_table("Fresh", "accounts"))
    with qtbot.waitSignal(window.preview.loaded, timeout=20_000):
        window.preview_selected()
    return window.preview.model


def test_unclassified_preview_looks_masked_and_offers_to_profile(qtbot, window, tmp_path) -> None:
    _fresh(window, tmp_path)
    model = _preview(qtbot, window)
    view = window.preview
    names = model.names
    assert set(model.masked) == {"balance", "country", "opened"}  # id is stored Public
    back, fore = theme.masked_colours()
    h = Qt.Orientation.Horizontal
    for col, name in enumerate(names):
        cell = model.index(0, col)
        icon = model.headerData(col, h, Qt.ItemDataRole.DecorationRole)
        if name == "id":
            assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is None and icon is None
        else:
            assert model.data(cell, Qt.ItemDataRole.BackgroundRole) == back
            assert model.data(cell, Qt.ItemDataRole.ForegroundRole) == fore
            assert icon is not None and not icon.isNull()
    qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=5_000)
    text = view.banner_text.text()
    assert "3 of 4 columns are not classified" in text and "Confidential" in text
    assert view.profile_button.isVisible()
    assert "site's" not in view.reveal_button.toolTip()
    for name in ("light", "dark"):
        window.set_theme(name)
        qtbot.wait(50)
        os.makedirs(SHOTS, exist_ok=True)
        window.grab().save(os.path.join(SHOTS, f"preview-masked-{name}.png"))
    window.set_theme("light")

    editor = window.classify_view
    with qtbot.waitSignal(editor.planned, timeout=120_000) as planned:
        qtbot.mouseClick(view.profile_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == TAB_CLASSIFY
    plan = planned.args[0]
    assert plan.profiled and plan.table == TableRef(None, "accounts")
    assert all(c.suggestion is not None for c in plan.columns)
    # Once profiled, the banner no longer offers to profile.
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        window.preview_selected()
    qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=5_000)
    assert not view.profile_button.isVisible() and "suggestions" in view.banner_text.text()
