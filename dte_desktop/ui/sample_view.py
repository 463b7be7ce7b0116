"""The Sample tab: draw a small, defensible sample of the selected table with the sampling
engine (``run_sample`` in a worker) and show what it chose — pool sizes and contributions per
strategy, a bar chart of the chosen rows, the bytes read, and the rows themselves (masked by
core, never here) with the reason each one was picked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.jobs.worker_steps import arrow_from_b64
from dte_desktop.core.sampling import DEFAULT_DISTRIBUTION, STRATEGIES, SampleSpec
from dte_desktop.core.sampling.spec import MAX_SEED, MAX_SIZE
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui import theme
from dte_desktop.ui.charts import LazyChart, pg
from dte_desktop.ui.job_strip import JobStrip
from dte_desktop.ui.preview_model import format_value
from dte_desktop.ui.tables import read_only_table
from dte_desktop.ui.workers import run_in_pool

POOL_COLUMNS = ["Strategy", "Share", "Pool", "Contributed"]
WHY_COLUMN = "Why chosen"


def shares(weights: dict[str, int]) -> dict[str, float]:
    """Weights normalised to percentages (all zero when there is no positive weight)."""
    total = sum(weights.values())
    return {s: (100.0 * w / total if total > 0 else 0.0) for s, w in weights.items()}


def _reason(item: dict[str, Any]) -> str:
    """``strategy: column why`` (plus the score of a risk pick)."""
    parts = [str(item["column"])] if item.get("column") not in (None, "") else []
    if item.get("score") is not None:
        parts.append(f"score {item['score']}")
    elif item.get("why") not in (None, ""):
        parts.append(str(item["why"]))
    return f"{item.get('strategy', '?')}: {' '.join(parts)}".rstrip(": ")


def why_text(item: dict[str, Any]) -> str:
    text = _reason(item)
    also = [_reason(a) for a in item.get("also") or []]
    return f"{text} (also {'; '.join(also)})" if also else text


class SampleChart(LazyChart):
    """Chosen rows per strategy, one bar each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: dict[str, int] = {}
        self.bars: Any = None
        self.setMinimumHeight(130)

    def build(self, canvas: Any) -> None:
        self._plot = canvas.addPlot(row=0, col=0, title="Rows chosen per strategy")
        self._plot.setMouseEnabled(x=False, y=False)
        self._plot.hideButtons()
        self._plot.showGrid(y=True, alpha=0.25)
        self._draw()

    def plots(self) -> list[Any]:
        return [self._plot]

    def show_counts(self, counts: dict[str, int]) -> None:
        self.counts = dict(counts)
        if self.canvas is not None:
            self._draw()

    def bar_count(self) -> int:
        return 0 if self.bars is None else len(self.bars.opts["height"])

    def _draw(self) -> None:
        self._plot.clear()
        self.bars = None
        if not self.counts:
            return
        names = list(self.counts)
        xs = list(range(len(names)))
        self.bars = pg().BarGraphItem(
            x=xs,
            height=[self.counts[n] for n in names],
            width=0.6,
            brush=theme.chart_colours()["pens"][0],
        )
        self._plot.addItem(self.bars)
        self._plot.getAxis("bottom").setTicks([list(zip(xs, names, strict=True)), []])
        self._plot.setXRange(-0.6, len(names) - 0.4, padding=0)
        self._plot.setYRange(0, max(self.counts.values()) * 1.1 or 1, padding=0)


