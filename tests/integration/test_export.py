"""Export round trips on real PostgreSQL, MariaDB and SQLite: every format, both layouts,
manifests that verify."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.export.spec import ExportSpec, FormatOptions
from dte_desktop.core.sources.base import SelectSpec, is_json_field
from dte_desktop.core.sources.names import parse_table
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.store import JobStatus
from tests.conftest import pg_database
from tests.integration import nasty_pg
from tests.integration.export_helpers import as_text_rows, export, read_output

PG_TABLES = ["public.zoo", '"Odd ""Sch"".ema ü"."Mixed ""Case"".tbl"', "public.events"]
FORMATS = [
    ("parquet", None),
    ("csv", None),
    ("csv", "gzip"),
    ("arrow", None),
    ("feather", None),
    ("jsonl", None),
    ("xlsx", None),
]


@pytest.fixture(scope="module")
def pg_nasty():
    from sqlalchemy.engine import make_url

    with pg_database("dte_exp") as url:
        u = make_url(url)
        nasty_pg.build(f"host={u.host} port={u.port} user={u.username} dbname={u.database}")
        yield url


def source_table(url: str, table: str) -> pa.Table:
    src = open_source(url)
    try:
        return pa.Table.from_batches(list(src.read_batches(SelectSpec(table=parse_table(table)))))
    finally:
        src.close()


def same_values(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    """Equal, with NaN equal to NaN (Arrow's equals says NaN != NaN)."""
    if pa.types.is_floating(a.type):
        import math

        def norm(v):  # type: ignore[no-untyped-def]
            return "nan" if isinstance(v, float) and math.isnan(v) else v

        return [norm(v) for v in a.to_pylist()] == [norm(v) for v in b.to_pylist()]
    return a.combine_chunks().equals(b.combine_chunks())


def check_round_trip(got, want: pa.Table, fmt: str) -> None:  # type: ignore[no-untyped-def]
    if fmt == "jsonl":  # value by value in test_round_trip; here: strict JSON, text exact
        assert len(got) == want.num_rows
        for name in want.column_names:
            field = want.schema.field(name)
            if is_json_field(field):  # JSON documents are nested, not strings holding JSON
                texts = want.column(name).to_pylist()
                assert [r[name] for r in got] == [
                    None if t is None else json.loads(t) for t in texts
                ]
            elif pa.types.is_string(field.type):
                assert [r[name] for r in got] == want.column(name).to_pylist(), name
        return
    if fmt == "xlsx":
        assert len(got) == want.num_rows and list(got[0]) == want.column_names
    else:
        assert got.num_rows == want.num_rows
    if fmt in ("parquet", "arrow", "feather"):
        assert got.schema.names == want.schema.names and got.schema.types == want.schema.types
        for name in want.column_names:
            assert same_values(got.column(name), want.column(name)), name
    elif fmt == "csv":
        assert list(zip(*[c.to_pylist() for c in got.columns], strict=True)) == as_text_rows(want)
    elif fmt == "xlsx":
        assert list(got[0]) if got else True
        key = want.column_names[0]
        assert [r[key] for r in got] == want.column(key).to_pylist()
        texts = [c for c in want.column_names if pa.types.is_string(want.schema.field(c).type)]
        for c in texts[:3]:  # "" stays an (inline) empty string, NULL an empty cell
            assert [r[c] for r in got] == want.column(c).to_pylist(), c


@pytest.mark.postgres
@pytest.mark.parametrize(("fmt", "compression"), FORMATS)
def test_postgres_nasty_round_trips(pg_nasty, tmp_path: Path, fmt: str, compression) -> None:
    out = tmp_path / "out"
    spec = ExportSpec(
        mask=False,
        connection=pg_nasty,
        out_dir=str(out),
        tables=tuple(PG_TABLES),
        format=fmt,
        options=FormatOptions(compression=compression),
        layout="file",
        batch_rows=7_000,
    )
    job_id, status = export(spec)
    assert status == JobStatus.COMPLETE
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["job_id"] == job_id and len(manifest["files"]) == 3
    for f in manifest["files"]:
        want = source_table(pg_nasty, f["table"])
        got = read_output(out / f["path"], fmt, want.schema)
        check_round_trip(got, want, fmt)
        assert f["rows"] == want.num_rows
    assert "n_free" in manifest["tables"]["public.zoo"]["type_notes"]  # read as text: said so
    assert verify_manifest(out) == []
    sums = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True
    )
    assert sums.returncode == 0 and sums.stdout.count(": OK") == 4


