"""PostgreSQL source against the real local server (and a private password/TLS cluster)."""

from __future__ import annotations

import math
import socket
import threading
import time
from datetime import datetime
from datetime import time as dtime
from decimal import Decimal

import psycopg
import pyarrow as pa
import pytest
from sqlalchemy.engine import make_url

from dte_desktop.core.errors import (
    AuthenticationFailed,
    ConfigError,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    QueryFailed,
)
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.core.sources.postgres import PostgresSource
from dte_desktop.core.sources.registry import open_source
from tests.integration import nasty_pg

pytestmark = pytest.mark.postgres


@pytest.fixture
def nasty(pg_url: str) -> tuple[PostgresSource, str]:
    u = make_url(pg_url)
    dsn = f"host={u.host} port={u.port} user={u.username} dbname={u.database}"
    nasty_pg.build(dsn)
    src = open_source(pg_url)
    assert isinstance(src, PostgresSource)
    return src, dsn


def _rows(src: PostgresSource, spec: SelectSpec, batch_rows: int = 50_000) -> pa.Table:
    batches = list(src.read_batches(spec, batch_rows))
    return pa.Table.from_batches(batches)


def _server(dsn: str, sql: str) -> list[tuple]:
    with psycopg.connect(dsn, options="-c TimeZone=UTC -c extra_float_digits=1") as conn:
        return conn.execute(sql).fetchall()


def _server_text(dsn: str, sql: str) -> list[tuple]:
    """Each value exactly as the type's own output function renders it (text protocol)."""
    with (
        psycopg.connect(dsn, options="-c TimeZone=UTC -c extra_float_digits=1") as conn,
        conn.cursor() as cur,
    ):
        cur.execute(sql)
        res = cur.pgresult
        return [
            tuple(
                None if (v := res.get_value(r, c)) is None else bytes(v).decode()
                for c in range(res.nfields)
            )
            for r in range(res.ntuples)
        ]


MIXED = TableRef(nasty_pg.SCHEMA, nasty_pg.MIXED)
ZOO = TableRef("public", "zoo")


def test_discovery_lists_every_kind(nasty):
    src, _ = nasty
    assert isinstance(src, Source)
    assert "PostgreSQL" in src.test_connection()
    schemas = src.list_schemas()
    assert nasty_pg.SCHEMA in schemas and "public" in schemas
    assert not [s for s in schemas if s.startswith(("pg_", "gp_")) or s == "information_schema"]
    assert {"pg_catalog", "information_schema", "pg_toast"} <= set(src.list_schemas(True))

    tables = {t.ref.name: t for t in src.list_tables("public")}
    kinds = {name: t.kind for name, t in tables.items()}
    assert kinds == {
        "zoo": "table", "events": "partitioned_table", "events_2023": "partition",
        "events_2024": "partition", "events_other": "partition", "v iew": "view",
        "mv": "materialized_view", "empty_t": "table", "wide": "table", "bigtext": "table",
        "ft": "foreign",
    }  # fmt: skip
    assert tables["events_2024"].parent == "events"
    assert tables["events"].estimated_rows == 30000 and tables["events"].size_bytes > 0
    assert tables["v iew"].size_bytes is None and tables["v iew"].estimated_rows is None
    assert tables["bigtext"].size_bytes > 0  # table + TOAST + index pages from the catalog
    (mixed,) = src.list_tables(nasty_pg.SCHEMA)
    assert mixed.ref == MIXED and mixed.estimated_rows == 20000


def test_describe_types_and_notes(nasty):
    src, dsn = nasty
    cols = {c.name: c for c in src.describe(ZOO)}
    rendered = dict(
        _server(
            dsn,
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'zoo'::regclass AND attnum > 0",
        )
    )
    for name, col in cols.items():
        assert col.db_type == rendered[name]
    assert cols["id"].primary_key and not cols["id"].nullable
    assert cols["n_38"].arrow_type == pa.decimal128(38, 10)
    assert cols["n_50"].arrow_type == pa.decimal256(50, 5)
    assert cols["n_free"].arrow_type == pa.string() and "text" in cols["n_free"].type_note
    assert cols["tstz"].arrow_type == pa.timestamp("us", tz="UTC")
    assert cols["by"].arrow_type == pa.binary()
    assert cols["dm"].arrow_type == pa.decimal128(10, 2) and "domain posnum" in cols["dm"].type_note
    assert cols["dt"].arrow_type == pa.string()
    for name in ("ia", "ta", "js", "jb", "u", "iv", "en", "cp", "tmtz", "ip", "bt", "pt", "mny"):
        assert cols[name].arrow_type == pa.string() and cols[name].type_note, name
    for name in ("b", "i2", "i8", "f4", "f8", "t", "vc"):
        assert cols[name].type_note is None, name


