"""The audit view: filters, chain verification (OK and broken), export."""

from __future__ import annotations

import csv
import sqlite3

from PySide6.QtCore import Qt

from dte_desktop.core.audit import AuditLog


def test_filter_verify_and_export(qtbot, window, tmp_path) -> None:
    log = AuditLog(window.ctx.store)
    log.record("preview", connection="Demo (SQLite)", object="customers", row_count=10)
    log.record("reveal", connection="Demo (SQLite)", object="customers", columns=["ssn"],
               reason="incident 42 needs it")  # fmt: skip
    view = window.open_audit()
    qtbot.waitUntil(lambda: view.table.rowCount() >= 2, timeout=10_000)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.action.setCurrentText("reveal")
    assert view.table.rowCount() == 1
    assert view.table.item(0, 3).text() == "reveal"
    assert "incident 42" in view.table.item(0, 6).text()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.use_since.setChecked(True)  # since 30 days ago: still there
    assert view.table.rowCount() == 1

    with qtbot.waitSignal(view.verified, timeout=10_000) as ok:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert ok.args[0].ok and "Chain OK" in view.result.text()

    out = tmp_path / "audit.csv"
    with qtbot.waitSignal(view.exported, timeout=10_000) as exported:
        view.export(out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert exported.args[0] == len(rows) >= 2 and {"hash", "prev_hash"} <= set(rows[0])

    # Someone edits a record in the database behind the app's back.
    con = sqlite3.connect(window.ctx.paths.history_db)
    with con:
        con.execute("UPDATE audit_log SET object = 'orders' WHERE action = 'reveal'")
    con.close()
    with qtbot.waitSignal(view.verified, timeout=10_000) as broken:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    res = broken.args[0]
    assert not res.ok and res.first_broken is not None
    assert f"broken at record {res.first_broken}" in view.result.text()
    view.close()


def test_long_jobs_notify_short_ones_do_not(window) -> None:
    from dte_desktop.core.jobs.events import JobFinished

    window.notifier.job_finished(JobFinished(7, "complete", {"seconds": 2.0, "rows": 10}))
    assert window.notifier.sent == []
    window.notifier.job_finished(JobFinished(8, "complete", {"seconds": 12.5, "rows": 1000}))
    assert window.notifier.sent == ["Job 8 complete: 1,000 rows in 12 s"]
