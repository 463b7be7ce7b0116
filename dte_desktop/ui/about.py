"""Help → About: the version and where the app keeps its files, and the Licences tab with
THIRD-PARTY-NOTICES (every bundled component, its licence and text; how to replace Qt)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dte_desktop import __version__
from dte_desktop.core.notices import notices_text


class AboutDialog(QDialog):
    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About DTE Desktop")
        self.resize(820, 600)
        self.tabs = QTabWidget()
        info = QLabel(
            f"<h2>DTE Desktop {__version__}</h2>"
            "<p>Profile, preview (masked) and export SQL data on air-gapped workstations.</p>"
            f"<p>Job history: {ctx.paths.history_db}<br>Logs: {ctx.paths.logs_dir}</p>"
            "<p>Third-party components and their licences: see the <b>Licences</b> tab.</p>"
        )
        info.setWordWrap(True)
        info.setObjectName("aboutInfo")
        self.tabs.addTab(info, "About")

        self.notices = QPlainTextEdit()
        self.notices.setObjectName("licences")
        self.notices.setReadOnly(True)
        self.notices.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.notices.setPlainText(notices_text())
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find in the licences (Enter: next)")
        self.find.returnPressed.connect(self.find_next)
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(self.find)
        lay.addWidget(self.notices, 1)
        self.tabs.addTab(page, "Licences")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._focus_find)

    def _focus_find(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.find.setFocus()

    def find_next(self) -> bool:
        text = self.find.text()
        if not text:
            return False
        if self.notices.find(text):
            return True
        cursor = self.notices.textCursor()  # wrap around to the top
        cursor.movePosition(cursor.MoveOperation.Start)
        self.notices.setTextCursor(cursor)
        return self.notices.find(text)
