"""Show DDL (issue 20): each source's CREATE TABLE, reconstructed from its catalog, is valid
SQL in that engine — dropped and re-created from the text, the tables describe the same
(names, types, nullability, primary key) and keep their foreign key and index."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.ddl import NOTE, table_ddl
from dte_desktop.core.sources.keys import keys_of
from dte_desktop.core.sources.registry import open_source

PG = [
    'CREATE TABLE "Dept" (code char(3) NOT NULL, "sub id" int NOT NULL, name varchar(40),'
    ' PRIMARY KEY (code, "sub id"))',
    "CREATE TABLE staff (id bigint PRIMARY KEY, dept char(3), sub int, pay numeric(12,2) "
    "NOT NULL, tags text[], born date, FOREIGN KEY (dept, sub) "
    'REFERENCES "Dept" (code, "sub id"))',
    "CREATE UNIQUE INDEX staff_born ON staff (born, pay)",
]
MY = [
    "CREATE TABLE `Dept` (code char(3) NOT NULL, `sub id` int NOT NULL, name varchar(40),"
    " PRIMARY KEY (code, `sub id`))",
    "CREATE TABLE staff (id bigint PRIMARY KEY, dept char(3), sub int, pay decimal(12,2) "
    "NOT NULL, tags json, born date, FOREIGN KEY (dept, sub) "
    "REFERENCES `Dept` (code, `sub id`)) ENGINE=InnoDB",
    "CREATE UNIQUE INDEX staff_born ON staff (born, pay)",
]
SL = [
    'CREATE TABLE "Dept" (code TEXT NOT NULL, "sub id" INTEGER NOT NULL, name, '
    'PRIMARY KEY (code, "sub id"))',
    "CREATE TABLE staff (id INTEGER PRIMARY KEY, dept TEXT, sub INTEGER, pay NUMERIC NOT NULL, "
    'tags TEXT, born DATE, FOREIGN KEY (dept, sub) REFERENCES "Dept" (code, "sub id"))',
    "CREATE UNIQUE INDEX staff_born ON staff (born, pay)",
]


def _shape(source, ref):  # type: ignore[no-untyped-def]
    cols = [(c.name, c.db_type.lower(), c.nullable, c.primary_key) for c in source.describe(ref)]
    keys = keys_of(source, ref)
    fks = [(f.columns, f.ref_table.name, f.ref_columns) for f in keys.foreign_keys]
    ixs = sorted((i.columns, i.unique) for i in keys.indexes if not i.primary)
    return cols, keys.primary_key, fks, ixs


def _round_trip(url: str, statements: list[str], schema: str | None) -> dict[str, str]:
    engine = sa.create_engine(url)
    with engine.begin() as c:
        for s in statements:
            c.exec_driver_sql(s)
    source = open_source(url)
    refs = [TableRef(schema, "Dept"), TableRef(schema, "staff")]
    try:
        before = [_shape(source, r) for r in refs]
        ddl = {r.name: table_ddl(source, r) for r in refs}
    finally:
        source.close()
    with engine.begin() as c:
        c.exec_driver_sql("DROP TABLE staff")
        c.exec_driver_sql(c.dialect.identifier_preparer.quote("Dept").join(["DROP TABLE ", ""]))
        for name in ("Dept", "staff"):
            body = ddl[name].removeprefix(NOTE)
            for stmt in filter(None, (s.strip() for s in body.split(";\n"))):
                c.exec_driver_sql(stmt.rstrip(";"))
    engine.dispose()
    source = open_source(url)
    try:
        assert [_shape(source, r) for r in refs] == before
    finally:
        source.close()
    return ddl


@pytest.mark.postgres
def test_postgres_ddl_round_trips(pg_url) -> None:
    ddl = _round_trip(pg_url.replace("postgresql://", "postgresql+psycopg://"), PG, "public")
    staff = ddl["staff"]
    assert staff.startswith(NOTE) and 'CREATE TABLE "public"."staff" (' in staff
    assert '"pay" numeric(12,2) NOT NULL' in staff and '"tags" text[]' in staff
    assert 'REFERENCES "public"."Dept" ("code", "sub id")' in staff
    assert 'CREATE UNIQUE INDEX "staff_born" ON "public"."staff" ("born", "pay");' in staff
    assert 'PRIMARY KEY ("code", "sub id")' in ddl["Dept"]


@pytest.mark.mariadb
def test_mariadb_ddl_round_trips(mysql_url) -> None:
    ddl = _round_trip(mysql_url.replace("mysql://", "mysql+pymysql://"), MY, None)
    staff = ddl["staff"]
    assert "CREATE TABLE `" in staff and ".`staff` (" in staff
    assert "`pay` decimal(12,2) NOT NULL" in staff
    assert "FOREIGN KEY (`dept`, `sub`) REFERENCES" in staff and "(`code`, `sub id`)" in staff
    assert "PRIMARY KEY (`code`, `sub id`)" in ddl["Dept"]


def test_sqlite_ddl_round_trips(tmp_path) -> None:
    db = tmp_path / "d.sqlite"
    sqlite3.connect(db).close()
    ddl = _round_trip(f"sqlite:///{db}", SL, None)
    assert 'CREATE TABLE "staff" (' in ddl["staff"]
    assert '"name",' in ddl["Dept"]  # declared without a type: none is invented
    assert 'REFERENCES "Dept" ("code", "sub id")' in ddl["staff"]
