"""The job window while a server restarts (issue 15 item 4): a slice's wait ("server
unreachable, retry 3 in 4 s") shows in the job's line and its Status cell's tooltip, and a finished
job whose snapshot was lost says that the point-in-time guarantee was given up."""

from __future__ import annotations

import os

from dte_desktop.core.jobs.events import ItemProgress, JobFinished
from dte_desktop.ui.job_live import JobLivePanel

NOTE = "server unreachable, retry 3 in 4 s"
GIVEN_UP = "Point-in-time guarantee given up: … public.big#3/4, public.big#4/4."


def test_the_wait_and_the_given_up_snapshot_are_shown(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = JobLivePanel()
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    panel.follow(7)
    panel.on_event(ItemProgress(7, "public.big#1/4", "done", 50_000, 1_000, 9_000.0))
    panel.on_event(ItemProgress(7, "public.big#2/4", "waiting", 0, 0, 0.0, 2, NOTE))
    row = panel._rows["public.big#2/4"]
    cell = panel.grid.item(row, 1)
    assert cell.text() == "waiting" and cell.toolTip() == NOTE
    assert NOTE in panel.summary.text()
    panel.grab().save(os.environ.get("DTE_GRAB", str(tmp_path / "waiting.png")))

    summary = {"rows": 200_000, "seconds": 12.5, "point_in_time": GIVEN_UP}
    panel.on_event(JobFinished(7, "complete", summary))
    assert panel.summary.text().startswith("Job 7 complete: 200,000 rows")
    assert GIVEN_UP in panel.summary.text()
