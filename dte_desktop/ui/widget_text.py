"""Every text a widget and its children show (labels, fields, buttons, item views' cells
and tooltips, editors), so a check can search what a screenshot says without reading the
pixels. Password fields are skipped: what they hold is never shown."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)


def widget_texts(root: QWidget, max_rows: int = 2_000) -> list[str]:
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel):
            out.append(w.text())
        elif isinstance(w, QLineEdit):
            if w.echoMode() == QLineEdit.EchoMode.Normal:
                out.append(w.text())
        elif isinstance(w, QAbstractButton | QComboBox):
            out.append(w.text() if isinstance(w, QAbstractButton) else w.currentText())
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            out.append(w.toPlainText())
        elif isinstance(w, QTabWidget):
            out.extend(w.tabText(i) for i in range(w.count()))
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            out.extend(model_texts(w.model(), max_rows))
        if w.toolTip():
            out.append(w.toolTip())
    return [t for t in out if t]


def model_texts(
    model: QAbstractItemModel, max_rows: int, parent: QModelIndex | None = None
) -> list[str]:
    parent = parent or QModelIndex()
    out: list[str] = []
    columns = _columns(model, parent)
    for c in range(columns if not parent.isValid() else 0):
        value = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if value is not None:
            out.append(str(value))
    for r in range(min(_rows(model, parent), max_rows)):
        for c in range(columns):
            index = model.index(r, c, parent)
            for role in ROLES:
                value = model.data(index, role)
                if value is not None:
                    out.append(str(value))
        first = model.index(r, 0, parent)
        if _has_children(model, first):
            out.extend(model_texts(model, max_rows, first))
    return out


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # list models keep columnCount private in PySide6
        return 1


def _rows(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.rowCount(parent)
    except TypeError:
        return model.rowCount()


def _has_children(model: QAbstractItemModel, index: QModelIndex) -> bool:
    try:
        return model.hasChildren(index)
    except TypeError:
        return False
