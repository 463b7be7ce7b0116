"""The SQL the Vertica source sends, as pure functions (unit-tested without a server).

Identifiers are always double-quoted (``"`` doubled inside); catalog lookups bind names as
string literals through vertica-python's client-side ``:name`` interpolation, never by
pasting them into SQL. Slice predicates contain no parameters, so statements run without a
parameter collection and a ``%`` in a user's filter is never taken for a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyarrow as pa

from dte_desktop.core.sources.base import ColumnInfo, Partition, SelectSpec, TableRef
from dte_desktop.core.sources.dialect import order_sql
from dte_desktop.core.sources.sql_words import require_select_like
from dte_desktop.core.sources.sqla_types import decimal_type
from dte_desktop.core.sources.user_filter import filter_group

SYSTEM_SCHEMA_PREFIX = "v_"  # v_catalog, v_monitor, v_internal, v_func, v_txtindex, …

SCHEMAS_SQL = "SELECT schema_name FROM v_catalog.schemata ORDER BY schema_name"

# projection_storage has one row per projection per node. Per projection the node rows add
# up to that projection's rows (deleted rows included); buddy and extra projections repeat
# the table, so the smallest projection total is the estimate, and bytes add up over all.
TABLES_SQL = """\
SELECT t.table_name,
       CASE WHEN COALESCE(t.partition_expression, '') <> '' THEN 'partitioned_table'
            ELSE 'table' END AS kind,
       ps.est_rows, ps.used_bytes, t.is_temp_table
FROM v_catalog.tables t
LEFT JOIN (
    SELECT anchor_table_schema, anchor_table_name,
           MIN(proj_rows) AS est_rows, SUM(proj_bytes) AS used_bytes
    FROM (SELECT anchor_table_schema, anchor_table_name, projection_name,
                 SUM(row_count) AS proj_rows, SUM(used_bytes) AS proj_bytes
          FROM v_monitor.projection_storage
          GROUP BY anchor_table_schema, anchor_table_name, projection_name) p
    GROUP BY anchor_table_schema, anchor_table_name
) ps ON ps.anchor_table_schema = t.table_schema AND ps.anchor_table_name = t.table_name
WHERE t.table_schema = :schema AND NOT t.is_system_table
UNION ALL
SELECT v.table_name, 'view', NULL, NULL, false
FROM v_catalog.views v
WHERE v.table_schema = :schema AND NOT v.is_system_view
ORDER BY 1"""

COLUMNS_SQL = """\
SELECT column_name, data_type, numeric_precision, numeric_scale, is_nullable, ordinal_position
FROM v_catalog.columns
WHERE table_schema = :schema AND table_name = :table
ORDER BY ordinal_position"""

VIEW_COLUMNS_SQL = """\
SELECT column_name, data_type, numeric_precision, numeric_scale, true, ordinal_position
FROM v_catalog.view_columns
WHERE table_schema = :schema AND table_name = :table
ORDER BY ordinal_position"""

PRIMARY_KEY_SQL = """\
SELECT column_name FROM v_catalog.primary_keys
WHERE table_schema = :schema AND table_name = :table
ORDER BY ordinal_position"""

# Types HASH() cannot take or should not be fed (huge or nested values).
_UNHASHABLE = re.compile(r"^(long |array|set|row|geometry|geography)", re.IGNORECASE)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_sql(table: TableRef) -> str:
    parts = [table.schema, table.name] if table.schema else [table.name]
    return ".".join(quote_ident(p) for p in parts)


def clean_query(sql: str) -> str:
    """A user's query without trailing semicolons, and a query at all (checked before it is
    sent, as on every engine: the read-only session does not stop e.g. EXPORT TO PARQUET)."""
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    require_select_like(text, "ansi")
    return text


def _conditions(select: SelectSpec) -> list[str]:
    conds = []
    if select.partition is not None and select.partition.predicate:
        conds.append(f"({select.partition.predicate})")
    if select.where:
        conds.append(filter_group(select.where, "vertica"))
    return conds


def select_sql(select: SelectSpec, columns: Sequence[str]) -> str:
    """SELECT for a table read: quoted columns, slice predicate, user filter, limit."""
    if select.query:
        sql = clean_query(select.query)
        if select.limit is not None:
            sql = f"SELECT * FROM ({sql}\n) dte_q LIMIT {int(select.limit)}"
        return sql
    if select.table is None:
        raise ValueError("a table or a query is required")
    cols = ", ".join(quote_ident(c) for c in columns) if columns else "*"
    sql = f"SELECT {cols} FROM {table_sql(select.table)}"
    conds = _conditions(select)
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if select.order_by:
        sql += " ORDER BY " + order_sql(quote_ident, select.order_by)
    if select.limit is not None:
        sql += f" LIMIT {int(select.limit)}"
    return sql


def count_sql(select: SelectSpec) -> str:
    inner = select_sql(select, [])
    if select.query is None and select.limit is None:
        return inner.replace("SELECT * FROM", "SELECT COUNT(*) FROM", 1)
    return f"SELECT COUNT(*) FROM ({inner}\n) dte_count"


def hash_columns(columns: Sequence[ColumnInfo]) -> list[str]:
    """The primary key's columns, or every column HASH can take."""
    pk = [c.name for c in columns if c.primary_key]
    return pk or [c.name for c in columns if not _UNHASHABLE.match(c.db_type)]


