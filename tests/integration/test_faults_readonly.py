"""Read-only means read-only on every engine, also for what a READ ONLY transaction does not
stop: MariaDB's SELECT … INTO OUTFILE/DUMPFILE, SQLite's ATTACH (which creates a file) and
VACUUM INTO, PostgreSQL functions that write server files or act on other sessions. Each is
refused before it runs, on real servers, and the file it would have written never appears.
Queries that merely *mention* such words (in strings, identifiers, comments) still run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from dte_desktop.core.errors import DteError, PermissionDenied
from dte_desktop.core.sources.base import SelectSpec, TableRef
from dte_desktop.core.sources.registry import open_source


def read(url: str, **spec: object) -> list[dict]:
    source = open_source(url)
    try:
        return [r for b in source.read_batches(SelectSpec(**spec)) for r in b.to_pylist()]
    finally:
        source.close()


def server_file() -> Path:
    """Somewhere both this process and the database server can see (they share /tmp)."""
    return Path("/tmp") / f"dte_ro_{uuid.uuid4().hex[:12]}"


# --- MariaDB ------------------------------------------------------------------------------


@pytest.fixture
def maria(mysql_url: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(mysql_url.replace("mysql://", "mysql+pymysql://"))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INT PRIMARY KEY, s VARCHAR(20))")
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    engine.dispose()
    return mysql_url


MARIA_WRITES = [
    "SELECT x FROM t INTO OUTFILE '{f}'",
    "SELECT x FROM t INTO DUMPFILE '{f}'",
    "SELECT x FROM t /*!50000 INTO OUTFILE '{f}' */",  # executable comment: the server runs it
    "SELECT x FROM t /*M! INTO OUTFILE '{f}' */",
    "WITH c AS (SELECT x FROM t) SELECT x FROM c INTO OUTFILE '{f}'",
    "select x from t into   outfile '{f}'",
    "SELECT x INTO @dte_v FROM t LIMIT 1",
]


@pytest.mark.parametrize("sql", MARIA_WRITES)
def test_mariadb_select_into_is_refused_before_it_runs(maria: str, sql: str) -> None:
    target = server_file()
    with pytest.raises(PermissionDenied, match="read-only"):
        read(maria, query=sql.format(f=target))
    assert not target.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "SET GLOBAL max_connections = 151",
        "LOAD DATA INFILE '/etc/hostname' INTO TABLE t",
        "CREATE TABLE made_by_a_query (x INT)",
        "DO SLEEP(0)",
        "CALL nothing()",
        "HANDLER t OPEN",
    ],
)
def test_mariadb_statements_that_are_not_queries_never_run(maria: str, sql: str) -> None:
    with pytest.raises(PermissionDenied, match="Only a query can be read"):
        read(maria, query=sql)
    names = [
        r["n"]
        for r in read(
            maria,
            query="SELECT table_name AS n FROM "
            "information_schema.tables WHERE table_schema = DATABASE()",
        )
    ]
    assert names == ["t"]


def test_mariadb_filter_cannot_write_a_file(maria: str) -> None:
    target = server_file()
    with pytest.raises(DteError):
        read(maria, table=TableRef(None, "t"), where=f"1=1) INTO OUTFILE '{target}' -- ")
    assert not target.exists()


def test_mariadb_queries_that_mention_into_still_run(maria: str) -> None:
    rows = read(
        maria,
        query="SELECT 'into outfile' AS s, x AS `into`, \"INTO\" AS d "
        "FROM t -- into outfile\n# into\nORDER BY x",
    )
    assert rows == [
        {"s": "into outfile", "into": 1, "d": "INTO"},
        {"s": "into outfile", "into": 2, "d": "INTO"},
    ]


def test_mariadb_export_through_the_cli_fails_clearly(maria: str, tmp_path: Path) -> None:
    target = server_file()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "dte_desktop",
            "export",
            maria,
            "--no-mask",
            "--query",
            f"SELECT x FROM t INTO OUTFILE '{target}'",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert r.returncode != 0 and "read-only" in (r.stdout + r.stderr), (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and not target.exists()


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture
def lite(tmp_path: Path) -> str:
    db = tmp_path / "src.sqlite"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE t (x INTEGER PRIMARY KEY, s TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');"
    )
    con.close()
    return f"sqlite:///{db}"


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{f}' AS other",
        "VACUUM INTO '{f}'",
        "  /* c */ attach '{f}' as x",
    ],
)
def test_sqlite_attach_and_vacuum_into_are_refused(lite: str, sql: str) -> None:
    target = server_file()
    with pytest.raises(PermissionDenied, match="Only a query can be read"):
        read(lite, query=sql.format(f=target))
    assert not target.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{f}' AS other",
        "VACUUM INTO '{f}'",
        "PRAGMA journal_mode = DELETE",
        "SELECT load_extension('{f}')",
    ],
)
def test_sqlite_connections_refuse_everything_but_reading(lite: str, sql: str) -> None:
    """Below the query check: the connection's own authorizer, whatever SQL reaches it."""
    target = server_file()
    source = open_source(lite)
    try:
        with (
            source._connect() as conn,
            pytest.raises(Exception, match=r"not authorized|authorization denied"),
        ):
            conn.exec_driver_sql(sql.format(f=target))
        with source._connect() as conn:  # reading and introspection still work
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2
            assert conn.exec_driver_sql("PRAGMA table_info(t)").all()
    finally:
        source.close()
    assert not target.exists()


