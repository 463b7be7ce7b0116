"""MySQLSource against the real MariaDB server: discovery, types, streaming, partitions,
read-only filters and connection failures. No mocks."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import socket
import time
import uuid
from collections.abc import Iterator

import pyarrow as pa
import pymysql
import pytest

from dte_desktop.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
)
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.core.sources.mysql import MySQLSource
from dte_desktop.core.sources.registry import open_source
from tests.integration import nasty_mysql as nasty

pytestmark = pytest.mark.mariadb


@pytest.fixture
def db(mysql_url: str) -> str:
    name = mysql_url.rsplit("/", 1)[1]
    nasty.build(name)
    return name


@pytest.fixture
def src(mysql_url: str, db: str) -> Iterator[MySQLSource]:
    source = open_source(mysql_url)
    assert isinstance(source, MySQLSource)
    yield source
    source.close()


def read_table(source: Source, select: SelectSpec, batch_rows: int = 50_000) -> pa.Table:
    batches = list(source.read_batches(select, batch_rows=batch_rows))
    assert all(b.num_rows <= batch_rows for b in batches)
    return pa.Table.from_batches(batches)


def server_rows(db: str, sql: str) -> list[tuple]:
    conn = nasty.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute("SET time_zone = '+00:00'")
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()


def test_registry_uses_pymysql_and_protocol(src: MySQLSource) -> None:
    assert src.url.drivername == "mysql+pymysql"
    assert isinstance(src, Source)
    assert "MariaDB" in src.test_connection()


def test_discovery(src: MySQLSource, db: str) -> None:
    schemas = src.list_schemas()
    assert db in schemas
    assert not {"information_schema", "mysql", "performance_schema", "sys"} & set(schemas)
    assert "information_schema" in src.list_schemas(include_system=True)

    tables = {t.ref.name: t for t in src.list_tables(db)}
    assert set(tables) == {
        nasty.NASTY_TABLE,
        "my view",
        "all_types",
        "parted",
        "empty t",
        "no_pk",
        "events",
        "wide",
        "big_text",
    }
    assert tables["parted"].kind == "partitioned_table"
    assert tables["my view"].kind == "view" and tables["my view"].estimated_rows is None
    assert tables["all_types"].kind == "table"
    assert tables["parted"].estimated_rows is not None and tables["parted"].size_bytes
    assert all(t.ref.schema == db for t in tables.values())
    assert src.list_tables(None) == list(tables.values())  # the URL's database


def test_describe_types(src: MySQLSource, db: str) -> None:
    cols = {c.name: c for c in src.describe(TableRef(db, "all_types"))}
    expect = {
        "ti": pa.int8(),
        "tb": pa.int8(),
        "tu": pa.uint8(),
        "si": pa.int16(),
        "su": pa.uint16(),
        "mi": pa.int32(),
        "mu": pa.uint32(),
        "i": pa.int32(),
        "iu": pa.uint32(),
        "bi": pa.int64(),
        "bu": pa.uint64(),
        "dc": pa.decimal128(12, 2),
        "bigdec": pa.decimal256(65, 30),
        "f": pa.float32(),
        "dbl": pa.float64(),
        "bt": pa.uint64(),
        "yr": pa.int16(),
        "d": pa.date32(),
        "dt": pa.timestamp("us"),
        "ts": pa.timestamp("us", tz="UTC"),
        "tm": pa.duration("us"),
        "ch": pa.string(),
        "vc": pa.string(),
        "tx": pa.string(),
        "lt": pa.string(),
        "en": pa.string(),
        "st": pa.string(),
        "js": pa.string(),
        "bn": pa.binary(),
        "vb": pa.binary(),
        "bl": pa.binary(),
        "geo": pa.binary(),
        "pt": pa.binary(),
        "uu": pa.string(),
        "i6": pa.string(),
    }
    assert {n: c.arrow_type for n, c in cols.items() if n != "id"} == expect
    assert cols["id"].primary_key and not cols["id"].nullable
    assert cols["vc"].nullable and not cols["vc"].primary_key
    assert cols["js"].db_type == "json" and "JSON" in cols["js"].type_note
    assert "0000-00-00" in cols["d"].type_note and "null" in cols["d"].type_note
    assert "duration" in cols["tm"].type_note
    assert "WKB" in cols["geo"].type_note
    assert cols["bu"].db_type.startswith("bigint") and "unsigned" in cols["bu"].db_type
    with pytest.raises(NotFound):
        src.describe(TableRef(db, "nope"))


def _server_expr(name: str, ddl: str) -> str:
    col = nasty.bt(name)
    if ddl.startswith("bit"):
        return f"CAST({col} AS UNSIGNED)"
    if ddl.startswith(("binary", "varbinary", "blob")):
        return f"HEX({col})"
    if ddl in ("geometry", "point"):
        return f"HEX(ST_AsBinary({col}))"
    return f"CAST({col} AS CHAR)"


def _render(value: object) -> str | None:
    """Our value in the server's CAST(... AS CHAR) spelling."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.hex().upper()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        sign = "-" if value < dt.timedelta(0) else ""
        us = abs(value) // dt.timedelta(microseconds=1)
        secs, frac = divmod(us, 1_000_000)
        return f"{sign}{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}.{frac:06d}"
    return str(value)


