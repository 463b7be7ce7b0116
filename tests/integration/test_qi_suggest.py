"""Quasi-identifiers suggested from the last profile's cardinalities (issue 24): a neutrally
named gender-like column (2-5 distinct values, many rows each) is suggested once the table is
profiled, by ``dte risk --suggest-qi``, by ``dte risk`` without ``--qi`` and by a masked
export's ``min_k`` check; never a value in the output. Through the real CLI, on SQLite."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.integration.test_min_k import _policy
from tests.integration.test_risk import _run

DDL = "CREATE TABLE people (id INTEGER PRIMARY KEY, zip VARCHAR(5), code CHAR(1), grp INTEGER, " \
      "tier VARCHAR(2), score REAL, note VARCHAR(30))"  # fmt: skip


def _rows() -> list[tuple[object, ...]]:
    return [
        (i, f"{10100 + i % 7}", "FM"[i % 2], 1 + i % 3, "abcdefgh"[i % 8], float(i % 3),
         f"note {i}")
        for i in range(200)
    ]  # fmt: skip


def _suggested() -> dict[str, str]:
    r = _run("risk", "ppl", "people", "--suggest-qi", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["table"] == "people"
    return {s["column"]: s["reason"] for s in got["suggested"]}


def test_profile_cardinalities_suggest_gender_like_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(DDL)
        con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?)", _rows())
    assert _run("connections", "add", "ppl", "--url", f"sqlite:///{path}").returncode == 0
    assert list(_suggested()) == ["zip"]  # by name only: nothing profiled yet
    r = _run("profile", "ppl", "people")
    assert r.returncode == 0, r.stderr
    reasons = _suggested()
    # code: 2 values, grp: 3 integer codes; not tier (8 values), score (a float), id, note
    assert list(reasons) == ["zip", "code", "grp"]
    assert reasons["zip"] == "name (zip)"
    assert reasons["code"] == "2 distinct values in 200 rows (gender-like, last profile)"
    assert reasons["grp"].startswith("3 distinct values")
    text = _run("risk", "ppl", "people", "--suggest-qi")
    assert "code" in text.stdout and "gender-like" in text.stdout
    assert "10101" not in text.stdout and "note 1" not in text.stdout  # never a value

    # dte risk without --qi: the suggested ones, the same figures as naming them
    auto = _run("risk", "ppl", "people", "--json")
    assert auto.returncode == 0, auto.stderr
    assert "Quasi-identifiers suggested: zip, code, grp" in auto.stderr
    named = _run("risk", "ppl", "people", "--qi", "zip,code,grp", "--json")
    assert json.loads(auto.stdout) == json.loads(named.stdout)
    assert json.loads(auto.stdout)["quasi_identifiers"] == ["zip", "code", "grp"]

    # a masked export's min_k check takes the same suggestion
    r = _run("classify", "ppl", "people", "id", "--level", "Public", "--reason", "key")
    assert r.returncode == 0, r.stderr
    _policy(tmp_path, "suppress", min_k=2)
    out = tmp_path / "out"
    r = _run("export", "ppl", "people", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    risk = json.loads((out / "manifest.json").read_text())["tables"]["people"]["risk"]
    assert risk["checked"] and risk["quasi_identifiers"] == ["zip", "code", "grp"]


def test_no_suggestion_asks_for_qi(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)")
        con.execute("INSERT INTO t VALUES (1, 'x')")
    r = _run("risk", f"sqlite:///{path}", "t")
    assert r.returncode == 2
    assert "No column of t looks like a quasi-identifier" in r.stderr and "--qi" in r.stderr
