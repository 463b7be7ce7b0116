"""The results grids (issue 20 item 9, grids): sorting by a header click — the table preview
on the server (ORDER BY through the source), the SQL tab over its loaded rows — masked
columns never sortable; copy as TSV (Ctrl+C) and CSV from the context menu, a masked cell
copying its masked text; the value viewer for long JSON text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from sqlalchemy.engine import make_url

from dte_desktop.core.privacy.labels import classify
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui.theme import apply_theme

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))
ROWS = 12_000  # more than two preview pages (5,000 each)


def _people(pg_url: str) -> list[tuple]:
    u = make_url(pg_url)
    dsn = f"host={u.host} port={u.port} user={u.username} dbname={u.database}"
    rows = [
        (
            i,
            (i * 7919) % 100_003,  # a score whose order is not the id's
            f"{100 + i % 800:03d}-{10 + i % 89:02d}-{1000 + i:04d}",  # ssn-shaped
            json.dumps({"id": i, "tags": ["a", "b"], "note": "x" * 300}),
        )
        for i in range(1, ROWS + 1)
    ]
    with psycopg.connect(dsn) as c:
        c.execute("CREATE TABLE people (id int PRIMARY KEY, score int, ssn text, doc text)")
        with c.cursor().copy("COPY people FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    return rows


def _open(qtbot, window, pg_url):  # type: ignore[no-untyped-def]
    rows = _people(pg_url)
    ctx = window.ctx
    ctx.store.save_connection("pg", pg_url)
    ref = TableRef("public", "people")
    for col in ("id", "score", "doc"):
        classify(ctx.store, "pg", ref, col, "Public", reason="test data")
    view = window.preview
    window.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=60_000):
        view.load("pg", ref)
    return view, rows


def _click_header(qtbot, view, column: int) -> None:  # type: ignore[no-untyped-def]
    header = view.table.horizontalHeader()
    assert header.isVisible()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


@pytest.mark.postgres
def test_preview_sorts_on_the_server_and_never_by_a_masked_column(qtbot, window, pg_url) -> None:
    view, rows = _open(qtbot, window, pg_url)
    model = view.model
    assert model.names == ["id", "score", "ssn", "doc"] and model.masked == {"ssn"}
    score = model.names.index("score")

    with qtbot.waitSignal(view.loaded, timeout=60_000):
        _click_header(qtbot, view, score)
    model = view.model
    top = sorted(r[1] for r in rows)
    # The whole table was ordered (not the first page): its smallest scores come first.
    assert [model.value(i, score) for i in range(50)] == top[:50]
    assert "sorted by score ascending (server)" in view.status.text()
    header = view.table.horizontalHeader()
    assert header.sortIndicatorSection() == score
    with qtbot.waitSignal(view.loaded, timeout=60_000):
        _click_header(qtbot, view, score)  # again: descending
    model = view.model
    assert [model.value(i, score) for i in range(50)] == top[::-1][:50]
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    with qtbot.waitSignal(view.loaded, timeout=60_000):
        model.fetchMore()  # scrolling reads on in the same order
    assert [view.model.value(i, score) for i in range(4_990, 5_010)] == top[::-1][4_990:5_010]

    # A masked column: refused before anything is read, the indicator stays on score.
    ssn = model.names.index("ssn")
    before = [model.value(i, ssn) for i in range(20)]
    _click_header(qtbot, view, ssn)
    qtbot.wait(300)
    assert view.model is model and [model.value(i, ssn) for i in range(20)] == before
    assert "ssn is masked" in view.status.text() and "not sortable" in view.status.text()
    assert header.sortIndicatorSection() == score
    from dte_desktop.core.audit import AuditLog

    last = AuditLog(window.ctx.store).records(action="preview")[-1]
    assert json.loads(last.details)["order_by"] == [["score", "desc"]]
    SHOTS.mkdir(exist_ok=True)
    window.resize(1200, 720)
    window.tabs.setCurrentWidget(view)
    for theme in ("light", "dark"):
        apply_theme(theme)
        qtbot.wait(50)
        view.grab().save(str(SHOTS / f"grid-sorted-{theme}.png"))
    apply_theme("light")


@pytest.mark.postgres
def test_copy_is_masked_and_the_viewer_shows_whole_json(qtbot, window, pg_url) -> None:
    view, rows = _open(qtbot, window, pg_url)
    model, table = view.model, view.table
    raw_ssn = {r[2] for r in rows[:200]}
    table.setFocus()
    table.selectAll()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    tsv = QGuiApplication.clipboard().text()
    lines = tsv.splitlines()
    assert len(lines) == model.rowCount() == 5_000
    first = lines[0].split("\t")
    assert first[0] == str(model.value(0, 0)) and first[2] == model.value(0, 2)
    data = tsv.encode()
    assert not [v for v in raw_ssn if v.encode() in data]  # masked text only, never raw
    assert "Copied 5,000 rows as TSV" in view.status.text()

    # The context menu: CSV of a selection, with headers; JSON quoted per CSV.
    table.clearSelection()
    sel = table.selectionModel()
    from PySide6.QtCore import QItemSelectionModel

    for r in (0, 1):
        for c in (0, 2, 3):
            sel.select(model.index(r, c), QItemSelectionModel.SelectionFlag.Select)
    menu = view.grid.build_menu(table.visualRect(model.index(0, 2)).center())
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:6] == [
        "View value…",
        "Copy cell",
        "Copy selection (TSV)\tCtrl+C",
        "Copy selection as CSV",
        "Copy rows with headers",
        "Copy column",
    ]
    next(a for a in menu.actions() if a.text() == "Copy selection as CSV").trigger()
    import csv
    import io

    got = list(csv.reader(io.StringIO(QGuiApplication.clipboard().text())))
    assert got[0] == ["id", "ssn", "doc"]
    assert got[1][0] == str(model.value(0, 0)) and json.loads(got[1][2])["id"] == model.value(0, 0)
    assert not [v for v in raw_ssn if v in QGuiApplication.clipboard().text()]
    next(a for a in menu.actions() if a.text() == "Copy column").trigger()
    col = QGuiApplication.clipboard().text().splitlines()
    assert col[0] == "ssn" and len(col) == 5_001
    assert not [v for v in raw_ssn if v in col]
    SHOTS.mkdir(exist_ok=True)
    menu.grab().save(str(SHOTS / "grid-menu.png"))

    # Double-click a long JSON cell: the whole document, pretty-printed.
    doc = model.names.index("doc")
    table.scrollTo(model.index(1, doc))
    rect = table.visualRect(model.index(1, doc))
    pos = QPoint(max(rect.left(), 0) + 10, rect.center().y())
    # Qt's view pairs the double-click with the press before it, as a real one has.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    viewer = view.grid.viewer
    assert viewer is not None and viewer.kind == "json"
    shown = viewer.text.toPlainText()
    assert json.loads(shown) == json.loads(rows[1][3]) and '\n  "tags": [' in shown
    assert len(model.data(model.index(1, doc))) <= 200  # the grid shortens it
    viewer.copy_button.click()
    assert json.loads(QGuiApplication.clipboard().text())["note"] == "x" * 300
    viewer.grab().save(str(SHOTS / "value-viewer.png"))
    # The viewer of a masked cell says so and holds the masked text.
    masked = view.grid.view_value(model.index(0, 2))
    assert "masked" in masked.info.text() and masked.text.toPlainText() == model.value(0, 2)
    assert masked.text.toPlainText() not in raw_ssn
    masked.close()
    viewer.close()


@pytest.mark.postgres
def test_sql_results_sort_over_loaded_rows_masked_refused(qtbot, window, pg_url) -> None:
    from tests.ui.test_sql_console import run_query

    _view, rows = _open(qtbot, window, pg_url)
    console = window.sql_console
    console.set_connection("pg")
    window.open_sql_console()
    results = console.results
    with qtbot.waitSignal(results.loaded, timeout=60_000):
        run_query(qtbot, window, "SELECT id, score, ssn FROM people ORDER BY id")
    model = results.model
    assert results.masked_columns() == ["ssn"]  # id and score are traced to Public columns
    before = [model.value(i, 2) for i in range(30)]
    _click_header(qtbot, results, 2)
    assert [model.value(i, 2) for i in range(30)] == before
    assert "ssn is masked" in results.status.text()
    assert not results.table.horizontalHeader().isSortIndicatorShown()

    _click_header(qtbot, results, 1)  # no statement is sent: the loaded rows are ordered
    got = [model.value(i, 1) for i in range(model.rowCount())]
    assert got == sorted(r[1] for r in rows[:5_000])
    assert "Sorted the 5,000 loaded rows by score, ascending (in the grid" in results.status.text()
    assert results.table.horizontalHeader().sortIndicatorSection() == 1
    with qtbot.waitSignal(results.loaded, timeout=60_000):
        model.fetchMore()  # rows loaded later join the sort
    got = [model.value(i, 1) for i in range(model.rowCount())]
    assert len(got) == 10_000 and got == sorted(r[1] for r in rows[:10_000])
    # The masked column's cells moved with their rows: each row still pairs id and ssn.
    ids = [model.value(i, 0) for i in range(model.rowCount())]
    assert sorted(ids) == list(range(1, 10_001))
    SHOTS.mkdir(exist_ok=True)
    console.grab().save(str(SHOTS / "sql-sorted.png"))
