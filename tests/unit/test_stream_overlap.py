"""The stream mode's exact aggregate scan overlaps the stream (issue 21), and its SQL takes
the epochs of temporal extremes after min/max where the engine's order is the epoch's."""

from __future__ import annotations

import threading

import pytest

from dte_desktop.core.profiling.model import ColumnProfile
from dte_desktop.core.profiling.pushdown import Pushdown, PushdownOptions
from dte_desktop.core.profiling.stream_mode import Background
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.pg_dialect import PostgresDialect


class _Cancels:
    def __init__(self) -> None:
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()


def test_background_runs_on_its_own_thread_while_the_caller_goes_on() -> None:
    src, release = _Cancels(), threading.Event()

    def work() -> str:
        assert release.wait(10)  # the caller is still going on here
        return threading.current_thread().name

    bg = Background(work, src)
    assert bg._thread is not None and bg._thread.is_alive()  # started, not finished
    release.set()
    assert bg.result() == "dte-exact-aggregates"


def test_abandon_cancels_the_statement_and_waits_for_the_thread() -> None:
    src = _Cancels()

    def blocked() -> None:
        if not src.cancelled.wait(10):
            raise AssertionError("never cancelled")
        raise RuntimeError("canceling statement due to user request")

    bg = Background(blocked, src)
    bg.abandon()
    assert src.cancelled.is_set()
    assert not bg._thread.is_alive()  # type: ignore[union-attr]
    with pytest.raises(RuntimeError, match="canceling statement"):
        bg.result()


def test_without_a_cancellable_source_it_runs_when_asked() -> None:
    calls: list[str] = []
    bg = Background(lambda: calls.append(threading.current_thread().name) or 7, None)
    assert calls == []
    assert bg.result() == 7
    assert calls == [threading.current_thread().name]
    bg.abandon()  # nothing to stop


def _parts(db_type: str, arrow: str) -> str:
    col = ColumnProfile("d", db_type, arrow, "temporal")
    pd = Pushdown(None, PostgresDialect(), TableRef("public", "t"), [col], PushdownOptions())  # type: ignore[arg-type]
    return ", ".join(pd.aggregate_parts()[0])


@pytest.mark.parametrize(
    ("db_type", "arrow"),
    [("date", "date32[day]"), ("timestamp with time zone", "timestamp[us, tz=UTC]")],
)
def test_epochs_of_dates_and_timestamps_are_taken_after_min_max(db_type: str, arrow: str) -> None:
    sql = _parts(db_type, arrow)
    assert "EXTRACT(EPOCH FROM min((CASE" in sql and "EXTRACT(EPOCH FROM max((CASE" in sql
    assert "min((EXTRACT" not in sql and "min(CAST(EXTRACT" not in sql


def test_interval_epochs_stay_inside_the_aggregate() -> None:
    # '1 mon' = '30 days' for the engine's order, not for EXTRACT(EPOCH): no shortcut.
    assert not PostgresDialect().epoch_monotone("interval")
    assert not PostgresDialect().epoch_monotone("time with time zone")
