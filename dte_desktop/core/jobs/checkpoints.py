"""What the history keeps of a finished slice, so a resume that does not read it again still
writes a whole manifest (schema, masking, type notes), and how disk failures read."""

from __future__ import annotations

import base64
import errno
from pathlib import Path
from typing import Any

import pyarrow as pa

from dte_desktop.core.errors import ExportFailed
from dte_desktop.core.jobs.planner import WorkItem
from dte_desktop.core.store import ItemStatus, JobItem


def check_writable(folder: Path) -> None:
    """Before a job is started: the folder (or the nearest existing parent it would be
    made in) takes a file. Raises the same ``ExportFailed`` the job would fail with."""
    import os
    import tempfile

    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise ExportFailed(f"Cannot write {folder}: {probe} is not a folder.")
    try:
        fd, name = tempfile.mkstemp(prefix=".dte-write-check-", dir=probe)
    except OSError as exc:
        raise disk_error(exc, folder) from None
    os.close(fd)
    os.unlink(name)


#: Error types a resume cannot get past by trying again: the cause must be fixed first
#: (a folder that cannot be written, a refused policy, a missing table), then re-run.
PERMANENT_ERRORS = frozenset(
    {"ExportFailed", "PermissionDenied", "ConfigError", "ReadOnly", "NotFound", "PolicyViolation"}
)


def resume_helps(errors: list[Any]) -> bool:
    """Whether resuming a failed job can succeed: some error of it is not a permanent one
    (a connection dropped, a lock was busy) — or nothing was recorded."""
    final = [e for e in errors if not (getattr(e, "context", None) or {}).get("retrying")]
    return not final or any(e.type not in PERMANENT_ERRORS for e in final)


def disk_error(exc: OSError, path: Path) -> ExportFailed:
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EFBIG: "the file grew past the size this system allows",
        errno.EROFS: "the folder is on a read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }
    why = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return ExportFailed(f"Cannot write {path}: {why}.")


def done_checkpoint(
    item: WorkItem,
    *,
    marker: str | None,
    masking: dict[str, str] | None,
    schema: pa.Schema | None,
) -> dict[str, Any]:
    """The slice's plan, the change marker its run started from, the masking operators and
    the Arrow schema it was written with."""
    return {
        "item": item.to_checkpoint(),
        "marker": marker,
        "masking": masking,
        "schema": base64.b64encode(schema.serialize()).decode() if schema else None,
    }


def restore_finished(
    stored: list[JobItem], masked: dict[str, dict[str, str]], schemas: dict[str, pa.Schema]
) -> None:
    """Fill ``masked`` and ``schemas`` from the finished slices' checkpoints."""
    for rec in stored:
        cp = rec.checkpoint
        if rec.status != ItemStatus.DONE or "item" not in cp:
            continue
        label = cp["item"]["label"]
        if cp.get("masking") is not None:
            masked.setdefault(label, cp["masking"])
        if cp.get("schema"):
            raw = pa.py_buffer(base64.b64decode(cp["schema"]))
            schemas.setdefault(label, pa.ipc.read_schema(raw))
