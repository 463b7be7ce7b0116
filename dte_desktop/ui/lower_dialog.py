"""The confirmation asked before a stored classification is lowered (the classification
editor's and the Profile tab's): what goes down, from what to what, and a reason that
goes into the audit record. OK stays disabled until a reason is typed."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)


class LowerDialog(QDialog):
    def __init__(self, lines: list[str], reason: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("lowerClassification")
        self.setWindowTitle("Lower a stored classification")
        intro = QLabel(
            "These columns were classified by an officer. Lowering them shows more of their "
            "values in previews and exports:<br>" + "<br>".join(f"• {line}" for line in lines)
        )
        intro.setWordWrap(True)
        self.reason = QLineEdit(reason)
        self.reason.setObjectName("lowerReason")
        self.reason.setPlaceholderText("Why (recorded in the audit log)")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Lower")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._check)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(QLabel("Reason:"))
        lay.addWidget(self.reason)
        lay.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())
        self._check()

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.reason.text().strip()))

    def reason_text(self) -> str:
        return self.reason.text().strip()
