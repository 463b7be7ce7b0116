"""The main window's dialogs and windows: connections, audit log, job windows, the jobs
dock on Ctrl+J, shortcuts, About, and the question asked when quitting with jobs running."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


class DialogsMixin:
    """Dialogs and quitting of :class:`~dte_desktop.ui.main_window.MainWindow`."""

    def open_connections(self) -> Any:
        from dte_desktop.ui.connection_dialog import ConnectionsDialog

        dlg = self.dialogs.get("connections")
        if dlg is None:
            dlg = ConnectionsDialog(self.ctx, self.keeper, self)
            dlg.saved.connect(lambda _n: self.catalog.refresh())
            dlg.removed.connect(lambda _n: self.catalog.refresh())
            self.dialogs["connections"] = dlg
        else:
            dlg.refresh()
        dlg.show()
        dlg.raise_()
        return dlg

    def new_connection(self) -> Any:
        dlg = self.open_connections()
        dlg.new_connection()
        return dlg

    def open_audit(self) -> Any:
        from dte_desktop.ui.audit_view import AuditView

        view = self.dialogs.get("audit")
        if view is None:
            view = AuditView(self.ctx, self)
            self.dialogs["audit"] = view
        else:
            view.refresh()
        view.show()
        view.raise_()
        return view

    def open_job(self, job_id: int) -> Any:
        from dte_desktop.ui.job_window import JobWindow

        win = self.job_windows.get(job_id)
        if win is None:
            win = JobWindow(self.jobs, job_id, self)
            self.job_windows[job_id] = win
        else:
            win.reload()
        win.show()
        win.raise_()
        return win

    def _show_jobs(self) -> None:
        """Ctrl+J: the dock shown (again, if closed), raised, its list focused on the newest
        job, and said in the status bar — visible even when the dock was already open."""
        self.jobs_dock.show()
        self.jobs_dock.raise_()
        self.jobs_dock.refresh()
        table = self.jobs_dock.table
        table.setFocus()
        if table.rowCount() and table.currentRow() < 0:
            table.selectRow(0)
        self._status("Job history (jobs dock): double-click a job to open it.")

    def _confirm_quit(self) -> None:
        if self.quit_box is not None:
            self.quit_box.raise_()
            return
        n = len(self.jobs.running()) or 1
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Jobs are running",
            f"{n} export job{'s are' if n > 1 else ' is'} still running.",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("quitConfirm")
        box.setInformativeText(
            "Quitting stops them between batches. Every finished slice is kept, and each "
            "job can be resumed later from the jobs list."
        )
        stop = box.addButton("Stop jobs and quit", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_result: int) -> None:
            self.quit_box = None
            if box.clickedButton() is stop:
                self._quit_after_jobs()
            box.deleteLater()

        box.finished.connect(answered)
        self.quit_box = box
        box.open()  # window-modal, and the event loop (and the jobs' events) keep running

    def _quit_after_jobs(self) -> None:
        self._quitting = True
        if not self.jobs.busy():
            self.close()
            return
        self._status("Stopping the running jobs…")
        self.jobs.idle.connect(self.close, Qt.ConnectionType.SingleShotConnection)
        self.jobs.stop_all()

    def show_shortcuts(self) -> Any:
        from dte_desktop.ui.shortcuts import ShortcutsDialog

        self.shortcuts_dialog = ShortcutsDialog(self.menuBar(), self)
        self.shortcuts_dialog.open()
        return self.shortcuts_dialog

    def _about(self) -> None:
        from dte_desktop.ui.about import AboutDialog

        self.about_dialog = AboutDialog(self.ctx, self)
        self.about_dialog.open()
