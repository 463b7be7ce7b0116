"""The Vertica source's failure cases against the Vertica test server: a wrong password for
each password method, a server that accepts and never answers, a connection dropped in the
middle of an export (retried, then complete), a missing table."""

from __future__ import annotations

import json
import time
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dte_desktop.core.errors import AuthenticationFailed, ConnectionFailed, NotFound
from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.store import JobStatus, Store
from tests.integration.export_helpers import export
from tests.vertica_server import VerticaTestServer
from tests.vertica_server.fixture import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.filterwarnings("ignore:TLS is not configured")]


@pytest.mark.parametrize("user", ["pw_user", "md5_user", "sha_user"])
def test_wrong_password_is_authentication_failed(vertica_server: VerticaTestServer, user) -> None:
    good = open_source(vertica_server.url(user), password=PASSWORD)
    assert "Vertica" in good.test_connection()
    bad = open_source(vertica_server.url(user), password="not-" + PASSWORD)
    with pytest.raises(AuthenticationFailed) as err:
        bad.test_connection()
    assert "wrong user name or password" in str(err.value)
    assert PASSWORD not in str(err.value)


def test_server_that_never_answers_times_out(vertica_server: VerticaTestServer) -> None:
    vertica_server.faults.hang_startup = True
    src = open_source(vertica_server.url(), connect_timeout=2)
    started = time.monotonic()
    with pytest.raises(ConnectionFailed) as err:
        src.test_connection()
    assert time.monotonic() - started < 6
    assert "Timed out after 2 s" in str(err.value)


def test_missing_table_is_not_found(vertica_server: VerticaTestServer) -> None:
    with pytest.raises(NotFound):
        open_source(vertica_server.url()).describe(TableRef("public", "no_such_table"))


def test_dropped_connection_mid_export_is_retried(
    vertica_server: VerticaTestServer, tmp_path: Path
) -> None:
    with psycopg.connect(vertica_server.pg_dsn, autocommit=True) as c:
        c.execute(
            "CREATE TABLE big AS SELECT g::int8 AS id, md5(g::text) AS h "
            "FROM generate_series(1, 20000) g"
        )
        c.execute("ALTER TABLE big ADD PRIMARY KEY (id)")
    vertica_server.faults.drop_after_rows = 7_000  # the first read of more rows is cut here
    spec = ExportSpec(
        mask=False,
        connection=vertica_server.url(),
        out_dir=str(tmp_path / "out"),
        tables=("public.big",),
        layout="file",
        batch_rows=2_000,
        max_attempts=3,
    )
    job_id, status = export(spec)
    assert status == JobStatus.COMPLETE
    assert vertica_server.faults.drop_after_rows is None  # the fault did fire
    store = Store.open()
    try:
        (item,) = store.list_items(job_id)
    finally:
        store.close()
    assert item.attempts == 2
    out = tmp_path / "out"
    files = sorted(out.rglob("*.parquet"))
    ids = pa.concat_tables(pq.read_table(f) for f in files).column("id").to_pylist()
    assert sorted(ids) == list(range(1, 20001))  # nothing lost, nothing twice
    assert not list(out.rglob("*.part")) and verify_manifest(out) == []
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
