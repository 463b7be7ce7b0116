"""Export benchmark: `dte export` to Parquet next to the COPY ceiling, ConnectorX and ADBC.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/export_bench.py --rows 5000000 [--also-4x]

Generates the 13-column table of tests/bench/read_throughput.py in a scratch database, then
runs each way in its own process and prints wall time, rows/s, that process's peak RSS, the
output size, then one table (``goals.py``) with the ratios to the ceiling and to ConnectorX
and the goals of issue 21: Parquet zstd ≤ 0.9 × ConnectorX ``arrow_stream`` → streaming
Parquet zstd and ≤ 1.2 × the ceiling, peak RSS < 250 MB; CSV the same against the ceiling.
``--also-4x`` repeats `dte export` on a table four times larger to show memory stays flat.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.goals import Goal, Run, before_env, flat, table  # noqa: E402
from tests.bench.read_throughput import (  # noqa: E402
    COLUMNS,
    GENERATE,
    TABLE,
    _dsn,
    _measure_cpu,
    _url,
)

os.environ.setdefault("DTE_KEYRING", "file")  # a scratch DTE_HOME: no keyring, no prompt
os.environ.setdefault("DTE_MASTER_PASSPHRASE", "export-bench")


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


PEER = "ConnectorX arrow_stream -> Parquet zstd"
GOALS = {
    "dte export -> Parquet zstd": Goal(ceil_x=1.2, peer=PEER, peer_x=0.9, rss_mb=250),
    "dte export -> CSV": Goal(ceil_x=1.2, rss_mb=250),
}
LABELS = {
    "psql": ("ceiling", "psql \\copy to /dev/null"),
    "connectorx": ("export", PEER),
    "adbc": ("export", "ADBC postgresql -> Parquet zstd"),
    "dte": ("export", "dte export -> Parquet zstd"),
    "dte_csv": ("export", "dte export -> CSV"),
    "dte_masked": ("export", "dte export -> Parquet zstd, masked"),
}


def _command(mode: str, db: str, out: Path, extra: list[str]) -> list[str]:
    if mode == "psql":
        copy = f"\\copy (SELECT {COLUMNS} FROM {TABLE}) TO /dev/null"
        return ["psql", "-X", "-q", _dsn(db), "-c", copy]
    if mode.startswith("dte"):
        fmt = "csv" if mode == "dte_csv" else "parquet"
        mask = ["--mask"] if mode == "dte_masked" else ["--no-mask"]  # the peers write raw
        return [sys.executable, "-m", "dte_desktop", "export", _url(db), f"public.{TABLE}",
                "--out", str(out), "--format", fmt, *mask, *extra]  # fmt: skip
    me = [sys.executable, str(Path(__file__).resolve())]
    return [*me, "--worker", mode, "--db", db, "--out", str(out) + ".parquet"]


def run_modes(
    db: str, rows: int, modes: list[str], tmp: str, extra: list[str], before: str | None = None
) -> list[Run]:
    runs = []
    plan = [
        (m, b)
        for m in modes
        for b in ([before, None] if before and m.startswith("dte") else [None])
    ]
    for mode, from_dir in plan:
        out = Path(tmp) / f"{mode}-{rows}"
        os.environ["DTE_HOME"] = tempfile.mkdtemp(prefix="dte_home_")
        wall, rss, cpu, _ = _measure_cpu(_command(mode, db, out, extra), before_env(from_dir))
        task, tool = LABELS[mode]
        tool += " [before]" if from_dir else ""
        runs.append(Run(task, tool, wall, None if mode == "psql" else rss, cpu))
        size = 0
        if out.is_dir():
            size = dir_size(out)
        elif Path(str(out) + ".parquet").exists():
            size = Path(str(out) + ".parquet").stat().st_size
        print(f"{tool:<40}{wall:>8.1f} s{rows / wall:>12,.0f} rows/s{rss:>6} MB"
              f"{size / 1e6:>6.0f} MB out", flush=True)  # fmt: skip
        shutil.rmtree(out, ignore_errors=True)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--modes", default="psql,connectorx,adbc,dte,dte_csv,dte_masked")
    ap.add_argument("--dte-args", default="", help="extra dte export arguments")
    ap.add_argument("--also-4x", action="store_true")
    ap.add_argument("--before", help="also run dte from this checkout, labelled [before]")
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
            runs = run_modes(db, args.rows, args.modes.split(","), tmp, extra, args.before)
            print()
            print(table(runs, GOALS, f"export, {args.rows:,} rows x 13 columns, one run"))
        finally:
            drop(db)
        if args.also_4x:
            db4 = f"{db}_4x"
            try:
                size = generate(db4, args.rows * 4)
                print(f"{args.rows * 4:,} rows, table {size / 1e6:.0f} MB")
                big = run_modes(db4, args.rows * 4, ["dte"], tmp, extra)[0]
            finally:
                drop(db4)
            small = next((r for r in runs if r.tool == big.tool), None)
            if small is not None:
                print(flat(small, big, 4))


if __name__ == "__main__":
    main()
