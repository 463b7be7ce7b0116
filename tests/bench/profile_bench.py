"""Profiling speed, memory and accuracy on a generated PostgreSQL table.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/profile_bench.py --rows 5000000

Creates a scratch database holding the 13-column table of ``read_throughput.py`` (same
generator: ints, numeric, float, text, email/phone/SSN-like text, low-cardinality text, bool,
date, timestamptz, jsonb, ~5 % NULLs), then runs, each in its own subprocess, the reference
scan (``psql \\copy (select …) to /dev/null``) and ``dte profile --mode pushdown|stream|auto``,
printing wall time and that subprocess's peak RSS (wait4). Accuracy: every column's distinct
count and every numeric column's quantiles are compared with exact SQL (count(DISTINCT),
percentile_cont). ydata-profiling is not run (not installed on air-gapped machines; skipped).
The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.read_throughput import COLUMNS, GENERATE, TABLE, _dsn, _measure, _url  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--modes", default="pushdown,stream,auto")
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--no-accuracy", action="store_true")
    args = ap.parse_args()
    import psycopg

    db = f"dte_pbench_{os.getpid()}"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    try:
        t0 = time.perf_counter()
        with psycopg.connect(_dsn(db), autocommit=True) as conn:
            conn.execute(GENERATE.replace("%(rows)s", str(int(args.rows))))
            conn.execute(f"VACUUM ANALYZE {TABLE}")
            size = conn.execute(f"SELECT pg_total_relation_size('{TABLE}')").fetchone()[0]
        print(f"generated {args.rows:,} rows x 13 columns ({size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.1f} s; {os.cpu_count()} cores shared")  # fmt: skip
        print(f"{'run':<40}{'wall s':>8}{'peak RSS MB':>13}{'x COPY':>8}")
        copy = f"\\copy (SELECT {COLUMNS} FROM {TABLE}) TO /dev/null"
        ceiling, _, _ = _measure(["psql", "-X", "-q", _dsn(db), "-c", copy])
        label = "psql \\copy to /dev/null (reference)"
        print(f"{label:<40}{ceiling:>8.1f}{'-':>13}{1.0:>8.2f}")
        results = {}
        with tempfile.TemporaryDirectory() as home:
            env_home = {"DTE_HOME": home}
            os.environ.update(env_home)
            for mode in args.modes.split(","):
                out = Path(home) / f"{mode}.json"
                cmd = [sys.executable, "-c",
                       "import sys; from dte_desktop.cli import main; sys.exit(main(sys.argv[1:]))",
                       "profile", _url(db), TABLE, "--mode", mode, "--json",
                       "--partitions", str(args.partitions)]  # fmt: skip
                wall, rss, text = _measure(cmd)
                out.write_text(text)
                results[mode] = json.loads(text)["tables"][0]
                print(
                    f"{'dte profile --mode ' + mode:<40}{wall:>8.1f}{rss:>13}{wall / ceiling:>8.2f}"
                )
        print("ydata-profiling: skipped (optional; not installed on air-gapped machines)")
        if args.no_accuracy:
            return
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
                cells.append(f"rank err {_rank_error(db, c, col['quantiles']) * 100:.3f}%")
            print(f"{c + ' quantiles':<22}" + "".join(f"{x:>24}" for x in cells))
        print("exact percentile_cont:", {c: [round(v, 2) for v in quant[c]] for c in numeric})
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
