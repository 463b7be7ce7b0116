"""The profile result: one dataclass tree for every mode, and its stable JSON form.

``to_json()`` is the ``dte profile --json`` interface (docs/profile_json.md); add keys, never
rename or drop them. Values are JSON-native: numbers, ISO-8601 strings for dates and
timestamps, strings for text; figures that could not be computed are ``null``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dte_desktop.core.profiling.values import json_value, temporal_text

QUANTILES: tuple[tuple[str, float], ...] = (
    ("p1", 0.01),
    ("p5", 0.05),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p95", 0.95),
    ("p99", 0.99),
)
HISTOGRAM_BINS = 20
TOP_K = 10
SCHEMA_VERSION = 1

# Column kinds decide which statistics apply.
NUMERIC, TEMPORAL, STRING, BOOLEAN, BINARY, NESTED, OTHER = (
    "numeric",
    "temporal",
    "string",
    "boolean",
    "binary",
    "nested",
    "other",
)


def cause(exc: BaseException) -> str:
    """The first line of an error, for a column's ``error`` (DteError messages are
    already fit to show)."""
    text = str(exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    # Drivers quote the offending value ('abc', b'\x01'): never show a raw value.
    # An opening quote follows no letter (so "column's" is not one).
    return re.sub(r"(?<!\w)b?'(?:[^'\\]|\\.)*'", "'…'", text)


def kind_of(t: pa.DataType) -> str:
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return NUMERIC
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return TEMPORAL
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return STRING
    if pa.types.is_boolean(t):
        return BOOLEAN
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return BINARY
    if pa.types.is_nested(t):
        return NESTED
    return OTHER


def temporal_unit(t: pa.DataType) -> str:
    """How a temporal column's numbers are written back: ``date`` or ``timestamp``."""
    return "date" if pa.types.is_date(t) else "timestamp"


def epoch_to_json(seconds: float | None, unit: str, tz: bool = False) -> str | None:
    """Epoch seconds (the internal scale of temporal quantiles and bins) as ISO text; a
    naive timestamp column's figures carry no offset, an instant's carry ``+00:00``."""
    if seconds is None or not math.isfinite(seconds):
        return None
    return temporal_text(float(seconds) * 1e6, unit, tz)


@dataclass
class ColumnProfile:
    name: str
    type: str  # the engine's own type name
    arrow_type: str
    kind: str
    count: int = 0  # rows of the table
    nulls: int = 0
    distinct: int | None = None
    distinct_approx: bool = False
    min: Any = None
    max: Any = None
    mean: float | None = None
    stddev: float | None = None  # sample standard deviation (stddev_samp)
    zeros: int | None = None
    negatives: int | None = None
    quantiles: dict[str, Any] | None = None
    histogram: list[dict[str, Any]] = field(default_factory=list)
    top_values: list[dict[str, Any]] = field(default_factory=list)
    length: dict[str, float | int | None] | None = None
    patterns: list[dict[str, Any]] = field(default_factory=list)
    outliers: dict[str, Any] | None = None
    semantic_type: str | None = None
    pii: dict[str, Any] | None = None
    classification: str = "Public"  # the level in force (the privacy gate's decision)
    classification_reason: str = ""
    suggested_classification: str = ""  # the profiler's guess, for an officer to accept
    suggested_reason: str = ""
    masking: dict[str, Any] | None = None  # the gate's decision: operator, shown_raw, why
    approximate: set[str] = field(default_factory=set)  # keys whose figures are estimates
    notes: list[str] = field(default_factory=list)
    # Values outside the statistics (NaN, ±Infinity, ±infinity dates, zero dates, SQLite
    # values of another storage class): counted here; min/max/mean/quantiles leave them out.
    special: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # why some figures of this column could not be computed
    primary_key: bool = False  # a one-column primary key: distinct = rows, no nulls
    type_note: str | None = None  # the source's note on how the type is read

    @property
    def non_null(self) -> int:
        return self.count - self.nulls

    def to_json(self) -> dict[str, Any]:
        non_null = self.non_null
        return {
            "name": self.name,
            "type": self.type,
            "arrow_type": self.arrow_type,
            "kind": self.kind,
            "count": self.count,
            "nulls": self.nulls,
            "null_pct": round(100.0 * self.nulls / self.count, 4) if self.count else 0.0,
            "distinct": self.distinct,
            "distinct_approx": self.distinct_approx,
            "uniqueness": (
                round(self.distinct / non_null, 6)
                if self.distinct is not None and non_null
                else None
            ),
            "min": json_value(self.min),
            "max": json_value(self.max),
            "mean": json_value(self.mean),
            "stddev": json_value(self.stddev),
            "zeros": self.zeros,
            "negatives": self.negatives,
            "quantiles": (
                None
                if self.quantiles is None
                else {k: json_value(v) for k, v in self.quantiles.items()}
            ),
            "histogram": [
                {"lo": json_value(b["lo"]), "hi": json_value(b["hi"]), "count": int(b["count"])}
                for b in self.histogram
            ],
            "top_values": [
                {"value": json_value(t["value"]), "count": int(t["count"])} for t in self.top_values
            ],
            "length": self.length,
            "patterns": self.patterns,
            "outliers": self.outliers,
            "semantic_type": self.semantic_type,
            "pii": self.pii,
            "classification": self.classification,
            "classification_reason": self.classification_reason,
            "suggested_classification": self.suggested_classification,
            "suggested_reason": self.suggested_reason,
            "masking": self.masking,
            "approximate": sorted(self.approximate),
            "notes": list(self.notes),
            "special_values": dict(self.special),
            "error": self.error,
        }


@dataclass
class TableProfile:
    connection: str
    table: str
    mode: str
    row_count: int = 0
    columns: list[ColumnProfile] = field(default_factory=list)
    duplicate_rows: int | None = None
    duplicate_rows_approx: bool = False
    candidate_keys: list[str] = field(default_factory=list)
    sample_rows: int = 0
    sample_method: str = ""
    started_at: str = ""
    elapsed_s: float = 0.0
    job_id: int | None = None
    approximate: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[dict[str, str]]:
        """Every column whose figures are incomplete, with the cause."""
        return [{"column": c.name, "error": c.error} for c in self.columns if c.error]

    def column(self, name: str) -> ColumnProfile:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "connection": self.connection,
            "table": self.table,
            "mode": self.mode,
            "row_count": self.row_count,
            "duplicate_rows": self.duplicate_rows,
            "duplicate_rows_approx": self.duplicate_rows_approx,
            "candidate_keys": list(self.candidate_keys),
            "sample_rows": self.sample_rows,
            "sample_method": self.sample_method,
            "started_at": self.started_at,
            "elapsed_s": round(self.elapsed_s, 3),
            "job_id": self.job_id,
            "approximate": sorted(self.approximate),
            "notes": list(self.notes),
            "errors": self.errors,
            "columns": [c.to_json() for c in self.columns],
        }
