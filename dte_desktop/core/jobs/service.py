"""Starting and resuming export jobs from an ``AppContext`` — the one place both the CLI and
the GUI go through, so they build the same job the same way."""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

from dte_desktop.core.app import AppContext
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import EventSink
from dte_desktop.core.jobs.export_job import ExportJob
from dte_desktop.core.logs import get_logger
from dte_desktop.core.store import JobStatus
from dte_desktop.core.urls import parse_url, public_ref

log = get_logger("jobs.service")


def prepare_export(
    ctx: AppContext,
    spec: ExportSpec,
    *,
    on_event: EventSink | None = None,
    job_id: int | None = None,
    prompt: Any = None,
) -> ExportJob:
    """Resolve the connection (password once, from the store or a prompt) and build the job.
    The password stays in this closure; the job's stored config never sees it."""
    conn = ctx.resolve(spec.connection)
    if spec.encrypt_to:  # a bad recipients file fails before any row is read
        from pathlib import Path

        from dte_desktop.core.export.package import read_recipients

        read_recipients(Path(spec.encrypt_to))
    if job_id is None:  # a new export: a non-empty folder is refused before any job exists
        precheck_target(spec)
    password = ctx.password_for(spec.connection, prompt)
    from dte_desktop.core.sources.registry import open_source

    def opener():  # type: ignore[no-untyped-def]
        return open_source(conn.url, password=password, **conn.options)

    from dte_desktop.core.privacy.masking import build_masker
    from dte_desktop.core.privacy.service import effective_policy

    policy = effective_policy(ctx)
    if policy.force_masked_export and not spec.mask:
        # Refused, not quietly masked: the user asked for raw values and must know they won't
        # get them (and a resumed raw job must not go on masked, half one and half the other).
        raise ConfigError(
            "Your site forces masked exports: an unmasked export (--no-mask) is not allowed."
        )
    masker = build_masker(ctx, spec.connection, policy) if spec.mask else None
    if masker is not None and spec.where and spec.tables and not policy.allow_reveal:
        from dte_desktop.core.privacy.filter_check import refuse_masked_filter

        refuse_masked_filter(opener, spec, masker)  # before the job row: nothing to undo
    k_checks = {}
    if masker is not None and policy.min_k is not None:  # before the job row: a stop is clean
        from dte_desktop.core.privacy.kcheck import check_tables
        from dte_desktop.core.privacy.qi_suggest import suggested_for_table

        stored_as = public_ref(spec.connection)
        k_checks = check_tables(
            opener, spec, masker, policy.min_k, policy.below_min_k,
            lambda table, names: suggested_for_table(ctx.store, stored_as, table, names),
        )  # fmt: skip
    job = ExportJob(
        ctx.store,
        spec,
        opener,
        job_id=job_id,
        masker=masker,
        on_event=on_event,
        db_user=parse_url(conn.url).username,
    )
    job.k_checks = k_checks
    if spec.mask:
        job.policy_info = {
            "name": policy.name,
            "version": policy.version,
            "fingerprint": policy.fingerprint(),
            "forced_by_site": policy.force_masked_export,
            **({"min_k": policy.min_k, "below_min_k": policy.below_min_k} if k_checks else {}),
        }
    return job


def precheck_target(spec: ExportSpec) -> None:
    """``check_target`` before the job is created (a refusal is then a plain error, exit 2);
    a folder another job is writing, or one that cannot be written, is left to the job's
    run to report (under its lock, where the check is made again)."""
    from dte_desktop.core.export.target import FOLDER_LOCK, check_target
    from dte_desktop.core.filelock import FileLock, LockBusy
    from dte_desktop.core.jobs.planner import ExportPlanner

    out_dir = ExportPlanner.out_dir(spec)
    if not out_dir.is_dir():
        check_target(out_dir, spec.overwrite)  # a file where the folder should be
        return
    try:
        with FileLock(out_dir / FOLDER_LOCK, remove=True):
            check_target(out_dir, spec.overwrite)
    except (LockBusy, OSError):  # busy, or read-only: the job's own run reports it
        return


def resume_export(
    ctx: AppContext, job_id: int, *, on_event: EventSink | None = None, prompt: Any = None
) -> ExportJob:
    """The job's lock is taken *before* its status is read, so "is it resumable?" and "I
    run it" are one step: a second ``resume`` of the same job gets ``LockBusy``."""
    ctx.store.lock_job(job_id)
    try:
        job = ctx.store.get_job(job_id)
        if job.kind != "export":
            raise ConfigError(f"Job {job_id} is a {job.kind} job, not an export.")
        if not job.status.resumable:
            raise ConfigError(
                f"Job {job_id} is {job.status}; only interrupted, failed, cancelled "
                "or partly failed jobs can be resumed."
            )
        spec = _with_absolute_out(ctx, job_id, ExportSpec.from_config(job.config))
        return prepare_export(ctx, spec, on_event=on_event, job_id=job_id, prompt=prompt)
    except BaseException:
        ctx.store.unlock_job(job_id)
        raise


def _with_absolute_out(ctx: AppContext, job_id: int, spec: ExportSpec) -> ExportSpec:
    """Jobs stored before folders were kept absolute: the folder is where their finished
    slices went, never the resume's working directory (that split one export in two)."""
    from dataclasses import replace
    from pathlib import Path

    if Path(spec.out_dir).expanduser().is_absolute():
        return spec
    for item in ctx.store.list_items(job_id):
        rel = (item.checkpoint.get("item") or {}).get("out_path")
        if item.output_path and rel and item.output_path.endswith("/" + rel):
            return replace(spec, out_dir=item.output_path[: -len(rel) - 1])
    raise ConfigError(
        f"Job {job_id} was given the relative folder {spec.out_dir!r} and has no finished "
        "file to tell where it was; export again with an absolute --out."
    )


def run_with_threads(job: ExportJob) -> JobStatus:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=job.spec.workers, thread_name_prefix="export") as ex:
        return job.run(ex)


def run(job: ExportJob, executor: Executor | None = None) -> JobStatus:
    return job.run(executor) if executor is not None else run_with_threads(job)


def finish_export(ctx: AppContext, job: ExportJob, status: JobStatus) -> dict[str, Any] | None:
    """After every export, whoever ran it (CLI, resume, the app's worker): when it completed
    and asked for it, the sealed package (returned). Its audit record is already written,
    with its final status (``job_end``)."""
    if not job.spec.encrypt_to or status != JobStatus.COMPLETE:
        return None
    from pathlib import Path

    from dte_desktop.core.export.package import seal_and_audit

    info = seal_and_audit(ctx, job.out_dir, Path(job.spec.encrypt_to))
    log.info("export %d sealed for %d recipient(s)", job.job_id, len(info["recipients"]))
    return info
