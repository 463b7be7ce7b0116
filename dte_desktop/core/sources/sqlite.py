"""SQLite files (``sqlite:///path``) — the built-in demo database's source.

Reads open the file read-only (``file:…?mode=ro`` URI) with ``PRAGMA query_only`` on top, so
no user filter or query can change it. Column types follow SQLite's declared-type affinity
rules, refined by the declared name where SQLite's own conventions give a clear meaning
(BOOLEAN, DATE, DATETIME/TIMESTAMP, JSON). Tables with a rowid split into rowid ranges.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import urllib.parse
from typing import Any, ClassVar

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from dte_desktop.core.errors import DteError, NotFound, PermissionDenied, QueryFailed
from dte_desktop.core.sources.base import Capabilities, ColumnInfo, Partition, TableInfo, TableRef
from dte_desktop.core.sources.kind import SourceKind
from dte_desktop.core.sources.sqla_common import SQLASource, driver_message
from dte_desktop.core.sources.sqlite_dialect import SQLiteDialect

_WITHOUT_ROWID = re.compile(r"\bwithout\s+rowid\b", re.IGNORECASE)
_ROWID_ALIASES = ("rowid", "_rowid_", "oid")


def sqlite_arrow_type(declared: str) -> tuple[pa.DataType, str | None]:
    """Arrow type for a declared SQLite column type (https://sqlite.org/datatype3.html §3.1)."""
    d = (declared or "").upper()
    if "INT" in d:
        return pa.int64(), None
    if any(k in d for k in ("CHAR", "CLOB", "TEXT")):
        return pa.string(), None
    if "BLOB" in d:
        return pa.binary(), None
    if not d:
        return pa.string(), "no declared type (any value): read as text"
    if any(k in d for k in ("REAL", "FLOA", "DOUB")):
        return pa.float64(), None
    # NUMERIC affinity: the declared name is the only hint of what the values mean.
    if "BOOL" in d:
        return pa.bool_(), None
    if "TIMESTAMP" in d or "DATETIME" in d:
        return pa.timestamp("us"), "SQLite has no date type: ISO text parsed as timestamp"
    if "DATE" in d:
        return pa.date32(), "SQLite has no date type: ISO text parsed as date"
    if "TIME" in d:
        return pa.time64("us"), "SQLite has no time type: ISO text parsed as time"
    if any(k in d for k in ("NUM", "DEC", "MONEY")):
        return pa.float64(), "SQLite stores NUMERIC/DECIMAL as integer or real: read as float64"
    if "JSON" in d or "UUID" in d:
        return pa.string(), f"{declared} is stored as text"
    return pa.string(), f"declared type {declared!r} (numeric affinity) read as text"


_REFUSED_FUNCTIONS = frozenset({"load_extension", "writefile", "edit", "fts3_tokenizer"})
# PRAGMAs whose argument names a table or index (reads); any other PRAGMA with a value sets.
_READ_PRAGMAS = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
     "foreign_key_list", "table_list"}
)  # fmt: skip


