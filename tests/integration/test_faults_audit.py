"""Audit gaps: truncating the log, deleting all of it, or rewriting its head file is named by
`dte audit verify`; a malformed head or table is a clear message; a process killed between
a record's commit and its head write leaves a log that still verifies."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.store import Store


def dte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args], capture_output=True, text=True, timeout=60
    )


def write_records(n: int) -> tuple[Path, Path]:
    store = Store.open()
    audit = AuditLog(store)
    for i in range(n):
        audit.record("preview", connection="c", object=f"main.t{i}", row_count=i)
    paths = store.path, audit.head_file
    store.close()
    return paths


def sql(db: Path, script: str) -> None:
    con = sqlite3.connect(db)
    con.executescript(script)
    con.commit()
    con.close()


def verify() -> dict:
    store = Store.open()
    try:
        res = AuditLog(store).verify()
    finally:
        store.close()
    return {"ok": res.ok, "first_broken": res.first_broken, "reason": res.reason or ""}


def head_of(db: Path, record_id: int) -> str:
    con = sqlite3.connect(db)
    (h,) = con.execute("SELECT hash FROM audit_log WHERE id = ?", (record_id,)).fetchone()
    con.close()
    return h


def test_deleting_every_record_and_the_head_file_is_caught() -> None:
    db, head = write_records(5)
    sql(db, "DELETE FROM audit_log")
    head.unlink()
    r = dte("audit", "verify")
    assert r.returncode == 1 and "BROKEN" in r.stdout and "1..5 were removed" in r.stdout, r


def test_deleting_the_tail_and_rewriting_the_head_file_is_caught() -> None:
    db, head = write_records(6)
    sql(db, "DELETE FROM audit_log WHERE id > 4")
    head.write_text(
        json.dumps({**json.loads(head.read_text()), "last_id": 4, "last_hash": head_of(db, 4)})
    )
    res = verify()
    assert not res["ok"] and res["first_broken"] == 5 and "5..6 were removed" in res["reason"]


def test_deleting_the_anchor_too_is_caught() -> None:
    db, head = write_records(3)
    sql(db, "DELETE FROM audit_log; DELETE FROM audit_anchor")
    head.unlink()
    res = verify()
    assert not res["ok"] and "anchor" in res["reason"] and "deleted" in res["reason"]


def test_a_forged_replacement_log_is_caught() -> None:
    """Delete everything and append a fresh, internally valid chain of the same length."""
    db, head = write_records(2)
    sql(db, "DELETE FROM audit_log")
    head.unlink()
    con = sqlite3.connect(db)
    anchor_before = con.execute("SELECT last_id, last_hash FROM audit_anchor").fetchone()
    con.execute("UPDATE audit_anchor SET last_id = 0, last_hash = ?", ("0" * 64,))
    con.commit()
    con.close()
    write_records(2)  # the app writes two new records on top: same count, other content
    assert anchor_before[0] == 2
    res = verify()
    assert not res["ok"] and res["first_broken"] == 1 and "first record" in res["reason"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("[1, 2]", "not an object"),
        ("not json at all", "not JSON"),
        ('{"last_id": "7", "last_hash": "x"}', "no integer last_id"),
        ("{}", "no integer last_id"),
        ('{"last_id": 3}', "no last_hash"),
    ],
)
def test_a_malformed_head_file_is_a_clear_message(content: str, says: str) -> None:
    _, head = write_records(3)
    head.write_text(content)
    r = dte("audit", "verify", "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    res = json.loads(r.stdout)
    assert not res["ok"] and "malformed" in res["reason"] and says in res["reason"]


def test_a_dropped_or_mangled_audit_table_is_a_clear_message() -> None:
    db, _ = write_records(2)
    sql(db, "DROP TABLE audit_log")
    r = dte("audit", "verify", "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    res = json.loads(r.stdout)
    assert not res["ok"] and "cannot be read" in res["reason"]


KILL_AFTER_COMMIT = """
import os
from dte_desktop.core.audit import AuditLog
from dte_desktop.core.store import Store
AuditLog._write_head = lambda self, head: os._exit(9)  # the process dies right here
AuditLog(Store.open()).record("preview", connection="c", object="killed")
"""


def test_a_kill_between_commit_and_head_write_still_verifies() -> None:
    _, head = write_records(3)
    before = head.read_text()
    r = subprocess.run([sys.executable, "-c", KILL_AFTER_COMMIT], env=os.environ.copy())
    assert r.returncode == 9 and head.read_text() == before
    res = verify()
    assert res["ok"] and "one record behind" in res["reason"], res
    write_records(1)  # the next record puts the head right
    assert verify() == {"ok": True, "first_broken": None, "reason": ""}
    r = dte("audit", "verify")
    assert r.returncode == 0 and r.stdout.startswith("OK: 5 records"), r


def test_a_history_from_before_the_anchor_verifies_after_the_upgrade() -> None:
    from dte_desktop.core.paths import app_paths
    from dte_desktop.core.store.db import make_engine, migrate

    paths = app_paths().ensure()
    engine = make_engine(paths.history_db)
    migrate(engine, paths.history_db, target="0004")
    engine.dispose()
    # An old log: records chained the same way, the old head file (no log id).
    import dte_desktop.core.audit as audit_mod

    con = sqlite3.connect(paths.history_db)
    prev = "0" * 64
    for i in (1, 2):
        content = {
            "id": i,
            "at": "2026-01-01T00:00:00+00:00",
            "os_user": "u",
            "host": "h",
            "action": "preview",
            "connection": "c",
            "object": "t",
            "details": "{}",
            "prev_hash": prev,
        }
        h = audit_mod.seal(content)
        con.execute(
            "INSERT INTO audit_log (id, at, os_user, host, action, connection, object, details,"
            " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (i, content["at"], "u", "h", "preview", "c", "t", "{}", prev, h),
        )
        prev = h
    con.commit()
    con.close()
    Path(paths.history_db).with_name("audit_head.json").write_text(
        json.dumps({"last_id": 2, "last_hash": prev})
    )
    assert verify() == {"ok": True, "first_broken": None, "reason": ""}
    write_records(1)
    assert verify() == {"ok": True, "first_broken": None, "reason": ""}
