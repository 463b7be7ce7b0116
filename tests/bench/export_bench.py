"""Export benchmark: `dte export` to Parquet next to the COPY ceiling, ConnectorX and ADBC.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/export_bench.py --rows 5000000 [--also-4x]

Generates the 13-column table of tests/bench/read_throughput.py in a scratch database, then
runs each way in its own process and prints wall time, rows/s, that process's peak RSS, the
output size, and the ratios to the ceiling and to ConnectorX. ``--also-4x`` repeats
`dte export` on a table four times larger to show memory does not grow with the table.
Goal (issue): dte ≤ 0.8 × ConnectorX's time, ≤ 1.5 × the ceiling, peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.read_throughput import (  # noqa: E402
    COLUMNS,
    GENERATE,
    TABLE,
    _dsn,
    _measure,
    _url,
)


def worker(mode: str, db: str, out: str) -> None:
    import pyarrow.parquet as pq

    query = f"SELECT {COLUMNS} FROM {TABLE}"
    rows = 0
    if mode == "connectorx":
        import connectorx as cx

        reader = cx.read_sql(_url(db), query, return_type="arrow_stream")
        writer = None
        for batch in reader:
            writer = writer or pq.ParquetWriter(out, batch.schema, compression="zstd")
            writer.write_batch(batch)
            rows += batch.num_rows
        writer.close()
    elif mode == "adbc":
        import adbc_driver_postgresql.dbapi as adbc

        with adbc.connect(_url(db)) as conn, conn.cursor() as cur:
            cur.execute(query)
            reader = cur.fetch_record_batch()
            with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
                for batch in reader:
                    writer.write_batch(batch)
                    rows += batch.num_rows
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(rows)


def generate(db: str, rows: int) -> int:
    import psycopg

    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    with psycopg.connect(_dsn(db), autocommit=True) as conn:
        conn.execute(GENERATE.replace("%(rows)s", str(int(rows))))
        conn.execute(f"VACUUM ANALYZE {TABLE}")
        return conn.execute(f"SELECT pg_total_relation_size('{TABLE}')").fetchone()[0]


def drop(db: str) -> None:
    import psycopg

    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_modes(db: str, rows: int, modes: list[str], tmp: str, extra: list[str]) -> None:
    me = [sys.executable, str(Path(__file__).resolve())]
    ceiling = cx_time = None
    print(
        f"{'way':<38}{'wall s':>8}{'rows/s':>12}{'RSS MB':>8}{'out MB':>8}{'x ceil':>8}{'x CX':>7}"
    )
    for mode in modes:
        out = Path(tmp) / f"{mode}-{rows}"
        if mode == "psql":
            cmd = [
                "psql",
                "-X",
                "-q",
                _dsn(db),
                "-c",
                f"\\copy (SELECT {COLUMNS} FROM {TABLE}) TO /dev/null",
            ]
            label = "psql \\copy to /dev/null (ceiling)"
        elif mode == "dte":
            cmd = [
                sys.executable,
                "-m",
                "dte_desktop",
                "export",
                _url(db),
                f"public.{TABLE}",
                "--out",
                str(out),
                "--format",
                "parquet",
                *([] if "--mask" in extra else ["--no-mask"]),  # the peers write raw values
                *extra,
            ]
            label = f"dte export -> Parquet zstd {' '.join(extra)}".strip()
        else:
            cmd = [*me, "--worker", mode, "--db", db, "--out", str(out) + ".parquet"]
            label = {"connectorx": "ConnectorX arrow_stream -> Parquet", "adbc": "ADBC -> Parquet"}[
                mode
            ]
        env_home = tempfile.mkdtemp(prefix="dte_home_")
        os.environ["DTE_HOME"] = env_home
        wall, rss, _ = _measure(cmd)
        size = (
            dir_size(out)
            if out.is_dir()
            else (Path(str(out) + ".parquet").stat().st_size if mode != "psql" else 0)
        )
        if mode == "psql":
            ceiling = wall
        if mode == "connectorx":
            cx_time = wall
        r_ceil = f"{wall / ceiling:.2f}" if ceiling else "-"
        r_cx = f"{wall / cx_time:.2f}" if cx_time else "-"
        print(
            f"{label:<38}{wall:>8.1f}{rows / wall:>12,.0f}{rss:>8}{size / 1e6:>8.0f}"
            f"{r_ceil:>8}{r_cx:>7}",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--modes", default="psql,connectorx,adbc,dte")
    ap.add_argument("--dte-args", default="", help="extra dte export arguments")
    ap.add_argument("--also-4x", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS, default="")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.db, args.out)
        return
    extra = args.dte_args.split()
    print(f"{os.cpu_count()} cores shared by client, server and anything else running")
    with tempfile.TemporaryDirectory() as tmp:
        db = f"dte_xbench_{os.getpid()}"
        try:
            t0 = time.perf_counter()
            size = generate(db, args.rows)
            print(
                f"{args.rows:,} rows, table {size / 1e6:.0f} MB, generated in "
                f"{time.perf_counter() - t0:.0f} s"
            )
            run_modes(db, args.rows, args.modes.split(","), tmp, extra)
        finally:
            drop(db)
        if args.also_4x:
            db4 = f"{db}_4x"
            try:
                size = generate(db4, args.rows * 4)
                print(f"{args.rows * 4:,} rows, table {size / 1e6:.0f} MB")
                run_modes(db4, args.rows * 4, ["dte"], tmp, extra)
            finally:
                drop(db4)


if __name__ == "__main__":
    main()
