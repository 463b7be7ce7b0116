"""A desktop notification when a long job finishes (the user has likely looked away)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from dte_desktop.core.jobs.events import JobFinished

LONG_JOB_S = 10.0


class Notifier:
    def __init__(self, parent: Any) -> None:
        self.parent = parent
        self.tray: QSystemTrayIcon | None = None
        self.sent: list[str] = []  # what was shown, for tests and the status bar

    def job_finished(self, ev: JobFinished) -> bool:
        seconds = float(ev.summary.get("seconds") or 0.0)
        if seconds < LONG_JOB_S:
            return False
        rows = ev.summary.get("rows")
        text = f"Job {ev.job_id} {ev.status}" + (
            f": {rows:,} rows in {seconds:.0f} s" if rows else ""
        )
        self.sent.append(text)
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        if self.tray is None:
            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            self.tray = QSystemTrayIcon(icon, self.parent)
            self.tray.show()
        self.tray.showMessage("DTE Desktop", text, QSystemTrayIcon.MessageIcon.Information, 8000)
        return True
