"""Show DDL: a table's CREATE TABLE as core reconstructs it from the catalog, in the
source's own SQL (core/sources/ddl.py), read in a worker; read-only text with Copy."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui.sql_console import SqlHighlighter
from dte_desktop.ui.workers import run_in_pool


class DdlDialog(QDialog):
    loaded = Signal(str)  # the DDL text, or the error shown instead

    def __init__(
        self, ctx: AppContext, connection: str, table: TableRef, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ddlDialog")
        self.setWindowTitle(f"DDL of {table.display()}")
        self.resize(680, 460)
        self.info = QLabel(f"<b>{table.display()}</b> — {connection}: reading the catalog…")
        self.info.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("ddlText")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = SqlHighlighter(self.text.document())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.text.toPlainText())
        )
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addWidget(self.text, 1)
        lay.addWidget(buttons)

        def work() -> str:
            from dte_desktop.core.sources.ddl import table_ddl

            source = ctx.open_source(connection)
            try:
                return table_ddl(source, table)
            finally:
                source.close()

        run_in_pool(work, self._show, self._failed)

    def _show(self, ddl: str) -> None:
        self.info.setText(
            "Reconstructed from the catalog (columns, types, nullability, keys, indexes); "
            "not the server's stored definition."
        )
        self.text.setPlainText(ddl)
        self.copy_button.setEnabled(True)
        self.loaded.emit(ddl)

    def _failed(self, title: str, message: str) -> None:
        self.info.setText(f"{title}: {message}")
        self.loaded.emit(message)
