"""A read-only query previewed through the privacy gate (issue 20 item 9, the SQL console's
core and its headless twin ``dte preview NAME --query SQL``): columns traced to stored
columns are masked as those columns are, computed columns get the policy's level for
unknown columns, a statement that is not a query is refused before it is sent, and the audit
log keeps the query's shape without the literals typed into it."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.integration.test_privacy_cli import dte

pytestmark = pytest.mark.postgres
SSN = "219-09-9999"


def make_people(pg_url: str, *statements: str) -> None:
    """A ``people`` table with an ``ssn`` column whose row 7 holds ``SSN``, in the test's
    database, saved as the connection ``hr``."""
    u = make_url(pg_url)
    with psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname={u.database}") as c:
        for sql in statements:
            c.execute(sql)
        c.execute("UPDATE people SET ssn = %s WHERE id = 7", (SSN,))
    r = dte("connections", "add", "hr", "--url", pg_url)
    assert r.returncode == 0, r.stderr


@pytest.fixture
def people(pg_url: str, dte_home: str) -> str:
    make_people(
        pg_url,
        "CREATE TABLE people (id int PRIMARY KEY, email text, city text, ssn text)",
        "INSERT INTO people SELECT g, 'user' || g || '@corp.example', "
        "(ARRAY['Oslo','Lima','Pune'])[1 + g % 3], "
        "lpad((100 + g)::text, 3, '0') || '-' || lpad((10 + g % 80)::text, 2, '0') || '-' "
        "|| lpad((1000 + g)::text, 4, '0') FROM generate_series(1, 50) g",
    )
    for column, level in (("id", "Public"), ("city", "Public"), ("email", "Confidential")):
        r = dte("classify", "hr", "people", column, "--level", level)
        assert r.returncode == 0, r.stderr
    r = dte("classify", "hr", "people", "ssn", "--level", "HRCI", "--pii", "ssn")
    assert r.returncode == 0, r.stderr
    return pg_url


def test_query_preview_masks_as_the_stored_columns_and_audits_no_literal(
    people: str, dte_home: str
) -> None:
    sql = (
        "SELECT p.id, p.city, p.email, p.ssn, upper(p.city) AS loud FROM people p "
        f"WHERE p.ssn <> '{SSN}' OR p.id < 1000 ORDER BY p.id"
    )
    r = dte("preview", "hr", "--query", sql, "--limit", "10", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    ops = {c["name"]: (c["classification"], c["operator"]) for c in data["columns"]}
    assert ops["id"] == ("Public", "keep") and ops["city"] == ("Public", "keep")
    assert ops["email"][0] == "Confidential" and ops["email"][1] != "keep"
    assert ops["ssn"] == ("HRCI", "redact")
    assert ops["loud"][1] != "keep"  # computed: the policy's level for unknown columns
    rows = data["rows"]
    assert [row[0] for row in rows] == list(range(1, 11))
    assert {row[1] for row in rows} <= {"Oslo", "Lima", "Pune"}
    assert not [row for row in rows if "@corp.example" in str(row[2]) or "-" in str(row[3])]
    assert SSN not in r.stdout

    shape = data["query"]
    assert SSN not in shape and "'?'" not in shape and "<> ?" in shape and "< ?" in shape
    audit = dte("audit", "export", "--out", str(Path(dte_home) / "audit.jsonl"))
    assert audit.returncode == 0, audit.stderr
    text = (Path(dte_home) / "audit.jsonl").read_text()
    assert shape in text.replace('\\"', '"') and SSN not in text
    history = b"".join(p.read_bytes() for p in Path(dte_home).rglob("*") if p.is_file())
    assert SSN.encode() not in history


def test_only_a_query_is_sent(people: str) -> None:
    for sql in ("DELETE FROM people", "UPDATE people SET city = 'x'", "DROP TABLE people"):
        r = dte("preview", "hr", "--query", sql)
        assert r.returncode == 1 and "was not sent" in r.stderr, (sql, r.stderr)
    r = dte("preview", "hr")
    assert r.returncode == 2 and "Give a table or --query" in r.stderr
    r = dte("preview", "hr", "--query", "SELECT count(*) AS n FROM people")
    assert r.returncode == 0 and "n" in r.stdout.split()
