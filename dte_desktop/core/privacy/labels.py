"""Stored classifications: set by hand or accepted from the profiler, per column, with table
and connection defaults; exported and imported as a TOML file. Every change is audited."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import ConfigError, NotFound
from dte_desktop.core.privacy.classification import (
    ColumnClassification,
    Level,
    most_sensitive,
    parse_level,
)
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.identifiers import IdentifierRule, rule_for
from dte_desktop.core.sources.registry import family_of
from dte_desktop.core.store import Store
from dte_desktop.core.store.classification_rows import ANY, StoredClassification
from dte_desktop.core.store.repository import os_user

FILE_VERSION = 1


class ColumnLabels(Mapping[str, ColumnClassification]):
    """Stored column labels looked up the way the engine compares column names: a label
    stored as ``Email`` applies to the column ``email`` where the engine says they are the
    same column (MySQL, Vertica, SQLite; PostgreSQL for an unquoted name). An exact
    spelling wins; among folded ones the most sensitive does."""

    def __init__(self, stored: dict[str, ColumnClassification], rule: IdentifierRule) -> None:
        self._stored = stored
        self._rule = rule
        self._index: dict[str, list[ColumnClassification]] = {}
        for name, c in stored.items():
            for key in rule.index_keys(name, column=True):
                self._index.setdefault(key, []).append(c)

    def __getitem__(self, name: str) -> ColumnClassification:
        if name in self._stored:
            return self._stored[name]
        found = self._index.get(self._rule.lookup_key(name, column=True))
        if not found:
            raise KeyError(name)
        best = max(found, key=lambda c: c.level.rank)
        return replace(best, column=name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)


@dataclass(frozen=True)
class TableLabels:
    columns: Mapping[str, ColumnClassification]  # looked up as the engine compares names
    default: Level | None  # the table's default, else the connection's


def connection_rule(store: Store, connection: str) -> IdentifierRule:
    """The identifier rule of a stored connection's engine (from its URL; MySQL's table
    names taken as case-sensitive, as no server is asked here)."""
    try:
        url = store.get_connection(connection).url
    except NotFound:
        url = connection  # an ad-hoc URL used as the connection's name
    try:
        family = family_of(url)
    except ConfigError:
        family = ""
    return rule_for(family)


def labels_for(
    store: Store, connection: str, table: TableRef, rule: IdentifierRule | None = None
) -> TableLabels:
    """What is stored for ``table``: an exact schema match wins over a schema-less entry
    (or a schema-less table reference, which matches the name in any schema); names are
    compared as the connection's engine compares them (``rule``)."""
    rule = rule or connection_rule(store, connection)
    rows = [
        r
        for r in store.classifications(connection)
        if r.table == ANY or rule.same(r.table, table.name, column=False)
    ]
    return _labels(rows, table, rule)


def table_levels(
    store: Store,
    connection: str,
    tables: list[TableRef],
    *,
    default_level: Level | None = None,
    columns: Mapping[TableRef, Sequence[str]] | None = None,
) -> dict[TableRef, Level | None]:
    """The most sensitive level in force for each table, from what is stored (a column's,
    the table's or connection's default): the catalog shows these as badges, one query for
    a whole listing. With ``default_level`` (the policy's, for columns nobody classified)
    it is the *effective* level: a column with no stored level counts at the stored
    default, else at ``default_level``; a table whose ``columns`` are not known is taken
    to have such a column. ``None`` where nothing applies."""
    rule = connection_rule(store, connection)
    by_key: dict[str, list[StoredClassification]] = {}
    defaults: list[StoredClassification] = []
    for r in store.classifications(connection):
        if r.table == ANY:
            defaults.append(r)
            continue
        for key in rule.index_keys(r.table, column=False):
            by_key.setdefault(key, []).append(r)
    levels: dict[TableRef, Level | None] = {}
    for t in tables:
        rows = by_key.get(rule.lookup_key(t.name, column=False), []) + defaults
        labels = _labels(rows, t, rule)
        found = [c.level for c in labels.columns.values()]
        fallback = labels.default or default_level
        known = (columns or {}).get(t)
        if known is not None:
            found = [labels.columns[c].level for c in known if c in labels.columns]
            unclassified = any(c not in labels.columns for c in known)
        else:
            unclassified = default_level is not None or labels.default is not None
        if fallback is not None and unclassified:
            found.append(fallback)
        levels[t] = most_sensitive(found) if found else None
    return levels


