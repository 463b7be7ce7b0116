"""The SQL VerticaSource generates, checked as text (no Vertica server can run here), plus
its type mapping, connection arguments and capability flags."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy.engine import make_url

from dte_desktop.core.sources import vertica_sql as vsql
from dte_desktop.core.sources.base import ColumnInfo, Partition, SelectSpec, TableRef
from dte_desktop.core.sources.registry import source_class
from dte_desktop.core.sources.vertica import VerticaSource

T = TableRef('Sch"ema', "my table")


def test_quoting() -> None:
    assert vsql.quote_ident('a"b') == '"a""b"'
    assert vsql.quote_ident("select") == '"select"'
    assert vsql.table_sql(T) == '"Sch""ema"."my table"'
    assert vsql.table_sql(TableRef(None, "x")) == '"x"'


def test_select_with_slice_filter_and_limit() -> None:
    part = Partition(T, 1, 4, 'MOD(HASH("id"), 4) = 1')
    sql = vsql.select_sql(
        SelectSpec(table=T, partition=part, where="name LIKE '50%' -- note", limit=10),
        ["id", 'we"ird', "na:me"],
    )
    assert sql == (
        'SELECT "id", "we""ird", "na:me" FROM "Sch""ema"."my table" '
        "WHERE (MOD(HASH(\"id\"), 4) = 1) AND (name LIKE '50%' -- note\n) LIMIT 10"
    )


def test_query_and_count_sql() -> None:
    assert vsql.select_sql(SelectSpec(query="SELECT 1;;  "), []) == "SELECT 1"
    assert vsql.select_sql(SelectSpec(query="SELECT a FROM t", limit=5), []) == (
        "SELECT * FROM (SELECT a FROM t\n) dte_q LIMIT 5"
    )
    assert vsql.count_sql(SelectSpec(table=T)) == 'SELECT COUNT(*) FROM "Sch""ema"."my table"'
    assert vsql.count_sql(SelectSpec(table=T, where="x > 1")) == (
        'SELECT COUNT(*) FROM "Sch""ema"."my table" WHERE (x > 1\n)'
    )
    assert vsql.count_sql(SelectSpec(table=T, limit=3)) == (
        'SELECT COUNT(*) FROM (SELECT * FROM "Sch""ema"."my table" LIMIT 3\n) dte_count'
    )
    assert vsql.count_sql(SelectSpec(query="SELECT a FROM t;")) == (
        "SELECT COUNT(*) FROM (SELECT a FROM t\n) dte_count"
    )
    with pytest.raises(ValueError):
        vsql.select_sql(SelectSpec(), [])


def test_hash_partitions_cover_every_bucket_once() -> None:
    parts = vsql.hash_partitions(T, ["id", 'k"2'], 4)
    assert [p.predicate for p in parts] == [f'MOD(HASH("id", "k""2"), 4) = {i}' for i in range(4)]
    assert [(p.index, p.count) for p in parts] == [(i, 4) for i in range(4)]
    assert all(p.params == {} and "%" not in (p.predicate or "") for p in parts)
    assert vsql.hash_partitions(T, ["id"], 1) == [Partition(T, 0, 1)]
    assert vsql.hash_partitions(T, [], 4) == [Partition(T, 0, 1)]


def test_hash_columns_prefer_primary_key_and_skip_long_types() -> None:
    cols = [
        ColumnInfo("id", "int", pa.int64(), primary_key=True),
        ColumnInfo("doc", "long varchar(1000000)", pa.string()),
        ColumnInfo("v", "varchar(10)", pa.string()),
    ]
    assert vsql.hash_columns(cols) == ["id"]
    no_pk = [ColumnInfo(c.name, c.db_type, c.arrow_type) for c in cols]
    assert vsql.hash_columns(no_pk) == ["id", "v"]


def test_catalog_sql_uses_named_parameters_and_hides_nothing_by_text() -> None:
    for sql in (vsql.TABLES_SQL, vsql.COLUMNS_SQL, vsql.VIEW_COLUMNS_SQL, vsql.PRIMARY_KEY_SQL):
        assert ":schema" in sql and "%" not in sql
    assert "v_monitor.projection_storage" in vsql.TABLES_SQL
    assert "NOT t.is_system_table" in vsql.TABLES_SQL
    assert ":table" in vsql.COLUMNS_SQL


@pytest.mark.parametrize(
    ("db_type", "expected"),
    [
        ("int", pa.int64()),
        ("float", pa.float64()),
        ("boolean", pa.bool_()),
        ("numeric(18,4)", pa.decimal128(18, 4)),
        ("numeric(60,10)", pa.decimal256(60, 10)),
        ("varchar(80)", pa.string()),
        ("long varchar(1048576)", pa.string()),
        ("char(3)", pa.string()),
        ("varbinary(16)", pa.binary()),
        ("long varbinary(100)", pa.binary()),
        ("date", pa.date32()),
        ("timestamp", pa.timestamp("us")),
        ("timestamptz", pa.timestamp("us", tz="UTC")),
        ("time", pa.time64("us")),
        ("timetz", pa.string()),
        ("interval day to second", pa.string()),
        ("uuid", pa.string()),
        ("Array[int8]", pa.string()),
    ],
)
def test_type_mapping(db_type: str, expected: pa.DataType) -> None:
    assert vsql.vertica_arrow_type(db_type)[0] == expected


def test_unknown_type_is_noted() -> None:
    typ, note = vsql.vertica_arrow_type("Row(a int)")
    assert typ == pa.string() and "read as text" in (note or "")


def test_source_settings() -> None:
    assert source_class("vertica://u@h/db") is VerticaSource
    src = VerticaSource(
        make_url("vertica://dbadmin@vhost/analytics?tlsmode=disable"),
        password="Vx-Secret-1",
        connect_timeout=3,
    )
    info = src.connection_info()
    assert info == {
        "host": "vhost",
        "port": 5433,
        "user": "dbadmin",
        "database": "analytics",
        "connection_timeout": 3.0,
        "binary_transfer": True,
        "autocommit": False,
        "session_label": "dte_desktop",
        "tlsmode": "disable",
    }
    assert "Vx-Secret-1" not in repr(info)
    caps = VerticaSource.capabilities
    assert caps.can_partition and caps.approximate_functions and not caps.can_share_snapshot
    assert (
        VerticaSource(make_url("vertica://u@h/d"), binary_transfer=False).connection_info()[
            "binary_transfer"
        ]
        is False
    )


def test_select_orders_by_quoted_columns_before_the_limit() -> None:
    spec = SelectSpec(table=TableRef("s", "t"), order_by=(('we"ird', True), ("b", False)), limit=10)
    sql = vsql.select_sql(spec, ["a"])
    assert sql.endswith(' ORDER BY "we""ird" DESC, "b" ASC LIMIT 10')
