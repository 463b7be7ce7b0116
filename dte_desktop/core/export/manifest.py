"""``manifest.json`` and ``SHA256SUMS``: what an export wrote, verifiable without the app
(``sha256sum -c SHA256SUMS``)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from dte_desktop.core.export.writers import format_notes
from dte_desktop.core.urls import public_ref

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


def sha256_file(path: Path, chunk: int = 4 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def schema_json(schema: pa.Schema, nullable: dict[str, bool] | None = None) -> list[dict[str, Any]]:
    """Each column's Arrow type, and ``nullable`` from ``nullable`` (the catalog's NOT NULL,
    see ``ColumnFacts``) where known, else from the field (Arrow batches say nullable)."""
    known = nullable or {}
    return [
        {"name": f.name, "type": str(f.type), "nullable": known.get(f.name, f.nullable)}
        for f in schema
    ]


def build_manifest(
    *,
    job_id: int,
    status: str,
    connection: str,
    fmt: str,
    masked: bool,
    policy: dict[str, Any] | None,
    snapshot: str | None,
    files: list[dict[str, Any]],
    schemas: dict[str, pa.Schema],
    operators: dict[str, dict[str, str]],
    type_notes: dict[str, dict[str, str]],
    nullable: dict[str, dict[str, bool]] | None = None,
    masked_type_notes: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The manifest's content: per table its rows, files, Arrow schema, the masking
    operator applied to each column, how unusual types were read (``type_notes``) and how
    the format wrote values it has no type for (``format_notes``), and for masked columns
    whose type the operator changed, from what to what and why (``masked_type_notes``: the
    schema is the written one, ``type_notes`` say how the source's values were read); per
    file its slice, rows, bytes and SHA-256."""
    tables: dict[str, Any] = {}
    for f in files:
        t = tables.setdefault(f["table"], {"rows": 0, "files": 0})
        t["rows"] += f["rows"]
        t["files"] += 1
    for label, t in tables.items():
        if label in schemas:
            t["schema"] = schema_json(schemas[label], (nullable or {}).get(label))
            if notes := format_notes(fmt, schemas[label]):
                t["format_notes"] = notes
        if masked:
            t["masking"] = operators.get(label, {})
            if changed := (masked_type_notes or {}).get(label):
                t["masked_type_notes"] = changed
        if label in type_notes:
            t["type_notes"] = type_notes[label]
    if snapshot is None:
        snapshot = (
            "single slice per table"
            if all(t["files"] == 1 for t in tables.values())
            else "not shared: the source cannot share a snapshot across slices"
        )
    return {
        "job_id": job_id,
        "status": status,
        "connection": public_ref(connection),
        "format": fmt,
        "masked": masked,
        "masking_policy": policy,
        "snapshot": snapshot,
        "tables": tables,
        "files": files,
    }


def write_atomic(path: Path, text: str) -> None:
    """``path`` whole or not at all: a full disk leaves no ``.part`` behind."""
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest, then SHA256SUMS over every listed file and the manifest."""
    manifest = {**manifest, "written_at": datetime.now(UTC).isoformat(timespec="seconds")}
    path = out_dir / MANIFEST
    write_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    lines = [f"{f['sha256']}  {f['path']}" for f in manifest.get("files", [])]
    lines.append(f"{sha256_file(path)}  {MANIFEST}")
    try:
        write_atomic(out_dir / SUMS, "\n".join(lines) + "\n")
    except BaseException:  # a manifest without its checksums is not left claiming anything
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        raise
    return path


def verify_manifest(out_dir: Path) -> list[str]:
    """Problems found (empty when every file is present, whole and as counted)."""
    problems = []
    manifest = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    for f in manifest.get("files", []):
        p = out_dir / f["path"]
        if not p.exists():
            problems.append(f"missing: {f['path']}")
        elif p.stat().st_size != f["bytes"]:
            problems.append(f"size differs: {f['path']}")
        elif sha256_file(p) != f["sha256"]:
            problems.append(f"checksum differs: {f['path']}")
    for leftover in out_dir.rglob("*.part"):
        problems.append(f"partial file left: {leftover.relative_to(out_dir)}")
    return problems
