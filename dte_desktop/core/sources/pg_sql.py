"""SQL text for the PostgreSQL / Greenplum source: quoting, SELECT/COPY building, partition
predicates and catalog queries. Pure functions of their inputs, so unit tests can read the
SQL without a server.

Identifiers are always double-quoted (never "only when needed"), so reserved words, mixed
case, dots, spaces and quotes need no special casing. Catalog lookups bind names as
parameters instead of quoting them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.dialect import order_sql
from dte_desktop.core.sources.sql_words import refuse_words, require_select_like, words
from dte_desktop.core.sources.user_filter import filter_group

SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
_SYSTEM_PREFIXES = ("pg_toast", "pg_temp", "gp_")
# Greenplum ships these outside the gp_ prefix.
_GREENPLUM_SCHEMAS = frozenset({"pg_aoseg", "pg_bitmapindex", "pg_ext_aux"})


def quote_ident(name: str) -> str:
    if "\x00" in name:
        raise ConfigError("An identifier cannot contain a NUL character.")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A standard-conforming string literal; backslashes are taken literally because the
    literal is written as E'' with doubled backslashes."""
    if "\x00" in value:
        raise ConfigError("A literal cannot contain a NUL character.")
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def qualified(schema: str | None, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}" if schema else quote_ident(name)


def is_system_schema(name: str) -> bool:
    """pg_catalog, information_schema, pg_toast*, pg_temp*, and Greenplum's gp_* (including
    gp_toolkit) and its AO/bitmap helper schemas."""
    return name in SYSTEM_SCHEMAS or name in _GREENPLUM_SCHEMAS or name.startswith(_SYSTEM_PREFIXES)


def strip_user_sql(sql: str) -> str:
    """Trailing semicolons and blanks off a user's query or filter (they are embedded in a
    larger statement)."""
    s = sql.strip()
    while s.endswith(";"):
        s = s[:-1].rstrip()
    if not s:
        raise ConfigError("The SQL text is empty.")
    return s


# Functions that act outside the database, which a READ ONLY transaction does not stop:
# files written on the server, configuration reloaded, other sessions ended, remote SQL.
_OUTSIDE_EFFECTS = {
    **dict.fromkeys(("LO_EXPORT", "PG_FILE_WRITE", "PG_FILE_RENAME", "PG_FILE_UNLINK",
                     "PG_FILE_SYNC"), "writing a file on the server"),
    **dict.fromkeys(("PG_RELOAD_CONF", "PG_ROTATE_LOGFILE", "PG_SWITCH_WAL",
                     "PG_CREATE_RESTORE_POINT", "PG_PROMOTE"), "a server administration function"),
    **dict.fromkeys(("PG_TERMINATE_BACKEND", "PG_CANCEL_BACKEND"), "ending other sessions"),
    **dict.fromkeys(("DBLINK", "DBLINK_EXEC", "DBLINK_SEND_QUERY"), "SQL run on another server"),
}  # fmt: skip


def check_user_sql(sql: str, *, query: bool) -> None:
    """A user's query (``query=True``: SELECT-like only) or filter, refused before it is sent
    when it calls a function whose effect a read-only transaction does not stop."""
    ws = require_select_like(sql, "postgresql") if query else words(sql, "postgresql")
    refuse_words(ws, _OUTSIDE_EFFECTS, "The PostgreSQL source", quoted_too=True)


def build_inner_select(
    source_sql: str,
    exprs: Sequence[str],
    *,
    predicates: Sequence[str] = (),
    where: str | None = None,
    limit: int | None = None,
    order_by: Sequence[tuple[str, bool]] = (),
) -> str:
    """``SELECT exprs FROM source WHERE (p1) AND (p2) AND (user filter) ORDER BY … LIMIT n``.

    ``source_sql`` is a quoted relation or a parenthesised, aliased subquery. The user
    filter goes last and in its own parentheses so it cannot widen our predicates."""
    sql = f"SELECT {', '.join(exprs) if exprs else ''} FROM {source_sql}"
    conds = [f"({p})" for p in predicates if p]
    if where:
        conds.append(filter_group(where, "postgresql"))
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if order_by:
        sql += " ORDER BY " + order_sql(quote_ident, order_by)
    if limit is not None:
        if int(limit) < 0:
            raise ConfigError("The row limit cannot be negative.")
        sql += f" LIMIT {int(limit)}"
    return sql


