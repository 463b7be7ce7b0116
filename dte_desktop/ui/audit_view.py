"""The audit trail for compliance officers: filter, verify the hash chain, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.audit import ACTIONS, AuditLog, VerifyResult
from dte_desktop.core.store.audit_rows import AuditRecord
from dte_desktop.ui.tables import read_only_table
from dte_desktop.ui.workers import run_in_pool

COLUMNS = ["#", "When (UTC)", "User", "Action", "Connection", "Object", "Details"]
LIMIT = 5_000


class AuditView(QWidget):
    loaded = Signal(int)
    verified = Signal(object)  # VerifyResult
    exported = Signal(int, str)

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.setWindowTitle("Audit log — DTE Desktop")
        self.resize(1000, 560)
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.addItems(["All actions", *ACTIONS])
        self.use_since = QCheckBox("Since")
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.since.setObjectName("auditSince")
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setEnabled(False)
        self.use_since.toggled.connect(self.since.setEnabled)
        self.use_since.toggled.connect(self.refresh)
        self.since.dateChanged.connect(self.refresh)
        self.action.currentIndexChanged.connect(self.refresh)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        self.verify_button = QPushButton("Verify chain")
        self.verify_button.setObjectName("verifyChain")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.ask_export)
        top = QHBoxLayout()
        for w in (self.action, self.use_since, self.since, refresh):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.verify_button)
        top.addWidget(self.export_button)
        self.result = QLabel("")
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        self.table = read_only_table(COLUMNS, "auditTable", rows="many")
        self.table.setWordWrap(False)  # one line per record; the tooltip has the rest
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.result)
        lay.addWidget(self.table, 1)
        self.refresh()

    def _filters(self) -> tuple[str | None, str | None]:
        action = self.action.currentText() if self.action.currentIndex() > 0 else None
        since = self.since.date().toString("yyyy-MM-dd") if self.use_since.isChecked() else None
        return action, since

    def refresh(self) -> None:
        action, since = self._filters()
        log = AuditLog(self.ctx.store)
        run_in_pool(lambda: log.records(since=since, action=action), self._show, self._error)

    def _show(self, records: list[AuditRecord]) -> None:
        shown = records[-LIMIT:][::-1]  # newest first
        self.table.setRowCount(len(shown))
        for r, rec in enumerate(shown):
            details = _details(rec.details)
            values = [
                str(rec.id),
                rec.at[:19].replace("T", " "),
                rec.os_user or "",
                rec.action,
                rec.connection or "",
                rec.object or "",
                details,
            ]
            for c, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if c == 6:
                    cell.setToolTip(text)
                self.table.setItem(r, c, cell)
        for c in range(6):
            self.table.resizeColumnToContents(c)
        self.table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.loaded.emit(len(records))

    def verify(self) -> None:
        self.result.setText("Verifying…")
        log = AuditLog(self.ctx.store)
        run_in_pool(log.verify, self._verified, self._error)

    def _verified(self, res: VerifyResult) -> None:
        if res.ok:
            self.result.setStyleSheet("color: #2e7d32;")
            self.result.setText(f"✔ Chain OK: {res.records} record(s) verified.")
        else:
            self.result.setStyleSheet("color: #c62828;")
            self.result.setText(f"✘ Chain broken at record {res.first_broken}: {res.reason}")
        self.verified.emit(res)

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export audit log", "audit.csv", "CSV (*.csv);;JSON (*.json)"
        )
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        _action, since = self._filters()
        ctx = self.ctx

        def work() -> int:
            log = AuditLog(ctx.store)
            n = log.export(path, since=since)
            log.record("audit_export", object=str(path), row_count=n)
            return n

        run_in_pool(work, lambda n: self._exported(n, path), self._error)

    def _exported(self, n: int, path: Path) -> None:
        self.result.setStyleSheet("")
        self.result.setText(f"Exported {n} record(s) to {path}")
        self.exported.emit(n, str(path))
        self.refresh()

    def _error(self, title: str, message: str) -> None:
        self.result.setStyleSheet("color: #c62828;")
        self.result.setText(f"{title}: {message}")


def _details(raw: str) -> str:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw)
    return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, [], {}, ""))
