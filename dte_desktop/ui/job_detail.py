"""Everything the job window shows about a stored job, gathered in one worker call."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dte_desktop.core.app import AppContext
from dte_desktop.core.store import Job, JobItem
from dte_desktop.core.store.records import JobError

MAX_LOG_LINES = 2_000


@dataclass(frozen=True)
class JobDetail:
    job: Job
    items: list[JobItem]
    errors: list[JobError]
    log_lines: list[str]


def load_detail(ctx: AppContext, job_id: int) -> JobDetail:
    """Run in a worker: reads the history database and the log file."""
    job = ctx.store.get_job(job_id)
    return JobDetail(
        job,
        ctx.store.list_items(job_id),
        ctx.store.list_errors(job_id),
        job_log_lines(ctx.paths.logs_dir / "dte.log", job_id),
    )


def job_log_lines(log_file: Path, job_id: int) -> list[str]:
    pattern = re.compile(rf"\bjob[ _#=:-]*(id[ =:]*)?{job_id}\b", re.IGNORECASE)
    files = sorted(log_file.parent.glob(log_file.name + ".*"), reverse=True) + [log_file]
    out: list[str] = []
    for path in files:
        try:
            with path.open(encoding="utf-8", errors="replace") as fh:
                out.extend(line.rstrip("\n") for line in fh if pattern.search(line))
        except OSError:
            continue
    return out[-MAX_LOG_LINES:]
