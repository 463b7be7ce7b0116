"""The policy's ``min_k`` (issue 24): a masked export checks k-anonymity over its
quasi-identifiers before it writes. ``stop`` refuses with the smallest classes' sizes (never
their values); ``suppress`` leaves out exactly the rows of classes below min_k and counts
them in the manifest and the audit record. On PostgreSQL and SQLite, through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import psycopg
import pyarrow.parquet as pq
import pytest

from tests.integration.test_risk import DDL, QI, _rows, _run

POLICY = Path(__file__).resolve().parents[2] / "resources/masking_policy.toml"
PLANTED = ("99999", "88888", "1931", "1942")


def _policy(tmp_path: Path, action: str, min_k: int = 3) -> None:
    text = POLICY.read_text().replace(
        "allow_reveal = false\n",
        f'allow_reveal = false\nmin_k = {min_k}\nbelow_min_k = "{action}"\n',
        1,
    )
    path = tmp_path / f"policy-{action}.toml"
    path.write_text(text)
    r = _run("policy", "set", str(path), "--reason", "k-anonymity for transfers")
    assert r.returncode == 0, r.stderr


def _small_class_ids(min_k: int) -> set[int]:
    rows = _rows()
    sizes = Counter(r[1:4] for r in rows)
    return {r[0] for r in rows if sizes[r[1:4]] < min_k}


def _exercise(url: str, tmp_path: Path) -> None:
    assert _run("connections", "add", "people", "--url", url).returncode == 0
    r = _run("classify", "people", "people", "id", "--level", "Public", "--reason", "key")
    assert r.returncode == 0, r.stderr
    _policy(tmp_path, "stop")
    out = tmp_path / "stopped"
    r = _run("export", "people", "people", "--out", str(out), "--qi", ",".join(QI))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "k = 1" in r.stderr and "below the policy's min_k = 3" in r.stderr
    assert "smallest sizes: 1, 1, 2" in r.stderr
    assert not [p for p in PLANTED if p in r.stdout + r.stderr]
    assert not (out / "manifest.json").exists()
    assert json.loads(_run("jobs", "list", "--json").stdout) == []

    _policy(tmp_path, "suppress")
    out = tmp_path / "suppressed"
    r = _run("export", "people", "people", "--out", str(out), "--partitions", "2", "--json")
    assert r.returncode == 0, r.stderr  # QIs suggested from the names: zip, gender, birth_year
    ids = [i for f in sorted(out.rglob("*.parquet")) for i in pq.read_table(f)["id"].to_pylist()]
    gone = _small_class_ids(3)
    assert len(gone) == 4 and sorted(ids) == sorted({r[0] for r in _rows()} - gone)
    risk = json.loads((out / "manifest.json").read_text())["tables"]["people"]["risk"]
    assert risk["checked"] and risk["quasi_identifiers"] == list(QI)
    assert risk["k"] == 1 and risk["suppressed_rows"] == 4 and risk["below_min_k"] == "suppress"
    audit = [a for a in json.loads(_run("audit", "list", "--json").stdout)
             if a["action"] == "export"]  # fmt: skip
    assert audit[-1]["details"]["risk"]["people"]["suppressed_rows"] == 4
    everything = b"".join(f.read_bytes() for f in out.rglob("*") if f.is_file())
    assert b"99999" not in everything and b"88888" not in everything

    _policy(tmp_path, "stop", min_k=1 + 1)  # 2: only the size-1 classes are below
    r = _run("export", "people", "people", "--out", str(tmp_path / "k2"), "--qi", "gender")
    assert r.returncode == 0, r.stderr  # gender alone: two big classes


def test_min_k_on_postgres(pg_url: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute(DDL)
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO people VALUES (%s, %s, %s, %s, %s)", _rows())
    _exercise(pg_url, tmp_path)


def test_min_k_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "people.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(DDL)
        con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?)", _rows())
    _exercise(f"sqlite:///{path}", tmp_path)


BAD = [("min_k = 1", "at least 2"), ('below_min_k = "warn"', "below_min_k must be")]


@pytest.mark.parametrize(("line", "why"), BAD)
def test_bad_min_k_settings_are_refused(tmp_path: Path, line: str, why: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        POLICY.read_text().replace("allow_reveal = false\n", f"allow_reveal = false\n{line}\n", 1)
    )
    r = _run("policy", "check", str(path))
    assert r.returncode == 2 and why in r.stderr
