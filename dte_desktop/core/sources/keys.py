"""A table's keys as the catalog declares them — primary key, foreign keys, indexes — and
the data quality rules they suggest (a foreign key is a ``referential`` rule to check).

Sources that can list keys have ``keys(table)``: PostgreSQL reads ``pg_constraint`` and
``pg_index``; the SQLAlchemy sources (MySQL/MariaDB, SQLite, generic) use the inspector.
``keys_of`` falls back to the primary key ``describe`` reports for any other source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dte_desktop.core.sources.base import Source, TableRef


@dataclass(frozen=True)
class ForeignKey:
    name: str | None
    columns: tuple[str, ...]
    ref_table: TableRef
    ref_columns: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": list(self.columns),
            "ref_table": self.ref_table.display(),
            "ref_columns": list(self.ref_columns),
        }


@dataclass(frozen=True)
class Index:
    name: str | None
    columns: tuple[str, ...]  # a column name, or the indexed expression's SQL
    unique: bool = False
    primary: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": list(self.columns),
            "unique": self.unique,
            "primary": self.primary,
        }


@dataclass(frozen=True)
class TableKeys:
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    listed: bool = True  # False: the source cannot list keys (only describe's primary key)

    def to_json(self) -> dict[str, Any]:
        return {
            "primary_key": list(self.primary_key),
            "foreign_keys": [f.to_json() for f in self.foreign_keys],
            "indexes": [i.to_json() for i in self.indexes],
            "keys_listed": self.listed,
        }


@dataclass(frozen=True)
class SuggestedRule:
    kind: str
    column: str
    params: dict[str, Any] = field(default_factory=dict)
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "column": self.column, "params": self.params, "why": self.why}

    def command(self, connection: str, table: TableRef) -> str:
        """The ``dte rules add`` line that stores this rule."""
        args = ["dte", "rules", "add", connection, table.display(), self.kind, self.column]
        if self.kind == "referential":
            args += ["--ref-table", self.params["table"], "--ref-column", self.params["column"]]
        return " ".join(_shell(a) for a in args)


def _shell(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def keys_of(source: Source, table: TableRef) -> TableKeys:
    lister = getattr(source, "keys", None)
    if lister is not None:
        return lister(table)
    pk = tuple(c.name for c in source.describe(table) if c.primary_key)
    return TableKeys(primary_key=pk, listed=False)


def suggest_rules(keys: TableKeys) -> list[SuggestedRule]:
    """A ``referential`` rule per single-column foreign key (the rule kind names one column:
    a composite key has no rule to offer), and ``unique`` for a single-column unique index
    that is not the primary key."""
    out = []
    for fk in keys.foreign_keys:
        if len(fk.columns) == 1 and len(fk.ref_columns) == 1:
            out.append(
                SuggestedRule(
                    "referential",
                    fk.columns[0],
                    {"table": fk.ref_table.display(), "column": fk.ref_columns[0]},
                    f"foreign key {fk.name or ''}".strip(),
                )
            )
    for ix in keys.indexes:
        if ix.unique and not ix.primary and len(ix.columns) == 1:
            out.append(SuggestedRule("unique", ix.columns[0], {}, f"unique index {ix.name}"))
    return out


PG_CONSTRAINTS = """
SELECT c.conname, c.contype,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
       rn.nspname, rc.relname,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint c
LEFT JOIN pg_class rc ON rc.oid = c.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE c.conrelid = %s AND c.contype IN ('p', 'f')
ORDER BY c.conname
"""
PG_INDEXES = """
SELECT ic.relname, i.indisunique, i.indisprimary,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
             FROM generate_series(1, i.indnkeyatts) k ORDER BY k)
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = %s
ORDER BY ic.relname
"""


def pg_keys(conn: Any, oid: int) -> TableKeys:
    """Keys of the relation ``oid`` from PostgreSQL's catalog (``conn``: psycopg)."""
    pk: tuple[str, ...] = ()
    fks = []
    for name, kind, cols, ref_schema, ref_table, ref_cols in conn.execute(
        PG_CONSTRAINTS, (oid,)
    ).fetchall():
        if kind == "p":
            pk = tuple(cols)
        else:
            fks.append(
                ForeignKey(name, tuple(cols), TableRef(ref_schema, ref_table), tuple(ref_cols))
            )
    indexes = [
        Index(name, tuple(_unquote(c) for c in cols), bool(unique), bool(primary))
        for name, unique, primary, cols in conn.execute(PG_INDEXES, (oid,)).fetchall()
    ]
    return TableKeys(pk, tuple(fks), tuple(indexes))


def _unquote(sql: str) -> str:
    """pg_get_indexdef quotes a column name that needs it; an expression stays SQL."""
    if len(sql) >= 2 and sql[0] == sql[-1] == '"' and '"' not in sql[1:-1].replace('""', ""):
        return sql[1:-1].replace('""', '"')
    return sql


def inspector_keys(insp: Any, table: TableRef) -> TableKeys:
    """Keys through SQLAlchemy's inspector (MySQL/MariaDB, SQLite, generic URLs)."""
    schema = table.schema
    pk = tuple(insp.get_pk_constraint(table.name, schema=schema).get("constrained_columns") or ())
    fks = []
    for fk in insp.get_foreign_keys(table.name, schema=schema):
        ref = TableRef(fk.get("referred_schema") or schema, fk["referred_table"])
        fks.append(
            ForeignKey(
                fk.get("name"),
                tuple(fk["constrained_columns"]),
                ref,
                tuple(fk["referred_columns"]),
            )
        )
    indexes = [
        Index(
            ix.get("name"),
            tuple(c if c is not None else "(expression)" for c in ix.get("column_names") or ()),
            bool(ix.get("unique")),
        )
        for ix in insp.get_indexes(table.name, schema=schema)
    ]
    if pk:
        indexes.insert(0, Index("PRIMARY", pk, unique=True, primary=True))
    return TableKeys(pk, tuple(fks), tuple(indexes))
