"""The GUI stays responsive while a 500k-row export runs with its live charts.

The issue's target (p99 < 50 ms during a 5M-row export) is measured by
``tests/bench/gui_latency.py``; here the figures are printed, and only a generous bound is
asserted (the machine is shared: two cores, other test suites)."""

from __future__ import annotations

from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import JobFinished, JobProgress
from tests.ui.latency_probe import LatencyProbe


def test_event_loop_latency_during_export(qtbot, window, capsys) -> None:
    seen: list[object] = []
    window.jobs.event.connect(seen.append)
    spec = ExportSpec(
        connection="Demo (SQLite)",
        out_dir=str(window.ctx.paths.exports_dir / "latency"),
        tables=("orders",),
        workers=2,
        partitions=4,
        mask=True,
    )
    probe = LatencyProbe()
    probe.start()
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as started:
        window.start_export(spec)
    job_id = started.args[0].job_id
    win = window.open_job(job_id)  # the charts draw while we measure
    qtbot.waitUntil(
        lambda: any(isinstance(e, JobFinished) and e.job_id == job_id for e in seen),
        timeout=180_000,
    )
    probe.stop()
    assert any(isinstance(e, JobProgress) for e in seen)
    assert win.live.chart.redraws > 0
    with capsys.disabled():
        print(f"\nGUI latency during a 500k-row masked export: {probe.summary()}")
    assert len(probe.late_ms) > 50
    # Only the median is asserted: p99 here depends on what else the two shared cores run
    # (the export itself runs in a worker process; the bench measured p99 7-15 ms at 5M rows
    # on a quiet machine, 86 ms when jobs still ran on threads inside the GUI's process).
    assert probe.percentile(50) < 100, probe.summary()
