"""``--where`` stays inside its group on every engine (issue 15 item 6): the issue's
``1=1) OR (true`` with ``--partitions 2`` exported every row twice and said ``complete``."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.integration.faults_helpers import dsn, dte

ROWS = 1000
ESCAPE = "1=1) OR (true"


def _pg(url: str) -> str:
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE t AS SELECT g AS id, g::text AS h FROM generate_series(1, {ROWS}) g"
        )
        conn.execute("ALTER TABLE t ADD PRIMARY KEY (id)")
        conn.execute("ANALYZE t")
    return url


def _mysql(url: str) -> str:
    import pymysql
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = pymysql.connect(host=u.host, port=u.port, user="root", password="", database=u.database)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id INT PRIMARY KEY, h VARCHAR(20))")
        cur.executemany("INSERT INTO t VALUES (%s, %s)", [(i, str(i)) for i in range(1, ROWS + 1)])
    conn.commit()
    conn.close()
    return url


def _sqlite(tmp_path: Path) -> str:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, h TEXT)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, str(i)) for i in range(1, ROWS + 1)])
    return f"sqlite:///{path}"


@pytest.fixture(params=["postgresql", "mariadb", "sqlite"])
def source(request, tmp_path: Path) -> tuple[str, str]:
    if request.param == "postgresql":
        return _pg(request.getfixturevalue("pg_url")), "public.t"
    if request.param == "mariadb":
        url = _mysql(request.getfixturevalue("mysql_url"))
        return url, f"{url.rsplit('/', 1)[1]}.t"
    return _sqlite(tmp_path), "t"


def _export(url: str, table: str, out: Path, where: str) -> tuple[int, str, str]:
    res = dte(
        "export", url, table, "--out", str(out), "--partitions", "2", "--where", where,
        "--no-mask", "--json",
    )  # fmt: skip
    return res.returncode, res.stdout, res.stderr


def test_a_filter_that_closes_its_group_is_refused(source, tmp_path: Path) -> None:
    url, table = source
    out = tmp_path / "out"
    code, stdout, stderr = _export(url, table, out, ESCAPE)
    assert code == 2, stdout + stderr
    assert "must be one boolean expression" in stderr and "did not open" in stderr
    assert not out.exists() or not any(out.rglob("*.parquet"))


def test_a_filter_with_parentheses_in_text_reads_each_row_once(source, tmp_path: Path) -> None:
    url, table = source
    out = tmp_path / "out"
    code, stdout, stderr = _export(url, table, out, "(id <= 10 OR h = ')') AND h <> '('")
    assert code == 0, stdout + stderr
    assert json.loads(stdout)["status"] == "complete"
    files = sorted(out.rglob("*.parquet"))
    ids = pa.concat_tables(pq.read_table(f) for f in files).column("id").to_pylist()
    assert Counter(ids) == Counter(range(1, 11))
