"""The Classify tab: every column of the selected table with the level an officer stored,
the latest profile's suggestion and evidence, the PII type, and the level and operator the
privacy gate will apply (core's ``column_plan``: this screen never decides masking); the
table's and the connection's defaults; bulk "Accept suggestions"; a reason. Saving goes
through core's ``labels.classify`` (as ``dte classify``), audited; a lowering is confirmed
with a reason first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.privacy.classification import LEVELS_MOST_SENSITIVE_FIRST, Level
from dte_desktop.core.privacy.column_plan import (
    Change,
    TablePlan,
    apply_changes,
    lowerings,
    plan_table,
)
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui import theme
from dte_desktop.ui.lower_dialog import LowerDialog
from dte_desktop.ui.privacy_state import PrivacyState
from dte_desktop.ui.tables import read_only_table
from dte_desktop.ui.workers import run_in_pool

COLUMNS = ["Column", "Type", "Stored", "Suggested", "Evidence", "PII", "In force", "Operator"]
STORED, SUGGESTED, IN_FORCE = 2, 3, 6
UNSET = "(not set)"


def level_combo(name: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItem(UNSET, None)
    for level in LEVELS_MOST_SENSITIVE_FIRST:
        box.addItem(level.value, level)
    return box


def set_level(box: QComboBox, level: Level | None) -> None:
    box.setCurrentIndex(max(0, box.findData(level)))


class ClassifyView(QWidget):
    saved = Signal(str, object)  # connection, TablePlan after the save
    planned = Signal(object)  # TablePlan shown

    def __init__(self, ctx: AppContext, privacy: PrivacyState, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.privacy = ctx, privacy
        self.plan: TablePlan | None = None
        self.target: tuple[str, TableRef] | None = None
        self.lower_dialog: LowerDialog | None = None
        self._saved_note = ""
        self._build()

    def _build(self) -> None:
        self.title = QLabel("Select a table in the catalog to classify its columns.")
        self.title.setObjectName("classifyTitle")
        self.title.setWordWrap(True)
        self.note = QLabel("")
        self.note.setObjectName("classifyNote")
        self.note.setWordWrap(True)
        self.conn_default = level_combo("connectionDefault")
        self.table_default = level_combo("tableDefault")
        self.policy_note = QLabel("")
        defaults = QHBoxLayout()
        defaults.addWidget(QLabel("Connection default:"))
        defaults.addWidget(self.conn_default)
        defaults.addSpacing(16)
        defaults.addWidget(QLabel("Table default:"))
        defaults.addWidget(self.table_default)
        defaults.addWidget(self.policy_note, 1)
        self.table = read_only_table(COLUMNS, "classifyTable", rows="single")
        self.table.setWordWrap(False)  # evidence is elided; its tooltip has it whole
        self.accept_all = QPushButton("Accept suggestions")
        self.accept_all.setObjectName("acceptSuggestions")
        self.accept_all.setToolTip(
            "Set each column's stored level to the profile's suggestion, where nothing is "
            "stored or the suggestion is more sensitive (a lowering is never done in bulk)"
        )
        self.accept_all.clicked.connect(self.accept_suggestions)
        self.reason = QLineEdit()
        self.reason.setObjectName("classifyReason")
        self.reason.setPlaceholderText("Reason for these changes (recorded in the audit log)")
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveClassifications")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel("")
        self.status.setObjectName("classifyStatus")
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.accept_all)
        bottom.addWidget(self.reason, 1)
        bottom.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.note)
        lay.addLayout(defaults)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        lay.addWidget(self.status)
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for w in (self.accept_all, self.save_button, self.conn_default, self.table_default):
            w.setEnabled(on)

    # -- loading -----------------------------------------------------------------------
    def set_target(self, connection: str, table: TableRef, *, force: bool = False) -> None:
        if (connection, table) == self.target and not force:
            return
        self.target = (connection, table)
        self.title.setText(f"Classification of <b>{table.display()}</b> ({connection})")
        self.status.setText("Reading the columns…")
        self._enable(False)
        ctx, privacy = self.ctx, self.privacy

        def work() -> TablePlan:
            source = ctx.open_source(connection)
            try:
                cols = [(c.name, c.db_type) for c in source.describe(table)]
            finally:
                source.close()
            return plan_table(ctx, connection, table, cols, policy=privacy.effective_policy(ctx))

        run_in_pool(work, self._show, self._failed)

    def _failed(self, title: str, message: str) -> None:
        self.status.setText(f"{title}: {message}")

    def _show(self, plan: TablePlan) -> None:
        if self.target != (plan.connection, plan.table):
            return  # the user moved on meanwhile
        self.plan = plan
        self.note.setText(
            "No profile of this table yet: profile it (Profile tab, Ctrl+P) to get "
            "suggested classifications with their evidence."
        )
        self.note.setVisible(not plan.profiled)
        set_level(self.conn_default, plan.connection_default)
        set_level(self.table_default, plan.table_default)
        fallback = plan.table_default or plan.connection_default or plan.policy_default
        self.policy_note.setText(f"Columns nobody classified count as {fallback.value}.")
        self.table.setRowCount(len(plan.columns))
        for r, c in enumerate(plan.columns):
            texts = [
                c.column,
                c.db_type,
                "",
                c.suggestion.value if c.suggestion else "",
                c.evidence,
                c.pii_type or "",
                c.level.value,
                c.operator,
            ]
            for k, text in enumerate(texts):
                item = QTableWidgetItem(text)
                shown = {SUGGESTED: c.suggestion, IN_FORCE: c.level}.get(k)
                if shown is not None and (colour := theme.level_colour(shown.value)):
                    item.setBackground(colour)
                if k == 4:
                    item.setToolTip(text)
                if k == IN_FORCE:
                    item.setToolTip(f"The privacy gate's level ({c.basis})")
                self.table.setItem(r, k, item)
            box = level_combo(f"stored_{c.column}")
            set_level(box, c.stored)
            box.currentIndexChanged.connect(lambda _i, row=r: self._mark(row))
            self.table.setCellWidget(r, STORED, box)
        self.table.resizeColumnsToContents()
        self._fit_evidence()
        self._enable(True)
        n = sum(c.stored is not None for c in plan.columns)
        self.status.setText(
            f"{self._saved_note}{n} of {len(plan.columns)} columns classified by an officer."
        )
        self._saved_note = ""
        self.planned.emit(plan)

    def _fit_evidence(self) -> None:
        """The evidence gets the width the other columns leave (a fixed 200 px cut it to
        "100% of 500 values pass ema…" beside an empty half of the table), at least 200."""
        t = self.table
        others = sum(t.columnWidth(k) for k in range(t.columnCount()) if k != 4)
        free = t.viewport().width() - others - 2
        t.setColumnWidth(4, max(200, min(t.sizeHintForColumn(4), free)))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self.table.rowCount():
            self.table.resizeColumnToContents(4)
            self._fit_evidence()

    def stored_box(self, row: int) -> QComboBox:
        return self.table.cellWidget(row, STORED)  # type: ignore[return-value]

    def _mark(self, row: int) -> None:
        """A pending change shows in bold until saved."""
        if self.plan is None:
            return
        item = self.table.item(row, 0)
        font = QFont(item.font())
        font.setBold(self.stored_box(row).currentData() != self.plan.columns[row].stored)
        item.setFont(font)

    # -- editing -----------------------------------------------------------------------
    def accept_suggestions(self) -> int:
        """Fill in the suggestions that do not lower a stored level; returns how many."""
        if self.plan is None:
            return 0
        n = skipped = 0
        for r, c in enumerate(self.plan.columns):
            if c.suggestion is None:
                continue
            if c.suggestion_lowers:
                skipped += 1
                continue
            box = self.stored_box(r)
            if box.currentData() != c.suggestion:
                set_level(box, c.suggestion)
                n += 1
        text = f"{n} suggestion{'s' if n != 1 else ''} filled in; Save to store them."
        if skipped:
            text += (
                f" {skipped} suggestion{'s' if skipped != 1 else ''} lower than the stored "
                "level left as stored (change those one by one)."
            )
        self.status.setText(text)
        return n

    def changes(self) -> list[Change]:
        if self.plan is None:
            return []
        out = []
        for r, c in enumerate(self.plan.columns):
            level = self.stored_box(r).currentData()
            if level is not None and level != c.stored:
                out.append(Change(c.column, level, c.pii_type))
        for box, old, on_table in (
            (self.table_default, self.plan.table_default, True),
            (self.conn_default, self.plan.connection_default, False),
        ):
            level = box.currentData()
            if level is not None and level != old:
                out.append(Change(None, level, None, table_level=on_table))
        return out

    def save(self) -> None:
        if self.plan is None:
            return
        changes = self.changes()
        if not changes:
            self.status.setText("Nothing changed.")
            return
        lowered = lowerings(self.plan, changes)
        if not lowered:
            self._store(changes, self.reason.text().strip() or None)
            return
        lines = [
            f"{ch.column or ('table default' if ch.table_level else 'connection default')}: "
            f"{old.value} → {ch.level.value}"
            for ch, old in lowered
        ]
        dlg = LowerDialog(lines, self.reason.text(), self)
        self.lower_dialog = dlg

        def answered(result: int) -> None:
            self.lower_dialog = None
            if result == LowerDialog.DialogCode.Accepted:
                self.reason.setText(dlg.reason_text())
                self._store(changes, dlg.reason_text())
            else:
                self.status.setText("Not saved: the lowering was not confirmed.")
            dlg.deleteLater()

        dlg.finished.connect(answered)
        dlg.open()

    def _store(self, changes: list[Change], reason: str | None) -> None:
        plan, store = self.plan, self.ctx.store
        assert plan is not None
        self._enable(False)
        self.status.setText("Saving…")

        def done(n: int) -> None:
            self._saved_note = f"Saved {n} classification{'s' if n != 1 else ''}. "
            self.reason.clear()
            self.saved.emit(plan.connection, plan)
            self.set_target(plan.connection, plan.table, force=True)

        def failed(title: str, message: str) -> None:
            self._enable(True)
            self._failed(title, message)

        run_in_pool(lambda: apply_changes(store, plan, changes, reason), done, failed)
