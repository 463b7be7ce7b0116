"""Profiling against real servers: every figure checked against the server's own SQL.

Conventions checked here (and documented in the README, "dte profile --json"): stddev is the sample
standard deviation (stddev_samp); quantiles are percentile_cont (linear interpolation);
approximate figures: distinct within 2 %, quantiles within the KLL rank error (k = 400:
0.65 % single-sided at 99 % confidence; 2 % is asserted).
"""

from __future__ import annotations

import math

import numpy as np
import psycopg
import pytest

from dte_desktop.core.jobs.events import ItemProgress
from dte_desktop.core.profiling import pushdown
from dte_desktop.core.profiling.stream import ProfileCancelled
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.store import ItemStatus, JobStatus, Store
from tests.integration.profiling_helpers import (
    PG_DDL,
    PG_ROWS,
    comparable,
    percentile_cont,
    pg_ref,
    rank_error,
    run_profile,
)

NUMERIC_COLS = ["id", "select", "amount", "score"]


@pytest.fixture
def pg(pg_url):
    with psycopg.connect(pg_url.replace("postgresql://", "postgresql://", 1), autocommit=True) as c:
        c.execute(PG_DDL)
        c.execute("ANALYZE")
    src = open_source(pg_url)
    yield pg_url, src
    src.close()


@pytest.fixture
def store():
    s = Store.open()
    yield s
    s.close()


def _sql(url: str, sql: str):
    with psycopg.connect(url) as c:
        return c.execute(sql).fetchall()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


T = 'public."Mixed ""Case"" tbl"'


def _exact(url: str, col: str) -> dict:
    c = _q(col)
    row = _sql(url, f"SELECT count(*), count({c}), count(DISTINCT {c}::text) FROM {T}")[0]
    return {"count": row[0], "nn": row[1], "distinct": row[2]}


def _numbers(url: str, col: str) -> np.ndarray:
    rows = _sql(url, f"SELECT {_q(col)}::float8 FROM {T} WHERE {_q(col)} IS NOT NULL")
    return np.array([r[0] for r in rows], dtype=np.float64)


