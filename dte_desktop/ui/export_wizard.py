"""The Export tab: what to export (tables, columns, filter), how (format and its options,
workers, partitions, folder) and whether to mask — then an ``ExportSpec`` for core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.errors import ConfigError, DteError
from dte_desktop.core.export.formats import REGISTRY
from dte_desktop.core.export.options import Option, options_of
from dte_desktop.core.export.spec import ExportSpec, FormatOptions
from dte_desktop.core.export.target import check_target
from dte_desktop.core.jobs.checkpoints import check_writable
from dte_desktop.core.sources.base import ColumnInfo, TableInfo
from dte_desktop.ui.export_query import QueryBox
from dte_desktop.ui.privacy_state import PrivacyState
from dte_desktop.ui.workers import run_in_pool

# Choices, ranges and defaults come from the writer registry and the spec's options
# (core/export/formats.py, core/export/options.py): the form writes none of its own.
COMPRESSION = {f.name: list(f.compressions) for f in REGISTRY.values() if f.compressions}
SPEC, FORMAT_OPTIONS = options_of(ExportSpec), options_of(FormatOptions)
CHECKED, UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked


class ExportForm(QWidget):
    start_requested = Signal(object)  # ExportSpec
    columns_loaded = Signal(int)

    def __init__(self, ctx: AppContext, privacy: PrivacyState, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.privacy = ctx, privacy
        self.connection: str | None = None
        self.plan: Any = None  # the privacy gate's plan for the single ticked table
        self._build()

    def _build(self) -> None:
        self.heading = QLabel("Pick a table in the catalog, then Export (Ctrl+E).")
        self.heading.setObjectName("exportHeading")
        self.tables = QListWidget()
        self.tables.setObjectName("exportTables")
        self.tables.itemChanged.connect(lambda _i: self._load_columns())
        self.columns = QListWidget()
        self.columns.setObjectName("exportColumns")
        self.columns_note = QLabel("")
        self.columns_note.setObjectName("exportColumnsNote")
        self.where = QLineEdit()
        self.where.setObjectName("exportWhere")
        self.where.setPlaceholderText("optional SQL filter, e.g. status = 'shipped'")
        what = QGroupBox("What")
        # Tables above columns, each the group's full width: side by side, the tables
        # were cut to "public.custo" and each column's masking to "masked: gener".
        wl = QVBoxLayout(what)
        wl.addWidget(QLabel("Tables"))
        self.tables.setMaximumHeight(self.tables.fontMetrics().lineSpacing() * 6 + 16)
        wl.addWidget(self.tables)
        wl.addWidget(QLabel("Columns (one table; none ticked = all)"))
        wl.addWidget(self.columns, 1)
        self.columns_note.setWordWrap(True)
        wl.addWidget(self.columns_note)
        wl.addWidget(QLabel("Filter (WHERE)"))
        wl.addWidget(self.where)

        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        self.format.addItems(list(SPEC["format"].choices or ()))
        self.format.setCurrentText(SPEC["format"].default)
        self.format.currentTextChanged.connect(self._on_format)
        self.compression = QComboBox()
        self.compression.setObjectName("exportCompression")
        self.delimiter = QLineEdit(FORMAT_OPTIONS["csv_delimiter"].default)
        self.delimiter.setMaxLength(1)
        self.delimiter.setMaximumWidth(40)
        fmt = QGroupBox("Format")
        fl = QFormLayout(fmt)
        fl.addRow("Format", self.format)
        fl.addRow("Compression", self.compression)
        fl.addRow("CSV delimiter", self.delimiter)

        self.workers = QSpinBox()
        self.workers.setObjectName("exportWorkers")
        _spin(self.workers, SPEC["workers"])
        self.partitions = QSpinBox()
        self.partitions.setObjectName("exportPartitions")
        self.partitions.setRange(0, SPEC["partitions"].high or 0)  # 0: the default, auto
        self.partitions.setSpecialValueText("auto")
        self.batch_rows = QSpinBox()
        self.batch_rows.setObjectName("exportBatchRows")
        _spin(self.batch_rows, SPEC["batch_rows"])
        self.layout_box = QComboBox()
        self.layout_box.addItems(list(SPEC["layout"].choices or ()))
        self.layout_box.setCurrentText(SPEC["layout"].default)
        self.out_dir = QLineEdit(str(self.ctx.paths.exports_dir))
        self.out_dir.setObjectName("exportOutDir")
        self.out_dir.setMinimumWidth(150)  # the tooltip has it whole; the columns need room
        self.out_dir.setToolTip(self.out_dir.text())
        self.out_dir.textChanged.connect(self.out_dir.setToolTip)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        out = QHBoxLayout()
        out.addWidget(self.out_dir, 1)
        out.addWidget(browse)
        opts = QGroupBox("Options")
        ol = QFormLayout(opts)
        ol.addRow("Workers", self.workers)
        ol.addRow("Partitions per table", self.partitions)
        ol.addRow("Rows per batch", self.batch_rows)
        ol.addRow("Layout", self.layout_box)
        ol.addRow("Folder", out)
        # A new export refuses a non-empty folder (stale files would read as part of it).
        self.overwrite = QCheckBox("Replace the previous export in this folder")
        self.overwrite.setObjectName("exportOverwrite")
        self.overwrite.setToolTip(
            "Removes only the files the folder's manifest lists; refused if anything else is there."
        )
        ol.addRow(self.overwrite)  # the whole row: beside an empty label it set the width

        self.mask = QCheckBox("Mask sensitive columns with the site policy")
        self.mask.setObjectName("exportMask")
        self.mask.setChecked(ExportSpec.mask)  # the one default, shared with the CLI
        self.mask.toggled.connect(lambda _on: self._show_masking())
        masking = QGroupBox("Masking")
        ml = QVBoxLayout(masking)
        ml.addWidget(self.mask)
        self.mask_note = QLabel("Unmasked exports are recorded in the audit log.")
        self.mask_note.setObjectName("hint")
        self.mask_note.setWordWrap(True)
        ml.addWidget(self.mask_note)

        self.encrypt = QCheckBox("Seal for transfer: encrypt to recipients and sign")
        self.encrypt.setObjectName("exportEncrypt")
        self.recipients = QLineEdit()
        self.recipients.setObjectName("exportRecipients")
        self.recipients.setPlaceholderText("recipients file (one age1… key per line)")
        self.recipients.setEnabled(False)
        pick = QPushButton("Browse…")
        pick.setEnabled(False)
        pick.clicked.connect(self._browse_recipients)
        self.encrypt.toggled.connect(self.recipients.setEnabled)
        self.encrypt.toggled.connect(pick.setEnabled)
        package = QGroupBox("Transfer package")
        pl = QVBoxLayout(package)
        pl.addWidget(self.encrypt)
        row = QHBoxLayout()
        row.addWidget(self.recipients, 1)
        row.addWidget(pick)
        pl.addLayout(row)
        hint = QLabel("Checked and opened on the other side with dte package verify|decrypt.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        pl.addWidget(hint)

        self.start_button = QPushButton("Start export")
        self.start_button.setObjectName("startExport")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.message = QLabel("")
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.start_button)

        right = QVBoxLayout()
        right.addWidget(fmt)
        right.addWidget(opts)
        right.addWidget(masking)
        right.addWidget(package)
        right.addStretch(1)
        self.what = what
        self.query_box = QueryBox()  # "Export this query" from the SQL tab
        self.query_box.activate(False)
        body = QHBoxLayout()
        body.addWidget(what, 3)
        body.addWidget(self.query_box, 3)
        body.addLayout(right, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addLayout(body, 1)
        lay.addLayout(bottom)
        self._on_format(self.format.currentText())

    # -- target ------------------------------------------------------------------------
    def set_target(self, connection: str, tables: list[TableInfo], selected: str | None) -> None:
        self.connection = connection
        self._query_mode(False)
        self.heading.setText(f"Export from <b>{connection}</b>")
        self.tables.blockSignals(True)
        self.tables.clear()
        for info in tables:
            label = info.ref.display()
            item = QListWidgetItem(label if info.kind == "table" else f"{label} ({info.kind})")
            item.setToolTip(f"{label}: {info.kind}")
            item.setData(Qt.ItemDataRole.UserRole, label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                CHECKED if label == selected or info.ref.name == selected else UNCHECKED
            )
            self.tables.addItem(item)
        self.tables.blockSignals(False)
        self.start_button.setEnabled(True)
        self._load_columns()
        self.apply_policy(self.privacy.policy)

    def set_query(self, connection: str, sql: str) -> None:
        """Export a query (the SQL tab's): masked, as every new export starts."""
        self.connection = connection
        self.heading.setText(f"Export a query from <b>{connection}</b>")
        self.query_box.set_query(sql)
        self._query_mode(True)
        self.mask.setChecked(ExportSpec.mask)
        self.start_button.setEnabled(True)
        self.apply_policy(self.privacy.policy)

    def _query_mode(self, on: bool) -> None:
        self.query_box.activate(on)
        self.what.setVisible(not on)
        self.partitions.setEnabled(not on)  # a query is read as one stream
        if on:
            self.partitions.setValue(0)

    def apply_policy(self, policy: object) -> None:
        """Show what the site decides: a forced masked export cannot be unticked here
        (core forces it anyway; the form must not pretend otherwise)."""
        if policy is not None and getattr(policy, "force_masked_export", False):
            self.mask.setChecked(True)
            self.mask.setEnabled(False)
            self.mask_note.setText("Locked by your site: exports are always masked.")

    def checked_tables(self) -> list[str]:
        return [
            self.tables.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.tables.count())
            if self.tables.item(i).checkState() == CHECKED
        ]

    def _load_columns(self) -> None:
        self.columns.clear()
        self.plan = None
        self.columns_note.setText("")
        tables = self.checked_tables()
        if len(tables) != 1 or self.connection is None:
            return
        conn, label = self.connection, tables[0]
        ctx, privacy = self.ctx, self.privacy

        def work() -> tuple[list[ColumnInfo], Any]:
            from dte_desktop.core.privacy.column_plan import plan_table
            from dte_desktop.core.sources.base import TableRef

            schema, _, name = label.rpartition(".")
            ref = TableRef(schema.strip('"') or None, name.strip('"'))
            source = ctx.open_source(conn)
            try:
                cols = source.describe(ref)
            finally:
                source.close()
            # What the export will do to each column: the privacy gate's plan.
            plan = plan_table(
                ctx, conn, ref, [(c.name, c.db_type) for c in cols],
                policy=privacy.effective_policy(ctx),
            )  # fmt: skip
            return cols, plan

        run_in_pool(work, lambda result: self._show_columns(label, *result))

    def _show_columns(self, label: str, cols: list[ColumnInfo], plan: Any = None) -> None:
        if self.checked_tables() != [label]:
            return
        self.plan = plan
        self.columns.clear()
        for c in cols:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, c.name)
            item.setData(Qt.ItemDataRole.UserRole + 1, c.db_type)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(UNCHECKED)
            self.columns.addItem(item)
        self._show_masking()
        self.columns_loaded.emit(len(cols))

    def column_masking(self) -> dict[str, str]:
        """Column -> what the export does to it ("kept", or the operator), as shown."""
        if self.plan is None:
            return {}
        if not self.mask.isChecked():
            return {c.column: "not masked" for c in self.plan.columns}
        return {
            c.column: "kept" if c.operator == "keep" else f"masked: {c.operator}"
            for c in self.plan.columns
        }

    def _show_masking(self) -> None:
        how = self.column_masking()
        levels = {c.column: c.level.value for c in self.plan.columns} if self.plan else {}
        masked = 0
        for i in range(self.columns.count()):
            item = self.columns.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            what = how.get(name, "")
            masked += what.startswith("masked")
            suffix = f" — {what} ({levels[name]})" if name in levels else ""
            item.setText(f"{name}  {item.data(Qt.ItemDataRole.UserRole + 1)}{suffix}")
            item.setToolTip(item.text())
        if self.plan is not None:
            self.columns_note.setText(
                f"{masked} of {self.columns.count()} columns will be masked"
                if self.mask.isChecked()
                else "Masking is off: every column is written as stored (audited)."
            )

    def _on_format(self, fmt: str) -> None:
        self.compression.clear()
        self.compression.addItems(COMPRESSION.get(fmt, ["none"]))
        self.compression.setEnabled(fmt in COMPRESSION)
        self.delimiter.setEnabled(fmt == "csv")

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export folder", self.out_dir.text())
        if path:
            self.out_dir.setText(path)

    # -- the spec ------------------------------------------------------------------------
    def spec(self) -> ExportSpec:
        if self.connection is None:
            raise ConfigError("Pick a connection and a table first.")
        tables = tuple(self.checked_tables())
        cols = [
            self.columns.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.columns.count())
            if self.columns.item(i).checkState() == CHECKED
        ]
        fmt = self.format.currentText()
        compression = self.compression.currentText() if fmt in COMPRESSION else None
        options = FormatOptions(
            compression=compression,
            csv_delimiter=self.delimiter.text() or ",",
        )
        query = self.query_box.active
        return ExportSpec(
            connection=self.connection,
            out_dir=self.out_dir.text().strip(),
            tables=() if query else tables,
            queries=(self.query_box.query_spec(),) if query else (),
            columns={tables[0]: tuple(cols)} if cols and len(tables) == 1 and not query else {},
            where=None if query else self.where.text().strip() or None,
            format=fmt,
            options=options,
            workers=self.workers.value(),
            partitions=self.partitions.value() or "auto",
            layout=self.layout_box.currentText(),
            mask=self.mask.isChecked(),
            batch_rows=self.batch_rows.value(),
            encrypt_to=self._recipients_file(),
            overwrite=self.overwrite.isChecked(),
        ).validate()

    def _recipients_file(self) -> str | None:
        if not self.encrypt.isChecked():
            return None
        text = self.recipients.text().strip()
        if not text:
            raise ConfigError("Name the recipients file to seal the export for, or untick it.")
        return str(Path(text).expanduser().resolve())

    def _browse_recipients(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Recipients file", str(Path.home()))
        if path:
            self.recipients.setText(path)

    def start(self) -> None:
        try:
            spec = self.spec()
            # Said here, where the user clicked (core refuses it again before the job runs):
            # a folder that cannot be written fails now, not four seconds into a job.
            folder = Path(spec.out_dir).expanduser().resolve()
            check_target(folder, spec.overwrite)
            check_writable(folder)
        except DteError as exc:
            self.message.setText(f"{exc.title}: {exc}")
            return
        what = [*spec.tables, *(f"query {q.name}" for q in spec.queries)]
        self.message.setText(f"Starting the export of {', '.join(what)}…")
        self.start_requested.emit(spec)

    def job_started(self, job_id: int) -> None:
        self.message.setText(f"Export job {job_id} started — see the Jobs dock.")

    def job_failed(self, title: str, message: str) -> None:
        """A job could not start, or its worker died: said here too, where the user clicked."""
        self.message.setText(f"{title}: {message}")


def _spin(box: QSpinBox, option: Option) -> None:
    """A spin box with the option's range, step and default."""
    box.setRange(option.low or 0, option.high or 2**31 - 1)
    if option.step:
        box.setSingleStep(option.step)
    box.setValue(option.default)