def test_every_type_matches_the_server(src: MySQLSource, db: str) -> None:
    table = read_table(src, SelectSpec(table=TableRef(db, "all_types")), batch_rows=2)
    assert table.num_rows == 3
    exprs = ", ".join(_server_expr(n, t) for n, t in nasty.TYPE_COLUMNS)
    expected = server_rows(db, f"SELECT {exprs} FROM all_types ORDER BY id")
    got = table.sort_by("id").to_pylist()
    for row_ours, row_server in zip(got, expected, strict=True):
        for (name, ddl), theirs in zip(nasty.TYPE_COLUMNS, row_server, strict=True):
            ours = row_ours[name]
            theirs = None if theirs is None else str(theirs)
            where = f"column {name} ({ddl}), id {row_ours['id']}"
            if theirs is not None and theirs.startswith("0000-00-00"):
                assert ours is None, where  # the documented zero-date decision
            elif ddl in ("float", "double"):
                assert (ours is None) == (theirs is None), where
                if ours is not None:
                    assert ours == pytest.approx(float(theirs), rel=1e-6), where
            else:
                assert _render(ours) == theirs, where
    assert got[0]["bu"] == 2**64 - 1 and got[0]["tm"] == dt.timedelta(
        hours=838, minutes=59, seconds=59
    )
    assert got[1]["tm"] < dt.timedelta(0)


def test_nasty_identifiers_and_values(src: MySQLSource, db: str) -> None:
    ref = TableRef(db, nasty.NASTY_TABLE)
    assert [c.name for c in src.describe(ref)] == nasty.NASTY_COLUMNS
    table = read_table(src, SelectSpec(table=ref))
    assert table.column_names == nasty.NASTY_COLUMNS
    assert sorted(tuple(r.values()) for r in table.to_pylist()) == sorted(nasty.NASTY_ROWS)

    some = read_table(src, SelectSpec(table=ref, columns=("bıgınt", "select", "50%")))
    assert some.column_names == ["bıgınt", "select", "50%"]
    # A raw filter with quotes, colons and percent signs reaches the server untouched.
    flt = read_table(
        src,
        SelectSpec(table=ref, where="`na:me` LIKE '%:%' AND `50%` <> 50 OR `it's` = 'o''clock'"),
    )
    assert sorted(flt.column("id").to_pylist()) == [1, 2, 3]
    flt = read_table(src, SelectSpec(table=ref, where="`na:me` = '12:30' -- trailing comment"))
    assert flt.column("id").to_pylist() == [1]
    assert src.count_rows(SelectSpec(table=ref, where="`select` IS NULL")) == 1

    view = read_table(src, SelectSpec(table=TableRef(db, "my view")))
    assert sorted(view.column("id").to_pylist()) == [2, 3]
    with pytest.raises(NotFound):
        list(src.read_batches(SelectSpec(table=ref, columns=("missing",))))


