"""Resume after the table changed (issue 15 items 2 and 12): a PostgreSQL export killed after
2 of 4 ``ctid`` slices, rows deleted, the table vacuumed and rows updated so their new
versions move into the freed pages of finished slices — the resume must equal the table as
it is now (the same multiset of rows), say so in the manifest, and keep its type notes."""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.store import ItemStatus, Store
from tests.integration.faults_helpers import dsn, dte, make_table, start, wait_for

pytestmark = pytest.mark.postgres
ROWS = 200_000
SLOW = ["--partitions", "4", "--workers", "1", "--batch-rows", "2000", "--json", "--no-mask"]


@pytest.fixture
def table_pg(pg_url: str) -> str:
    make_table(pg_url, ROWS)
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        conn.execute("ALTER TABLE big ADD COLUMN d date")
        conn.execute("UPDATE big SET d = date '2020-01-01' + (id % 1000)")
        conn.execute("VACUUM FULL ANALYZE big")  # packed pages, as a fresh table has
    return pg_url


def rows_in(out: Path) -> Counter[tuple]:
    files = sorted(out.rglob("*.parquet"))
    table = pa.concat_tables(pq.read_table(f) for f in files)
    cols = (table.column(c).to_pylist() for c in ("id", "h", "x"))
    return Counter((i, h, float(x)) for i, h, x in zip(*cols, strict=True))


def rows_now(url: str) -> Counter[tuple]:
    with psycopg.connect(dsn(url)) as conn:
        return Counter((i, h, float(x)) for i, h, x in conn.execute("SELECT id, h, x FROM big"))


def _kill_after_two_slices(url: str, out: Path) -> int:
    proc = start("export", url, "public.big", "--out", str(out), *SLOW)

    def two_done(store: Store) -> int | None:
        jobs = [j for j in store.list_jobs() if str(out) in str(j.config.get("out_dir"))]
        if not jobs:
            return None
        done = [i for i in store.list_items(jobs[0].id) if i.status == ItemStatus.DONE]
        return jobs[0].id if len(done) >= 2 else None

    job_id = wait_for(two_done)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = Store.open(recover=False)
    done = [i.key for i in store.list_items(job_id) if i.status == ItemStatus.DONE]
    store.close()
    assert len(done) < 4, "the export finished before it could be killed"
    return job_id


def test_resume_after_rows_moved_between_pages_equals_the_table_now(table_pg, tmp_path) -> None:
    out = tmp_path / "out"
    job_id = _kill_after_two_slices(table_pg, out)
    with psycopg.connect(dsn(table_pg), autocommit=True) as conn:
        conn.execute("DELETE FROM big WHERE id <= 30000")  # frees the first slice's pages
        conn.execute("VACUUM big")
        # New versions of late rows land in the freed early pages (a finished slice)…
        conn.execute("UPDATE big SET h = 'moved ' || h WHERE id > 170000")
        # …and rows of the second finished slice change in place.
        conn.execute("UPDATE big SET x = -x WHERE id BETWEEN 60000 AND 61000")
        conn.execute("INSERT INTO big (id, h, x) SELECT g, 'new', 0 FROM generate_series(1, 500) g")
    expected = rows_now(table_pg)

    resumed = dte("jobs", "resume", str(job_id), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "complete"
    got = rows_in(out)
    assert sum(got.values()) == sum(expected.values())
    assert got == expected  # no row lost, none doubled, none from before the change
    assert verify_manifest(out) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resume"]["redone_slices"], manifest["resume"]
    assert manifest["snapshot"].startswith("resumed: ")
    assert "one point in time" in manifest["snapshot"] or not manifest["resume"]["kept_slices"]


def test_resume_of_an_unchanged_table_keeps_its_slices_and_notes(table_pg, tmp_path) -> None:
    clean = tmp_path / "clean"
    assert dte("export", table_pg, "public.big", "--out", str(clean), *SLOW).returncode == 0
    out = tmp_path / "out"
    job_id = _kill_after_two_slices(table_pg, out)
    store = Store.open(recover=False)
    done = {i.key for i in store.list_items(job_id) if i.status == ItemStatus.DONE}
    store.close()

    resumed = dte("jobs", "resume", str(job_id), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert rows_in(out) == rows_now(table_pg)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["resume"]["kept_slices"]) == done
    assert manifest["resume"]["redone_slices"] == []
    assert manifest["resume"]["kept_proven_unchanged"] is True
    assert "one point in time" in manifest["snapshot"]
    first = json.loads((clean / "manifest.json").read_text())["tables"]["public.big"]
    table = manifest["tables"]["public.big"]
    assert table.get("type_notes") and table["type_notes"] == first.get("type_notes")
    assert table["schema"] == first["schema"]
    store = Store.open()
    items = {i.key: i for i in store.list_items(job_id)}
    store.close()
    assert all(items[k].attempts == 1 for k in done)  # kept, not read again