def _expected(name: str, text: str | None, arrow_type: pa.DataType):
    if text is None:
        return None
    if pa.types.is_boolean(arrow_type):
        return {"t": True, "f": False}[text]
    if pa.types.is_integer(arrow_type):
        return int(text)
    if pa.types.is_floating(arrow_type):
        return float(text)
    if pa.types.is_decimal(arrow_type):
        return None if text == "NaN" else Decimal(text)
    if pa.types.is_timestamp(arrow_type):
        return None if "infinity" in text else datetime.fromisoformat(text)
    if pa.types.is_time(arrow_type):
        return dtime.fromisoformat(text)
    if pa.types.is_binary(arrow_type):
        return bytes.fromhex(text[2:])
    return text


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if (
        isinstance(a, datetime)
        and isinstance(b, datetime)
        and (a.tzinfo is None) != (b.tzinfo is None)
    ):
        return False
    return a == b


def test_zoo_values_match_server_rendering(nasty):
    src, dsn = nasty
    cols = src.describe(ZOO)
    table = _rows(src, SelectSpec(table=ZOO), batch_rows=2)
    assert table.num_rows == nasty_pg.ZOO_ROWS + 1
    assert table.schema.names == [c.name for c in cols]
    # Year 44 BC has no Python date: column d is compared through Arrow's own ISO text.
    got = {r["id"]: r for r in table.drop_columns(["d"]).sort_by("id").to_pylist()}
    # Arrays and composites are read as JSON: the server's own to_json is the yardstick.
    exprs = ", ".join(
        "mny::numeric"
        if c.name == "mny"
        else f"to_json({c.name})"
        if c.json and c.db_type not in ("json", "jsonb")
        else c.name
        for c in cols
    )
    server = _server_text(dsn, f"SELECT {exprs} FROM zoo ORDER BY id")
    dates = table.sort_by("id").column("d").cast(pa.string()).to_pylist()
    for row_i, srow in enumerate(server):
        row_id = int(srow[0])
        for col, text in zip(cols, srow, strict=True):
            if col.name == "d":  # BC dates have no Python date; compare Arrow's ISO text
                want = None if text is None or "infinity" in text else _iso_date(text)
                assert dates[row_i] == want
                continue
            value = got[row_id][col.name]
            want = _expected(col.name, text, col.arrow_type)
            assert _same(value, want), (col.name, row_id, value, text)


def _iso_date(text: str) -> str:
    if text.endswith(" BC"):
        y, rest = text[:-3].split("-", 1)
        return f"-{int(y) - 1:04d}-{rest}"
    return text


def test_nasty_identifiers_columns_where_limit(nasty):
    src, dsn = nasty
    names = [c.name for c in src.describe(MIXED)]
    assert names == nasty_pg.IDENT_COLUMNS
    t = _rows(src, SelectSpec(table=MIXED), batch_rows=3000)
    assert t.num_rows == 20000 and t.schema.names == names
    batches = list(src.read_batches(SelectSpec(table=MIXED), 3000))
    assert max(b.num_rows for b in batches) <= 3000
    server = _server(
        dsn,
        'SELECT id, "select", "order", "bıgınt", "with space", "dot.col", """quoted""", '
        f'"MiXed" FROM {src_sql(MIXED)} ORDER BY id',
    )
    assert [tuple(r.values()) for r in t.sort_by("id").to_pylist()] == server
    empties = [r for r in server if r[4] == ""]
    assert empties and [r for r in server if r[4] is None]  # '' and NULL both present
    cols = ("with space", "select", '"quoted"')
    spec = SelectSpec(table=MIXED, columns=cols, where='"order" > -100 AND "with space" = \'\'')
    sub = _rows(src, spec)
    assert sub.schema.names == list(cols)
    assert (
        sub.num_rows == src.count_rows(spec) == sum(1 for r in server if r[0] < 100 and r[4] == "")
    )
    assert set(sub.column("with space").to_pylist()) == {""}
    lim = SelectSpec(table=MIXED, limit=7)
    assert _rows(src, lim).num_rows == 7 == src.count_rows(lim)
    with pytest.raises(NotFound):
        src.describe(TableRef(nasty_pg.SCHEMA, "nope"))
    with pytest.raises(NotFound):
        list(src.read_batches(SelectSpec(table=MIXED, columns=("nope",))))


