"""The Profile view's calls into core's profiling engine (run in a worker): profile one
table as a ``profile`` job, and write the engine's HTML report beside the history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dte_desktop.core.app import AppContext
from dte_desktop.core.errors import DteError, NotFound
from dte_desktop.core.sources.base import TableRef


class ProfileFailed(DteError):
    title = "Profiling failed"


@dataclass(frozen=True)
class ProfileResult:
    data: dict[str, Any]  # TableProfile.to_json()
    job_id: int
    report_path: str | None = None


def run(ctx: AppContext, connection: str, ref: TableRef, mode: str = "auto") -> ProfileResult:
    from dte_desktop.core.privacy.masking import build_masker
    from dte_desktop.core.profiling.profiler import ProfileOptions, profile_tables
    from dte_desktop.core.profiling.report import render

    gate = build_masker(ctx, connection)
    source = ctx.open_source(connection)
    try:
        job_id, profiles = profile_tables(
            source, connection, [ref], ProfileOptions(mode=mode, gate=gate), ctx.store
        )
    finally:
        source.close()
    if not profiles:
        errors = ctx.store.list_errors(job_id)
        message = errors[-1].message if errors else f"Profiling {ref.display()} failed."
        # The job recorded why; say it under a heading the user can act on (a missing table
        # is "Not found", not an unexpected error).
        missing = errors and errors[-1].type == "NotFound"
        raise (NotFound if missing else ProfileFailed)(message)
    data = profiles[0].to_json()
    out = ctx.paths.data_dir / "reports" / f"profile-{job_id}-{_slug(ref.display())}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render([data], f"DTE profile — {connection}"), "utf-8")
    return ProfileResult(data, job_id, str(out))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]
