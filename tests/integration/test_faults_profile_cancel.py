"""Ctrl+C / SIGTERM during `dte profile` and `dte sample` (issue 19): the job ends
`cancelled`, exit 3, no item left `running`, no report or lineage written — also while the
server is busy with one long statement (push-down mode has no batches to stop between: the
statement is cancelled on the server)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from dte_desktop.core.store import ItemStatus, JobStatus, Store
from tests.integration.faults_helpers import make_table, start, table_locked, wait_for

pytestmark = pytest.mark.postgres


def _running_profile(store: Store) -> int | None:
    jobs = [j for j in store.list_jobs() if j.kind == "profile" and j.status == JobStatus.RUNNING]
    if jobs and any(i.status == ItemStatus.RUNNING for i in store.list_items(jobs[0].id)):
        return jobs[0].id
    return None


@pytest.mark.parametrize(("mode", "sig"), [("pushdown", signal.SIGINT), ("stream", signal.SIGTERM)])
def test_a_signal_cancels_a_profile_cleanly(
    pg_url: str, tmp_path: Path, mode: str, sig: signal.Signals
) -> None:
    make_table(pg_url, 20_000)
    report = tmp_path / "report.html"
    # The table is locked: the profile's statement waits on the server, surely mid-way.
    with table_locked(pg_url, "big"):
        proc = start("profile", pg_url, "public.big", "--mode", mode, "--json",
                     "--report", str(report))  # fmt: skip
        try:
            job_id = wait_for(_running_profile)
            time.sleep(0.5)
            t0 = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=30)
            took = time.monotonic() - t0
        finally:
            proc.kill()
    assert proc.returncode == 3, (out, err)
    assert took < 5, took
    assert "cancelled" in err and "Traceback" not in err
    assert out == "" and not report.exists()
    store = Store.open(recover=False)
    try:
        assert store.get_job(job_id).status == JobStatus.CANCELLED
        assert {i.status for i in store.list_items(job_id)} == {ItemStatus.CANCELLED}
    finally:
        store.close()


def _running_sample(store: Store) -> int | None:
    jobs = [j for j in store.list_jobs() if j.kind == "sample" and j.status == JobStatus.RUNNING]
    return jobs[0].id if jobs else None


@pytest.mark.parametrize("export", [False, True])
def test_a_signal_cancels_a_sample_cleanly(pg_url: str, tmp_path: Path, export: bool) -> None:
    make_table(pg_url, 20_000)
    out = tmp_path / "sample"
    extra = ["--out", str(out)] if export else []
    with table_locked(pg_url, "big"):
        proc = start("sample", pg_url, "public.big", "--size", "50", "--no-mask", *extra)
        try:
            job_id = wait_for(_running_sample)
            time.sleep(1.0)
            t0 = time.monotonic()
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=30)
            took = time.monotonic() - t0
        finally:
            proc.kill()
    assert proc.returncode == 3, err
    assert took < 5, took
    assert "sample cancelled" in err and "Traceback" not in err
    assert not (out / "lineage.jsonl").exists()
    store = Store.open(recover=False)
    try:
        assert store.get_job(job_id).status == JobStatus.CANCELLED
        assert {i.status for i in store.list_items(job_id)} == {ItemStatus.CANCELLED}
    finally:
        store.close()
