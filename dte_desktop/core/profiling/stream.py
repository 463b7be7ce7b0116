"""The ``stream`` mode: read the table's partitions as Arrow batches, fold them into
mergeable sketches, checkpoint each finished partition's serialized state in the job store,
and on resume merge the stored states instead of reading those partitions again.

Memory is bounded by one batch plus the sketches (a few hundred KB per column), never by the
table. Cancellation is cooperative: ``should_stop`` is checked between batches; a partition
cut short is not checkpointed, so a resume reads it again from its start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dte_desktop.core.errors import Cancelled
from dte_desktop.core.jobs.events import ItemProgress
from dte_desktop.core.profiling.arrow_hash import hash_rows
from dte_desktop.core.profiling.figures import bin_edges, iqr_fences
from dte_desktop.core.profiling.hll import HASH_SCHEME, HyperLogLog, hash_values
from dte_desktop.core.profiling.model import (
    HISTOGRAM_BINS,
    NUMERIC,
    QUANTILES,
    TEMPORAL,
    TOP_K,
    ColumnProfile,
)
from dte_desktop.core.profiling.sketches import ColumnSketch, extreme_value, wants_frequent
from dte_desktop.core.sources.base import ColumnInfo, Partition, SelectSpec, Source, TableRef
from dte_desktop.core.store import ItemStatus, Store

CHECKPOINT_VERSION = 2  # 2: temporal extremes as integers, column errors


class ProfileCancelled(Cancelled):
    """The one ``Cancelled``, raised when ``should_stop`` asked the stream to stop;
    finished partitions are kept (the name stays for its callers)."""


@dataclass
class StreamPlan:
    """Which columns keep which sketches (decided before reading, from the sample)."""

    frequent: set[str] = field(default_factory=set)  # columns with a top-k summary
    extremes: set[str] = field(default_factory=set)  # columns whose min/max may be stored


@dataclass
class TableSketch:
    columns: list[ColumnInfo]
    kinds: dict[str, str]
    plan: StreamPlan
    sketches: dict[str, ColumnSketch] = field(default_factory=dict)
    rows_hll: HyperLogLog = field(default_factory=HyperLogLog)
    rows: int = 0

    def __post_init__(self) -> None:
        if not self.sketches:
            self.sketches = {c.name: self.new(c) for c in self.columns}

    def new(self, c: ColumnInfo) -> ColumnSketch:
        kind = self.kinds[c.name]
        return ColumnSketch(
            kind,
            c.arrow_type,
            frequent=c.name in self.plan.frequent and wants_frequent(kind),
            extremes=c.name in self.plan.extremes,
        )

    def update(self, batch: Any) -> None:
        self.rows += batch.num_rows
        hashed: list[Any] = []  # each column hashed once: its distinct count and the rows'
        for c in self.columns:
            arr = batch.column(c.name)
            try:
                h = hash_values(arr)
            except Exception:  # the column's sketch meets the same failure and records it
                h = None
            hashed.append(h)
            self.sketches[c.name].update(arr, hashes=h)
        try:
            same = [c.name for c in self.columns] == batch.schema.names
            if not same or any(h is None for h in hashed):
                self.rows_hll.update_hashes(hash_values(batch))
            else:
                self.rows_hll.update_hashes(hash_rows(batch, hashed))
        except Exception:  # a type that cannot be hashed row-wise: no duplicate estimate
            self.rows_hll = HyperLogLog()

    def merge(self, o: TableSketch) -> None:
        self.rows += o.rows
        for name, s in o.sketches.items():
            self.sketches[name].merge(s)
        self.rows_hll.merge(o.rows_hll)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION,
            "hash": HASH_SCHEME,
            "rows": self.rows,
            "rows_hll": self.rows_hll.serialize(),
            "columns": {n: s.to_json() for n, s in self.sketches.items()},
        }

    def load(self, d: dict[str, Any]) -> TableSketch:
        self.rows = int(d["rows"])
        self.rows_hll = HyperLogLog.deserialize(d["rows_hll"])
        for c in self.columns:
            self.sketches[c.name] = self.new(c).load(d["columns"][c.name])
        return self


def item_key(table: TableRef, part: Partition) -> str:
    return f"{table.display()}#{part.index + 1}/{part.count}"


def usable_checkpoint(cp: dict[str, Any], columns: list[ColumnInfo]) -> bool:
    return (
        cp.get("version") == CHECKPOINT_VERSION
        and cp.get("hash") == HASH_SCHEME
        and set(cp.get("columns", {})) == {c.name for c in columns}
    )


def stream_table(
    source: Source,
    table: TableRef,
    columns: list[ColumnInfo],
    kinds: dict[str, str],
    plan: StreamPlan,
    *,
    store: Store,
    job_id: int,
    partitions: int = 1,
    should_stop: Callable[[], bool] | None = None,
    on_event: Callable[[object], None] | None = None,
    batch_rows: int = 50_000,
) -> tuple[TableSketch, list[str]]:
    """Fold every partition of ``table`` into one ``TableSketch``; returns it and the keys
    of partitions that were merged from checkpoints (resumed) rather than read."""
    parts = source.partition(table, max(1, partitions))
    keys = [item_key(table, p) for p in parts]
    store.add_items(job_id, keys)
    done = {i.key: i for i in store.list_items(job_id) if i.status == ItemStatus.DONE}
    total = TableSketch(columns, kinds, plan)
    resumed: list[str] = []
    names = tuple(c.name for c in columns)
    for part, key in zip(parts, keys, strict=True):
        item = done.get(key)
        if item is not None and usable_checkpoint(item.checkpoint, columns):
            total.merge(TableSketch(columns, kinds, plan).load(item.checkpoint))
            resumed.append(key)
            continue
        store.update_item(job_id, key, status=ItemStatus.RUNNING)
        sk = TableSketch(columns, kinds, plan)
        spec = SelectSpec(table=table, columns=names, partition=part)
        try:
            for batch in source.read_batches(spec, batch_rows=batch_rows):
                sk.update(batch)
                if should_stop is not None and should_stop():
                    store.update_item(job_id, key, status=ItemStatus.CANCELLED, rows=sk.rows)
                    raise ProfileCancelled(f"Profile of {table.display()} stopped in {key}.")
        except ProfileCancelled:
            raise
        except BaseException:  # never leave the partition's item ``running``
            store.update_item(job_id, key, status=ItemStatus.FAILED, rows=sk.rows)
            raise
        store.update_item(
            job_id, key, status=ItemStatus.DONE, rows=sk.rows, checkpoint=sk.to_json()
        )
        if on_event is not None:
            on_event(ItemProgress(job_id, key, str(ItemStatus.DONE), sk.rows, 0, 0.0))
        total.merge(sk)
    return total, resumed


def finish_column(col: ColumnProfile, sk: ColumnSketch) -> None:
    """Turn one column's merged sketch into the result figures."""
    col.count, col.nulls = sk.rows, sk.nulls
    nn = sk.rows - sk.nulls
    if sk.error is not None:
        col.error = f"stream: {sk.error}"
        return
    col.min, col.max = extreme_value(sk.min, sk.dtype), extreme_value(sk.max, sk.dtype)
    if sk.freq is not None and sk.freq.exact:
        col.distinct = len(sk.freq.table)
    elif nn:
        col.distinct = min(nn, round(sk.hll.estimate()))
        col.distinct_approx = True
        col.approximate.add("distinct")
    else:
        col.distinct = 0
    if sk.freq is not None:
        col.top_values = sk.freq.top(TOP_K)
        if not sk.freq.exact:
            col.approximate.add("top_values")
    if col.kind == NUMERIC and sk.n:
        col.mean = sk.mean
        col.stddev = sk.stddev()
        col.zeros, col.negatives = sk.zeros, sk.negatives
    if sk.lmin is not None and nn:
        col.length = {"min": sk.lmin, "mean": sk.lsum / nn, "max": sk.lmax}
    kll = sk.kll
    if col.kind in (NUMERIC, TEMPORAL) and kll is not None and not kll.is_empty():
        qs = kll.get_quantiles([f for _, f in QUANTILES])
        col.quantiles = {k: float(q) for (k, _), q in zip(QUANTILES, qs, strict=True)}
        lo, hi = kll.get_min_value(), kll.get_max_value()
        edges = bin_edges(lo, hi, HISTOGRAM_BINS)
        if hi > lo:
            pmf = kll.get_pmf(list(edges[1:-1]))
            col.histogram = [
                {"lo": float(edges[i]), "hi": float(edges[i + 1]), "count": round(p * kll.n)}
                for i, p in enumerate(pmf)
            ]
        else:
            col.histogram = [{"lo": lo, "hi": hi, "count": int(kll.n)}]
        if kll.is_estimation_mode():
            col.approximate.update({"quantiles", "histogram"})
        fences = iqr_fences(col.quantiles) if col.kind == NUMERIC else None
        if fences is not None:
            low = round(kll.get_rank(fences[0], inclusive=False) * kll.n)
            high = round((1.0 - kll.get_rank(fences[1], inclusive=True)) * kll.n)
            col.outliers = {"low": low, "high": high, "lo_fence": fences[0], "hi_fence": fences[1]}
            if kll.is_estimation_mode():
                col.approximate.add("outliers")
