"""The Overview tab: what the selected catalog node is — a connection's URL, a table's
columns, primary key, foreign keys and indexes as the catalog declares them (read in a
worker), and the data quality rules those keys suggest, which one click stores."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from dte_desktop.core.app import AppContext
from dte_desktop.core.sources.base import ColumnInfo, TableInfo
from dte_desktop.core.sources.keys import SuggestedRule, TableKeys, keys_of, suggest_rules
from dte_desktop.ui.workers import run_in_pool

WELCOME = (
    "<h2>DTE Desktop</h2><p>Pick a connection on the left. The built-in "
    "<b>Demo (SQLite)</b> database holds synthetic customers, orders and products "
    "to try profiling, masked previews and exports.</p>"
    "<p>Double-click a table to preview it (masked); <b>Ctrl+P</b> profiles it, "
    "<b>Ctrl+E</b> exports it, <b>Ctrl+N</b> adds a connection.</p>"
)


class Overview(QScrollArea):
    described = Signal(object)  # the TableKeys of the table shown, once read
    rules_added = Signal(int)

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.label = QLabel(WELCOME)
        self.label.setObjectName("overview")
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setWordWrap(True)
        self.label.setMargin(16)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_rules_button = QPushButton("Add suggested rules")
        self.add_rules_button.setToolTip("Store the rules the keys suggest (dte rules add)")
        self.add_rules_button.clicked.connect(self.add_suggested_rules)
        self.add_rules_button.hide()
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(16, 0, 16, 16)
        lay.addWidget(self.label)
        lay.addWidget(self.add_rules_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self._shown: object = None
        self.suggested: list[SuggestedRule] = []
        self._target: tuple[str, TableInfo] | None = None

    def text(self) -> str:
        return self.label.text()

    def show_node(self, node: dict) -> None:
        kind = node.get("type")
        self._shown = node.get("info") or node.get("connection")
        self.suggested, self._target = [], None
        self.add_rules_button.hide()
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

        def work() -> tuple[list[ColumnInfo], TableKeys]:
            source = ctx.open_source(connection)
            try:
                return source.describe(info.ref), keys_of(source, info.ref)
            finally:
                source.close()

        def done(result: tuple[list[ColumnInfo], TableKeys]) -> None:
            if self._shown is not info:
                return
            cols, keys = result
            self.suggested = self._new_rules(connection, info, suggest_rules(keys))
            self._target = (connection, info)
            html = self._table_html(connection, info, cols, keys, self.suggested)
            self.label.setText(html + self._pii_html(connection, info))
            self.add_rules_button.setVisible(bool(self.suggested))
            self.described.emit(keys)

        def failed(title: str, message: str) -> None:
            if self._shown is info:
                self.label.setText(
                    self._table_html(connection, info, None)
                    + f"<p><b>{escape(title)}</b>: {escape(message)}</p>"
                )

        run_in_pool(work, done, failed)

    def _pii_html(self, connection: str, info: TableInfo) -> str:
        """What the last profile's detectors found per column, with their evidence (share of
        values, validator) and the suggested level — figures and names only, never a value."""
        from dte_desktop.ui.pii_evidence import evidence_html

        last = self.ctx.store.list_profiles(connection, info.ref.display(), limit=1)
        if not last:
            return (
                "<h3>PII</h3><p>Not profiled yet: <b>Ctrl+P</b> profiles the table and "
                "suggests classifications from what its values hold.</p>"
            )
        cols = [c for c in last[0].result.get("columns", []) if c.get("pii")]
        when = last[0].created_at.strftime("%Y-%m-%d %H:%M")
        if not cols:
            return f"<h3>PII</h3><p>The profile of {when} found no PII in any column.</p>"
        items = "".join(
            f"<p>{evidence_html(c['name'], c['pii'], c.get('suggested_classification', ''))}</p>"
            for c in cols
        )
        return f"<h3>PII found by the profile of {escape(when)}</h3>{items}"

    def _new_rules(
        self, connection: str, info: TableInfo, rules: list[SuggestedRule]
    ) -> list[SuggestedRule]:
        """The suggestions not stored yet (the same kind on the same column)."""
        have = {
            (r.kind, r.column) for r in self.ctx.store.list_rules(connection, info.ref.display())
        }
        return [r for r in rules if (r.kind, r.column) not in have]

    def add_suggested_rules(self) -> None:
        if self._target is None or not self.suggested:
            return
        connection, info = self._target
        table = info.ref.display()
        for rule in self.suggested:
            self.ctx.store.add_rule(connection, table, rule.column, rule.kind, dict(rule.params))
        added = len(self.suggested)
        self.suggested = []
        self.add_rules_button.hide()
        self.label.setText(
            self.label.text() + f"<p>{added} rule{'s' if added != 1 else ''} added; "
            "<b>dte rules check</b> or a profile runs them.</p>"
        )
        self.rules_added.emit(added)

    @staticmethod
    def _keys_html(keys: TableKeys, rules: list[SuggestedRule]) -> str:
        if not keys.listed:
            return "<p>This source lists no keys beyond the primary key.</p>"
        parts = ["<h3>Keys</h3><ul>"]
        pk = ", ".join(escape(c) for c in keys.primary_key) or "none"
        parts.append(f"<li>Primary key: <b>{pk}</b></li>")
        for fk in keys.foreign_keys:
            cols, ref = ", ".join(fk.columns), ", ".join(fk.ref_columns)
            name = f" <i>({escape(fk.name)})</i>" if fk.name else ""
            parts.append(
                f"<li>Foreign key ({escape(cols)}) → {escape(fk.ref_table.display())} "
                f"({escape(ref)}){name}</li>"
            )
        if not keys.foreign_keys:
            parts.append("<li>No foreign keys.</li>")
        parts.append("</ul>")
        if keys.indexes:
            parts.append("<h3>Indexes</h3><ul>")
            for ix in keys.indexes:
                what = "primary" if ix.primary else "unique" if ix.unique else "index"
                parts.append(
                    f"<li>{escape(ix.name or '(unnamed)')}: {escape(', '.join(ix.columns))} "
                    f"— {what}</li>"
                )
            parts.append("</ul>")
        if rules:
            parts.append("<h3>Suggested rules</h3><ul>")
            parts += [f"<li>{escape(r.kind)} on <b>{escape(r.column)}</b>: {escape(r.why)}</li>"
                      for r in rules]  # fmt: skip
            parts.append("</ul>")
        return "".join(parts)

    @staticmethod
    def _table_html(
        connection: str,
        info: TableInfo,
        cols: list[ColumnInfo] | None,
        keys: TableKeys | None = None,
        rules: list[SuggestedRule] | None = None,
    ) -> str:
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
        html += (
            "<table cellspacing='0' cellpadding='4'><tr><th align='left'>#</th>"
            "<th align='left'>Column</th><th align='left'>Type</th><th align='left'>Arrow</th>"
            f"<th align='left'>Constraints</th><th align='left'>Note</th></tr>{body}</table>"
        )
        if keys is not None:
            html += Overview._keys_html(keys, rules or [])
        return html
