"""pyqtgraph charts, imported on first show (pyqtgraph costs ~0.6 s to import; most sessions
never open a chart) and redrawn on a timer, never once per event."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dte_desktop.ui import theme

REDRAW_MS = 250  # 4 Hz: smooth enough to read, cheap enough for 2 shared cores
_pg_module: Any = None


def pg() -> Any:
    global _pg_module
    if _pg_module is None:
        import pyqtgraph

        pyqtgraph.setConfigOptions(antialias=True)
        _pg_module = pyqtgraph
    return _pg_module


def style_plot(plot: Any) -> None:
    colours = theme.chart_colours()
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(colours["foreground"])
        axis.setTextPen(colours["foreground"])
    plot.titleLabel.setAttr("color", colours["foreground"])
    plot.setTitle(plot.titleLabel.text)


class LazyChart(QWidget):
    """Base: a placeholder until first shown, then a ``GraphicsLayoutWidget``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("Chart loads when shown…")
        self._layout.addWidget(self._placeholder)
        self.canvas: Any = None
        self.setMinimumHeight(160)

    def ensure_canvas(self) -> Any:
        if self.canvas is None:
            mod = pg()
            self.canvas = mod.GraphicsLayoutWidget()
            self._layout.removeWidget(self._placeholder)
            self._placeholder.deleteLater()
            self._layout.addWidget(self.canvas)
            self.build(self.canvas)
            # A bound method of this widget: Qt drops the connection when it is destroyed.
            theme.state().changed.connect(self._on_theme)
            self.recolour()
        return self.canvas

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.ensure_canvas()
        super().showEvent(event)

    def _on_theme(self, _name: str) -> None:
        self.recolour()

    def build(self, canvas: Any) -> None:
        raise NotImplementedError

    def plots(self) -> list[Any]:
        return []

    def recolour(self) -> None:
        if self.canvas is None:
            return
        self.canvas.setBackground(theme.chart_colours()["background"])
        for plot in self.plots():
            style_plot(plot)


class RateChart(LazyChart):
    """Rows/s and MB/s of one job over time, fed from ``JobProgress`` events. ``compact``
    (the jobs dock) draws rows/s only, where two stacked plots would be too short to read."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.compact = compact
        self.times: list[float] = []
        self.rows_per_s: list[float] = []
        self.mb_per_s: list[float] = []
        self.redraws = 0
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw)
        self._timer.start()

    def build(self, canvas: Any) -> None:
        colours = theme.chart_colours()
        self._rows_plot = canvas.addPlot(row=0, col=0, title="rows/s")
        self._mb_plot = canvas.addPlot(row=1, col=0, title="MB/s")
        self._mb_plot.setXLink(self._rows_plot)
        self._mb_plot.setLabel("bottom", "seconds")
        if self.compact:
            self._mb_plot.hide()
            self._rows_plot.setLabel("bottom", "seconds")
        # No grid: on a software-rendered window its translucent lines doubled the cost of
        # each redraw (21 ms → 9 ms for a 900×300 chart here), time the GUI thread needs.
        for p in (self._rows_plot, self._mb_plot):
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
        # Small markers: the first seconds of a job have one or two points, not a line.
        self._rows_curve = self._rows_plot.plot(
            pen=pg().mkPen(colours["pens"][0], width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=colours["pens"][0],
            symbolPen=None,
        )
        self._mb_curve = self._mb_plot.plot(
            pen=pg().mkPen(colours["pens"][1], width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=colours["pens"][1],
            symbolPen=None,
        )
        self._dirty = True

    def plots(self) -> list[Any]:
        return [self._rows_plot, self._mb_plot]

    def clear(self) -> None:
        self.times.clear()
        self.rows_per_s.clear()
        self.mb_per_s.clear()
        self._dirty = True

    def add(self, elapsed_s: float, rows_per_s: float, bytes_per_s: float) -> None:
        self.times.append(elapsed_s)
        self.rows_per_s.append(rows_per_s)
        self.mb_per_s.append(bytes_per_s / 1e6)
        self._dirty = True

    def _redraw(self) -> None:
        if not self._dirty or self.canvas is None or not self.isVisible():
            return
        self._dirty = False
        self.redraws += 1
        self._rows_curve.setData(self.times, self.rows_per_s)
        self._mb_curve.setData(self.times, self.mb_per_s)
        # Rates read against zero: auto-ranging one early point made an axis of 5037.6 to
        # 5038.4 that looked like a wild swing. The time axis shows at least 5 s.
        self._rows_plot.setYRange(0, _headroom(self.rows_per_s), padding=0)
        self._mb_plot.setYRange(0, _headroom(self.mb_per_s), padding=0)
        self._rows_plot.setXRange(0, max(self.times[-1] if self.times else 0.0, 5.0), padding=0.02)


def _headroom(values: list[float]) -> float:
    top = max(values, default=0.0)
    return top * 1.15 if top > 0 else 1.0


class ProfileCharts(LazyChart):
    """One column's histogram, top values, null/distinct shares and pattern shares."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column: dict | None = None
        self.setMinimumHeight(260)

    def build(self, canvas: Any) -> None:
        self._hist = canvas.addPlot(row=0, col=0, title="Histogram")
        self._top = canvas.addPlot(row=0, col=1, title="Top values")
        self._shares = canvas.addPlot(row=1, col=0, title="Nulls / distinct (%)")
        self._patterns = canvas.addPlot(row=1, col=1, title="Patterns (share %)")
        # The histogram and top values get the height: the shares chart has two bars.
        canvas.ci.layout.setRowStretchFactor(0, 3)
        canvas.ci.layout.setRowStretchFactor(1, 2)
        for p in self.plots():
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
        if self.column is not None:
            self.show_column(self.column)

    def plots(self) -> list[Any]:
        return [self._hist, self._top, self._shares, self._patterns]

    def recolour(self) -> None:
        super().recolour()
        if self.canvas is not None and self.column is not None:
            self.show_column(self.column)  # bars and notes carry the theme's colours

    def show_column(self, column: dict) -> None:
        self.column = column
        if self.canvas is None:
            return
        mod = pg()
        pens = theme.chart_colours()["pens"]
        for p in self.plots():
            p.clear()
            # Each column starts from fresh axes: a text column must not keep the previous
            # numeric column's histogram range or another chart's tick labels.
            p.getAxis("left").setTicks(None)
            p.getAxis("bottom").setTicks(None)
            p.invertY(False)
            p.enableAutoRange()
        hist = column.get("histogram") or []
        if hist:
            x, w = _bins(hist)
            self._hist.addItem(
                mod.BarGraphItem(x=x, height=[b["count"] for b in hist], width=w, brush=pens[0])
            )
        else:
            self._hist.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            for side in ("left", "bottom"):  # no figures on an empty chart
                self._hist.getAxis(side).setTicks([[], []])
            note = mod.TextItem(_no_histogram(column), color=theme.chart_colours()["foreground"])
            note.setPos(0.05, 0.6)
            self._hist.addItem(note)
        _hbars(self._top, [(str(v["value"]), v["count"]) for v in column.get("top_values") or []])
        _hbars(
            self._shares,
            [
                ("null %", column.get("null_pct") or 0.0),
                ("distinct %", _distinct_pct(column)),
            ],
            colour=pens[1],
        )
        _hbars(
            self._patterns,
            [(p["pattern"], 100.0 * p["share"]) for p in column.get("patterns") or []],
            colour=pens[1],
        )
        self._hist.setTitle(f"Histogram — {column.get('name', '')}")


