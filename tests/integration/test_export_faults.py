"""Export under faults, for real: a killed backend, a killed process, a read-only folder,
a full disk, a cancel, a missing table."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import make_url

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import ItemProgress
from dte_desktop.core.store import ItemStatus, JobStatus, Store
from tests.integration.export_helpers import export

pytestmark = pytest.mark.postgres
ROWS = 400_000


def dsn(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port} user={u.username} dbname={u.database}"


@pytest.fixture
def big_pg(pg_url: str) -> str:
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS h, g * 0.5 AS x, "
            f"now() - g * interval '1 minute' AS at FROM generate_series(1, {ROWS}) g"
        )
        conn.execute("CREATE TABLE small AS SELECT g AS id FROM generate_series(1, 1000) g")
        conn.execute("ANALYZE")
    return pg_url


def ids_in(out: Path) -> list[int]:
    files = sorted(out.rglob("*.parquet"))
    return sorted(pa.concat_tables(pq.read_table(f) for f in files).column("id").to_pylist())


def no_part_files(out: Path) -> bool:
    return not list(out.rglob("*.part"))


def test_killed_backend_retries_and_completes(big_pg: str, tmp_path: Path) -> None:
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    killed: list[int] = []

    def on_event(ev: object) -> None:
        # Runs in the worker between batches: terminate the backend serving this COPY.
        if isinstance(ev, ItemProgress) and ev.status == "running" and not killed:
            with psycopg.connect(dsn(big_pg), autocommit=True) as c:
                rows = c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query ILIKE 'COPY%' AND pid <> pg_backend_pid()"
                ).fetchall()
                for (pid,) in rows:
                    c.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    killed.append(pid)

    spec = ExportSpec(
        mask=False,
        connection=big_pg,
        out_dir=str(out),
        tables=("public.big",),
        layout="file",
        batch_rows=5_000,
        max_attempts=3,
    )
    job_id, status = export(spec, on_event=on_event)
    assert killed, "the test never caught the COPY running"
    assert status == JobStatus.COMPLETE
    assert ids_in(out) == list(range(1, ROWS + 1))
    store = Store.open()
    (item,) = store.list_items(job_id)
    assert item.attempts == 2 and item.rows == ROWS and item.status == ItemStatus.DONE
    errors = store.list_errors(job_id)
    assert len(errors) == 1 and errors[0].type == "TransientError"
    assert errors[0].context["retrying"] is True
    store.close()
    assert verify_manifest(out) == []


def _killer(url: str, times: int):  # type: ignore[no-untyped-def]
    """An event sink that terminates the backend serving the COPY, once per attempt, up to
    ``times`` attempts."""
    killed: list[int] = []

    def on_event(ev: object) -> None:
        if isinstance(ev, ItemProgress) and ev.status == "running" and len(killed) < times:
            if killed and killed[-1] == ev.attempt:
                return
            with psycopg.connect(dsn(url), autocommit=True) as c:
                for (pid,) in c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query ILIKE 'COPY%' AND pid <> pg_backend_pid()"
                ).fetchall():
                    c.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(ev.attempt)

    return on_event, killed


def test_a_resume_gets_its_own_retry_budget(big_pg: str, tmp_path: Path) -> None:
    """``attempts`` counts every try in the history, but each run has max_attempts of its
    own: a resume of a slice that used up its tries before still retries a dropped
    connection (it was failed at once: the count went on across runs)."""
    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.jobs.service import resume_export, run

    out = tmp_path / "out"
    spec = ExportSpec(mask=False, connection=big_pg, out_dir=str(out), tables=("public.big",),
                      layout="file", batch_rows=5_000, max_attempts=2)  # fmt: skip
    sink, killed = _killer(big_pg, times=2)
    job_id, status = export(spec, on_event=sink)
    assert len(killed) == 2 and status == JobStatus.FAILED

    sink, killed = _killer(big_pg, times=1)
    ctx = bootstrap(demo=False)
    try:
        status = run(resume_export(ctx, job_id, on_event=sink))
        (item,) = ctx.store.list_items(job_id)
    finally:
        ctx.close()
    assert killed == [3] and status == JobStatus.COMPLETE
    assert item.attempts == 4 and item.rows == ROWS  # the history still counts every try
    assert ids_in(out) == list(range(1, ROWS + 1)) and verify_manifest(out) == []


def test_killed_process_leaves_an_interrupted_job_that_resumes(big_pg, tmp_path) -> None:
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "dte_desktop",
        "export",
        big_pg,
        "public.big",
        "--out",
        str(out),
        "--partitions",
        "8",
        "--workers",
        "1",
        "--batch-rows",
        "2000",
        "--no-mask",  # compared below with a raw export
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = Store.open(recover=False)
    deadline = time.monotonic() + 60
    done: list[str] = []
    while time.monotonic() < deadline and len(done) < 2:
        jobs = store.list_jobs()
        if jobs:
            done = [i.key for i in store.list_items(jobs[0].id) if i.status == ItemStatus.DONE]
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(done) >= 2, "export finished or stalled before it could be killed"
    job_id = store.list_jobs()[0].id
    assert store.get_job(job_id).status == JobStatus.RUNNING  # as the dead process left it
    store.close()

    listed = json.loads(
        subprocess.run(
            [sys.executable, "-m", "dte_desktop", "jobs", "list", "--json"],
            capture_output=True,
            text=True,
        ).stdout
    )
    assert listed[0]["id"] == job_id and listed[0]["status"] == "interrupted"
    resumed = subprocess.run(
        [sys.executable, "-m", "dte_desktop", "jobs", "resume", str(job_id), "--json"],
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "complete"
    assert no_part_files(out) and verify_manifest(out) == []

    clean = tmp_path / "clean"
    spec = ExportSpec(
        mask=False,
        connection=big_pg,
        out_dir=str(clean),
        tables=("public.big",),
        partitions=8,
        workers=1,
    )
    assert export(spec)[1] == JobStatus.COMPLETE
    key = [("id", "ascending")]
    read = lambda d: pa.concat_tables(pq.read_table(f) for f in sorted(d.rglob("*.parquet")))  # noqa: E731
    assert read(out).sort_by(key).equals(read(clean).sort_by(key))
    store = Store.open()
    items = store.list_items(job_id)
    assert sum(i.rows for i in items) == ROWS
    # finished slices were not redone: they kept their first and only attempt
    assert all(i.attempts == 1 for i in items if i.key in done)
    store.close()


@pytest.fixture
def small_mount(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real tiny file system (tmpfs, 1 MiB). Root can mount here; CI runs as root."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True, text=True
    )
    if res.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs here: {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_is_a_clear_error_and_leaves_nothing(big_pg, small_mount: Path) -> None:
    spec = ExportSpec(
        mask=False,
        connection=big_pg,
        out_dir=str(small_mount / "out"),
        tables=("public.big",),
        format="csv",
        layout="file",
        max_attempts=1,
    )
    job_id, status = export(spec)
    assert status == JobStatus.FAILED
    store = Store.open()
    errors = store.list_errors(job_id)
    assert any("the disk is full" in e.message for e in errors), [e.message for e in errors]
    assert all(i.status == ItemStatus.FAILED for i in store.list_items(job_id))
    store.close()
    assert no_part_files(small_mount) and not list(small_mount.rglob("*.csv"))
    assert not (small_mount / "out" / "manifest.json").exists()


def test_read_only_folder_is_a_clear_error(big_pg, small_mount: Path) -> None:
    (small_mount / "out").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dte_desktop",
            "export",
            big_pg,
            "public.small",
            "--out",
            str(small_mount / "out"),
            "--attempts",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "read-only file system" in out.stdout and "resume with" in out.stdout
    assert not list(small_mount.rglob("*"))[1:]  # only the empty "out" folder


def test_cancel_leaves_no_part_files_and_resume_finishes(big_pg, tmp_path: Path) -> None:
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.jobs.service import prepare_export, resume_export, run

    ctx = bootstrap(demo=False)
    holder: dict = {}

    def on_event(ev: object) -> None:
        if isinstance(ev, ItemProgress) and ev.status == "running" and ev.rows > 0:
            holder["job"].cancel()

    spec = ExportSpec(
        mask=False,
        connection=big_pg,
        out_dir=str(out),
        tables=("public.big",),
        partitions=4,
        workers=2,
        batch_rows=2_000,
    )
    job = prepare_export(ctx, spec, on_event=on_event)
    holder["job"] = job
    t0 = time.monotonic()
    assert run(job) == JobStatus.CANCELLED
    assert time.monotonic() - t0 < 30
    assert no_part_files(out)
    statuses = {i.status for i in ctx.store.list_items(job.job_id)}
    assert ItemStatus.CANCELLED in statuses and ItemStatus.RUNNING not in statuses
    again = resume_export(ctx, job.job_id)
    assert run(again) == JobStatus.COMPLETE
    assert ids_in(out) == list(range(1, ROWS + 1))
    ctx.close()


def test_missing_table_is_recorded_and_the_rest_completes(big_pg, tmp_path: Path) -> None:
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    spec = ExportSpec(
        mask=False,
        connection=big_pg,
        out_dir=str(out),
        tables=("public.small", "public.no_such_table"),
        max_attempts=3,
    )
    job_id, status = export(spec)
    assert status == JobStatus.COMPLETE_WITH_ERRORS
    store = Store.open()
    errors = store.list_errors(job_id)
    assert len(errors) == 1 and "no_such_table" in errors[0].message
    assert errors[0].item_key.startswith("public.no_such_table")
    assert "Traceback" in (errors[0].traceback or "")
    store.close()
    m = json.loads((out / "manifest.json").read_text())
    assert [f["table"] for f in m["files"]] == ["public.small"] and m["files"][0]["rows"] == 1000


def test_xlsx_beyond_the_row_limit_is_a_clear_error(big_pg, tmp_path, monkeypatch) -> None:
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    import dte_desktop.core.export.xlsx as xlsx

    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 500)  # the real limit needs 1M rows
    spec = ExportSpec(
        mask=False,
        connection=big_pg,
        out_dir=str(out),
        tables=("public.small",),
        format="xlsx",
        max_attempts=1,
    )
    job_id, status = export(spec)
    assert status == JobStatus.FAILED
    store = Store.open()
    assert "XLSX holds at most 499 data rows" in store.list_errors(job_id)[0].message
    store.close()
    assert no_part_files(out) and not list(out.rglob("*.xlsx"))
