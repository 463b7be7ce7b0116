"""No raw value of a masked column reaches a GUI screen (issue 14, the GUI part of the
leak test): the demo's customers table is previewed, profiled and sampled as a person does
it, then every text the window holds — table cells and tooltips, item-view models, labels,
text boxes, the profile charts' figures — is searched for each raw value of every column the
privacy gate masks."""

from __future__ import annotations

import os
import re
import sqlite3

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
)

from tests.ui.conftest import select_table
from tests.ui.test_sample_view import draw

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)


def _model_texts(model: QAbstractItemModel, out: list[str], parent=None, depth=0) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    rows = min(model.rowCount(parent), 2_000)
    try:
        cols = model.columnCount(parent)
        parent_capable = True
    except TypeError:  # list/table models keep columnCount private: flat, one column
        cols, parent_capable = 1, False
    for r in range(rows):
        for c in range(cols):
            idx = model.index(r, c, parent)
            out.extend(str(v) for role in ROLES if (v := model.data(idx, role)) is not None)
            if depth < 3 and parent_capable and model.rowCount(idx) > 0:
                _model_texts(model, out, idx, depth + 1)
    for c in range(cols):
        head = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        out.append(str(head))


def screen_texts(root: QWidget) -> list[str]:
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        out.append(w.toolTip())
        if isinstance(w, QLabel | QLineEdit):
            out.append(w.text())
        elif isinstance(w, QTextEdit | QPlainTextEdit):
            out.append(w.toPlainText())
        elif isinstance(w, QAbstractItemView | QTableWidget | QTreeWidget) and w.model():
            _model_texts(w.model(), out)
    return [t for t in out if t]


def raw_values(db: str, columns: list[str]) -> dict[str, set[str]]:
    con = sqlite3.connect(db)
    try:
        return {c: {str(v) for (v,) in con.execute(f'SELECT DISTINCT "{c}" FROM customers')
                    if v is not None and _identifying(str(v))} for c in columns}  # fmt: skip
    finally:
        con.close()


def _identifying(value: str) -> bool:
    """Worth searching for. Masked values keep their type and shape (a tokenized 5-digit
    postal code is another 5-digit code, a tokenized price another price), so a short
    all-digit value can appear on screen as some *other* row's token by chance; from 8
    digits on (phones, cards, SSNs, dates) a match is a leak. A value made only of the
    shape alphabet (9, A, a) is its own pattern shape, which the gate rightly shows."""
    if len(value) < 4 or re.fullmatch(r"[9Aa .\-]+", value):
        return False
    return bool(re.search(r"[^\W\d_]", value)) or len(re.sub(r"\D", "", value)) >= 8


def leaks(texts: list[str], raw: dict[str, set[str]]) -> dict[str, list[str]]:
    # Whole words: 'George' inside the Public city 'Georgetown' is not a leak.
    words = {t.strip() for t in texts}
    for t in texts:
        words.update(re.findall(r"[\w@.+\-/:]+", t))
        words.update(w.strip() for w in re.split(r"[|,;\n\t]| — | – ", t))
    found = {c: sorted(v & words)[:5] for c, v in raw.items()}
    return {c: v for c, v in found.items() if v}


def test_no_raw_value_of_a_masked_column_reaches_a_screen(qtbot, window) -> None:
    db = os.path.join(os.environ["DTE_HOME"], "demo.sqlite")
    select_table(qtbot, window, "customers")

    with qtbot.waitSignal(window.preview.loaded, timeout=30_000):
        window.preview_selected()
    masked = window.preview.masked_columns()
    assert {"first_name", "email", "ssn", "card_number", "iban"} <= set(masked)
    raw = raw_values(db, masked)
    assert sum(map(len, raw.values())) > 1_000  # the search has something to find
    seen = screen_texts(window)

    view = window.profile_view
    window.tree.setFocus()
    with qtbot.waitSignal(view.profiled, timeout=120_000) as done:
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    data = done.args[0]
    assert {c["name"] for c in data["columns"] if not c["masking"]["shown_raw"]} >= set(masked)
    for row in range(view.table.rowCount()):  # each column's charts, as a user clicks down
        view.table.setCurrentCell(row, 0)
        seen += screen_texts(view)
        column = view.charts.column or {}
        seen += [str(t.get("value")) for t in column.get("top_values") or []]
        seen += [str(b) for b in column.get("histogram") or []]
        seen += [str(column.get(k)) for k in ("min", "max", "mean", "median")]

    window.tabs.setCurrentWidget(window.sample_view)
    window.sample_view.size.setValue(60)
    draw(qtbot, window.sample_view)
    seen += screen_texts(window)

    assert leaks(seen, raw) == {}
    # The search bites: the same screens hold the raw values of the Public columns.
    public = raw_values(db, ["city", "state"])
    assert leaks(seen, public)
