"""The tamper-evident audit log.

Every record holds the SHA-256 of its predecessor and of its own content (canonical JSON of
all fields, its id and the predecessor's hash), so editing, deleting or reordering rows in
the SQLite file breaks the chain at the first touched record. Deleting the *newest* rows
leaves a shorter chain that is still valid, so the head (count and last hash) is also kept
in ``audit_head.json`` beside the database and compared on verify.

Limit, stated plainly: someone who can write both files can recompute a consistent chain;
the chain proves the log was not edited *silently* by row edits, it is not a signature.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dte_desktop.core.logs import get_logger, redact_mapping
from dte_desktop.core.store import Store
from dte_desktop.core.store.audit_rows import GENESIS, AuditRecord
from dte_desktop.core.store.repository import os_user
from dte_desktop.core.urls import public_ref

log = get_logger("audit")

ACTIONS = (
    "preview",
    "reveal",
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
    ) -> AuditRecord:
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
        return self.store.audit_append(fields, seal, self._write_head)

    def _write_head(self, rec: AuditRecord) -> None:
        tmp = self.head_file.with_name(
            f"{self.head_file.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        )
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"last_id": rec.id, "last_hash": rec.hash}))
        os.replace(tmp, self.head_file)

    def records(
        self, *, since: str | None = None, action: str | None = None, limit: int | None = None
    ) -> list[AuditRecord]:
        return self.store.audit_records(since=since, action=action, limit=limit)

    def verify(self) -> VerifyResult:
        records = self.store.audit_records()
        prev_hash, expected_id = GENESIS, 1
        for rec in records:
            if rec.id != expected_id:
                return VerifyResult(
                    False,
                    len(records),
                    rec.id,
                    f"record {rec.id} follows {expected_id - 1}: "
                    f"record(s) {expected_id}..{rec.id - 1} are missing",
                )
            if rec.prev_hash != prev_hash:
                return VerifyResult(
                    False,
                    len(records),
                    rec.id,
                    f"record {rec.id} does not chain to its predecessor "
                    "(a record before it was changed, removed or reordered)",
                )
            if seal(rec.content()) != rec.hash:
                return VerifyResult(
                    False, len(records), rec.id, f"record {rec.id} was changed after it was written"
                )
            prev_hash, expected_id = rec.hash, rec.id + 1
        last_id = records[-1].id if records else 0
        head = self._read_head()
        if head is None:
            if records:
                return VerifyResult(
                    False, len(records), records[-1].id, "the audit head file is missing"
                )
        elif head["last_id"] > last_id:
            return VerifyResult(
                False,
                len(records),
                last_id + 1,
                f"records after {last_id} were removed (the head says {head['last_id']})",
            )
        elif head["last_id"] < last_id:
            return VerifyResult(
                False,
                len(records),
                head["last_id"] + 1,
                f"records after {head['last_id']} were added outside the app",
            )
        elif records and head["last_hash"] != prev_hash:
            return VerifyResult(
                False, len(records), last_id, f"record {last_id} was replaced after it was written"
            )
        return VerifyResult(True, len(records))

    def _read_head(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.head_file.read_text())
        except FileNotFoundError:
            return None
        except ValueError:
            return {"last_id": -1, "last_hash": ""}

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
