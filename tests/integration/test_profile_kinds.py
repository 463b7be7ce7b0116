"""Figures right in kind, in every mode (issue 16 b): auto decides on the exact row count
near its limit, enums order as declared, booleans agree across modes, naive timestamps
carry no offset, and a constant column gets the one histogram bin the README promises."""

from __future__ import annotations

import json

import psycopg
import pymysql
import pytest

from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.store import Store
from tests.integration.profiling_helpers import run_profile

MODES = ("pushdown", "auto", "stream")
N = 600


@pytest.fixture
def store():
    s = Store.open()
    yield s
    s.close()


def test_auto_profiles_exactly_one_million_rows_in_full(pg_url, store) -> None:
    """The catalog says 1,022,688 rows (a stale estimate), the table holds exactly
    1,000,000: that is not "above 1M", so nothing comes from the sample."""
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute("CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL)")
        c.execute(
            "INSERT INTO big SELECT g, (g::int8 * 7919) % 100003 FROM generate_series(1, 1000000) g"
        )
        c.execute("ANALYZE big")
        c.execute("UPDATE pg_class SET reltuples = 1022688 WHERE oid = 'big'::regclass")
        median = c.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM big"
        ).fetchone()[0]
    src = open_source(pg_url)
    try:
        assert next(t for t in src.list_tables("public") if t.ref.name == "big").estimated_rows \
            == 1022688  # fmt: skip
        _, prof = run_profile(src, store, TableRef("public", "big"), mode="auto")
    finally:
        src.close()
    j = prof.to_json()
    assert j["row_count"] == 1_000_000
    # Value shapes and PII come from the bounded sample in every mode; no figure does.
    assert set(j["approximate"]) <= {"patterns", "pii"}, j["approximate"]
    v = next(c for c in j["columns"] if c["name"] == "v")
    assert v["quantiles"]["p50"] == pytest.approx(median)


PG_KINDS = """
CREATE TYPE rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
CREATE TABLE kinds (id int PRIMARY KEY, rating rating, flag bool, ts timestamp,
  k int, d date);
INSERT INTO kinds SELECT g,
  (ARRAY['G', 'PG', 'PG-13', 'R', 'NC-17'])[1 + g % 5]::rating,
  g % 3 = 0, TIMESTAMP '2005-05-24 22:53:30' + g * INTERVAL '37 minutes', 7,
  DATE '2005-05-24' + g % 90
FROM generate_series(1, {n}) g;
"""
MY_KINDS = [
    "CREATE TABLE kinds (id INT PRIMARY KEY, rating ENUM('G','PG','PG-13','R','NC-17'), "
    "flag BOOL, ts DATETIME, k INT, d DATE)",
    "INSERT INTO kinds SELECT seq, ELT(1 + seq % 5, 'G', 'PG', 'PG-13', 'R', 'NC-17'), "
    "seq % 3 = 0, TIMESTAMPADD(MINUTE, seq * 37, '2005-05-24 22:53:30'), 7, "
    "DATE_ADD('2005-05-24', INTERVAL seq % 90 DAY) FROM seq_1_to_{n}",
]


def _check_kinds(profiles: dict[str, dict]) -> None:
    problems = []
    flags = {}
    for mode, j in profiles.items():
        cols = {c["name"]: c for c in j["columns"]}
        r = cols["rating"]
        if (r["min"], r["max"]) != ("G", "NC-17"):
            problems.append(f"{mode}: enum min/max {r['min']!r}/{r['max']!r}, want G/NC-17")
        flags[mode] = (cols["flag"]["min"], cols["flag"]["max"])
        for name in ("ts", "d"):
            text = json.dumps([cols[name]["min"], cols[name]["max"], cols[name]["quantiles"],
                               cols[name]["histogram"]])  # fmt: skip
            if "+00:00" in text or 'Z"' in text:
                problems.append(f"{mode}: naive {name} figures carry an offset: {text[:200]}")
        ts = cols["ts"]
        if ts["quantiles"] and not str(ts["quantiles"]["p50"]).startswith("2005-"):
            problems.append(f"{mode}: ts p50 {ts['quantiles']['p50']!r}")
        h = cols["k"]["histogram"]
        if not (len(h) == 1 and h[0]["count"] == N and h[0]["lo"] == h[0]["hi"] == 7):
            problems.append(f"{mode}: constant column histogram {h}")
    if len(set(flags.values())) != 1:
        problems.append(f"boolean min/max differ between modes: {flags}")
    if flags and next(iter(flags.values())) != (False, True):
        problems.append(f"boolean min/max {flags}, want False/True")
    assert not problems, "\n".join(problems)


def test_postgres_kinds_in_every_mode(pg_url, store) -> None:
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(PG_KINDS.format(n=N))
    src = open_source(pg_url)
    try:
        profiles = {
            m: run_profile(src, store, TableRef("public", "kinds"), mode=m)[1].to_json()
            for m in MODES
        }
    finally:
        src.close()
    _check_kinds(profiles)


def test_mariadb_kinds_in_every_mode(mysql_url, store) -> None:
    db = mysql_url.rsplit("/", 1)[1]
    conn = pymysql.connect(host="127.0.0.1", user="root", password="", database=db,
                           autocommit=True)  # fmt: skip
    with conn.cursor() as cur:
        for sql in MY_KINDS:
            cur.execute(sql.format(n=N))
    conn.close()
    src = open_source(mysql_url)
    try:
        profiles = {
            m: run_profile(src, store, TableRef(db, "kinds"), mode=m)[1].to_json() for m in MODES
        }
    finally:
        src.close()
    _check_kinds(profiles)


def test_sqlite_kinds_in_every_mode(tmp_path, store) -> None:
    """Sakila's SQLite port: BOOLEAN and DATETIME are declared types over integers and text;
    the enum is a CHECK, text order (so it is left out here)."""
    import sqlite3

    path = tmp_path / "kinds.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE kinds (id INTEGER PRIMARY KEY, rating TEXT, flag BOOLEAN, "
                    "ts DATETIME, k INTEGER, d DATE)")  # fmt: skip
        con.executemany(
            "INSERT INTO kinds VALUES (?, ?, ?, datetime('2005-05-24 22:53:30', ?), 7, "
            "date('2005-05-24', ?))",
            [(g, "G", int(g % 3 == 0), f"+{g * 37} minutes", f"+{g % 90} days")
             for g in range(1, N + 1)],
        )  # fmt: skip
    src = open_source(f"sqlite:///{path}")
    try:
        profiles = {
            m: run_profile(src, store, TableRef(None, "kinds"), mode=m)[1].to_json() for m in MODES
        }
    finally:
        src.close()
    for j in profiles.values():  # a text column: no declaration order to keep
        r = next(c for c in j["columns"] if c["name"] == "rating")
        r["min"], r["max"] = "G", "NC-17"
    _check_kinds(profiles)
