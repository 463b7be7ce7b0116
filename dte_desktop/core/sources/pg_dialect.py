"""PostgreSQL/Greenplum's SQL spelling for the profiler and the sampler (see dialect.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.dialect import Dialect


class PostgresDialect(Dialect):
    family: ClassVar[str] = "postgresql"
    double: ClassVar[str] = "double precision"
    text_type: ClassVar[str] = "text"
    length_fn: ClassVar[str] = "length"
    percentiles: ClassVar[str | None] = "exact"
    ordered_set_quantiles: ClassVar[bool] = True
    grouping_sets_top: ClassVar[bool] = True

    def to_text(self, expr: str) -> str:
        return f"CAST({expr} AS text)"

    def prefix(self, expr: str, n: int, binary: bool) -> str:
        # substr() takes text or bytea; other text-read types (uuid, xml …) become text.
        return f"substr({expr if binary else self.to_text(expr)}, 1, {int(n)})"

    def literal(self, value: str) -> str:
        """Backslashes in an escape string (E'…'), where standard_conforming_strings
        cannot change their meaning."""
        if "\x00" in value:
            raise ConfigError("A literal cannot contain a NUL character.")
        text = value.replace("'", "''")
        if "\\" in text:
            return "E'" + text.replace("\\", "\\\\") + "'"
        return "'" + text + "'"

    def bool_literal(self, value: bool) -> str:
        return "TRUE" if value else "FALSE"

    def bytes_literal(self, value: bytes) -> str:
        return f"'\\x{value.hex()}'::bytea"

    def epoch(self, expr: str, db_type: str) -> str | None:
        return f"CAST(EXTRACT(EPOCH FROM {expr}) AS double precision)"

    def epoch_us(self, expr: str) -> str | None:
        return f"(EXTRACT(EPOCH FROM {expr}) * 1000000)"

    def epoch_monotone(self, db_type: str) -> bool:
        # dates and timestamps (with or without zone) order as their epochs; not intervals
        # (months of 30 days against years of 365.25) nor times with a zone.
        return db_type.lower().startswith(("date", "timestamp"))

    def number(self, expr: str, db_type: str) -> str:
        # money prints a currency symbol.
        if db_type.lower() == "money":
            return f"CAST({expr} AS numeric)"
        return expr

    def exact_number(self, db_type: str) -> bool:
        """numeric without a precision Arrow can hold (any size, kept exact) and money."""
        t = db_type.lower()
        return t == "money" or t.startswith("numeric")

    def text_extreme(self, fn: str, expr: str, db_type: str, note: str | None) -> str | None:
        """Enums (declaration order) and intervals order by their own rules."""
        if (note or "").startswith("enum") or db_type.lower() == "interval":
            return f"CAST({fn}({expr}) AS text)"
        return None

    def specials(self, expr: str, kind: str, db_type: str) -> list[tuple[str, str]]:
        """NaN/±Infinity (floats, numeric) and ±infinity (dates, timestamps)."""
        t = db_type.lower()
        if kind == "numeric" and t.startswith(("real", "double", "float", "numeric")):
            return [(lbl, f"{expr} = '{lbl}'") for lbl in ("NaN", "Infinity", "-Infinity")]
        if kind == "temporal":
            return [(lbl, f"{expr} = '{lbl}'") for lbl in ("infinity", "-infinity")]
        return []

    def regex_match(self, expr: str, pattern: str) -> str | None:
        return f"({expr} ~ {self.literal(pattern)})"

    def regex_text(self, expr: str) -> str:
        return self.to_text(expr)

    def hash_bucket(self, expr: str) -> str | None:
        # A 64-bit hash, made non-negative; collisions are negligible below ~10^8 values.
        return f"abs(hashtextextended({self.to_text(expr)}, 0) % 1000003)"

    def record_digest(self, alias: str) -> str | None:
        return f"md5(CAST({alias} AS text))"

    def hash_mod(self, expr: str, space: int) -> str | None:
        return f"abs(hashtextextended({expr}, 0) % {int(space)})"

    def row_hash(self, alias: str, cols: Sequence[str]) -> str | None:
        return f"md5(CAST({alias} AS text))"

    def seeded_hash(self, exprs: Sequence[str], seed: int, rowid: str | None) -> str | None:
        if len(exprs) == 1:
            text = self.to_text(exprs[0])
        else:
            text = f"CAST(ROW({', '.join(exprs)}) AS text)"
        return f"hashtextextended({text}, {int(seed)})"

    def profile_sample(
        self, cols: str, table_sql: str, frac: float, blocks: bool, seed: int
    ) -> tuple[str, str] | None:
        how = "SYSTEM" if blocks else "BERNOULLI"
        pct = min(100.0, 100.0 * frac)
        sql = f"SELECT {cols} FROM {table_sql} TABLESAMPLE {how} ({pct:.6f}) REPEATABLE ({seed})"
        return sql, f"TABLESAMPLE {how} {pct:.4f}%"

    def bernoulli(self, from_sql: str, pct: float, seed: int) -> str | None:
        return f"{from_sql} TABLESAMPLE BERNOULLI ({pct:.6f}) REPEATABLE ({int(seed)})"
