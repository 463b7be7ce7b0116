"""How a sampled row is named and found again, per dialect: its key (the primary key; else a
hash of all its columns; SQLite without a primary key: its rowid), a seeded hash of that key
that orders rows reproducibly, and the predicate that selects chosen keys.

Everything here is SQL text built from quoted identifiers and literals rendered from values
the database itself returned; user text never reaches it. The seed is a validated integer.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa

from dte_desktop.core.errors import ConfigError, DteError
from dte_desktop.core.profiling.dialect import Dialect
from dte_desktop.core.sources.base import (
    DEFAULT_BATCH_ROWS,
    ColumnInfo,
    SelectSpec,
    Source,
    TableRef,
)

ALIAS = "_dte_t"
_ROWID_ALIASES = ("rowid", "_rowid_", "oid")


class MeteredSource:
    """Counts the Arrow bytes of every batch read through it: the sampler's ``bytes_read``.
    Everything else is delegated, so it stands in for the source anywhere."""

    def __init__(self, inner: Source) -> None:
        self.inner = inner
        self.bytes_read = 0
        self.rows_read = 0
        self.statements = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def read_batches(
        self, select: SelectSpec, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        self.statements += 1
        for batch in self.inner.read_batches(select, batch_rows):
            self.bytes_read += batch.nbytes
            self.rows_read += batch.num_rows
            yield batch

    def query(self, sql: str) -> pa.Table:
        batches = list(self.read_batches(SelectSpec(query=sql)))
        return pa.Table.from_batches(batches) if batches else pa.table({})


def literal(d: Dialect, value: Any) -> str:
    """A value the database returned, written back as a SQL literal of the same meaning."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return d.bool_literal(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError("A non-finite number cannot be used as a key.")
        return repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConfigError("A non-finite number cannot be used as a key.")
        return str(value)
    if isinstance(value, datetime):
        text = value.isoformat(sep=" ")
        return d.literal(text)
    if isinstance(value, date | time):
        return d.literal(value.isoformat())
    if isinstance(value, uuid.UUID):
        return d.literal(str(value))
    if isinstance(value, bytes):
        return d.bytes_literal(value)
    if isinstance(value, str):
        return d.literal(value)
    raise ConfigError(f"Cannot write a {type(value).__name__} value back as a key.")


@dataclass(frozen=True)
class KeyPlan:
    """``mode``: ``pk`` (the primary key columns), ``rowhash`` (a hash of every column) or
    ``rowid`` (SQLite). ``hash_input`` is SQLite's integer to hash (the rowid) when it has one."""

    d: Dialect
    table: TableRef
    columns: tuple[ColumnInfo, ...]
    mode: str
    key_columns: tuple[str, ...]
    rowid: str | None = None

    @property
    def alias(self) -> str:
        return self.d.quote(ALIAS)

    def col(self, name: str) -> str:
        return f"{self.alias}.{self.d.quote(name)}"

    @property
    def from_sql(self) -> str:
        return f"{self.d.table(self.table)} AS {self.alias}"

    @property
    def names(self) -> list[str]:
        """How the key is shown in lineage: the key columns, or ``_row_hash``/``_rowid``."""
        if self.mode == "pk":
            return list(self.key_columns)
        return ["_row_hash"] if self.mode == "rowhash" else ["_rowid"]

    def exprs(self) -> list[str]:
        if self.mode == "pk":
            return [self.col(c) for c in self.key_columns]
        if self.mode == "rowid":
            return [f"{self.alias}.{self.rowid}"]
        return [self.row_hash()]

    def select_keys(self) -> str:
        return ", ".join(f"{e} AS {self.d.quote(f'_k{i}')}" for i, e in enumerate(self.exprs()))

    def row_hash(self) -> str:
        cols = [self.col(c.name) for c in self.columns]
        digest = self.d.row_hash(self.alias, cols)
        if digest is not None:
            return digest
        raise ConfigError(
            f"{self.table.display()} has no primary key, and this engine cannot hash whole "
            "rows: sampling needs a key to find the chosen rows again."
        )

    def hash(self, seed: int) -> str:
        """Orders rows reproducibly for a seed; a different seed gives another order.
        Engines without a usable hash order by the key (repeatable, not random)."""
        seed = int(seed)
        exprs = self.exprs()
        rowid = None if self.rowid is None else f"{self.alias}.{self.rowid}"
        hashed = self.d.seeded_hash(exprs, seed, rowid)
        return hashed if hashed is not None else ", ".join(exprs)

    def predicate(self, keys: Sequence[tuple[Any, ...]]) -> str:
        """True for the rows whose key is one of ``keys`` (a row-value IN for composite
        keys; SQLite wants its right-hand side as a VALUES subquery)."""
        if not keys:
            return "1 = 0"
        exprs = self.exprs()
        if len(exprs) == 1:
            lits = ", ".join(literal(self.d, k[0]) for k in keys)
            return f"{exprs[0]} IN ({lits})"
        rows = ", ".join("(" + ", ".join(literal(self.d, v) for v in k) + ")" for k in keys)
        lhs = "(" + ", ".join(exprs) + ")"
        return self.d.row_in(lhs, rows)

    def order_by(self) -> str:
        return ", ".join(self.exprs())


def _sqlite_rowid(source: Source, d: Dialect, table: TableRef, names: set[str]) -> str | None:
    alias = next((a for a in _ROWID_ALIASES if a not in names), None)
    if alias is None:
        return None
    try:  # WITHOUT ROWID tables and views refuse it
        list(
            source.read_batches(
                SelectSpec(query=f"SELECT {alias} FROM {d.table(table)} LIMIT 0"), 1
            )
        )
    except DteError:
        return None
    return alias


def plan_keys(source: Source, d: Dialect, table: TableRef, columns: list[ColumnInfo]) -> KeyPlan:
    pk = tuple(c.name for c in columns if c.primary_key)
    rowid = None
    if d.has_rowid:
        rowid = _sqlite_rowid(source, d, table, {c.name.lower() for c in columns})
    binary_pk = any(
        pa.types.is_binary(c.arrow_type) or pa.types.is_large_binary(c.arrow_type)
        for c in columns
        if c.primary_key
    )
    if pk and not binary_pk:
        return KeyPlan(d, table, tuple(columns), "pk", pk, rowid)
    if d.has_rowid:
        if rowid is None:
            raise ConfigError(f"{table.display()} has neither a primary key nor a rowid.")
        return KeyPlan(d, table, tuple(columns), "rowid", (), rowid)
    return KeyPlan(d, table, tuple(columns), "rowhash", ())
