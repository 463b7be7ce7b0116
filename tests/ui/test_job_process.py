"""Exports run in a worker process: what the user sees when it dies, when it cannot start,
and when they quit while it runs."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import ItemProgress
from dte_desktop.core.store import JobStatus
from tests.ui.conftest import make_window
from tests.ui.test_jobs import Events, start_from_form


def button(box, text: str) -> QPushButton:  # type: ignore[no-untyped-def]
    return next(b for b in box.buttons() if b.text() == text)


def test_quitting_with_a_running_job_asks_then_stops_it_resumably(qtbot, ctx) -> None:
    window = make_window(qtbot, ctx)
    events = Events(window)
    job_id = start_from_form(qtbot, window, "customers", workers=1, partitions=4, batch=1_000)
    qtbot.waitUntil(lambda: bool(events.of(ItemProgress)), timeout=60_000)

    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.quit_box is not None and window.quit_box.isVisible())
    assert "1 export job is still running" in window.quit_box.text()
    qtbot.mouseClick(button(window.quit_box, "Keep working"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.quit_box is None)
    assert window.isVisible() and window.jobs.is_running(job_id)

    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.quit_box is not None and window.quit_box.isVisible())
    qtbot.mouseClick(button(window.quit_box, "Stop jobs and quit"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert not window.jobs.busy()
    fin = events.finished(job_id)
    assert fin is not None and fin.status == JobStatus.CANCELLED
    job = ctx.store.get_job(job_id)
    assert job.status == JobStatus.CANCELLED and job.status.resumable
    assert not list(Path(job.config["out_dir"]).rglob("*.part"))


def test_a_killed_worker_is_reported_and_its_job_resumes(qtbot, window) -> None:
    events = Events(window)
    failures: list[tuple[str, str]] = []
    window.jobs.failed.connect(lambda t, m: failures.append((t, m)))
    job_id = start_from_form(qtbot, window, "customers", workers=1, partitions=4, batch=1_000)
    qtbot.waitUntil(lambda: bool(events.of(ItemProgress)), timeout=60_000)
    [proc] = window.jobs._procs
    os.kill(proc.proc.processId(), signal.SIGKILL)

    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=30_000)
    assert events.finished(job_id).status == JobStatus.INTERRUPTED
    assert failures and "ended unexpectedly" in failures[0][1]
    assert "resumed" in window.status_label.text() or "interrupted" in window.status_label.text()
    win = window.open_job(job_id)
    qtbot.waitUntil(lambda: win.resume_button.isEnabled(), timeout=10_000)
    events.seen.clear()
    with qtbot.waitSignal(window.jobs.started, timeout=30_000):
        qtbot.mouseClick(win.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=120_000)
    fin = events.finished(job_id)
    assert fin.status == JobStatus.COMPLETE and fin.summary["rows"] == 100_000


def test_a_worker_that_cannot_start_says_so(qtbot, window, monkeypatch) -> None:
    """The installed app's ``dte`` executable missing or blocked by the site: a clear error,
    and the app is not left thinking a job runs."""
    from dte_desktop.ui import job_process

    missing = str(Path(window.ctx.paths.data_dir) / "no-such-dte")
    monkeypatch.setattr(job_process, "worker_command", lambda: [missing, "_job-worker"])
    failures: list[tuple[str, str]] = []
    window.jobs.failed.connect(lambda t, m: failures.append((t, m)))
    spec = ExportSpec(
        mask=False,
        connection="Demo (SQLite)",
        out_dir=str(window.ctx.paths.exports_dir),
        tables=("orders",),
    )
    window.start_export(spec)
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    title, message = failures[0]
    assert title == "Export could not start" and missing in message
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5_000)
    assert window.status_label.text().startswith(f"{title}: ")
    assert window.export_form.message.text().startswith(f"{title}: ")  # where they clicked
    assert window.ctx.store.list_jobs() == []  # nothing half-started was recorded
