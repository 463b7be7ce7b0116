"""Export feedback: a folder that cannot be written is refused before a job starts; a
failed job's reason shows in the dock; Resume is not offered for a permanent error;
progress has a total, a percentage and the time left; the dock's state stays current."""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtCore import Qt

from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import JobProgress
from dte_desktop.core.store import JobStatus
from dte_desktop.ui.job_live import progress_text
from tests.ui.conftest import select_table
from tests.ui.test_jobs import Events

UNWRITABLE = "/proc/dte-export-here"  # not writable even by root
SHOTS = os.environ.get("DTE_SHOTS", "/tmp/dte-shots")


def test_progress_text() -> None:
    assert progress_text(344_064, 1_000_000, 100_000.0) == (
        "344,064 of ~1,000,000 rows (34 %), about 7 s left"
    )
    assert progress_text(10, None, 5.0) == "10 rows"
    assert "past the estimate" in progress_text(1_200, 1_000, 5.0)


def test_unwritable_folder_is_refused_before_a_job_starts(qtbot, window) -> None:
    select_table(qtbot, window, "products")
    window.export_selected()
    form = window.export_form
    form.out_dir.setText(UNWRITABLE)
    qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    assert form.message.text().startswith("Export failed: Cannot write /proc/dte-export-here")
    qtbot.wait(300)
    assert window.ctx.store.list_jobs() == [] and not window.jobs.busy()


def test_permanent_failure_shows_its_reason_and_offers_no_resume(qtbot, window) -> None:
    events = Events(window)
    spec = ExportSpec(connection="Demo (SQLite)", out_dir=UNWRITABLE, tables=("products",))
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as started:
        window.jobs.run_export(spec.validate())
    job_id = started.args[0].job_id
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=60_000)
    dock = window.jobs_dock
    qtbot.waitUntil(lambda: "Cannot write" in dock.live.summary.text(), timeout=10_000)
    qtbot.waitUntil(lambda: job_id in dock.no_resume, timeout=10_000)
    dock.table.selectRow(0)
    assert window.ctx.store.get_job(job_id).status == JobStatus.FAILED
    assert not dock.resume_button.isEnabled()
    assert "cannot get past" in dock.resume_button.toolTip()
    assert "Cannot write" in dock.table.item(0, 2).toolTip()
    win = window.open_job(job_id)
    qtbot.waitUntil(lambda: win.detail is not None, timeout=10_000)
    assert not win.resume_button.isEnabled() and win.rerun_button.isEnabled()
    assert win.live.summary.text().startswith(f"Job {job_id} failed")
    assert dock.live.summary.text().count("Cannot write") == 1
    os.makedirs(SHOTS, exist_ok=True)
    for name in ("dark", "light"):
        window.set_theme(name)
        dock.grab().save(os.path.join(SHOTS, f"export-failed-dock-{name}.png"))
        win.grab().save(os.path.join(SHOTS, f"job-window-{name}.png"))
    # The job window closes with Escape (and has a Close button).
    assert win.close_button.isVisible()
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.isVisible()


def test_progress_has_a_total_and_the_dock_is_current(qtbot, window, tmp_path) -> None:
    events = Events(window)
    dock = window.jobs_dock
    seen: list[tuple[str, str]] = []

    def watch(ev: object) -> None:
        if isinstance(ev, JobProgress):
            row = next(
                (r for r in range(dock.table.rowCount())
                 if dock.table.item(r, 0).text() == str(ev.job_id)),
                None,
            )  # fmt: skip
            status = dock.table.item(row, 2).text() if row is not None else ""
            seen.append((dock.live.summary.text(), status))
            if len(seen) == 3:  # mid-run, in both themes
                os.makedirs(SHOTS, exist_ok=True)
                for name in ("dark", "light"):
                    window.set_theme(name)
                    dock.grab().save(os.path.join(SHOTS, f"export-progress-{name}.png"))

    window.jobs.event.connect(watch)
    spec = ExportSpec(
        connection="Demo (SQLite)", out_dir=str(tmp_path / "out"), tables=("customers",),
        workers=1, partitions=4, batch_rows=2_000,
    )  # fmt: skip
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as started:
        window.jobs.run_export(dataclasses.replace(spec).validate())
    job_id = started.args[0].job_id
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=180_000)
    progress = [e for e in events.of(JobProgress) if e.job_id == job_id]
    assert progress and all(e.rows_total and e.rows_total > 50_000 for e in progress)
    assert seen
    texts = [t for t, _ in seen]
    assert any(" %)" in t and "left" in t for t in texts), texts[-3:]
    # While rows are being written the history row says running, never queued.
    assert all(status in ("running", "") for _, status in seen[1:]), seen[-3:]
    fin = events.finished(job_id)
    assert fin.status == JobStatus.COMPLETE
    final = dock.live.summary.text()
    assert final.startswith(f"Job {job_id} complete")
    dock.live.on_event(progress[0])  # a late progress line does not bring back "1/4 done"
    assert dock.live.summary.text() == final
    os.makedirs(SHOTS, exist_ok=True)
    window.grab().save(os.path.join(SHOTS, "export-done.png"))
