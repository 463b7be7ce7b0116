"""The Profile tab's own controls: Run, fresh chart axes per column, readable top-value
labels, one number style, the HTML report without a browser, a missing table."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui import profile_view as pv
from tests.ui.conftest import select_table

SHOTS = os.environ.get("DTE_SHOTS", "/tmp/dte-shots")


def test_number_text_has_one_style() -> None:
    assert pv.number_text(50000.0) == "50,000"
    assert pv.number_text(2283) == "2,283"
    assert pv.number_text(1234.5678) == "1,234.57"
    assert pv.number_text(0.25) == "0.25"
    assert "e+" not in pv.number_text(123456789.25)


def _run(qtbot, window, table: str) -> dict:  # type: ignore[no-untyped-def]
    select_table(qtbot, window, table)
    view = window.profile_view
    assert view.run_button.isEnabled() and table in view.run_button.toolTip()
    with qtbot.waitSignal(view.profiled, timeout=120_000) as done:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def test_run_button_fresh_axes_and_readable_labels(qtbot, window) -> None:
    window.tabs.setCurrentWidget(window.profile_view)
    assert not window.profile_view.run_button.isEnabled()  # nothing selected yet
    data = _run(qtbot, window, "products")
    view = window.profile_view
    names = [c["name"] for c in data["columns"]]
    for r in range(view.table.rowCount()):
        for k in range(view.table.columnCount()):
            item = view.table.item(r, k)
            assert item is None or "e+" not in item.text(), item.text()
    view.table.setCurrentCell(names.index("unit_price"), 0)
    hist = view.charts._hist
    qtbot.waitUntil(lambda: hist.viewRange()[0][1] > 10, timeout=5_000)  # prices up to ~900
    view.table.setCurrentCell(names.index("category"), 0)
    qtbot.wait(50)
    lo, hi = hist.viewRange()[0]
    assert lo >= -0.1 and hi <= 1.1, "the text column kept the price histogram's axis"
    top = view.charts._top
    ticks = top.getAxis("left")._tickLevels[0]
    assert 0 < len(ticks) <= pv_max_bars()
    vb = top.getViewBox()
    y0, y1 = vb.viewRange()[1]
    per_label = vb.height() / (y1 - y0)
    assert (
        per_label >= QFontMetrics(top.getAxis("left").style.get("tickFont") or view.font()).height()
    )
    os.makedirs(SHOTS, exist_ok=True)
    for name in ("light", "dark"):
        window.set_theme(name)
        qtbot.wait(50)
        window.grab().save(os.path.join(SHOTS, f"profile-text-column-{name}.png"))
    window.set_theme("light")


def pv_max_bars() -> int:
    from dte_desktop.ui.charts import MAX_BARS

    return MAX_BARS


def test_report_without_a_browser_says_so(qtbot, window, monkeypatch) -> None:
    _run(qtbot, window, "products")
    view = window.profile_view
    # The desktop has no handler for file URLs (what openUrl reports on a bare session).
    monkeypatch.setattr(pv.QDesktopServices, "openUrl", staticmethod(lambda _url: False))
    qtbot.mouseClick(view.report_button, Qt.MouseButton.LeftButton)
    assert "No application here opens HTML files" in view.pii.text()
    assert view.report_path in view.pii.text()
    assert view.report_path in window.status_label.text()


def test_missing_table_is_a_clear_message(qtbot, window) -> None:
    view = window.profile_view
    with qtbot.waitSignal(view.failed, timeout=60_000) as failed:
        view.profile("Demo (SQLite)", TableRef(None, "no_such_table"))
    title, message = failed.args
    assert title != "Unexpected error", message
    assert "no_such_table" in message
    assert view.run_button.isEnabled()
    assert "Unexpected" not in view.title.text()
