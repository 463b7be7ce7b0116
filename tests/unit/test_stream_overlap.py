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


def test_row_hashes_from_the_columns_hashes_are_the_row_hashes() -> None:
    import numpy as np
    import pyarrow as pa

    from dte_desktop.core.profiling.arrow_hash import hash_array, hash_rows

    batch = pa.record_batch(
        {
            "i": pa.array([1, None, 3, 3]),
            "s": pa.array(["a", "b", None, "b"]).dictionary_encode(),
            "f": pa.array([0.0, -0.0, None, 2.5]),
        }
    )
    hashed = [hash_array(c) for c in batch.columns]
    assert np.array_equal(hash_rows(batch, hashed), hash_rows(batch))
    assert len(set(hash_rows(batch).tolist())) == 4  # the rows differ


def test_stream_sketch_hashes_each_column_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa

    from dte_desktop.core.profiling import arrow_hash
    from dte_desktop.core.profiling.stream import StreamPlan, TableSketch
    from dte_desktop.core.sources.base import ColumnInfo

    calls: list[int] = []
    real, real_bytes = arrow_hash._hash_no_nulls, arrow_hash._bytes_hash
    monkeypatch.setattr(arrow_hash, "_hash_no_nulls", lambda a: calls.append(len(a)) or real(a))
    # a string column with nulls is hashed slot by slot, straight through the offsets
    monkeypatch.setattr(arrow_hash, "_bytes_hash", lambda a: calls.append(len(a)) or real_bytes(a))
    cols = [ColumnInfo("a", "bigint", pa.int64()), ColumnInfo("b", "text", pa.string())]
    sk = TableSketch(cols, {"a": "numeric", "b": "string"}, StreamPlan())
    sk.update(pa.record_batch({"a": pa.array([1, 2, None]), "b": pa.array(["x", None, "y"])}))
    assert calls == [2, 3]  # not four: the row hashes reuse the columns'
    assert round(sk.rows_hll.estimate()) == 3 and round(sk.sketches["b"].hll.estimate()) == 2
