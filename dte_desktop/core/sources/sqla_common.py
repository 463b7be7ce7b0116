"""What every SQLAlchemy-backed source shares: the engine (bounded connect timeout), discovery
through the inspector, statements built with SQLAlchemy Core so identifiers are quoted by the
dialect's own preparer, a streaming ``fetchmany`` loop turned into bounded Arrow batches, and
translation of driver errors into ``DteError`` messages without secrets.

Subclasses (MySQL, SQLite, the generic fallback) override small hooks rather than methods.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, ClassVar

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, CursorResult, Engine, make_url
from sqlalchemy.sql.elements import ColumnElement, quoted_name

from dte_desktop.core.errors import (
    ConfigError,
    ConnectionFailed,
    DteError,
    NotFound,
    QueryFailed,
    TransientError,
)
from dte_desktop.core.logs import register_secret
from dte_desktop.core.privacy.error_text import withhold_values
from dte_desktop.core.sources.arrowconv import batches_from_rows, infer_schema
from dte_desktop.core.sources.base import (
    DEFAULT_BATCH_ROWS,
    DEFAULT_CONNECT_TIMEOUT,
    JSON_MARK,
    Capabilities,
    ColumnInfo,
    Partition,
    SelectSpec,
    TableInfo,
    TableRef,
)
from dte_desktop.core.sources.cut import cuttable, is_binary
from dte_desktop.core.sources.dialect import Dialect, GenericDialect
from dte_desktop.core.sources.keys import TableKeys, inspector_keys
from dte_desktop.core.sources.sql_words import Word, require_select_like, words
from dte_desktop.core.sources.sqla_types import sqla_type_to_arrow
from dte_desktop.core.sources.user_filter import filter_group

# text() would read ":word" in user SQL (a time literal '12:30', a cast) as a bind parameter.
_TEXT_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")


def escape_text(sql: str) -> str:
    """Raw SQL made safe to wrap in ``sqlalchemy.text``: colons stay literal."""
    return _TEXT_BIND.sub(r"\\:\1", sql)


def clean_query(sql: str) -> str:
    """A user query fit to nest as a subquery: no trailing semicolons or blank space."""
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise QueryFailed("The query is empty.")
    return text


def qname(name: str) -> quoted_name:
    """Always quoted: the dialect's preparer escapes quotes, backticks, percent signs."""
    return quoted_name(name, quote=True)


CONVERT_ROWS = 8_192  # rows per driver fetch and Arrow conversion (see _stream)


