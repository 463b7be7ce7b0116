"""A new export into a non-empty folder (issue 17 item 7): a 2-slice export over a 4-slice
one left the two stale slices beside the new manifest (the folder read as more rows than it
said, and ``sha256sum -c`` still passed). Now it is refused unless ``--overwrite``, which
removes exactly what the previous manifest listed and refuses when anything else is there;
the folder then holds what the new manifest says, nothing more. A resume is not a new export.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dte_desktop.core.export.manifest import verify_manifest
from tests.integration.faults_helpers import dte, make_table

pytestmark = pytest.mark.postgres
ROWS = 20_000


def files_in(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def listed(out: Path) -> set[str]:
    m = json.loads((out / "manifest.json").read_text())
    return {f["path"] for f in m["files"]} | {"manifest.json", "SHA256SUMS"}


def rows_in_folder(out: Path) -> int:
    return sum(pq.read_metadata(p).num_rows for p in out.rglob("*.parquet"))


def export(url: str, out: Path, parts: int, *extra: str):  # type: ignore[no-untyped-def]
    return dte(
        "export", url, "public.big", "--out", str(out), "--partitions", str(parts),
        "--layout", "folder", "--no-mask", "--json", *extra,
    )  # fmt: skip


def test_a_non_empty_folder_is_refused_unless_overwrite(pg_url: str, tmp_path: Path) -> None:
    make_table(pg_url, ROWS)
    out = tmp_path / "out"
    first = export(pg_url, out, 4)
    assert first.returncode == 0, first.stderr
    before = files_in(out)
    assert len([f for f in before if f.endswith(".parquet")]) == 4

    again = export(pg_url, out, 2)  # refused: exit 2, clear, nothing touched, no job
    assert again.returncode == 2, (again.stdout, again.stderr)
    assert "is not empty" in again.stderr and "--overwrite" in again.stderr, again.stderr
    assert files_in(out) == before and verify_manifest(out) == []

    replaced = export(pg_url, out, 2, "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert files_in(out) == listed(out)  # what the new manifest says, nothing more
    assert len([f for f in files_in(out) if f.endswith(".parquet")]) == 2
    assert rows_in_folder(out) == ROWS and verify_manifest(out) == []


def test_overwrite_refuses_files_the_manifest_does_not_list(pg_url: str, tmp_path: Path) -> None:
    make_table(pg_url, ROWS)
    out = tmp_path / "out"
    assert export(pg_url, out, 2).returncode == 0
    (out / "notes.txt").write_text("mine")
    (out / "public.big" / "part-00009.parquet").write_bytes(b"stale")
    before = files_in(out)
    r = export(pg_url, out, 2, "--overwrite")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "notes.txt" in r.stderr and "public.big/part-00009.parquet" in r.stderr, r.stderr
    assert "Nothing was removed" in r.stderr
    assert files_in(out) == before


def test_overwrite_without_a_manifest_removes_nothing(pg_url: str, tmp_path: Path) -> None:
    make_table(pg_url, 10)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.docx").write_bytes(b"x")
    r = export(pg_url, out, 1, "--overwrite")
    assert r.returncode == 2 and "report.docx" in r.stderr and "manifest" in r.stderr, r.stderr
    assert files_in(out) == {"report.docx"}


def test_an_empty_or_new_folder_and_a_resume_need_no_overwrite(pg_url: str, tmp_path) -> None:
    make_table(pg_url, ROWS)
    (tmp_path / "empty").mkdir()
    assert export(pg_url, tmp_path / "empty", 2).returncode == 0
    assert export(pg_url, tmp_path / "new" / "deeper", 2).returncode == 0
    # A resume goes on in its own folder: make a job fail after one slice, then resume it.
    import psycopg

    from tests.integration.faults_helpers import dsn

    out = tmp_path / "resumed"
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        conn.execute("CREATE VIEW broken AS SELECT id, h, 1 / (id - 15000) AS x FROM big")
    r = dte(
        "export", pg_url, "public.big", "public.broken", "--out", str(out), "--no-mask",
        "--attempts", "1", "--json",
    )  # fmt: skip
    assert r.returncode == 1, r.stderr
    job_id = json.loads(r.stdout)["job_id"]
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        conn.execute("CREATE OR REPLACE VIEW broken AS SELECT id, h, 1 AS x FROM big")
    resumed = dte("jobs", "resume", str(job_id), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert files_in(out) == listed(out) and verify_manifest(out) == []
