"""A table's CREATE TABLE, reconstructed from what the catalog tells (``describe`` and the
keys): columns with the engine's own type names, nullability, the primary key, foreign
keys and secondary indexes. Spelled by the source's dialect (quoting, qualification, the
column line), so PostgreSQL, MariaDB and SQLite each read as their own SQL. It is not the
server's stored DDL: defaults, checks, storage options and grants are not in it, and the
text says so."""

from __future__ import annotations

from dte_desktop.core.sources.base import ColumnInfo, Source, TableRef
from dte_desktop.core.sources.dialect import Dialect
from dte_desktop.core.sources.keys import TableKeys, keys_of

NOTE = (
    "-- Reconstructed by DTE Desktop from the catalog: columns, types, nullability and keys.\n"
    "-- Defaults, checks, storage options and grants are not included.\n"
)


def table_ddl(source: Source, table: TableRef) -> str:
    """The table's CREATE TABLE (and CREATE INDEX) text, in the source's SQL."""
    columns = sorted(source.describe(table), key=lambda c: c.ordinal)
    return create_table(source.sql_dialect(), table, columns, keys_of(source, table))


def create_table(
    dialect: Dialect, table: TableRef, columns: list[ColumnInfo], keys: TableKeys
) -> str:
    q, name = dialect.quote, dialect.table(table)
    lines = [f"  {dialect.ddl_column(c)}" for c in columns]
    pk = keys.primary_key or tuple(c.name for c in columns if c.primary_key)
    if pk:
        lines.append(f"  PRIMARY KEY ({', '.join(q(c) for c in pk)})")
    for fk in keys.foreign_keys:
        head = f"CONSTRAINT {q(fk.name)} " if fk.name else ""
        lines.append(
            f"  {head}FOREIGN KEY ({', '.join(q(c) for c in fk.columns)}) "
            f"REFERENCES {dialect.table(fk.ref_table)} ({', '.join(q(c) for c in fk.ref_columns)})"
        )
    text = NOTE + f"CREATE TABLE {name} (\n" + ",\n".join(lines) + "\n);\n"
    known = {c.name for c in columns}
    for ix in keys.indexes:
        if ix.primary or not ix.columns:
            continue
        # A plain column is quoted; an indexed expression is the engine's own SQL.
        parts = ", ".join(q(c) if c in known else c for c in ix.columns)
        unique = "UNIQUE " if ix.unique else ""
        label = f"{q(ix.name)} " if ix.name else ""
        text += f"CREATE {unique}INDEX {label}ON {name} ({parts});\n"
    return text
