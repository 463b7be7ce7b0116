"""Exports from the GUI: live charts and partition grid, cancel, resume, re-run, the job
detail with errors, log lines and its folder, the history filters."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from dte_desktop.core.jobs.events import ItemProgress, JobFinished, JobProgress
from dte_desktop.core.store import JobStatus
from tests.ui.conftest import select_table


class Events:
    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        self.seen: list[object] = []
        window.jobs.event.connect(self.seen.append)

    def finished(self, job_id: int | None = None) -> JobFinished | None:
        return next(
            (
                e
                for e in self.seen
                if isinstance(e, JobFinished) and (job_id is None or e.job_id == job_id)
            ),
            None,
        )

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [e for e in self.seen if isinstance(e, kind)]


def start_from_form(qtbot, window, table: str, *, workers=2, partitions=4, batch=20_000, where=""):  # type: ignore[no-untyped-def]
    select_table(qtbot, window, table)
    window.tree.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    form = window.export_form
    assert window.tabs.currentWidget() is form and form.checked_tables() == [table]
    form.workers.setValue(workers)
    form.partitions.setValue(partitions)
    form.batch_rows.setValue(batch)
    if where:
        qtbot.keyClicks(form.where, where)
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as started:
        qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
        assert form.message.text().startswith("Starting the export of")
    job_id = started.args[0].job_id
    assert form.message.text() == f"Export job {job_id} started — see the Jobs dock."
    return job_id


def test_export_shows_live_rates_and_partitions(qtbot, window) -> None:
    events = Events(window)
    job_id = start_from_form(qtbot, window, "orders")
    win = window.open_job(job_id)
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=120_000)
    fin = events.finished(job_id)
    assert fin.status == JobStatus.COMPLETE and fin.summary["rows"] == 500_000
    progress = [e for e in events.of(JobProgress) if e.job_id == job_id]
    assert progress, "no JobProgress events reached the GUI thread"
    for chart in (win.live.chart, window.jobs_dock.live.chart):
        assert len(chart.times) == len(progress) and chart.rows_per_s[-1] > 0
        qtbot.waitUntil(lambda c=chart: c.redraws > 0, timeout=5_000)
    # Redraws are throttled by the timer, not one per event.
    assert win.live.chart.redraws <= len(progress) + 2
    grid = win.live.grid
    assert grid.rowCount() == 4
    assert {grid.item(r, 1).text() for r in range(4)} == {"done"}
    qtbot.waitUntil(lambda: win.detail is not None and win.detail.job.status.finished)
    files = [Path(i.output_path) for i in win.detail.items]
    assert len(files) == 4 and all(f.exists() for f in files)
    assert f"job {job_id}" in win.log.toPlainText()
    opened: list[QUrl] = []

    class Catcher(QObject):
        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            opened.append(url)

    catcher = Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        qtbot.mouseClick(win.folder_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert opened and Path(opened[0].toLocalFile()) == Path(fin.summary["out_dir"])
    # Re-run: a new job from the same stored spec.
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as again:
        qtbot.mouseClick(win.rerun_button, Qt.MouseButton.LeftButton)
    new_id = again.args[0].job_id
    assert new_id != job_id
    qtbot.waitUntil(lambda: events.finished(new_id) is not None, timeout=120_000)
    assert window.ctx.store.get_job(new_id).config["tables"] == ["orders"]


def test_cancel_then_resume_from_the_job_window(qtbot, window) -> None:
    events = Events(window)
    job_id = start_from_form(qtbot, window, "customers", workers=1, partitions=4, batch=2_000)
    win = window.open_job(job_id)
    qtbot.waitUntil(lambda: bool(events.of(ItemProgress)), timeout=60_000)
    assert win.cancel_button.isEnabled()
    qtbot.mouseClick(win.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=60_000)
    assert events.finished(job_id).status == JobStatus.CANCELLED
    qtbot.waitUntil(lambda: win.resume_button.isEnabled(), timeout=10_000)
    events.seen.clear()
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as resumed:
        qtbot.mouseClick(win.resume_button, Qt.MouseButton.LeftButton)
    assert resumed.args[0].job_id == job_id and resumed.args[0].resumed
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=120_000)
    fin = events.finished(job_id)
    assert fin.status == JobStatus.COMPLETE and fin.summary["rows"] == 100_000
    items = window.ctx.store.list_items(job_id)
    assert len(items) == 4 and all(i.status == "done" for i in items)


def test_job_detail_shows_errors_with_tracebacks_and_history_filters(qtbot, window) -> None:
    events = Events(window)
    job_id = start_from_form(qtbot, window, "products", partitions=1, where="no_such_column > 1")
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=60_000)
    assert events.finished(job_id).status == JobStatus.FAILED
    dock = window.jobs_dock
    qtbot.waitUntil(lambda: job_id in dock.visible_job_ids(), timeout=10_000)
    row = dock.visible_job_ids().index(job_id)
    at = dock.table.visualItemRect(dock.table.item(row, 0)).center()
    with qtbot.waitSignal(dock.open_job, timeout=5_000) as opened:
        # A double-click is a press, a release, then the double-click event.
        qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=at)
        qtbot.mouseDClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert opened.args == [job_id]
    win = window.job_windows[job_id]
    qtbot.waitUntil(lambda: win.detail is not None and win.errors.count() > 0, timeout=10_000)
    assert "no_such_column" in win.errors.item(0).text()
    assert "Traceback" in win.traceback.toPlainText()
    assert win.tabs.tabText(2).startswith("Errors (")
    assert '"where": "no_such_column > 1"' in win.config.toPlainText()
    assert win.resume_button.isEnabled() and not win.cancel_button.isEnabled()
    # History filters: by status and by search text.
    with qtbot.waitSignal(dock.history_loaded, timeout=5_000):
        dock.status.setCurrentText("failed")
    assert dock.visible_job_ids() == [job_id]
    with qtbot.waitSignal(dock.history_loaded, timeout=5_000):
        dock.status.setCurrentIndex(0)
    qtbot.keyClicks(dock.search, "no match at all")
    assert dock.visible_job_ids() == []
    dock.search.clear()
    assert job_id in dock.visible_job_ids()
