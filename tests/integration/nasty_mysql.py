"""Builds the "nasty" MariaDB fixture: hostile identifiers, every common type with edge
values, a RANGE-partitioned table, views, an empty table, a wide table and a 10 MB value."""

from __future__ import annotations

import pymysql

NASTY_TABLE = 'we"ird `tab` . Näme'
NASTY_COLUMNS = [
    "id",
    "select",
    "Mixed Case",
    "bıgınt",
    "a.b",
    "it's",
    'dq"x',
    "back`tick",
    "50%",
    "na:me",
]
NASTY_ROWS = [
    (
        1,
        "reserved",
        "MiXeD",
        9_000_000_000,
        "dot.ted",
        "o'clock",
        'say "hi"',
        "`tick`",
        50,
        "12:30",
    ),
    (2, None, "", -1, "", "", "", "", 0, ":name"),
    (3, "ünïcødé ✓", "日本語", 0, "a\nb", "tab\there", "\\backslash", "%s %(x)s", -7, "a:b:c"),
]
WIDE_COLUMNS = 1000
BIG_TEXT_BYTES = 10 * 1024 * 1024
EVENT_IDS = [*range(1, 3001, 3), 2**63 + 5, 2**64 - 1]  # sparse, and past the signed range

# (name, type DDL). Values per row below follow this order after the id.
TYPE_COLUMNS = [
    ("ti", "tinyint"),
    ("tb", "tinyint(1)"),
    ("tu", "tinyint unsigned"),
    ("si", "smallint"),
    ("su", "smallint unsigned"),
    ("mi", "mediumint"),
    ("mu", "mediumint unsigned"),
    ("i", "int"),
    ("iu", "int unsigned"),
    ("bi", "bigint"),
    ("bu", "bigint unsigned"),
    ("dc", "decimal(12,2)"),
    ("bigdec", "decimal(65,30)"),
    ("f", "float"),
    ("dbl", "double"),
    ("bt", "bit(12)"),
    ("yr", "year"),
    ("d", "date"),
    ("dt", "datetime(6)"),
    ("ts", "timestamp(6) NULL"),
    ("tm", "time(6)"),
    ("ch", "char(5)"),
    ("vc", "varchar(100)"),
    ("tx", "text"),
    ("lt", "longtext"),
    ("en", "enum('a','b c')"),
    ("st", "set('x','y','z')"),
    ("js", "json"),
    ("bn", "binary(4)"),
    ("vb", "varbinary(10)"),
    ("bl", "blob"),
    ("geo", "geometry"),
    ("pt", "point"),
    ("uu", "uuid"),
    ("i6", "inet6"),
]
TYPE_ROWS = [
    "(1, -128, 1, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, "
    "-9223372036854775808, 18446744073709551615, -1234567890.12, "
    "12345678901234567890123456789012345.123456789012345678901234567890, 1.5, "
    "-2.2250738585072014e-308, b'101010101010', 1901, '1000-01-01', '9999-12-31 23:59:59.999999', "
    "'2038-01-19 03:14:07.499999', '838:59:59.000000', 'ab', 'x', 'long text ✓', "
    "'lt', 'b c', 'x,z', '{\"k\": [1, 2, null]}', x'00ff00ff', x'', x'deadbeef', "
    "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), ST_GeomFromText('POINT(1.5 -2)'), "
    "'123e4567-e89b-12d3-a456-426614174000', '2001:db8::1')",
    "(2, 127, 0, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0.00, "
    "-0.000000000000000000000000000001, -3.25e20, 1e300, b'0', 2155, '0000-00-00', "
    "'0000-00-00 00:00:00', '1970-01-01 00:00:01', '-838:59:59.999999', '', '', '', '', 'a', '', "
    "'[]', x'00000000', x'00', x'', ST_GeomFromText('LINESTRING(0 0,1 1)'), "
    "ST_GeomFromText('POINT(0 0)'), '00000000-0000-0000-0000-000000000000', '::')",
    "(3" + ", NULL" * len(TYPE_COLUMNS) + ")",
]


def connect(database: str) -> pymysql.Connection:
    return pymysql.connect(
        host="127.0.0.1",
        port=3306,
        user="root",
        password="",
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


def bt(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def build(database: str) -> None:
    conn = connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT @@global.max_allowed_packet")
            if cur.fetchone()[0] < 3 * BIG_TEXT_BYTES:
                # A 10 MB value needs a bigger packet; only new sessions see the new value.
                cur.execute(f"SET GLOBAL max_allowed_packet = {64 * 1024 * 1024}")
                conn.close()
                conn = connect(database)
        with conn.cursor() as cur:
            _build(cur)
    finally:
        conn.close()


def _build(cur: pymysql.cursors.Cursor) -> None:
    # Zero dates are part of the fixture; no NO_ZERO_DATE here.
    cur.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES', time_zone = '+00:00'")
    cols = ", ".join(
        f"{bt(c)} {'bigint' if c == 'bıgınt' else 'int' if c in ('id', '50%') else 'varchar(50)'}"
        + (" PRIMARY KEY" if c == "id" else "")
        for c in NASTY_COLUMNS
    )
    cur.execute(f"CREATE TABLE {bt(NASTY_TABLE)} ({cols})")
    cur.executemany(
        f"INSERT INTO {bt(NASTY_TABLE)} VALUES ({', '.join(['%s'] * len(NASTY_COLUMNS))})",
        NASTY_ROWS,
    )
    cur.execute(f"CREATE VIEW `my view` AS SELECT * FROM {bt(NASTY_TABLE)} WHERE id > 1")

    ddl = ", ".join(f"{bt(n)} {t}" for n, t in TYPE_COLUMNS)
    cur.execute(f"CREATE TABLE all_types (id int PRIMARY KEY, {ddl})")
    for row in TYPE_ROWS:
        cur.execute(f"INSERT INTO all_types VALUES {row}")

    cur.execute(
        "CREATE TABLE parted (id int NOT NULL, k varchar(10), PRIMARY KEY (id)) "
        "PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (100), "
        "PARTITION p1 VALUES LESS THAN (500), PARTITION pmax VALUES LESS THAN MAXVALUE)"
    )
    cur.executemany("INSERT INTO parted VALUES (%s, %s)", [(i, f"k{i}") for i in range(1, 1001)])

    cur.execute("CREATE TABLE `empty t` (id int PRIMARY KEY, `Value` varchar(10))")
    cur.execute("CREATE TABLE no_pk (a int, b varchar(5))")
    cur.executemany("INSERT INTO no_pk VALUES (%s, %s)", [(i, str(i)) for i in range(50)])

    cur.execute("CREATE TABLE events (id bigint unsigned PRIMARY KEY, payload varchar(30))")
    cur.executemany("INSERT INTO events VALUES (%s, %s)", [(i, f"p{i}") for i in EVENT_IDS])

    wide = ", ".join(f"c{i:04d} tinyint" for i in range(WIDE_COLUMNS))
    cur.execute(f"CREATE TABLE wide (id int PRIMARY KEY, {wide})")
    cur.execute(
        f"INSERT INTO wide VALUES (1, {', '.join(str(i % 100) for i in range(WIDE_COLUMNS))})"
    )

    cur.execute("CREATE TABLE big_text (id int PRIMARY KEY, body longtext)")
    cur.execute(
        "INSERT INTO big_text VALUES (1, REPEAT('0123456789abcdé', %s)), (2, 'small')",
        (BIG_TEXT_BYTES // 16,),
    )
