"""Stored classifications: set by hand or accepted from the profiler, per column, with table
and connection defaults; exported and imported as a TOML file. Every change is audited."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.privacy.classification import (
    ColumnClassification,
    Level,
    most_sensitive,
    parse_level,
)
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.store import Store
from dte_desktop.core.store.classification_rows import ANY, StoredClassification
from dte_desktop.core.store.repository import os_user

FILE_VERSION = 1


@dataclass(frozen=True)
class TableLabels:
    columns: dict[str, ColumnClassification]
    default: Level | None  # the table's default, else the connection's


def labels_for(store: Store, connection: str, table: TableRef) -> TableLabels:
    """What is stored for ``table``: an exact schema match wins over a schema-less entry
    (or a schema-less table reference, which matches the name in any schema)."""
    return _labels(store.classifications(connection, table.name), table)


def table_levels(
    store: Store, connection: str, tables: list[TableRef]
) -> dict[TableRef, Level | None]:
    """The most sensitive level stored for each table (a column's, or the table's or
    connection's default); ``None`` where nothing is stored. One query for a whole listing:
    the catalog shows these as badges."""
    by_name: dict[str, list[StoredClassification]] = {}
    for r in store.classifications(connection):
        by_name.setdefault(r.table, []).append(r)
    levels: dict[TableRef, Level | None] = {}
    for t in tables:
        labels = _labels(by_name.get(t.name, []) + by_name.get(ANY, []), t)
        found = [c.level for c in labels.columns.values()]
        if labels.default is not None:
            found.append(labels.default)
        levels[t] = most_sensitive(found) if found else None
    return levels


def _labels(rows: list[StoredClassification], table: TableRef) -> TableLabels:
    """``rows``: what is stored under ``table.name`` and under ANY (the defaults)."""
    conn_default = next((r for r in rows if r.table == ANY and r.column == ANY), None)

    def rank(r: StoredClassification) -> int:
        if table.schema is None or r.schema is None:
            return 1
        return 2 if r.schema == table.schema else 0

    best: dict[str, tuple[int, StoredClassification]] = {}
    for r in rows:
        if r.table != table.name or rank(r) == 0:
            continue
        if r.column not in best or rank(r) > best[r.column][0]:
            best[r.column] = (rank(r), r)
    columns = {
        col: ColumnClassification(col, parse_level(r.level), r.pii_type, r.source)
        for col, (_, r) in best.items()
        if col != ANY
    }
    default = best.get(ANY, (0, conn_default))[1] if ANY in best else conn_default
    return TableLabels(columns, parse_level(default.level) if default else None)


def classify(
    store: Store,
    connection: str,
    table: TableRef | None,
    column: str | None,
    level: str,
    *,
    pii_type: str | None = None,
    source: str = "manual",
    reason: str | None = None,
) -> StoredClassification:
    """``table=None`` sets the connection default, ``column=None`` the table default."""
    lvl = parse_level(level)
    if source not in ("manual", "profiler", "default"):
        raise ConfigError(f"Unknown classification source {source!r}.")
    rec = StoredClassification(
        connection,
        table.schema if table else None,
        table.name if table else ANY,
        column or ANY,
        lvl.value,
        pii_type,
        source,
        os_user(),
    )
    store.set_classification(rec)
    target = table.display() if table else "(connection default)"
    AuditLog(store).record(
        "classification_change",
        connection=connection,
        object=target,
        columns=[column] if column else [],
        classifications={column or ANY: lvl.value},
        reason=reason,
        extra={"pii_type": pii_type, "source": source},
    )
    return rec


def export_labels(store: Store, connection: str, path: Path) -> int:
    rows = store.classifications(connection)
    doc: dict[str, Any] = {"version": FILE_VERSION, "connection": connection, "classification": []}
    for r in rows:
        entry = {"table": r.table, "column": r.column, "level": r.level, "source": r.source}
        if r.schema:
            entry["schema"] = r.schema
        if r.pii_type:
            entry["pii"] = r.pii_type
        doc["classification"].append(entry)
    path.write_text(tomli_w.dumps(doc), "utf-8")
    return len(rows)


def import_labels(store: Store, connection: str, path: Path, *, reason: str | None = None) -> int:
    """All entries are validated before the first one is stored."""
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    if doc.get("version") != FILE_VERSION:
        raise ConfigError(
            f"{path}: unsupported classification file version {doc.get('version')!r}."
        )
    entries = []
    for i, e in enumerate(doc.get("classification", []), 1):
        if "table" not in e or "level" not in e:
            raise ConfigError(f"{path}: entry {i} needs a table and a level.")
        parse_level(e["level"])
        entries.append(e)
    for e in entries:
        table = None if e["table"] == ANY else TableRef(e.get("schema"), e["table"])
        column = None if e.get("column", ANY) == ANY else e["column"]
        classify(
            store,
            connection,
            table,
            column,
            e["level"],
            pii_type=e.get("pii"),
            source=e.get("source", "manual"),
            reason=reason or f"imported from {path}",
        )
    return len(entries)
