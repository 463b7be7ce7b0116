"""Export this query (issue 20 items 8/9): the SQL tab hands its query to the Export tab,
masked by default; the job runs in the worker like a table export, and the file holds the
query's rows — columns traced to stored columns masked as those columns, a computed one at
the policy's level for unknown columns, the raw SSNs nowhere in it."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import make_url

from dte_desktop.core.jobs.events import JobFinished
from dte_desktop.core.privacy.labels import classify
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.store import JobStatus
from dte_desktop.ui.main_window import TAB_EXPORT
from dte_desktop.ui.theme import apply_theme
from tests.ui.test_sql_console import run_query

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))
SQL = "SELECT id, ssn, city, upper(city) AS loud FROM people WHERE id <= 300 ORDER BY id"


@pytest.mark.postgres
def test_export_this_query_writes_its_rows_masked(qtbot, window, pg_url, tmp_path, caplog) -> None:
    u = make_url(pg_url)
    with psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname={u.database}") as c:
        c.execute("CREATE TABLE people (id int PRIMARY KEY, ssn text, city text)")
        c.execute(
            "INSERT INTO people SELECT g, lpad((100 + g % 700)::text, 3, '0') || '-' || "
            "lpad((10 + g % 80)::text, 2, '0') || '-' || lpad((1000 + g)::text, 4, '0'), "
            "(ARRAY['Oslo','Lima','Pune'])[1 + g % 3] FROM generate_series(1, 1000) g"
        )
        raw_ssn = [r[0] for r in c.execute("SELECT ssn FROM people WHERE id <= 300")]
    ctx = window.ctx
    ctx.store.save_connection("pg", pg_url)
    ref = TableRef("public", "people")
    classify(ctx.store, "pg", ref, "id", "Public", reason="test data")
    classify(ctx.store, "pg", ref, "city", "Public", reason="test data")
    classify(ctx.store, "pg", ref, "ssn", "HRCI", pii_type="ssn", reason="test data")
    console = window.sql_console
    console.set_connection("pg")
    window.open_sql_console()
    with qtbot.waitSignal(console.results.loaded, timeout=60_000):
        run_query(qtbot, window, SQL + ";")
    shown = console.results.model
    qtbot.wait(300)  # the first page's follow-ups in the pool have run
    # A query is no table to profile: no banner, and no worker failing to look one up.
    assert not console.results.banner.isVisible()
    assert "background task failed" not in caplog.text
    SHOTS.mkdir(exist_ok=True)
    window.resize(1280, 800)
    console.grab().save(str(SHOTS / "sql-export-button.png"))
    form = window.export_form
    form.mask.setChecked(False)  # a previous export's choice does not carry over
    qtbot.mouseClick(console.export_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == TAB_EXPORT
    assert form.query_box.active and form.query_box.sql_text.toPlainText() == SQL
    assert form.query_box.sql_text.isReadOnly() and not form.what.isVisible()
    assert form.mask.isChecked() and not form.partitions.isEnabled()
    assert "Export a query from" in form.heading.text()
    out = tmp_path / "out"
    form.out_dir.setText(str(out))
    form.format.setCurrentText("csv")
    form.query_box.name.setText("people by id")
    spec = form.spec()
    assert spec.tables == () and spec.queries[0].sql == SQL and spec.mask
    assert spec.queries[0].name == "people_by_id"
    SHOTS.mkdir(exist_ok=True)
    window.resize(1280, 800)
    for theme in ("light", "dark"):
        apply_theme(theme)
        qtbot.wait(50)
        form.grab().save(str(SHOTS / f"export-query-{theme}.png"))
    apply_theme("light")

    seen: list[object] = []
    window.jobs.event.connect(seen.append)
    with qtbot.waitSignal(window.jobs.started, timeout=30_000):
        qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
        assert form.message.text() == "Starting the export of query people_by_id…"

    def done() -> JobFinished | None:
        return next((e for e in seen if isinstance(e, JobFinished)), None)

    qtbot.waitUntil(lambda: done() is not None, timeout=120_000)
    assert done().status == JobStatus.COMPLETE, done()
    files = list(out.rglob("*.csv"))
    assert [f.name for f in files] == ["people_by_id.csv"]
    data = files[0].read_bytes()
    assert not [s for s in raw_ssn if s.encode() in data]  # the raw SSNs are nowhere
    rows = list(csv.DictReader(data.decode().splitlines()))
    assert [r["id"] for r in rows] == [str(i) for i in range(1, 301)]  # the query's rows
    assert rows[0]["city"] in ("Oslo", "Lima", "Pune")  # Public: kept
    assert all(r["ssn"] and r["ssn"] not in raw_ssn for r in rows)  # masked
    assert not {r["loud"] for r in rows} & {"OSLO", "LIMA", "PUNE"}  # computed: masked
    # The grid showed the same masked stand-ins the file holds.
    assert [shown.value(i, 1) for i in range(5)] == [r["ssn"] for r in rows[:5]]

    # Back to a table: the catalog's Ctrl+E fills the form from the table again.
    window.export_form.set_target("pg", [], None)
    assert not form.query_box.active and form.partitions.isEnabled()