class SQLASource:
    """Base of the SQLAlchemy sources. Holds one lazily created engine (thread-safe pool);
    every method takes a connection from it and gives it back."""

    scheme: ClassVar[str] = "sqlalchemy"
    capabilities: ClassVar[Capabilities] = Capabilities()
    system_schemas: ClassVar[frozenset[str]] = frozenset(
        {"information_schema", "pg_catalog", "sys", "mysql", "performance_schema"}
    )
    # MySQL zero dates become null rather than failing the read (see mysql.py).
    lenient_temporal: ClassVar[bool] = False
    query_dialect: ClassVar[str] = "ansi"  # how core.sources.sql_words reads its SQL

    def sql_dialect(self) -> Dialect:
        """ANSI SQL quoted by the engine's own identifier preparer; kinds override it."""
        return GenericDialect.for_engine(self.engine)

    def __init__(
        self,
        url: URL | str,
        password: str | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        **options: Any,
    ) -> None:
        u = make_url(url) if isinstance(url, str) else url
        if u.password is not None:
            password = password if password is not None else str(u.password)
            u = u.set(password=None)
        register_secret(password)
        self.url: URL = self._normalise_url(u)
        self._password = password
        self.connect_timeout = float(connect_timeout or DEFAULT_CONNECT_TIMEOUT)
        self.options: dict[str, Any] = dict(options)
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    # ---- hooks for subclasses -------------------------------------------------------------

    def _normalise_url(self, url: URL) -> URL:
        return url

    def _engine_kwargs(self) -> dict[str, Any]:
        return {"pool_pre_ping": True}

    def _on_connect(self, dbapi_conn: Any) -> None:
        """Runs on every new DB-API connection (session settings)."""

    def _begin_read(self, conn: Connection, select: SelectSpec) -> None:
        """Runs before a read (a read-only transaction where the engine has one)."""

    def _refuse(self, words: list[Word]) -> None:
        """What this engine runs despite a read-only transaction (MariaDB's INTO OUTFILE)."""

    def readable_query(self, sql: str) -> str:
        """A user's query, checked before it is sent: a query at all, then the engine's own
        refusals (the read-only transaction cannot stop what is not a data change)."""
        text = clean_query(sql)
        self._refuse(require_select_like(text, self.query_dialect))
        return text

    def _column_expr(self, column: ColumnInfo) -> ColumnElement[Any]:
        return sa.column(qname(column.name))

    def _classify(self, exc: BaseException, phase: str) -> DteError | None:
        """A family-specific translation of a driver error, or None for the generic one."""
        return None

    def _query_schema(self, result: CursorResult[Any], names: list[str]) -> pa.Schema | None:
        """Arrow types of a raw query's columns when the driver describes them well."""
        return None

    # ---- engine, connections, errors -------------------------------------------------------

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                url = self.url.set(password=self._password) if self._password else self.url
                try:
                    engine = sa.create_engine(url, **self._engine_kwargs())
                except (sa_exc.NoSuchModuleError, sa_exc.ArgumentError, ImportError) as exc:
                    raise ConfigError(f"Cannot use the URL {self.target()}: {exc}") from None
                sa.event.listen(
                    engine, "connect", lambda dbapi_conn, _rec: self._on_connect(dbapi_conn)
                )
                self._engine = engine
            return self._engine

    def target(self) -> str:
        """The URL as shown to a user (never with a password)."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            conn = self.engine.connect()
        except DteError:
            raise
        except Exception as exc:
            raise self._translate(exc, "connect") from None
        try:
            yield conn
        except DteError:
            raise
        except Exception as exc:
            raise self._translate(exc, "query") from None
        finally:
            with suppress(Exception):
                conn.close()

    def _translate(self, exc: BaseException, phase: str) -> DteError:
        orig = getattr(exc, "orig", None) or exc
        specific = self._classify(orig, phase)
        if specific is not None:
            return specific
        text = driver_message(orig)
        if isinstance(exc, sa_exc.NoSuchTableError):
            return NotFound(f"Table not found: {exc}")
        if phase == "connect":
            if "timed out" in text.lower() or isinstance(orig, TimeoutError):
                return ConnectionFailed(
                    f"Timed out after {self.connect_timeout:g} s connecting to {self.target()}."
                )
            return ConnectionFailed(f"Could not connect to {self.target()}: {text}")
        if getattr(exc, "connection_invalidated", False):
            return TransientError(f"The connection was lost: {text}")
        return QueryFailed(text)

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # ---- discovery ------------------------------------------------------------------------

    def test_connection(self) -> str:
        with self._connect() as conn:
            info = conn.dialect.server_version_info
            return ".".join(str(p) for p in info) if info else conn.dialect.name

    def list_schemas(self, include_system: bool = False) -> list[str]:
        with self._connect() as conn:
            names = sa.inspect(conn).get_schema_names()
        return [n for n in names if include_system or n.lower() not in self.system_schemas]

    def list_tables(self, schema: str | None) -> list[TableInfo]:
        with self._connect() as conn:
            insp = sa.inspect(conn)
            found: dict[str, str] = {n: "table" for n in insp.get_table_names(schema=schema)}
            found.update({n: "view" for n in insp.get_view_names(schema=schema)})
            with suppress(NotImplementedError):
                found.update(
                    {
                        n: "materialized_view"
                        for n in insp.get_materialized_view_names(schema=schema)
                    }
                )
        return [TableInfo(TableRef(schema, n), kind) for n, kind in sorted(found.items())]

    def keys(self, table: TableRef) -> TableKeys:
        """Primary key, foreign keys and indexes (``core.sources.keys``, the inspector)."""
        with self._connect() as conn:
            try:
                return inspector_keys(sa.inspect(conn), table)
            except sa_exc.NoSuchTableError:
                raise NotFound(f"Table not found: {table.display()}") from None

    def describe(self, table: TableRef) -> list[ColumnInfo]:
        with self._connect() as conn:
            insp = sa.inspect(conn)
            try:
                cols = insp.get_columns(table.name, schema=table.schema)
            except sa_exc.NoSuchTableError:
                raise NotFound(f"Table not found: {table.display()}") from None
            pk = set(
                insp.get_pk_constraint(table.name, schema=table.schema)["constrained_columns"] or []
            )
        if not cols:
            raise NotFound(f"Table not found: {table.display()}")
        out = []
        for i, c in enumerate(cols, start=1):
            arrow_type, note = sqla_type_to_arrow(c["type"])
            try:
                db_type = c["type"].compile(dialect=self.engine.dialect)
            except Exception:  # NullType and exotic types have no rendering
                db_type = str(c["type"]) if not isinstance(c["type"], sa.types.NullType) else "?"
            out.append(
                ColumnInfo(
                    c["name"],
                    db_type,
                    arrow_type,
                    bool(c.get("nullable", True)),
                    c["name"] in pk,
                    i,
                    note,
                )
            )
        return out

    # ---- reading --------------------------------------------------------------------------

    def _selected_columns(self, select: SelectSpec) -> list[ColumnInfo]:
        assert select.table is not None
        columns = self.describe(select.table)
        if not select.columns:
            return columns
        by_name = {c.name: c for c in columns}
        missing = [c for c in select.columns if c not in by_name]
        if missing:
            raise NotFound(f"No column {', '.join(map(repr, missing))} in {select.table.display()}")
        return [by_name[c] for c in select.columns]

    def _from(self, table: TableRef) -> sa.TableClause:
        return sa.table(qname(table.name), schema=qname(table.schema) if table.schema else None)

    def _table_select(
        self, select: SelectSpec, columns: Sequence[ColumnInfo] | None
    ) -> sa.Select[Any]:
        if select.table is None:
            raise QueryFailed("Nothing to read: give a table or a query.")
        exprs: list[Any] = (
            [self._column_expr(c) for c in columns] if columns else [sa.literal_column("1")]
        )
        if select.cut_at is not None and columns:  # long values cut on the server (cut.py)
            exprs = [
                self._cut(e, c, select.cut_at + 1) for e, c in zip(exprs, columns, strict=True)
            ]
        stmt = sa.select(*exprs).select_from(self._from(select.table))
        part = select.partition
        if part is not None and part.predicate:
            # The predicate is the source's own SQL (text() syntax, :name parameters).
            stmt = stmt.where(sa.text(f"({part.predicate})").bindparams(**part.params))
        if select.where:
            self._refuse(words(select.where, self.query_dialect))
            engine = self.url.get_backend_name()  # the filter is read the way it will run
            stmt = stmt.where(sa.text(escape_text(filter_group(select.where, engine))))
        for name, desc in select.order_by:  # the preview's server-side sort
            col = sa.column(qname(name))
            stmt = stmt.order_by(col.desc() if desc else col.asc())
        if select.limit is not None:
            stmt = stmt.limit(int(select.limit))
        return stmt

    def _cut(self, expr: Any, column: ColumnInfo, n: int) -> Any:
        """A plain text or binary column's first ``n`` characters, in the source's dialect."""
        if column.json or not cuttable(column.arrow_type) or not isinstance(expr, sa.ColumnClause):
            return expr
        sql = str(expr.compile(dialect=self.engine.dialect))
        cut = self.sql_dialect().prefix(sql, n, is_binary(column.arrow_type))
        return sa.literal_column(cut).label(column.name)

    def read_batches(
        self, select: SelectSpec, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        batch_rows = max(1, int(batch_rows))
        if select.query:
            yield from self._read_query(select, batch_rows)
            return
        columns = self._selected_columns(select)
        stmt = self._table_select(select, columns)
        schema = pa.schema(
            [
                pa.field(c.name, c.arrow_type, metadata=JSON_MARK if c.json else None)
                for c in columns
            ]
        )
        with self._connect() as conn:
            self._begin_read(conn, select)
            result = conn.execution_options(stream_results=True).execute(stmt)
            yield from self._stream(conn, result, schema, batch_rows, None)

    def _read_query(self, select: SelectSpec, batch_rows: int) -> Iterator[pa.RecordBatch]:
        sql = self.readable_query(select.query or "")
        with self._connect() as conn:
            self._begin_read(conn, select)
            # no_parameters: a '%' in the user's SQL must reach the driver unformatted.
            result = conn.execution_options(
                stream_results=True, no_parameters=True
            ).exec_driver_sql(sql)
            if not result.returns_rows:
                raise QueryFailed(
                    "The query returns no rows (only SELECT-like statements can be read)."
                )
            names = list(result.keys())
            schema = self._query_schema(result, names)
            yield from self._stream(conn, result, schema, batch_rows, select.limit, names)

    def _stream(
        self,
        conn: Connection,
        result: CursorResult[Any],
        schema: pa.Schema | None,
        batch_rows: int,
        limit: int | None,
        names: list[str] | None = None,
    ) -> Iterator[pa.RecordBatch]:
        state = {"exhausted": False}

        # Rows become Arrow a few thousand at a time: converting Python values holds the GIL
        # for the whole call, and a GUI thread waiting behind 50,000 rows stutters.
        step = max(1, min(batch_rows, CONVERT_ROWS))

        def chunks() -> Iterator[Sequence[Any]]:
            while True:
                rows = result.fetchmany(step)
                if not rows:
                    state["exhausted"] = True
                    return
                yield rows

        source = chunks()
        try:
            if schema is None:
                first = next(source, [])
                schema = infer_schema(names or [], first)
                source = _prepend(first, source)
            yield from batches_from_rows(
                source,
                schema,
                limit=limit,
                lenient_temporal=self.lenient_temporal,
                batch_rows=batch_rows,
            )
        finally:
            if not state["exhausted"]:
                # An unbuffered cursor would read the rest of the result to close cleanly;
                # dropping the connection lets the server abandon the query instead.
                self._abandon(conn, result)

    def _abandon(self, conn: Connection, result: CursorResult[Any]) -> None:
        """Drop a connection whose result was not read to the end."""
        with suppress(Exception):
            result.close()
        with suppress(Exception):
            conn.invalidate()

    def count_rows(self, select: SelectSpec) -> int:
        with self._connect() as conn:
            self._begin_read(conn, select)
            if select.query:
                sql = f"SELECT COUNT(*) FROM ({self.readable_query(select.query)}\n) dte_count"
                n = conn.execution_options(no_parameters=True).exec_driver_sql(sql).scalar_one()
                return min(int(n), select.limit) if select.limit is not None else int(n)
            inner = self._table_select(select, None).subquery("dte_count")
            return int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())

    def partition(self, table: TableRef, n: int) -> list[Partition]:
        return [Partition(table, 0, 1)]


def _prepend(first: Sequence[Any], rest: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    if first:
        yield first
    yield from rest


def driver_message(exc: BaseException) -> str:
    """The driver's own words, without SQLAlchemy's SQL echo and background link."""
    args = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return withhold_values(args[1])  # PyMySQL: (errno, message)
    text = str(exc).strip() or type(exc).__name__
    return withhold_values(text.split("\n(Background on this error")[0].split("\n[SQL:")[0].strip())
