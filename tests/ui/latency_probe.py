"""Event-loop latency: a 10 ms QTimer in the GUI thread, and how late each tick arrives."""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import QObject, Qt, QTimer

TICK_MS = 10


class LatencyProbe(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.late_ms: list[float] = []
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.late_ms.append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self._last = now

    def percentile(self, p: float) -> float:
        data = sorted(self.late_ms)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))]

    def summary(self) -> str:
        return (
            f"{len(self.late_ms)} ticks: p50 {self.percentile(50):.1f} ms, "
            f"p99 {self.percentile(99):.1f} ms, max {max(self.late_ms, default=0):.1f} ms, "
            f"mean {statistics.fmean(self.late_ms) if self.late_ms else 0:.1f} ms"
        )
