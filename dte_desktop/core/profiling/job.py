"""Profile one table as the desktop app does, in its job worker process: a ``profile`` job
through the masking gate, with progress events and a cancel that also stops the statement
running on the server; then the engine's HTML report beside the history."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dte_desktop.core.errors import DteError, NotFound
from dte_desktop.core.jobs.stoppable import Canceller
from dte_desktop.core.sources.base import TableRef


class ProfileFailed(DteError):
    title = "Profiling failed"


@dataclass(frozen=True)
class ProfileResult:
    data: dict[str, Any]  # TableProfile.to_json()
    job_id: int
    report_path: str | None = None


def profile_one(
    ctx: Any,
    connection: str,
    ref: TableRef,
    mode: str = "auto",
    *,
    on_event: Callable[[object], None] | None = None,
    canceller: Canceller | None = None,
) -> ProfileResult:
    """Raises ``ProfileCancelled`` when ``canceller`` was asked (the job ends cancelled)."""
    from dte_desktop.core.privacy.masking import build_masker
    from dte_desktop.core.profiling.profiler import ProfileOptions, profile_tables
    from dte_desktop.core.profiling.report import render

    canceller = canceller or Canceller()
    gate = build_masker(ctx, connection)
    source = ctx.open_source(connection)
    canceller.reach(source)  # a push-down statement has no batches to stop between
    opts = ProfileOptions(mode=mode, gate=gate, should_stop=canceller.is_set, on_event=on_event)
    try:
        job_id, profiles = profile_tables(source, connection, [ref], opts, ctx.store)
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
