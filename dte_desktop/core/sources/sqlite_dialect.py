"""SQLite's SQL spelling for the profiler and the sampler (see dialect.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from dte_desktop.core.sources.base import ColumnInfo, TableRef
from dte_desktop.core.sources.dialect import Dialect

_P32, _A = 4294967291, 1103515245  # a prime below 2**32; a multiplier below 2**31
_P31, _B = 2147483647, 48271  # the MINSTD prime and multiplier


def _xor(a: str, b: str) -> str:
    return f"(({a}) | ({b})) - (({a}) & ({b}))"


def sqlite_mix(expr: str, seed: int) -> str:
    """A well-spread 31-bit hash of an integer expression and the seed in SQLite's own
    operators (it has no hash function): a multiplicative step modulo a prime, one
    xorshift to break its linearity, and a second multiplicative step. Every product stays
    below 2**63, so SQLite never turns it into a REAL."""
    x = f"(((({expr}) % {_P32}) * {_A} + {int(seed)}) % {_P32})"
    return f"(({_xor(x, f'{x} >> 13')}) * {_B}) % {_P31}"


class SQLiteDialect(Dialect):
    family: ClassVar[str] = "sqlite"
    double: ClassVar[str] = "REAL"
    text_type: ClassVar[str] = "TEXT"
    length_fn: ClassVar[str] = "length"
    has_stddev: ClassVar[bool] = False
    window_quantiles: ClassVar[bool] = True
    compare_as_text: ClassVar[bool] = False  # a CAST would change the collation
    has_rowid: ClassVar[bool] = True

    def table(self, ref: TableRef) -> str:
        """One schema, ``main``: the bare name (attached databases keep theirs)."""
        if ref.schema in (None, "main"):
            return self.quote(ref.name)
        return f"{self.quote(ref.schema)}.{self.quote(ref.name)}"

    def ddl_column(self, column: ColumnInfo) -> str:
        """A column declared without a type has none (SQLite allows it)."""
        null = "" if column.nullable else " NOT NULL"
        kind = f" {column.db_type}" if column.db_type else ""
        return f"{self.quote(column.name)}{kind}{null}"

    def floor_div(self, expr: str) -> str:
        # SQLite may lack math functions.
        return f"CAST({expr} AS INTEGER)"

    def epoch(self, expr: str, db_type: str) -> str | None:
        return f"((julianday({expr}) - 2440587.5) * 86400.0)"

    def epoch_us(self, expr: str) -> str | None:
        return f"(CAST(round((julianday({expr}) - 2440587.5) * 86400000.0) AS INTEGER) * 1000)"

    def specials(self, expr: str, kind: str, db_type: str) -> list[tuple[str, str]]:
        """±Inf (9e999), values of another storage class (``'abc'`` in an INTEGER column;
        dynamic typing) and dates julianday() cannot read."""
        if kind == "numeric":
            return [
                ("Infinity", f"{expr} = 9e999"),
                ("-Infinity", f"{expr} = -9e999"),
                ("text", f"typeof({expr}) = 'text'"),
                ("blob", f"typeof({expr}) = 'blob'"),
            ]
        if kind == "temporal":
            predicate = f"({expr} IS NOT NULL AND {self.epoch(expr, db_type)} IS NULL)"
            return [("invalid date", predicate)]
        return []

    def stored_text(self, value: str) -> str:
        # SQLite keeps timestamps as text with a space; the profile writes ISO 'T'.
        return value.replace("T", " ").split("+")[0]

    def seeded_hash(self, exprs: Sequence[str], seed: int, rowid: str | None) -> str | None:
        return None if rowid is None else sqlite_mix(rowid, seed)

    def row_in(self, lhs: str, rows: str) -> str:
        # SQLite wants a row-value IN's right-hand side as a VALUES subquery.
        return f"{lhs} IN (VALUES {rows})"

    def profile_sample(
        self, cols: str, table_sql: str, frac: float, blocks: bool, seed: int
    ) -> tuple[str, str] | None:
        threshold = int(frac * 1_000_003)
        sql = f"SELECT {cols} FROM {table_sql} WHERE ((rowid * 2654435761) % 1000003) < {threshold}"
        return sql, f"rowid hash < {frac:.6f}"

    def sample_where(self, frac: float, seed: int, rowid: str | None) -> str | None:
        if rowid is None:
            return None
        return f"({sqlite_mix(rowid, seed)}) % 1000003 < {int(frac * 1000003)}"
