"""The masked preview: nothing raw of a masked column reaches the model; reveal needs the
policy's consent and a reason, and is audited; the lazy model holds up to a million rows."""

from __future__ import annotations

import dataclasses
import sqlite3
import time

import pyarrow as pa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.privacy.policy import default_policy
from dte_desktop.ui.preview_model import ArrowTableModel
from tests.ui.conftest import close_window, make_window, select_table


def open_preview(qtbot, window, table: str = "customers"):  # type: ignore[no-untyped-def]
    select_table(qtbot, window, table)
    with qtbot.waitSignal(window.preview.loaded, timeout=20_000):
        window.preview_selected()
    assert window.tabs.currentWidget() is window.preview
    return window.preview.model


def raw_rows(db, n: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT * FROM customers ORDER BY rowid LIMIT {n}").fetchall()
    finally:
        con.close()


def test_preview_masks_every_batch_before_the_model_sees_it(qtbot, window) -> None:
    model = open_preview(qtbot, window)
    with qtbot.waitSignal(window.preview.loaded, timeout=20_000):
        window.preview.table.scrollToBottom()  # fetchMore pulls the second batch
        model.fetchMore()
    n = model.rowCount()
    assert n >= 10_000
    masked = window.preview.masked_columns()
    assert {"ssn", "card_number", "iban", "email", "phone", "first_name"} <= set(masked)
    assert "customer_id" not in masked  # Public: kept
    raw = raw_rows(window.ctx.paths.demo_db, n)
    names = model.names
    for c, name in enumerate(names):
        if name not in masked:
            continue
        shown = [model.data(model.index(r, c)) for r in range(n)]
        # Empty strings stay empty under every operator: nothing to hide there.
        same = [r for r in range(n) if raw[r][c] not in (None, "") and shown[r] == str(raw[r][c])]
        assert not same, f"{name}: raw value shown in row {same[0]}"
        if name in ("ssn", "card_number", "iban", "email", "phone", "first_name", "last_name"):
            leaked = {str(v[c]) for v in raw if v[c] not in (None, "")} & set(shown)
            assert not leaked, f"{name}: raw values in the model: {sorted(leaked)[:3]}"
    # Classification colours and tooltips in the header.
    ssn = names.index("ssn")
    assert model.levels["ssn"] == "HRCI"
    assert model.headerData(ssn, Qt.Orientation.Horizontal, Qt.ItemDataRole.BackgroundRole)
    tip = model.headerData(ssn, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "HRCI" in tip and "Operator: redact" in tip
    assert model.levels["customer_id"] == "Public"
    # The default policy forbids revealing; the button says which policy (no site policy
    # is installed here, so none is blamed).
    assert not window.preview.reveal_button.isEnabled()
    button = window.preview.reveal_button
    qtbot.waitUntil(lambda: "built-in default" in button.toolTip(), timeout=5_000)
    assert "site's" not in button.toolTip() and "allow_reveal = true" in button.toolTip()
    rec = AuditLog(window.ctx.store).records(action="preview")[-1]
    assert rec.object == "customers" and '"row_count":5000' in rec.details.replace(" ", "")


def test_reveal_needs_a_reason_is_audited_and_shows_the_column(qtbot, ctx) -> None:
    policy = dataclasses.replace(default_policy(), allow_reveal=True)
    window = make_window(qtbot, ctx, policy=policy)
    try:
        model = open_preview(qtbot, window)
        preview = window.preview
        assert preview.reveal_button.isEnabled()
        qtbot.mouseClick(preview.reveal_button, Qt.MouseButton.LeftButton)
        dlg = preview.reveal_dialog
        assert dlg is not None and dlg.isVisible()
        dlg.column.setCurrentText("ssn")
        qtbot.keyClicks(dlg.reason, "too short")
        assert not dlg.ok.isEnabled()
        qtbot.keyClicks(dlg.reason, " - ticket INC-4711, verify identity")
        assert dlg.ok.isEnabled()
        with qtbot.waitSignal(preview.loaded, timeout=20_000):
            qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
        model = preview.model
        c = model.names.index("ssn")
        raw = raw_rows(window.ctx.paths.demo_db, 50)
        assert [model.data(model.index(r, c)) for r in range(50)] == [str(v[c]) for v in raw]
        assert "revealed" in model.tooltips["ssn"]
        card = model.names.index("card_number")  # other columns stay masked
        assert model.data(model.index(0, card)) != str(raw[0][card])
        rec = AuditLog(window.ctx.store).records(action="reveal")[-1]
        assert rec.object == "customers" and '"ssn"' in rec.details
        assert "INC-4711" in rec.details
    finally:
        close_window(qtbot, window)


def _batch(start: int, n: int) -> pa.RecordBatch:
    ids = pa.array(range(start, start + n), pa.int64())
    return pa.record_batch(
        {
            "id": ids,
            "name": pa.array([f"n{i}" if i % 7 else None for i in range(start, start + n)]),
            "amount": pa.array([i / 3 for i in range(start, start + n)], pa.float64()),
        }
    )


def test_model_passes_qt_model_tester_on_1000_rows(qtmodeltester) -> None:
    model = ArrowTableModel(_batch(0, 1).schema)
    model.append_batch(_batch(0, 600), more=True)
    model.append_batch(_batch(600, 400), more=False)
    assert model.rowCount() == 1_000 and not model.canFetchMore()
    qtmodeltester.check(model)


def test_model_scrolls_a_million_rows_without_copying_them(qtbot) -> None:
    model = ArrowTableModel(_batch(0, 1).schema)
    t0 = time.perf_counter()
    for start in range(0, 1_000_000, 50_000):
        model.append_batch(_batch(start, 50_000), more=start + 50_000 < 1_000_000)
    assert model.rowCount() == 1_000_000 and len(model.batches) == 20
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    view.show()
    view.scrollToBottom()
    qtbot.wait(50)
    elapsed = time.perf_counter() - t0
    assert model.data(model.index(999_999, 0)) == "999999"
    assert model.data(model.index(700_000, 1)) == "NULL"  # 700000 % 7 == 0
    assert elapsed < 5.0, f"building and scrolling took {elapsed:.1f} s"


def test_preview_cells_show_sql_time_and_plain_decimals() -> None:
    """MySQL TIME arrives as a duration: the grid shows the server's text, not Python's."""
    import datetime as dt
    from decimal import Decimal

    from dte_desktop.ui.preview_model import format_value

    assert format_value(-dt.timedelta(hours=838, minutes=59, seconds=59)) == "-838:59:59"
    assert format_value(dt.timedelta(hours=25, microseconds=500000)) == "25:00:00.5"
    assert format_value(Decimal("-1E-10")) == "-0.0000000001"
