"""Issue 17 item 9, on a real PostgreSQL: names and options the CLI took silently.

``--partitions`` with only ``--query`` was ignored; ``--columns`` split ``"zip code"`` at
its quotes; ``describe PUBLIC.film`` was "not found" (PostgreSQL folds unquoted names);
``catalog --schema nosuch`` printed "(no tables)" and exited 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pg_database


@pytest.fixture(scope="module")
def pg_film():
    import psycopg
    from sqlalchemy.engine import make_url

    with pg_database("dte_names") as url:
        u = make_url(url)
        with psycopg.connect(
            f"host={u.host} port={u.port} user={u.username} dbname={u.database}", autocommit=True
        ) as conn:
            conn.execute('CREATE TABLE film (id int PRIMARY KEY, "zip code" text, "x,y" int)')
            conn.execute("INSERT INTO film VALUES (1, '1000', 7), (2, NULL, 8)")
        yield url


def dte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ),
    )


@pytest.mark.postgres
def test_partitions_with_only_a_query_is_refused(pg_film: str, tmp_path: Path) -> None:
    out = tmp_path / "q"
    r = dte("export", pg_film, "--query", "SELECT * FROM film", "--partitions", "4",
            "--out", str(out), "--no-mask")  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "--partitions 4 splits tables only" in r.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.postgres
def test_columns_take_quoted_names(pg_film: str, tmp_path: Path) -> None:
    out = tmp_path / "c"
    r = dte("export", pg_film, "public.film", "--columns", 'ID,"zip code","x,y"',
            "--out", str(out), "--no-mask", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    m = json.loads((out / "manifest.json").read_text())
    names = [c["name"] for c in m["tables"]["public.film"]["schema"]]
    assert names == ["id", "zip code", "x,y"]  # ID folded as PostgreSQL does; quotes exact


@pytest.mark.postgres
def test_describe_folds_unquoted_names(pg_film: str) -> None:
    r = dte("describe", pg_film, "PUBLIC.FILM", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [c["name"] for c in data["columns"]] == ["id", "zip code", "x,y"]
    r = dte("describe", pg_film, '"PUBLIC"."FILM"')  # quoted: exact, and absent
    assert r.returncode == 2 and "PUBLIC" in r.stderr


@pytest.mark.postgres
def test_catalog_of_a_missing_schema_is_an_error(pg_film: str) -> None:
    r = dte("catalog", pg_film, "--schema", "nosuch")
    assert r.returncode == 2, (r.returncode, r.stdout)
    assert "nosuch" in r.stderr and "(no tables)" not in r.stdout
    r = dte("catalog", pg_film, "--schema", "PUBLIC", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["schema"] == "public"
