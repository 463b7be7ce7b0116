"""The ``stream`` mode of one table: sketches over every row (``stream.py``), then one
aggregate scan in the engine for the figures a sketch of what the source returns cannot
know — exact counts of nulls and special values (a source reads ``±infinity`` dates, NaN
in ``numeric(p,s)`` and BC timestamps as null), exact extremes in the engine's own order
(enums, intervals, decimals of any size) — so every mode reports the same exact figures.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dte_desktop.core.profiling import figures
from dte_desktop.core.profiling.dialect import Dialect
from dte_desktop.core.profiling.model import NUMERIC, TOP_K, ColumnProfile, TableProfile, cause
from dte_desktop.core.profiling.pushdown import Pushdown, PushdownOptions, _exact
from dte_desktop.core.profiling.sample import Sample
from dte_desktop.core.profiling.stream import StreamPlan, finish_column, stream_table
from dte_desktop.core.sources.arrowconv import ColumnCoercionError
from dte_desktop.core.sources.base import ColumnInfo, Source, TableRef
from dte_desktop.core.store import Store

if TYPE_CHECKING:
    from dte_desktop.core.profiling.profiler import ProfileOptions


def _sample_column(sample: Sample, name: str):  # type: ignore[no-untyped-def]
    return sample.table.column(name) if name in sample.table.column_names else None


def _shown_raw(c: ColumnProfile) -> bool:
    return bool(c.masking and c.masking.get("shown_raw"))


def _high_cardinality(sample: Sample, name: str) -> bool:
    col = _sample_column(sample, name)
    if col is None:
        return False
    col = col.drop_null()
    if len(col) < 1000 or sample.exact:
        return False
    try:
        return len(col.unique()) >= 0.9 * len(col)
    except Exception:  # unhashable types: keep the exact summary
        return False


def run_stream(
    source: Source,
    d: Dialect,
    table: TableRef,
    infos: list[ColumnInfo],
    sample: Sample,
    opts: ProfileOptions,
    store: Store,
    job_id: int,
    prof: TableProfile,
) -> None:
    cols = prof.columns
    kinds = {c.name: c.kind for c in cols}
    plan = StreamPlan()
    for c in cols:
        # Only a column shown raw keeps value sketches: checkpoints live in the history.
        if c.pii is None and _shown_raw(c):
            plan.extremes.add(c.name)
            if not _high_cardinality(sample, c.name):
                plan.frequent.add(c.name)
    read = list(infos)
    # The engine's aggregate scan runs while the stream reads, on its own connection, where
    # the source reads concurrently and can stop a running statement (PostgreSQL).
    caps = source.capabilities
    # ``read`` as it stands when the scan is built: all columns when it runs alongside, the
    # ones the stream could read when it runs after (SQLite's mixed-type columns dropped).
    exact = Background(lambda: exact_twins(source, d, table, prof, {i.name for i in read}),
                       source if caps.can_partition and caps.can_cancel else None)  # fmt: skip
    while True:
        try:
            sketch, resumed = stream_table(
                source, table, read, kinds, plan, store=store, job_id=job_id,
                partitions=opts.partitions, should_stop=opts.should_stop,
                on_event=opts.on_event,
            )  # fmt: skip
            break
        except BaseException as exc:
            if not isinstance(exc, ColumnCoercionError):
                exact.abandon()
                raise
            # SQLite keeps any value in any column: read the table without that column.
            bad = next((c for c in cols if c.name == exc.column), None)
            if bad is None or len(read) <= 1:
                raise
            bad.error = (
                f"stream: values that do not fit the declared type {bad.arrow_type} (SQLite "
                "keeps any value in any column); counts, extremes and special values from SQL"
            )
            read = [i for i in read if i.name != bad.name]
    if resumed:
        prof.notes.append(f"resumed: {len(resumed)} partition(s) merged from checkpoints")
    prof.row_count = sketch.rows
    for c in cols:
        if c.name not in sketch.sketches:
            c.count = sketch.rows
            continue
        try:
            finish_column(c, sketch.sketches[c.name])
        except Exception as exc:  # one column never fails the table
            c.error = f"stream: {cause(exc)}"
            continue
        if c.name not in plan.frequent and c.pii is None and _shown_raw(c) and c.error is None:
            values = _sample_column(sample, c.name)
            if values is not None and c.kind not in ("binary", "nested"):
                c.top_values = figures.repeated_top_values(values, c.non_null)
                c.approximate.add("top_values")
    apply_exact(prof, *exact.result())
    est = sketch.rows_hll.estimate()
    if est > 0 and len(read) == len(infos):
        prof.duplicate_rows = max(0, sketch.rows - min(sketch.rows, round(est)))
        prof.duplicate_rows_approx = True
        # HyperLogLog's relative standard error is 1.04/sqrt(2^16) = 0.41 %: on a table of
        # distinct rows the estimate may still say a few hundred "duplicates" per 100k rows.
        bound = round(3 * 0.0041 * sketch.rows)
        prof.notes.append(f"duplicate_rows estimated from a HyperLogLog of row hashes: ± {bound}")


class Background:
    """``fn()`` on a thread of its own when ``source`` is given (so the source can cancel
    it), else run when the result is asked for; either way ``result()`` returns its value."""

    def __init__(self, fn: Callable[[], Any], source: Source | None) -> None:
        self._fn, self._source = fn, source
        self._out: Any = None
        self._exc: BaseException | None = None
        self._thread: threading.Thread | None = None
        if source is not None:
            self._thread = threading.Thread(target=self._run, name="dte-exact-aggregates",
                                            daemon=True)  # fmt: skip
            self._thread.start()

    def _run(self) -> None:
        try:
            self._out = self._fn()
        except BaseException as exc:  # handed to the caller by result()
            self._exc = exc

    def result(self) -> Any:
        if self._thread is None:
            return self._fn()
        self._thread.join()
        if self._exc is not None:
            raise self._exc
        return self._out

    def abandon(self) -> None:
        """The stream failed or stopped: stop the statement and wait for the thread."""
        if self._thread is None:
            return
        with contextlib.suppress(Exception):  # a failed cancel must not hide the stream's error
            self._source.cancel()  # type: ignore[union-attr]
        self._thread.join()


def exact_twins(
    source: Source, d: Dialect, table: TableRef, prof: TableProfile, streamed: set[str]
) -> tuple[list[ColumnProfile] | None, str | None]:
    """One aggregate scan: counts, nulls, special values, extremes (and the moments and
    lengths of the columns not in ``streamed``) from the engine, on twins of the profile's
    columns (the stream fills the columns themselves meanwhile). Leaving out what the stream
    measures itself halved the scan that, on 2 cores, competed with the stream's COPY."""
    twins = [
        ColumnProfile(c.name, c.type, c.arrow_type, c.kind, type_note=c.type_note)
        for c in prof.columns
    ]
    pd = Pushdown(source, d, table, twins, PushdownOptions(streamed=frozenset(streamed)))
    try:
        pd.aggregates()
    except Exception as exc:  # the sketches' figures stand; say why the exact ones do not
        return None, f"exact aggregates not available: {cause(exc)}"
    return twins, None


