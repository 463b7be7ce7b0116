"""The one small protocol every database family implements (in the spirit of harlequin's
adapters): connect/test, discover, describe, stream Arrow batches, plan partitions.

A ``Source`` is cheap to create and holds no open connection between calls unless the
family needs one; every method opens what it needs and closes it. Methods raise only
``DteError`` subclasses (``ConnectionFailed``, ``AuthenticationFailed``, ``QueryFailed``,
``TransientError`` …) with messages fit for the user and free of passwords.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import pyarrow as pa

from dte_desktop.core.sources.kind import SourceKind

if TYPE_CHECKING:
    from dte_desktop.core.sources.dialect import Dialect

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_BATCH_ROWS = 50_000


@dataclass(frozen=True)
class TableRef:
    """A table or view: ``schema`` may be None where the engine has no schemas."""

    schema: str | None
    name: str

    def display(self) -> str:
        """``schema.table`` with SQL double quotes where a part needs them (the CLI form)."""
        return ".".join(quote_part(p) for p in (self.schema, self.name) if p is not None)


def quote_part(part: str) -> str:
    if part and (part.isidentifier() and part == part.lower()) and part.isascii():
        return part
    return '"' + part.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableInfo:
    ref: TableRef
    kind: str  # table | view | materialized_view | partitioned_table | partition | foreign
    estimated_rows: int | None = None
    size_bytes: int | None = None
    parent: str | None = None  # for partitions: the partitioned table's name
    comment: str | None = None


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    db_type: str  # the engine's own rendering, e.g. "numeric(12,2)", "integer[]"
    arrow_type: pa.DataType
    nullable: bool = True
    primary_key: bool = False
    ordinal: int = 0
    type_note: str | None = None  # why a type maps the way it does (e.g. "read as text")
    json: bool = False  # text holding JSON documents: nested JSON where the format has it


@dataclass(frozen=True)
class Partition:
    """One disjoint slice of a table. ``predicate`` is SQL built by the source itself from
    quoted identifiers and bound literals (never user text); None means the whole table."""

    table: TableRef
    index: int
    count: int
    predicate: str | None = None
    description: str = "all rows"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SelectSpec:
    """What ``read_batches`` reads: a table (optionally columns / a slice / a filter) or a
    query. ``where`` is the one place raw SQL from a user is accepted; sources run it inside
    a read-only transaction."""

    table: TableRef | None = None
    columns: tuple[str, ...] | None = None
    partition: Partition | None = None
    where: str | None = None
    query: str | None = None
    limit: int | None = None
    snapshot: str | None = None  # PostgreSQL exported snapshot id shared by slices
    # (column, descending) pairs, table reads only: the preview's server-side sort. Each
    # source quotes the names itself; a query's rows are never re-ordered by wrapping it.
    order_by: tuple[tuple[str, bool], ...] = ()
    # Text and binary values longer than this are cut on the server (see ``cut.py``): a
    # preview reads cut_at + 1 characters of each, so it knows which it cut.
    cut_at: int | None = None


@dataclass(frozen=True)
class Capabilities:
    can_partition: bool = False
    can_share_snapshot: bool = False
    can_cancel: bool = False
    approximate_functions: bool = False
    has_schemas: bool = True
    can_tablesample: bool = False


@runtime_checkable
class Source(Protocol):
    """What every database family offers. ``url`` never carries the password; it is
    passed separately and kept out of every message and log line."""

    kind: ClassVar[SourceKind]  # label, URL schemes, form, default port, options
    scheme: ClassVar[str]  # = kind.key
    capabilities: ClassVar[Capabilities]

    def sql_dialect(self) -> Dialect:
        """The SQL spelling profiling and sampling use on this source."""
        ...

    def test_connection(self) -> str:
        """Connect within the timeout and return the server's version string."""
        ...

    def list_schemas(self, include_system: bool = False) -> list[str]: ...

    def list_tables(self, schema: str | None) -> list[TableInfo]: ...

    def describe(self, table: TableRef) -> list[ColumnInfo]: ...

    def read_batches(
        self, select: SelectSpec, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]: ...

    def count_rows(self, select: SelectSpec) -> int:
        """Exact ``count(*)`` of what ``read_batches(select)`` would return."""
        ...

    def partition(self, table: TableRef, n: int) -> list[Partition]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ColumnOrigin:
    """The stored column a query's output column reads unchanged (as the engine reports it:
    PostgreSQL's RowDescription table OID + attribute number, MySQL's org_table/org_name).
    A computed column has none; the privacy gate then gives it the policy's level for
    unknown columns."""

    table: TableRef
    column: str


ORIGIN_KEY = b"dte.origin"
TYPE_NOTE_KEY = b"dte.type_note"  # a query column's type note, where the source has one
JSON_KEY = b"dte.json"  # a text column whose values are JSON documents (jsonb, arrays, …)
JSON_MARK = {JSON_KEY: b"1"}


def is_json_field(fld: pa.Field) -> bool:
    """Whether ``fld`` holds JSON text: written as nested JSON where a format has it."""
    return bool((fld.metadata or {}).get(JSON_KEY))


def type_note_of(fld: pa.Field) -> str | None:
    raw = (fld.metadata or {}).get(TYPE_NOTE_KEY)
    return raw.decode("utf-8") if raw else None


def with_origins(schema: pa.Schema, origins: list[ColumnOrigin | None]) -> pa.Schema:
    """``schema`` with each traced field marked by its origin (field metadata), so a batch
    read from a query carries its own provenance to the privacy gate."""
    fields = []
    for fld, origin in zip(schema, origins, strict=True):
        if origin is not None:
            mark = json.dumps([origin.table.schema, origin.table.name, origin.column])
            fld = fld.with_metadata({**(fld.metadata or {}), ORIGIN_KEY: mark.encode()})
        fields.append(fld)
    return pa.schema(fields, metadata=schema.metadata)


def origin_of(fld: pa.Field) -> ColumnOrigin | None:
    raw = (fld.metadata or {}).get(ORIGIN_KEY)
    if raw is None:
        return None
    try:
        schema, table, column = json.loads(raw)
        return ColumnOrigin(TableRef(schema, table), column)
    except (ValueError, TypeError):  # a mark we did not write: untraced
        return None
