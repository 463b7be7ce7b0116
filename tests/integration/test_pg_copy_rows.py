"""``pg_read.copy_rows``: the PostgreSQL reader's row loop takes the rows libpq holds already
with one call each and finishes the copy itself (issue 21). It must yield exactly what
psycopg's own ``for row in copy`` yields, raise the server's typed error when a COPY fails
part-way or is cancelled, and leave the connection usable."""

from __future__ import annotations

import hashlib
import threading

import psycopg
import pytest
from psycopg import errors as pgerr

from dte_desktop.core.sources.pg_read import copy_rows
from tests.integration.faults_helpers import dsn

pytestmark = pytest.mark.postgres
ROWS = "SELECT g, md5(g::text), now()::date + g FROM generate_series(1, {n}) g"


def _read(url: str, sql: str, fast: bool, cancel_after: float | None = None) -> tuple[int, str]:
    digest, n = hashlib.sha256(), 0
    with psycopg.connect(dsn(url)) as conn:
        try:
            with conn.cursor() as cur, cur.copy(sql) as copy:
                if cancel_after is not None:
                    threading.Timer(cancel_after, conn.cancel_safe).start()
                for row in copy_rows(copy) if fast else copy:
                    digest.update(row)
                    n += 1
        finally:
            conn.rollback()
            assert conn.execute("SELECT 42").fetchone() == (42,)  # still usable
    return n, digest.hexdigest()


@pytest.mark.parametrize("n", [0, 1, 3, 200_000])
def test_the_same_rows_as_psycopgs_own_loop(pg_url: str, n: int) -> None:
    sql = f"COPY ({ROWS.format(n=n)}) TO STDOUT (FORMAT csv)"
    fast = _read(pg_url, sql, fast=True)
    assert fast == _read(pg_url, sql, fast=False) and fast[0] == n


def test_an_error_part_way_is_the_servers_typed_error(pg_url: str) -> None:
    sql = "COPY (SELECT 1 / (g - 150000) FROM generate_series(1, 300000) g) TO STDOUT"
    with pytest.raises(pgerr.DivisionByZero):
        _read(pg_url, sql, fast=True)


def test_a_cancelled_copy_raises_query_canceled(pg_url: str) -> None:
    sql = "COPY (SELECT g, pg_sleep(0.001) FROM generate_series(1, 100000) g) TO STDOUT"
    with pytest.raises(pgerr.QueryCanceled):
        _read(pg_url, sql, fast=True, cancel_after=0.3)
