"""The SQL tab: a read-only console. The editor highlights SQL; Ctrl+Enter runs the text in
a worker through core's preview session (the query is refused before it is sent unless it is
SELECT-like, and it runs in a read-only transaction), the results land in the same masked,
lazily scrolled grid as a table preview (same gate: a column is masked as the stored column
it reads, a computed one at the policy's level for unknown columns), Esc or Cancel stops the
statement on the server.

The history lives only as long as the window: a query can hold values someone typed into a
filter, so it is never written to disk (the audit log keeps its shape, literals as ``?``).
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeySequence,
    QShortcut,
    QSyntaxHighlighter,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.preview_view import PreviewView
from dte_desktop.ui.privacy_state import PrivacyState

KEYWORDS = (
    "select from where and or not in is null as join left right inner outer full cross on "
    "group by order having limit offset distinct union all intersect except with values "
    "table case when then else end between like ilike exists asc desc nulls first last "
    "over partition window cast true false fetch rows only any some lateral using "
    "create primary key foreign references index unique constraint"
).split()
HISTORY_MAX = 100


def _format(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class SqlHighlighter(QSyntaxHighlighter):
    """Keywords, strings, numbers and comments; colours that read on light and dark."""

    RULES = (
        (re.compile(r"\b(?:" + "|".join(KEYWORDS) + r")\b", re.I), _format("#3d7bd9", bold=True)),
        (re.compile(r"\b\d+(?:\.\d+)?\b"), _format("#c0762b")),
        (re.compile(r"'(?:[^']|'')*'?"), _format("#3c9a5f")),
        (re.compile(r'"(?:[^"]|"")*"?'), _format("#9a5fb4")),
        (re.compile(r"--[^\n]*"), _format("#8a8a8a", italic=True)),
    )

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self.RULES:
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)


class SqlConsole(QWidget):
    ran = Signal(str)  # the query text, when it was sent to core
    export_requested = Signal(str, str)  # connection, the query text

    def __init__(
        self,
        ctx: AppContext,
        privacy: PrivacyState,
        keeper: PassphraseKeeper,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.connection: str | None = None
        self.results = PreviewView(ctx, privacy, keeper)
        self.results.title.setText("Results appear here.")
        self._build()

    def _build(self) -> None:
        self.target = QLabel("Select a connection in the catalog.")
        self.target.setObjectName("sqlTarget")
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run the query, read-only (Ctrl+Enter)")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running statement on the server (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.export_button = QPushButton("Export this query…")
        self.export_button.setObjectName("exportQuery")
        self.export_button.setToolTip("Open the Export tab with this query (masked by default)")
        self.export_button.clicked.connect(self.export_query)
        top = QHBoxLayout()
        top.addWidget(self.target, 1)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.export_button)

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("sqlEditor")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText(
            "SELECT … (read-only: only SELECT, WITH, VALUES or TABLE is sent). "
            "Ctrl+Enter runs, Esc cancels."
        )
        self.highlighter = SqlHighlighter(self.editor.document())
        self.history = QListWidget()
        self.history.setObjectName("sqlHistory")
        self.history.setToolTip("This session's queries (kept in memory only). Double-click.")
        self.history.itemDoubleClicked.connect(
            lambda item: self.editor.setPlainText(item.data(Qt.ItemDataRole.UserRole))
        )
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(self.editor)
        upper.addWidget(self.history)
        upper.setSizes([700, 250])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(self.results)
        split.setSizes([180, 420])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.run)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.cancel)
        self.results.loaded.connect(lambda _n: self.cancel_button.setEnabled(False))
        self.results.loader.failed.connect(lambda _t, _m: self.cancel_button.setEnabled(False))

    def set_connection(self, name: str) -> None:
        self.connection = name
        self.target.setText(f"<b>{name}</b> — read-only")

    def run(self) -> None:
        sql = self.query_text()
        if not sql:
            self.results.status.setText("Type a query first.")
            return
        if self.connection is None:
            self.results.status.setText("Select a connection in the catalog first.")
            return
        last = self.history.item(0)
        if last is None or last.data(Qt.ItemDataRole.UserRole) != sql:
            item = QListWidgetItem(" ".join(sql.split()))  # one line; the full text on hover
            item.setData(Qt.ItemDataRole.UserRole, sql)
            item.setToolTip(sql)
            self.history.insertItem(0, item)
            while self.history.count() > HISTORY_MAX:
                self.history.takeItem(self.history.count() - 1)
        self.cancel_button.setEnabled(True)
        self.results.load_query(self.connection, sql)
        self.ran.emit(sql)

    def query_text(self) -> str:
        return self.editor.toPlainText().strip().rstrip(";").strip()

    def export_query(self) -> None:
        """Hand the editor's query to the Export tab; core refuses a non-query there too."""
        sql = self.query_text()
        if not sql or self.connection is None:
            what = "Type a query first." if not sql else "Select a connection first."
            self.results.status.setText(what)
            return
        self.export_requested.emit(self.connection, sql)

    def cancel(self) -> None:
        if self.cancel_button.isEnabled():
            self.results.status.setText("Cancelling…")
            self.results.loader.cancel()