def src_sql(ref: TableRef) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in (ref.schema, ref.name))


def test_query_path_duplicates_and_readonly(nasty):
    src, dsn = nasty
    spec = SelectSpec(query="SELECT 1 AS a, 'x'::text AS a, now()::date AS d -- trailing;\n;")
    t = _rows(src, spec)
    assert t.schema.names == ["a", "a_2", "d"] and t.num_rows == 1
    assert src.count_rows(SelectSpec(query="SELECT g FROM generate_series(1, 10) g", limit=4)) == 4
    q = SelectSpec(query="SELECT id, t FROM zoo", columns=("t",), where="id < 2")
    assert _rows(src, q).column("t").to_pylist() == ["", 'line1\nline2, "quoted"']

    _server(dsn, "SELECT 1")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql AS "
            "$$ INSERT INTO empty_t VALUES (1, 'written'); SELECT 1 $$"
        )
    with pytest.raises(QueryFailed, match="read-only"):
        list(src.read_batches(SelectSpec(table=ZOO, where="sneaky() > 0")))
    with pytest.raises(QueryFailed, match="read-only"):
        src.count_rows(SelectSpec(table=ZOO, where="sneaky() > 0"))
    with pytest.raises(PermissionDenied, match="read-only"):  # refused before it is sent
        list(src.read_batches(SelectSpec(query="DELETE FROM zoo RETURNING id")))
    # Smuggling a COMMIT out of the read-only transaction: refused before it reaches the server.
    with pytest.raises(ConfigError, match="one boolean expression"):
        list(
            src.read_batches(
                SelectSpec(table=ZOO, where="true) TO STDOUT; COMMIT; DROP TABLE zoo; --")
            )
        )
    assert _server(dsn, "SELECT count(*) FROM empty_t") == [(0,)]
    assert _server(dsn, "SELECT count(*) FROM zoo") == [(nasty_pg.ZOO_ROWS + 1,)]


def _ids(src: PostgresSource, spec: SelectSpec) -> list[int]:
    return [i for b in src.read_batches(spec, 4096) for i in b.column("id").to_pylist()]


@pytest.mark.parametrize("n", [1, 3, 8])
def test_partitions_disjoint_and_exhaustive(nasty, n):
    src, _ = nasty
    for ref, total in ((MIXED, 20000), (TableRef("public", "events"), 30000)):
        parts = src.partition(ref, n)
        assert 1 <= len(parts) <= n
        assert [p.index for p in parts] == list(range(len(parts)))
        if n > 1:
            assert len(parts) > 1 and parts[-1].predicate.startswith("ctid >=")
        seen: list[int] = []
        counted = 0
        with src.exported_snapshot() as snap:
            for p in parts:
                spec = SelectSpec(table=ref, partition=p, snapshot=snap)
                counted += src.count_rows(spec)
                seen += _ids(src, spec)
        assert counted == total == len(seen) == len(set(seen))
    assert len(src.partition(TableRef("public", "v iew"), 4)) == 1
    assert len(src.partition(TableRef("public", "empty_t"), 4)) == 1
    assert len(src.partition(TableRef("public", "mv"), 2)) >= 1


def test_snapshot_hides_later_writes(nasty):
    src, dsn = nasty
    parts = src.partition(MIXED, 2)
    with src.exported_snapshot() as snap:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                f"INSERT INTO {src_sql(MIXED)} (id) SELECT g FROM generate_series(20001, 25000) g"
            )
        in_snap = sum(
            src.count_rows(SelectSpec(table=MIXED, partition=p, snapshot=snap)) for p in parts
        )
        read = sum(
            b.num_rows
            for p in parts
            for b in src.read_batches(SelectSpec(table=MIXED, partition=p, snapshot=snap))
        )
    assert in_snap == read == 20000
    # Rows appended after the sizes were read still land in the open-ended last slice.
    assert sum(src.count_rows(SelectSpec(table=MIXED, partition=p)) for p in parts) == 25000


def test_empty_wide_and_huge_values(nasty):
    src, _ = nasty
    (empty,) = list(src.read_batches(SelectSpec(table=TableRef("public", "empty_t"))))
    assert empty.num_rows == 0 and empty.schema.names == ["id", "x"]
    assert src.count_rows(SelectSpec(table=TableRef("public", "empty_t"))) == 0

    wide = _rows(src, SelectSpec(table=TableRef("public", "wide")), batch_rows=2)
    assert wide.num_columns == nasty_pg.WIDE_COLUMNS and wide.num_rows == 5
    assert wide.column("c999").to_pylist() == [g + 999 for g in range(1, 6)]

    small = PostgresSource(src.url, max_batch_bytes=15 * 1024 * 1024)
    batches = list(small.read_batches(SelectSpec(table=TableRef("public", "bigtext"))))
    assert [b.num_rows for b in batches] == [2, 1]  # the byte cap cuts batches, not rows
    bodies = {r["id"]: r["body"] for b in batches for r in b.to_pylist()}
    for i in (1, 2, 3):
        assert bodies[i] == chr(64 + i) * nasty_pg.BIG_TEXT


