"""Data quality rules: every kind's pass/fail counts checked against SQL; the CLI path
(rules stored with a connection, ``dte profile --json --report``)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace

import psycopg
import pytest

from dte_desktop.cli import main
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.gate import PrivacyGate
from dte_desktop.core.privacy.policy import default_policy
from dte_desktop.core.profiling.rules import check_rule
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.registry import open_source
from tests.integration.profiling_helpers import PG_DDL, pg_ref

T = 'public."Mixed ""Case"" tbl"'

CASES = [
    ("not_null", "select", {}, 'SELECT count(*) FILTER (WHERE "select" IS NULL) FROM {t}'),
    ("unique", "category", {},
     "SELECT sum(n) FROM (SELECT count(*) n FROM {t} GROUP BY category HAVING count(*) > 1) d"),
    ("unique", "id", {}, "SELECT 0"),
    ("range", "select", {"min": 0, "max": 300},
     'SELECT count(*) FROM {t} WHERE "select" < 0 OR "select" > 300'),
    ("range", "d", {"min": "2005-01-01"}, "SELECT count(*) FROM {t} WHERE d < '2005-01-01'"),
    ("regex", "email", {"pattern": "^user[0-9]*1@"},
     "SELECT count(*) FROM {t} WHERE email !~ '^user[0-9]*1@'"),
    ("allowed", "category", {"values": ["red", "blue"]},
     "SELECT count(*) FROM {t} WHERE category NOT IN ('red', 'blue')"),
    ("referential", "select", {"table": "public.refs", "column": "k"},
     'SELECT count(*) FROM {t} WHERE "select" IS NOT NULL '
     'AND "select" NOT IN (SELECT k FROM refs)'),
]  # fmt: skip


def test_each_rule_kind_against_sql(pg_url) -> None:
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(PG_DDL)
        c.execute("CREATE TABLE refs (k int4); INSERT INTO refs SELECT generate_series(-50, 200)")
    src = open_source(pg_url)
    gate = PrivacyGate(replace(default_policy(), default_level=Level.PUBLIC), b"k" * 32)
    try:
        for kind, col, params, sql in CASES:
            res = check_rule(src, pg_ref(), kind, col, params, gate=gate)
            if col == "email":  # detected PII: its failing samples are masked, not raw
                assert res.samples and not any(str(v).startswith("user") for v in res.samples)
            with psycopg.connect(pg_url) as c:
                expected = c.execute(sql.format(t=T)).fetchone()[0] or 0
                checked_sql = (
                    f"SELECT count(*) FROM {T}"
                    if kind == "not_null"
                    else f'SELECT count("{col}") FROM {T}'
                )
                checked = c.execute(checked_sql).fetchone()[0]
            assert (res.failed, res.checked) == (expected, checked), (kind, col)
            assert res.passed == checked - expected and res.method == "sql"
            assert len(res.samples) == (0 if kind == "not_null" else min(5, expected)) or (
                kind in ("unique", "referential", "range", "allowed")
            )
    finally:
        src.close()


def test_sqlite_regex_is_evaluated_client_side(tmp_path) -> None:
    path = tmp_path / "r.sqlite"
    with sqlite3.connect(path) as con:
        con.execute('CREATE TABLE "t x" (code TEXT)')
        con.executemany(
            'INSERT INTO "t x" VALUES (?)',
            [(f"AB-{i:03d}" if i % 4 else f"bad{i}",) for i in range(400)] + [(None,)],
        )
    src = open_source(f"sqlite:///{path}")
    # codes are not secret: a policy showing unclassified columns shows the failing ones
    gate = PrivacyGate(replace(default_policy(), default_level=Level.PUBLIC), None)
    res = check_rule(src, TableRef(None, "t x"), "regex", "code", {"pattern": r"^[A-Z]{2}-\d{3}$"},
                     gate=gate)  # fmt: skip
    src.close()
    with sqlite3.connect(path) as con:
        bad = con.execute("SELECT count(*) FROM \"t x\" WHERE code LIKE 'bad%'").fetchone()[0]
    assert res.method == "client" and (res.checked, res.failed) == (400, bad)
    assert res.samples and all(s.startswith("bad") for s in res.samples)


def test_cli_profile_json_report_and_rules(tmp_path, capsys, demo_home) -> None:
    path = tmp_path / "c.sqlite"
    with sqlite3.connect(path) as con:
        con.execute('CREATE TABLE "select" (id INTEGER PRIMARY KEY, v REAL, s TEXT)')
        con.executemany(
            'INSERT INTO "select" VALUES (?,?,?)',
            [(i, i * 1.5, None if i % 3 == 0 else f"x{i % 5}") for i in range(1, 301)],
        )
    url = f"sqlite:///{path}"
    report = tmp_path / "r.html"
    # Unclassified columns are Confidential under the shipped policy (figures withheld);
    # the user's policy here says unclassified columns are Public, so figures are shown.
    overlay = tmp_path / "public.toml"
    overlay.write_text('version = 1\ndefault_level = "Public"\n', "utf-8")
    assert main(["policy", "set", str(overlay)]) == 0
    capsys.readouterr()
    assert main(["profile", url, '"select"', "--json", "--report", str(report)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "auto" and out["job_id"]
    t = out["tables"][0]
    assert t["table"] == "select" and t["row_count"] == 300
    for c in t["columns"]:
        for key in ("name", "type", "count", "nulls", "null_pct", "distinct", "distinct_approx",
                    "min", "max", "mean", "stddev", "quantiles", "histogram", "top_values",
                    "patterns", "pii", "classification"):  # fmt: skip
            assert key in c, key
    s = next(c for c in t["columns"] if c["name"] == "s")
    assert s["nulls"] == 100 and s["null_pct"] == pytest.approx(33.3333) and s["distinct"] == 5
    v = next(c for c in t["columns"] if c["name"] == "v")
    assert set(v["quantiles"]) == {"p1", "p5", "p25", "p50", "p75", "p95", "p99"}
    html = report.read_text("utf-8")
    assert "<svg" in html and "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?://""", html, re.I)
    assert "http://" not in html and "https://" not in html

    assert main(["rules", "add", url, '"select"', "range", "v", "--min", "0", "--max", "300",
                 "--json"]) == 0  # fmt: skip
    rule_id = json.loads(capsys.readouterr().out)["id"]
    assert main(["rules", "add", url, '"select"', "allowed", "s", "--values", "x1,x2"]) == 0
    capsys.readouterr()
    assert main(["rules", "list", url, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["rules", "check", url, '"select"', "--json"]) == 1  # the allowed rule fails
    results = {r["kind"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    with sqlite3.connect(path) as con:
        over = con.execute('SELECT count(*) FROM "select" WHERE v > 300').fetchone()[0]
        notin = con.execute(
            "SELECT count(*) FROM \"select\" WHERE s NOT IN ('x1','x2')"
        ).fetchone()[0]
    assert results["range"]["failed"] == over and results["allowed"]["failed"] == notin
    assert main(["rules", "remove", url, str(rule_id)]) == 0
