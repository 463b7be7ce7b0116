"""Every reason a sampled row carries is a claim, checked here against SQL on the engine:
"amount min" means the row's amount *is* the minimum, "p99" that it lies at or above the
99th percentile, "iqr_high" above the upper fence, "rare_null" that the value is NULL.

Pagila/Sakila-like ``rental`` and ``payment`` tables on PostgreSQL and MariaDB, with what
broke the claims before: many rows tied at the extremes, one row at the extremes of several
columns, a constant column (min = max), NULLs, and a min held by few rows next to a value
held by many (``0.00`` vs ``0.99``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import psycopg
import pymysql
import pytest
from sqlalchemy.engine import make_url

from dte_desktop.core.app import bootstrap
from dte_desktop.core.privacy.labels import classify
from dte_desktop.core.sampling import SampleSpec, run_sample
from dte_desktop.core.sampling.spec import DEFAULT_DISTRIBUTION
from dte_desktop.core.sources.base import TableRef

N_RENTAL, N_PAYMENT = 4000, 6000
AMOUNTS = [Decimal(x) for x in ("0.99", "2.99", "4.99", "0.99", "1.99", "3.99", "5.99")]
LAST_UPDATE = dt.datetime(2006, 2, 15, 21, 30, 53)  # the same in every row, as in Sakila

RENTAL = ("rental", ["rental_id", "rental_date", "inventory_id", "customer_id", "return_date",
                     "staff_id", "last_update"])  # fmt: skip
PAYMENT = ("payment", ["payment_id", "customer_id", "staff_id", "rental_id", "amount",
                       "payment_date"])  # fmt: skip


def _rentals() -> list[tuple]:
    base = dt.datetime(2005, 5, 24, 22, 53, 30)
    rows = []
    for i in range(1, N_RENTAL + 1):
        # Rental dates come in bursts: 40 rows share each timestamp, the first and last too.
        when = base + dt.timedelta(hours=(i - 1) // 40)
        ret = None if i % 97 == 0 else when + dt.timedelta(days=1 + i % 9)
        rows.append((i, when, 1 + (i * 37) % 4581, 1 + (i * 13) % 599, ret, 1 + i % 2,
                     LAST_UPDATE))  # fmt: skip
    # Row 2 holds the extremes of two columns (inventory_id min and customer_id max).
    rows[1] = (2, rows[1][1], 0, 600, rows[1][4], 1, LAST_UPDATE)
    return rows


def _payments() -> list[tuple]:
    base = dt.datetime(2005, 5, 25, 11, 30, 37)
    rows = []
    for i in range(1, N_PAYMENT + 1):
        amount = AMOUNTS[i % len(AMOUNTS)]
        if i in (17, 4100, 5999):
            amount = Decimal("0.00")  # the minimum, held by three rows among many at 0.99
        if i in (3, 3333):
            amount = Decimal("11.99")
        rental = None if i % 150 == 0 else 1 + i % N_RENTAL
        rows.append((i, 1 + i % 599, 1 + i % 2, rental, amount,
                     base + dt.timedelta(minutes=i * 7 // 3)))  # fmt: skip
    return rows


PG_DDL = """
CREATE TABLE rental (rental_id int PRIMARY KEY, rental_date timestamp NOT NULL,
  inventory_id int NOT NULL, customer_id smallint NOT NULL, return_date timestamp,
  staff_id smallint NOT NULL, last_update timestamp NOT NULL);
CREATE TABLE payment (payment_id int PRIMARY KEY, customer_id smallint NOT NULL,
  staff_id smallint NOT NULL, rental_id int, amount numeric(5,2) NOT NULL,
  payment_date timestamp NOT NULL);
