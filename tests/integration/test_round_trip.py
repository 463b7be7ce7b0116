"""Round trips of awkward values (issue 17), per engine and format: export, read the file
back with its own reader, compare every cell with the value the server holds. A value a
format cannot hold either fails its item with a clear message or is noted in the manifest.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.store import JobStatus, Store
from tests.conftest import pg_database
from tests.integration import awkward
from tests.integration.export_helpers import export
from tests.integration.roundtrip import decode, expected, read_rows, same

FORMATS = ["parquet", "arrow", "csv", "jsonl", "xlsx"]


@pytest.fixture(scope="module")
def pg_awkward():
    from sqlalchemy.engine import make_url

    with pg_database("dte_rt") as url:
        u = make_url(url)
        awkward.pg_build(f"host={u.host} port={u.port} user={u.username} dbname={u.database}")
        yield url


@pytest.fixture
def my_awkward(mysql_url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(mysql_url)
    awkward.my_build(
        {"host": u.host, "port": u.port, "user": u.username, "password": "", "database": u.database}
    )
    return mysql_url


def mismatches(
    rows: list[dict[str, Any]], want: list[dict[str, Any]], columns: dict, fmt: str
) -> list[str]:
    kinds = {"id": "int", **{n: kind for n, (_, kind, _) in columns.items()}}
    got = sorted(rows, key=lambda r: decode("int", fmt, r["id"]))
    assert len(got) == len(want)
    bad = []
    for g, w in zip(got, want, strict=True):
        assert list(g) == list(w), (list(g), list(w))
        for name, kind in kinds.items():
            should = expected(kind, fmt, w[name])
            try:
                have = decode(kind, fmt, g[name])
            except (AssertionError, ValueError, KeyError, TypeError) as exc:
                have = f"undecodable {g[name]!r}: {exc}"
            if not same(have, should):
                bad.append(f"row {w['id']} {name} ({kind}): got {have!r}, want {should!r}")
    return bad


def run_export(url: str, out: Path, fmt: str) -> tuple[int, JobStatus, dict[str, Any]]:
    label = "public" if url.startswith("postgresql") else None
    tables = ("awkward", "long_text") if label is None else ("public.awkward", "public.long_text")
    spec = ExportSpec(
        connection=url, out_dir=str(out), tables=tables, format=fmt, max_attempts=1, mask=False
    )
    job_id, status = export(spec)
    return job_id, status, json.loads((out / "manifest.json").read_text())


def check(url: str, out: Path, fmt: str, columns: dict, rows: int) -> None:
    job_id, status, manifest = run_export(url, out, fmt)
    by_table = {f["table"].split(".")[-1]: f for f in manifest["files"]}
    got = read_rows(out / by_table["awkward"]["path"], fmt)
    bad = mismatches(got, awkward.wanted(columns, rows), columns, fmt)
    assert bad == [], "\n".join(bad)
    if fmt == "xlsx":  # a cell Excel cannot hold fails its item, clearly; the rest is whole
        assert status == JobStatus.COMPLETE_WITH_ERRORS
        assert "long_text" not in by_table and manifest["status"] == "complete_with_errors"
        store = Store.open()
        errors = [e.message for e in store.list_errors(job_id)]
        store.close()
        assert len(errors) == 1 and "'body'" in errors[0] and "32,767" in errors[0], errors
    else:
        assert status == JobStatus.COMPLETE
        (long_row,) = read_rows(out / by_table["long_text"]["path"], fmt)
        assert long_row["body"] == awkward.LONG_TEXT and long_row["tail"] == "kept"
    notes = next(t for k, t in manifest["tables"].items() if k.endswith("awkward"))
    notes = notes.get("format_notes", {})
    floats = [n for n, (_, kind, _) in columns.items() if kind.startswith("float")]
    if fmt == "jsonl":  # how NaN/±inf are spelled, said where they are
        assert all("NaN" in notes[n] for n in floats), notes
    if fmt == "xlsx":
        stamps = [n for n, (_, kind, _) in columns.items() if kind == "timestamp"]
        assert all("millisecond" in notes[n] for n in stamps), notes
    if fmt in ("parquet", "arrow"):
        assert notes == {}
    if "tx" in columns:  # PostgreSQL's 24:00:00 is past Arrow's time of day: said so
        table = next(t for k, t in manifest["tables"].items() if k.endswith("awkward"))
        assert "24:00:00" in table["type_notes"]["tx"]
    if fmt == "xlsx":
        assert_excel_dates(out / by_table["awkward"]["path"], columns, rows)
    assert verify_manifest(out) == []


def assert_excel_dates(path: Path, columns: dict, rows: int) -> None:
    """A date Excel can hold is an Excel date (a date cell with a date format), not a
    serial number in General format nor ISO text; outside Excel's range it is ISO text."""
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    for name, (_, kind, values) in columns.items():
        if kind not in ("date", "timestamp", "timestamptz"):
            continue
        col = header.index(name) + 1
        for i in range(rows):
            want, cell = values[i][1], ws.cell(row=i + 2, column=col)
            if want is None:
                assert cell.value is None
            elif isinstance(want, dt.date):
                day = want.date() if isinstance(want, dt.datetime) else want
                if dt.date(1900, 3, 1) <= day:
                    assert cell.is_date and isinstance(cell.value, dt.datetime), (
                        name,
                        i,
                        cell.value,
                    )
                    assert "yy" in cell.number_format, (name, cell.number_format)
                else:
                    assert isinstance(cell.value, str), (name, i, cell.value)
            else:
                assert isinstance(cell.value, str), (name, i, cell.value)


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", FORMATS)
def test_postgres_awkward_values_round_trip(pg_awkward: str, tmp_path: Path, fmt: str) -> None:
    check(pg_awkward, tmp_path / "out", fmt, awkward.PG, awkward.PG_ROWS)


