"""A sample job from an ``AppContext``: the one entry point the CLI and a GUI panel share.

``run_sample`` records a ``sample`` job (its config holds the seed, size and distribution, so
``rerun_sample`` repeats the same sample), picks the keys (``sampler``), then either returns
the chosen rows masked for preview, or exports them through the export engine: one
``ExportSpec`` query ``SELECT … WHERE key IN (…) ORDER BY key`` named after the table (so the
table's stored classifications drive its masking), plus ``lineage.jsonl`` next to it — one
line per exported row, in file order, with the row's key and why it was chosen — added to
``manifest.json`` and ``SHA256SUMS`` after the export finished. Everything is audited.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import Cancelled, ConfigError
from dte_desktop.core.export.manifest import MANIFEST, sha256_file, write_atomic, write_manifest
from dte_desktop.core.export.spec import ExportSpec, QuerySpec
from dte_desktop.core.jobs.job_end import final_status
from dte_desktop.core.jobs.progress import JobEvents
from dte_desktop.core.jobs.stoppable import StoppableSource
from dte_desktop.core.privacy.labels import labels_for
from dte_desktop.core.privacy.masking import TableMasker, build_masker
from dte_desktop.core.profiling.model import json_value
from dte_desktop.core.sampling.sampler import (
    Selection,
    fetch_rows,
    ordered_keys,
    select_sample,
    select_sql,
)
from dte_desktop.core.sampling.spec import SampleSpec
from dte_desktop.core.sources.names import parse_table
from dte_desktop.core.store import ItemStatus, JobStatus

LINEAGE_FILE = "lineage.jsonl"


@dataclass
class SampleOutcome:
    job_id: int
    selection: Selection
    rows: pa.Table | None = None  # masked preview rows (None when exported)
    operators: dict[str, str] = field(default_factory=dict)
    lineage: list[dict[str, Any]] = field(default_factory=list)  # keys masked like the rows
    export_job_id: int | None = None
    export_status: str | None = None
    out_dir: str | None = None

    def to_json(self) -> dict[str, Any]:
        s = self.selection
        data: dict[str, Any] = {
            "job_id": self.job_id,
            "table": parse_table(s.spec.table).display(),
            "size": s.spec.size,
            "seed": s.spec.seed,
            "distribution": s.spec.distribution,
            "quotas": s.quotas,
            "contributed": s.contributed,
            "pools": s.pools,
            "bytes_read": s.bytes_read,
            "rows_read": s.source.rows_read,
            "statements": s.source.statements,
            "rows_in_table": s.rows_in_table,
            "key": {"mode": s.key_plan.mode, "columns": s.key_plan.names},
            "figures": s.figures_source,
            "conditions": s.conditions,
            "notes": s.notes,
            "elapsed_s": round(s.elapsed_s, 3),
            "lineage": self.lineage,
        }
        if s.strata is not None:
            data["strata"] = s.strata
        if self.rows is not None:
            data["masking"] = self.operators
            data["rows"] = [
                {k: json_value(v) for k, v in row.items()} for row in self.rows.to_pylist()
            ]
        if self.export_job_id is not None:
            data["export"] = {"job_id": self.export_job_id, "status": self.export_status,
                              "out_dir": self.out_dir, "lineage_file": LINEAGE_FILE}  # fmt: skip
        return data


def _mask_keys(sel: Selection, masker: TableMasker | None, label: str) -> list[dict[str, Any]]:
    """Lineage with key values masked by the same operators as the rows' columns (a key
    made of a sensitive column must not leak through the lineage)."""
    lineage = [dict(x) for x in sel.lineage]
    if masker is None or sel.key_plan.mode != "pk" or not lineage:
        return lineage
    names = sel.key_plan.names
    types = {c.name: c.arrow_type for c in sel.key_plan.columns}
    arrays = []
    for j, n in enumerate(names):
        values = [k[j] for k in sel.keys]
        try:
            arrays.append(pa.array(values, types[n]))
        except (pa.ArrowException, TypeError, ValueError):
            arrays.append(pa.array([None if v is None else str(v) for v in values], pa.string()))
    masked, _ = masker.mask(label, pa.RecordBatch.from_arrays(arrays, names=names))
    cols = [masked.column(j).to_pylist() for j in range(len(names))]
    for i, item in enumerate(lineage):
        item["key"] = {n: json_value(cols[j][i]) for j, n in enumerate(names)}
    return lineage


def _preview(ctx: Any, connection: str, sel: Selection, label: str) -> SampleOutcome:
    raw = fetch_rows(sel)
    masker = build_masker(ctx, connection)
    if raw.num_rows == 0:
        return SampleOutcome(0, sel, raw, {}, _mask_keys(sel, None, label))
    batch = raw.combine_chunks().to_batches()[0]
    masked, ops = masker.mask(label, batch)
    return SampleOutcome(0, sel, pa.Table.from_batches([masked]), ops,
                         _mask_keys(sel, masker, label))  # fmt: skip


def _write_lineage(sel: Selection, out_dir: Path, masker: TableMasker | None, label: str,
                   data_file: str | None) -> None:  # fmt: skip
    """``lineage.jsonl`` (row n of the data file ↔ line n) and the manifest entry for it."""
    reasons = dict(zip(sel.keys, _mask_keys(sel, masker, label), strict=True))
    lines = []
    for n, key in enumerate(ordered_keys(sel)):
        item = reasons.get(key)
        if item is not None:
            lines.append(json.dumps({"row": n, "file": data_file, **item}, ensure_ascii=False,
                                    default=str))  # fmt: skip
    path = out_dir / LINEAGE_FILE
    write_atomic(path, "\n".join(lines) + ("\n" if lines else ""))
    manifest_path = out_dir / MANIFEST
    if not manifest_path.exists():
        return
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["files"].append({
        "path": LINEAGE_FILE, "table": "lineage", "slice": "why each row was chosen",
        "rows": len(lines), "bytes": path.stat().st_size, "sha256": sha256_file(path),
    })  # fmt: skip
    manifest["tables"]["lineage"] = {"rows": len(lines), "files": 1}
    spec = sel.spec
    manifest["sample"] = {
        "table": label, "size": spec.size, "seed": spec.seed, "distribution": spec.distribution,
        "contributed": sel.contributed, "pools": sel.pools, "lineage_file": LINEAGE_FILE,
        "key": sel.key_plan.names, "stratify": list(spec.stratify),
    }  # fmt: skip
    write_manifest(out_dir, manifest)


def _export(
    ctx: Any,
    sel: Selection,
    label: str,
    prompt: Any,
    on_event: Callable[[object], None] | None,
    on_cancellable: Callable[[Any], None] | None = None,
) -> tuple[int, str, str, list[dict[str, Any]]]:
    from dte_desktop.core.jobs.planner import ExportPlanner
    from dte_desktop.core.jobs.service import prepare_export, run

    spec = sel.spec
    assert spec.out_dir is not None
    es = ExportSpec(
        connection=spec.connection, out_dir=spec.out_dir, format=spec.format, mask=spec.mask,
        queries=(QuerySpec(label, select_sql(sel.key_plan, sel.keys)),), workers=1,
        layout="file", overwrite=True,  # a sample again into its folder replaces the last one
    ).validate()  # fmt: skip
    job = prepare_export(ctx, es, on_event=on_event, prompt=prompt)
    if on_cancellable is not None:  # the caller's cancel reaches the export job too
        on_cancellable(job)
    status = run(job)
    out_dir = ExportPlanner.out_dir(es)
    # The export's own masker: it classified the table on the export's first batch, so
    # the lineage's keys are masked exactly like the key columns in the data file.
    masker = job.masker if job.spec.mask else None
    data_file = next((i.output_path for i in ctx.store.list_items(job.job_id)), None)
    rel = str(Path(data_file).relative_to(out_dir)) if data_file else None
    if status == JobStatus.COMPLETE:
        _write_lineage(sel, out_dir, masker, label, rel)
    return job.job_id, str(status), str(out_dir), _mask_keys(sel, masker, label)


def run_sample(
    ctx: Any,
    spec: SampleSpec,
    *,
    prompt: Any = None,
    on_event: Callable[[object], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_cancellable: Callable[[Any], None] | None = None,
) -> SampleOutcome:
    """Pick, preview (masked) or export, record the job and audit it. ``should_stop``: a
    cancel asked (the job ends ``cancelled``, ``Cancelled`` raised); ``on_cancellable`` gets
    what a cancel must reach: the source where it can stop a statement on the server, and an
    exported sample's export job."""
    spec = spec.with_seed().validate()
    conn = ctx.resolve(spec.connection)
    table = parse_table(spec.table)
    label = table.display()
    store = ctx.store
    job_id = store.create_job("sample", spec.to_config(), connection=conn.name)
    store.add_items(job_id, [label])
    store.set_job_status(job_id, JobStatus.RUNNING)
    store.update_item(job_id, label, status=ItemStatus.RUNNING)
    stopping = should_stop or (lambda: False)
    # Progress in steps: keys, figures, each strategy asked for, then the rows (or export).
    events = JobEvents(job_id, on_event, 3 + len(spec.effective_distribution()), unit="steps")
    events.started()
    steps: list[str] = []

    def step(name: str) -> None:
        if steps:
            events.item_done(steps[-1], "done")
        steps.append(name)
        events.step(label, name)

    source = StoppableSource(ctx.open_source(spec.connection, prompt), stopping,
                             on_rows=events.rows)  # fmt: skip
    if on_cancellable is not None and source.capabilities.can_cancel:
        on_cancellable(source)
    try:
        profiles = store.list_profiles(conn.name, label, limit=1)
        profile = (profiles[0].id, profiles[0].result) if profiles else None
        sel = select_sample(source, spec, labels_for(store, conn.name, table),
                            store.list_rules(conn.name, label), profile, step)  # fmt: skip
        step("rows" if spec.out_dir is None else "export")
        events.items_total = len(steps)  # what it took (a strategy may not have been needed)
        if spec.out_dir is None:
            outcome = _preview(ctx, conn.name, sel, label)
        else:
            outcome = SampleOutcome(0, sel)
            eid, estatus, out, lineage = _export(ctx, sel, label, prompt, on_event, on_cancellable)
            outcome.export_job_id, outcome.export_status, outcome.out_dir = eid, estatus, out
            outcome.lineage = lineage
        if stopping():
            raise Cancelled(f"Sample job {job_id} cancelled.")
    except Exception as exc:
        if stopping() or isinstance(exc, Cancelled):  # asked for, not a failure
            store.update_item(job_id, label, status=ItemStatus.CANCELLED)
            store.set_job_status(job_id, JobStatus.CANCELLED)
            events.finished(JobStatus.CANCELLED)
            raise Cancelled(f"Sample job {job_id} cancelled.") from None
        store.add_error(job_id, type=type(exc).__name__, message=str(exc), item_key=label,
                        traceback=traceback.format_exc())  # fmt: skip
        store.update_item(job_id, label, status=ItemStatus.FAILED)
        store.set_job_status(job_id, JobStatus.FAILED, summary={"error": str(exc)})
        events.finished(JobStatus.FAILED, {"error": str(exc)})
        raise
    finally:
        source.close()
    outcome.job_id = job_id
    digest = hashlib.sha256(
        json.dumps(sel.lineage, sort_keys=True, default=str).encode()
    ).hexdigest()
    summary = {
        "rows": len(sel.keys), "contributed": sel.contributed, "pools": sel.pools,
        "bytes_read": sel.bytes_read, "seed": spec.seed, "lineage_sha256": digest,
        "export_job_id": outcome.export_job_id, "out_dir": outcome.out_dir,
        "seconds": round(sel.elapsed_s, 3),
    }  # fmt: skip
    # One item, the table: done when previewed or exported whole; partial when its export
    # ended with errors (some files written); failed when the export wrote nothing.
    ok = outcome.export_status in (None, str(JobStatus.COMPLETE))
    partial = outcome.export_status == str(JobStatus.COMPLETE_WITH_ERRORS)
    store.update_item(job_id, label, status=ItemStatus.DONE if ok else ItemStatus.FAILED,
                      rows=len(sel.keys), checkpoint={"lineage_sha256": digest})  # fmt: skip
    cancelled = outcome.export_status == str(JobStatus.CANCELLED)  # e.g. `dte jobs cancel`
    failed = not (ok or partial or cancelled)
    status = final_status(total=1, done=int(ok or partial), failed=int(failed),
                          partial=int(partial), cancelled=cancelled)  # fmt: skip
    store.set_job_status(job_id, status, summary=summary)
    events.item_done(steps[-1], "done")
    events.finished(status, summary)
    AuditLog(store).record(
        "sample", connection=conn.name, object=label, row_count=len(sel.keys), job_id=job_id,
        columns=[c.name for c in sel.key_plan.columns],
        extra={"seed": spec.seed, "size": spec.size, "distribution": spec.distribution,
               "contributed": sel.contributed, "bytes_read": sel.bytes_read,
               "masked_preview": spec.out_dir is None, "export_job_id": outcome.export_job_id,
               "export_masked": spec.mask if spec.out_dir else None,
               "operators": outcome.operators},
    )  # fmt: skip
    return outcome


def rerun_sample(ctx: Any, job_id: int, *, prompt: Any = None,
                 out_dir: str | None = None) -> SampleOutcome:  # fmt: skip
    """The same sample again (same seed, size, distribution) as a new ``sample`` job."""
    job = ctx.store.get_job(job_id)
    if job.kind != "sample":
        raise ConfigError(f"Job {job_id} is a {job.kind} job, not a sample.")
    spec = SampleSpec.from_config(job.config)
    if out_dir is not None:
        from dataclasses import replace

        spec = replace(spec, out_dir=out_dir)
    return run_sample(ctx, spec, prompt=prompt)
