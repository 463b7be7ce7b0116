"""Mergeable per-column state for the ``stream`` mode, fed one Arrow batch at a time.

Exact, and mergeable by arithmetic: counts, nulls, zeros, negatives, min/max, length
min/sum/max, mean and variance (Chan et al.'s parallel update of n, mean, M2).
Approximate: quantiles (``datasketches.kll_doubles_sketch``, k = 400: normalized rank error
≈ 0.65 % single-sided), distinct (``hll.HyperLogLog``, ≈ 0.4 % standard error), histogram
bins (from the KLL's CDF), top values (a Misra–Gries summary of ``MG_CAPACITY`` entries:
exact, and the distinct count too, as long as the column never held more distinct values;
otherwise each count is low by at most the summary's recorded ``error``).

Every structure serializes to JSON-safe text so a finished partition's state can be kept
as a job item checkpoint and merged again on resume.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketches import kll_doubles_sketch

from dte_desktop.core.profiling.figures import as_float
from dte_desktop.core.profiling.hll import HyperLogLog
from dte_desktop.core.profiling.model import (
    BINARY,
    BOOLEAN,
    NESTED,
    NUMERIC,
    STRING,
    TEMPORAL,
    cause,
)
from dte_desktop.core.profiling.values import iso_date, iso_duration, iso_timestamp, to_pylist

KLL_K = 400
MG_CAPACITY = 4096


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


def _ipc(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return _b64(sink.getvalue().to_pybytes())


def _unipc(text: str) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(_unb64(text))).read_all()


class Frequent:
    """Misra–Gries heavy hitters over Arrow value counts (mergeable: Agarwal et al. 2012)."""

    def __init__(self, dtype: pa.DataType, table: pa.Table | None = None, error: int = 0):
        self.dtype = dtype
        self.table = (
            table
            if table is not None
            else pa.table({"value": pa.array([], dtype), "count": pa.array([], pa.int64())})
        )
        self.error = error  # total decrement: every count is low by at most this

    @property
    def exact(self) -> bool:
        return self.error == 0

    def _absorb(self, other: pa.Table) -> None:
        both = pa.concat_tables([self.table, other])
        merged = both.group_by("value").aggregate([("count", "sum")])
        merged = merged.rename_columns(["value", "count"])
        if merged.num_rows > MG_CAPACITY:
            counts = merged.column("count").to_numpy()
            cut = int(np.partition(counts, -(MG_CAPACITY + 1))[-(MG_CAPACITY + 1)])
            keep = pc.greater(merged.column("count"), cut)
            merged = merged.filter(keep)
            merged = merged.set_column(1, "count", pc.subtract(merged.column("count"), cut))
            self.error += cut
        self.table = merged

    def update(self, values: pa.Array) -> None:
        vc = pc.value_counts(values.drop_null())
        if len(vc):
            self._absorb(pa.table({"value": vc.field("values"), "count": vc.field("counts")}))

    def merge(self, other: Frequent) -> None:
        self._absorb(other.table)
        self.error += other.error

    def top(self, k: int) -> list[dict[str, Any]]:
        t = self.table.sort_by([("count", "descending"), ("value", "ascending")]).slice(0, k)
        values = to_pylist(t.column("value"))
        return [
            {"value": v, "count": int(n)}
            for v, n in zip(values, t.column("count").to_pylist(), strict=True)
        ]

    def to_json(self) -> dict[str, Any]:
        return {"table": _ipc(self.table), "error": self.error}

    @classmethod
    def from_json(cls, data: dict[str, Any], dtype: pa.DataType) -> Frequent:
        return cls(dtype, _unipc(data["table"]), int(data["error"]))


class ColumnSketch:
    """Everything the stream mode keeps about one column."""

    def __init__(self, kind: str, dtype: pa.DataType, *, frequent: bool, extremes: bool):
        self.kind, self.dtype = kind, dtype
        self.rows = self.nulls = 0
        self.zeros = self.negatives = 0
        self.n = 0  # finite numeric values in the moments
        self.mean = self.m2 = 0.0  # m2: the sum of squared deviations, in ``unit``²
        self.unit = 1.0
        self.min: Any = None
        self.max: Any = None
        self.extremes = extremes  # False for PII columns: no raw values in checkpoints
        self.lmin: int | None = None
        self.lmax: int | None = None
        self.lsum = 0
        # A masked column (extremes=False) keeps no value sketch: checkpoints live in the history.
        numeric = kind in (NUMERIC, TEMPORAL)
        self.kll = kll_doubles_sketch(KLL_K) if numeric and extremes else None
        self.hll = HyperLogLog()
        self.freq = Frequent(dtype) if frequent and kind not in (BINARY, NESTED) else None
        self.error: str | None = None  # the first failure; the column's figures stop there

    def update(self, arr: pa.Array, hashes: np.ndarray | None = None) -> None:
        """One batch of the column; ``hashes``: its non-null values' ``hash_values``, when
        the caller computed them (the table's row hashes use them too)."""
        self.rows += len(arr)
        self.nulls += arr.null_count
        if arr.null_count == len(arr) or self.error is not None:
            return
        try:
            self._update(arr, hashes)
        except Exception as exc:
            self.error = cause(exc)

    def _update(self, arr: pa.Array, hashes: np.ndarray | None = None) -> None:
        if self.extremes and self.kind not in (BINARY, NESTED):
            lo, hi = extremes(arr)
            if lo is not None:
                self.min = lo if self.min is None or lo < self.min else self.min
                self.max = hi if self.max is None or hi > self.max else self.max
        if self.kind in (NUMERIC, TEMPORAL):
            v = as_float(arr)  # finite values only: NaN/±Infinity are counted in SQL
            if self.kind == NUMERIC and v.size:
                self.zeros += int(np.count_nonzero(v == 0))
                self.negatives += int(np.count_nonzero(v < 0))
                self._moments(v)
            if v.size and self.kll is not None:
                self.kll.update(v)
        elif self.kind in (STRING, BINARY):
            ln = pc.utf8_length(arr) if self.kind == STRING else pc.binary_length(arr)
            mm = pc.min_max(ln)
            lo, hi = int(mm["min"].as_py()), int(mm["max"].as_py())
            self.lmin = lo if self.lmin is None else min(self.lmin, lo)
            self.lmax = hi if self.lmax is None else max(self.lmax, hi)
            self.lsum += int(pc.sum(ln).as_py() or 0)
        if hashes is not None:
            self.hll.update_hashes(hashes)
        else:
            self.hll.update(arr)
        if self.freq is not None:
            self.freq.update(arr)

    def _moments(self, v: np.ndarray) -> None:
        # In units of a power of two near the largest |value|: the squares of 1e300 overflow
        # a double (the standard deviation came out inf); dividing by a power of two is exact,
        # so ordinary data gives the same figures as unscaled sums.
        peak = float(np.max(np.abs(v)))
        unit = math.ldexp(1.0, math.frexp(peak)[1] - 1) if peak > 0 else 1.0
        w = v / unit
        mw = float(w.mean())
        self._combine(v.size, mw * unit, float(((w - mw) ** 2).sum()), unit)

    def _combine(self, nb: int, mb: float, m2b: float, unit: float) -> None:
        """Chan et al.'s pairwise update; ``m2b`` is in ``unit``² (as ``self.m2`` is in
        ``self.unit``²), both rescaled to the larger unit."""
        if nb == 0:
            return
        if self.n == 0:
            self.n, self.mean, self.m2, self.unit = nb, mb, m2b, unit
            return
        big = max(self.unit, unit)
        ma, m2a = self.mean / big, self.m2 * (self.unit / big) ** 2
        mb, m2b = mb / big, m2b * (unit / big) ** 2
        n = self.n + nb
        delta = mb - ma
        self.mean = (ma + delta * nb / n) * big
        self.m2 = m2a + m2b + delta * delta * self.n * nb / n
        self.n, self.unit = n, big

    def stddev(self) -> float | None:
        """The sample standard deviation (stddev_samp) of the finite values."""
        return math.sqrt(self.m2 / (self.n - 1)) * self.unit if self.n > 1 else None

    def merge(self, o: ColumnSketch) -> None:
        self.error = self.error or o.error
        self.rows += o.rows
        self.nulls += o.nulls
        self.zeros += o.zeros
        self.negatives += o.negatives
        self._combine(o.n, o.mean, o.m2, o.unit)
        for lo in (o.min,):
            if lo is not None and (self.min is None or lo < self.min):
                self.min = lo
        if o.max is not None and (self.max is None or o.max > self.max):
            self.max = o.max
        if o.lmin is not None:
            self.lmin = o.lmin if self.lmin is None else min(self.lmin, o.lmin)
            self.lmax = o.lmax if self.lmax is None else max(self.lmax or 0, o.lmax or 0)
        self.lsum += o.lsum
        if self.kll is not None and o.kll is not None:
            self.kll.merge(o.kll)
        self.hll.merge(o.hll)
        if self.freq is not None and o.freq is not None:
            self.freq.merge(o.freq)

    def to_json(self) -> dict[str, Any]:
        ext = None
        if self.min is not None:
            ext = _ipc(pa.table({"v": pa.array([self.min, self.max], _extreme_type(self.dtype))}))
        return {
            "error": self.error,
            "rows": self.rows, "nulls": self.nulls, "zeros": self.zeros,
            "negatives": self.negatives, "n": self.n, "mean": self.mean, "m2": self.m2,
            "unit": self.unit,
            "extremes": ext, "lmin": self.lmin, "lmax": self.lmax, "lsum": self.lsum,
            "kll": _b64(self.kll.serialize()) if self.kll is not None else None,
            "hll": self.hll.serialize(),
            "freq": self.freq.to_json() if self.freq is not None else None,
        }  # fmt: skip

    def load(self, d: dict[str, Any]) -> ColumnSketch:
        self.rows, self.nulls = int(d["rows"]), int(d["nulls"])
        self.error = d.get("error")
        self.zeros, self.negatives = int(d["zeros"]), int(d["negatives"])
        self.n, self.mean, self.m2 = int(d["n"]), float(d["mean"]), float(d["m2"])
        self.unit = float(d.get("unit", 1.0))  # checkpoints before the unit: unscaled
        if d.get("extremes"):
            self.min, self.max = _unipc(d["extremes"]).column("v").to_pylist()
        self.lmin, self.lmax, self.lsum = d["lmin"], d["lmax"], int(d["lsum"])
        if d.get("kll") and self.kll is not None:
            self.kll = kll_doubles_sketch.deserialize(_unb64(d["kll"]))
        self.hll = HyperLogLog.deserialize(d["hll"])
        if d.get("freq") and self.freq is not None:
            self.freq = Frequent.from_json(d["freq"], self.dtype)
        return self


def _extreme_type(t: pa.DataType) -> pa.DataType:
    """Extremes of dates, times and durations are kept as integers (any year, and Arrow
    has no min/max for durations); others as the column's own type."""
    if pa.types.is_temporal(t):
        return pa.int64()
    return t


def extremes(arr: pa.Array) -> tuple[Any, Any]:
    """Min and max of the finite values (NaN/±Infinity are special values)."""
    t = arr.type
    if pa.types.is_floating(t):
        arr = arr.filter(pc.is_finite(arr))
    elif pa.types.is_temporal(t):
        narrow = pa.types.is_date32(t) or pa.types.is_time32(t)
        arr = arr.cast(pa.int32()).cast(pa.int64()) if narrow else arr.cast(pa.int64())
    if len(arr) == arr.null_count:
        return None, None
    mm = pc.min_max(arr)
    return mm["min"].as_py(), mm["max"].as_py()


def extreme_value(v: Any, t: pa.DataType) -> Any:
    """An extreme as the profile shows it: dates and timestamps as ISO text (any year, as
    the push-down modes write them), durations as ``[-]H:MM:SS``, times as times."""
    if v is None or not pa.types.is_temporal(t):
        return v
    if pa.types.is_date32(t):
        return iso_date(v)
    if pa.types.is_date64(t):
        return iso_date(v // 86_400_000)
    scale = {"s": 1_000_000, "ms": 1000, "us": 1, "ns": 0.001}[t.unit]
    us = int(v * scale)
    if pa.types.is_timestamp(t):
        return iso_timestamp(us, t.tz is not None)
    if pa.types.is_duration(t):
        return iso_duration(us)
    ints = pa.array([v], pa.int64())
    return ints.cast(t if pa.types.is_time64(t) else pa.int32()).cast(t)[0].as_py()


def wants_frequent(kind: str) -> bool:
    return kind in (NUMERIC, TEMPORAL, STRING, BOOLEAN, "other")
