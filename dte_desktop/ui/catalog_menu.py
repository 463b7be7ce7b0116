"""The catalog's context menu on a table: Preview, Profile, Export…, Copy name, Show DDL.
Preview, Profile and Export are the window's own actions on the selected table (the menu
selects the row it opened on first); Copy name and Show DDL are answered here."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QTreeWidgetItem

from dte_desktop.ui.ddl_view import DdlDialog

ACTIONS = (("Preview", "preview"), ("Profile", "profile"), ("Export…", "export"))


def install(catalog: Any) -> None:
    tree = catalog.tree
    tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    tree.customContextMenuRequested.connect(
        lambda pos: _popup(catalog, tree.itemAt(pos), tree.viewport().mapToGlobal(pos))
    )


def _popup(catalog: Any, item: QTreeWidgetItem | None, at: QPoint) -> None:
    menu = table_menu(catalog, item)
    if menu is not None:
        menu.popup(at)


def table_menu(catalog: Any, item: QTreeWidgetItem | None) -> QMenu | None:
    from dte_desktop.ui.catalog import node

    data = node(item)
    if data.get("type") != "table":
        return None
    catalog.tree.setCurrentItem(item)
    conn, ref = data["connection"], data["info"].ref
    menu = QMenu(catalog.tree)
    for text, key in ACTIONS:
        menu.addAction(text, lambda k=key: catalog.action_requested.emit(k))
    menu.addSeparator()
    menu.addAction("Copy name", lambda: _copy_name(catalog, ref.display()))
    menu.addAction("Show DDL", lambda: show_ddl(catalog, conn, ref))
    return menu


def _copy_name(catalog: Any, name: str) -> None:
    QGuiApplication.clipboard().setText(name)
    catalog.status.emit(f"Copied {name}")


def show_ddl(catalog: Any, connection: str, ref: Any) -> DdlDialog:
    dlg = DdlDialog(catalog.ctx, connection, ref, catalog.window())
    catalog.ddl_dialog = dlg
    dlg.open()
    return dlg