def subquery_source(query: str, aliases: Sequence[str] | None = None) -> str:
    """A user query as a FROM item. A newline before the closing parenthesis keeps a
    trailing ``-- comment`` in the user's text from swallowing it."""
    alias = '"_dte_q"'
    if aliases is not None:
        alias += "(" + ", ".join(quote_ident(a) for a in aliases) + ")"
    return f"({strip_user_sql(query)}\n) AS {alias}"


def copy_statement(inner_select: str) -> str:
    return f"COPY ({inner_select}) TO STDOUT (FORMAT csv)"


def count_statement(inner_select: str) -> str:
    return f'SELECT count(*) FROM ({inner_select}) AS "_dte_c"'


def probe_statement(inner_select: str) -> str:
    """Parsed through the extended protocol (a prepared statement), which refuses more than
    one command: user text cannot smuggle a ``COMMIT; …`` past the read-only transaction."""
    return f'SELECT * FROM ({inner_select}) AS "_dte_p" LIMIT 0'


# Resume checks: any row version written after a snapshot has an xmin at or past the
# snapshot's xmin (the oldest transaction still running when it was taken).
SNAPSHOT_XMIN = "SELECT txid_snapshot_xmin(txid_current_snapshot())"


def newer_than(marker: str) -> str:
    """A boolean select expression: this row version was written at or after ``marker``
    (an epoch-extended xid from ``SNAPSHOT_XMIN``), compared wraparound-safely by age."""
    if not marker.isdigit():
        raise ConfigError(f"Not a transaction marker: {marker!r}")
    return f"age(xmin) <= age('{int(marker) % 2**32}'::xid) AS \"_dte_new\""


def changed_count_statement(inner_select: str) -> str:
    return f'SELECT count(*), count(*) FILTER (WHERE "_dte_new") FROM ({inner_select}) AS "_dte_c"'


def snapshot_statement(snapshot_id: str) -> str:
    if not snapshot_id or not all(ch.isalnum() or ch == "-" for ch in snapshot_id):
        raise ConfigError(f"Not a PostgreSQL snapshot id: {snapshot_id!r}")
    return f"SET TRANSACTION SNAPSHOT '{snapshot_id}'"


# --- partitions -------------------------------------------------------------------------


def block_ranges(pages: int, n: int) -> list[tuple[int | None, int | None]]:
    """Split blocks ``[0, pages)`` into at most ``n`` contiguous ranges ``(lo, hi)``. The first
    has no lower bound and the last no upper bound, so rows in blocks added after the size was
    read (or with an out-of-date size) still land in exactly one slice."""
    n = max(1, min(int(n), max(int(pages), 1)))
    if n == 1:
        return [(None, None)]
    step, extra = divmod(int(pages), n)
    bounds = [0]
    for i in range(n):
        bounds.append(bounds[-1] + step + (1 if i < extra else 0))
    ranges: list[tuple[int | None, int | None]] = []
    for i in range(n):
        lo = None if i == 0 else bounds[i]
        hi = None if i == n - 1 else bounds[i + 1]
        ranges.append((lo, hi))
    return ranges


def ctid_predicate(lo: int | None, hi: int | None) -> str | None:
    parts = []
    if lo is not None:
        parts.append(f"ctid >= '({int(lo)},0)'::tid")
    if hi is not None:
        parts.append(f"ctid < '({int(hi)},0)'::tid")
    return " AND ".join(parts) or None


def greenplum_segment_predicate(index: int, count: int) -> str | None:
    """Greenplum: a ctid is only unique within one segment, so slices go by segment id."""
    if count <= 1:
        return None
    return f"mod(gp_segment_id, {int(count)}) = {int(index)}"


# --- catalog ----------------------------------------------------------------------------

LIST_SCHEMAS = "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY nspname"

