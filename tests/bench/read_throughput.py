"""Read throughput of the PostgreSQL source against its ceiling and ConnectorX.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/read_throughput.py --rows 5000000

It creates a scratch database with a 13-column table (ints, numeric, float, text,
email/phone/SSN-like text, low-cardinality text, bool, date, timestamptz, jsonb, ~5 % NULLs,
generated server-side), then times each reader in its own subprocess and reports rows/s and
that subprocess's peak RSS (from wait4). The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HOST = os.environ.get("DTE_TEST_PG_HOST", "127.0.0.1")
PORT = int(os.environ.get("DTE_TEST_PG_PORT", "5432"))
TABLE = "bench"
COLUMNS = "id, qty, price, score, name, email, phone, ssn, category, active, born, created, payload"

GENERATE = f"""
CREATE UNLOGGED TABLE {TABLE} (id int8, qty int4, price numeric(12,2), score float8,
  name text, email text, phone text, ssn text, category text, active bool, born date,
  created timestamptz, payload jsonb);
INSERT INTO {TABLE}
SELECT g::int8 AS id,
  CASE WHEN g % 20 = 1 THEN NULL ELSE (g % 1000)::int4 END AS qty,
  CASE WHEN g % 20 = 2 THEN NULL ELSE round((random() * 100000)::numeric, 2)::numeric(12,2) END
    AS price,
  CASE WHEN g % 20 = 3 THEN NULL ELSE random() * 1000 END AS score,
  CASE WHEN g % 20 = 4 THEN NULL ELSE 'Name ' || md5(g::text) END AS name,
  CASE WHEN g % 20 = 5 THEN NULL ELSE 'user' || g || '@example.com' END AS email,
  CASE WHEN g % 20 = 6 THEN NULL ELSE '+1-555-' || lpad((g % 10000000)::text, 7, '0') END
    AS phone,
  CASE WHEN g % 20 = 7 THEN NULL
       ELSE lpad((g % 900)::text, 3, '0') || '-' || lpad((g % 90)::text, 2, '0') || '-'
            || lpad((g % 9000)::text, 4, '0') END AS ssn,
  (ARRAY['red', 'green', 'blue', 'amber', 'violet'])[1 + g % 5] AS category,
  CASE WHEN g % 20 = 8 THEN NULL ELSE g % 3 = 0 END AS active,
  CASE WHEN g % 20 = 9 THEN NULL ELSE DATE '1950-01-01' + (g % 25000) END AS born,
  CASE WHEN g % 20 = 10 THEN NULL
       ELSE TIMESTAMPTZ '2020-01-01 00:00:00+00' + g * INTERVAL '1 second' END AS created,
  CASE WHEN g % 20 = 11 THEN NULL
       ELSE jsonb_build_object('k', g % 100, 'tag', 't' || g % 7) END AS payload
FROM generate_series(1, %(rows)s) g
"""


def _dsn(db: str) -> str:
    return f"host={HOST} port={PORT} user=postgres dbname={db}"


def _url(db: str) -> str:
    return f"postgresql://postgres@{HOST}:{PORT}/{db}"


def worker(mode: str, db: str, out: str) -> None:
    """Runs in the subprocess: read everything one way and print 'rows seconds'."""
    t0 = time.perf_counter()
    rows = 0
    if mode in ("dte", "dte_parquet"):
        from dte_desktop.core.sources.base import SelectSpec, TableRef
        from dte_desktop.core.sources.registry import open_source

        src = open_source(_url(db))
        batches = src.read_batches(SelectSpec(table=TableRef("public", TABLE)))
        if mode == "dte":
            for b in batches:
                rows += b.num_rows
        else:
            import pyarrow.parquet as pq

            writer = None
            for b in batches:
                if writer is None:
                    writer = pq.ParquetWriter(out, b.schema, compression="zstd")
                writer.write_batch(b)
                rows += b.num_rows
            if writer is not None:
                writer.close()
    elif mode == "connectorx":
        import connectorx as cx

        query = f"SELECT {COLUMNS} FROM {TABLE}"
        try:
            reader = cx.read_sql(_url(db), query, return_type="arrow_stream", batch_size=50_000)
            for b in reader:
                rows += b.num_rows
        except (TypeError, ValueError):  # older connectorx: no arrow_stream
            rows = cx.read_sql(_url(db), query, return_type="arrow").num_rows
    elif mode == "adbc":
        import adbc_driver_postgresql.dbapi as adbc

        with adbc.connect(_url(db)) as conn, conn.cursor() as cur:
            cur.execute(f"SELECT {COLUMNS} FROM {TABLE}")
            for b in cur.fetch_record_batch():
                rows += b.num_rows
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(rows, time.perf_counter() - t0)


def _measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MB) of that child alone, and its stdout."""
    wall, rss, _, out = _measure_cpu(cmd, env)
    return wall, rss, out


def _measure_cpu(
    cmd: list[str], env: dict[str, str] | None = None
) -> tuple[float, int, float, str]:
    """Wall seconds, peak RSS (MB), CPU seconds (user + system) of that child alone, and
    its stdout. On a loaded shared machine the CPU figure moves far less than the wall."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out_r = proc.stdout.read()
    err_r = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{err_r}")
    return wall, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime, out_r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS, default="")
    ap.add_argument("--modes", default="psql,dte,dte_parquet,connectorx,adbc")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.db, args.out)
        return

    import psycopg

    db = f"dte_bench_{os.getpid()}"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    try:
        t0 = time.perf_counter()
        with psycopg.connect(_dsn(db), autocommit=True) as conn:
            conn.execute(GENERATE.replace("%(rows)s", str(int(args.rows))))
            conn.execute(f"VACUUM ANALYZE {TABLE}")
            size = conn.execute(f"SELECT pg_total_relation_size('{TABLE}')").fetchone()[0]
        took = time.perf_counter() - t0
        print(f"generated {args.rows:,} rows x 13 columns ({size / 1e6:.0f} MB) in {took:.1f} s;")
        print(f"{os.cpu_count()} cores, shared by this client, the server and other work")
        me = [sys.executable, str(Path(__file__).resolve())]
        print(f"{'reader':<34}{'wall s':>8}{'rows/s':>12}{'peak RSS MB':>13}{'x ceiling':>11}")
        ceiling = None
        with tempfile.TemporaryDirectory() as tmp:
            for mode in args.modes.split(","):
                for _ in range(args.runs):
                    if mode == "psql":
                        copy = f"\\copy (SELECT {COLUMNS} FROM {TABLE}) TO /dev/null"
                        cmd = ["psql", "-X", "-q", _dsn(db), "-c", copy]
                        label = "psql \\copy to /dev/null (ceiling)"
                    else:
                        out = str(Path(tmp) / f"{mode}.parquet")
                        cmd = [*me, "--worker", mode, "--db", db, "--out", out]
                        label = {
                            "dte": "dte read_batches -> nothing",
                            "dte_parquet": "dte read_batches -> Parquet zstd",
                            "connectorx": "ConnectorX arrow_stream",
                            "adbc": "ADBC postgresql stream",
                        }[mode]
                    wall, rss, out_text = _measure(cmd)
                    if mode != "psql":
                        n = int(out_text.split()[0])
                        assert n == args.rows, (mode, n)
                    ceiling = ceiling or (wall if mode == "psql" else None)
                    ratio = f"{wall / ceiling:.2f}" if ceiling else "-"
                    print(f"{label:<34}{wall:>8.1f}{args.rows / wall:>12,.0f}{rss:>13}{ratio:>11}")
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
