"""Builds the "nasty" PostgreSQL fixture: awkward identifiers, every exotic type, every
relation kind, a wide table and huge values. Used by test_postgres_source.py."""

from __future__ import annotations

import psycopg

SCHEMA = 'Odd "Sch".ema ü'
MIXED = 'Mixed "Case".tbl'
IDENT_COLUMNS = ["id", "select", "order", "bıgınt", "with space", "dot.col", '"quoted"', "MiXed"]
BIG_TEXT = 10 * 1024 * 1024
WIDE_COLUMNS = 1000

# column -> (type, values). Row i of the zoo table takes values[i] (None = NULL).
ZOO: dict[str, tuple[str, list[str | None]]] = {
    "b": ("boolean", ["true", "false", None]),
    "i2": ("smallint", ["-32768", "32767", None]),
    "i8": ("bigint", ["-9223372036854775808", "9223372036854775807", None]),
    "f4": ("real", ["1.5", "'NaN'", "'-Infinity'"]),
    "f8": ("double precision", ["0.1", "'Infinity'", "1e-300"]),
    "n_free": ("numeric", ["'NaN'", "'9" + "9" * 999 + "'", "'-0.000000000000000000001'"]),
    "n_inf": ("numeric", ["'Infinity'", "'-Infinity'", None]),
    "n_38": ("numeric(38,10)", ["'1234567890123456789012345678.0123456789'", "'NaN'", "-1"]),
    "n_50": ("numeric(50,5)", ["'123456789012345678901234567890123456789012345.12345'", "0", None]),
    "n_neg": ("numeric(3,-2)", ["12300", None, "0"]),
    "mny": ("money", ["12.34", "'-1000000.5'", None]),
    "t": ("text", ["''", "E'line1\\nline2, \"quoted\"'", "'naïve ☃ 𝄞'"]),
    "vc": ("varchar(5)", ["'abc'", "''", None]),
    "ch": ("char(4)", ["'ab'", "''", None]),
    "d": ("date", ["'infinity'", "'0044-03-15 BC'", "'2024-02-29'"]),
    "ts": ("timestamp", ["'-infinity'", "'2024-01-02 03:04:05.123456'", "'1999-12-31 23:59:59'"]),
    "tstz": ("timestamptz", ["'2024-06-01 12:00:00+02'", "'infinity'", "'0001-01-01 00:00:00+00'"]),
    "tm": ("time", ["'00:00:00'", "'23:59:59.999999'", None]),
    "tmtz": ("timetz", ["'12:34:56+05:30'", None, "'00:00:00-01'"]),
    "iv": ("interval", ["'1 year 2 mons 3 days 04:05:06.7'", "'-1 day'", None]),
    "by": ("bytea", ["'\\x00ff10'", "''", None]),
    "u": ("uuid", ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", None, None]),
    "js": ("json", ["'{\"a\": [1, 2]}'", "'null'", None]),
    "jb": ("jsonb", ['\'{"k": "v", "n": 1.5}\'', "'[]'", None]),
    "ia": ("integer[]", ["'{1,NULL,3}'", "'{}'", "'{{1,2},{3,4}}'"]),
    "ta": ("text[]", ["ARRAY['a,b', NULL, '\"q\"']", None, "'{}'"]),
    "ip": ("inet", ["'192.168.0.1/24'", "'::1'", None]),
    "cid": ("cidr", ["'10.0.0.0/8'", None, None]),
    "mac": ("macaddr", ["'08:00:2b:01:02:03'", None, None]),
    "en": ("mood", ["'happy'", "'sad'", None]),
    "dm": ("posnum", ["'1.25'", None, "'99999999.99'"]),
    "dt": ("email", ["'a@b.c'", None, "''"]),
    "tsv": ("tsvector", ["to_tsvector('english', 'the quick brown foxes')", None, "''"]),
    "pt": ("point", ["'(1.5,2)'", None, None]),
    "bx": ("box", ["'((0,0),(1,1))'", None, None]),
    "pg": ("polygon", ["'((0,0),(1,0),(0,1))'", None, None]),
    "ci": ("circle", ["'<(0,0),1>'", None, None]),
    "bt": ("bit(4)", ["B'1010'", None, None]),
    "vb": ("varbit", ["B'1'", "B''", None]),
    "cp": ("pair", ["ROW(1, 'x,y')::pair", "ROW(NULL, NULL)::pair", None]),
    "rg": ("int4range", ["'[1,5)'", "'empty'", None]),
    "xm": ("xml", ["'<a>1</a>'", None, None]),
    "oi": ("oid", ["4294967295", "0", None]),
}
ZOO_ROWS = 3


def build(dsn: str) -> None:
    """Create everything in the (fresh, empty) database at ``dsn``."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        q = conn.execute
        sch = '"Odd ""Sch"".ema ü"'
        q(f"CREATE SCHEMA {sch}")
        q(
            f'CREATE TABLE {sch}."Mixed ""Case"".tbl" (id int PRIMARY KEY, "select" text, '
            '"order" int, "bıgınt" bigint, "with space" text, "dot.col" text, '
            '"""quoted""" text, "MiXed" text)'
        )
        q(
            f'INSERT INTO {sch}."Mixed ""Case"".tbl" SELECT g, \'s\' || g, -g, '
            "g::int8 * 1000000000, "
            "CASE WHEN g % 7 = 0 THEN NULL WHEN g % 5 = 0 THEN '' ELSE 'v ' || g END, "
            "'d.' || g, 'q\"' || g, 'M' || g FROM generate_series(1, 20000) g"
        )
        q("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
        q("CREATE DOMAIN posnum AS numeric(10,2) CHECK (VALUE > 0)")
        q("CREATE DOMAIN email AS text")
        q("CREATE TYPE pair AS (a int, b text)")
        cols = ", ".join(f"{name} {typ}" for name, (typ, _) in ZOO.items())
        q(f"CREATE TABLE zoo (id int PRIMARY KEY, {cols})")
        for i in range(ZOO_ROWS):
            vals = ", ".join(v[i] if v[i] is not None else "NULL" for _, v in ZOO.values())
            q(f"INSERT INTO zoo VALUES ({i}, {vals})")
        q("INSERT INTO zoo (id) VALUES (3)")  # an all-NULL row
        q(
            "CREATE TABLE events (id int, at date NOT NULL, v text) PARTITION BY RANGE (at);"
            "CREATE TABLE events_2023 PARTITION OF events "
            "FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');"
            "CREATE TABLE events_2024 PARTITION OF events "
            "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
            "CREATE TABLE events_other PARTITION OF events DEFAULT"
        )
        q(
            "INSERT INTO events SELECT g, DATE '2023-01-01' + (g % 900), repeat('e', g % 50) "
            "FROM generate_series(1, 30000) g"
        )
        q('CREATE VIEW "v iew" AS SELECT id, "select" FROM ' + sch + '."Mixed ""Case"".tbl"')
        q("CREATE MATERIALIZED VIEW mv AS SELECT id, at FROM events WHERE id <= 100")
        q("CREATE TABLE empty_t (id int, x text)")
        wide = ", ".join(f"c{i} int" for i in range(WIDE_COLUMNS))
        q(f"CREATE TABLE wide ({wide})")
        q(f"INSERT INTO wide SELECT {', '.join(f'g + {i}' for i in range(WIDE_COLUMNS))} "
          "FROM generate_series(1, 5) g")  # fmt: skip
        q("CREATE TABLE bigtext (id int, body text)")
        q(
            f"INSERT INTO bigtext SELECT g, repeat(chr(64 + g), {BIG_TEXT}) "
            "FROM generate_series(1, 3) g"
        )
        q("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
        q("CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'nowhere')")
        q("CREATE FOREIGN TABLE ft (id int) SERVER loop")
        q("ANALYZE")
