"""``dte-desktop --selftest --screenshots DIR``: drive every main screen offscreen in the
light and dark themes, save a PNG of each, print the paths.

It drives the real widgets the way the tests do, waiting on the event loop (never sleeping
the GUI thread), so a screen that cannot load shows up as a failed step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QThread
from PySide6.QtWidgets import QWidget

from dte_desktop.core.demo import DEMO_CONNECTION
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import JobFinished, JobProgress
from dte_desktop.ui.catalog import node


class StepFailed(RuntimeError):
    pass


def wait_until(pred: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        value = pred()
        if value:
            return value
        QThread.msleep(10)
    raise StepFailed(f"timed out waiting for {what or pred}")


def settle(ms: int = 300) -> None:
    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        QThread.msleep(10)


class ScreenshotTour:
    def __init__(self, window: Any, out_dir: Path) -> None:
        self.w = window
        self.out = out_dir
        self.saved: list[Path] = []
        self.events: list[object] = []
        window.jobs.event.connect(self.events.append)

    def grab(self, widget: QWidget, name: str) -> None:
        settle(350)  # let the 4 Hz chart timers draw once
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise StepFailed(f"could not save {path}")
        self.saved.append(path)
        print(f"selftest screenshot: {path}", flush=True)

    def run(self) -> list[Path]:
        self.out.mkdir(parents=True, exist_ok=True)
        self.w.resize(1280, 900)
        for name in ("light", "dark"):
            self.w.set_theme(name)
            self.tour(name)
        return self.saved

    def tour(self, t: str) -> None:
        w = self.w
        conn = wait_until(lambda: w.catalog.find_connection(DEMO_CONNECTION), what="demo")
        w.tree.setCurrentItem(conn)
        conn.setExpanded(True)
        wait_until(lambda: node(conn).get("loaded"), what="demo tables")
        item = wait_until(lambda: w.catalog.find_table(DEMO_CONNECTION, "customers"))
        w.tree.setCurrentItem(item)
        w.tabs.setCurrentIndex(0)
        wait_until(lambda: "Constraints" in w.overview.text(), what="columns")
        self.grab(w, f"{t}-main")

        dlg = w.new_connection()
        dlg.name.setText("Warehouse")
        dlg.host.setText("db.internal.example")
        dlg.database.setText("sales")
        dlg.user.setText("analyst")
        dlg.password.setText("not-saved")
        self.grab(dlg, f"{t}-connections")
        dlg.password.clear()
        dlg.hide()

        w.preview_selected()
        wait_until(lambda: w.preview.model and w.preview.model.rowCount() > 0, what="preview")
        self.grab(w, f"{t}-preview")

        w.profile_view.data = None
        w.profile_selected()
        wait_until(lambda: w.profile_view.data is not None, 120, "profile")
        self.grab(w, f"{t}-profile")

        w.export_selected()
        self.grab(w, f"{t}-export")

        self.events.clear()
        spec = ExportSpec(
            connection=DEMO_CONNECTION,
            out_dir=str(w.ctx.paths.exports_dir / f"selftest-{t}"),
            tables=("customers",),
            workers=2,
            partitions=4,
            mask=True,
            batch_rows=5_000,
        )
        w.start_export(spec)
        started = wait_until(lambda: w.jobs.running(), 60, "job start")
        job_id = started[0]
        win = w.open_job(job_id)
        win.resize(1000, 620)
        # A few points make a curve; a short job may end first, which is fine too.
        wait_until(
            lambda: (
                sum(isinstance(e, JobProgress) for e in self.events) >= 3
                or any(isinstance(e, JobFinished) for e in self.events)
            ),
            60,
            "job progress",
        )
        self.grab(win, f"{t}-job-running")
        if not w.jobs.busy():  # closing now would close the window, not ask
            raise StepFailed("the export ended before the quit question could be shown")
        w.close()  # with a job running: the window asks first
        box = wait_until(lambda: w.quit_box, 10, "quit question")
        settle(100)
        self.grab(box, f"{t}-quit-confirm")
        next(b for b in box.buttons() if b.text() == "Keep working").click()
        wait_until(lambda: w.quit_box is None and w.isVisible(), 10, "keep working")
        wait_until(lambda: any(isinstance(e, JobFinished) for e in self.events), 180, "job end")
        wait_until(lambda: win.detail and win.detail.job.status.finished, 30, "job detail")
        self.grab(win, f"{t}-job-done")
        win.tabs.setCurrentIndex(1)
        self.grab(win, f"{t}-job-details")
        win.close()

        audit = w.open_audit()
        wait_until(lambda: audit.table.rowCount() > 0, what="audit records")
        audit.verify()
        wait_until(lambda: "Chain" in audit.result.text(), what="verify")
        self.grab(audit, f"{t}-audit")
        audit.close()
        w.tabs.setCurrentIndex(0)