def test_pushdown_matches_postgres_sql(pg, store) -> None:
    url, src = pg
    _, prof = run_profile(src, store, pg_ref(), mode="pushdown")
    assert prof.row_count == PG_ROWS
    j = prof.to_json()
    cols = {c["name"]: c for c in j["columns"]}
    assert set(cols) == {"id", "select", "amount", "score", "naïve ünïcode", "email",
                         "category", "flag", "d", "ts", "doc", "arr", "blob", "uid"}  # fmt: skip
    for name, c in cols.items():
        ex = _exact(url, name)
        assert (c["count"], c["nulls"]) == (ex["count"], ex["count"] - ex["nn"]), name
        assert c["distinct"] == ex["distinct"] and c["distinct_approx"] is False, name
    for name in NUMERIC_COLS:
        c = cols[name]
        mn, mx, avg, sd, zeros, neg = _sql(url, (
            f"SELECT min({_q(name)})::float8, max({_q(name)})::float8, avg({_q(name)})::float8, "
            f"stddev_samp({_q(name)})::float8, count(*) FILTER (WHERE {_q(name)} = 0), "
            f"count(*) FILTER (WHERE {_q(name)} < 0) FROM {T}"))[0]  # fmt: skip
        assert (c["min"], c["max"]) == pytest.approx((mn, mx)), name
        assert c["mean"] == pytest.approx(avg, rel=1e-9) and c["stddev"] == pytest.approx(
            sd, rel=1e-9
        )
        assert (c["zeros"], c["negatives"]) == (zeros, neg)
        exact_q = _sql(url, f"SELECT percentile_cont(ARRAY[0.01,0.05,0.25,0.5,0.75,0.95,0.99]) "
            f"WITHIN GROUP (ORDER BY {_q(name)}::float8) FROM {T}")[0][0]  # fmt: skip
        assert list(c["quantiles"].values()) == pytest.approx(exact_q, rel=1e-9), name
        assert sum(b["count"] for b in c["histogram"]) == c["count"] - c["nulls"]
        assert len(c["histogram"]) == 20
        top = _sql(url, f"SELECT {_q(name)}::float8, count(*) FROM {T} "
                        f"WHERE {_q(name)} IS NOT NULL "
                        f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10")  # fmt: skip
        if name == "id":  # the primary key: every value occurs once, nothing worth listing
            assert c["top_values"] == [] and "primary key" in " ".join(c["notes"])
        else:
            assert [(float(t["value"]), t["count"]) for t in c["top_values"]] == top
        lo, hi = c["outliers"]["lo_fence"], c["outliers"]["hi_fence"]
        n_lo, n_hi = _sql(url, f"SELECT count(*) FILTER (WHERE {_q(name)} < {lo}), count(*) "
                               f"FILTER (WHERE {_q(name)} > {hi}) FROM {T}")[0]  # fmt: skip
        assert (c["outliers"]["low"], c["outliers"]["high"]) == (n_lo, n_hi)
    text = cols["naïve ünïcode"]
    mn, mx, lmin, lmax, lavg = _sql(url, f'SELECT min("naïve ünïcode"), max("naïve ünïcode"), '
        f'min(length("naïve ünïcode")), max(length("naïve ünïcode")), '
        f'avg(length("naïve ünïcode"))::float8 FROM {T}')[0]  # fmt: skip
    assert (text["min"], text["max"]) == (mn, mx)
    assert text["length"]["min"] == lmin and text["length"]["max"] == lmax
    assert text["length"]["mean"] == pytest.approx(lavg)
    assert text["patterns"][0]["pattern"].startswith("Aaa 9")
    d = cols["d"]
    mn, mx = _sql(url, f"SELECT min(d)::text, max(d)::text FROM {T}")[0]
    assert (d["min"], d["max"]) == (mn, mx)
    assert d["quantiles"]["p50"] == _sql(url, f"SELECT (DATE '1970-01-01' + percentile_cont(0.5) "
        f"WITHIN GROUP (ORDER BY d - DATE '1970-01-01') * INTERVAL '1 day')::date::text "
        f"FROM {T}")[0][0]  # fmt: skip
    assert cols["email"]["pii"]["type"] == "email"
    assert cols["email"]["classification"] == "Confidential"
    assert cols["email"]["min"] is None  # raw PII values are withheld
    assert cols["category"]["classification"] == "Public" and cols["category"]["pii"] is None
    cat = {t["value"]: t["count"] for t in cols["category"]["top_values"]}
    assert cat == dict(_sql(url, f"SELECT category, count(*) FROM {T} GROUP BY 1"))
    keys = [n for n in cols if _exact(url, n)["distinct"] == _exact(url, n)["nn"] == PG_ROWS]
    assert j["candidate_keys"] == keys and {"id", "email", "blob", "uid"} <= set(keys)
    assert j["duplicate_rows"] == 0
    assert j["mode"] == "pushdown" and "approximate" in j


def test_stream_matches_postgres_sql_within_sketch_error(pg, store) -> None:
    url, src = pg
    _, prof = run_profile(src, store, pg_ref(), mode="stream", partitions=3)
    assert prof.row_count == PG_ROWS
    cols = {c.name: c for c in prof.columns}
    for name, c in cols.items():
        ex = _exact(url, name)
        assert (c.count, c.nulls) == (ex["count"], ex["count"] - ex["nn"]), name
        if c.pii is None and c.kind not in ("binary", "nested"):
            assert c.distinct is not None
        if c.distinct is not None:
            assert abs(c.distinct - ex["distinct"]) <= 0.02 * ex["distinct"], name
    for name in NUMERIC_COLS:
        c, v = cols[name], _numbers(url, name)
        assert (float(c.min), float(c.max)) == (v.min(), v.max())
        assert c.mean == pytest.approx(v.mean(), rel=1e-9)
        assert c.stddev == pytest.approx(v.std(ddof=1), rel=1e-9)
        assert rank_error(v, c.quantiles) <= 0.02, name
        assert abs(sum(b["count"] for b in c.histogram) - v.size) <= 0.02 * v.size
    assert {t["value"]: t["count"] for t in cols["category"].top_values} == dict(
        _sql(url, f"SELECT category, count(*) FROM {T} GROUP BY 1")
    )
    assert cols["email"].pii["type"] == "email"


def test_auto_on_a_large_table_uses_estimates_within_two_percent(pg, store, monkeypatch) -> None:
    url, src = pg
    monkeypatch.setattr(pushdown, "HASH_TARGET", 1000)  # hashes ~1/3 of the 3,000 ids
    _, prof = run_profile(src, store, pg_ref(), mode="auto", exact_limit=500, sample_rows=1000)
    cols = {c.name: c for c in prof.columns}
    # The primary key proves id's count exactly; an estimate never contradicts a key.
    assert cols["id"].distinct == PG_ROWS and not cols["id"].distinct_approx
    assert cols["email"].distinct_approx and "distinct" in cols["email"].approximate
    for name in ("id", "score", "email"):
        ex = _exact(url, name)["distinct"]
        assert abs(cols[name].distinct - ex) <= 0.05 * ex, name
    assert cols["category"].distinct == 3 and not cols["category"].distinct_approx
    assert "quantiles" in cols["score"].approximate  # from the sample above exact_limit
    assert rank_error(_numbers(url, "score"), cols["score"].quantiles) <= 0.05
    assert prof.duplicate_rows == 0  # the primary key proves it, even above exact_limit


def test_a_stopped_stream_profile_resumes_to_the_same_result(pg, store) -> None:
    url, src = pg
    _, whole = run_profile(src, store, pg_ref(), mode="stream", partitions=4)
    finished = []

    def on_event(ev: object) -> None:  # a finished partition (the job's progress events too)
        if isinstance(ev, ItemProgress) and ev.status == "done" and "#" in ev.key:
            finished.append(ev)

    with pytest.raises(ProfileCancelled):
        run_profile(src, store, pg_ref(), mode="stream", partitions=4, on_event=on_event,
                    should_stop=lambda: len(finished) >= 2)  # fmt: skip
    job = store.list_jobs(kind="profile")[0]
    assert job.status == JobStatus.CANCELLED
    items = {i.key: i for i in store.list_items(job.id)}
    done = [k for k, i in items.items() if "#" in k and i.status == ItemStatus.DONE]
    assert len(done) == 2 and all(items[k].checkpoint.get("columns") for k in done)
    _, resumed = run_profile(src, store, pg_ref(), mode="stream", partitions=4, job_id=job.id)
    assert any("resumed: 2 partition" in n for n in resumed.notes)
    a, b = comparable(resumed.to_json()), comparable(whole.to_json())
    # KLL compaction flips coins (datasketches does not expose its seed), so two runs, resumed
    # or not, agree on KLL-derived figures only within the rank error; all else is identical.
    kll_figures = ("quantiles", "histogram", "outliers")
    for ca, cb in zip(a.pop("columns"), b.pop("columns"), strict=True):
        if ca["quantiles"] is not None and ca["kind"] == "numeric":
            v = _numbers(url, ca["name"])
            assert rank_error(v, ca["quantiles"]) <= 0.02 and rank_error(v, cb["quantiles"]) <= 0.02
        diff = [k for k in ca if ca[k] != cb[k] and k not in kll_figures]
        assert not diff, [(k, ca[k], cb[k]) for k in diff]
    assert a == b
    assert store.get_job(job.id).status == JobStatus.COMPLETE


def test_profile_is_audited_and_persisted(pg, store) -> None:
    from dte_desktop.core.audit import AuditLog

    _, src = pg
    job, prof = run_profile(src, store, pg_ref(), mode="auto", connection="pgconn")
    rec = AuditLog(store).records(action="profile")[-1]
    assert rec.object == prof.table and rec.connection == "pgconn"
    assert f'"job_id":{job}' in rec.details and f'"row_count":{PG_ROWS}' in rec.details
    saved = store.list_profiles("pgconn", prof.table)
    assert saved and saved[0].job_id == job and saved[0].result["row_count"] == PG_ROWS


def test_mariadb_pushdown_and_stream_match_sql(mysql_url, store) -> None:
    import pymysql

    db = mysql_url.rsplit("/", 1)[1]
    conn = pymysql.connect(host="127.0.0.1", user="root", password="", database=db)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE `we``ird tbl` (id INT PRIMARY KEY, `select` INT, "
                    "`prix €` DECIMAL(10,2), name VARCHAR(40), d DATE, j JSON)")  # fmt: skip
        rows = [(i, None if i % 7 == 0 else (i * 31) % 200 - 50,
                 None if i % 9 == 0 else round((i * 7919 % 10000) / 3, 2),
                 f"Name {i % 23}", f"2001-{1 + i % 12:02d}-{1 + i % 28:02d}",
                 f'{{"a": {i % 4}}}') for i in range(1, 1501)]  # fmt: skip
        cur.executemany("INSERT INTO `we``ird tbl` VALUES (%s,%s,%s,%s,%s,%s)", rows)
    conn.commit()
    src = open_source(mysql_url)
    from dte_desktop.core.sources.base import TableRef

    ref = TableRef(db, "we`ird tbl")
    for mode in ("pushdown", "stream"):
        _, prof = run_profile(src, store, ref, mode=mode, partitions=2)
        cols = {c.name: c for c in prof.columns}
        with conn.cursor() as cur:
            for name in ("id", "select", "prix €"):
                q = "`" + name + "`"
                cur.execute(f"SELECT count(*), count({q}), count(DISTINCT {q}), min({q}), max({q}),"
                            f" avg({q}), stddev_samp({q}) FROM `we``ird tbl`")  # fmt: skip
                n, nn, dist, mn, mx, avg, sd = cur.fetchone()
                c = cols[name]
                assert (c.count, c.nulls) == (n, n - nn), (mode, name)
                assert c.distinct == pytest.approx(dist, rel=0.02 if c.distinct_approx else 0)
                assert (float(c.min), float(c.max)) == (float(mn), float(mx))
                assert c.mean == pytest.approx(float(avg), rel=1e-6)
                assert c.stddev == pytest.approx(float(sd), rel=1e-6)
                cur.execute(f"SELECT {q} FROM `we``ird tbl` WHERE {q} IS NOT NULL")
                v = np.array([float(r[0]) for r in cur.fetchall()])
                if mode == "pushdown":
                    assert c.quantiles == pytest.approx(percentile_cont(v), rel=1e-9)
                else:
                    assert rank_error(v, c.quantiles) <= 0.02
            cur.execute("SELECT name, count(*) FROM `we``ird tbl` GROUP BY name "
                        "ORDER BY 2 DESC, 1 LIMIT 10")  # fmt: skip
            top = cur.fetchall()
        assert [(t["value"], t["count"]) for t in cols["name"].top_values] == list(top)
        assert cols["d"].min == "2001-01-01"  # ISO text in every mode (any year)
        assert prof.candidate_keys == ["id"]
    conn.close()
    src.close()


def test_sqlite_nasty_identifiers(tmp_path, store) -> None:
    import sqlite3

    path = tmp_path / "nasty.sqlite"
    with sqlite3.connect(path) as con:
        con.execute('CREATE TABLE "Mixed ""Case"" tbl" ("select" INTEGER, "名前" TEXT, '
                    '"a b" REAL, "when" DATE)')  # fmt: skip
        con.executemany('INSERT INTO "Mixed ""Case"" tbl" VALUES (?,?,?,?)', [
            (None if i % 5 == 0 else i % 50, f"名{i % 7}", i / 3.0, f"2020-01-{1 + i % 28:02d}")
            for i in range(2000)])  # fmt: skip
    src = open_source(f"sqlite:///{path}")
    from dte_desktop.core.sources.base import TableRef

    ref = TableRef(None, 'Mixed "Case" tbl')
    with sqlite3.connect(path) as con:
        n, nn, dist, mn, mx, avg = con.execute(
            'SELECT count(*), count("select"), count(DISTINCT "select"), min("select"), '
            'max("select"), avg("select") FROM "Mixed ""Case"" tbl"').fetchone()  # fmt: skip
        vals = np.array(
            [
                r[0]
                for r in con.execute(
                    'SELECT "select" FROM "Mixed ""Case"" tbl" WHERE "select" IS NOT NULL'
                )
            ],
            float,
        )
    for mode in ("pushdown", "stream", "auto"):
        _, prof = run_profile(src, store, ref, mode=mode, partitions=3)
        c = prof.column("select")
        assert (c.count, c.nulls, c.distinct) == (n, n - nn, dist), mode
        assert (c.min, c.max) == (mn, mx) and c.mean == pytest.approx(avg)
        assert c.stddev == pytest.approx(vals.std(ddof=1), rel=1e-9)
        if mode == "stream":
            assert rank_error(vals, c.quantiles) <= 0.02
        else:
            assert c.quantiles == pytest.approx(percentile_cont(vals))
        assert prof.column("名前").distinct == 7
        assert (
            prof.column("when").max == "2020-01-28" or str(prof.column("when").max) == "2020-01-28"
        )
        assert not math.isnan(prof.column("a b").mean)
    src.close()


def test_demo_database_profile(demo_db_file, store) -> None:
    src = open_source(f"sqlite:///{demo_db_file}")
    from dte_desktop.core.sources.base import TableRef

    _, prof = run_profile(src, store, TableRef(None, "customers"), mode="auto", sample_rows=5000)
    import sqlite3

    with sqlite3.connect(demo_db_file) as con:
        n = con.execute("SELECT count(*) FROM customers").fetchone()[0]
        dist = con.execute("SELECT count(DISTINCT state) FROM customers").fetchone()[0]
    assert prof.row_count == n and prof.column("state").distinct == dist
    assert prof.column("ssn").pii["type"] == "ssn" and prof.column("ssn").classification == "HRCI"
    assert prof.column("email").pii["type"] == "email"
    assert "customer_id" in prof.candidate_keys
    src.close()
