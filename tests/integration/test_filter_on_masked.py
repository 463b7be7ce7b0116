"""A filter on a masked column is a reveal (issue 15 item 12): with the shipped policy
(allow_reveal = false) a masked export whose --where names a masked column is refused before
any job exists; a filter on a Public column works; with reveals allowed it works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_privacy_cli import dte
from tests.integration.test_query_preview import SSN, make_people

pytestmark = pytest.mark.postgres


@pytest.fixture
def people(pg_url: str, dte_home: str) -> str:
    make_people(
        pg_url,
        'CREATE TABLE people (id int PRIMARY KEY, "Notes" text, ssn text)',
        "INSERT INTO people SELECT g, 'n' || g, lpad((100 + g)::text, 3, '0') || '-45-' "
        "|| lpad((1000 + g)::text, 4, '0') FROM generate_series(1, 30) g",
    )
    assert dte("classify", "hr", "people", "id", "--level", "Public").returncode == 0
    return pg_url


def test_a_filter_naming_a_masked_column_needs_the_reveal_permission(
    people: str, dte_home: str, tmp_path: Path
) -> None:
    jobs_before = json.loads(dte("jobs", "list", "--json").stdout)
    for where in (f"ssn = '{SSN}'", f"SSN = '{SSN}'", "\"Notes\" = 'n7'", "notes IS NULL"):
        out = tmp_path / "refused"
        r = dte("export", "hr", "people", "--out", str(out), "--where", where)
        assert r.returncode == 2, (where, r.stdout, r.stderr)
        assert "needs the policy's reveal permission" in r.stderr and SSN not in r.stderr
        assert not out.exists()
    assert json.loads(dte("jobs", "list", "--json").stdout) == jobs_before  # no job at all

    ok = dte("export", "hr", "people", "--out", str(tmp_path / "ok"), "--where", "id < 10",
             "--json")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "complete"
    # A string literal that reads like a column name is not a column.
    lit = dte("export", "hr", "people", "--out", str(tmp_path / "lit"),
              "--where", "'ssn' <> 'x' AND id = 1")  # fmt: skip
    assert lit.returncode == 0, lit.stderr

    policy = tmp_path / "reveal.toml"
    policy.write_text("version = 1\nallow_reveal = true\n", "utf-8")
    assert dte("policy", "set", str(policy), "--reason", "audit team").returncode == 0
    allowed = dte("export", "hr", "people", "--out", str(tmp_path / "allowed"),
                  "--where", f"ssn = '{SSN}'", "--json")  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
