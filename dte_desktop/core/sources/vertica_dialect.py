"""Vertica's SQL spelling for the profiler and the sampler (see dialect.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from dte_desktop.core.sources.dialect import Dialect


class VerticaDialect(Dialect):
    family: ClassVar[str] = "vertica"
    double: ClassVar[str] = "FLOAT"
    text_type: ClassVar[str] = "VARCHAR(65000)"
    # Vertica does not enforce PRIMARY KEY unless asked: its keys prove nothing.
    enforces_keys: ClassVar[bool] = False
    percentiles: ClassVar[str | None] = "approx"

    def epoch(self, expr: str, db_type: str) -> str | None:
        return f"CAST(EXTRACT(EPOCH FROM {expr}) AS FLOAT)"

    def epoch_us(self, expr: str) -> str | None:
        return f"(EXTRACT(EPOCH FROM {expr}) * 1000000)"

    def regex_match(self, expr: str, pattern: str) -> str | None:
        return f"REGEXP_LIKE({expr}, {self.literal(pattern)})"

    def approx_count_distinct(self, expr: str) -> str | None:
        return f"APPROXIMATE_COUNT_DISTINCT({expr})"

    def row_hash(self, alias: str, cols: Sequence[str]) -> str | None:
        return f"HASH({', '.join(cols)})"

    def seeded_hash(self, exprs: Sequence[str], seed: int, rowid: str | None) -> str | None:
        return f"HASH({int(seed)}, {', '.join(exprs)})"

    def profile_sample(
        self, cols: str, table_sql: str, frac: float, blocks: bool, seed: int
    ) -> tuple[str, str] | None:
        sql = f"SELECT {cols} FROM {table_sql} TABLESAMPLE({100 * frac:.6f})"
        return sql, f"TABLESAMPLE {100 * frac:.4f}%"
