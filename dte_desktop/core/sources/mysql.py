"""MySQL and MariaDB through PyMySQL (``mysql+pymysql``).

Reads stream through an unbuffered server-side cursor (SQLAlchemy ``stream_results`` ->
PyMySQL ``SSCursor``), inside ``START TRANSACTION READ ONLY`` on a session whose transactions
are read-only by default, in UTC. Discovery reads ``information_schema`` (estimates, never
scans). Tables with a single integer primary key split into key ranges. Type decisions are
documented in ``mysql_types``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import suppress
from typing import Any, ClassVar

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, CursorResult

from dte_desktop.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    DteError,
    NotFound,
    PermissionDenied,
    QueryFailed,
    ServerUnreachable,
    TransientError,
)
from dte_desktop.core.sources.base import (
    DEFAULT_BATCH_ROWS,
    Capabilities,
    ColumnInfo,
    ColumnOrigin,
    Partition,
    SelectSpec,
    TableInfo,
    TableRef,
    with_origins,
)
from dte_desktop.core.sources.kind import FormOption, SourceKind
from dte_desktop.core.sources.mysql_dialect import MySQLDialect
from dte_desktop.core.sources.mysql_types import (
    GEOMETRY_TYPES,
    base_type,
    mysql_arrow_type,
    query_field,
    standard_wkb,
)
from dte_desktop.core.sources.sql_words import Word, refuse_words
from dte_desktop.core.sources.sqla_common import SQLASource, driver_message, escape_text, qname
from dte_desktop.core.sources.sqlite import int_ranges

SYSTEM_SCHEMAS = frozenset({"information_schema", "mysql", "performance_schema", "sys"})
_JSON_CHECK = re.compile(r"json_valid\(`((?:[^`]|``)+)`\)", re.IGNORECASE)
_INT_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})
_PERMISSION_CODES = frozenset({1044, 1142, 1143, 1227, 1370, 1045})
_TRANSIENT_CODES = frozenset({1053, 1205, 1213, 2006, 2013, 2055, 1927})
_INTO = {"INTO": "SELECT … INTO (a file on the server, or a variable)"}


def _origin(fld: Any) -> ColumnOrigin | None:
    """The stored column a query's field reads unchanged: MySQL's column metadata names it
    (db, org_table, org_name); a computed field has no org_name, and a derived table's
    alias is not a stored table (MariaDB names the alias there, so it is untraced)."""
    db, table, column = (_text(getattr(fld, k, b"")) for k in ("db", "org_table", "org_name"))
    if not (db and table and column):
        return None
    return ColumnOrigin(TableRef(db, table), column)


def _text(v: Any) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v or "")


def backtick(name: str) -> str:
    """MySQL identifier quoting for SQL handed to ``sqlalchemy.text`` (which itself takes
    care of percent signs, so no doubling here)."""
    return "`" + name.replace("`", "``") + "`"


class MySQLSource(SQLASource):
    kind: ClassVar[SourceKind] = SourceKind(
        "mysql",
        "MySQL / MariaDB",
        ("mysql", "mariadb"),
        default_port=3306,
        # PyMySQL's TLS settings (SQLAlchemy gathers ssl_* into its ``ssl`` argument).
        options=(
            FormOption("ssl_ca", "SSL CA file", hint="turns TLS on and verifies the server"),
            FormOption("ssl_cert", "SSL client certificate"),
            FormOption("ssl_key", "SSL client key"),
        ),
        order=20,
    )
    scheme: ClassVar[str] = kind.key
    capabilities: ClassVar[Capabilities] = Capabilities(
        can_partition=True,
        can_share_snapshot=False,  # each slice's connection sees its own snapshot
        can_cancel=False,
        approximate_functions=False,
        has_schemas=True,
    )
    system_schemas: ClassVar[frozenset[str]] = SYSTEM_SCHEMAS
    lenient_temporal: ClassVar[bool] = True
    query_dialect: ClassVar[str] = "mysql"

    def sql_dialect(self) -> MySQLDialect:
        # Unqualified tables are the URL's database's.
        return MySQLDialect(default_schema=self.url.database or None)

    def _normalise_url(self, url: URL) -> URL:
        if "+" not in url.drivername:
            url = url.set(drivername="mysql+pymysql")
        return url

    def _engine_kwargs(self) -> dict[str, Any]:
        args: dict[str, Any] = {
            "connect_timeout": self.connect_timeout,
            # Bounds the greeting/login too: a port that accepts but never answers would
            # otherwise hang forever. Lifted again once connected (see _on_connect).
            "read_timeout": self.connect_timeout,
            "charset": "utf8mb4",
        }
        return {"pool_pre_ping": True, "connect_args": args}

    def _on_connect(self, dbapi_conn: Any) -> None:
        if "read_timeout" not in self.options and hasattr(dbapi_conn, "_read_timeout"):
            # A long query (a count over a big table) may legitimately be silent for minutes.
            dbapi_conn._read_timeout = None
        with dbapi_conn.cursor() as cur:
            # UTC so TIMESTAMP values arrive as what is stored; read-only so even an implicit
            # transaction cannot write; a generous write timeout so a slow consumer of a
            # streamed result is not cut off by the server after 60 s.
            cur.execute(
                "SET SESSION time_zone = '+00:00', SESSION net_write_timeout = 3600, "
                "SESSION net_read_timeout = 3600"
            )
            cur.execute("SET SESSION TRANSACTION READ ONLY")

    def _begin_read(self, conn: Connection, select: SelectSpec) -> None:
        conn.exec_driver_sql("START TRANSACTION READ ONLY")

    def _refuse(self, words: list[Word]) -> None:
        # A read-only transaction still lets SELECT … INTO OUTFILE/DUMPFILE write a file on
        # the server (and INTO @var set session state): no INTO in a query read here.
        refuse_words(words, _INTO, f"The MariaDB/MySQL source {self._where()}")

    def _where(self) -> str:
        return f"{self.url.host or 'localhost'}:{self.url.port or 3306}"

    def _classify(self, exc: BaseException, phase: str) -> DteError | None:
        args = getattr(exc, "args", ())
        code = args[0] if args and isinstance(args[0], int) else None
        text = driver_message(exc)
        user, db, where = self.url.username or "", self.url.database or "", self._where()
        if code == 1045:
            # The driver's text ends "(using password: YES)": nothing a user needs.
            return AuthenticationFailed(
                f"Login refused by {where} for user {user!r}: wrong user name or password."
            )
        if code == 1044 and phase == "connect":
            return PermissionDenied(f"User {user!r} has no privilege on database {db!r}: {text}")
        if code == 1049:
            return NotFound(f"Database {db!r} does not exist on {where}.")
        if code == 1146:
            return NotFound(text)
        if code == 1792:
            return PermissionDenied(
                f"The MySQL source only reads; the statement tried to write: {text}"
            )
        if code in _PERMISSION_CODES:
            return PermissionDenied(f"Missing privilege: {text}")
        if phase == "connect" and code in (2003, 2013, 2006):
            return self._connect_failure(exc, code, text)
        if code in _TRANSIENT_CODES:
            return TransientError(f"The MySQL connection was interrupted: {text}")
        if phase == "connect":
            return ConnectionFailed(f"Could not connect to {where}: {text}")
        return QueryFailed(text) if code is not None else None

    def _connect_failure(self, exc: BaseException, code: int, text: str) -> DteError:
        where, host = self._where(), self.url.host or "localhost"
        cause = getattr(exc, "original_exception", None)
        if isinstance(cause, socket.gaierror):
            return ConnectionFailed(f"Unknown host {host!r}: the name does not resolve ({cause}).")
        if isinstance(cause, ConnectionRefusedError):
            return ServerUnreachable(
                f"Connection refused by {where}: no database server listens on that port."
            )
        if isinstance(cause, TimeoutError) or "timed out" in text.lower():
            return ConnectionFailed(
                f"Timed out after {self.connect_timeout:g} s connecting to {where}: the server "
                "did not answer (a firewall, a wrong port, or an overloaded server)."
            )
        return ConnectionFailed(f"Could not connect to {where}: {text}")

    # ---- discovery ------------------------------------------------------------------------

    def _schema(self, schema: str | None) -> str:
        name = schema or self.url.database
        if not name:
            raise QueryFailed("No database given: pick a schema (database) first.")
        return name

    def test_connection(self) -> str:
        with self._connect() as conn:
            return str(conn.exec_driver_sql("SELECT VERSION()").scalar_one())

    def lower_case_table_names(self) -> int:
        """The server's ``lower_case_table_names`` (0: table names are case-sensitive);
        ``identifiers.py`` turns it into the comparison rule."""
        cached = getattr(self, "_lctn", None)
        if cached is None:
            with self._connect() as conn:
                value = conn.exec_driver_sql("SELECT @@lower_case_table_names").scalar()
            cached = self._lctn = int(value or 0)
        return cached

    def list_schemas(self, include_system: bool = False) -> list[str]:
        with self._connect() as conn:
            rows = (
                conn.exec_driver_sql(
                    "SELECT schema_name FROM information_schema.schemata ORDER BY schema_name"
                )
                .scalars()
                .all()
            )
        return [r for r in rows if include_system or r.lower() not in SYSTEM_SCHEMAS]

    def list_tables(self, schema: str | None) -> list[TableInfo]:
        name = self._schema(schema)
        sql = sa.text(
            "SELECT table_name AS n, table_type AS k, table_rows AS r, data_length AS s, "
            "create_options AS o, table_comment AS c FROM information_schema.tables "
            "WHERE table_schema = :s ORDER BY table_name"
        )
        with self._connect() as conn:
            rows = conn.execute(sql, {"s": name}).all()
        out = []
        for n, k, r, s, o, c in rows:
            kind = {"VIEW": "view", "SYSTEM VIEW": "view", "SEQUENCE": "sequence"}.get(k, "table")
            if kind == "table" and "partitioned" in (o or "").lower():
                kind = "partitioned_table"
            estimate = int(r) if r is not None and kind != "view" else None
            size = int(s) if s is not None and kind != "view" else None
            out.append(TableInfo(TableRef(name, n), kind, estimate, size, comment=c or None))
        return out

    def _primary_key(self, conn: Connection, schema: str, table: str) -> list[str]:
        return list(
            conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.key_column_usage "
                    "WHERE table_schema = :s AND table_name = :t AND constraint_name = 'PRIMARY' "
                    "ORDER BY ordinal_position"
                ),
                {"s": schema, "t": table},
            ).scalars()
        )

    def describe(self, table: TableRef) -> list[ColumnInfo]:
        schema = self._schema(table.schema)
        with self._connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT column_name, data_type, column_type, is_nullable, numeric_precision, "
                    "numeric_scale FROM information_schema.columns "
                    "WHERE table_schema = :s AND table_name = :t ORDER BY ordinal_position"
                ),
                {"s": schema, "t": table.name},
            ).all()
            if not rows:
                raise NotFound(
                    f"Table not found, or user {self.url.username!r} has no privilege on it: "
                    f"{table.display()}"
                )
            pk = set(self._primary_key(conn, schema, table.name))
            json_cols: set[str] = set()
            with suppress(Exception):  # CHECK_CONSTRAINTS: MariaDB ≥ 10.2 / MySQL ≥ 8.0.16
                for clause in conn.execute(
                    sa.text(
                        "SELECT check_clause FROM information_schema.check_constraints "
                        "WHERE constraint_schema = :s AND table_name = :t"
                    ),
                    {"s": schema, "t": table.name},
                ).scalars():
                    json_cols.update(m.replace("``", "`") for m in _JSON_CHECK.findall(clause))
        out = []
        for i, (name, data_type, column_type, nullable, prec, scale) in enumerate(rows, start=1):
            is_json = name in json_cols and data_type.lower() in ("longtext", "json")
            arrow_type, note = mysql_arrow_type(data_type, column_type, prec, scale, is_json)
            db_type = "json" if is_json else column_type
            out.append(
                ColumnInfo(
                    name, db_type, arrow_type, nullable == "YES", name in pk, i, note, is_json
                )
            )
        return out

    # ---- reading --------------------------------------------------------------------------

    def _column_expr(self, column: ColumnInfo) -> sa.ColumnElement[Any]:
        col = sa.column(qname(column.name))
        kind = base_type(column.db_type)
        if kind == "bit":
            return sa.cast(col, sa.dialects.mysql.INTEGER(unsigned=True)).label(column.name)
        if kind in GEOMETRY_TYPES:
            return sa.func.ST_AsBinary(col, type_=sa.LargeBinary).label(column.name)
        return col

    def read_batches(
        self, select: SelectSpec, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        batches = super().read_batches(select, batch_rows)
        if not select.query:
            yield from batches
            return
        for batch in batches:
            yield standard_wkb(batch)

    def _abandon(self, conn: Connection, result: CursorResult[Any]) -> None:
        # PyMySQL's SSCursor.close() reads the rest of its result (the whole table, maybe)
        # when that result is still the connection's current one; detaching it first lets
        # the connection just close, and the server abandons the query.
        with suppress(Exception):
            raw = conn.connection.dbapi_connection
            if raw._result is not None:
                raw._result.unbuffered_active = False  # its __del__ would drain too
            raw._result = None
        super()._abandon(conn, result)

    def _query_schema(self, result: CursorResult[Any], names: list[str]) -> pa.Schema | None:
        fields = getattr(getattr(result.context.cursor, "_result", None), "fields", None)
        if not fields or len(fields) != len(names):
            return None
        schema = pa.schema([query_field(n, f) for n, f in zip(names, fields, strict=True)])
        return with_origins(schema, self._stored_only([_origin(f) for f in fields]))

    def _stored_only(self, origins: list[ColumnOrigin | None]) -> list[ColumnOrigin | None]:
        """Keep the origins that name a stored table's column: MariaDB reports a derived
        table's or CTE's alias as org_table, which must not pass for a stored table."""
        tables = {(o.table.schema, o.table.name) for o in origins if o is not None}
        if not tables:
            return origins
        where = " OR ".join(
            f"(table_schema = :s{i} AND table_name = :t{i})" for i in range(len(tables))
        )
        params: dict[str, Any] = {}
        for i, (schema, table) in enumerate(sorted(tables, key=str)):
            params[f"s{i}"], params[f"t{i}"] = schema, table
        sql = (
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            f"WHERE {where}"
        )
        with self._connect() as conn:
            rows = conn.execute(sa.text(sql), params).all()
        stored = {(a.casefold(), b.casefold(), c.casefold()) for a, b, c in rows}

        def key(o: ColumnOrigin) -> tuple[str, str, str]:
            return ((o.table.schema or "").casefold(), o.table.name.casefold(), o.column.casefold())

        return [o if o is not None and key(o) in stored else None for o in origins]

    def partition(self, table: TableRef, n: int) -> list[Partition]:
        if n <= 1:
            return [Partition(table, 0, 1)]
        schema = self._schema(table.schema)
        columns = {c.name: c for c in self.describe(table)}
        with self._connect() as conn:
            pk = self._primary_key(conn, schema, table.name)
            if len(pk) != 1 or base_type(columns[pk[0]].db_type) not in _INT_TYPES:
                return [Partition(table, 0, 1, description="all rows (no integer primary key)")]
            col = sa.column(qname(pk[0]))
            lo, hi = conn.execute(
                sa.select(sa.func.min(col), sa.func.max(col)).select_from(self._from(table))
            ).one()
        if lo is None:
            return [Partition(table, 0, 1, description="all rows (empty)")]
        return int_ranges(table, escape_text(backtick(pk[0])), int(lo), int(hi), n, pk[0])
