"""MySQL/MariaDB's SQL spelling for the profiler and the sampler (see dialect.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.dialect import Dialect, backtick


class MySQLDialect(Dialect):
    family: ClassVar[str] = "mysql"
    double: ClassVar[str] = "DOUBLE"
    text_type: ClassVar[str] = "CHAR"
    length_fn: ClassVar[str] = "CHAR_LENGTH"

    def prefix(self, expr: str, n: int, binary: bool) -> str:
        return f"LEFT({expr}, {int(n)})"  # characters of text, bytes of a binary string

    window_quantiles: ClassVar[bool] = True
    compare_as_text: ClassVar[bool] = False  # a CAST would change the collation

    def __init__(self, default_schema: str | None = None) -> None:
        # Tables are qualified by database (the URL's).
        super().__init__(backtick, default_schema)

    def literal(self, value: str) -> str:
        """MySQL also treats backslashes as escapes, so they are doubled."""
        if "\x00" in value:
            raise ConfigError("A literal cannot contain a NUL character.")
        return "'" + value.replace("'", "''").replace("\\", "\\\\") + "'"

    def epoch(self, expr: str, db_type: str) -> str | None:
        # TIMESTAMPDIFF counts from a fixed origin in the session's zone (UTC, mysql.py).
        return f"CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01', {expr}) AS DOUBLE) / 1e6"

    def epoch_us(self, expr: str) -> str | None:
        return f"TIMESTAMPDIFF(MICROSECOND, '1970-01-01', {expr})"

    def number(self, expr: str, db_type: str) -> str:
        # BIT(n) arrives as a byte string.
        if db_type.lower().startswith("bit"):
            return f"CAST({expr} AS UNSIGNED)"
        return expr

    def text_extreme(self, fn: str, expr: str, db_type: str, note: str | None) -> str | None:
        """ENUM: MIN() compares labels as text, so the index is taken and its label looked up."""
        t = db_type.lower()
        if t.startswith("enum(") and t.endswith(")"):
            return f"ELT({fn}({expr} + 0), {db_type[5:-1]})"
        return None

    def specials(self, expr: str, kind: str, db_type: str) -> list[tuple[str, str]]:
        """Zero or invalid dates (``0000-00-00``)."""
        if kind == "temporal":
            predicate = f"({expr} IS NOT NULL AND {self.epoch(expr, db_type)} IS NULL)"
            return [("zero or invalid date", predicate)]
        return []

    def regex_match(self, expr: str, pattern: str) -> str | None:
        return f"({expr} REGEXP {self.literal(pattern)})"

    def hash_bucket(self, expr: str) -> str | None:
        return f"(CRC32({expr}) % 1000003)"

    def row_hash(self, alias: str, cols: Sequence[str]) -> str | None:
        parts = ", ".join(f"ISNULL({c}), {c}" for c in cols)
        return f"MD5(CONCAT_WS(',', {parts}))"

    def seeded_hash(self, exprs: Sequence[str], seed: int, rowid: str | None) -> str | None:
        return f"MD5(CONCAT_WS(',', {int(seed)}, {', '.join(exprs)}))"

    def profile_sample(
        self, cols: str, table_sql: str, frac: float, blocks: bool, seed: int
    ) -> tuple[str, str] | None:
        sql = f"SELECT {cols} FROM {table_sql} WHERE RAND({seed}) < {frac:.8f}"
        return sql, f"RAND(seed) < {frac:.6f}"

    def sample_where(self, frac: float, seed: int, rowid: str | None) -> str | None:
        return f"RAND({int(seed)}) < {frac:.8f}"
