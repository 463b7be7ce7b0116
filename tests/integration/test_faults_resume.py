"""Resuming an export (issue 15 items 9 and 12): the job resumes into the folder it was started
with, whatever the working directory of the resume."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.store import ItemStatus, Store
from tests.integration.faults_helpers import dte, ids_in, make_table, start, wait_for

pytestmark = pytest.mark.postgres
ROWS = 20_000
# One 10 ms sleep per 100 rows: the export takes seconds, so a kill surely lands mid-way.
SLOW_WHERE = "id % 100 <> 0 OR pg_sleep(0.01) IS NOT NULL"
SLOW = ["--partitions", "4", "--workers", "1", "--batch-rows", "500", "--no-mask", "--json"]


@pytest.fixture
def table_pg(pg_url: str) -> str:
    make_table(pg_url, ROWS)
    return pg_url


def kill_after_one_slice(url: str, out: str, cwd: Path) -> int:
    proc = start("export", url, "public.big", "--out", out, "--where", SLOW_WHERE, *SLOW, cwd=cwd)

    def one_done(store: Store) -> int | None:
        for job in store.list_jobs():
            if any(i.status == ItemStatus.DONE for i in store.list_items(job.id)):
                return job.id
        return None

    job_id = wait_for(one_done)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return job_id


def test_a_relative_out_resumes_into_the_same_folder_from_elsewhere(table_pg, tmp_path) -> None:
    first, elsewhere = tmp_path / "first", tmp_path / "elsewhere"
    first.mkdir()
    elsewhere.mkdir()
    job_id = kill_after_one_slice(table_pg, "out", cwd=first)
    store = Store.open(recover=False)
    stored = store.get_job(job_id).config["out_dir"]
    store.close()
    assert Path(stored).is_absolute() and Path(stored) == (first / "out").resolve()

    resumed = dte("jobs", "resume", str(job_id), "--json", cwd=elsewhere)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["summary"]["out_dir"] == str((first / "out").resolve())
    assert not list(elsewhere.iterdir())  # nothing written where the resume was started
    assert verify_manifest(first / "out") == []
    assert ids_in(first / "out") == list(range(1, ROWS + 1))


def test_a_job_stored_with_a_relative_out_resumes_where_its_files_are(table_pg, tmp_path) -> None:
    """Jobs written before the folder was stored absolute: the finished files tell where."""
    first, elsewhere = tmp_path / "first", tmp_path / "elsewhere"
    first.mkdir()
    elsewhere.mkdir()
    job_id = kill_after_one_slice(table_pg, "out", cwd=first)
    store = Store.open(recover=False)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE jobs SET config = json_set(config, '$.out_dir', 'out') WHERE id = ?",
            (job_id,),
        )
    store.close()
    resumed = dte("jobs", "resume", str(job_id), "--json", cwd=elsewhere)
    assert resumed.returncode == 0, resumed.stderr
    assert not list(elsewhere.iterdir())
    assert ids_in(first / "out") == list(range(1, ROWS + 1))