@pytest.mark.mariadb
@pytest.mark.parametrize("fmt", FORMATS)
def test_mariadb_awkward_values_round_trip(my_awkward: str, tmp_path: Path, fmt: str) -> None:
    check(my_awkward, tmp_path / "out", fmt, awkward.MY, awkward.MY_ROWS)


def nullable_of(manifest: dict[str, Any], label: str) -> dict[str, bool]:
    return {c["name"]: c["nullable"] for c in manifest["tables"][label]["schema"]}


@pytest.mark.postgres
def test_manifest_nullable_and_notes_come_from_the_catalog(pg_awkward: str, tmp_path) -> None:
    """NOT NULL primary keys are not nullable, in table and traced query columns; a NOT NULL
    column an outer join fills with NULLs is nullable; a query's traced columns have notes."""
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    from dte_desktop.core.export.spec import QuerySpec

    queries = (
        QuerySpec("traced", "SELECT id, d, t FROM awkward"),
        QuerySpec(
            "outer",
            "SELECT g AS n, a.id FROM generate_series(0, 5) g LEFT JOIN awkward a ON a.id = g",
        ),
        QuerySpec("computed", "SELECT ARRAY[1, 2] AS a, '12:00+01'::timetz AS z"),
    )
    spec = ExportSpec(
        connection=pg_awkward,
        out_dir=str(out),
        tables=("public.awkward",),
        queries=queries,
        mask=False,
    )
    assert export(spec)[1] == JobStatus.COMPLETE
    m = json.loads((out / "manifest.json").read_text())
    table = nullable_of(m, "public.awkward")
    assert table["id"] is False and table["t"] is True and table["ts"] is True
    assert nullable_of(m, "traced") == {"id": False, "d": True, "t": True}
    assert nullable_of(m, "outer") == {"n": True, "id": True}  # NULLs seen: not what it seems
    assert "infinity" in m["tables"]["traced"]["type_notes"]["d"]
    computed = m["tables"]["computed"]["type_notes"]  # untraced: the source's own notes
    assert "JSON array" in computed["a"] and "time zone" in computed["z"]


@pytest.mark.mariadb
def test_mariadb_manifest_nullable_from_the_catalog(my_awkward: str, tmp_path) -> None:
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    from dte_desktop.core.export.spec import QuerySpec

    spec = ExportSpec(
        connection=my_awkward,
        out_dir=str(out),
        tables=("awkward",),
        queries=(QuerySpec("traced", "SELECT id, tm FROM awkward"),),
        mask=False,
    )
    assert export(spec)[1] == JobStatus.COMPLETE
    m = json.loads((out / "manifest.json").read_text())
    label = next(k for k in m["tables"] if k.endswith("awkward"))
    table = nullable_of(m, label)
    assert table["id"] is False and table["tm"] is True
    assert nullable_of(m, "traced") == {"id": False, "tm": True}
    assert "TIME" in m["tables"]["traced"]["type_notes"]["tm"]


