"""The audit chain: intact logs verify; edits, deletions and reorders are named."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading

import pytest

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.store import Store


def _dte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def audit_db() -> str:
    store = Store.open()
    audit = AuditLog(store)
    for i in range(1, 7):
        audit.record(
            "preview",
            connection="Demo (SQLite)",
            object=f"main.t{i}",
            columns=["email"],
            classifications={"email": "Confidential"},
            row_count=100 + i,
        )
    path = str(store.path)
    store.close()
    return path


def _verify() -> dict:
    out = _dte("audit", "verify", "--json")
    data = json.loads(out.stdout)
    data["exit"] = out.returncode
    return data


def test_intact_chain_verifies(audit_db: str) -> None:
    res = _verify()
    assert res == {"ok": True, "records": 6, "first_broken": None, "reason": None, "exit": 0}
    listed = json.loads(_dte("audit", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [1, 2, 3, 4, 5, 6]
    assert listed[0]["details"]["classifications"] == {"email": "Confidential"}
    assert listed[1]["prev_hash"] == listed[0]["hash"]


@pytest.mark.parametrize(
    ("sql", "first_broken"),
    [
        ("UPDATE audit_log SET object = 'main.other' WHERE id = 3", 3),
        ("UPDATE audit_log SET details = replace(details, '103', '999') WHERE id = 3", 3),
        ("DELETE FROM audit_log WHERE id = 4", 5),
        # swap the content of rows 2 and 3, ids kept: row 2 no longer chains to row 1
        (
            "UPDATE audit_log SET id = -2 WHERE id = 2; UPDATE audit_log SET id = 2 WHERE id = 3;"
            " UPDATE audit_log SET id = 3 WHERE id = -2",
            2,
        ),
        ("DELETE FROM audit_log WHERE id = 6", 6),  # the newest: caught by the head file
        ("UPDATE audit_log SET at = '2020-01-01T00:00:00+00:00' WHERE id = 1", 1),
    ],
)
def test_tampering_names_the_first_broken_record(audit_db: str, sql: str, first_broken: int):
    con = sqlite3.connect(audit_db)
    con.executescript(sql)
    con.commit()
    con.close()
    res = _verify()
    assert res["exit"] == 1 and res["ok"] is False
    assert res["first_broken"] == first_broken, res
    text = _dte("audit", "verify")
    assert f"BROKEN at record {first_broken}" in text.stdout


def test_rewriting_the_last_record_with_a_fresh_hash_is_caught_by_the_head(audit_db):
    from dte_desktop.core.audit import seal
    from dte_desktop.core.store.audit_rows import AuditRecord

    con = sqlite3.connect(audit_db)
    row = con.execute("SELECT * FROM audit_log WHERE id = 6").fetchone()
    rec = AuditRecord(*row)
    forged = AuditRecord(**{**rec.__dict__, "object": "main.forged"})
    con.execute(
        "UPDATE audit_log SET object = ?, hash = ? WHERE id = 6",
        (forged.object, seal(forged.content())),
    )
    con.commit()
    con.close()
    res = _verify()
    assert res["first_broken"] == 6 and "replaced" in res["reason"]


def test_concurrent_writers_keep_one_chain() -> None:
    store = Store.open()
    audit = AuditLog(store)

    def write(n: int) -> None:
        for i in range(25):
            audit.record("profile", object=f"t{n}.{i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    res = audit.verify()
    assert res.ok and res.records == 100, res
    store.close()


def test_export_csv_and_json(audit_db: str, tmp_path) -> None:
    out = _dte("audit", "export", "--out", str(tmp_path / "a.csv"))
    assert out.returncode == 0 and "wrote 6 records" in out.stdout
    lines = (tmp_path / "a.csv").read_text().splitlines()
    assert lines[0].startswith("id,at,os_user") and len(lines) == 7
    assert _dte("audit", "export", "--out", str(tmp_path / "a.json")).returncode == 0
    data = json.loads((tmp_path / "a.json").read_text())
    assert len(data) == 7  # the first export was itself audited
    assert data[-1]["action"] == "audit_export"
    assert _verify()["ok"]


def test_credential_changes_are_audited(demo_home: str) -> None:
    assert _dte("connections", "add", "wh", "--url", "postgresql://a:pw-9x@h/d").returncode == 0
    assert _dte("connections", "remove", "wh").returncode == 0
    recs = [
        r
        for r in json.loads(_dte("audit", "list", "--json").stdout)
        if r["action"] in ("connection_change", "credential_change")
    ]
    assert [(r["action"], r["details"]["operation"]) for r in recs] == [
        ("connection_change", "add"),
        ("credential_change", "set"),
        ("connection_change", "remove"),
        ("credential_change", "delete"),
    ]
    assert "pw-9x" not in json.dumps(recs)
    assert _verify()["ok"]
