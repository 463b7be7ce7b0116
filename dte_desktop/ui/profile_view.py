"""The Profile tab: per-column statistics from the profiling engine's JSON (the
``TableProfile.to_json()`` shape), charts for the selected column, and PII findings an
officer can accept as the column's classification."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui import theme
from dte_desktop.ui.charts import ProfileCharts
from dte_desktop.ui.job_strip import JobStrip
from dte_desktop.ui.pii_evidence import evidence_html
from dte_desktop.ui.privacy_state import PrivacyState
from dte_desktop.ui.tables import read_only_table
from dte_desktop.ui.workers import run_in_pool

COLUMNS = [
    "Column",
    "Type",
    "Count",
    "Nulls %",
    "Distinct",
    "Min",
    "Max",
    "Mean",
    "Std dev",
    "PII",
    "In force",
    "Stored",
]
IN_FORCE, STORED = 10, 11


def number_text(v: float | int) -> str:
    """One style for every figure: thousands separators, never exponent notation for
    figures a person reads (``50,000`` beside ``2,283``, not ``5e+04``)."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 1000:
        return f"{v:,.2f}"
    if abs(v) >= 0.001:
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    return f"{v:.3e}"


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return number_text(v)
    text = str(v)
    return text if len(text) <= 40 else text[:39] + "…"


