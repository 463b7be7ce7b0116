"""Profiling speed, memory and accuracy on a generated PostgreSQL table.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/profile_bench.py --rows 5000000

Creates a scratch database holding the 13-column table of ``read_throughput.py`` (same
generator: ints, numeric, float, text, email/phone/SSN-like text, low-cardinality text, bool,
date, timestamptz, jsonb, ~5 % NULLs), then runs, each in its own subprocess, the reference
scan (``psql \\copy (select …) to /dev/null``, the ceiling), the peer (DuckDB ``SUMMARIZE`` over
a ConnectorX ``arrow_stream``, both in the ``bench`` extra) and ``dte profile --mode
pushdown|stream|auto``, printing wall time, that subprocess's peak RSS (wait4) and the ratio
to each goal of issue 21 (``goals.py``); ``--also-4x`` repeats ``--mode stream`` on a table
four times larger to show memory stays flat. DTE profiles through a saved connection whose
table default is Public (``classify_public``), so it computes every figure the peer does; the
columns its PII detector finds stay masked. Accuracy: every column's distinct
count and every numeric column's quantiles are compared with exact SQL (count(DISTINCT),
percentile_cont). ydata-profiling is not run (not installed on air-gapped machines; skipped).
The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.goals import Goal, Run, before_env, flat, table  # noqa: E402
from tests.bench.read_throughput import COLUMNS, GENERATE, TABLE, _dsn, _measure_cpu, _url  # noqa: E402

os.environ.setdefault("DTE_KEYRING", "file")  # a scratch DTE_HOME: no keyring, no prompt
os.environ.setdefault("DTE_MASTER_PASSPHRASE", "profile-bench")
PEER = "DuckDB SUMMARIZE over ConnectorX arrow_stream"
FULL = Goal(ceil_x=1.5, peer=PEER, peer_x=0.8, rss_mb=300)  # every figure, same accuracy
GOALS = {"dte profile --mode stream": FULL, "dte profile --mode auto": FULL,
         "dte profile --mode pushdown": Goal(ceil_x=3.0)}  # fmt: skip

QS = [("p1", 0.01), ("p5", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95),
      ("p99", 0.99)]  # fmt: skip


def _exact(db: str, numeric: list[str]) -> tuple[dict[str, int], dict[str, list[float]]]:
    import psycopg

    cols = [c.strip() for c in COLUMNS.split(",")]
    with psycopg.connect(_dsn(db)) as conn:
        parts = ", ".join(f"count(DISTINCT {c}::text)" for c in cols)
        row = conn.execute(f"SELECT {parts} FROM {TABLE}").fetchone()
        distinct = dict(zip(cols, row, strict=True))
        arr = "ARRAY[" + ",".join(str(f) for _, f in QS) + "]"
        parts = ", ".join(f"percentile_cont({arr}) WITHIN GROUP (ORDER BY {c}::float8)"
                          for c in numeric)  # fmt: skip
        row = conn.execute(f"SELECT {parts} FROM {TABLE}").fetchone()
        quant = dict(zip(numeric, row, strict=True))
    return distinct, quant


def _rank_error(db: str, col: str, q: dict[str, float]) -> float:
    import psycopg

    worst = 0.0
    with psycopg.connect(_dsn(db)) as conn:
        n = conn.execute(f"SELECT count({col}) FROM {TABLE}").fetchone()[0]
        for key, f in QS:
            lo, hi = conn.execute(
                f"SELECT count(*) FILTER (WHERE {col}::float8 < %s), "
                f"count(*) FILTER (WHERE {col}::float8 <= %s) FROM {TABLE}", (q[key], q[key]),
            ).fetchone()  # fmt: skip
            a, b = lo / n, hi / n
            worst = max(worst, 0.0 if a <= f <= b else min(abs(a - f), abs(b - f)))
    return worst


def peer(db: str) -> None:
    """Runs in the subprocess: the peer's profile (SUMMARIZE: min, max, approx_unique, avg,
    std, q25/50/75, count, null %) over a stream of Arrow batches, never the whole table."""
    import connectorx as cx
    import duckdb

    reader = cx.read_sql(_url(db), f"SELECT {COLUMNS} FROM {TABLE}", return_type="arrow_stream",
                         batch_size=50_000)  # fmt: skip
    con = duckdb.connect()
    con.register("stream", reader)
    print(len(con.execute("SUMMARIZE SELECT * FROM stream").fetchall()))


NAME = "bench"  # the saved connection the scratch home profiles
_CLI = "import sys; from dte_desktop.cli import main; sys.exit(main(sys.argv[1:]))"


def classify_public(db: str, home: str) -> None:
    """A saved connection whose table default is Public, as a user who classified it would
    have it: every figure is computed (an unclassified column is Confidential, and the gate
    withholds its quantiles, histogram and extremes — a smaller job than the peer's); the
    columns the PII detector finds (e-mail, SSN, date of birth) stay masked."""
    env = {**os.environ, "DTE_HOME": home}
    add = ["connections", "add", NAME, "--url", _url(db)]
    public = ["classify", NAME, TABLE, "--level", "Public", "--reason", "profile bench"]
    for args in (add, public):
        cmd = [sys.executable, "-c", _CLI, *args]
        subprocess.run(cmd, check=True, env=env, capture_output=True)


def run_dte(
    db: str, mode: str, partitions: int, home: str, before: str | None = None
) -> tuple[Run, dict]:
    cmd = [sys.executable, "-c", _CLI, "profile", NAME, TABLE, "--mode", mode, "--json",
           "--partitions", str(partitions)]  # fmt: skip
    os.environ["DTE_HOME"] = home
    wall, rss, cpu, text = _measure_cpu(cmd, before_env(before))
    tool = f"dte profile --mode {mode}" + (" [before]" if before else "")
    return Run("profile", tool, wall, rss, cpu), json.loads(text)["tables"][0]


def generate(db: str, rows: int) -> None:
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    with psycopg.connect(_dsn(db), autocommit=True) as conn:
        conn.execute(GENERATE.replace("%(rows)s", str(int(rows))))
        conn.execute(f"VACUUM ANALYZE {TABLE}")
        size = conn.execute(f"SELECT pg_total_relation_size('{TABLE}')").fetchone()[0]
    print(f"generated {rows:,} rows x 13 columns ({size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - t0:.1f} s; {os.cpu_count()} cores shared")  # fmt: skip


def drop(db: str) -> None:
    import psycopg

    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def accuracy(db: str, results: dict) -> None:
    numeric = ["id", "qty", "price", "score"]
    distinct, quant = _exact(db, numeric)
    print(f"\n{'accuracy vs exact SQL':<22}" + "".join(f"{m:>24}" for m in results))
    for c in distinct:
        cells = []
        for res in results.values():
            col = next(x for x in res["columns"] if x["name"] == c)
            err = abs((col["distinct"] or 0) - distinct[c]) / max(distinct[c], 1)
            cells.append(f"{'~' if col['distinct_approx'] else '='}{err * 100:.3f}% distinct")
        print(f"{c:<22}" + "".join(f"{x:>24}" for x in cells))
    for c in numeric:
        cells = []
        for res in results.values():
            col = next(x for x in res["columns"] if x["name"] == c)
            q = col["quantiles"]  # None where a mode gives none (pushdown: a key column)
            cells.append(f"rank err {_rank_error(db, c, q) * 100:.3f}%" if q else "none")
        print(f"{c + ' quantiles':<22}" + "".join(f"{x:>24}" for x in cells))
    print("exact percentile_cont:", {c: [round(v, 2) for v in quant[c]] for c in numeric})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--modes", default="pushdown,stream,auto")
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--also-4x", action="store_true")
    ap.add_argument("--before", help="also run dte from this checkout, labelled [before]")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        peer(args.worker)
        return
    db = f"dte_pbench_{os.getpid()}"
    generate(db, args.rows)
    try:
        runs = []
        copy = f"\\copy (SELECT {COLUMNS} FROM {TABLE}) TO /dev/null"
        wall, rss, cpu, _ = _measure_cpu(["psql", "-X", "-q", _dsn(db), "-c", copy])
        runs.append(Run("ceiling", "psql \\copy to /dev/null", wall, None, cpu))
        print(f"ceiling {wall:.1f} s", flush=True)
        if not args.no_peer:
            peer_cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", db]
            wall, rss, cpu, _ = _measure_cpu(peer_cmd)
            runs.append(Run("profile", PEER, wall, rss, cpu))
            print(f"peer {wall:.1f} s", flush=True)
        results = {}
        with tempfile.TemporaryDirectory() as home:
            classify_public(db, home)
            for mode in args.modes.split(","):
                if args.before:
                    runs.append(run_dte(db, mode, args.partitions, home, args.before)[0])
                    print(f"{runs[-1].tool} {runs[-1].wall:.1f} s", flush=True)
                run, results[mode] = run_dte(db, mode, args.partitions, home)
                runs.append(run)
                print(f"{run.tool} {run.wall:.1f} s", flush=True)
        print()
        print(table(runs, GOALS, f"profile, {args.rows:,} rows x 13 columns, one run"))
        print("ydata-profiling: skipped (optional; not installed on air-gapped machines)")
        if not args.no_accuracy:
            accuracy(db, results)
    finally:
        drop(db)
    if args.also_4x and "stream" in args.modes.split(","):
        small = next(r for r in runs if r.tool == "dte profile --mode stream")
        db4 = f"{db}_4x"
        generate(db4, 4 * args.rows)
        try:
            with tempfile.TemporaryDirectory() as home:
                classify_public(db4, home)
                big, _ = run_dte(db4, "stream", args.partitions, home)
        finally:
            drop(db4)
        print(flat(small, big, 4))


if __name__ == "__main__":
    main()
