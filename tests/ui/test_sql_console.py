"""The SQL tab (issue 20 item 9): a read-only console whose results go through the same
privacy gate as a table preview. Typed and run with the keyboard as a person does: Ctrl+]
opens it, Ctrl+Enter runs, Esc cancels a long statement on the server."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from dte_desktop.core.privacy.labels import classify
from dte_desktop.core.sources.base import TableRef
from tests.ui.conftest import select_table

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def run_query(qtbot, window, sql: str) -> None:  # type: ignore[no-untyped-def]
    console = window.sql_console
    console.editor.setPlainText(sql)
    console.editor.setFocus()
    qtbot.keyClick(console.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_console_runs_a_read_only_query_masked_by_the_gate(qtbot, window) -> None:
    select_table(qtbot, window, "customers")
    window.tree.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    console = window.sql_console
    assert window.tabs.currentWidget() is console
    assert "Demo (SQLite)" in console.target.text()

    with qtbot.waitSignal(console.results.loaded, timeout=60_000):
        run_query(
            qtbot,
            window,
            "SELECT customer_id, email, ssn, upper(city) AS loud\nFROM customers\n"
            "WHERE customer_id <= 300 -- first ones\nORDER BY customer_id;",
        )
    model = console.results.model
    assert model is not None and model.rowCount() == 300
    assert model.names == ["customer_id", "email", "ssn", "loud"]
    # SQLite cannot say which stored column a result column reads: every column gets the
    # policy's level for unknown columns, never Public by accident.
    assert set(console.results.masked_columns()) == set(model.names)
    db = os.path.join(os.environ["DTE_HOME"], "demo.sqlite")
    con = sqlite3.connect(db)
    raw = {v for r in con.execute("SELECT email, ssn FROM customers LIMIT 300") for v in r}
    shown = {
        str(model.data(model.index(r, c))) for r in range(model.rowCount()) for c in range(1, 3)
    }
    assert raw and not (raw & shown)
    assert console.history.count() == 1 and "FROM customers" in console.history.item(0).text()
    SHOTS.mkdir(exist_ok=True)
    window.resize(1280, 800)
    console.grab().save(str(SHOTS / "sql-console.png"))
    from dte_desktop.ui.theme import apply_theme

    apply_theme("dark")
    qtbot.wait(50)
    console.grab().save(str(SHOTS / "sql-console-dark.png"))
    apply_theme("light")

    with qtbot.waitSignal(console.results.loader.failed, timeout=30_000) as failed:
        run_query(qtbot, window, "DELETE FROM customers")
    assert "was not sent" in failed.args[1]
    assert "was not sent" in console.results.status.text()
    assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == 100_000
    assert console.history.count() == 2  # newest first; double-click brings one back
    console.history.itemDoubleClicked.emit(console.history.item(1))
    assert "FROM customers" in console.editor.toPlainText()


@pytest.mark.postgres
def test_console_traces_columns_and_cancels_on_the_server(qtbot, window, pg_url) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(pg_url)
    dsn = f"host={u.host} port={u.port} user={u.username} dbname={u.database}"
    with psycopg.connect(dsn) as c:
        c.execute("CREATE TABLE staff (id int PRIMARY KEY, email text)")
        c.execute(
            "INSERT INTO staff SELECT g, 'staff' || g || '@corp.example' "
            "FROM generate_series(1, 40) g"
        )
    ctx = window.ctx
    ctx.store.save_connection("pg", pg_url)
    classify(ctx.store, "pg", TableRef("public", "staff"), "id", "Public")
    console = window.sql_console
    console.set_connection("pg")
    window.open_sql_console()

    with qtbot.waitSignal(console.results.loaded, timeout=60_000):
        run_query(qtbot, window, "SELECT id, email FROM staff ORDER BY id")
    model = console.results.model
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["1", "2", "3"]
    assert console.results.masked_columns() == ["email"]
    assert not [r for r in range(40) if "@corp.example" in str(model.data(model.index(r, 1)))]

    with qtbot.waitSignal(console.results.loader.failed, timeout=30_000) as failed:
        run_query(qtbot, window, "SELECT pg_sleep(60) AS slow")
        qtbot.wait(1_500)
        assert console.cancel_button.isEnabled()
        qtbot.keyClick(console.editor, Qt.Key.Key_Escape)
    assert "cancel" in failed.args[1].lower()
    assert not console.cancel_button.isEnabled()