def _read_only_authorizer(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    """What mode=ro and query_only leave open: ATTACH (and VACUUM INTO, which attaches)
    creates a file, a PRAGMA with a value changes the connection, load_extension runs code.
    Writes to the file itself are already impossible, and SQLite reports internal schema
    reads oddly, so the rest is left to those two."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None:
        return sqlite3.SQLITE_OK if (arg1 or "").lower() in _READ_PRAGMAS else sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class SQLiteSource(SQLASource):
    kind: ClassVar[SourceKind] = SourceKind("sqlite", "SQLite", ("sqlite",), form="file", order=40)
    scheme: ClassVar[str] = kind.key
    query_dialect: ClassVar[str] = "sqlite"
    capabilities: ClassVar[Capabilities] = Capabilities(
        can_partition=True, can_share_snapshot=False, can_cancel=False, has_schemas=False
    )

    def sql_dialect(self) -> SQLiteDialect:
        return SQLiteDialect()

    def _normalise_url(self, url: URL) -> URL:
        return url.set(drivername="sqlite+pysqlite")

    @property
    def path(self) -> str | None:
        db = self.url.database
        return None if not db or db == ":memory:" else db

    def _engine_kwargs(self) -> dict[str, Any]:
        # NullPool: a SQLite connection is a file handle; each call opens its own, so worker
        # threads never share one.
        return {"creator": self._open, "poolclass": NullPool}

    def _open(self) -> sqlite3.Connection:
        path = self.path
        if path is None:
            return sqlite3.connect(":memory:", check_same_thread=False)
        if not os.path.exists(path):
            raise NotFound(f"SQLite file not found: {path}")
        if os.path.isdir(path):
            raise NotFound(f"Not a SQLite file (it is a folder): {path}")
        uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=self.connect_timeout, check_same_thread=False)

    def _on_connect(self, dbapi_conn: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only = ON")
        # mode=ro and query_only guard the file itself; ATTACH would still open (and create)
        # another one: SQLite's own authorizer refuses it, whatever SQL reaches here.
        dbapi_conn.set_authorizer(_read_only_authorizer)

    def _classify(self, exc: BaseException, phase: str) -> DteError | None:
        text = driver_message(exc)
        low = text.lower()
        if (
            "readonly" in low
            or "read-only" in low
            or "query_only" in low
            or "not authorized" in low
            or "authorization denied" in low
        ):
            return PermissionDenied(f"The SQLite source is read-only: {text}")
        if "file is not a database" in low:
            return QueryFailed(f"{self.path} is not a SQLite database ({text})")
        if "no such table" in low:
            return NotFound(text)
        if "unable to open" in low:
            return NotFound(f"Cannot open SQLite file {self.path}: {text}")
        return None

    def test_connection(self) -> str:
        with self._connect() as conn:
            # Reading the schema proves the file really is a SQLite database.
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
            return "SQLite " + conn.exec_driver_sql("SELECT sqlite_version()").scalar_one()

    def list_schemas(self, include_system: bool = False) -> list[str]:
        return ["main"]

    def _master(self, conn: sa.Connection) -> list[tuple[str, str, str]]:
        rows = conn.exec_driver_sql(
            "SELECT name, type, coalesce(sql, '') FROM sqlite_master "
            "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def list_tables(self, schema: str | None) -> list[TableInfo]:
        with self._connect() as conn:
            master = self._master(conn)
            stats = self._stat1(conn)
            out = []
            for name, kind, sql in master:
                estimate = stats.get(name)
                if estimate is None and kind == "table" and self._has_rowid(sql):
                    # max(rowid) is a b-tree descent, not a scan; exact unless rows were deleted.
                    rid = self._rowid_name(conn, name)
                    if rid is not None:
                        estimate = conn.execute(
                            sa.select(sa.func.max(sa.literal_column(rid))).select_from(
                                self._from(TableRef(None, name))
                            )
                        ).scalar()
                        estimate = int(estimate or 0)
                out.append(TableInfo(TableRef(None, name), kind, estimated_rows=estimate))
            return out

    def _stat1(self, conn: sa.Connection) -> dict[str, int]:
        """Row counts recorded by ANALYZE, where it has been run."""
        has = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).first()
        if not has:
            return {}
        out: dict[str, int] = {}
        for tbl, stat in conn.exec_driver_sql("SELECT tbl, stat FROM sqlite_stat1").all():
            first = str(stat or "").split(" ")[0]
            if first.isdigit():
                out[tbl] = max(out.get(tbl, 0), int(first))
        return out

    @staticmethod
    def _has_rowid(sql: str) -> bool:
        return not _WITHOUT_ROWID.search(sql) and not sql.lstrip().upper().startswith(
            "CREATE VIRTUAL"
        )

    def _rowid_name(self, conn: sa.Connection, table: str) -> str | None:
        """The first rowid alias not shadowed by a real column of that name."""
        names = {
            c.lower()
            for (c,) in conn.execute(
                sa.text("SELECT name FROM pragma_table_xinfo(:t)"), {"t": table}
            ).all()
        }
        return next((a for a in _ROWID_ALIASES if a not in names), None)

    def describe(self, table: TableRef) -> list[ColumnInfo]:
        with self._connect() as conn:
            rows = conn.execute(
                sa.text(
                    'SELECT name, type, "notnull", pk, hidden FROM pragma_table_xinfo(:t) '
                    "ORDER BY cid"
                ),
                {"t": table.name},
            ).all()
        if not rows:
            raise NotFound(f"Table not found: {table.display()}")
        out = []
        for i, (name, declared, notnull, pk, _hidden) in enumerate(
            (r for r in rows if r[4] != 1),
            start=1,  # hidden=1: virtual-table internals
        ):
            arrow_type, note = sqlite_arrow_type(declared)
            out.append(ColumnInfo(name, declared or "", arrow_type, not notnull, pk > 0, i, note))
        return out

    def partition(self, table: TableRef, n: int) -> list[Partition]:
        if n <= 1:
            return [Partition(table, 0, 1)]
        with self._connect() as conn:
            found = conn.execute(
                sa.text("SELECT type, coalesce(sql, '') FROM sqlite_master WHERE name = :t"),
                {"t": table.name},
            ).first()
            if found is None:
                raise NotFound(f"Table not found: {table.display()}")
            if found[0] != "table" or not self._has_rowid(found[1]):
                return [Partition(table, 0, 1, description="all rows (no rowid)")]
            rid = self._rowid_name(conn, table.name)
            if rid is None:
                return [Partition(table, 0, 1, description="all rows (rowid shadowed)")]
            lo, hi = conn.execute(
                sa.select(
                    sa.func.min(sa.literal_column(rid)), sa.func.max(sa.literal_column(rid))
                ).select_from(self._from(table))
            ).one()
        if lo is None:
            return [Partition(table, 0, 1, description="all rows (empty)")]
        return int_ranges(table, rid, int(lo), int(hi), n, "rowid")


def int_ranges(
    table: TableRef, column_sql: str, lo: int, hi: int, n: int, label: str
) -> list[Partition]:
    """``n`` disjoint ranges covering every integer: the first open below, the last open
    above, so rows inserted outside [lo, hi] after planning still land in a slice.
    ``column_sql`` is an already quoted identifier safe inside ``sqlalchemy.text``."""
    n = max(1, min(n, hi - lo + 1))
    if n == 1:
        return [Partition(table, 0, 1, description="all rows")]
    step = math.ceil((hi - lo + 1) / n)
    bounds = [lo + step * i for i in range(1, n)]
    n = len(bounds) + 1
    parts = []
    for i in range(n):
        params: dict[str, int] = {}
        conds = []
        if i > 0:
            params["dte_lo"] = bounds[i - 1]
            conds.append(f"{column_sql} >= :dte_lo")
        if i < n - 1:
            params["dte_hi"] = bounds[i]
            conds.append(f"{column_sql} < :dte_hi")
        desc = f"{label} " + (
            f"< {bounds[0]}"
            if i == 0
            else f">= {bounds[-1]}"
            if i == n - 1
            else f"[{bounds[i - 1]}, {bounds[i]})"
        )
        parts.append(Partition(table, i, n, " AND ".join(conds), desc, params))
    return parts