@pytest.mark.mariadb
def test_mariadb_geometry_is_the_same_wkb_from_a_query_and_a_table(my_awkward, tmp_path) -> None:
    """A raw query's geometry arrives with MySQL's 4-byte SRID prefix; a table export reads
    ST_AsBinary. Both must give the same standard WKB, and both say the SRID is dropped."""
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    from dte_desktop.core.export.spec import QuerySpec

    queries = (
        QuerySpec("traced", "SELECT id, g FROM awkward"),
        QuerySpec("expr", "SELECT 0 AS id, ST_GeomFromText('POINT(1.5 -2)', 4326) AS p"),
    )
    spec = ExportSpec(
        connection=my_awkward,
        out_dir=str(out),
        tables=("awkward",),
        queries=queries,
        mask=False,
    )
    assert export(spec)[1] == JobStatus.COMPLETE
    m = json.loads((out / "manifest.json").read_text())
    files = {f["table"].split(".")[-1]: out / f["path"] for f in m["files"]}
    by_id = {name: {r["id"]: r for r in read_rows(path, "parquet")} for name, path in files.items()}
    want = [awkward.WKB_POINT, awkward.WKB_LINE, None]
    assert [by_id["awkward"][i]["g"] for i in range(3)] == want
    assert [by_id["traced"][i]["g"] for i in range(3)] == want
    assert by_id["expr"][0]["p"] == awkward.WKB_POINT
    table_note = next(t for k, t in m["tables"].items() if k.endswith("awkward"))["type_notes"]
    assert "SRID" in table_note["g"]
    assert "SRID" in m["tables"]["traced"]["type_notes"]["g"]
    assert "SRID" in m["tables"]["expr"]["type_notes"]["p"]


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", ["jsonl", "xlsx", "csv"])
def test_masked_awkward_exports_stay_valid(pg_awkward: str, tmp_path: Path, fmt: str) -> None:
    """Masked values of JSON, TIME, decimal and float columns still make a valid file: strict
    JSON Lines, an XLSX openpyxl reads; a masked JSON document stays a string."""
    masked_export(pg_awkward, "public.awkward", tmp_path, fmt, awkward.PG_ROWS)


@pytest.mark.mariadb
@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_mariadb_masked_awkward_exports(my_awkward: str, tmp_path: Path, fmt: str) -> None:
    """decimal(38,10) and decimal(65,30) tokenized exactly (the masking ran out of Python's
    28-digit decimal context: 'precision 36 does not fit')."""
    masked_export(my_awkward, "awkward", tmp_path, fmt, awkward.MY_ROWS)


def masked_export(url: str, table: str, tmp_path: Path, fmt: str, n: int) -> None:
    out = tmp_path / "out"  # not tmp_path: the DTE_HOME lives there
    spec = ExportSpec(
        connection=url,
        out_dir=str(out),
        tables=(table,),
        format=fmt,
        max_attempts=1,
        mask=True,
    )
    job_id, status = export(spec)
    store = Store.open()
    errors = [e.message for e in store.list_errors(job_id)]
    store.close()
    assert status == JobStatus.COMPLETE, errors
    m = json.loads((out / "manifest.json").read_text())
    rows = read_rows(out / m["files"][0]["path"], fmt)
    assert len(rows) == n
    assert verify_manifest(out) == []


@pytest.mark.mariadb
def test_cli_preview_json_is_strict_and_shows_sql_time(my_awkward: str) -> None:
    """``dte preview --json`` follows the export's rules: strict JSON, TIME as SQL text."""
    import os
    import subprocess
    import sys

    from tests.integration.roundtrip import _no_constants

    r = subprocess.run(
        [sys.executable, "-m", "dte_desktop", "preview", my_awkward, "awkward", "--json"],
        capture_output=True, text=True, timeout=180, env=dict(os.environ),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout, parse_constant=_no_constants)
    names = [c["name"] for c in data["columns"]]
    tm = {row[names.index("id")]: row[names.index("tm")] for row in data["rows"]}
    ops = {c["name"]: c["operator"] for c in data["columns"]}
    if ops["tm"] in (None, "keep"):  # shown raw: the server's own text
        assert tm == {0: "-838:59:59", 1: "838:59:59", 2: "25:00:00.5"}
    else:  # masked: never Python's "-35 days, 1:00:01"
        assert not any("day" in str(v) for v in tm.values())
