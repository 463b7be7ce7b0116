"""How an export rides out a server restart: the pauses between a slice's tries while nothing
answers (connection refused, "the database system is starting up").

A dropped connection is retried a few times (``max_attempts``, short pauses); a server that
refuses connections is being restarted more often than not, and a restart takes longer than
any of those pauses. So while it refuses, a slice waits 1, 2, 4, 8 … s, telling the job's
event stream each time ("server unreachable, retry 3 in 4 s"); those waits spend none of the
slice's tries. The bound is the job's, not each slice's: once the server has refused for
``outage_wait_s`` in a row (60 s by default) every slice that finds it still refusing fails
with the refusal, at once, and a resume can try again later. Any slice that gets through
ends the outage.
"""

from __future__ import annotations

import threading
import time

FIRST_PAUSE_S = 1.0


class Outage:
    """The job's clock for one stretch of refusals (shared by its slices, thread-safe)."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = float(budget_s)
        self._since: float | None = None
        self._lock = threading.Lock()

    def ended(self) -> None:
        """A connection got through: the server is back."""
        with self._lock:
            self._since = None

    def pause(self, retry: int) -> float | None:
        """The pause before a slice's ``retry``-th try of an unreachable server (1, 2, 4 …
        seconds, cut to what is left of the budget); None once the budget is spent."""
        now = time.monotonic()
        with self._lock:
            if self._since is None:
                self._since = now
            left = self.budget_s - (now - self._since)
        if left < 0.05:
            return None
        return min(FIRST_PAUSE_S * 2 ** (retry - 1), left)


def waiting_note(retry: int, pause: float) -> str:
    """The progress line: ``server unreachable, retry 3 in 4 s``."""
    shown = f"{pause:.0f}" if pause >= 1 else f"{pause:.1f}"
    return f"server unreachable, retry {retry} in {shown} s"
