"""Vertica through vertica-python (no SQLAlchemy dialect; SQL built in ``vertica_sql``).

A table read's rows are taken off the client's socket a batch at a time and decoded column
by column (``vertica_rows``: the client's per-value converters were the read's ceiling, ~40k
rows/s); the client still runs the session, the query and every message but the DataRows, and
columns the batch decoder cannot prove go through the client's converters. A query's rows,
whose types are inferred from the first values, stream through ``cursor.iterate()`` (the
client has no server-side cursor; ``fetchmany`` just loops over ``fetchone``).
``binary_transfer`` is on by default; pass ``binary_transfer=False`` to turn it off, and
``fast_decode=False`` to convert a table's rows through the client too.

Slices are ``MOD(HASH(pk or all columns), n) = i``. Each slice runs in its own session, and
Vertica offers no way to share a snapshot between sessions, so ``can_share_snapshot`` is
False: a partitioned export is a blend of moments unless the table is quiet (an epoch-based
``AT EPOCH`` read would fix that and is not done yet).
"""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, ClassVar

import pyarrow as pa
from sqlalchemy.engine import URL, make_url

from dte_desktop.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    DteError,
    NotFound,
    PermissionDenied,
    QueryFailed,
    TransientError,
)
from dte_desktop.core.logs import register_secret
from dte_desktop.core.privacy.error_text import withhold_values
from dte_desktop.core.sources import vertica_rows
from dte_desktop.core.sources import vertica_sql as vsql
from dte_desktop.core.sources.arrowconv import batches_from_rows, infer_schema
from dte_desktop.core.sources.base import (
    DEFAULT_BATCH_ROWS,
    DEFAULT_CONNECT_TIMEOUT,
    Capabilities,
    ColumnInfo,
    Partition,
    SelectSpec,
    TableInfo,
    TableRef,
)
from dte_desktop.core.sources.kind import FormOption, SourceKind
from dte_desktop.core.sources.vertica_dialect import VerticaDialect

DEFAULT_PORT = 5433
# vertica-python's tlsmode values; the first is its default.
TLS_MODES = ("prefer", "disable", "require", "verify-ca", "verify-full")
_PASSTHROUGH = ("tlsmode", "tls_cafile", "backup_server_node", "workload", "kerberos_service_name")


