"""The Overview tab: what the selected catalog node is — a connection's URL, a table's
columns (described in a worker)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea

from dte_desktop.core.app import AppContext
from dte_desktop.core.sources.base import ColumnInfo, TableInfo
from dte_desktop.ui.workers import run_in_pool

WELCOME = (
    "<h2>DTE Desktop</h2><p>Pick a connection on the left. The built-in "
    "<b>Demo (SQLite)</b> database holds synthetic customers, orders and products "
    "to try profiling, masked previews and exports.</p>"
    "<p>Double-click a table to preview it (masked); <b>Ctrl+P</b> profiles it, "
    "<b>Ctrl+E</b> exports it, <b>Ctrl+N</b> adds a connection.</p>"
)


class Overview(QScrollArea):
    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.label = QLabel(WELCOME)
        self.label.setObjectName("overview")
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setWordWrap(True)
        self.label.setMargin(16)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self._shown: object = None

    def text(self) -> str:
        return self.label.text()

    def show_node(self, node: dict) -> None:
        kind = node.get("type")
        self._shown = node.get("info") or node.get("connection")
        if kind == "connection":
            c = node["conn"]
            self.label.setText(
                f"<h2>{escape(c.name)}</h2><p>Type: {escape(c.kind)}<br>"
                f"Location: <code>{escape(c.url)}</code><br>Origin: {escape(c.origin)}</p>"
                "<p>Expand it to browse schemas and tables.</p>"
            )
        elif kind == "schema":
            self.label.setText(
                f"<h2>{escape(node['schema'])}</h2><p>Schema of {escape(node['connection'])}</p>"
            )
        elif kind == "table":
            info: TableInfo = node["info"]
            self.label.setText(self._table_html(node["connection"], info, None))
            self._describe(node["connection"], info)

    def _describe(self, connection: str, info: TableInfo) -> None:
        ctx = self.ctx

        def work() -> list[ColumnInfo]:
            source = ctx.open_source(connection)
            try:
                return source.describe(info.ref)
            finally:
                source.close()

        def done(cols: list[ColumnInfo]) -> None:
            if self._shown is info:
                self.label.setText(self._table_html(connection, info, cols))

        run_in_pool(work, done, lambda t, m: None)

    @staticmethod
    def _table_html(connection: str, info: TableInfo, cols: list[ColumnInfo] | None) -> str:
        rows = f"~{info.estimated_rows:,}" if info.estimated_rows is not None else "unknown"
        size = f", {info.size_bytes / 1e6:,.1f} MB" if info.size_bytes else ""
        html = (
            f"<h2>{escape(info.ref.display())}</h2><p>{escape(info.kind)} in "
            f"{escape(connection)} — {rows} rows{size}</p>"
        )
        if info.comment:
            html += f"<p><i>{escape(info.comment)}</i></p>"
        if cols is None:
            return html + "<p>Reading columns…</p>"
        body = "".join(
            f"<tr><td>{c.ordinal or i + 1}</td><td><b>{escape(c.name)}</b></td>"
            f"<td>{escape(c.db_type)}</td><td>{escape(str(c.arrow_type))}</td>"
            f"<td>{'' if c.nullable else 'NOT NULL'}{' PK' if c.primary_key else ''}</td>"
            f"<td>{escape(c.type_note or '')}</td></tr>"
            for i, c in enumerate(cols)
        )
        return (
            html + "<table cellspacing='0' cellpadding='4'><tr><th align='left'>#</th>"
            "<th align='left'>Column</th><th align='left'>Type</th><th align='left'>Arrow</th>"
            f"<th align='left'>Constraints</th><th align='left'>Note</th></tr>{body}</table>"
        )
