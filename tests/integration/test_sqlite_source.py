"""SQLiteSource on real SQLite files: hostile names, affinity types, views, empty tables,
rowid partitions, missing files, and a read-only guarantee."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

from dte_desktop.core.errors import DteError, NotFound, PermissionDenied
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.sources.sqlite import SQLiteSource

INTS = ("bıgınt", "50%")
NASTY = 'we"ird `t` . Näme'
COLS = ["id", "select", "Mixed Case", "bıgınt", "a.b", "it's", 'dq"x', "50%", "na:me"]
ROWS = [
    (1, "reserved", "MiXeD", 9_000_000_000, "dot.ted", "o'clock", 'say "hi"', 50, "12:30"),
    (2, None, "", -1, "", "", "", 0, ":name"),
    (3, "ünïcødé ✓", "日本語", 0, "a\nb", "tab\there", "\\", -7, "a:b:c"),
]


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "demo db.sqlite"
    conn = sqlite3.connect(path)
    cols = ", ".join(
        f"{q(c)} {'INTEGER PRIMARY KEY' if c == 'id' else 'INTEGER' if c in INTS else 'TEXT'}"
        for c in COLS
    )
    conn.execute(f"CREATE TABLE {q(NASTY)} ({cols})")
    conn.executemany(f"INSERT INTO {q(NASTY)} VALUES ({', '.join('?' * len(COLS))})", ROWS)
    conn.execute(f"CREATE VIEW {q('my view')} AS SELECT * FROM {q(NASTY)} WHERE id > 1")
    conn.execute(
        "CREATE TABLE types (id INTEGER PRIMARY KEY, i BIGINT, r REAL, d DOUBLE, n NUMERIC(10,2), "
        "b BOOLEAN, dd DATE, ts DATETIME, t TIME, v VARCHAR(20), c CLOB, bl BLOB, j JSON, x)"
    )
    conn.executemany(
        "INSERT INTO types VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                1,
                2**63 - 1,
                1.5,
                -2.25,
                12.5,
                1,
                "2024-02-29",
                "2024-02-29 23:59:59.123456",
                "12:30:00",
                "vc",
                "clob",
                b"\x00\xff",
                '{"a": 1}',
                42,
            ),
            (
                2,
                -(2**63),
                None,
                0.0,
                3,
                0,
                "1970-01-01",
                "1999-12-31T00:00:00",
                None,
                "",
                "",
                b"",
                "[]",
                "text",
            ),
            (3, *([None] * 13)),
        ],
    )
    conn.execute('CREATE TABLE "empty t" (id INTEGER PRIMARY KEY, v TEXT)')
    conn.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO big VALUES (?, ?)", [(i * 7, f"v{i}") for i in range(1, 2001)])
    conn.execute("CREATE TABLE norowid (k TEXT PRIMARY KEY, v INT) WITHOUT ROWID")
    conn.executemany("INSERT INTO norowid VALUES (?, ?)", [(f"k{i}", i) for i in range(30)])
    conn.execute("CREATE TABLE shadow (rowid TEXT, v INT)")  # a column named rowid
    conn.executemany("INSERT INTO shadow VALUES (?, ?)", [(f"r{i}", i) for i in range(40)])
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def src(db_path: Path) -> SQLiteSource:
    source = open_source(f"sqlite:///{db_path}")
    assert isinstance(source, SQLiteSource) and isinstance(source, Source)
    return source


def read(source: Source, select: SelectSpec, batch_rows: int = 1000) -> pa.Table:
    batches = list(source.read_batches(select, batch_rows=batch_rows))
    assert all(b.num_rows <= batch_rows for b in batches)
    return pa.Table.from_batches(batches)


def test_discovery(src: SQLiteSource) -> None:
    assert src.test_connection().startswith("SQLite 3.")
    tables = {t.ref.name: t for t in src.list_tables(None)}
    assert set(tables) == {NASTY, "my view", "types", "empty t", "big", "norowid", "shadow"}
    assert tables["my view"].kind == "view" and tables[NASTY].kind == "table"
    assert tables["big"].estimated_rows == 2000 * 7  # max(rowid): no scan
    assert all(t.ref.schema is None for t in tables.values())


def test_types_by_affinity(src: SQLiteSource) -> None:
    cols = {c.name: c for c in src.describe(TableRef(None, "types"))}
    assert {n: c.arrow_type for n, c in cols.items()} == {
        "id": pa.int64(),
        "i": pa.int64(),
        "r": pa.float64(),
        "d": pa.float64(),
        "n": pa.float64(),
        "b": pa.bool_(),
        "dd": pa.date32(),
        "ts": pa.timestamp("us"),
        "t": pa.time64("us"),
        "v": pa.string(),
        "c": pa.string(),
        "bl": pa.binary(),
        "j": pa.string(),
        "x": pa.string(),
    }
    assert cols["id"].primary_key and "text" in cols["x"].type_note
    rows = read(src, SelectSpec(table=TableRef(None, "types")), batch_rows=2).to_pylist()
    assert rows[0] == {
        "id": 1,
        "i": 2**63 - 1,
        "r": 1.5,
        "d": -2.25,
        "n": 12.5,
        "b": True,
        "dd": dt.date(2024, 2, 29),
        "ts": dt.datetime(2024, 2, 29, 23, 59, 59, 123456),
        "t": dt.time(12, 30),
        "v": "vc",
        "c": "clob",
        "bl": b"\x00\xff",
        "j": '{"a": 1}',
        "x": "42",
    }
    assert rows[1]["i"] == -(2**63) and rows[1]["ts"] == dt.datetime(1999, 12, 31)
    assert rows[1]["b"] is False and rows[1]["x"] == "text" and rows[1]["bl"] == b""
    assert all(v is None for k, v in rows[2].items() if k != "id")


def test_nasty_names_filters_and_queries(src: SQLiteSource) -> None:
    ref = TableRef(None, NASTY)
    table = read(src, SelectSpec(table=ref))
    assert table.column_names == COLS
    assert sorted(tuple(r.values()) for r in table.to_pylist()) == sorted(ROWS)
    some = read(src, SelectSpec(table=ref, columns=("bıgınt", "na:me", "50%")))
    assert some.column_names == ["bıgınt", "na:me", "50%"]
    hits = read(src, SelectSpec(table=ref, where='"na:me" LIKE \'%:%\' AND "50%" <> 50 OR id = 1'))
    assert sorted(hits.column("id").to_pylist()) == [1, 2, 3]
    one = read(src, SelectSpec(table=ref, where="\"na:me\" = '12:30' -- comment"))
    assert one.column("id").to_pylist() == [1]
    assert src.count_rows(SelectSpec(table=ref, where='"select" IS NULL')) == 1
    view = read(src, SelectSpec(table=TableRef(None, "my view")))
    assert sorted(view.column("id").to_pylist()) == [2, 3]
    qry = read(src, SelectSpec(query=f"SELECT id, \"na:me\", '50%' AS p FROM {q(NASTY)};"))
    assert qry.num_rows == 3 and set(qry.column("p").to_pylist()) == {"50%"}
    assert src.count_rows(SelectSpec(query=f"SELECT * FROM {q(NASTY)}", limit=2)) == 2
    assert read(src, SelectSpec(table=TableRef(None, "big"), limit=5)).num_rows == 5
    assert read(src, SelectSpec(query="SELECT * FROM big", limit=15), batch_rows=4).num_rows == 15


def test_empty_table(src: SQLiteSource) -> None:
    batches = list(src.read_batches(SelectSpec(table=TableRef(None, "empty t"))))
    assert len(batches) == 1 and batches[0].num_rows == 0
    assert batches[0].schema == pa.schema([("id", pa.int64()), ("v", pa.string())])
    assert src.count_rows(SelectSpec(table=TableRef(None, "empty t"))) == 0
    assert len(src.partition(TableRef(None, "empty t"), 4)) == 1


@pytest.mark.parametrize(
    ("table", "n", "expect", "key"),
    [
        ("big", 4, 4, "id"),
        ("big", 3, 3, "id"),
        ("shadow", 3, 3, "v"),
        ("norowid", 3, 1, "k"),
        ("my view", 3, 1, "id"),
    ],
)
def test_rowid_partitions(src: SQLiteSource, table: str, n: int, expect: int, key: str) -> None:
    ref = TableRef(None, table)
    parts = src.partition(ref, n)
    assert len(parts) == expect
    total = src.count_rows(SelectSpec(table=ref))
    assert sum(src.count_rows(SelectSpec(table=ref, partition=p)) for p in parts) == total
    seen = [
        v
        for p in parts
        for v in read(src, SelectSpec(table=ref, partition=p), 333).column(key).to_pylist()
    ]
    assert len(seen) == len(set(seen)) == total


def test_missing_file_and_not_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(NotFound, match="not found"):
        open_source(f"sqlite:///{missing}").test_connection()
    assert not missing.exists()  # read-only open never creates the file
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database file at all" * 100)
    with pytest.raises(DteError, match="not a SQLite database"):
        open_source(f"sqlite:///{junk}").test_connection()


def test_reads_cannot_write(src: SQLiteSource, db_path: Path) -> None:
    ref = TableRef(None, "big")
    with pytest.raises(PermissionDenied, match="read-only"):
        list(src.read_batches(SelectSpec(query="DELETE FROM big")))
    with pytest.raises(DteError):
        list(src.read_batches(SelectSpec(table=ref, where="1=1; DELETE FROM big")))
    with pytest.raises(PermissionDenied):
        list(src.read_batches(SelectSpec(query="INSERT INTO big VALUES (1, 'x') RETURNING id")))
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM big").fetchone()[0] == 2000
    conn.close()