def test_query_and_limit(src: MySQLSource, db: str) -> None:
    q = "SELECT id, payload, id DIV 2 AS half, '50%' AS pct FROM events WHERE payload LIKE 'p%';"
    table = read_table(src, SelectSpec(query=q), batch_rows=100)
    assert table.num_rows == len(nasty.EVENT_IDS)
    assert table.schema.field("id").type == pa.uint64()
    assert set(table.column("pct").to_pylist()) == {"50%"}
    assert src.count_rows(SelectSpec(query=q)) == len(nasty.EVENT_IDS)
    # Stopping early must not drain the stream, and the source stays usable.
    limited = read_table(src, SelectSpec(query="SELECT * FROM events", limit=7), batch_rows=5)
    assert limited.num_rows == 7
    assert src.count_rows(SelectSpec(query="SELECT * FROM events", limit=7)) == 7
    assert read_table(src, SelectSpec(table=TableRef(db, "events"), limit=3)).num_rows == 3
    gen = src.read_batches(SelectSpec(table=TableRef(db, "parted")), batch_rows=10)
    next(gen)
    gen.close()
    assert src.count_rows(SelectSpec(table=TableRef(db, "parted"))) == 1000


def test_empty_wide_and_big(src: MySQLSource, db: str) -> None:
    empty = list(src.read_batches(SelectSpec(table=TableRef(db, "empty t"))))
    assert len(empty) == 1 and empty[0].num_rows == 0
    assert empty[0].schema.names == ["id", "Value"]
    assert src.count_rows(SelectSpec(table=TableRef(db, "empty t"))) == 0

    wide_cols = src.describe(TableRef(db, "wide"))
    assert len(wide_cols) == nasty.WIDE_COLUMNS + 1
    wide = read_table(src, SelectSpec(table=TableRef(db, "wide"))).to_pylist()[0]
    assert wide["c0999"] == 999 % 100 and wide["c0042"] == 42

    big = read_table(src, SelectSpec(table=TableRef(db, "big_text")), batch_rows=1)
    body = big.sort_by("id").column("body").to_pylist()[0]
    (md5,) = server_rows(db, "SELECT MD5(body) FROM big_text WHERE id = 1")[0]
    assert len(body.encode()) >= nasty.BIG_TEXT_BYTES - 16
    assert hashlib.md5(body.encode(), usedforsecurity=False).hexdigest() == md5


@pytest.mark.parametrize(
    ("table", "n", "sliced"),
    [("events", 4, True), ("parted", 3, True), ("no_pk", 4, False), ("my view", 2, False)],
)
def test_partitions_disjoint_and_exhaustive(
    src: MySQLSource, db: str, table: str, n: int, sliced: bool
) -> None:
    ref = TableRef(db, table)
    parts = src.partition(ref, n)
    assert len(parts) == (n if sliced else 1)
    assert [p.index for p in parts] == list(range(len(parts)))
    total = src.count_rows(SelectSpec(table=ref))
    assert sum(src.count_rows(SelectSpec(table=ref, partition=p)) for p in parts) == total
    seen: list[object] = []
    for p in parts:
        key = "a" if table == "no_pk" else "id"
        seen += (
            read_table(src, SelectSpec(table=ref, partition=p), batch_rows=97)
            .column(key)
            .to_pylist()
        )
    assert len(seen) == len(set(seen)) == total
    if table == "events":
        assert set(seen) == set(nasty.EVENT_IDS)
        both = read_table(
            src, SelectSpec(table=ref, partition=parts[-1], where="payload LIKE 'p%'")
        )
        assert 2**64 - 1 in both.column("id").to_pylist()


