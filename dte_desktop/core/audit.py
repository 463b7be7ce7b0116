"""The tamper-evident audit log.

Every record holds the SHA-256 of its predecessor and of its own content (canonical JSON of
all fields, its id and the predecessor's hash), so editing, deleting or reordering rows in
the SQLite file breaks the chain at the first touched record. Deleting the *newest* rows (or
all of them) leaves a shorter chain that is still valid, so the chain's end is kept twice
more: in the ``audit_anchor`` row (log id, first and last record, moved in the same
transaction as each record; created by the migration, so it exists in every history) and in
``audit_head.json`` beside the database (written after the commit). Verify needs all three
to agree; a head one record behind is the trace of a crash between commit and head write.

Limit, stated plainly: someone who can rewrite the rows, the anchor row and the head file
consistently can forge a chain; the chain proves the log was not edited *silently*, it is
not a signature.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dte_desktop.core.filelock import FileLock
from dte_desktop.core.logs import get_logger, redact_mapping
from dte_desktop.core.store import Store
from dte_desktop.core.store.audit_rows import GENESIS, AuditRecord
from dte_desktop.core.store.repository import os_user
from dte_desktop.core.urls import public_ref

log = get_logger("audit")
HEAD_LOCK_WAIT_S = 60.0

ACTIONS = (
    "preview",
    "reveal",
    "reveal_refused",
    "export",
    "profile",
    "sample",
    "policy_change",
    "classification_change",
    "credential_change",
    "connection_change",
    "audit_export",
    "risk",
    "package",
)


def _chain_break(records: list[AuditRecord]) -> VerifyResult | None:
    """The first record that is missing, unchained or changed, if any."""
    prev_hash, expected_id = GENESIS, 1
    n = len(records)
    for rec in records:
        if rec.id != expected_id:
            return VerifyResult(
                False,
                n,
                rec.id,
                f"record {rec.id} follows {expected_id - 1}: "
                f"record(s) {expected_id}..{rec.id - 1} are missing",
            )
        if rec.prev_hash != prev_hash:
            return VerifyResult(
                False,
                n,
                rec.id,
                f"record {rec.id} does not chain to its "
                "predecessor (a record before it was changed, removed or "
                "reordered)",
            )
        if seal(rec.content()) != rec.hash:
            return VerifyResult(
                False, n, rec.id, f"record {rec.id} was changed after it was written"
            )
        prev_hash, expected_id = rec.hash, rec.id + 1
    return None


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def seal(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    records: int
    first_broken: int | None = None
    reason: str | None = None


class AuditLog:
    def __init__(self, store: Store, head_file: Path | None = None) -> None:
        self.store = store
        self.head_file = head_file or store.path.with_name("audit_head.json")

    def record(
        self,
        action: str,
        *,
        connection: str | None = None,
        object: str | None = None,
        columns: list[str] | None = None,
        classifications: dict[str, str] | None = None,
        reason: str | None = None,
        row_count: int | None = None,
        job_id: int | None = None,
        extra: dict[str, Any] | None = None,
        also: Callable[[Session], None] | None = None,
    ) -> AuditRecord:
        """``also`` runs in the record's transaction (see ``Store.audit_append``)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        details = {
            "columns": columns or [],
            "classifications": classifications or {},
            "reason": reason,
            "row_count": row_count,
            "job_id": job_id,
            **redact_mapping(extra or {}),
        }
        fields = {
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "os_user": os_user(),
            "host": socket.gethostname(),
            "action": action,
            # Hashed into the chain for good: a URL's password must not get in.
            "connection": None if connection is None else public_ref(connection),
            "object": None if object is None else public_ref(object),
            "details": canonical(details),
        }
        # The head file is written after the commit, in commit order (the lock): a crash in
        # between leaves it one record behind, which verify accepts and the next record
        # repairs; it is never ahead of the history.
        with FileLock(
            self.head_file.with_name(self.head_file.name + ".lock"),
            what="The audit head",
            timeout=HEAD_LOCK_WAIT_S,
        ):
            rec, head = self.store.audit_append(fields, seal, also)
            self._write_head(head)
        return rec

    def _write_head(self, head: dict[str, Any]) -> None:
        tmp = self.head_file.with_name(
            f"{self.head_file.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        )
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(head))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.head_file)
        except OSError as exc:  # after the commit: the head stays one record behind
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            log.warning(
                "the audit head file %s could not be updated (%s); the record is in the "
                "history, and `dte audit verify` accepts the head one record behind until "
                "the next record rewrites it",
                self.head_file,
                exc.strerror or exc,
            )

    def records(
        self, *, since: str | None = None, action: str | None = None, limit: int | None = None
    ) -> list[AuditRecord]:
        return self.store.audit_records(since=since, action=action, limit=limit)

    def verify(self) -> VerifyResult:
        """Three witnesses must agree: the chained rows, the anchor row written in the same
        transaction as each of them, and the head file beside the database. Deleting rows
        (any, all, the newest) therefore needs the anchor *and* the head rewritten to match."""
        try:
            records = self.store.audit_records()
            anchor = self.store.audit_anchor()
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            reason = f"the audit table cannot be read: {type(cause).__name__}: {cause}"
            return VerifyResult(False, 0, None, reason)
        except (TypeError, ValueError) as exc:
            return VerifyResult(False, 0, None, f"the audit table holds malformed rows ({exc})")
        broken = _chain_break(records)
        if broken is not None:
            return broken
        n = len(records)
        last_id = records[-1].id if records else 0
        last_hash = records[-1].hash if records else GENESIS
        first_hash = records[0].hash if records else None
        if anchor is None:
            return VerifyResult(
                False, n, None, "the audit anchor in the history database was deleted"
            )
        if anchor["last_id"] > last_id:
            return VerifyResult(
                False,
                n,
                last_id + 1,
                f"records {last_id + 1}..{anchor['last_id']} "
                "were removed (the history's audit anchor counts them)",
            )
        if anchor["last_id"] < last_id:
            return VerifyResult(
                False,
                n,
                anchor["last_id"] + 1,
                f"records after {anchor['last_id']} were added outside the app",
            )
        if anchor["last_hash"] != last_hash:
            return VerifyResult(
                False, n, last_id, f"record {last_id} was replaced after it was written"
            )
        if anchor["first_hash"] is not None and anchor["first_hash"] != first_hash:
            return VerifyResult(False, n, 1, "the log was replaced from its first record on")
        return self._check_head(anchor, records)

    def _check_head(self, anchor: dict[str, Any], records: list[AuditRecord]) -> VerifyResult:
        n = len(records)
        try:
            head = self._read_head()
        except ValueError as exc:
            return VerifyResult(
                False, n, None, f"the audit head file {self.head_file} is malformed: {exc}"
            )
        if head is None:
            if not records:
                return VerifyResult(True, 0)  # a log nothing was ever written to
            if len(records) == 1:  # the first head write was interrupted (see ``record``)
                return VerifyResult(True, 1, None, "the head file was not written yet")
            return VerifyResult(False, n, None, f"the audit head file {self.head_file} is missing")
        if head["log_id"] not in (None, anchor["log_id"]):
            return VerifyResult(False, n, None, "the audit head file belongs to another log")
        by_id = {r.id: r for r in records}
        last_id = records[-1].id if records else 0
        if head["last_id"] == last_id and (not records or head["last_hash"] == records[-1].hash):
            return VerifyResult(True, n)
        behind = by_id.get(head["last_id"])
        if (
            head["last_id"] == last_id - 1
            and behind is not None
            and behind.hash == head["last_hash"]
        ):
            return VerifyResult(
                True,
                n,
                None,
                f"the head file was one record behind (a write "
                f"was interrupted after record {last_id} was stored)",
            )
        if head["last_id"] > last_id:
            return VerifyResult(
                False,
                n,
                last_id + 1,
                f"records after {last_id} were removed (the head file says {head['last_id']})",
            )
        return VerifyResult(False, n, head["last_id"], "the audit head file does not match the log")

    def _read_head(self) -> dict[str, Any] | None:
        """The head file's content, checked for shape; ``ValueError`` says what is wrong."""
        try:
            data = json.loads(self.head_file.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"unreadable ({type(exc).__name__})") from None
        except json.JSONDecodeError:
            raise ValueError("not JSON") from None
        if not isinstance(data, dict):
            raise ValueError(f"a JSON {type(data).__name__}, not an object")
        if not isinstance(data.get("last_id"), int) or isinstance(data.get("last_id"), bool):
            raise ValueError("no integer last_id")
        if not isinstance(data.get("last_hash"), str):
            raise ValueError("no last_hash")
        data.setdefault("log_id", None)  # heads written before the anchor existed
        return data

    def export(self, out: Path, *, since: str | None = None) -> int:
        """CSV or JSON by the file's suffix; the chain fields are included so an auditor
        can re-verify outside the app."""
        rows = [asdict(r) for r in self.records(since=since)]
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".json":
            out.write_text(json.dumps(rows, indent=1, ensure_ascii=False), "utf-8")
        else:
            fields = list(AuditRecord.__dataclass_fields__)
            with out.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=fields)
                writer.writeheader()
                writer.writerows(rows)
        return len(rows)
