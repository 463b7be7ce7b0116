"""A full disk at the end of an export (issue 15 item 10), on real small file systems (tmpfs,
mounted by the test; CI runs as root). Before: raw tracebacks, the history left ``running``
with no error recorded, an empty ``manifest.json.part`` and ``audit_head…tmp`` left behind.

- the export folder fills up as the manifest is written: the job ends ``failed`` with the
  reason stored, no manifest (nor part of one) is left, and a resume writes it;
- the data folder (``DTE_HOME``: the history, the audit head, the logs) fills up as the job
  ends: a plain message says the history cannot be written and what that leaves; nothing
  half-written is left; the job is found interrupted at the next start and resumes;
- the audit head file cannot be written: its temporary file is removed."""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dte_desktop.core.app import bootstrap
from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import HistoryUnwritable
from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import ItemProgress
from dte_desktop.core.jobs.service import resume_export, run
from dte_desktop.core.store import JobStatus, Store
from tests.integration.export_helpers import export
from tests.integration.faults_helpers import ids_in, make_table

pytestmark = pytest.mark.postgres
ROWS = 5_000


@contextlib.contextmanager
def tmpfs(mnt: Path, size: str) -> Iterator[Path]:
    mnt.mkdir(parents=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)],
                         capture_output=True, text=True)  # fmt: skip
    if res.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs here: {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(mnt: Path) -> Path:
    """Write one file until the file system is full; return it (unlink it to make room)."""
    filler = mnt / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def fill_at_last_slice(mnt: Path, slices: int):  # type: ignore[no-untyped-def]
    done: list[str] = []
    filler: list[Path] = []

    def on_event(ev: object) -> None:
        if isinstance(ev, ItemProgress) and ev.status == "done":
            done.append(ev.key)
            if len(done) == slices:
                filler.append(fill(mnt))

    return on_event, filler


def half_written(*folders: Path) -> list[Path]:
    return [p for f in folders for p in f.rglob("*") if p.name.endswith((".part", ".tmp"))]


def spec_for(url: str, out: Path) -> ExportSpec:
    return ExportSpec(mask=False, connection=url, out_dir=str(out), tables=("public.big",),
                      partitions=2, workers=1)  # fmt: skip


def test_a_full_disk_at_the_manifest_fails_the_job_and_leaves_nothing(pg_url, tmp_path) -> None:
    make_table(pg_url, ROWS)
    with tmpfs(tmp_path / "mnt", "1m") as mnt:
        out = mnt / "out"
        on_event, filler = fill_at_last_slice(mnt, 2)
        job_id, status = export(spec_for(pg_url, out), on_event=on_event)
        assert filler and status == JobStatus.FAILED
        store = Store.open()
        job, errors = store.get_job(job_id), [e.message for e in store.list_errors(job_id)]
        store.close()
        why = f"Cannot write {out / 'manifest.json'}: the disk is full."
        assert job.status == JobStatus.FAILED and why in errors and why in job.summary["error"]
        assert not (out / "manifest.json").exists() and not (out / "SHA256SUMS").exists()
        assert half_written(mnt) == []

        filler[0].unlink()  # room again: the resume writes the manifest
        ctx = bootstrap(demo=False)
        try:
            assert run(resume_export(ctx, job_id)) == JobStatus.COMPLETE
        finally:
            ctx.close()
        assert verify_manifest(out) == [] and ids_in(out) == list(range(1, ROWS + 1))


def test_a_full_data_folder_says_the_history_cannot_be_written(
    pg_url, tmp_path, monkeypatch, capfd
) -> None:
    make_table(pg_url, ROWS)
    out = tmp_path / "out"
    with tmpfs(tmp_path / "mnt", "16m") as mnt:
        home = mnt / "home"
        monkeypatch.setenv("DTE_HOME", str(home))
        on_event, filler = fill_at_last_slice(mnt, 2)
        with pytest.raises(HistoryUnwritable) as err:
            export(spec_for(pg_url, out), on_event=on_event)
        assert filler
        message = str(err.value)
        assert f"The history {home / 'history.sqlite'} cannot be written: the disk is full" in (
            message
        )
        assert "found interrupted at the next start" in message
        assert "Traceback" not in capfd.readouterr().err
        assert half_written(mnt, out) == []

        filler[0].unlink()
        store = Store.open()  # the next start
        (job,) = store.list_jobs()
        assert job.status == JobStatus.INTERRUPTED
        store.close()
        ctx = bootstrap(demo=False)
        try:
            assert run(resume_export(ctx, job.id)) == JobStatus.COMPLETE
            assert AuditLog(ctx.store).verify().ok
        finally:
            ctx.close()
        assert verify_manifest(out) == [] and ids_in(out) == list(range(1, ROWS + 1))


def test_an_audit_head_that_cannot_be_written_leaves_no_temporary_file(
    tmp_path, monkeypatch
) -> None:
    with tmpfs(tmp_path / "mnt", "8m") as mnt:
        monkeypatch.setenv("DTE_HOME", str(mnt / "home"))
        ctx = bootstrap(demo=False)
        try:
            audit = AuditLog(ctx.store)
            audit.record("export", object="a")
            filler = fill(mnt)
            with contextlib.suppress(HistoryUnwritable):  # the history may fill first
                audit._write_head({"last_id": 1, "last_hash": "x"})
            assert half_written(mnt) == []
            filler.unlink()
            assert audit.verify().ok
        finally:
            ctx.close()