class VerticaSource:
    kind: ClassVar[SourceKind] = SourceKind(
        "vertica",
        "Vertica",
        ("vertica",),
        default_port=DEFAULT_PORT,
        options=(
            FormOption(
                "tlsmode", "TLS mode", ("prefer", "disable", "require", "verify-ca", "verify-full")
            ),
            FormOption("tls_cafile", "TLS CA file", hint="for verify-ca / verify-full"),
        ),
        order=30,
    )
    scheme: ClassVar[str] = kind.key
    capabilities: ClassVar[Capabilities] = Capabilities(
        can_partition=True,
        can_share_snapshot=False,  # see the module docstring
        can_cancel=False,
        approximate_functions=True,
        has_schemas=True,
    )

    def sql_dialect(self) -> VerticaDialect:
        return VerticaDialect()

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
        self.url = u
        self._password = password
        self.connect_timeout = float(connect_timeout or DEFAULT_CONNECT_TIMEOUT)
        self.options = dict(options)

    # ---- connections and errors -----------------------------------------------------------

    def connection_info(self) -> dict[str, Any]:
        """vertica-python's connect() arguments (the password is added only at connect)."""
        info: dict[str, Any] = {
            "host": self.url.host or "localhost",
            "port": int(self.url.port or DEFAULT_PORT),
            "user": self.url.username or "",
            "database": self.url.database or "",
            "connection_timeout": self.connect_timeout,
            "binary_transfer": bool(self.options.get("binary_transfer", True)),
            "autocommit": False,
            "session_label": "dte_desktop",
        }
        for key in _PASSTHROUGH:
            if key in self.url.query:
                info[key] = self.url.query[key]
        return info

    def _where(self) -> str:
        info = self.connection_info()
        return f"{info['host']}:{info['port']}"

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        import vertica_python  # imported here: opening SQLite must not import it

        info = self.connection_info()
        started = time.monotonic()
        try:
            conn = vertica_python.connect(**info, password=self._password or "")
        except Exception as exc:
            raise self._connect_error(exc, time.monotonic() - started) from None
        try:
            sock = getattr(conn, "socket", None)
            if sock is not None:
                # connection_timeout stays on the socket; a long query must not trip it.
                sock.settimeout(None)
            cur = conn.cursor()
            cur.execute("SET TIME ZONE TO 'UTC'")
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            yield conn
        except DteError:
            raise
        except Exception as exc:
            raise self._query_error(exc) from None
        finally:
            with suppress(Exception):
                conn.close()

    def _connect_error(self, exc: BaseException, elapsed: float) -> DteError:
        text = str(exc)
        low = text.lower()
        where, host, user = self._where(), self.url.host or "localhost", self.url.username
        if "28000" in text or "28p01" in low or "invalid username or password" in low:
            return AuthenticationFailed(
                f"Login refused by {where} for user {user!r}: wrong user name or password."
            )
        if "3d000" in low or ("database" in low and "does not exist" in low):
            return NotFound(f"Database {self.url.database!r} does not exist on {where}.")
        if "42501" in text or "permission denied" in low:
            return PermissionDenied(f"User {user!r} may not connect: {_first_line(text)}")
        if isinstance(exc, TimeoutError) or "timed out" in low:
            return self._timeout()
        if "failed to establish a connection" in low or isinstance(exc, OSError):
            return self._diagnose(host, elapsed)
        return ConnectionFailed(f"Could not connect to {where}: {_first_line(text)}")

    def _timeout(self) -> ConnectionFailed:
        return ConnectionFailed(
            f"Timed out after {self.connect_timeout:g} s connecting to {self._where()}: the "
            "server did not answer (a firewall, a wrong port, or an overloaded server)."
        )

    def _diagnose(self, host: str, elapsed: float) -> ConnectionFailed:
        """vertica-python says only "Failed to establish a connection"; find out why."""
        port = self.connection_info()["port"]
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as err:
            return ConnectionFailed(f"Unknown host {host!r}: the name does not resolve ({err}).")
        if elapsed >= self.connect_timeout * 0.9:
            return self._timeout()
        try:
            with socket.create_connection((host, port), timeout=self.connect_timeout):
                pass
        except ConnectionRefusedError:
            return ConnectionFailed(
                f"Connection refused by {self._where()}: no database server listens on that port."
            )
        except TimeoutError:
            return self._timeout()
        except OSError as err:
            return ConnectionFailed(f"Could not connect to {self._where()}: {err}")
        return ConnectionFailed(f"Could not connect to {self._where()}.")

    def _query_error(self, exc: BaseException) -> DteError:
        from vertica_python import errors as verr

        text = withhold_values(_first_line(getattr(exc, "message", None) or str(exc)))
        if isinstance(exc, verr.PermissionDenied):
            return PermissionDenied(f"Missing privilege: {text}")
        if isinstance(exc, verr.MissingRelation | verr.MissingSchema | verr.MissingColumn):
            return NotFound(text)
        if isinstance(
            exc,
            verr.LockFailure
            | verr.ConnectionFailure
            | verr.LostConnectivityFailure
            | verr.InsufficientResources
            | verr.ConnectionError
            | OSError,
        ):
            return TransientError(f"The Vertica connection was interrupted: {text}")
        if "read only" in text.lower() or "read-only" in text.lower():
            return PermissionDenied(f"The Vertica source only reads: {text}")
        return QueryFailed(text)

    def close(self) -> None:
        """Nothing held between calls: every method opens and closes its own session."""

    # ---- discovery ------------------------------------------------------------------------

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        with self._connect() as conn:
            cur = conn.cursor()
            cur.execute(sql, params) if params else cur.execute(sql)
            return list(cur.fetchall())

    def test_connection(self) -> str:
        return str(self._rows("SELECT version()")[0][0])

    def list_schemas(self, include_system: bool = False) -> list[str]:
        names = [r[0] for r in self._rows(vsql.SCHEMAS_SQL)]
        return [
            n
            for n in names
            if include_system or not n.lower().startswith(vsql.SYSTEM_SCHEMA_PREFIX)
        ]

    def _schema(self, schema: str | None) -> str:
        return schema or "public"

    def list_tables(self, schema: str | None) -> list[TableInfo]:
        name = self._schema(schema)
        out = []
        for table, kind, rows, size, _temp in self._rows(vsql.TABLES_SQL, {"schema": name}):
            estimate = int(rows) if rows is not None else None
            out.append(
                TableInfo(TableRef(name, table), kind, estimate, int(size) if size else None)
            )
        return out

    def describe(self, table: TableRef) -> list[ColumnInfo]:
        params = {"schema": self._schema(table.schema), "table": table.name}
        with self._connect() as conn:
            cur = conn.cursor()
            cur.execute(vsql.COLUMNS_SQL, params)
            rows = cur.fetchall()
            if not rows:
                cur.execute(vsql.VIEW_COLUMNS_SQL, params)
                rows = cur.fetchall()
            cur.execute(vsql.PRIMARY_KEY_SQL, params)
            pk = {r[0] for r in cur.fetchall()}
        if not rows:
            raise NotFound(f"Table not found: {table.display()}")
        out = []
        for name, data_type, precision, scale, nullable, ordinal in rows:
            arrow_type, note = vsql.vertica_arrow_type(data_type, precision, scale)
            out.append(
                ColumnInfo(
                    name, data_type, arrow_type, bool(nullable), name in pk, int(ordinal), note
                )
            )
        return out

    # ---- reading --------------------------------------------------------------------------

    def _columns(self, select: SelectSpec) -> list[ColumnInfo]:
        assert select.table is not None
        columns = self.describe(select.table)
        if not select.columns:
            return columns
        by_name = {c.name: c for c in columns}
        missing = [c for c in select.columns if c not in by_name]
        if missing:
            raise NotFound(f"No column {', '.join(map(repr, missing))} in {select.table.display()}")
        return [by_name[c] for c in select.columns]

    def read_batches(
        self, select: SelectSpec, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        batch_rows = max(1, int(batch_rows))
        schema: pa.Schema | None = None
        names: list[str] = []
        if select.query:
            sql = vsql.select_sql(select, [])
        else:
            columns = self._columns(select)
            schema = pa.schema([pa.field(c.name, c.arrow_type) for c in columns])
            sql = vsql.select_sql(select, [c.name for c in columns])
        with self._connect() as conn:
            cur = conn.cursor()
            cur.execute(sql)  # no parameters: '%' in a user filter stays literal
            if schema is not None and self.options.get("fast_decode", True):
                # A table's schema is known: its rows decode a batch at a time (vertica_rows).
                yield from vertica_rows.read_batches(conn, cur, schema, batch_rows)
                return
            rows = cur.iterate()
            chunks = iter(lambda: list(itertools.islice(rows, batch_rows)), [])
            if schema is None:
                described = cur.description or []
                names = [d[0] for d in described]
                first = next(chunks, [])
                schema = vsql.query_schema(infer_schema(names, first), [d[1] for d in described])
                chunks = itertools.chain([first] if first else [], chunks)
            yield from batches_from_rows(chunks, schema)

    def count_rows(self, select: SelectSpec) -> int:
        return int(self._rows(vsql.count_sql(select))[0][0])

    def partition(self, table: TableRef, n: int) -> list[Partition]:
        if n <= 1:
            return [Partition(table, 0, 1)]
        return vsql.hash_partitions(table, vsql.hash_columns(self.describe(table)), n)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
