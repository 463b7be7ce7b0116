"""The Profile view on core's profiling engine: statistics, charts, accepting a PII
suggestion as the column's stored classification."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.labels import labels_for
from dte_desktop.core.sources.base import TableRef
from tests.ui.conftest import select_table


def test_profile_with_charts_and_accept_a_classification(qtbot, window) -> None:
    select_table(qtbot, window, "products")
    view = window.profile_view
    window.tree.setFocus()
    with qtbot.waitSignal(view.profiled, timeout=120_000) as done:
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    data = done.args[0]
    assert window.tabs.currentWidget() is view
    assert data["table"] == "products" and data["row_count"] == 500
    names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    assert names == [c["name"] for c in data["columns"]]
    price = names.index("unit_price")
    view.table.setCurrentCell(price, 0)
    charts = view.charts
    assert charts.canvas is not None  # pyqtgraph loaded once the chart was shown
    assert charts.column["name"] == "unit_price"
    assert charts._hist.listDataItems() or charts._hist.items  # bars drawn
    assert len(charts.column["histogram"]) > 1
    assert view.report_path and view.report_button.isEnabled()
    assert "<html" in Path(view.report_path).read_text(encoding="utf-8")[:200].lower()

    sku = names.index("sku")
    view.table.setCurrentCell(sku, 0)
    level = data["columns"][sku]["suggested_classification"]
    assert view.accept_button.isEnabled() and level in view.accept_button.text()
    with qtbot.waitSignal(view.accepted, timeout=10_000) as accepted:
        qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    assert accepted.args == ["sku", level]
    stored = labels_for(window.ctx.store, "Demo (SQLite)", TableRef(None, "products"))
    assert stored.columns["sku"].level.value == level
    assert stored.columns["sku"].source == "manual"
    rec = AuditLog(window.ctx.store).records(action="classification_change")[-1]
    assert rec.object == "products" and '"sku"' in rec.details
    assert not view.accept_button.isEnabled() and view.accept_button.text() == "Accepted"
    # The catalog's badge for the table follows the new classification.
    badge = max(Level(level), Level.PUBLIC).value  # products' table default is Public
    item = window.catalog.find_table("Demo (SQLite)", "products")
    qtbot.waitUntil(lambda: item.text(3) == badge, timeout=10_000)
