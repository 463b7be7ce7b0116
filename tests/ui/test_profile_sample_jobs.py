"""Profile and sample jobs from the GUI run in the job worker process, like exports (issue
19): their progress shows in the jobs dock and in their tab, Cancel (the dock's) stops a
profile of a 5M-row PostgreSQL table within 2 s — the statement on the server too — and
the job ends ``cancelled`` with its worker gone; a sample job finishes and has its place in
the history (its detail opens)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt

from dte_desktop.core.jobs.events import ItemProgress, JobProgress, JobStarted
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.store import JobStatus
from tests.ui.conftest import select_table

ROWS = 5_000_000  # the figure
SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"host={u.host} port={u.port} user={u.username} dbname={u.database}"


@pytest.fixture
def big_pg(pg_url: str) -> str:
    """5M rows, five columns (about 16 s to build here): its one-pass profile scan runs a
    minute on this machine, long enough to cancel in the middle of it."""
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        conn.execute(
            "CREATE UNLOGGED TABLE big AS SELECT g AS id, g % 1000 AS grp, "
            "(g * 1.25)::numeric(12,2) AS amount, 'name ' || (g % 50000) AS name, "
            "timestamp '2020-01-01' + g * interval '1 second' AS created "
            f"FROM generate_series(1, {ROWS}) g"
        )
        conn.execute("ANALYZE big")  # the catalog's estimate: the table is large
    return pg_url


def active_statements(url: str) -> list[str]:
    """What the app still runs on the server in the test's database."""
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [r[0] for r in rows]


def dock_row(dock, job_id: int) -> int:  # type: ignore[no-untyped-def]
    for r in range(dock.table.rowCount()):
        item = dock.table.item(r, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == job_id:
            return r
    return -1


@pytest.mark.postgres
def test_dock_cancel_stops_a_5m_row_profile_within_2_s(qtbot, window, big_pg) -> None:
    window.ctx.store.save_connection("big", big_pg)
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
        window.refresh_connections()
    seen: list[object] = []
    window.jobs.event.connect(seen.append)
    window.jobs.started.connect(seen.append)
    view, dock = window.profile_view, window.jobs_dock
    window.tabs.setCurrentWidget(view)
    view.set_target("big", TableRef("public", "big"))
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert view.running and not view.run_button.isEnabled()
    assert view.job.isVisible() and view.job.cancel_button.isEnabled()

    qtbot.waitUntil(lambda: any(isinstance(e, JobStarted) for e in seen), timeout=60_000)
    started = next(e for e in seen if isinstance(e, JobStarted))
    job_id = started.job_id
    assert started.kind == "profile" and window.jobs.is_running(job_id)
    qtbot.waitUntil(lambda: dock_row(dock, job_id) >= 0, timeout=10_000)  # in the history
    assert dock.table.item(dock_row(dock, job_id), 1).text() == "profile"
    # The long step: one statement aggregating the 5M rows on the server.
    qtbot.waitUntil(lambda: "public.big: aggregates" in view.job.label.text(), timeout=180_000)
    steps = [e.status for e in seen if isinstance(e, ItemProgress) and e.job_id == job_id]
    assert steps[:3] == ["columns", "sample", "scan"], steps
    progress = [e for e in seen if isinstance(e, JobProgress) and e.job_id == job_id]
    last = progress[-1]
    assert (last.unit, last.items_done, last.items_total) == ("tables", 0, 1)
    assert last.rows_total is not None and last.rows_total >= ROWS  # the scan's estimate
    assert last.rows >= 1_000  # the sample's rows, read through
    # The dock's live line follows (at the next progress event: a heartbeat a second).
    qtbot.waitUntil(lambda: "public.big: aggregates" in dock.live.summary.text(), timeout=5_000)
    assert "0/1 tables" in dock.live.summary.text()
    assert view.job.bar.maximum() == 100  # a percentage: rows against the estimate
    row = dock_row(dock, job_id)
    assert dock.table.item(row, 2).text() == "running"
    # Heartbeats while the statement runs: the time moves on in the dock.
    before = len([e for e in seen if isinstance(e, JobProgress)])
    qtbot.waitUntil(
        lambda: len([e for e in seen if isinstance(e, JobProgress)]) >= before + 2, timeout=10_000
    )
    running = active_statements(big_pg)  # the scan, on the server (its text cut at 1 kB)
    # A SELECT, or the same SELECT read through COPY (the exact scan's reader on PostgreSQL)
    assert len(running) == 1 and running[0].startswith(("SELECT", "COPY (SELECT")), running
    SHOTS.mkdir(parents=True, exist_ok=True)
    dock.grab().save(str(SHOTS / "profile-job-dock-progress.png"))
    view.grab().save(str(SHOTS / "profile-job-tab-progress.png"))

    pid = view.job.proc.proc.processId()
    assert pid > 0 and os.path.exists(f"/proc/{pid}")
    dock.table.selectRow(dock_row(dock, job_id))
    assert dock.cancel_button.isEnabled()
    t0 = time.monotonic()
    qtbot.mouseClick(dock.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10_000)
    elapsed = time.monotonic() - t0
    assert elapsed < 2.0, f"the profile took {elapsed:.2f} s to stop"
    assert not os.path.exists(f"/proc/{pid}")  # the worker process is gone
    assert window.ctx.store.get_job(job_id).status == JobStatus.CANCELLED
    assert not active_statements(big_pg)  # the server's statement was cancelled, not orphaned
    assert not view.running and view.run_button.isEnabled() and not view.job.isVisible()
    assert "profile cancelled" in view.title.text()
    qtbot.waitUntil(lambda: dock.table.item(dock_row(dock, job_id), 2).text() == "cancelled")
    assert f"Job {job_id} cancelled" in dock.live.summary.text()
    assert not window.ctx.store.list_profiles("big", "public.big")  # nothing half-saved


def test_sample_job_runs_in_the_worker_and_has_its_place_in_the_history(qtbot, window) -> None:
    seen: list[object] = []
    window.jobs.started.connect(seen.append)
    view, dock = window.sample_view, window.jobs_dock
    select_table(qtbot, window, "customers")
    window.tabs.setCurrentWidget(view)
    view.size.setValue(30)
    view.seed.setValue(11)
    with qtbot.waitSignal(view.sampled, timeout=120_000) as done:
        view.draw_button.click()
        assert view.job.isVisible() and not view.draw_button.isEnabled()
    data = done.args[0]
    (started,) = seen
    assert started.kind == "sample" and data["job_id"] == started.job_id
    assert not window.jobs.busy()  # shown once the worker is gone
    assert view.rows.rowCount() == 30 and sum(data["contributed"].values()) == 30
    assert all(row[0] and ":" in row[0] for row in view.cell_texts())  # reasons survive
    assert view.draw_button.isEnabled() and not view.job.isVisible()
    job = window.ctx.store.get_job(started.job_id)
    assert job.kind == "sample" and job.status == JobStatus.COMPLETE
    qtbot.waitUntil(lambda: dock_row(dock, job.id) >= 0, timeout=10_000)
    row = dock_row(dock, job.id)
    assert [dock.table.item(row, c).text() for c in (1, 2)] == ["sample", "complete"]
    win = window.open_job(job.id)  # its detail opens from the history
    qtbot.waitUntil(lambda: "sample" in win.header.text(), timeout=10_000)
    assert "complete" in win.header.text()