class ProfileView(QWidget):
    profiled = Signal(dict)
    failed = Signal(str, str)  # title, message
    accepted = Signal(str, str)  # column, level
    report_note = Signal(str)

    def __init__(
        self, ctx: AppContext, privacy: PrivacyState, jobs: Any, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.privacy, self.jobs = ctx, privacy, jobs  # jobs: ui.job_runner.JobManager
        self.data: dict | None = None
        self.connection: str | None = None
        self.ref: TableRef | None = None
        self.report_path: str | None = None
        self._accepted: dict[str, str] = {}  # accepted in this view: column -> level
        self.stored: dict[str, str] = {}  # what an officer stored: column -> level
        self.target: tuple[str, TableRef] | None = None  # the catalog's selected table
        self.running = False
        self.lower_dialog: Any = None
        self._build()
        theme.state().changed.connect(self._recolour)  # a method: gone with self

    def _build(self) -> None:
        self.title = QLabel("Select a table in the catalog, then Run (Ctrl+P).")
        self.title.setObjectName("profileTitle")
        self.title.setWordWrap(True)
        self.run_button = QPushButton("Run profile")
        self.run_button.setObjectName("runProfile")
        self.run_button.setToolTip("Profile the selected table (Ctrl+P)")
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.run)
        self.report_button = QPushButton("Open HTML report")
        self.report_button.setEnabled(False)
        self.report_button.setToolTip("The profiling engine's HTML report of this table")
        self.report_button.clicked.connect(self.open_report)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.run_button)
        top.addWidget(self.report_button)
        self.job = JobStrip("profile")
        self.job.result.connect(self._engine_done)
        self.job.failed.connect(self._engine_failed)
        self.job.ended.connect(self._job_ended)
        self.table = read_only_table(COLUMNS, "profileTable", rows="single")
        self.table.currentCellChanged.connect(lambda row, *_: self._select(row))
        self.charts = ProfileCharts()
        self.pii = QLabel("")
        self.pii.setObjectName("piiFinding")
        self.pii.setWordWrap(True)
        self.accept_button = QPushButton("Accept suggested classification")
        self.accept_button.setObjectName("acceptClassification")
        self.accept_button.setEnabled(False)
        self.accept_button.clicked.connect(self.accept_current)
        pii_row = QHBoxLayout()
        pii_row.addWidget(self.pii, 1)
        pii_row.addWidget(self.accept_button)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(pii_row)
        ll.addWidget(self.charts, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([300, 420])
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.job)
        lay.addWidget(split, 1)

    # -- running the engine ------------------------------------------------------------
    def set_target(self, connection: str, ref: TableRef) -> None:
        """The table selected in the catalog: what Run profiles."""
        self.target = (connection, ref)
        self.run_button.setEnabled(not self.running)
        self.run_button.setToolTip(f"Profile {ref.display()} (Ctrl+P)")
        if self.data is None and not self.running:
            self.title.setText(f"<b>{ref.display()}</b> — Run to profile it (Ctrl+P).")

    def run(self) -> None:
        if self.target is not None:
            self.profile(*self.target)

    def profile(self, connection: str, ref: TableRef) -> None:
        """Run core's profiling engine (a ``profile`` job) in the job worker process: its
        progress and Cancel here and in the jobs dock."""
        if self.running:
            return
        self.connection, self.ref = connection, ref
        self.target = (connection, ref)
        if not self.job.start(self.jobs.run_profile(connection, ref.display())):
            self.title.setText("Not profiled: the credential store stays locked.")
            return
        self.title.setText(f"<b>{ref.display()}</b> — profiling…")
        self.running = True
        self.run_button.setEnabled(False)

    def cancel(self) -> None:
        self.job.cancel()

    def _engine_failed(self, title: str, message: str) -> None:
        self.title.setText(f"<b>{title}</b>: {message}")
        self.failed.emit(title, message)

    def _engine_done(self, result: dict) -> None:
        self.report_path = result.get("report_path")
        self.show_profile(result["profile"])

    def _job_ended(self, status: str) -> None:
        self.running = False
        self.run_button.setEnabled(self.target is not None)
        if status == "cancelled" and self.ref is not None:
            self.title.setText(
                f"<b>{self.ref.display()}</b> — profile cancelled (job {self.job.job_id}); "
                "nothing was saved. Run to profile it again (Ctrl+P)."
            )

    # -- showing -----------------------------------------------------------------------
    def show_profile(self, data: dict) -> None:
        self.data = data
        self._accepted = {}
        self.connection = data.get("connection") or self.connection
        cols = data.get("columns") or []
        mode = data.get("mode", "")
        self.title.setText(
            f"<b>{data.get('table', '')}</b> — {data.get('row_count', 0):,} rows, "
            f"{len(cols)} columns{f' ({mode})' if mode else ''}"
            f"{', ' + str(data.get('elapsed_s')) + ' s' if data.get('elapsed_s') else ''}"
        )
        self.table.setRowCount(len(cols))
        for r, c in enumerate(cols):
            pii = c.get("pii") or {}
            values = [
                c.get("name"),
                c.get("type"),
                c.get("count"),
                c.get("null_pct"),
                c.get("distinct"),
                c.get("min"),
                c.get("max"),
                c.get("mean"),
                c.get("stddev"),
                pii.get("type", ""),
                c.get("classification", ""),
                None,  # the stored level, read below
            ]
            for k, v in enumerate(values):
                cell = QTableWidgetItem(_fmt(v))
                if isinstance(v, int | float) and not isinstance(v, bool):
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if k == IN_FORCE and (colour := theme.level_colour(str(v))) is not None:
                    cell.setBackground(colour)
                self.table.setItem(r, k, cell)
        self.table.resizeColumnsToContents()
        self.report_button.setEnabled(bool(self.report_path))
        self.stored = {}
        if cols:
            self.table.setCurrentCell(0, 0)
            self._select(0)
        self._load_stored()
        self.profiled.emit(data)

    def _recolour(self, _name: str = "") -> None:
        for r in range(self.table.rowCount()):
            for k in (IN_FORCE, STORED):
                item = self.table.item(r, k)
                if item is not None and (colour := theme.level_colour(item.text())):
                    item.setBackground(colour)

    def _load_stored(self) -> None:
        """What officers stored for the table's columns, beside the suggestion (accepting a
        lower suggestion is a lowering, confirmed with a reason)."""
        if self.connection is None:
            return
        conn, ref, store = self.connection, self.ref or _ref(self._table_label()), self.ctx.store
        names = [c["name"] for c in (self.data or {}).get("columns") or []]

        def work() -> dict[str, str]:
            from dte_desktop.core.privacy.labels import labels_for

            labels = labels_for(store, conn, ref)
            return {n: labels.columns[n].level.value for n in names if n in labels.columns}

        run_in_pool(work, self._show_stored)

    def stored_changed(self, connection: str, table: TableRef) -> None:
        """Classifications were saved elsewhere (the Classify tab): the Stored column and
        the Accept button read them again, or they would offer what is already stored."""
        if connection == self.connection and table.display() == self._table_label():
            self._load_stored()

    def _show_stored(self, stored: dict[str, str]) -> None:
        self.stored = stored
        cols = (self.data or {}).get("columns") or []
        for r, c in enumerate(cols):
            level = stored.get(c["name"], "")
            cell = QTableWidgetItem(level or "—")
            cell.setToolTip(
                f"Stored by an officer: {level}" if level else "Nothing stored for this column"
            )
            if level and (colour := theme.level_colour(level)) is not None:
                cell.setBackground(colour)
            self.table.setItem(r, STORED, cell)
        if 0 <= self.table.currentRow() < len(cols):
            self._select(self.table.currentRow())

    def _select(self, row: int) -> None:
        cols = (self.data or {}).get("columns") or []
        if not 0 <= row < len(cols):
            return
        col = cols[row]
        self.charts.show_column(col)
        pii = col.get("pii")
        level = suggested(col)
        if pii:
            self.pii.setText(evidence_html(col["name"], pii, level))
        else:
            self.pii.setText(f"<b>{col['name']}</b>: no PII found — suggested <b>{level}</b>")
        stored = self.stored.get(col["name"])
        if stored:
            self.pii.setText(self.pii.text() + f"; stored <b>{stored}</b>")
        already = self._accepted.get(col["name"]) == level
        if already:
            text = "Accepted"
        elif stored == level:
            text, already = f"Stored as {level}", True
        elif stored and _lowers(stored, level):
            text = f"Lower to {level}…"
        else:
            text = f"Accept {level}"
        self.accept_button.setEnabled(bool(level) and not already)
        self.accept_button.setText(text)

    def _table_label(self) -> str:
        if self.ref is not None:
            return self.ref.display()
        return str((self.data or {}).get("table", ""))

    def accept_current(self) -> None:
        """Store the suggested level as the officer's decision (core audits it); masking
        reads stored classifications from then on."""
        row = self.table.currentRow()
        cols = (self.data or {}).get("columns") or []
        if not 0 <= row < len(cols) or self.connection is None:
            return
        col = cols[row]
        name, level = col["name"], suggested(col)
        stored = self.stored.get(name)
        if stored and _lowers(stored, level):
            self._confirm_lowering(row, name, stored, level)
            return
        self._accept(row, col, "accepted the profiler's suggestion in the Profile view")

    def _confirm_lowering(self, row: int, name: str, stored: str, level: str) -> None:
        from dte_desktop.ui.lower_dialog import LowerDialog

        dlg = LowerDialog([f"{name}: {stored} → {level}"], "", self)
        self.lower_dialog = dlg

        def answered(result: int) -> None:
            self.lower_dialog = None
            if result == LowerDialog.DialogCode.Accepted:
                cols = (self.data or {}).get("columns") or []
                self._accept(row, cols[row], dlg.reason_text())
            dlg.deleteLater()

        dlg.finished.connect(answered)
        dlg.open()

    def _accept(self, row: int, col: dict, reason: str) -> None:
        name, level = col["name"], suggested(col)
        pii_type = (col.get("pii") or {}).get("type")
        conn, table, ref = self.connection, self._table_label(), self.ref
        store = self.ctx.store
        assert conn is not None

        def work() -> Any:
            from dte_desktop.core.privacy.labels import classify
            from dte_desktop.core.sources.names import parse_table

            return classify(
                store,
                conn,
                ref or parse_table(table),
                name,
                level,
                pii_type=pii_type,
                source="manual",
                reason=reason,
                reason_to_lower=True,
            )

        def done(_rec: object) -> None:
            self._accepted[name] = level
            self.stored[name] = level
            self._show_stored(self.stored)
            self.accepted.emit(name, level)
            if self.table.currentRow() == row:
                self._select(row)

        self.accept_button.setEnabled(False)
        run_in_pool(work, done, lambda t, m: self.pii.setText(f"{t}: {m}"))

    def open_report(self) -> bool:
        """Open the HTML report with the desktop's handler; where there is none (a kiosk,
        a bare X session) say so and where the file is, rather than nothing."""
        if not self.report_path:
            return False
        if QDesktopServices.openUrl(QUrl.fromLocalFile(self.report_path)):
            return True
        note = (
            "No application here opens HTML files, so the report was not opened. "
            f"It is saved at {self.report_path}."
        )
        self.pii.setText(note)
        self.report_note.emit(note)
        return False


def _lowers(stored: str, level: str) -> bool:
    from dte_desktop.core.privacy.classification import parse_level

    return parse_level(stored).is_more_sensitive_than(parse_level(level))


def _ref(label: str) -> TableRef:
    from dte_desktop.core.sources.names import parse_table

    return parse_table(label)


def suggested(col: dict) -> str:
    """The profiler's suggestion for an officer to accept (``classification`` is the level
    in force; older profiles had only that)."""
    return str(col.get("suggested_classification") or col.get("classification", ""))
