"""Shared pieces of the ``test_faults_*`` family: a table on the shared server, the ``dte``
command as a real process, waiting on the history from outside."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import make_url

from dte_desktop.core.store import Store

DTE = [sys.executable, "-m", "dte_desktop"]


def dsn(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port} user={u.username} dbname={u.database}"


def make_table(url: str, rows: int, name: str = "big") -> None:
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {name} AS SELECT g AS id, md5(g::text) AS h, g * 0.5 AS x "
            f"FROM generate_series(1, {rows}) g"
        )
        conn.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (id)")
        conn.execute(f"ANALYZE {name}")


@contextlib.contextmanager
def table_locked(url: str, table: str) -> Iterator[None]:
    """Hold an exclusive lock on ``table``: a running export waits at its next slice, so a
    test can act while it is surely mid-way (instead of racing a fast machine)."""
    with psycopg.connect(dsn(url)) as conn:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
        conn.rollback()


def dte(*args: str, timeout: float = 300, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DTE, *args], capture_output=True, text=True, timeout=timeout, **kw)


def start(*args: str, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*DTE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw
    )


def wait_for(check: Callable[[Store], Any], timeout: float = 60.0) -> Any:
    """Poll the history (without recovering anything) until ``check`` returns a truthy value."""
    store = Store.open(recover=False)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = check(store)
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError("timed out waiting on the job history")
    finally:
        store.close()


def ids_in(out: Path) -> list[int]:
    files = sorted(out.rglob("*.parquet"))
    return sorted(pa.concat_tables(pq.read_table(f) for f in files).column("id").to_pylist())


def last_json(text: str) -> dict[str, Any]:
    return json.loads(text)