"""
MY_DDL = [
    "CREATE TABLE rental (rental_id INT PRIMARY KEY, rental_date DATETIME NOT NULL, "
    "inventory_id MEDIUMINT UNSIGNED NOT NULL, customer_id SMALLINT UNSIGNED NOT NULL, "
    "return_date DATETIME, staff_id TINYINT UNSIGNED NOT NULL, last_update TIMESTAMP NOT NULL)",
    "CREATE TABLE payment (payment_id SMALLINT UNSIGNED PRIMARY KEY, customer_id SMALLINT "
    "UNSIGNED NOT NULL, staff_id TINYINT UNSIGNED NOT NULL, rental_id INT, amount "
    "DECIMAL(5,2) NOT NULL, payment_date DATETIME NOT NULL)",
]


def _insert(cur: Any, table: tuple[str, list[str]], rows: list[tuple]) -> None:
    name, cols = table
    cur.executemany(
        f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})", rows
    )


class Truth:
    """Figures straight from SQL, to hold each claim against."""

    def __init__(self, run: Any, family: str, table: str, key: str) -> None:
        self.run, self.family, self.table, self.key = run, family, table, key

    def one(self, sql: str) -> Any:
        return self.run(sql)[0][0]

    def value(self, pk: Any, col: str) -> Any:
        return self.one(f"SELECT {col} FROM {self.table} WHERE {self.key} = {int(pk)}")

    def extreme(self, fn: str, col: str) -> Any:
        return self.one(f"SELECT {fn}({col}) FROM {self.table}")

    def pct(self, p: float, col: str) -> Any:
        if self.family == "pg":
            return self.one(f"SELECT percentile_disc({p}) WITHIN GROUP (ORDER BY {col}) "
                            f"FROM {self.table}")  # fmt: skip
        return self.one(f"SELECT DISTINCT percentile_disc({p}) WITHIN GROUP (ORDER BY {col}) "
                        f"OVER () FROM {self.table} WHERE {col} IS NOT NULL")  # fmt: skip


PCT = {"p1": 0.01, "p25": 0.25, "p75": 0.75, "p99": 0.99}


def _num(v: Any) -> float:
    return float(v.timestamp()) if isinstance(v, dt.datetime) else float(v)


def check_claim(truth: Truth, pk: Any, reason: dict[str, Any]) -> str | None:
    """None when the reason holds for row ``pk``, else what is wrong."""
    strategy, why, col = reason.get("strategy"), reason.get("why"), reason.get("column")
    if strategy == "random":
        return None
    if strategy == "risk":
        return None if reason.get("score", 0) > 0 else "risk score not positive"
    v = truth.value(pk, col) if col else None
    bad = f"{truth.table}.{col} of {pk} = {v!r} is not {why}"
    if strategy == "boundary":
        if v is None:
            return bad + " (NULL)"
        if why in ("min", "max"):
            return None if v == truth.extreme(why, col) else bad + f" ({truth.extreme(why, col)})"
        edge = truth.pct(PCT[why], col)
        ok = v <= edge if why in ("p1", "p25") else v >= edge
        return None if ok else bad + f" (edge {edge!r})"
    if strategy == "anomaly":
        if why == "rare_null":
            return None if v is None else bad
        if why in ("iqr_high", "iqr_low"):
            p25, p75 = _num(truth.pct(0.25, col)), _num(truth.pct(0.75, col))
            hi, lo = p75 + 1.5 * (p75 - p25), p25 - 1.5 * (p75 - p25)
            ok = v is not None and (_num(v) > hi if why == "iqr_high" else _num(v) < lo)
            return None if ok else bad + f" (fences {lo}, {hi})"
        if why == "zscore":
            mean = _num(truth.extreme("avg", col))
            sd = _num(truth.extreme("stddev_samp", col))
            return None if v is not None and abs(_num(v) - mean) > 3 * sd else bad
    return f"unchecked reason {reason}"


def _claims(lineage: list[dict[str, Any]], key: str) -> list[tuple[Any, dict[str, Any]]]:
    out = []
    for item in lineage:
        main = {k: x for k, x in item.items() if k not in ("key", "also")}
        out += [(item["key"][key], r) for r in [main, *item.get("also", [])]]
    return out


SPECS = [
    {"boundary": 70, "anomaly": 20, "random": 10},
    {"boundary": 100},
    dict(DEFAULT_DISTRIBUTION),
]


def _check_all(ctx: Any, conn: str, schema: str, run: Any, family: str) -> None:
    problems: list[str] = []
    for table, key in (("rental", "rental_id"), ("payment", "payment_id")):
        truth = Truth(run, family, table, key)
        for i, dist in enumerate(SPECS):
            spec = SampleSpec(conn, f"{schema}.{table}", 60, dist, seed=7 + i)
            lineage = run_sample(ctx, spec).to_json()["lineage"]
            claims = _claims(lineage, key)
            assert sum(r["strategy"] == "boundary" for _, r in claims) >= 6, lineage
            problems += [p for pk, r in claims if (p := check_claim(truth, pk, r))]
    assert not problems, f"{len(problems)} false claims:\n" + "\n".join(problems[:30])


def test_postgres_sample_reasons_hold(pg_url) -> None:
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(PG_DDL)
        with c.cursor() as cur:
            _insert(cur, RENTAL, _rentals())
            _insert(cur, PAYMENT, _payments())
        c.execute("ANALYZE")
    ctx = bootstrap(demo=False)
    try:
        ctx.store.save_connection("pg", pg_url)
        for t in ("rental", "payment"):
            classify(ctx.store, "pg", TableRef("public", t), None, "Public")
        with psycopg.connect(pg_url, autocommit=True) as c:
            _check_all(ctx, "pg", "public", lambda sql: c.execute(sql).fetchall(), "pg")
    finally:
        ctx.close()


def test_mariadb_sample_reasons_hold(mysql_url) -> None:
    u = make_url(mysql_url)
    conn = pymysql.connect(host=u.host, port=u.port, user=u.username, password="",
                           database=u.database, autocommit=True)  # fmt: skip
    ctx = bootstrap(demo=False)
    try:
        with conn.cursor() as cur:
            for ddl in MY_DDL:
                cur.execute(ddl)
            _insert(cur, RENTAL, _rentals())
            _insert(cur, PAYMENT, _payments())
        ctx.store.save_connection("my", mysql_url)
        for t in ("rental", "payment"):
            classify(ctx.store, "my", TableRef(u.database, t), None, "Public")

        def run(sql: str) -> list[tuple]:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())

        _check_all(ctx, "my", u.database, run, "my")
    finally:
        ctx.close()
        conn.close()


@pytest.mark.parametrize("why", ["min", "max"])
def test_claim_checker_catches_a_false_extreme(pg_url, why: str) -> None:
    """The checker itself fails on a wrong claim (guards the test against passing vacuously)."""
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(PG_DDL)
        with c.cursor() as cur:
            _insert(cur, PAYMENT, _payments())
        truth = Truth(lambda sql: c.execute(sql).fetchall(), "pg", "payment", "payment_id")
        reason = {"strategy": "boundary", "column": "amount", "why": why}
        assert check_claim(truth, 1, reason) is not None  # 1: amount 2.99, neither extreme
        assert check_claim(truth, 17 if why == "min" else 3, reason) is None
