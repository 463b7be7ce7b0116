"""The catalog tree: connections → schemas → tables, each level listed in a worker when
first expanded, with a filter box over table names."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from dte_desktop.core.app import AppContext
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.labels import table_levels
from dte_desktop.core.sources.base import TableInfo, TableRef
from dte_desktop.core.store import Connection
from dte_desktop.ui import theme
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.workers import run_in_pool

ROLE = Qt.ItemDataRole.UserRole
Listing = tuple[str, list[Any], dict[TableRef, Level | None]]  # kind, entries, badges
LOADING = "Loading…"


def node(item: QTreeWidgetItem | None) -> dict[str, Any]:
    if item is None:
        return {}
    return item.data(0, ROLE) or {}


def _badge(item: QTreeWidgetItem, level: Level | None) -> None:
    """The table's most sensitive stored level, coloured as in the preview's headers."""
    item.setData(3, ROLE, level)
    if level is None:
        item.setText(3, "")
        item.setBackground(3, QBrush())
        item.setToolTip(
            3, "Not classified: the masking policy treats its columns at its default level"
        )
        return
    item.setText(3, level.value)
    colour = theme.level_colour(level.value)
    item.setBackground(3, QBrush(colour) if colour else QBrush())
    item.setToolTip(
        3,
        f"Most sensitive level in force: {level.value} (stored classifications, and the "
        "default for columns nobody classified)",
    )


def _rows(n: int | None) -> str:
    if n is None:
        return ""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= div:
            return f"~{n / div:.1f}{suffix}"
    return f"~{n}"


class CatalogTree(QWidget):
    connections_loaded = Signal(int)
    children_loaded = Signal(object)  # the QTreeWidgetItem whose children arrived
    node_selected = Signal(dict)
    status = Signal(str)
    action_requested = Signal(str)  # "preview" | "profile" | "export", on the selected table

    def __init__(self, ctx: AppContext, keeper: PassphraseKeeper, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.keeper = ctx, keeper
        #: The policy's level for unclassified columns (read once, in a worker).
        self.default_level: Level | None = None
        #: Column names learnt from the classification editor, so a table whose every
        #: column is classified is badged by those levels alone.
        self.known_columns: dict[tuple[str, TableRef], list[str]] = {}
        self.filter = QLineEdit()
        self.filter.setObjectName("catalogFilter")
        self.filter.setPlaceholderText("Filter tables (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.tree = QTreeWidget()
        self.tree.setObjectName("connectionsTree")
        self.tree.setHeaderLabels(["Name", "Kind", "Rows", "Class"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 196)
        self.tree.setColumnWidth(1, 50)  # widened to its texts as they arrive (fit_kinds)
        self.tree.setColumnWidth(2, 62)
        # Wide enough for the longest badge ("Confidential"), which was clipped.
        badge = self.tree.fontMetrics().horizontalAdvance("Confidential") + 16
        self.tree.setColumnWidth(3, max(80, badge))
        self.tree.headerItem().setToolTip(
            3,
            "The most sensitive level in force for the table's columns, counting the "
            "default for unclassified ones",
        )
        self.tree.setUniformRowHeights(True)
        self.tree.itemExpanded.connect(self._on_expanded)
        self.tree.currentItemChanged.connect(lambda cur, _p: self.node_selected.emit(node(cur)))
        theme.state().changed.connect(self._repaint_badges)  # a method: gone with self
        from dte_desktop.ui import catalog_menu

        catalog_menu.install(self)  # Preview, Profile, Export…, Copy name, Show DDL
        self.ddl_dialog: Any = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.filter)
        lay.addWidget(self.tree)

    # -- connections -----------------------------------------------------------------
    def refresh(self) -> None:
        self.status.emit("Loading connections…")
        run_in_pool(self.ctx.store.list_connections, self._show_connections, self._error)

    def _show_connections(self, conns: list[Connection]) -> None:
        """Update the top level in place: a connection that is unchanged keeps its item, so
        what the user expanded stays expanded (and a listing still on its way has an item
        to land in); a changed or new one gets a fresh, collapsed item."""
        current = node(self.tree.currentItem()).get("connection")
        by_name = {c.name: c for c in conns}
        kept: dict[str, QTreeWidgetItem] = {}
        for i in reversed(range(self.tree.topLevelItemCount())):
            item = self.tree.topLevelItem(i)
            data = node(item)
            fresh = by_name.get(data.get("connection", ""))
            if fresh is not None and fresh == data.get("conn"):
                kept[fresh.name] = item
            else:
                self.tree.takeTopLevelItem(i)
        for pos, c in enumerate(conns):
            if c.name in kept:
                continue
            item = QTreeWidgetItem([c.name, c.kind, ""])
            item.setData(0, ROLE, {"type": "connection", "connection": c.name, "conn": c})
            item.setToolTip(0, c.url)
            self._lazy(item)
            self.tree.insertTopLevelItem(pos, item)
            if c.name == current:
                self.tree.setCurrentItem(item)
        if conns and self.tree.currentItem() is None:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.fit_kinds()
        self.status.emit(f"{len(conns)} connection(s)")
        self.connections_loaded.emit(len(conns))

    def find_connection(self, name: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if node(item).get("connection") == name:
                return item
        return None

    def find_table(self, connection: str, table: str) -> QTreeWidgetItem | None:
        for item in self._table_items():
            n = node(item)
            if n["connection"] == connection and table in (
                n["info"].ref.name,
                n["info"].ref.display(),
            ):
                return item
        return None

    # -- lazy children ---------------------------------------------------------------
    @staticmethod
    def _lazy(item: QTreeWidgetItem) -> None:
        item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        item.addChild(QTreeWidgetItem([LOADING]))

    def reload(self, item: QTreeWidgetItem) -> None:
        """Forget what was listed under ``item`` and list it again (F5 on a node)."""
        data = node(item)
        if data.get("type") in ("connection", "schema"):
            data["loaded"] = False
            item.setData(0, ROLE, data)
            item.takeChildren()
            self._lazy(item)
            if item.isExpanded():
                self._on_expanded(item)

    def _on_expanded(self, item: QTreeWidgetItem) -> None:
        data = node(item)
        if data.get("loaded") or data.get("loading"):
            return
        if data.get("type") == "connection":
            if not self.keeper.ensure_for_connection(data["conn"].url):
                return
            data["loading"] = True
            item.setData(0, ROLE, data)
            name = data["connection"]
            run_in_pool(
                lambda: self._list_schemas(name),
                lambda res: self._fill(item, res),
                lambda t, m: self._child_error(item, t, m),
            )
        elif data.get("type") == "schema":
            data["loading"] = True
            item.setData(0, ROLE, data)
            name, schema = data["connection"], data["schema"]
            run_in_pool(
                lambda: self._list_tables(name, schema),
                lambda res: self._fill(item, res),
                lambda t, m: self._child_error(item, t, m),
            )

    # These three run in a worker.
    def _list_schemas(self, name: str) -> Listing:
        source = self.ctx.open_source(name)
        try:
            if not source.capabilities.has_schemas:
                tables = source.list_tables(None)
                return "tables", tables, self._levels(name, tables)
            return "schemas", source.list_schemas(), {}
        finally:
            source.close()

    def _list_tables(self, name: str, schema: str) -> Listing:
        source = self.ctx.open_source(name)
        try:
            tables = source.list_tables(schema)
        finally:
            source.close()
        return "tables", tables, self._levels(name, tables)

    def _levels(self, name: str, tables: list[TableInfo]) -> dict[TableRef, Level | None]:
        return self._effective_levels(name, [t.ref for t in tables])

    def _effective_levels(self, name: str, refs: list[TableRef]) -> dict[TableRef, Level | None]:
        """Call from a worker. The level in force, counting the default for columns
        nobody classified (the policy's, when no default is stored)."""
        from dte_desktop.core.privacy.service import effective_policy

        if self.default_level is None:
            self.default_level = effective_policy(self.ctx).default_level
        known = {r: cols for (c, r), cols in self.known_columns.items() if c == name}
        return table_levels(
            self.ctx.store, name, refs, default_level=self.default_level, columns=known
        )

    def fit_kinds(self) -> None:
        """The Kind column grows to its longest text ("postgresql", "schema"), which a
        fixed width clipped to "post…" / "sche…"; it never shrinks under the user."""
        need = self.tree.sizeHintForColumn(1)
        if need > self.tree.columnWidth(1):
            self.tree.setColumnWidth(1, need)

    def _fill(self, item: QTreeWidgetItem, result: Listing) -> None:
        if not isValid(item):
            return  # its connection was removed or changed while the listing ran
        kind, entries, levels = result
        data = node(item)
        data.update(loaded=True, loading=False)
        item.setData(0, ROLE, data)
        item.takeChildren()
        conn = data["connection"]
        for entry in entries:
            if kind == "schemas":
                child = QTreeWidgetItem([entry, "schema", ""])
                child.setData(0, ROLE, {"type": "schema", "connection": conn, "schema": entry})
                self._lazy(child)
            else:
                info: TableInfo = entry
                child = QTreeWidgetItem([info.ref.name, info.kind, _rows(info.estimated_rows)])
                child.setData(0, ROLE, {"type": "table", "connection": conn, "info": info})
                child.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
                if info.comment:
                    child.setToolTip(0, info.comment)
                _badge(child, levels.get(info.ref))
            item.addChild(child)
        if not entries:
            item.setChildIndicatorPolicy(
                QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless
            )
        self.fit_kinds()
        self.apply_filter(self.filter.text())
        noun = kind if len(entries) != 1 else kind.removesuffix("s")
        self.status.emit(f"{item.text(0)}: {len(entries)} {noun}")
        self.children_loaded.emit(item)

    def _child_error(self, item: QTreeWidgetItem, title: str, message: str) -> None:
        if not isValid(item):
            return
        data = node(item)
        data["loading"] = False
        item.setData(0, ROLE, data)
        item.takeChildren()
        err = QTreeWidgetItem([f"⚠ {title}"])
        err.setToolTip(0, message)
        item.addChild(err)
        self._error(title, message)

    def _error(self, title: str, message: str) -> None:
        self.status.emit(f"{title}: {message}")

    # -- classification badges -------------------------------------------------------
    def refresh_badges(self, connection: str) -> None:
        """Classifications of ``connection`` changed: read its listed tables' levels again."""
        items = [it for it in self._table_items() if node(it).get("connection") == connection]
        if not items:
            return
        refs = [node(it)["info"].ref for it in items]

        def show(levels: dict[TableRef, Level | None]) -> None:
            for it in items:
                if isValid(it):
                    _badge(it, levels.get(node(it)["info"].ref))

        run_in_pool(lambda: self._effective_levels(connection, refs), show, self._error)

    def _repaint_badges(self, _theme: str = "") -> None:
        for it in self._table_items():
            _badge(it, it.data(3, ROLE))

    def _table_items(self) -> list[QTreeWidgetItem]:
        found, it = [], QTreeWidgetItemIterator(self.tree)
        while it.value():
            if node(it.value()).get("type") == "table":
                found.append(it.value())
            it += 1
        return found

    # -- filter ----------------------------------------------------------------------
    def apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for item in self._table_items():
            item.setHidden(bool(needle) and needle not in item.text(0).casefold())
