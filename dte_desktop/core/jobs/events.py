"""Job events: core emits them, the CLI prints a bar, the GUI draws charts (napari's
progress idea). Plain frozen dataclasses, safe to hand across threads."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobStarted:
    job_id: int
    resumed: bool
    kind: str = "export"  # the job's kind: export, profile, sample


@dataclass(frozen=True)
class ItemProgress:
    job_id: int
    key: str
    status: str
    rows: int
    bytes: int
    rows_per_s: float
    attempt: int = 1
    #: What the slice waits for, in words ("server unreachable, retry 3 in 8 s"), if anything.
    note: str = ""


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    rows: int
    bytes: int
    rows_per_s: float  # over the last few seconds
    bytes_per_s: float
    items_done: int
    items_total: int
    elapsed_s: float
    #: Rows the job is expected to write, from the catalog's estimates (None: unknown), for
    #: a percentage and an ETA; an estimate, so the count may end above or below it.
    rows_total: int | None = None
    #: What ``items_*`` count: an export's slices, a profile's tables, a sample's steps.
    unit: str = "slices"


@dataclass(frozen=True)
class JobResult:
    """What a profile or sample produced, for the screen that asked (the profile's JSON, the
    masked sample rows), sent by the job worker before the process ends. Values are already
    through the privacy gate; nothing here is logged."""

    job_id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobFinished:
    job_id: int
    status: str
    summary: dict[str, Any] = field(default_factory=dict)


EventSink = Callable[[object], None]

# The names events travel under between the job worker process and the desktop app.
EVENT_TYPES: dict[str, type] = {
    "started": JobStarted,
    "item": ItemProgress,
    "progress": JobProgress,
    "result": JobResult,
    "finished": JobFinished,
}
_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}


def event_to_dict(ev: object) -> dict[str, Any]:
    """``{"event": name, **fields}`` for a job event (JSON-safe but for the summary's values,
    which the encoder renders with ``str``)."""
    return {"event": _NAMES[type(ev)], **asdict(ev)}  # type: ignore[call-overload]


def event_from_dict(data: dict[str, Any]) -> object:
    data = dict(data)
    cls = EVENT_TYPES[data.pop("event")]
    return cls(**data)


class Throttle:
    """True at most once per ``interval`` seconds per key (thread-safe)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def ready(self, key: str, force: bool = False) -> bool:
        now = time.monotonic()
        with self._lock:
            if force or now - self._last.get(key, 0.0) >= self.interval:
                self._last[key] = now
                return True
            return False


class RateMeter:
    """Totals across items, and the job's *current* rate: rows and bytes per second over
    the last few seconds (an all-time average hides a stall and draws a ramp)."""

    WINDOW_S = 3.0

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._rows: dict[str, int] = {}
        self._bytes: dict[str, int] = {}
        self._history: deque[tuple[float, int, int]] = deque([(self.started, 0, 0)])
        self._lock = threading.Lock()

    def update(self, key: str, rows: int, nbytes: int) -> tuple[int, int, float, float, float]:
        """Record an item's totals; return (rows, bytes, elapsed, rows/s, bytes/s)."""
        now = time.monotonic()
        with self._lock:
            self._rows[key], self._bytes[key] = rows, nbytes
            total_rows, total_bytes = sum(self._rows.values()), sum(self._bytes.values())
            self._history.append((now, total_rows, total_bytes))
            while len(self._history) > 2 and now - self._history[1][0] >= self.WINDOW_S:
                self._history.popleft()
            t0, r0, b0 = self._history[0]
        span = max(now - t0, 1e-6)
        return (
            total_rows,
            total_bytes,
            max(now - self.started, 1e-6),
            (total_rows - r0) / span,
            (total_bytes - b0) / span,
        )
