"""Sample selection on a big PostgreSQL table: wall time and bytes read vs the table's size.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/sample_bench.py --rows 5000000

It builds a scratch database with read_throughput.py's 13-column table (server-side
``generate_series``), plants a few outliers, then picks a 1,000-row sample with the default
distribution (anomaly 30, boundary 20, risk 10, random 40) — once without a stored profile
(quantiles from SQL) — and fetches the chosen rows. ``bytes_read`` is the sum of the Arrow
``nbytes`` of every batch the sampler read (keys, figures, the chosen rows), counted by the
``MeteredSource`` wrapper. The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.read_throughput import GENERATE, TABLE, _dsn, _url  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--size", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-pk", action="store_true", help="sample by whole-row hash instead")
    ap.add_argument("--keep", metavar="DB", help="reuse (and keep) this scratch database")
    args = ap.parse_args()

    import psycopg

    from dte_desktop.core.privacy.labels import TableLabels
    from dte_desktop.core.sampling import SampleSpec, fetch_rows, select_sample
    from dte_desktop.core.sources.registry import open_source

    db = args.keep or f"dte_sample_bench_{uuid.uuid4().hex[:8]}"
    fresh = True
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone()
        if exists:
            fresh = False
        else:
            conn.execute(f'CREATE DATABASE "{db}"')
    try:
        if fresh:
            t0 = time.perf_counter()
            with psycopg.connect(_dsn(db), autocommit=True) as conn:
                conn.execute(GENERATE.replace("%(rows)s", str(int(args.rows))))
                conn.execute(f"UPDATE {TABLE} SET price = 99999999.99 WHERE id IN (17, 4242)")
                conn.execute(f"UPDATE {TABLE} SET category = NULL WHERE id IN (99, 100)")
                if not args.no_pk:
                    conn.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)")
                conn.execute(f"VACUUM ANALYZE {TABLE}")
            print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s")
        with psycopg.connect(_dsn(db)) as conn:
            size = conn.execute(f"SELECT pg_table_size('{TABLE}')").fetchone()[0]
            rows = conn.execute(f"SELECT reltuples::int8 FROM pg_class WHERE relname = '{TABLE}'")
            print(f"table: {rows.fetchone()[0]:,} rows, {size / 1e6:,.1f} MB on disk")
        src = open_source(_url(db))
        spec = SampleSpec(_url(db), f"public.{TABLE}", args.size, seed=args.seed)
        t0 = time.perf_counter()
        sel = select_sample(src, spec, TableLabels({}, None), [])
        t_keys = time.perf_counter() - t0
        picked_bytes = sel.bytes_read
        rows_tbl = fetch_rows(sel)
        wall = time.perf_counter() - t0
        print(
            f"sample of {len(sel.keys):,} rows (key: {sel.key_plan.mode}) in {wall:.1f} s "
            f"(keys chosen in {t_keys:.1f} s, {sel.source.statements} statements)"
        )
        print(f"  contributed {sel.contributed}")
        print(f"  pools       {sel.pools}")
        print(
            f"  bytes read  {sel.bytes_read:,} ({picked_bytes:,} choosing keys and figures, "
            f"{sel.bytes_read - picked_bytes:,} the chosen rows: {rows_tbl.nbytes:,} B)"
        )
        print(f"  = {100 * sel.bytes_read / size:.3f} % of the table's {size:,} bytes on disk")
        for note in sel.notes:
            print(f"  note: {note}")
        src.close()
    finally:
        if not args.keep:
            with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