# Sizes from the catalog (pages as of the last VACUUM/ANALYZE, table + TOAST + indexes), not
# pg_total_relation_size: that takes a lock on the relation and so waits, with the whole
# listing, behind anyone holding ACCESS EXCLUSIVE (a migration, a VACUUM FULL) — a catalog
# must never hang on one busy table. The size is a display estimate; slicing reads
# pg_relation_size of the one table it plans (below).
_PAGES = """(c{s}.relpages::int8
    + COALESCE((SELECT t.relpages FROM pg_catalog.pg_class t WHERE t.oid = c{s}.reltoastrelid), 0)
    + COALESCE((SELECT sum(ic.relpages) FROM pg_catalog.pg_index x
                JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
                WHERE x.indrelid = c{s}.oid), 0))
   * current_setting('block_size')::int8"""

# PostgreSQL 12+ (declarative partitions, pg_partition_tree).
LIST_TABLES = f"""
SELECT c.relname, c.relkind,
  CASE WHEN c.relkind = 'p' THEN (
         SELECT sum(pc.reltuples) FILTER (WHERE pc.reltuples >= 0)
         FROM pg_catalog.pg_partition_tree(c.oid) t
         JOIN pg_catalog.pg_class pc ON pc.oid = t.relid WHERE t.isleaf)
       ELSE c.reltuples END::float8,
  CASE WHEN c.relkind = 'p' THEN (
         SELECT sum({_PAGES.format(s="l")})
         FROM pg_catalog.pg_partition_tree(c.oid) t
         JOIN pg_catalog.pg_class cl ON cl.oid = t.relid WHERE t.isleaf)
       WHEN c.relkind IN ('r', 'm') THEN {_PAGES.format(s="")}
  END::int8,
  c.relispartition, p.relname, pn.nspname,
  pg_catalog.obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
ORDER BY c.relname
"""

# PostgreSQL < 12 and Greenplum 6 (9.4-based: no relispartition, no relkind 'p').
LIST_TABLES_LEGACY = f"""
SELECT c.relname, c.relkind, c.reltuples::float8,
  CASE WHEN c.relkind IN ('r', 'm') THEN {_PAGES.format(s="")} END::int8,
  false, NULL::name, NULL::name, pg_catalog.obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'f')
ORDER BY c.relname
"""

KINDS = {
    "r": "table",
    "v": "view",
    "m": "materialized_view",
    "p": "partitioned_table",
    "f": "foreign",
}

FIND_RELATION = """
SELECT c.oid, c.relkind FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s
"""
FIND_VISIBLE_RELATION = """
SELECT c.oid, c.relkind FROM pg_catalog.pg_class c
WHERE c.relname = %s AND pg_catalog.pg_table_is_visible(c.oid)
"""

DESCRIBE = """
SELECT a.attname, a.attnum, pg_catalog.format_type(a.atttypid, a.atttypmod),
  a.atttypid, a.atttypmod, a.attnotnull,
  COALESCE(a.attnum = ANY(pk.conkey), false)
FROM pg_catalog.pg_attribute a
LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = a.attrelid AND pk.contype = 'p'
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

TYPES = """
SELECT t.oid, t.typname, n.nspname, t.typtype, t.typcategory, t.typbasetype, t.typtypmod
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid = ANY(%s)
"""

# Blocks per leaf relation: a ctid range applies to each leaf of a partitioned table, so the
# largest leaf bounds the ranges. pg_relation_size, not relpages, which lags until ANALYZE.
RELATION_PAGES = """
SELECT COALESCE(max(pg_catalog.pg_relation_size(r)
                    / pg_catalog.current_setting('block_size')::int8), 0)
FROM unnest(CASE WHEN %(kind)s = 'p'
                 THEN ARRAY(SELECT relid FROM pg_catalog.pg_partition_tree(%(oid)s::oid)
                            WHERE isleaf)
                 ELSE ARRAY[%(oid)s::oid] END) AS r
"""

GREENPLUM_SEGMENTS = (
    "SELECT count(*) FROM pg_catalog.gp_segment_configuration WHERE role = 'p' AND content >= 0"
)
