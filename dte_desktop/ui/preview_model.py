"""A lazy table model over Arrow record batches.

The model keeps the batches themselves (never Python lists of rows) and formats a cell only
when a view asks for it, so a million rows cost the Arrow buffers and nothing more. More
rows arrive through ``fetchMore``: the model asks (``fetch_requested``), a loader reads and
masks the next batch in a worker, and hands it back with ``append_batch``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from dte_desktop.core.export.cells import decimal_text, time_text
from dte_desktop.ui import theme

Index = QModelIndex | QPersistentModelIndex
_MAX_CELL = 200


def full_text(value: Any) -> str:
    """A cell's whole text, as copied and shown in the value viewer (the grid shortens
    it): bytes as hex, NULL as ``NULL``."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str):
        return value
    return format_value(value)


def format_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        head = value[:16].hex()
        return f"0x{head}…" if len(value) > 16 else f"0x{head}"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # SQL TIME (MySQL's ±838:59:59)
        return time_text(value)
    if isinstance(value, decimal.Decimal):
        return decimal_text(value)
    text = str(value)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


class ArrowTableModel(QAbstractTableModel):
    fetch_requested = Signal()

    def __init__(self, schema: pa.Schema, parent: Any = None) -> None:
        super().__init__(parent)
        self.schema = schema
        self.names = list(schema.names)
        self.batches: list[pa.RecordBatch] = []
        self._starts: list[int] = []
        self._rows = 0
        self._more = False
        self._fetching = False
        self.levels: dict[str, str] = {}  # column -> classification level
        self.tooltips: dict[str, str] = {}
        self.masked: frozenset[str] = frozenset()  # columns core masked (operator not keep)
        self._masked_cols: frozenset[int] = frozenset()
        self._perm: list[int] | None = None  # a client-side sort of the loaded rows
        self.sorted_by: tuple[int, bool] | None = None
        self._null_font = QFont()
        self._null_font.setItalic(True)

    # -- feeding ---------------------------------------------------------------------
    def append_batch(self, batch: pa.RecordBatch, more: bool) -> None:
        """Only masked batches may arrive here (the loader masks before it hands over)."""
        self._fetching = False
        self._more = more
        if batch.num_rows:
            first = self._rows
            self.beginInsertRows(QModelIndex(), first, first + batch.num_rows - 1)
            self.batches.append(batch)
            self._starts.append(first)
            self._rows += batch.num_rows
            self.endInsertRows()
            if self.sorted_by is not None:  # new rows take their place in the sort
                self.sort_loaded(*self.sorted_by)

    def fetch_failed(self) -> None:
        self._fetching = False
        self._more = False

    def set_headers(
        self,
        levels: Mapping[str, str],
        tooltips: Mapping[str, str],
        masked: frozenset[str] = frozenset(),
    ) -> None:
        self.levels, self.tooltips = dict(levels), dict(tooltips)
        self.masked = frozenset(masked)
        self._masked_cols = frozenset(i for i, n in enumerate(self.names) if n in self.masked)
        if self.names:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.names) - 1)

    @property
    def has_more(self) -> bool:
        return self._more

    # -- Qt model API ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.names)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetching = True
            self.fetch_requested.emit()

    def sort_loaded(self, column: int, descending: bool) -> None:
        """Order the rows loaded so far by ``column`` (client-side; the caller has asked
        core's ``sort_refusal`` first: a masked column is never sorted). Nulls last.
        Raises ``pa.ArrowNotImplementedError`` for a type Arrow cannot order."""
        self.layoutAboutToBeChanged.emit()
        if self._rows:
            values = pa.chunked_array([b.column(column) for b in self.batches])
            order = "descending" if descending else "ascending"
            idx = pc.sort_indices(values, sort_keys=[("x", order, "at_end")])
            self._perm = idx.to_pylist()
        self.sorted_by = (column, descending)
        self.layoutChanged.emit()

    def value(self, row: int, column: int) -> Any:
        if self._perm is not None and row < len(self._perm):
            row = self._perm[row]
        i = bisect.bisect_right(self._starts, row) - 1
        batch = self.batches[i]
        return batch.column(column)[row - self._starts[i]].as_py()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < self._rows and 0 <= col < len(self.names)):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return format_value(self.value(row, col))
        if role == Qt.ItemDataRole.FontRole and self.value(row, col) is None:
            return self._null_font
        if col in self._masked_cols and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            back, fore = theme.masked_colours()
            return back if role == Qt.ItemDataRole.BackgroundRole else fore
        if role == Qt.ItemDataRole.TextAlignmentRole:
            t = self.schema.field(col).type
            if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self.names):
            return None
        name = self.names[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.DecorationRole:
            return theme.lock_icon() if name in self.masked else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltips.get(name, name)
        if role == Qt.ItemDataRole.BackgroundRole:
            level = self.levels.get(name)
            return theme.level_colour(level) if level else None
        if role == Qt.ItemDataRole.ForegroundRole and self.levels.get(name):
            return QColor("#ffffff") if theme.current() == "dark" else QColor("#1a1a1a")
        return None
