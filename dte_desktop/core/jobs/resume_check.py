"""What a resumed export may keep of its first run, and what the manifest then says.

A resume used to keep every finished slice and read the rest at a later time: with
PostgreSQL ``ctid`` slices an ``UPDATE`` in between moves rows between pages, and the result
silently lost or doubled rows. Now each finished slice is checked inside the resume's own
snapshot before it is kept:

- where the source can prove it (PostgreSQL: no row version in the slice written since the
  first run's snapshot, and the same row count), the slice is kept, and the whole export is
  one point-in-time copy as of the resume;
- elsewhere the slice is re-counted and kept only if its count is unchanged; key-range
  slices hold each key once, but values kept from the first run may be older;
- anything not proven or not matching is read again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dte_desktop.core.jobs.planner import WorkItem
from dte_desktop.core.sources.base import SelectSpec, Source
from dte_desktop.core.store import JobItem


@dataclass
class ResumeCheck:
    kept: list[str] = field(default_factory=list)
    redone: list[str] = field(default_factory=list)
    proven: bool = True  # every kept slice was proven unchanged

    def to_manifest(self) -> dict[str, Any]:
        return {
            "kept_slices": self.kept,
            "redone_slices": self.redone,
            "kept_proven_unchanged": self.proven,
        }

    def snapshot_note(self, shared_now: bool) -> str:
        if not self.kept:
            return "resumed: every slice was read again" + (
                ", in one shared snapshot" if shared_now else ""
            )
        if self.proven and shared_now:
            return (
                "resumed: one point in time — the finished slices were proven unchanged "
                "(no row written since the first run, same counts) in the resume's snapshot"
            )
        return (
            "resumed: slices were read at different times — finished slices kept because "
            "their row counts had not changed; rows changed in place may be older"
        )


def check_finished(
    source: Source,
    finished: list[tuple[WorkItem, JobItem]],
    select_for: Callable[[WorkItem], SelectSpec],
) -> ResumeCheck:
    """Keep or redo each finished slice of a resumed job (see the module docstring)."""
    result = ResumeCheck()
    prove = getattr(source, "rows_changed_since", None)
    for item, rec in finished:
        marker = rec.checkpoint.get("marker")
        select = select_for(item)
        verdict = None
        if item.table is not None and prove is not None and marker:
            verdict = prove(select, marker)
        if verdict is not None:
            rows, newer = verdict
            keep = newer == 0 and rows == rec.rows
        else:
            result.proven = False
            # A whole table or query in one file is one moment of its own: no blend inside.
            keep = item.partition is None or source.count_rows(select) == rec.rows
        (result.kept if keep else result.redone).append(item.key)
    return result