def test_sqlite_reads_catalog_and_queries_still_work(lite: str) -> None:
    rows = read(lite, query="WITH c AS (SELECT x FROM t) SELECT x, 'attach' AS [vacuum] FROM c")
    assert rows == [{"x": 1, "vacuum": "attach"}, {"x": 2, "vacuum": "attach"}]
    source = open_source(lite)
    try:
        assert [t.ref.name for t in source.list_tables(None)] == ["t"]
        assert [c.name for c in source.describe(TableRef(None, "t"))] == ["x", "s"]
    finally:
        source.close()


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture
def pg(pg_url: str) -> str:
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql://", "postgresql://", 1)) as conn:
        conn.execute("CREATE TABLE t (x int PRIMARY KEY, s text)")
        conn.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        conn.execute("SELECT lo_create(4242)")
    return pg_url


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT lo_export(4242, '{f}')",
        "SELECT \"lo_export\"(4242, '{f}')",
        "SELECT pg_catalog.lo_export(4242, '{f}') FROM t",
        "WITH w AS (SELECT lo_export(4242, '{f}')) SELECT * FROM w",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE false",
        "SELECT pg_reload_conf()",
    ],
)
def test_postgres_functions_acting_outside_the_database_are_refused(pg: str, sql: str) -> None:
    target = server_file()
    with pytest.raises(PermissionDenied, match="read-only"):
        read(pg, query=sql.format(f=target))
    assert not target.exists()


def test_postgres_filter_cannot_call_them_either(pg: str) -> None:
    target = server_file()
    with pytest.raises(PermissionDenied, match="read-only"):
        read(pg, table=TableRef("public", "t"), where=f"lo_export(4242, '{target}') = 1")
    assert not target.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
        "SELECT nextval('t_seq_that_is_not_there')",
    ],
)
def test_postgres_writes_inside_the_database_fail(pg: str, sql: str) -> None:
    with pytest.raises(DteError):
        read(pg, query=sql)
    assert len(read(pg, query="SELECT * FROM t")) == 2


@pytest.mark.parametrize("sql", ["COPY t TO '{f}'", "DO $$ BEGIN END $$", "VACUUM t"])
def test_postgres_statements_that_are_not_queries_never_run(pg: str, sql: str) -> None:
    target = server_file()
    with pytest.raises(PermissionDenied, match="Only a query can be read"):
        read(pg, query=sql.format(f=target))
    assert not target.exists()


def test_postgres_queries_that_mention_them_still_run(pg: str) -> None:
    rows = read(
        pg,
        query="SELECT 'lo_export(1, ''/x'')' AS s, $$pg_reload_conf()$$ AS d, "
        'x AS "into" FROM t /* lo_export( */ ORDER BY x',
    )
    assert [r["into"] for r in rows] == [1, 2] and rows[0]["d"] == "pg_reload_conf()"
