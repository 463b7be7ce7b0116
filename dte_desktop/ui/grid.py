"""What a results grid offers beyond scrolling (the table preview and the SQL tab share
it): copy the selection as TSV (Ctrl+C) or CSV, a cell / its rows / its column, a value
viewer for long text, JSON and binary (double-click or "View value…"), and sorting by a
header click, asked of the grid's owner.

Everything copied or viewed comes from the model, which holds only what core handed over:
masked batches (a revealed column excepted). A masked cell therefore copies its masked
text; no raw value is within reach of this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QTableView

from dte_desktop.ui.preview_model import ArrowTableModel, full_text
from dte_desktop.ui.value_viewer import ValueViewer


def cell_text(value: Any) -> str:
    """A cell as copied: NULL is an empty field, everything else its whole text."""
    return "" if value is None else full_text(value)


def delimited(rows: Sequence[Sequence[str]], delimiter: str) -> str:
    """TSV or CSV text; a field with the delimiter, a quote or a line break is quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


class GridActions(QObject):
    """Copy, view and sort on a ``QTableView`` showing an ``ArrowTableModel``."""

    sort_requested = Signal(int, bool)  # column, descending
    copied = Signal(str)  # what was copied, said in the status line

    def __init__(self, view: QTableView, menu_extra: Callable[[QMenu, int], None] | None = None):
        super().__init__(view)
        self.view = view
        self.menu_extra = menu_extra
        self.viewer: ValueViewer | None = None
        view.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._menu)
        view.doubleClicked.connect(self.view_value)
        copy = QAction("Copy", view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        view.addAction(copy)
        header = view.horizontalHeader()
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        self.sort_column: int | None = None
        self.descending = False

    @property
    def model(self) -> ArrowTableModel | None:
        model = self.view.model()
        return model if isinstance(model, ArrowTableModel) else None

    # -- copying -----------------------------------------------------------------------
    def _selected(self) -> tuple[list[int], list[int], set[tuple[int, int]]]:
        indexes = self.view.selectionModel().selectedIndexes() if self.view.model() else []
        if not indexes and self.view.currentIndex().isValid():
            indexes = [self.view.currentIndex()]
        cells = {(i.row(), i.column()) for i in indexes}
        return sorted({r for r, _ in cells}), sorted({c for _, c in cells}), cells

    def selection_rows(self, *, headers: bool = False) -> list[list[str]]:
        model = self.model
        if model is None:
            return []
        rows, cols, cells = self._selected()
        out = [[model.names[c] for c in cols]] if headers and cols else []
        for r in rows:
            out.append([cell_text(model.value(r, c)) if (r, c) in cells else "" for c in cols])
        return out

    def _put(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(what)

    def copy_selection(self, *, csv_format: bool = False, headers: bool = False) -> str:
        rows = self.selection_rows(headers=headers or csv_format)
        if not rows:
            return ""
        text = delimited(rows, "," if csv_format else "\t")
        n = len(rows) - (1 if headers or csv_format else 0)
        self._put(text, f"Copied {n:,} row{'s' * (n != 1)} as {'CSV' if csv_format else 'TSV'}")
        return text

    def copy_cell(self) -> None:
        model, idx = self.model, self.view.currentIndex()
        if model is not None and idx.isValid():
            self._put(cell_text(model.value(idx.row(), idx.column())), "Copied the cell")

    def copy_rows(self, csv_format: bool = False) -> None:
        model = self.model
        if model is None:
            return
        rows, _, _ = self._selected()
        body = [[cell_text(model.value(r, c)) for c in range(len(model.names))] for r in rows]
        text = delimited([model.names, *body], "," if csv_format else "\t")
        self._put(text, f"Copied {len(rows):,} row{'s' * (len(rows) != 1)} with headers")

    def copy_column(self, column: int, csv_format: bool = False) -> None:
        """The column's loaded cells, its name first."""
        model = self.model
        if model is None:
            return
        body = [[cell_text(model.value(r, column))] for r in range(model.rowCount())]
        text = delimited([[model.names[column]], *body], "," if csv_format else "\t")
        self._put(text, f"Copied column {model.names[column]} ({len(body):,} loaded rows)")

    # -- viewing -----------------------------------------------------------------------
    def view_value(self, index: QModelIndex | None = None) -> ValueViewer | None:
        model = self.model
        idx = index if isinstance(index, QModelIndex) else self.view.currentIndex()
        if model is None or not idx.isValid():
            return None
        name = model.names[idx.column()]
        value = model.value(idx.row(), idx.column())
        self.viewer = ValueViewer(name, value, name in model.masked, self.view)
        self.viewer.open()
        return self.viewer

    # -- sorting -----------------------------------------------------------------------
    def _header_clicked(self, section: int) -> None:
        desc = section == self.sort_column and not self.descending
        self.sort_requested.emit(section, desc)

    def show_sorted(self, column: int | None, descending: bool = False) -> None:
        """Draw the indicator for the sort in force (None: unsorted)."""
        self.sort_column, self.descending = column, descending
        header = self.view.horizontalHeader()
        header.setSortIndicatorShown(column is not None)
        if column is not None:
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(column, order)

    # -- the menu ----------------------------------------------------------------------
    def build_menu(self, pos: QPoint | None = None) -> QMenu:
        menu = QMenu(self.view)
        idx = self.view.indexAt(pos) if pos is not None else self.view.currentIndex()
        if idx.isValid() and not self.view.selectionModel().isSelected(idx):
            self.view.setCurrentIndex(idx)
        col = idx.column() if idx.isValid() else -1
        has = self.model is not None and idx.isValid()
        for text, slot in (
            ("View value…", lambda: self.view_value(idx)),
            ("Copy cell", self.copy_cell),
            ("Copy selection (TSV)\tCtrl+C", self.copy_selection),
            ("Copy selection as CSV", lambda: self.copy_selection(csv_format=True)),
            ("Copy rows with headers", self.copy_rows),
            ("Copy column", lambda: self.copy_column(col)),
        ):
            action = menu.addAction(text, slot)
            action.setEnabled(has)
        menu.addSeparator()
        for text, desc in (("Sort ascending", False), ("Sort descending", True)):
            action = menu.addAction(text, lambda d=desc: self.sort_requested.emit(col, d))
            action.setEnabled(has)
        if self.menu_extra is not None:
            self.menu_extra(menu, col)
        return menu

    def _menu(self, pos: QPoint) -> None:
        self.build_menu(pos).popup(self.view.viewport().mapToGlobal(pos))
