"""``dte risk`` figures on a table with planted small classes equal the truth counted
independently from every row and the same figures from exact SQL run on each engine
(PostgreSQL, MariaDB, SQLite), through the real CLI."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DTE = [sys.executable, "-m", "dte_desktop"]
QI = ("zip", "gender", "birth_year")


def _rows() -> list[tuple[Any, ...]]:
    """Big classes plus planted ones of size 1, 2 and 3, and a NULL QI."""
    rnd = random.Random(7)
    rows = []
    for i in range(300):
        rows.append((i, rnd.choice(["10115", "10117", "20095"]), rnd.choice("FM"),
                     rnd.choice([1970, 1980]), rnd.choice(["flu", "cold", "asthma"])))  # fmt: skip
    planted = [("99999", "F", 1931, "rare")] + [("88888", "M", 1942, "gout")] * 2
    planted += [("77777", "F", 1955, "flu"), ("77777", "F", 1955, "cold")]
    planted += [("77777", "F", 1955, "flu"), (None, "M", 1990, "flu")]
    for j, p in enumerate(planted):
        rows.append((1000 + j, *p))
    return rows


def _truth(rows: list[tuple[Any, ...]], k: int) -> dict[str, Any]:
    classes: Counter[tuple[Any, ...]] = Counter(r[1:4] for r in rows)
    sens: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for r in rows:
        sens[r[1:4]].add(r[4])
    n, c = len(rows), len(classes)
    below = [s for s in classes.values() if s < k]
    return {
        "rows": n,
        "classes": c,
        "k": min(classes.values()),
        "classes_below_k": len(below),
        "rows_below_k": sum(below),
        "smallest_classes": sorted(classes.values())[:10],
        "prosecutor_highest": 1 / min(classes.values()),
        "prosecutor_average": c / n,
        "marketer": c / n,
        "l_diversity": min(len(v) for v in sens.values()),
        "classes_below_l2": sum(1 for v in sens.values() if len(v) < 2),
    }


DDL = "CREATE TABLE people (id INTEGER PRIMARY KEY, zip VARCHAR(5), gender CHAR(1), " \
      "birth_year INTEGER, diagnosis VARCHAR(20))"  # fmt: skip


def _sql_truth(query: Callable[[str], list[tuple[Any, ...]]], k: int) -> dict[str, Any]:
    """The figures as plain SQL on the engine counts them: one CTE of the classes (NULL a
    value like any other, as GROUP BY has it), then sums and minimums over it; the ARX
    ratios from those counts."""
    cte = (
        "WITH c AS (SELECT zip, gender, birth_year, COUNT(*) AS n, "
        "COUNT(DISTINCT diagnosis) AS l FROM people GROUP BY zip, gender, birth_year) "
    )
    ((rows, classes, k_min, below_c, below_r, l_min, below_l2),) = query(
        cte + "SELECT (SELECT SUM(n) FROM c), (SELECT COUNT(*) FROM c), (SELECT MIN(n) FROM c), "
        f"(SELECT COUNT(*) FROM c WHERE n < {k}), "
        f"(SELECT COALESCE(SUM(n), 0) FROM c WHERE n < {k}), "
        "(SELECT MIN(l) FROM c), (SELECT COUNT(*) FROM c WHERE l < 2)"
    )
    rows, classes, k_min = int(rows), int(classes), int(k_min)
    smallest = [int(n) for (n,) in query(cte + "SELECT n FROM c ORDER BY n LIMIT 10")]
    return {
        "rows": rows,
        "classes": classes,
        "k": k_min,
        "classes_below_k": int(below_c),
        "rows_below_k": int(below_r),
        "share_below_k": int(below_r) / rows,
        "smallest_classes": smallest,
        "prosecutor_highest": 1 / k_min,
        "prosecutor_average": classes / rows,
        "prosecutor_records_at_risk": int(below_r) / rows,
        # no population table on a workstation: the table is its own population (ARX)
        "journalist_highest": 1 / k_min,
        "journalist_average": classes / rows,
        "marketer": classes / rows,
        "l_diversity": int(l_min),
        "classes_below_l2": int(below_l2),
    }


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DTE, *args], capture_output=True, text=True, timeout=180,
                          env=os.environ.copy())  # fmt: skip


def _check(url: str, query: Callable[[str], list[tuple[Any, ...]]], k: int = 3) -> None:
    rows = _rows()
    r = _run("risk", url, "people", "--qi", ",".join(QI), "--sensitive", "diagnosis",
             "--k", str(k), "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    want = _truth(rows, k)
    for key, value in want.items():
        assert got[key] == pytest.approx(value), key
    assert got["share_below_k"] == pytest.approx(want["rows_below_k"] / want["rows"])
    sql = _sql_truth(query, k)
    for key, value in want.items():  # the two truths agree
        assert sql[key] == pytest.approx(value), key
    for key, value in sql.items():
        assert got[key] == pytest.approx(value), key
    assert got["k"] == 1 and got["classes_below_k"] >= 3  # the planted classes are there
    # never a QI value in the output: only sizes and shares
    for planted in ("99999", "88888", "77777", "1931", "rare"):
        assert planted not in r.stdout


def test_risk_on_postgres(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql://", "postgresql://", 1)) as conn:
        conn.execute(DDL)
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO people VALUES (%s, %s, %s, %s, %s)", _rows())
    with psycopg.connect(pg_url) as conn:
        _check(pg_url, lambda sql: conn.execute(sql).fetchall())


def test_risk_on_mariadb(mysql_url: str) -> None:
    import pymysql

    db = mysql_url.rsplit("/", 1)[1]
    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database=db)
    try:
        with conn.cursor() as cur:
            cur.execute(DDL)
            cur.executemany("INSERT INTO people VALUES (%s, %s, %s, %s, %s)", _rows())
        conn.commit()

        def query(sql: str) -> list[tuple[Any, ...]]:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())

        _check(mysql_url, query)
    finally:
        conn.close()


def test_risk_on_sqlite_and_text_output(tmp_path: Path) -> None:
    path = tmp_path / "people.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(DDL)
        con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?)", _rows())
    url = f"sqlite:///{path}"
    with sqlite3.connect(path) as con:
        _check(url, lambda sql: con.execute(sql).fetchall(), k=5)
    r = _run("risk", url, "people", "--qi", "zip,gender,birth_year")
    assert r.returncode == 0, r.stderr
    assert "k = 1" in r.stdout and "prosecutor risk       highest 1.0000" in r.stdout


def test_risk_refuses_unknown_columns_and_audits(tmp_path: Path) -> None:
    path = tmp_path / "people.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(DDL)
        con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?)", _rows())
    url = f"sqlite:///{path}"
    r = _run("risk", url, "people", "--qi", "zip,gendr")
    assert r.returncode == 2 and "No column 'gendr' in people. Did you mean 'gender'?" in r.stderr
    r = _run("risk", url, "people", "--qi", "zip", "--sensitive", "zip")
    assert r.returncode == 2
    assert _run("risk", url, "people", "--qi", "zip").returncode == 0
    audit = json.loads(_run("audit", "list", "--action", "risk", "--json").stdout)
    assert len(audit) == 1 and audit[0]["details"]["k"] == 1


def test_masked_risk_counts_masked_values(tmp_path: Path) -> None:
    """Classified HRCI, the QIs are redacted in a masked export: every row then shares one
    class, except the row whose zip is NULL (redaction keeps NULL as NULL, so that row is
    still alone): the figures count the masked values, not the stored ones."""
    path = tmp_path / "people.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(DDL)
        con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?)", _rows())
    url = f"sqlite:///{path}"
    assert _run("connections", "add", "ppl", "--url", url).returncode == 0
    for col in QI:
        r = _run("classify", "ppl", "people", col, "--level", "HRCI")
        assert r.returncode == 0, r.stderr
    raw = json.loads(_run("risk", "ppl", "people", "--qi", "zip,gender,birth_year",
                          "--json").stdout)  # fmt: skip
    r = _run("risk", "ppl", "people", "--qi", "zip,gender,birth_year", "--masked", "--json")
    assert r.returncode == 0, r.stderr
    masked = json.loads(r.stdout)
    assert masked["masked"] is True and raw["masked"] is False
    assert masked["rows"] == raw["rows"] == len(_rows())
    assert raw["classes"] > 2 and raw["k"] == 1
    assert masked["classes"] == 2
    assert masked["smallest_classes"] == [1, len(_rows()) - 1]
