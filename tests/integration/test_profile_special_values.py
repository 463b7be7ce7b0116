"""Every special value real tables hold, profiled in every mode on real PostgreSQL, MariaDB
and SQLite, each figure compared with the truth computed in Python from all rows
(``special_values.py``): NaN, ±Infinity, ±infinity and BC dates, years past 9999, zero
dates, BIT, TIME beyond a day, decimals of 38 digits and unconstrained numeric, money,
enums, mixed-type SQLite columns, empty and all-NULL columns.

Before the fix each of these tables failed whole (``column "inf" does not exist``,
``OverflowError: date value out of range``, ``could not convert string to float: b'\\x01'``,
``min_max … duration[us]``, ``Values must be unique and monotonically increasing``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from typing import Any

import psycopg
import pymysql
import pytest

from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.store import Store
from tests.integration.profiling_helpers import run_profile
from tests.integration.special_values import (
    MY_COLUMNS,
    PG_COLUMNS,
    PG_ENUM,
    SQ_COLUMNS,
    create_sql,
    insert_sql,
    truth,
)

MODES = ("pushdown", "auto", "stream")


@pytest.fixture
def store():
    s = Store.open()
    yield s
    s.close()


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, Decimal):
        return got is not None and Decimal(str(got)) == want
    if isinstance(want, float):
        return got == pytest.approx(want, rel=1e-12)
    return got == want


def check_profile(j: dict, columns: dict, *, may_fail: dict[str, str] | None = None) -> None:
    """Every figure the profile claims exact agrees with the truth; keys are never
    contradicted. ``may_fail``: columns that may carry an ``error`` (and why)."""
    may_fail = may_fail or {}
    rows = len(next(iter(columns.values()))[1])
    assert j["row_count"] == rows
    cols = {c["name"]: c for c in j["columns"]}
    for name, (_, cells) in columns.items():
        c, t = cols[name], truth(cells)
        where = f"{j['mode']}:{name}"
        if c["error"] is not None:
            assert name in may_fail and may_fail[name] in c["error"], (where, c["error"])
            assert {"column": name, "error": c["error"]} in j["errors"]
        assert (c["count"], c["nulls"]) == (t["count"], t["nulls"]), where
        assert c["special_values"] == t["special_values"], where
        withheld = not (c.get("masking") or {}).get("shown_raw", True)
        if withheld:  # the privacy gate withholds raw values of this column
            assert c["min"] is None and c["max"] is None, where
        elif "min" in t:
            assert _same(c["min"], t["min"]) and _same(c["max"], t["max"]), (
                where, c["min"], c["max"], t["min"], t["max"])  # fmt: skip
        else:
            assert c["min"] is None and c["max"] is None, where
        if "mean" in t and c["error"] is None and not withheld:
            assert c["mean"] == pytest.approx(t["mean"], rel=1e-9), where
        if c["distinct"] is not None and not c["distinct_approx"]:
            assert c["distinct"] == t["distinct"], where
        if "top_values" not in c["approximate"]:
            for top in c["top_values"]:
                label = top["value"]
                want = t["special_values"].get(label) if isinstance(label, str) else None
                if want is None:
                    want = next((n for val, n in t["value_counts"].items()
                                 if _same(top["value"], val)), None)  # fmt: skip
                assert top["count"] == want, (where, top)
        for fig in ("quantiles", "histogram"):
            text = json.dumps(c[fig])
            assert "NaN" not in text and "Infinity" not in text, (where, fig)
        if c["histogram"]:
            finite = rows - t["nulls"] - sum(t["special_values"].values())
            assert len(c["histogram"]) in (1, 20), where
            if "histogram" not in c["approximate"]:
                assert sum(b["count"] for b in c["histogram"]) == finite, where
    key = cols["id"]
    assert (key["distinct"], key["nulls"], key["distinct_approx"]) == (rows, 0, False)
    assert "id" in j["candidate_keys"] and j["duplicate_rows"] == 0
    for name in j["candidate_keys"]:
        t = truth(columns[name][1])
        assert t["nulls"] == 0 and t["distinct"] == rows, name  # no false key


def test_postgres_special_values_in_every_mode(pg_url, store) -> None:
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(PG_ENUM)
        c.execute(create_sql("special", PG_COLUMNS))
        c.execute(insert_sql("special", PG_COLUMNS))
        c.execute("CREATE TABLE empty_t (id int PRIMARY KEY, x float8, d date, s text)")
    src = open_source(pg_url)
    try:
        for mode in MODES:
            _, prof = run_profile(src, store, TableRef("public", "special"), mode=mode)
            check_profile(prof.to_json(), PG_COLUMNS)
            _, empty = run_profile(src, store, TableRef("public", "empty_t"), mode=mode)
            e = empty.to_json()
            assert e["row_count"] == 0 and e["errors"] == [] and e["duplicate_rows"] == 0
            assert all(c["distinct"] == 0 and c["min"] is None for c in e["columns"])
    finally:
        src.close()


def test_mariadb_special_values_in_every_mode(mysql_url, store) -> None:
    db = mysql_url.rsplit("/", 1)[1]
    conn = pymysql.connect(host="127.0.0.1", user="root", password="", database=db)
    with conn.cursor() as cur:
        cur.execute("SET SESSION sql_mode = ''")  # zero dates are only accepted so
        cur.execute(create_sql("special", MY_COLUMNS, "`"))
        cur.execute(insert_sql("special", MY_COLUMNS, "`"))
    conn.commit()
    conn.close()
    src = open_source(mysql_url)
    try:
        for mode in MODES:
            _, prof = run_profile(src, store, TableRef(db, "special"), mode=mode, partitions=2)
            check_profile(prof.to_json(), MY_COLUMNS)
    finally:
        src.close()


def test_sqlite_special_values_in_every_mode(tmp_path, store) -> None:
    path = tmp_path / "special.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(create_sql("special", SQ_COLUMNS))
        con.execute(insert_sql("special", SQ_COLUMNS))
    src = open_source(f"sqlite:///{path}")
    try:
        for mode in MODES:
            _, prof = run_profile(src, store, TableRef(None, "special"), mode=mode)
            # The stream reads through the source, which refuses a value that does not
            # fit the declared type: that column says so; its SQL figures stay exact.
            fail = {"i": "do not fit", "d": "do not fit"} if mode == "stream" else {}
            check_profile(prof.to_json(), SQ_COLUMNS, may_fail=fail)
    finally:
        src.close()


def _dte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dte_desktop", *args], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ))  # fmt: skip


def test_cli_reports_every_failure_on_stderr_and_in_json(tmp_path, pg_url) -> None:
    """A table that cannot be read and a column that cannot be streamed: both are printed
    on stderr and carried in --json ``errors``; the other tables and columns are profiled,
    the exit code is 1, and no job item is left ``running``."""
    path = tmp_path / "mixed.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(create_sql("special", SQ_COLUMNS))
        con.execute(insert_sql("special", SQ_COLUMNS))
        con.execute("CREATE TABLE gone (x INTEGER)")
        con.execute("CREATE VIEW broken AS SELECT x FROM gone")
        con.execute("DROP TABLE gone")
    r = _dte("profile", f"sqlite:///{path}", "special", "broken", "--mode", "stream", "--json")
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert [t["table"] for t in data["tables"]] == ["special"]
    check_profile(data["tables"][0], SQ_COLUMNS, may_fail={"i": "do not fit", "d": "do not fit"})
    by = {(e["table"], e["column"]): e["error"] for e in data["errors"]}
    assert {("special", "i"), ("special", "d")} <= set(by) and ("broken", None) in by
    assert "error: broken:" in r.stderr and "error: special column i:" in r.stderr
    assert "abc" not in r.stdout + r.stderr  # the offending value itself is never shown
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x WITH NO DATA")
    r = _dte("profile", pg_url, "public.mv", "--json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["tables"] == [] and "has not been populated" in data["errors"][0]["error"]
    assert "has not been populated" in r.stderr
    store = Store.open()
    try:
        for job in store.list_jobs(kind="profile"):
            assert all(i.status != "running" for i in store.list_items(job.id)), job
    finally:
        store.close()
