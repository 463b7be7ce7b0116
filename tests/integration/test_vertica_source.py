"""VerticaSource. Connection failures run for real everywhere (they need no Vertica server).
The server checks run twice: always against the Vertica test server (``tests/vertica_server``:
Vertica's protocol in front of PostgreSQL), and against a real Vertica only when
``DTE_TEST_VERTICA_URL`` points at one (e.g. ``vertica://dbadmin@host:5433/db``, password in
``DTE_TEST_VERTICA_PASSWORD``); they build the same kind of hostile fixture as the MariaDB
tests in a throwaway schema."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator

import pyarrow as pa
import pytest

from dte_desktop.core.errors import ConnectionFailed, NotFound, PermissionDenied
from dte_desktop.core.sources.base import SelectSpec, TableRef
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.sources.vertica import VerticaSource

VERTICA_URL = os.environ.get("DTE_TEST_VERTICA_URL")
SECRET = "Vertica-Secret-77"


def _fails(url: str, timeout: float = 10.0) -> str:
    src = open_source(url, password=SECRET, connect_timeout=timeout)
    assert isinstance(src, VerticaSource)
    with pytest.raises(ConnectionFailed) as err:
        src.test_connection()
    assert SECRET not in str(err.value)
    return str(err.value)


def test_unknown_host() -> None:
    assert "Unknown host" in _fails("vertica://dbadmin@dte-no-such-host.invalid:5433/db")


def test_refused_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert "refused" in _fails(f"vertica://dbadmin@127.0.0.1:{port}/db")


def test_silent_listener_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        started = time.monotonic()
        msg = _fails(f"vertica://dbadmin@127.0.0.1:{listener.getsockname()[1]}/db", timeout=2)
        assert time.monotonic() - started < 4
    assert "Timed out after 2 s" in msg


# ---- against a real server, only when one is given ------------------------------------------


@pytest.fixture(params=["test_server", "real_server"])
def vsrc(request: pytest.FixtureRequest) -> Iterator[tuple[VerticaSource, str]]:
    if request.param == "real_server":
        if not VERTICA_URL:
            pytest.skip("DTE_TEST_VERTICA_URL is not set: no real Vertica server to test against")
        url, password = VERTICA_URL, os.environ.get("DTE_TEST_VERTICA_PASSWORD", "")
    else:
        url, password = request.getfixturevalue("vertica_server").url(), ""
    src = open_source(url, password=password or None)
    assert isinstance(src, VerticaSource)
    import vertica_python

    schema = f"dte_t_{uuid.uuid4().hex[:8]}"
    conn = vertica_python.connect(
        **{**src.connection_info(), "password": password, "autocommit": True}
    )
    cur = conn.cursor()
    cur.execute(f'CREATE SCHEMA "{schema}"')
    cur.execute(
        f'CREATE TABLE "{schema}"."we""ird T" (id INT PRIMARY KEY, "select" VARCHAR(20), '
        '"bıgınt" INT, amount NUMERIC(12,2), ts TIMESTAMPTZ, d DATE, b BOOLEAN, bin VARBINARY(4))'
    )
    for i in range(1, 501):
        cur.execute(
            f'INSERT INTO "{schema}"."we""ird T" '
            "VALUES (:i, :s, :g, :a, :t, :d, :b, HEX_TO_BINARY('0x00ff'))",
            {
                "i": i,
                "s": f"s{i}%",
                "g": i * 1_000_000_000,
                "a": f"{i}.25",
                "t": "2024-01-01 00:00:00+00",
                "d": "2024-01-02",
                "b": i % 2 == 0,
            },
        )
    cur.execute(f'CREATE TABLE "{schema}"."empty" (id INT)')
    cur.execute(f'CREATE VIEW "{schema}"."v" AS SELECT id FROM "{schema}"."we""ird T"')
    cur.execute("COMMIT")
    try:
        yield src, schema
    finally:
        cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.close()


def test_discovery_and_reads(vsrc: tuple[VerticaSource, str]) -> None:
    src, schema = vsrc
    assert "Vertica" in src.test_connection()
    assert schema in src.list_schemas()
    assert not [s for s in src.list_schemas() if s.startswith("v_")]
    kinds = {t.ref.name: t.kind for t in src.list_tables(schema)}
    assert kinds == {'we"ird T': "table", "empty": "table", "v": "view"}
    ref = TableRef(schema, 'we"ird T')
    cols = {c.name: c for c in src.describe(ref)}
    assert cols["id"].primary_key and cols["amount"].arrow_type == pa.decimal128(12, 2)
    batches = list(src.read_batches(SelectSpec(table=ref), batch_rows=64))
    assert all(b.num_rows <= 64 for b in batches)
    table = pa.Table.from_batches(batches)
    assert table.num_rows == 500 == src.count_rows(SelectSpec(table=ref))
    assert src.count_rows(SelectSpec(table=ref, where="\"select\" LIKE 's1%'")) == 111
    parts = src.partition(ref, 4)
    assert len(parts) == 4
    ids = [
        i
        for p in parts
        for i in pa.Table.from_batches(
            list(src.read_batches(SelectSpec(table=ref, partition=p, columns=("id",))))
        )
        .column("id")
        .to_pylist()
    ]
    assert sorted(ids) == list(range(1, 501))
    empty = list(src.read_batches(SelectSpec(table=TableRef(schema, "empty"))))
    assert empty[0].num_rows == 0
    with pytest.raises(NotFound):
        src.describe(TableRef(schema, "missing"))
    with pytest.raises(PermissionDenied):
        list(src.read_batches(SelectSpec(query=f'DELETE FROM "{schema}"."empty"')))
