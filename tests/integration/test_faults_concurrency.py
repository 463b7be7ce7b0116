"""Two writers at once (issue 15 item 1): two real ``dte`` processes exporting into one
folder, or resuming one job, never share ``.part`` files; the second gets a clear error and
the first one's output is whole."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.store import ItemStatus, JobStatus, Store
from tests.integration.faults_helpers import (
    dte,
    ids_in,
    make_table,
    start,
    table_locked,
    wait_for,
)

pytestmark = pytest.mark.postgres
ROWS = 200_000
SLOW = ["--partitions", "4", "--workers", "1", "--batch-rows", "2000", "--no-mask"]


@pytest.fixture
def table_pg(pg_url: str) -> str:
    make_table(pg_url, ROWS)
    return pg_url


def _running_job(store: Store) -> int | None:
    jobs = [j for j in store.list_jobs() if j.status == JobStatus.RUNNING]
    if jobs and any(i.status == ItemStatus.RUNNING for i in store.list_items(jobs[0].id)):
        return jobs[0].id
    return None


def test_a_second_export_into_the_same_folder_is_refused(table_pg: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = start("export", table_pg, "public.big", "--out", str(out), *SLOW, "--json")
    try:
        wait_for(_running_job)
        with table_locked(table_pg, "big"):
            second = dte(
                "export", table_pg, "public.big", "--out", str(out), *SLOW, "--json", timeout=60
            )
        first_out, first_err = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == 0, first_err
    assert second.returncode == 1, second.stderr
    result = json.loads(second.stdout)
    assert result["status"] == "failed"
    (error,) = result["errors"]
    assert (
        f"The export folder {out} is in use by another process (process {first.pid})"
        in (error["message"])
    )
    assert json.loads(first_out)["status"] == "complete"
    assert verify_manifest(out) == []
    assert ids_in(out) == list(range(1, ROWS + 1))
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "manifest.json", "public.big"]


def test_resuming_one_job_twice_at_once_runs_it_once(table_pg: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    victim = start("export", table_pg, "public.big", "--out", str(out), *SLOW)
    job_id = wait_for(_running_job)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()

    first = start("jobs", "resume", str(job_id), "--json")
    try:
        wait_for(
            lambda s: (
                s.get_job(job_id).status == JobStatus.RUNNING and s.get_job(job_id).pid == first.pid
            )
        )
        with table_locked(table_pg, "big"):
            second = dte("jobs", "resume", str(job_id), "--json", timeout=60)
        first_out, first_err = first.communicate(timeout=300)
    finally:
        first.kill()
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"Job {job_id} is in use by another process (process {first.pid})" in second.stderr
    assert first.returncode == 0, first_err
    assert json.loads(first_out)["status"] == "complete"
    assert verify_manifest(out) == []
    assert ids_in(out) == list(range(1, ROWS + 1))
