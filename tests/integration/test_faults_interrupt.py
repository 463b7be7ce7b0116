"""Ctrl+C during an export (issue 15 item 5, issue 17 item 8): a real SIGINT to a real
``dte export`` ends the job ``cancelled`` with exit 3, leaves no ``.part`` file (data or
manifest) and no job ``running``, and the job resumes to a whole export."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import psycopg
import pytest

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.store import ItemStatus, JobStatus, Store
from tests.integration.faults_helpers import dsn, dte, ids_in, make_table, start, wait_for

pytestmark = pytest.mark.postgres
ROWS = 20_000
# One 10 ms sleep per 100 rows: the export takes seconds, so the signal surely lands mid-way.
SLOW_WHERE = "id % 100 <> 0 OR pg_sleep(0.01) IS NOT NULL"


@pytest.fixture
def table_pg(pg_url: str) -> str:
    make_table(pg_url, ROWS)
    return pg_url


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_cancels_cleanly_and_the_job_resumes(table_pg, tmp_path: Path, sig) -> None:
    out = tmp_path / "out"
    args = ["public.big", "--out", str(out), "--partitions", "2", "--workers", "1"]
    proc = start(
        "export", table_pg, *args, "--batch-rows", "500", "--where", SLOW_WHERE, "--no-mask",
        "--json",
    )  # fmt: skip

    def reading(store: Store) -> int | None:
        jobs = store.list_jobs()
        if jobs and any(i.rows > 0 for i in store.list_items(jobs[0].id)):
            return jobs[0].id
        return None

    job_id = wait_for(reading)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr
    assert json.loads(stdout)["status"] == "cancelled"
    assert "Traceback" not in stderr and "cannot schedule" not in stderr
    store = Store.open(recover=False)  # as the cancelled process left it, nothing repaired
    job = store.get_job(job_id)
    assert job.status == JobStatus.CANCELLED and job.pid is None
    assert all(i.status != ItemStatus.RUNNING for i in store.list_items(job_id))
    store.close()
    assert not list(out.rglob("*.part")) and not list(tmp_path.rglob("*.part"))

    resumed = dte("jobs", "resume", str(job_id), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "complete"
    assert verify_manifest(out) == []
    with psycopg.connect(dsn(table_pg)) as conn:
        expected = sorted(r[0] for r in conn.execute(f"SELECT id FROM big WHERE {SLOW_WHERE}"))
    assert ids_in(out) == expected == list(range(1, ROWS + 1))
