"""``dte jobs list|show|resume|cancel``."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.store import JobStatus


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "jobs")
    jsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = jsub.add_parser("list", help="recent jobs, newest first")
    ls.add_argument("--status", help="only jobs in this state (e.g. interrupted, failed)")
    ls.add_argument("--kind", help="only export, profile or sample jobs")
    ls.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    show = jsub.add_parser("show", help="one job: its slices, files and errors")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)
    res = jsub.add_parser("resume", help="re-run only the unfinished slices of a job")
    res.add_argument("id", type=int)
    res.add_argument("--json", action="store_true")
    res.set_defaults(func=cmd_resume)
    can = jsub.add_parser("cancel", help="ask a running job to stop between batches")
    can.add_argument("id", type=int)
    can.set_defaults(func=cmd_cancel)


def _job_json(job) -> dict:  # type: ignore[no-untyped-def]
    d = asdict(job)
    d["status"] = str(job.status)
    return d


def cmd_list(args: argparse.Namespace) -> int:
    jobs = context(args, demo=False).store.list_jobs(
        status=args.status, kind=args.kind, limit=args.limit
    )

    def text() -> str:
        if not jobs:
            return "(no jobs)"
        rows = [f"{'ID':>5}  {'KIND':<8} {'STATUS':<21} {'CREATED':<16} {'ROWS':>12}  CONNECTION"]
        for j in jobs:
            n = j.summary.get("rows")
            count = f"{n:,}" if isinstance(n, int) else "-"
            rows.append(f"{j.id:>5}  {j.kind:<8} {j.status:<21} {j.created_at:%Y-%m-%d %H:%M} "
                        f"{count:>12}  {j.connection or '-'}")  # fmt: skip
        return "\n".join(rows)

    emit(args, [_job_json(j) for j in jobs], text)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    store = context(args, demo=False).store
    job = store.get_job(args.id)
    items = store.list_items(args.id)
    errors = store.list_errors(args.id)
    data = {
        **_job_json(job),
        "items": [{**asdict(i), "status": str(i.status)} for i in items],
        "errors": [asdict(e) for e in errors],
    }

    def text() -> str:
        out = [
            f"job {job.id} ({job.kind}) {job.status} on {job.connection}",
            f"  created {job.created_at}, started {job.started_at}, finished {job.finished_at}",
        ]
        for i in items:
            out.append(
                f"  {i.key:<40} {i.status:<9} {i.rows:>12,} rows {i.attempts} try "
                f"{i.output_path or ''}"
            )
        for e in errors:
            out.append(f"  ERROR {e.at:%H:%M:%S} {e.item_key or 'job'}: {e.type}: {e.message}")
        return "\n".join(out)

    emit(args, data, text)
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    from dte_desktop.commands._progress import TerminalProgress
    from dte_desktop.commands.export import run_job
    from dte_desktop.core.jobs.service import resume_export

    ctx = context(args)
    progress = TerminalProgress.for_args(args)
    job = resume_export(ctx, args.id, on_event=progress, prompt=prompt_password)
    try:
        return run_job(args, job)  # audits (and seals) as the export did
    finally:
        progress.close()


def cmd_cancel(args: argparse.Namespace) -> int:
    ctx = context(args, demo=False)
    job = ctx.store.get_job(args.id)
    if job.status != JobStatus.RUNNING:
        raise ConfigError(f"Job {args.id} is {job.status}, not running.")
    flag = ctx.store.path.with_name("cancel") / str(args.id)
    flag.parent.mkdir(exist_ok=True)
    flag.touch()
    print(f"asked job {args.id} to stop; it will end as cancelled (resumable)")
    return 0