@pytest.mark.postgres
def test_partitioned_and_single_file_layouts_hold_identical_data(pg_nasty, tmp_path) -> None:
    tables = ("public.events", '"Odd ""Sch"".ema ü"."Mixed ""Case"".tbl"')
    single = ExportSpec(
        mask=False, connection=pg_nasty, out_dir=str(tmp_path / "one"), tables=tables, layout="file"
    )
    parted = ExportSpec(
        mask=False,
        connection=pg_nasty,
        out_dir=str(tmp_path / "parts"),
        tables=tables,
        partitions=4,
        workers=3,
        layout="folder",
        batch_rows=3_000,
    )
    assert export(single)[1] == JobStatus.COMPLETE
    assert export(parted)[1] == JobStatus.COMPLETE
    m = json.loads((tmp_path / "parts" / "manifest.json").read_text())
    assert m["snapshot"] == "one shared snapshot"
    for label in tables:
        files = [f for f in m["files"] if f["table"] == label]
        assert len(files) == 4 and all(f["path"].split("/")[-1].startswith("part-") for f in files)
        parts = pa.concat_tables(
            read_output(tmp_path / "parts" / f["path"], "parquet", None) for f in files
        )
        one_path = next(
            f
            for f in json.loads((tmp_path / "one" / "manifest.json").read_text())["files"]
            if f["table"] == label
        )
        one = read_output(tmp_path / "one" / one_path["path"], "parquet", None)
        key = [("id", "ascending")]
        assert parts.sort_by(key).equals(one.sort_by(key))
    assert verify_manifest(tmp_path / "parts") == []


@pytest.mark.mariadb
@pytest.mark.parametrize(
    ("fmt", "compression"), [("parquet", None), ("csv", None), ("jsonl", None), ("arrow", None)]
)
def test_mariadb_nasty_round_trips(mysql_url: str, tmp_path: Path, fmt, compression) -> None:
    from sqlalchemy.engine import make_url

    from tests.integration import nasty_mysql

    db = make_url(mysql_url).database
    nasty_mysql.build(db)
    src = open_source(mysql_url)
    tables = [t.ref.display() for t in src.list_tables(db) if t.kind != "view"]
    src.close()
    assert len(tables) >= 4, tables
    out = tmp_path / "out"
    spec = ExportSpec(
        mask=False,
        connection=mysql_url,
        out_dir=str(out),
        tables=tuple(tables),
        format=fmt,
        options=FormatOptions(compression=compression),
        partitions=2,
        batch_rows=500,
    )
    _, status = export(spec)
    assert status == JobStatus.COMPLETE
    manifest = json.loads((out / "manifest.json").read_text())
    for label in tables:
        want = source_table(mysql_url, label)
        files = [f for f in manifest["files"] if f["table"] == label]
        parts = [read_output(out / f["path"], fmt, want.schema) for f in files]
        keyed = want.num_rows and "id" in want.column_names
        if fmt == "jsonl":
            lines = [row for part in parts for row in part]
            got = sorted(lines, key=lambda r: r["id"]) if keyed else lines
            want = want.sort_by("id") if keyed else want
        elif fmt == "csv":
            got = pa.concat_tables(parts)
            rows = list(zip(*[c.to_pylist() for c in got.columns], strict=True))
            assert sorted(rows, key=repr) == sorted(as_text_rows(want), key=repr)
            continue
        else:
            got = pa.concat_tables(parts)
            if keyed:
                got, want = got.sort_by("id"), want.sort_by("id")
        check_round_trip(got, want, fmt)
    assert verify_manifest(out) == []


def test_sqlite_demo_round_trip_and_query_export(demo_db_file: str, tmp_path: Path) -> None:
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    url = f"sqlite:///{demo_db_file}"
    spec = ExportSpec(
        mask=False,
        connection=url,
        out_dir=str(out),
        tables=("products", "customers"),
        queries=(),
        format="parquet",
        partitions=3,
        workers=2,
    )
    from dte_desktop.core.export.spec import QuerySpec

    spec = ExportSpec(
        **{
            **spec.__dict__,
            "queries": (
                QuerySpec(
                    "big orders", "SELECT order_id, quantity FROM orders WHERE quantity > 17"
                ),
            ),
        },
    )
    _, status = export(spec)
    assert status == JobStatus.COMPLETE
    m = json.loads((out / "manifest.json").read_text())
    con = sqlite3.connect(demo_db_file)
    for table in ("products", "customers"):
        files = [f for f in m["files"] if f["table"] == table]
        got = pa.concat_tables(read_output(out / f["path"], "parquet", None) for f in files)
        assert got.num_rows == con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    q = next(f for f in m["files"] if f["table"] == "big orders")
    assert q["path"] == "big orders.parquet"
    got = read_output(out / q["path"], "parquet", None)
    assert sorted(got.column("order_id").to_pylist()) == [
        r[0]
        for r in con.execute("SELECT order_id FROM orders WHERE quantity > 17 ORDER BY order_id")
    ]
    assert verify_manifest(out) == []
