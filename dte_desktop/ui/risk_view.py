"""The Risk tab: re-identification risk of the selected table through the quasi-identifiers
the user ticks (suggested ones come pre-ticked), computed by core in a worker — in the
source engine, or over the masked values — and shown as figures, never as values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.privacy.qi_suggest import suggested_for_table
from dte_desktop.core.privacy.risk import DEFAULT_K, RiskReport
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.tables import read_only_table
from dte_desktop.ui.workers import run_in_pool

NO_SENSITIVE = "(none)"


def figure_rows(r: RiskReport) -> list[tuple[str, str, str]]:
    """(figure, value, what it means) — the same figures as ``dte risk``."""
    pct = f"{100 * r.share_below_k:.1f} %"
    rows = [
        ("Rows", f"{r.rows:,}", "rows in the table"),
        ("Equivalence classes", f"{r.classes:,}", "distinct combinations of the QIs"),
        ("k-anonymity", "-" if r.k is None else f"{r.k:,}", "size of the smallest class"),
        (f"Rows in classes below k={r.threshold}", f"{r.rows_below_k:,} ({pct})",
         f"{r.classes_below_k:,} classes"),
        ("Smallest classes (sizes)", ", ".join(map(str, r.smallest_classes)) or "-",
         "sizes only; values are never shown"),
        ("Prosecutor risk, highest", f"{r.prosecutor_highest:.4f}", "1 / k"),
        ("Prosecutor risk, average", f"{r.prosecutor_average:.4f}", "classes / rows"),
        ("Records at risk", f"{100 * r.prosecutor_records_at_risk:.1f} %",
         f"rows whose risk exceeds 1/{r.threshold}"),
        ("Journalist risk, highest", f"{r.journalist_highest:.4f}", r.journalist_note),
        ("Marketer risk", f"{r.marketer:.4f}", "expected share re-identified by linkage"),
    ]  # fmt: skip
    if r.sensitive:
        rows.append((f"l-diversity of {r.sensitive}", f"{r.l_diversity}",
                     f"{r.classes_below_l2:,} classes hold one distinct value"))  # fmt: skip
    return rows


class RiskView(QWidget):
    computed = Signal(object)  # the RiskReport

    def __init__(
        self, ctx: AppContext, keeper: PassphraseKeeper | None = None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.keeper = ctx, keeper
        self.connection: str | None = None
        self.ref: TableRef | None = None
        self.report: RiskReport | None = None
        self._build()

    def _build(self) -> None:
        self.title = QLabel("Select a table in the catalog to measure its re-identification risk.")
        self.title.setObjectName("riskTitle")
        self.title.setWordWrap(True)
        self.columns = QListWidget()
        self.columns.setObjectName("riskColumns")
        self.columns.itemChanged.connect(lambda _i: self._update_button())
        self.sensitive = QComboBox()
        self.sensitive.setObjectName("riskSensitive")
        self.k = QSpinBox()
        self.k.setObjectName("riskK")
        self.k.setRange(1, 1_000_000)
        self.k.setValue(DEFAULT_K)
        self.masked = QCheckBox("Risk of a masked export")
        self.masked.setObjectName("riskMasked")
        self.masked.setToolTip(
            "Count the values the masking policy would write, not the stored ones"
        )
        self.button = QPushButton("Compute risk")
        self.button.setObjectName("computeRisk")
        self.button.clicked.connect(self.compute)
        self.button.setEnabled(False)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("Quasi-identifiers (suggested ones are ticked):"))
        lv.addWidget(self.columns, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sensitive:"))
        row.addWidget(self.sensitive, 1)
        lv.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel("k threshold:"))
        row.addWidget(self.k)
        row.addStretch(1)
        lv.addLayout(row)
        lv.addWidget(self.masked)
        lv.addWidget(self.button)

        self.figures = read_only_table(["Figure", "Value", "Meaning"], "riskFigures")
        header = self.figures.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel("")
        self.status.setObjectName("riskStatus")
        self.status.setWordWrap(True)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.figures, 1)
        rv.addWidget(self.status)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([260, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)

    # -- target -------------------------------------------------------------------------
    def set_target(self, connection: str, table: TableRef) -> None:
        if (connection, table) == (self.connection, self.ref):
            return
        self.connection, self.ref = connection, table
        self.title.setText(f"Re-identification risk of {table.display()} ({connection})")
        self.columns.clear()
        self.sensitive.clear()
        self.figures.setRowCount(0)
        self.status.setText("Reading the columns…")
        self.button.setEnabled(False)
        ctx = self.ctx

        def describe() -> tuple[list[str], list[str]]:
            source = ctx.open_source(connection)
            try:
                names = [c.name for c in source.describe(table)]
            finally:
                source.close()
            return names, suggested_for_table(ctx.store, connection, table, names)

        run_in_pool(describe, lambda got: self._show_columns(table, *got), self._failed)

    def _show_columns(self, table: TableRef, names: list[str], suggestion: list[str]) -> None:
        if table != self.ref:  # the user moved on meanwhile
            return
        suggested = set(suggestion)
        self.columns.blockSignals(True)
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if name in suggested else Qt.CheckState.Unchecked
            )
            self.columns.addItem(item)
        self.columns.blockSignals(False)
        self.sensitive.addItems([NO_SENSITIVE, *names])
        self.status.setText(
            f"{len(suggested)} of {len(names)} columns suggested as quasi-identifiers."
        )
        self._update_button()

    def quasi_identifiers(self) -> list[str]:
        return [
            self.columns.item(i).text()
            for i in range(self.columns.count())
            if self.columns.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update_button(self) -> None:
        self.button.setEnabled(self.ref is not None and bool(self.quasi_identifiers()))

    # -- compute ------------------------------------------------------------------------
    def compute(self) -> None:
        if self.ref is None or self.connection is None:
            return
        if self.keeper is not None and not self.keeper.ensure():
            return
        qi = self.quasi_identifiers()
        sens = self.sensitive.currentText()
        sensitive = None if sens in ("", NO_SENSITIVE) or sens in qi else sens
        ctx, conn, ref, k, masked = (
            self.ctx,
            self.connection,
            self.ref,
            self.k.value(),
            self.masked.isChecked(),
        )
        self.button.setEnabled(False)
        self.status.setText("Computing in the source…" if not masked else "Masking and counting…")
        run_in_pool(
            lambda: compute_risk(ctx, conn, ref, qi, sensitive, k, masked), self._done, self._failed
        )

    def _done(self, report: RiskReport) -> None:
        self.report = report
        rows = figure_rows(report)
        self.figures.setRowCount(len(rows))
        for i, cells in enumerate(rows):
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # long meanings (the journalist note) are elided
                self.figures.setItem(i, j, item)
        verdict = (
            f"k = {report.k}: every person hides among at least {report.k} rows."
            if report.k and report.k >= report.threshold
            else f"Below k = {report.threshold}: {report.rows_below_k:,} rows can be singled out."
        )
        self.status.setText(("Masked export. " if report.masked else "") + verdict)
        self._update_button()
        self.computed.emit(report)

    def _failed(self, title: str, message: str) -> None:
        self.status.setText(f"{title}: {message}")
        self._update_button()


def compute_risk(
    ctx: Any,
    connection: str,
    ref: TableRef,
    qi: list[str],
    sensitive: str | None,
    k: int,
    masked: bool,
) -> RiskReport:
    """The worker's call: the same core functions and audit record as ``dte risk``."""
    from dte_desktop.core.privacy.risk import audited_risk

    return audited_risk(ctx, connection, ref, qi, sensitive=sensitive, threshold=k, masked=masked)
