"""Issue 17 item 9, on a real PostgreSQL: names and options the CLI took silently.

``--partitions`` with only ``--query`` was ignored; ``--columns`` split ``"zip code"`` at
its quotes; ``describe PUBLIC.film`` was "not found" (PostgreSQL folds unquoted names);
``catalog --schema nosuch`` printed "(no tables)" and exited 0.
"""

from __future__ import annotations

import json
import os
import shlex
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
            conn.execute(
                "CREATE TABLE rental (id int PRIMARY KEY, "
                "film_id int CONSTRAINT rental_film REFERENCES film (id), code text UNIQUE)"
            )
            conn.execute("CREATE INDEX rental_lower ON rental (lower(code))")
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
def test_describe_lists_keys_and_offers_rules_from_them(pg_film: str) -> None:
    r = dte("describe", pg_film, "rental", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["primary_key"] == ["id"]
    assert data["foreign_keys"] == [
        {"name": "rental_film", "columns": ["film_id"], "ref_table": "public.film",
         "ref_columns": ["id"]}
    ]  # fmt: skip
    indexes = {i["name"]: i for i in data["indexes"]}
    assert indexes["rental_pkey"]["primary"] and indexes["rental_code_key"]["unique"]
    assert indexes["rental_lower"]["columns"] == ["lower(code)"]
    kinds = {(s["kind"], s["column"]) for s in data["suggested_rules"]}
    assert kinds == {("referential", "film_id"), ("unique", "code")}
    referential = next(s for s in data["suggested_rules"] if s["kind"] == "referential")
    assert referential["params"] == {"table": "public.film", "column": "id"}
    # The offered command is one that works as printed.
    args = shlex.split(referential["command"])
    assert args[:3] == ["dte", "rules", "add"]
    added = dte(*args[1:], "--json")
    assert added.returncode == 0, added.stderr
    text = dte("describe", pg_film, "rental").stdout
    assert "rental_film: (film_id) -> public.film (id)" in text and "suggested rules" in text


@pytest.mark.postgres
def test_catalog_of_a_missing_schema_is_an_error(pg_film: str) -> None:
    r = dte("catalog", pg_film, "--schema", "nosuch")
    assert r.returncode == 2, (r.returncode, r.stdout)
    assert "nosuch" in r.stderr and "(no tables)" not in r.stdout
    r = dte("catalog", pg_film, "--schema", "PUBLIC", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["schema"] == "public"


@pytest.mark.mariadb
def test_mariadb_describe_lists_keys(mysql_url: str) -> None:
    import pymysql
    from sqlalchemy.engine import make_url

    u = make_url(mysql_url)
    con = pymysql.connect(host=u.host, port=u.port, user="root", database=u.database)
    with con.cursor() as cur:
        cur.execute("CREATE TABLE film (film_id INT PRIMARY KEY, title VARCHAR(20))")
        cur.execute(
            "CREATE TABLE rental (rental_id INT PRIMARY KEY, film_id INT, code CHAR(4), "
            "UNIQUE KEY code_u (code), CONSTRAINT fk_film FOREIGN KEY (film_id) "
            "REFERENCES film (film_id)) ENGINE=InnoDB"
        )
    con.commit()
    con.close()
    r = dte("describe", mysql_url, "rental", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["primary_key"] == ["rental_id"]
    (fk,) = data["foreign_keys"]
    assert (fk["name"], fk["columns"], fk["ref_columns"]) == ("fk_film", ["film_id"], ["film_id"])
    assert fk["ref_table"].endswith("film")
    kinds = {(s["kind"], s["column"]) for s in data["suggested_rules"]}
    assert kinds == {("referential", "film_id"), ("unique", "code")}
