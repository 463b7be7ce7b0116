"""Read throughput through the real vertica-python client, against the Vertica test server.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/vertica_read.py --rows 100000

It builds the 13-column table of ``read_throughput.py`` in a scratch PostgreSQL database, starts
the Vertica test server in its own process (so server and client do not share one GIL), and
times, each in a fresh subprocess: the bare client (``cursor.iterate()``, text and binary
transfer), the Vertica source converting row by row through the client (``dte_rowwise``,
``fast_decode=False``, how it read before issue 23's last step) and as it ships (``dte``:
binary transfer, DataRow messages decoded a batch at a time by ``vertica_rows``).
The figures are client-bound (FACTS.md: the client's own conversion is the ceiling), and the
server's re-encoding shares the same 2 cores: a real Vertica would take that load off them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.read_throughput import GENERATE, HOST, PORT, TABLE  # noqa: E402

SERVE = """
import resource, sys
from tests.vertica_server import VerticaTestServer
srv = VerticaTestServer(sys.argv[1], sys.argv[2]).start()
print(srv.port, flush=True)
for _line in sys.stdin:  # each line asks for the CPU seconds used so far
    r = resource.getrusage(resource.RUSAGE_SELF)
    print(r.ru_utime + r.ru_stime, flush=True)
srv.stop()
"""


def worker(mode: str, port: int, db: str) -> None:
    import warnings

    warnings.simplefilter("ignore")
    import vertica_python

    from dte_desktop.core.sources.base import SelectSpec, TableRef
    from dte_desktop.core.sources.registry import open_source

    open_source("vertica://x@127.0.0.1:1/x")  # imports the source and its modules
    t0, c0 = time.perf_counter(), time.process_time()  # the read, not Python's imports
    rows = 0
    if mode in ("dte", "dte_rowwise"):
        url = f"vertica://dbadmin@127.0.0.1:{port}/{db}"
        src = open_source(url, fast_decode=mode == "dte")
        for b in src.read_batches(SelectSpec(table=TableRef("public", TABLE))):
            rows += b.num_rows
    else:
        binary = mode == "client_binary"
        conn = vertica_python.connect(
            host="127.0.0.1", port=port, user="dbadmin", database=db,
            binary_transfer=binary, tlsmode="disable",
        )  # fmt: skip
        cur = conn.cursor()
        cur.execute(f"SELECT * FROM {TABLE}")
        for _ in cur.iterate():
            rows += 1
        conn.close()
    print(rows, time.perf_counter() - t0, time.process_time() - c0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--worker", nargs=3)
    opts = ap.parse_args()
    if opts.worker:
        worker(opts.worker[0], int(opts.worker[1]), opts.worker[2])
        return
    import psycopg

    db = f"dte_vbench_{uuid.uuid4().hex[:8]}"
    admin = f"host={HOST} port={PORT} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{db}"')
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = None
    try:
        dsn = f"host={HOST} port={PORT} user=postgres dbname={db}"
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(GENERATE.replace("%(rows)s", str(opts.rows)))
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, dsn, db], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert server.stdout is not None and server.stdin is not None
        port = int(server.stdout.readline())

        def server_cpu() -> float:
            server.stdin.write("\n")
            server.stdin.flush()
            return float(server.stdout.readline())

        print(
            f"{opts.rows:,} rows x 13 columns, {os.cpu_count()} cores, server in its own process;"
        )
        print("rows/s by wall time, and by the CPU seconds the client / the server spent")
        for mode in ("client_text", "client_binary", "dte_rowwise", "dte"):
            before = server_cpu()
            out = subprocess.run(
                [sys.executable, __file__, "--worker", mode, str(port), db],
                env=env, capture_output=True, text=True, check=True,
            ).stdout.split()  # fmt: skip
            rows, secs, cpu = int(out[0]), float(out[1]), float(out[2])
            served = server_cpu() - before
            assert rows == opts.rows, (mode, rows)
            print(
                f"{mode:14s} {rows / secs:>9,.0f} rows/s wall ({secs:.2f} s)"
                f"  client CPU {rows / cpu:>9,.0f} rows/s  server CPU {rows / served:>9,.0f} rows/s"
            )
    finally:
        if server is not None:
            server.communicate("")
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
