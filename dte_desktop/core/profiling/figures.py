"""Statistics computed from values held in memory (a bounded sample), vectorised with
numpy / Arrow, plus the conversions every mode shares (temporal values as epoch seconds)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.profiling.model import HISTOGRAM_BINS, QUANTILES, TOP_K, epoch_to_json


def as_float(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Finite numeric or temporal values as float64 (temporal: epoch seconds); NaN and
    ±Infinity are special values, counted apart from the statistics."""
    v = _as_float(values)
    return v[np.isfinite(v)]


def _as_float(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    arr = arr.drop_null()
    t = arr.type
    if pa.types.is_date32(t):
        return arr.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.float64) * 86400.0
    if pa.types.is_date64(t):
        return arr.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64) / 1e3
    if pa.types.is_timestamp(t):
        scale = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[t.unit]
        return arr.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64) / scale
    if pa.types.is_decimal(t):
        arr = arr.cast(pa.float64())
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64)


def to_output(x: float | None, kind: str, unit: str, tz: bool = False) -> Any:
    """A float figure in its column's JSON form: ISO text for temporal columns."""
    if x is None:
        return None
    if kind == "temporal":
        return epoch_to_json(x, unit, tz)
    return float(x)


def quantiles_of(v: np.ndarray) -> dict[str, float] | None:
    """Linear interpolation between order statistics, as SQL's ``percentile_cont``."""
    if v.size == 0:
        return None
    qs = np.quantile(v, [f for _, f in QUANTILES], method="linear")
    return {k: float(q) for (k, _), q in zip(QUANTILES, qs, strict=True)}


def bin_edges(lo: float, hi: float, bins: int = HISTOGRAM_BINS) -> np.ndarray:
    if hi <= lo:
        return np.array([lo, lo], dtype=np.float64)
    return np.linspace(lo, hi, bins + 1)


def histogram_of(v: np.ndarray, lo: float, hi: float, scale: float = 1.0) -> list[dict[str, Any]]:
    """Equal-width bins over [lo, hi] (the last bin closed); ``scale`` extrapolates a
    sample's counts to the table."""
    edges = bin_edges(lo, hi)
    if v.size == 0:
        return []
    if len(edges) == 2 and edges[0] == edges[1]:
        return [{"lo": lo, "hi": hi, "count": round(v.size * scale)}]
    counts, _ = np.histogram(np.clip(v, lo, hi), bins=edges)
    return [
        {"lo": float(edges[i]), "hi": float(edges[i + 1]), "count": round(int(c) * scale)}
        for i, c in enumerate(counts)
    ]


def top_values_of(
    values: pa.Array | pa.ChunkedArray, k: int = TOP_K, scale: float = 1.0
) -> tuple[list[dict[str, Any]], int]:
    """The ``k`` most frequent non-null values (ties by value) and the distinct count."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    arr = arr.drop_null()
    vc = pc.value_counts(arr)
    vals, counts = vc.field("values"), vc.field("counts")
    if len(vals) == 0:
        return [], 0
    order = np.argsort(-counts.to_numpy(zero_copy_only=False), kind="stable")[:k]
    out = [
        {"value": vals[int(i)].as_py(), "count": round(int(counts[int(i)].as_py()) * scale)}
        for i in order
    ]
    return out, len(vals)


def iqr_fences(q: dict[str, float] | None) -> tuple[float, float] | None:
    if not q or q.get("p25") is None or q.get("p75") is None:
        return None
    iqr = q["p75"] - q["p25"]
    return q["p25"] - 1.5 * iqr, q["p75"] + 1.5 * iqr


def repeated_top_values(
    values: pa.Array | pa.ChunkedArray, non_null: int, k: int = TOP_K
) -> list[dict[str, Any]]:
    """Top values of a high-cardinality column from its sample, scaled to the table: only
    values seen at least twice in the sample (a value seen once says nothing about its
    frequency, and scaling it up would invent a count)."""
    sample_nn = len(values) - values.null_count
    top, _ = top_values_of(values, k)
    scale = non_null / max(1, sample_nn)
    return [
        {"value": t["value"], "count": round(t["count"] * scale)} for t in top if t["count"] > 1
    ]