def hash_partitions(table: TableRef, columns: Sequence[str], n: int) -> list[Partition]:
    """``n`` buckets of ``HASH(cols)``: every row in exactly one (HASH is 0 ≤ x < 2^63, and
    NULLs hash too). MOD, not %, so no driver ever reads a placeholder in it."""
    if n <= 1 or not columns:
        return [Partition(table, 0, 1)]
    expr = "HASH(" + ", ".join(quote_ident(c) for c in columns) + ")"
    return [
        Partition(table, i, n, f"MOD({expr}, {n}) = {i}", f"hash bucket {i + 1} of {n}")
        for i in range(n)
    ]


_SIMPLE: dict[str, tuple[pa.DataType, str | None]] = {
    "int": (pa.int64(), None),
    "integer": (pa.int64(), None),
    "bigint": (pa.int64(), None),
    "smallint": (pa.int64(), "Vertica integers are 64-bit"),
    "tinyint": (pa.int64(), "Vertica integers are 64-bit"),
    "float": (pa.float64(), None),
    "float8": (pa.float64(), None),
    "real": (pa.float64(), None),
    "double precision": (pa.float64(), None),
    "boolean": (pa.bool_(), None),
    "date": (pa.date32(), None),
    "timestamp": (pa.timestamp("us"), None),
    "timestamptz": (pa.timestamp("us", tz="UTC"), "read in UTC"),
    "time": (pa.time64("us"), None),
    "timetz": (pa.string(), "time with time zone read as text"),
    "uuid": (pa.string(), "UUID read as text"),
    "money": (pa.decimal128(18, 4), None),
}


# vertica-python type codes whose Python values Arrow would type differently from describe():
# UUID objects become the arrow.uuid extension (which compute kernels reject), aware times
# lose their offset; a query's columns of these types are read as text, as tables' are.
_TEXT_TYPE_CODES = {15: "timetz", 20: "uuid", 14: "interval", 114: "interval"}


def query_schema(inferred: pa.Schema, type_codes: Sequence[int]) -> pa.Schema:
    """A query's inferred schema with the driver-described types above forced to text."""
    fields = [
        f.with_type(pa.string()) if code in _TEXT_TYPE_CODES else f
        for f, code in zip(inferred, type_codes, strict=True)
    ]
    return pa.schema(fields)


def vertica_arrow_type(
    data_type: str, precision: int | None = None, scale: int | None = None
) -> tuple[pa.DataType, str | None]:
    d = data_type.strip().lower()
    base = d.split("(")[0].strip()
    if base in _SIMPLE:
        return _SIMPLE[base]
    if base in ("numeric", "decimal", "number"):
        m = re.match(r"\w+\((\d+),\s*(\d+)\)", d)
        if m:
            precision, scale = int(m.group(1)), int(m.group(2))
        return decimal_type(precision, scale)
    if base in ("varchar", "char", "long varchar", "character varying", "character"):
        return pa.string(), None
    if base in ("varbinary", "binary", "long varbinary", "bytea", "raw"):
        return pa.binary(), None
    if base.startswith("interval"):
        # vertica-python hands intervals out as dateutil relativedelta objects.
        return pa.string(), "interval read as text"
    if base in ("geometry", "geography"):
        return pa.binary(), f"{base} read as its binary form"
    return pa.string(), f"type {data_type} has no Arrow mapping: read as text"