def _labels(rows: list[StoredClassification], table: TableRef, rule: IdentifierRule) -> TableLabels:
    """``rows``: what is stored under ``table``'s name (as the engine compares it) and
    under ANY (the defaults)."""
    conn_default = next((r for r in rows if r.table == ANY and r.column == ANY), None)

    def rank(r: StoredClassification) -> int:
        # schema: 2 exact, 1 either side schema-less, 0 another schema; the table's exact
        # spelling breaks a tie with a folded one.
        if table.schema is None or r.schema is None:
            schema = 1
        elif r.schema == table.schema:
            schema = 2
        else:
            schema = 2 if rule.same(r.schema, table.schema, column=False) else 0
        return 0 if schema == 0 else schema * 2 + (r.table == table.name)

    best: dict[str, tuple[int, StoredClassification]] = {}
    for r in rows:
        if r.table == ANY or rank(r) == 0:
            continue
        if r.column not in best or rank(r) > best[r.column][0]:
            best[r.column] = (rank(r), r)
    columns = {
        col: ColumnClassification(col, parse_level(r.level), r.pii_type, r.source)
        for col, (_, r) in best.items()
        if col != ANY
    }
    default = best.get(ANY, (0, conn_default))[1] if ANY in best else conn_default
    return TableLabels(ColumnLabels(columns, rule), parse_level(default.level) if default else None)


def stored_defaults(
    store: Store, connection: str, table: TableRef
) -> tuple[Level | None, Level | None]:
    """(the connection's default, the table's own default) as stored, each None if not."""
    rule = connection_rule(store, connection)
    rows = store.classifications(connection)
    conn = next((r for r in rows if r.table == ANY and r.column == ANY), None)
    own = [r for r in rows if r.table != ANY and rule.same(r.table, table.name, column=False)]
    return (parse_level(conn.level) if conn else None), _labels(own, table, rule).default


def stored_level(
    store: Store, connection: str, table: TableRef | None, column: str | None
) -> Level | None:
    """What an officer stored for exactly this target: the column (as the engine compares
    names), the table's default (``column=None``) or the connection's (``table=None``)."""
    if table is None:
        return stored_defaults(store, connection, TableRef(None, ANY))[0]
    if column is None:
        return stored_defaults(store, connection, table)[1]
    found = labels_for(store, connection, table).columns.get(column)
    return found.level if found is not None else None


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
    reason_to_lower: bool = False,
) -> StoredClassification:
    """``table=None`` sets the connection default, ``column=None`` the table default. The
    audit record names the level it replaces; with ``reason_to_lower`` (the desktop's
    editor, which asked the officer to confirm) lowering a stored level without a reason
    is refused and nothing is stored."""
    lvl = parse_level(level)
    if source not in ("manual", "profiler", "default"):
        raise ConfigError(f"Unknown classification source {source!r}.")
    previous = stored_level(store, connection, table, column)
    lowered = previous is not None and previous.is_more_sensitive_than(lvl)
    if lowered and reason_to_lower and not (reason or "").strip():
        what = f"{table.display() if table else '(connection default)'} {column or ''}".strip()
        raise ConfigError(f"Lowering {what} from {previous} to {lvl} needs a reason.")
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
        extra={
            "pii_type": pii_type,
            "source": source,
            "previous": previous.value if previous else None,
            "lowered": lowered,
        },
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


Target = tuple[TableRef | None, str | None]


def import_labels(
    store: Store,
    connection: str,
    path: Path,
    *,
    reason: str | None = None,
    check: Callable[[list[Target]], list[Target]] | None = None,
) -> int:
    """All entries are validated before the first one is stored; ``check`` (the CLI's:
    ``label_names.checked_targets``) refuses names the source's catalog does not hold and
    returns them as the catalog spells them."""
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
    targets: list[Target] = [
        (
            None if e["table"] == ANY else TableRef(e.get("schema"), e["table"]),
            None if e.get("column", ANY) == ANY else e["column"],
        )
        for e in entries
    ]
    if check is not None:
        targets = check(targets)
    for e, (table, column) in zip(entries, targets, strict=True):
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
