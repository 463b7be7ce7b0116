"""The end of an export, read off the job: the files its finished slices wrote, the summary
its history and audit record keep, the manifest (core/export/manifest.py writes it), and the
catalog's row estimate progress shows a total with."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from dte_desktop.core.errors import ConnectionFailed, DteError
from dte_desktop.core.export.manifest import build_manifest
from dte_desktop.core.jobs.planner import WorkItem
from dte_desktop.core.sources.base import Source
from dte_desktop.core.store import JobItem, JobStatus

if TYPE_CHECKING:
    from dte_desktop.core.jobs.export_job import ExportJob


def finished_files(items: list[WorkItem], done: list[JobItem]) -> list[dict[str, Any]]:
    by_key = {i.key: i for i in items}
    files = []
    for rec in done:
        it = by_key[rec.key]
        files.append(
            {
                "path": it.out_path,
                "table": it.label,
                "slice": it.partition.description if it.partition else "all rows",
                "rows": rec.rows,
                "bytes": rec.bytes,
                "sha256": rec.checksum,
            }
        )
    return files


def export_summary(
    job: ExportJob, items: list[WorkItem], files: list[dict[str, Any]], failed: int, started: float
) -> dict[str, Any]:
    seconds = time.monotonic() - started
    rows = sum(f["rows"] for f in files)
    summary = {
        "rows": rows,
        "bytes": sum(f["bytes"] for f in files),
        "files": len(files),
        "items": len(items),
        "failed": failed,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / max(seconds, 1e-6)),
        "out_dir": str(job.out_dir),
    }
    if job._keeper is not None and (note := job._keeper.note()):
        summary["point_in_time"] = note
    return summary


def export_manifest(
    job: ExportJob, files: list[dict[str, Any]], status: JobStatus
) -> dict[str, Any]:
    if job._resume_check is not None:
        snapshot = job._resume_check.snapshot_note(shared_now=job._snapshot is not None)
    elif job._snapshot:
        snapshot = "one shared snapshot"
    else:
        snapshot = None
    manifest = build_manifest(
        job_id=job.job_id,
        status=str(status),
        connection=job.spec.connection,
        fmt=job.spec.format,
        masked=job.spec.mask,
        policy=job.policy_info,
        snapshot=snapshot,
        files=files,
        schemas=job._schemas,
        operators=job._masked,
        type_notes={
            **job._facts.query_notes({q.name for q in job.spec.queries}),
            **job._type_notes,
        },
        nullable=job._facts.nullable(),
        masked_type_notes=job._masked_types,
    )
    if job._resume_check is not None:
        manifest["resume"] = job._resume_check.to_manifest()
    if job._keeper is not None and (note := job._keeper.note()):
        manifest["snapshot"] = note
        manifest["snapshot_lost"] = job._keeper.to_manifest()
    for label, risk in job.risk_summary().items():
        manifest["tables"].setdefault(label, {})["risk"] = risk
    return manifest


def estimate_rows(source: Source, items: list[WorkItem]) -> int | None:
    """Rows the tables of ``items`` hold by the catalog's estimates (None where any is
    unknown, or for a query): a total for progress, never a figure in the manifest."""
    tables = {i.table for i in items if i.table is not None}
    if not tables or any(i.table is None for i in items):
        return None
    total = 0
    try:
        for schema in {t.schema for t in tables}:
            found = {info.ref.name: info.estimated_rows for info in source.list_tables(schema)}
            for t in (t for t in tables if t.schema == schema):
                n = found.get(t.name)
                if n is None:
                    return None
                total += n
    except ConnectionFailed:  # not swallowed: each swallowed timeout was one more wait
        raise
    except DteError:  # the estimate is a nicety: progress then shows no total
        return None
    return total