class SampleView(QWidget):
    sampled = Signal(object)  # the outcome's JSON (SampleOutcome.to_json())

    def __init__(self, ctx: AppContext, jobs: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs  # jobs: ui.job_runner.JobManager (the worker process)
        self.connection: str | None = None
        self.ref: TableRef | None = None
        self.data: dict | None = None
        self.running = False
        self._build()
        self._show_shares()
        self._update_button()

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel("Pick a table in the catalog, then draw a sample.")
        self.title.setObjectName("sampleTitle")
        self.title.setWordWrap(True)

        self.size = QSpinBox()
        self.size.setObjectName("sampleSize")
        self.size.setRange(1, MAX_SIZE)
        self.size.setValue(100)
        self.size.setGroupSeparatorShown(True)
        self.seed = QSpinBox()
        self.seed.setObjectName("sampleSeed")
        self.seed.setRange(-1, MAX_SEED)
        self.seed.setSpecialValueText("random")  # -1: a fresh seed, recorded in the job
        self.seed.setValue(-1)
        self.seed.setToolTip("The same seed draws the same rows; 'random' picks a new one")
        self.draw_button = QPushButton("Draw sample")
        self.draw_button.setObjectName("drawSample")
        self.draw_button.clicked.connect(self.draw)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Rows:"))
        controls.addWidget(self.size)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Seed:"))
        controls.addWidget(self.seed)
        controls.addStretch(1)
        controls.addWidget(self.draw_button)

        dist = QGroupBox("Distribution (weights; shares are normalised)")
        grid = QGridLayout(dist)
        self.sliders: dict[str, QSlider] = {}
        self.share_labels: dict[str, QLabel] = {}
        grid.setVerticalSpacing(2)
        for i, name in enumerate(STRATEGIES):
            row, col = i % 3, 3 * (i // 3)  # two columns of sliders: the rows get the height
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"weight_{name}")
            slider.setRange(0, 100)
            slider.setValue(DEFAULT_DISTRIBUTION.get(name, 0))
            slider.valueChanged.connect(self._show_shares)
            if name == "stratified":
                slider.setToolTip("Needs stratify columns (the CLI's --stratify)")
            label = QLabel()
            label.setMinimumWidth(100)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(QLabel(name), row, col)
            grid.addWidget(slider, row, col + 1)
            grid.addWidget(label, row, col + 2)
            self.sliders[name] = slider
            self.share_labels[name] = label
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        grid.setColumnMinimumWidth(3, 90)

        self.job = JobStrip("sample")
        self.job.result.connect(self._done)
        self.job.failed.connect(self._failed)
        self.job.ended.connect(self._ended)
        self.status = QLabel("")
        self.status.setObjectName("sampleStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.pools = read_only_table(POOL_COLUMNS, "samplePools")
        self.pools.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        row_height = self.fontMetrics().height() + 6
        self.pools.verticalHeader().setDefaultSectionSize(row_height)
        self.chart = SampleChart()
        results = QSplitter(Qt.Orientation.Horizontal)
        results.addWidget(self.pools)
        results.addWidget(self.chart)
        results.setSizes([380, 420])

        self.rows = QTableWidget(0, 0)
        self.rows.setObjectName("sampleRows")
        self.rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows.setAlternatingRowColors(True)
        self.rows.setWordWrap(False)
        self.rows.verticalHeader().setDefaultSectionSize(row_height)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(results)
        split.addWidget(self.rows)
        split.setSizes([140, 500])
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(controls)
        lay.addWidget(dist)
        lay.addWidget(self.status)
        lay.addWidget(self.job)
        lay.addWidget(split, 1)

    # -- inputs ----------------------------------------------------------------------
    def weights(self) -> dict[str, int]:
        return {name: s.value() for name, s in self.sliders.items()}

    def _show_shares(self) -> None:
        weights = self.weights()
        pct = shares(weights)
        for name, label in self.share_labels.items():
            label.setText(f"{weights[name]} → {pct[name]:.1f} %")
        self._update_button()

    def _update_button(self) -> None:
        ok = self.ref is not None and not self.running and sum(self.weights().values()) > 0
        self.draw_button.setEnabled(ok)

    def set_target(self, connection: str, table: TableRef) -> None:
        if (connection, table) == (self.connection, self.ref):
            return
        self.connection, self.ref = connection, table
        self.title.setText(f"<b>{table.display()}</b> — {connection}")
        self.clear_results()
        self._update_button()

    def clear_results(self) -> None:
        self.data = None
        self.pools.setRowCount(0)
        self.rows.clear()
        self.rows.setRowCount(0)
        self.rows.setColumnCount(0)
        self.chart.show_counts({})
        if not self.running:
            self.status.setText("")

    def spec(self) -> SampleSpec:
        assert self.connection is not None and self.ref is not None
        seed = self.seed.value()
        return SampleSpec(
            self.connection,
            self.ref.display(),
            self.size.value(),
            distribution={k: v for k, v in self.weights().items() if v > 0},
            seed=None if seed < 0 else seed,
        ).validate()

    # -- running ---------------------------------------------------------------------
    def draw(self) -> None:
        """Draw the sample as a ``sample`` job in the job worker process (progress and
        Cancel here and in the jobs dock)."""
        if self.running or self.ref is None:
            return
        try:
            spec = self.spec()
        except Exception as exc:  # ConfigError: shown, not raised
            self._failed(getattr(exc, "title", "Invalid sample"), str(exc))
            return
        if not self.job.start(self.jobs.run_sample(spec)):
            self.status.setText("Cancelled: the credential store stays locked.")
            return
        self.running = True
        self._update_button()
        self.status.setText(f"Drawing {spec.size:,} rows from {spec.table}…")

    def cancel(self) -> None:
        self.job.cancel()

    def _done(self, data: dict) -> None:
        """The job's result: rows formatted off the GUI thread, then shown."""
        run_in_pool(lambda: _table(data), self._show_result, self._failed)

    def _show_result(self, result: tuple[dict, list[str], list[list[str]]]) -> None:
        data, names, rows = result
        self.data = data
        self._show(data, names, rows)
        self.sampled.emit(data)

    def _ended(self, status: str) -> None:
        self.running = False
        self._update_button()
        if status == "cancelled":
            self.status.setText(f"Sample cancelled (job {self.job.job_id}); nothing was kept.")

    def _failed(self, title: str, message: str) -> None:
        self.status.setText(f"<b>{title}</b>: {message}")

    # -- results ---------------------------------------------------------------------
    def _show(self, data: dict, names: list[str], rows: list[list[Any]]) -> None:
        contributed: dict[str, int] = data.get("contributed") or {}
        pools: dict[str, int] = data.get("pools") or {}
        pct = shares({k: int(v) for k, v in (data.get("distribution") or {}).items()})
        order = [s for s in STRATEGIES if s in contributed or s in pct]
        self.pools.setRowCount(len(order))
        for r, name in enumerate(order):
            cells = [
                name,
                f"{pct.get(name, 0.0):.1f} %",
                f"{pools[name]:,}" if name in pools else "—",
                f"{contributed.get(name, 0):,}",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.pools.setItem(r, c, item)
        self.chart.show_counts({s: contributed.get(s, 0) for s in order})

        total = sum(contributed.values())
        notes = "; ".join(data.get("notes") or [])
        self.status.setText(
            f"{total:,} rows chosen from {data.get('rows_in_table') or 0:,} · "
            f"{_bytes(data.get('bytes_read') or 0)} read · seed {data.get('seed')} · "
            f"job {data.get('job_id')} · rows masked by policy" + (f" · {notes}" if notes else "")
        )

        headers = [WHY_COLUMN, *names]
        self.rows.clear()
        self.rows.setColumnCount(len(headers))
        self.rows.setHorizontalHeaderLabels(headers)
        self.rows.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c == 0:
                    item.setToolTip(value)
                self.rows.setItem(r, c, item)
        self.rows.resizeColumnsToContents()
        self.rows.setColumnWidth(0, min(self.rows.columnWidth(0), 340))

    def cell_texts(self) -> list[list[str]]:
        out = []
        for r in range(self.rows.rowCount()):
            row = []
            for c in range(self.rows.columnCount()):
                item = self.rows.item(r, c)
                row.append(item.text() if item is not None else "")
            out.append(row)
        return out


def _table(data: dict) -> tuple[dict, list[str], list[list[str]]]:
    """On the pool: the job's rows (already masked by core, as Arrow) formatted with the
    reason each was chosen."""
    data = dict(data)
    rows = arrow_from_b64(data.pop("arrow")) if data.get("arrow") else None
    names = list(rows.schema.names) if rows is not None else []
    records = rows.to_pylist() if rows is not None else []
    lineage = data.get("lineage") or []
    table = []
    for i, record in enumerate(records):
        why = why_text(lineage[i]) if i < len(lineage) else ""
        table.append([why, *(format_value(record[n]) for n in names)])
    return data, names, table


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} B"
