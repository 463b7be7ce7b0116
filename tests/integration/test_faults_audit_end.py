"""An export's final status and its audit record are one transaction (issue 15 item 8): a
process killed at the export's very end never leaves it finished and unaudited."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.filelock import FileLock
from dte_desktop.core.store import ItemStatus, JobStatus, Store
from tests.integration.faults_helpers import dte, ids_in, make_table, start, wait_for

pytestmark = pytest.mark.postgres
ROWS = 5_000


def audited_jobs(store: Store) -> list[int]:
    return [json.loads(r.details)["job_id"] for r in AuditLog(store).records(action="export")]


def test_a_kill_at_the_end_of_an_export_never_leaves_it_unaudited(pg_url, tmp_path) -> None:
    make_table(pg_url, ROWS)
    out = tmp_path / "out"
    # A first export: whatever a first start records (the demo's classifications) is done.
    first = dte("export", pg_url, "public.big", "--out", str(tmp_path / "first"), "--no-mask")
    assert first.returncode == 0, first.stderr
    store = Store.open()
    head = AuditLog(store).head_file
    store.close()
    # The audit's own lock, held here: the export reaches its end and waits on it, and is
    # killed there — where a status written apart from its record would already say done.
    with FileLock(head.with_name(head.name + ".lock"), what="the test"):
        proc = start(
            "export", pg_url, "public.big", "--out", str(out), "--partitions", "2",
            "--no-mask", "--json",
        )  # fmt: skip

        def all_done(store: Store) -> int | None:
            jobs = [j for j in store.list_jobs() if j.config["out_dir"] == str(out)]
            items = store.list_items(jobs[0].id) if jobs else []
            return jobs[0].id if items and all(i.status == ItemStatus.DONE for i in items) else None

        job_id = wait_for(all_done)
        time.sleep(3)  # past the manifest, at the audit record
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    store = Store.open(recover=False)
    job = store.get_job(job_id)
    audited = audited_jobs(store)
    store.close()
    assert job.status == JobStatus.RUNNING, f"{job.status} but audited for {audited}"
    assert job_id not in audited

    store = Store.open()  # a new start finds it interrupted: resumable
    assert store.get_job(job_id).status == JobStatus.INTERRUPTED
    store.close()
    resumed = dte("jobs", "resume", str(job_id), "--json")
    assert resumed.returncode == 0, resumed.stderr
    store = Store.open()
    assert store.get_job(job_id).status == JobStatus.COMPLETE
    assert audited_jobs(store).count(job_id) == 1 and len(audited_jobs(store)) == 2
    store.close()
    assert ids_in(out) == list(range(1, ROWS + 1))