def test_reads_cannot_write(src: MySQLSource, db: str) -> None:
    for sql in (
        "DELETE FROM events",
        "CREATE TABLE sneaky (a int)",
        "DROP TABLE events",
        f"UPDATE {nasty.bt(nasty.NASTY_TABLE)} SET `select` = 'x'",
    ):
        with pytest.raises(PermissionDenied, match="only reads"):
            list(src.read_batches(SelectSpec(query=sql)))
    with pytest.raises(Exception) as err:
        list(
            src.read_batches(
                SelectSpec(table=TableRef(db, "events"), where="1=1; DELETE FROM events")
            )
        )
    assert type(err.value).__module__ == "dte_desktop.core.errors"
    assert server_rows(db, "SELECT COUNT(*) FROM events")[0][0] == len(nasty.EVENT_IDS)
    assert "sneaky" not in {t.ref.name for t in src.list_tables(db)}


# ---- failures, for real ------------------------------------------------------------------


@pytest.fixture
def user_with_password(db: str) -> Iterator[tuple[str, str]]:
    user, password = f"dte_u_{uuid.uuid4().hex[:8]}", f"Pw-{uuid.uuid4().hex}"
    conn = nasty.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
            cur.execute(f"GRANT SELECT ON `{db}`.`events` TO '{user}'@'%'")
        yield user, password
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        conn.close()


def _fails(url: str, password: str | None, exc_type: type[Exception], timeout: float = 10.0) -> str:
    source = open_source(url, password=password, connect_timeout=timeout)
    with pytest.raises(exc_type) as err:
        source.test_connection()
    message = str(err.value)
    if password:
        assert password not in message
        assert password not in repr(err.value.__dict__)
    return message


def test_wrong_password(user_with_password: tuple[str, str], db: str) -> None:
    user, password = user_with_password
    url = f"mysql://{user}@127.0.0.1:3306/{db}"
    msg = _fails(url, password + "x", AuthenticationFailed)
    assert "wrong user name or password" in msg and user in msg
    source = open_source(url, password=password)
    assert "MariaDB" in source.test_connection()
    # Granted one table only: reading another is a clear privilege error.
    with pytest.raises(PermissionDenied, match="privilege") as err:
        list(source.read_batches(SelectSpec(query="SELECT * FROM parted")))
    assert password not in str(err.value)
    # information_schema hides what the user may not read: say both possibilities.
    with pytest.raises(NotFound, match="no privilege"):
        list(source.read_batches(SelectSpec(table=TableRef(db, "parted"))))
    assert source.count_rows(SelectSpec(table=TableRef(db, "events"))) == len(nasty.EVENT_IDS)


def test_missing_privilege_on_database(user_with_password: tuple[str, str], db: str) -> None:
    user, password = user_with_password
    conn = nasty.connect(db)
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}_other`")
    try:
        msg = _fails(f"mysql://{user}@127.0.0.1:3306/{db}_other", password, PermissionDenied)
        assert "no privilege" in msg and f"{db}_other" in msg
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE `{db}_other`")
        conn.close()


def test_unknown_host_refused_port_missing_database(db: str) -> None:
    secret = "Unused-Secret-123"
    msg = _fails(f"mysql://root@dte-no-such-host.invalid:3306/{db}", secret, ConnectionFailed)
    assert "Unknown host" in msg and "dte-no-such-host.invalid" in msg

    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    msg = _fails(f"mysql://root@127.0.0.1:{port}/{db}", secret, ConnectionFailed)
    assert "refused" in msg and str(port) in msg

    msg = _fails("mysql://root@127.0.0.1:3306/dte_no_such_db", None, NotFound)
    assert "dte_no_such_db" in msg and "does not exist" in msg


def test_silent_listener_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts into the backlog, never says a word
        port = listener.getsockname()[1]
        started = time.monotonic()
        msg = _fails(f"mysql://root@127.0.0.1:{port}/x", "Secret-Pw-42", ConnectionFailed, 2)
        elapsed = time.monotonic() - started
    assert "Timed out after 2 s" in msg
    assert elapsed < 4


def test_fixture_rows_really_exist(db: str) -> None:
    """Guards the fixture itself: a silent failure to build would make the tests vacuous."""
    rows = server_rows(db, "SELECT (SELECT COUNT(*) FROM all_types), (SELECT COUNT(*) FROM parted)")
    assert rows == [(3, 1000)]
    assert pymysql.__version__
