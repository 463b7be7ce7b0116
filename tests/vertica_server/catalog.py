"""Vertica's system tables as PostgreSQL views, installed once in each backing database.

Column names follow Vertica's documentation of ``v_catalog`` / ``v_monitor`` (only the columns
a client is likely to read). Vertica type names come from ``vt_type``: INT is 64-bit, FLOAT is
double, and the types PostgreSQL lacks are domains (``long_varchar``, ``binary``,
``varbinary``, ``long_varbinary``) so the catalog can tell them apart; their lengths are not
kept. Each table has one super projection segmented by the hash of its primary key (or of all
columns), which is what Vertica creates by default. ``projection_storage.row_count`` is an
exact count (Vertica's counts deleted rows until they are purged; this one never does).
PostgreSQL's own schemas (pg_*, information_schema) are left out of every view.
"""

from __future__ import annotations

HIDDEN = "('pg_catalog', 'information_schema', 'pg_toast', 'v_catalog', 'v_monitor')"

CATALOG_SQL = f"""
CREATE SCHEMA v_catalog;
CREATE SCHEMA v_monitor;
CREATE DOMAIN v_catalog.long_varchar AS text;
CREATE DOMAIN v_catalog.binary AS bytea;
CREATE DOMAIN v_catalog.varbinary AS bytea;
CREATE DOMAIN v_catalog.long_varbinary AS bytea;

CREATE FUNCTION v_catalog.vt_hash(t text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT hashtextextended(t, 0) & 9223372036854775807 $$;
CREATE FUNCTION v_catalog.hex_to_binary(t text) RETURNS bytea LANGUAGE sql IMMUTABLE
  AS $$ SELECT decode(regexp_replace(t, '^0[xX]', ''), 'hex') $$;
CREATE FUNCTION v_catalog.vt_row_count(r regclass) RETURNS bigint LANGUAGE plpgsql STABLE
  AS $$ DECLARE n bigint; BEGIN EXECUTE 'SELECT count(*) FROM ' || r INTO n; RETURN n; END $$;

CREATE FUNCTION v_catalog.vt_type(t oid, m int) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN ty.typname IN ('long_varchar') THEN 'long varchar(1048576)'
    WHEN ty.typname = 'binary' THEN 'binary(1)'
    WHEN ty.typname = 'varbinary' THEN 'varbinary(80)'
    WHEN ty.typname = 'long_varbinary' THEN 'long varbinary(1048576)'
    WHEN ty.typcategory = 'A' THEN 'Array[' || v_catalog.vt_type(ty.typelem, -1) || ']'
    WHEN ty.typname IN ('int2', 'int4', 'int8') THEN 'int'
    WHEN ty.typname IN ('float4', 'float8') THEN 'float'
    WHEN ty.typname = 'numeric' THEN CASE WHEN m = -1 THEN 'numeric(37,15)' ELSE
      'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' END
    WHEN ty.typname = 'varchar' THEN 'varchar(' || CASE WHEN m = -1 THEN 80 ELSE m - 4 END || ')'
    WHEN ty.typname = 'bpchar' THEN 'char(' || CASE WHEN m = -1 THEN 1 ELSE m - 4 END || ')'
    WHEN ty.typname = 'text' THEN 'varchar(65000)'
    WHEN ty.typname = 'bool' THEN 'boolean'
    WHEN ty.typname = 'bytea' THEN 'varbinary(80)'
    WHEN ty.typname = 'interval' THEN CASE WHEN m <> -1 AND (m >> 16) & ~6 = 0
      THEN 'interval year to month' ELSE 'interval day to second' END
    WHEN ty.typname IN ('date', 'time', 'timetz', 'timestamp', 'timestamptz', 'uuid')
      THEN ty.typname::text
    ELSE format_type(t, m) END
  FROM pg_type ty WHERE ty.oid = t $$;

CREATE FUNCTION v_catalog.vt_type_id(t oid, m int) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT CASE split_part(v_catalog.vt_type(t, m), '(', 1)
    WHEN 'boolean' THEN 5 WHEN 'int' THEN 6 WHEN 'float' THEN 7 WHEN 'char' THEN 8
    WHEN 'varchar' THEN 9 WHEN 'date' THEN 10 WHEN 'time' THEN 11 WHEN 'timestamp' THEN 12
    WHEN 'timestamptz' THEN 13 WHEN 'interval day to second' THEN 14 WHEN 'timetz' THEN 15
    WHEN 'numeric' THEN 16 WHEN 'varbinary' THEN 17 WHEN 'uuid' THEN 20
    WHEN 'interval year to month' THEN 114 WHEN 'long varchar' THEN 115
    WHEN 'long varbinary' THEN 116 WHEN 'binary' THEN 117 ELSE 0 END $$;

CREATE VIEW v_catalog.schemata AS
SELECT n.oid::bigint AS schema_id, n.nspname::varchar AS schema_name,
       r.rolname::varchar AS schema_owner, n.nspname LIKE 'v\\_%' AS is_system_schema
FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
WHERE n.nspname NOT IN {HIDDEN} AND n.nspname NOT LIKE 'pg\\_%'
UNION ALL SELECT 0, 'v_catalog', 'dbadmin', true
UNION ALL SELECT 0, 'v_monitor', 'dbadmin', true;

CREATE VIEW v_catalog.tables AS
SELECT n.oid::bigint AS table_schema_id, n.nspname::varchar AS table_schema,
       c.oid::bigint AS table_id, c.relname::varchar AS table_name,
       r.rolname::varchar AS owner_name, c.relpersistence = 't' AS is_temp_table,
       false AS is_system_table, false AS is_flextable,
       COALESCE(pg_get_partkeydef(c.oid), '')::varchar AS partition_expression,
       obj_description(c.oid, 'pg_class')::varchar AS table_definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles r ON r.oid = c.relowner
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN {HIDDEN} AND n.nspname NOT LIKE 'pg\\_%';

CREATE VIEW v_catalog.views AS
SELECT n.nspname::varchar AS table_schema, c.oid::bigint AS table_id,
       c.relname::varchar AS table_name, r.rolname::varchar AS owner_name,
       pg_get_viewdef(c.oid)::varchar AS view_definition, false AS is_system_view
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles r ON r.oid = c.relowner
WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN {HIDDEN} AND n.nspname NOT LIKE 'pg\\_%';

CREATE VIEW v_catalog.all_tables AS
SELECT table_schema AS schema_name, table_id, table_name,
       CASE WHEN is_temp_table THEN 'LOCAL TEMPORARY' ELSE 'TABLE' END AS table_type
FROM v_catalog.tables
UNION ALL SELECT table_schema, table_id, table_name, 'VIEW' FROM v_catalog.views;

CREATE VIEW v_catalog.vt_all_columns AS
SELECT c.relkind, n.nspname::varchar AS table_schema, c.oid::bigint AS table_id,
       c.relname::varchar AS table_name, a.attname::varchar AS column_name,
       v_catalog.vt_type(a.atttypid, a.atttypmod)::varchar AS data_type,
       v_catalog.vt_type_id(a.atttypid, a.atttypmod) AS data_type_id,
       CASE WHEN ty.typname IN ('varchar', 'bpchar') AND a.atttypmod > 0
            THEN a.atttypmod - 4 END AS character_maximum_length,
       CASE WHEN ty.typname = 'numeric' THEN
            CASE WHEN a.atttypmod = -1 THEN 37 ELSE (a.atttypmod - 4) >> 16 END END
         AS numeric_precision,
       CASE WHEN ty.typname = 'numeric' THEN
            CASE WHEN a.atttypmod = -1 THEN 15 ELSE (a.atttypmod - 4) & 65535 END END
         AS numeric_scale,
       a.attnum::int AS ordinal_position, NOT a.attnotnull AS is_nullable,
       pg_get_expr(d.adbin, d.adrelid)::varchar AS column_default,
       a.attidentity <> '' AS is_identity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN {HIDDEN} AND n.nspname NOT LIKE 'pg\\_%';

CREATE VIEW v_catalog.columns AS
SELECT table_schema, table_id, table_name, column_name, data_type, data_type_id,
       character_maximum_length, numeric_precision, numeric_scale, ordinal_position,
       is_nullable, column_default, is_identity, false AS is_system_table
FROM v_catalog.vt_all_columns WHERE relkind IN ('r', 'p');

CREATE VIEW v_catalog.view_columns AS
SELECT table_schema, table_id, table_name, column_name, data_type, data_type_id,
       character_maximum_length, numeric_precision, numeric_scale, ordinal_position
FROM v_catalog.vt_all_columns WHERE relkind IN ('v', 'm');

CREATE VIEW v_catalog.primary_keys AS
SELECT con.oid::bigint AS constraint_id, con.conname::varchar AS constraint_name,
       a.attname::varchar AS column_name, k.ord::int AS ordinal_position,
       c.relname::varchar AS table_name, 'p'::char(1) AS constraint_type,
       n.nspname::varchar AS table_schema, true AS is_enabled
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE con.contype = 'p';

CREATE VIEW v_catalog.projections AS
SELECT t.table_schema AS projection_schema, t.table_id AS projection_id,
       (t.table_name || '_super')::varchar AS projection_name,
       t.table_schema AS anchor_table_schema, t.table_id AS anchor_table_id,
       t.table_name AS anchor_table_name, true AS is_super_projection, true AS is_segmented,
       ('hash(' || COALESCE(
          (SELECT string_agg(quote_ident(p.column_name), ', ' ORDER BY p.ordinal_position)
           FROM v_catalog.primary_keys p
           WHERE p.table_schema = t.table_schema AND p.table_name = t.table_name),
          (SELECT string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position)
           FROM v_catalog.columns c
           WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name))
        || ')')::varchar AS segment_expression,
       true AS is_up_to_date, false AS has_statistics
FROM v_catalog.tables t;

CREATE VIEW v_monitor.projection_storage AS
SELECT 'v_dte_node0001'::varchar AS node_name, p.projection_id,
       p.projection_name, p.projection_schema, p.anchor_table_id,
       p.anchor_table_name, p.anchor_table_schema,
       v_catalog.vt_row_count(p.anchor_table_id::oid::regclass) AS row_count,
       pg_total_relation_size(p.anchor_table_id::oid) AS used_bytes
FROM v_catalog.projections p;
"""


def install(conn: object) -> None:
    """Install the views in ``conn``'s database once (an advisory lock serialises sessions)."""
    execute = conn.execute  # type: ignore[attr-defined]
    execute("SELECT pg_advisory_xact_lock(5433)")
    execute("SET LOCAL check_function_bodies = off")  # vt_type calls itself for arrays
    if execute("SELECT to_regnamespace('v_catalog')").fetchone()[0] is None:
        execute(CATALOG_SQL)
