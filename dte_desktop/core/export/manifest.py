"""``manifest.json`` and ``SHA256SUMS``: what an export wrote, verifiable without the app
(``sha256sum -c SHA256SUMS``)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


def sha256_file(path: Path, chunk: int = 4 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def schema_json(schema: pa.Schema) -> list[dict[str, Any]]:
    return [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in schema]


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest, then SHA256SUMS over every listed file and the manifest."""
    manifest = {**manifest, "written_at": datetime.now(UTC).isoformat(timespec="seconds")}
    path = out_dir / MANIFEST
    write_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    lines = [f"{f['sha256']}  {f['path']}" for f in manifest.get("files", [])]
    lines.append(f"{sha256_file(path)}  {MANIFEST}")
    write_atomic(out_dir / SUMS, "\n".join(lines) + "\n")
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