def test_cancel_and_abandon_are_prompt(pg_url):
    src = open_source(pg_url)
    big = SelectSpec(query="SELECT g, pg_sleep(0.0001) FROM generate_series(1, 10000000) g")
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for _ in src.read_batches(big, 1000):
                pass
        except BaseException as exc:
            errors.append(exc)

    th = threading.Thread(target=run)
    th.start()
    time.sleep(1.5)
    t0 = time.monotonic()
    src.cancel()
    th.join(10)
    assert not th.is_alive() and time.monotonic() - t0 < 5
    assert len(errors) == 1 and isinstance(errors[0], QueryFailed)
    assert "cancel" in str(errors[0])

    gen = src.read_batches(SelectSpec(query="SELECT g FROM generate_series(1, 50000000) g"), 10)
    next(gen)
    t0 = time.monotonic()
    gen.close()
    assert time.monotonic() - t0 < 5


def test_listing_does_not_wait_for_a_table_someone_locked(nasty):
    """A migration holding ACCESS EXCLUSIVE on one table must not hang the catalog (or the
    CLI's name check before an export): sizes come from pg_class, which takes no lock."""
    src, dsn = nasty
    with psycopg.connect(dsn) as holder:
        holder.execute("LOCK TABLE public.zoo IN ACCESS EXCLUSIVE MODE")
        done: list[object] = []
        th = threading.Thread(target=lambda: done.append(src.list_tables("public")), daemon=True)
        th.start()
        th.join(10)
        waited = not done
        holder.rollback()
    th.join(30)
    assert not waited, "list_tables waited for the lock"
    (zoo,) = [t for t in done[0] if t.ref.name == "zoo"]
    assert zoo.size_bytes is not None and zoo.size_bytes > 0


# --- connection failures --------------------------------------------------------------


def _fails(url: str, exc_type: type, match: str, *, password=None, timeout: float = 10):
    src = open_source(url, password=password, connect_timeout=timeout)
    t0 = time.monotonic()
    with pytest.raises(exc_type, match=match) as info:
        src.test_connection()
    elapsed = time.monotonic() - t0
    assert elapsed < timeout + 2, elapsed
    if password:
        assert password not in str(info.value) and password not in (info.value.detail or "")
    return info.value, elapsed


def test_missing_database_refused_port_unknown_host(pg_url):
    u = make_url(pg_url)
    _fails(str(u.set(database="no_such_db_x")), NotFound, 'database "no_such_db_x" does not')
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    _fails(f"postgresql://postgres@127.0.0.1:{free_port}/x", ConnectionFailed, "refused")
    _fails("postgresql://postgres@db.example.invalid/x", ConnectionFailed, "Unknown host")


def test_silent_server_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # accept and say nothing, ever
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    th = threading.Thread(target=accept, daemon=True)
    th.start()
    try:
        err, elapsed = _fails(
            f"postgresql://postgres@127.0.0.1:{port}/x", ConnectionFailed, "timed out", timeout=2
        )
        assert elapsed < 4.5 and "2 s" in str(err)
    finally:
        stop.set()
        th.join()
        for s in held:
            s.close()
        listener.close()


def test_password_privilege_and_tls(auth_cluster):
    a = auth_cluster
    base = f"postgresql://{a.user}@{a.host}:{a.port}"
    ok = open_source(f"{base}/{a.db_ok}", password=a.password)
    assert "PostgreSQL 15" in ok.test_connection()
    _fails(f"{base}/{a.db_ok}", AuthenticationFailed, "Wrong user name or password",
           password="not-the-password")  # fmt: skip
    _fails(f"{base}/{a.db_noconnect}", PermissionDenied, "CONNECT privilege", password=a.password)
    _fails(f"{base}/{a.db_tls}?sslmode=disable", ConnectionFailed, "only encrypted",
           password=a.password)  # fmt: skip
    tls = open_source(f"{base}/{a.db_tls}?sslmode=require", password=a.password)
    assert "PostgreSQL" in tls.test_connection()
