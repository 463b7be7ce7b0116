"""Asks why a masked column must be shown in clear. The reason goes to the audit log."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from dte_desktop.core.privacy.preview_session import MIN_REASON  # core decides; said here


class RevealDialog(QDialog):
    def __init__(self, columns: list[str], current: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Reveal column")
        self.column = QComboBox()
        self.column.setObjectName("revealColumn")
        self.column.addItems(columns)
        if current in columns:
            self.column.setCurrentText(current)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("revealReason")
        self.reason.setPlaceholderText(
            "Why do you need the clear values? (recorded in the audit log)"
        )
        self.reason.setMinimumHeight(80)
        self.hint = QLabel(f"At least {MIN_REASON} characters.")
        self.hint.setObjectName("hint")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Reveal")
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._check)
        form = QFormLayout(self)
        form.addRow("Column", self.column)
        form.addRow("Reason", self.reason)
        form.addRow("", self.hint)
        form.addRow(self.buttons)
        self.resize(460, 240)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def _check(self) -> None:
        self.ok.setEnabled(len(self.reason_text()) >= MIN_REASON)
