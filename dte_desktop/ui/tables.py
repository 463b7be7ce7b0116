"""The read-only tables the screens share (job lists, grids, statistics, audit records)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget


def read_only_table(columns: list[str], name: str, *, rows: str | None = None) -> QTableWidget:
    """Headers, no row numbers, not editable. ``rows="single"`` selects one whole row,
    ``rows="many"`` whole rows with Qt's default (extended) selection."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if rows is not None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if rows == "single":
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return table
