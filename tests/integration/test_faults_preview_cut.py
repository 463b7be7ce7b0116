"""A preview of a table holding 10 MB values (issue 15 item 12): it took 44 s and 800 MB.
Each source's dialect now cuts long text and binary values on the server (PostgreSQL
``substr``, MariaDB ``LEFT``), so a preview carries ``PREVIEW_CUT`` characters of each, and
the page names the cells it cut. Measured on a real ``dte preview`` process: its wall time
and peak memory, and that the value it returns is the cut one."""

from __future__ import annotations

import json
import subprocess
import time

import psycopg
import pymysql
import pytest
from sqlalchemy.engine import make_url

from dte_desktop.core.sources.cut import PREVIEW_CUT
from tests.integration.faults_helpers import DTE, dsn

MB10 = 10 * 1024 * 1024


def _pg(url: str) -> None:
    with psycopg.connect(dsn(url), autocommit=True) as c:
        c.execute("CREATE TABLE docs (id int PRIMARY KEY, body text, bin bytea)")
        c.execute(f"INSERT INTO docs SELECT 1, repeat('abcdefghij', {MB10 // 10}), "
                  f"decode(repeat('00ff', {MB10 // 2}), 'hex')")  # fmt: skip
        c.execute("INSERT INTO docs VALUES (2, 'short', '\\x01')")


def _maria(url: str) -> None:
    u = make_url(url)
    conn = pymysql.connect(host=u.host, port=u.port, user=u.username, password="",
                           database=u.database, autocommit=True)  # fmt: skip
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE docs (id int PRIMARY KEY, body LONGTEXT, bin LONGBLOB)")
            cur.execute(f"INSERT INTO docs SELECT 1, REPEAT('abcdefghij', {MB10 // 10}), "
                        f"REPEAT(UNHEX('00FF'), {MB10 // 2})")  # fmt: skip
            cur.execute("INSERT INTO docs VALUES (2, 'short', UNHEX('01'))")
    finally:
        conn.close()


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_a_preview_of_10_mb_values_is_cut_on_the_server(engine: str, request, tmp_path) -> None:
    if engine == "postgresql":
        url = request.getfixturevalue("pg_url")
        _pg(url)
        table = "public.docs"
    else:
        url = request.getfixturevalue("mysql_url")
        _maria(url)
        table = "docs"
    started = time.monotonic()
    peak = tmp_path / "peak_kb"
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(peak), *DTE, "preview", url,
                             table, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    stdout, stderr = proc.communicate(timeout=300)
    took = time.monotonic() - started
    assert proc.returncode == 0, stderr
    data = json.loads(stdout)
    names = [c["name"] for c in data["columns"]]
    rows = {r[names.index("id")]: r for r in data["rows"]}
    assert data["cut"] == {"at": PREVIEW_CUT, "cells": {"body": [0], "bin": [0]}}
    long_row = next(r for r in data["rows"] if len(r[names.index("body")]) > 5)
    # masked (tokenized keeps the shape): the cut value, not 10 MB of it
    assert len(long_row[names.index("body")]) == PREVIEW_CUT
    assert len(long_row[names.index("bin")]) == 2 * PREVIEW_CUT  # hex of the cut bytes
    assert len(rows) == 2 and len(stdout) < 20_000
    assert took < 30, f"{took:.1f} s"  # was 44 s (minutes on a loaded machine)
    peak_mb = int(peak.read_text().split()[-1]) / 1024
    assert peak_mb < 350, f"{peak_mb:.0f} MB"  # was 800 MB
