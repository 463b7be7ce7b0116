"""GenericSource on real engines: SQLite through ``sqlite+pysqlite`` (forced past the SQLite
module) and PostgreSQL through ``postgresql+psycopg`` (forced past the PostgreSQL module)."""

from __future__ import annotations

import datetime as dt
import decimal
import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy.engine import make_url

from dte_desktop.core.errors import ConfigError, ConnectionFailed, NotFound
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.core.sources.generic import GenericSource
from dte_desktop.core.sources.registry import source_class


def read(source: Source, select: SelectSpec, batch_rows: int = 100) -> pa.Table:
    batches = list(source.read_batches(select, batch_rows=batch_rows))
    assert all(b.num_rows <= batch_rows for b in batches)
    return pa.Table.from_batches(batches)


def test_unknown_scheme_goes_generic() -> None:
    assert source_class("mssql+pyodbc://u@h/db") is GenericSource
    with pytest.raises(ConfigError):
        GenericSource(make_url("nosuchdialect://u@h/db")).test_connection()


def test_generic_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(
        'CREATE TABLE "Odd ""T""" (id INTEGER PRIMARY KEY, "na:me" VARCHAR(20), '
        "n NUMERIC(8,2), d DATE, f FLOAT)"
    )
    conn.executemany(
        'INSERT INTO "Odd ""T""" VALUES (?, ?, ?, ?, ?)',
        [(i, f"n:{i}%", i + 0.25, f"2024-01-{i % 28 + 1:02d}", i / 3) for i in range(1, 251)],
    )
    conn.execute('CREATE VIEW v AS SELECT id FROM "Odd ""T"""')
    conn.commit()
    conn.close()
    src = GenericSource(make_url(f"sqlite+pysqlite:///{path}"))
    assert src.test_connection()
    assert "main" in src.list_schemas()
    tables = {t.ref.name: t.kind for t in src.list_tables(None)}
    assert tables == {'Odd "T"': "table", "v": "view"}
    ref = TableRef(None, 'Odd "T"')
    cols = {c.name: c for c in src.describe(ref)}
    assert cols["id"].primary_key and cols["id"].arrow_type == pa.int64()
    assert cols["na:me"].arrow_type == pa.string()
    assert cols["n"].arrow_type == pa.decimal128(8, 2)
    assert cols["d"].arrow_type == pa.date32()
    table = read(src, SelectSpec(table=ref), batch_rows=64)
    assert table.num_rows == 250
    first = table.sort_by("id").to_pylist()[0]
    assert first == {
        "id": 1,
        "na:me": "n:1%",
        "n": decimal.Decimal("1.25"),
        "d": dt.date(2024, 1, 2),
        "f": pytest.approx(1 / 3),
    }
    flt = read(
        src, SelectSpec(table=ref, columns=("id",), where="\"na:me\" LIKE 'n:1%' AND id < 20")
    )
    assert sorted(flt.column("id").to_pylist()) == [1, *range(10, 20)]
    assert src.count_rows(SelectSpec(table=ref, where="id > 200")) == 50
    assert src.count_rows(SelectSpec(query="SELECT * FROM v", limit=10)) == 10
    qry = read(
        src, SelectSpec(query="SELECT id, NULL AS nul, 'x%' AS p FROM v", limit=30), batch_rows=7
    )
    assert qry.num_rows == 30 and qry.schema.field("nul").type == pa.string()
    assert src.partition(ref, 4) == [src.partition(ref, 1)[0]]  # one slice
    with pytest.raises(NotFound):
        src.describe(TableRef(None, "missing"))
    src.close()


def test_generic_on_postgresql(pg_url: str) -> None:
    import psycopg

    dsn = pg_url.replace("postgresql://", "postgresql://", 1)
    with psycopg.connect(dsn.replace("postgresql://", "postgresql://"), autocommit=True) as conn:
        conn.execute('CREATE SCHEMA "Sch.ema"')
        conn.execute(
            'CREATE TABLE "Sch.ema"."T 1" (id bigint PRIMARY KEY, amount numeric(12,3), '
            "ts timestamptz, flag boolean, doc jsonb, tags text[], u uuid, b bytea)"
        )
        conn.execute(
            'INSERT INTO "Sch.ema"."T 1" SELECT g, g * 1.5, '
            "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', g % 2 = 0, "
            "jsonb_build_object('g', g), ARRAY['a', 'b'], gen_random_uuid(), '\\x00ff' "
            "FROM generate_series(1, 120) g"
        )
        conn.execute('CREATE VIEW "Sch.ema".v AS SELECT id FROM "Sch.ema"."T 1"')
    url = make_url(pg_url).set(drivername="postgresql+psycopg")
    src = GenericSource(url)
    assert src.test_connection().startswith("15")
    assert "Sch.ema" in src.list_schemas() and "pg_catalog" not in src.list_schemas()
    assert {t.ref.name: t.kind for t in src.list_tables("Sch.ema")} == {"T 1": "table", "v": "view"}
    ref = TableRef("Sch.ema", "T 1")
    types = {c.name: c.arrow_type for c in src.describe(ref)}
    assert types["id"] == pa.int64() and types["amount"] == pa.decimal128(12, 3)
    assert types["ts"] == pa.timestamp("us", tz="UTC") and types["flag"] == pa.bool_()
    assert (
        types["doc"] == pa.string() and types["tags"] == pa.string() and types["b"] == pa.binary()
    )
    table = read(src, SelectSpec(table=ref), batch_rows=50).sort_by("id")
    assert table.num_rows == 120
    row = table.to_pylist()[1]
    assert row["amount"] == decimal.Decimal("3.000") and row["flag"] is True
    assert row["ts"] == dt.datetime(2024, 1, 1, 2, tzinfo=dt.UTC)
    assert row["doc"] == '{"g": 2}' and row["b"] == b"\x00\xff" and len(row["u"]) == 36
    assert src.count_rows(SelectSpec(table=ref, where="id::int % 3 = 0")) == 40
    assert src.count_rows(SelectSpec(table=TableRef("Sch.ema", "v"))) == 120
    src.close()


def test_generic_connection_failure_is_clear() -> None:
    src = GenericSource(
        make_url("postgresql+psycopg://u@127.0.0.1:1/x"),
        password="Gen-Secret-99",
        connect_timeout=2,
    )
    with pytest.raises(ConnectionFailed) as err:
        src.test_connection()
    assert "127.0.0.1" in str(err.value) and "Gen-Secret-99" not in str(err.value)
