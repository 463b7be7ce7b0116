"""The Export tab's query mode ("Export this query" from the SQL tab): the query as sent,
read-only, and the name of the file it becomes. Core exports it as ``dte export NAME
--query SQL`` does: one stream, read-only, masked by the privacy gate (a column as the
stored column it reads, a computed one at the policy's level for unknown columns)."""

from __future__ import annotations

import re

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit

from dte_desktop.core.export.spec import QuerySpec


class QueryBox(QGroupBox):
    def __init__(self) -> None:
        super().__init__("What: a query")
        self.setObjectName("exportQuery")
        self.sql_text = QPlainTextEdit()
        self.sql_text.setObjectName("exportQueryText")
        self.sql_text.setReadOnly(True)
        self.sql_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.name = QLineEdit("query")
        self.name.setObjectName("exportQueryName")
        self.name.setToolTip("The output file's name (the format's extension is added)")
        note = QLabel(
            "Read in one read-only stream. Its columns are masked as the stored columns "
            "they read; a computed column gets the policy's level for unknown columns."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        lay = QFormLayout(self)
        lay.addRow("Query", self.sql_text)
        lay.addRow("File name", self.name)
        lay.addRow("", note)
        from dte_desktop.ui.sql_console import SqlHighlighter

        self.highlighter = SqlHighlighter(self.sql_text.document())

    def set_query(self, sql: str, name: str = "query") -> None:
        self.sql_text.setPlainText(sql)
        self.name.setText(name)

    active = False  # the form exports this query, not the ticked tables

    def activate(self, on: bool) -> None:
        self.active = on
        self.setVisible(on)

    def query_spec(self) -> QuerySpec:
        # A file name, not a path: anything else becomes '_'.
        name = re.sub(r"[^\w.-]+", "_", self.name.text().strip()).strip("._") or "query"
        return QuerySpec(name=name, sql=self.sql_text.toPlainText().strip())