def _no_histogram(column: dict) -> str:
    masking = column.get("masking") or {}
    if masking and not masking.get("shown_raw", True):
        return "Histogram withheld (masked column)"
    return "No histogram for this column's type"


def _bins(hist: list[dict]) -> tuple[list[float], list[float]]:
    """Bin centres and widths; temporal bins carry ISO text, drawn by position instead."""
    try:
        x = [(float(b["lo"]) + float(b["hi"])) / 2 for b in hist]
        w = [max(float(b["hi"]) - float(b["lo"]), 1e-12) for b in hist]
    except (TypeError, ValueError):
        return [float(i) for i in range(len(hist))], [0.9] * len(hist)
    return x, w


def _distinct_pct(column: dict) -> float:
    count = column.get("count") or 0
    distinct = column.get("distinct") or 0
    return 100.0 * distinct / count if count else 0.0


#: Bars per chart: at the charts' height each label gets a line of its own (ten overlapped).
MAX_BARS = 6


def _fitting(plot: Any) -> int:
    """How many labelled bars fit the plot's height, one text line each (at most
    MAX_BARS, at least 3)."""
    from PySide6.QtGui import QFontMetrics

    axis = plot.getAxis("left")
    line = QFontMetrics(axis.style.get("tickFont") or axis.font()).height() + 2
    height = plot.getViewBox().height()
    if height <= 0:  # not laid out yet
        return MAX_BARS
    return max(3, min(MAX_BARS, int(height // line)))


def _hbars(plot: Any, pairs: list[tuple[str, float]], colour: str | None = None) -> None:
    pairs = pairs[: _fitting(plot)]
    if not pairs:
        return
    mod = pg()
    colour = colour or theme.chart_colours()["pens"][0]
    ys = list(range(len(pairs)))
    plot.addItem(
        mod.BarGraphItem(
            x0=[0] * len(pairs), y=ys, height=0.7, width=[v for _, v in pairs], brush=colour
        )
    )
    labels = [(i, _short(label)) for i, (label, _) in enumerate(pairs)]
    plot.getAxis("left").setTicks([labels, []])
    plot.setYRange(-0.6, max(len(pairs), 3) - 0.4, padding=0)
    plot.invertY(True)


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
