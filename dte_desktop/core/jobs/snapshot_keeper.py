"""The one snapshot an export's slices share, the session that keeps it alive, and what the
export says when that session is lost.

PostgreSQL keeps an exported snapshot only while the transaction that exported it lives. A
server restart, a DBA's ``pg_terminate_backend`` or ``idle_in_transaction_session_timeout``
ends it, and every later slice's ``SET TRANSACTION SNAPSHOT`` fails with "invalid snapshot
identifier" (each failed, and the job with them). Now the first slice to find it gone
exports a new one (the others then join that), and the slices read after the loss are
named: they are one moment among themselves, not with the slices read before. The manifest
and the job's summary say so in plain words (``note``); never a silent blend.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from dte_desktop.core.logs import get_logger

log = get_logger("jobs.snapshot")


class SnapshotKeeper:
    def __init__(self, source: Any) -> None:
        self._source = source  # one with ``exported_snapshot()``
        self._lock = threading.Lock()
        self._stack = contextlib.ExitStack()
        self._first: str | None = None
        self._current: str | None = None
        self._lost: str | None = None  # the id found gone, until a new one is exported
        self.losses: list[str] = []  # why, each time
        self._read_in: dict[str, str] = {}  # slice -> the snapshot it was read in

    def start(self) -> str:
        self._current = self._first = self._stack.enter_context(self._source.exported_snapshot())
        return self._current

    def current(self) -> str | None:
        """The snapshot a slice should read now; a new one first if the last was lost (this
        connects, so it may raise the source's connection errors)."""
        with self._lock:
            if self._lost is not None and self._lost == self._current:
                with contextlib.suppress(Exception):  # its session is gone already
                    self._stack.close()
                self._stack = contextlib.ExitStack()
                self._current = None
                self._current = self._stack.enter_context(self._source.exported_snapshot())
                self._lost = None
                log.warning("exported a new shared snapshot %s after a loss", self._current)
            return self._current

    def lost(self, snapshot: str | None, reason: str) -> None:
        with self._lock:
            if snapshot is not None and snapshot == self._current and self._lost is None:
                self._lost = snapshot
                self.losses.append(reason)

    def read(self, key: str, snapshot: str | None) -> None:
        """Slice ``key`` was read (and counted) in ``snapshot``."""
        with self._lock:
            if snapshot is not None:
                self._read_in[key] = snapshot

    @property
    def later(self) -> list[str]:
        """The slices read from a snapshot taken after a loss."""
        return sorted(k for k, snap in self._read_in.items() if snap != self._first)

    def note(self) -> str | None:
        """The plain words for the manifest and the job's summary; None when nothing was
        lost (the export is one point in time)."""
        if not self.losses:
            return None
        times = "once" if len(self.losses) == 1 else f"{len(self.losses)} times"
        if len(set(self._read_in.values())) <= 1:
            return (
                f"The session holding the shared snapshot was lost {times}; every slice was "
                "still read in one snapshot: one point in time."
            )
        later = self.later
        return (
            f"Point-in-time guarantee given up: the session holding the shared snapshot was "
            f"lost {times} (a server restart, a terminated session or an idle timeout), so "
            f"{len(later)} slice(s) read after that come from a later snapshot and may not "
            "match the others to the same moment: " + ", ".join(later) + "."
        )

    def to_manifest(self) -> dict[str, Any]:
        return {"losses": list(self.losses), "later_slices": self.later}

    def close(self) -> None:
        with self._lock, contextlib.suppress(Exception):
            self._stack.close()