def apply_exact(prof: TableProfile, twins: list[ColumnProfile] | None, note: str | None) -> None:
    if twins is None:
        prof.notes.append(note or "exact aggregates not available")
        return
    for c, t in zip(prof.columns, twins, strict=True):
        lost = c.nulls - t.nulls  # non-null in the table, null as the source read them
        c.count, c.nulls = t.count, t.nulls
        if t.error is not None:
            c.error = c.error or t.error
            continue
        c.special = dict(t.special)
        if c.kind == NUMERIC and c.arrow_type == "string":  # exact text: numbers, not text
            c.top_values = [{"value": _exact(v["value"]), "count": v["count"]}
                            for v in c.top_values]  # fmt: skip
        if lost > 0:
            _account_for_unread(c, lost)
        if c.pii is not None:
            continue  # PII columns keep no extremes (they are withheld later anyway)
        c.min, c.max = t.min, t.max
        if c.kind == NUMERIC and t.zeros is not None:  # None: the stream's own moments
            c.mean, c.zeros, c.negatives = t.mean, t.zeros, t.negatives
            if t.stddev is not None:
                c.stddev = t.stddev
        if t.length is not None:
            c.length = t.length


def _account_for_unread(c: ColumnProfile, lost: int) -> None:
    """Values the source read as null: when they are exactly the special values, the
    sketches' distinct count and top values gain them exactly; otherwise (BC timestamps,
    years past 9999) the sketch figures are marked approximate and the gap is stated."""
    specials = sum(c.special.values())
    # "zero or invalid date" stands for several stored values ('0000-00-00', '2019-00-00'):
    # their number is not known from the label, so the distinct count becomes a bound.
    one_value = not any("invalid" in k for k in c.special)
    if lost == specials and one_value and not c.distinct_approx and c.distinct is not None:
        c.distinct += len(c.special)
        if c.top_values or c.distinct <= TOP_K:
            top = c.top_values + [{"value": k, "count": n} for k, n in c.special.items()]
            c.top_values = sorted(top, key=lambda t: -t["count"])[:TOP_K]
        return
    c.approximate.update({"distinct", "top_values", "quantiles", "histogram"})
    c.distinct_approx = c.distinct is not None
    c.notes.append(
        f"{lost - specials} value(s) the source cannot read (outside the years it converts) "
        "are not in the stream's distinct count, top values, quantiles and histogram"
    )
