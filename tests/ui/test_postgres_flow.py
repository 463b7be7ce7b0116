"""One analyst's afternoon against a real PostgreSQL that checks passwords (the private
scram-sha-256 cluster): add the connection (wrong password, then the right one), browse to a
table whose name needs quoting, preview it masked, profile it, export it masked in two
slices. No OS keyring and no passphrase in the environment: the GUI asks once, and the
export's worker process gets the passphrase through its pipe."""

from __future__ import annotations

import uuid

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PySide6.QtCore import Qt, QTimer

from dte_desktop.core.jobs.events import JobFinished
from dte_desktop.core.store import JobStatus
from tests.integration.conftest import SOCKET_DIR
from tests.ui.conftest import answer_passphrase, close_window, make_window
from tests.ui.test_connections import fill_network

ROWS = 20_000
TABLE = "Kunden Liste"  # a space and capitals: quoted everywhere or it breaks


@pytest.fixture
def pg_schema(auth_cluster):  # type: ignore[no-untyped-def]
    """A private schema owned by the test user in the scram cluster, dropped afterwards."""
    schema = f"ui_{uuid.uuid4().hex[:8]}"
    dsn = f"host={SOCKET_DIR} port={auth_cluster.port} user=postgres dbname={auth_cluster.db_ok}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION {auth_cluster.user}')
        conn.execute(
            f'CREATE TABLE "{schema}"."{TABLE}" (id int PRIMARY KEY, email text, ssn text, '
            "amount numeric(12,2))"
        )
        conn.execute(
            f'INSERT INTO "{schema}"."{TABLE}" SELECT g, '
            "'person' || g || '@example.org', "
            "lpad((100 + g % 800)::text, 3, '0') || '-' || lpad((10 + g % 89)::text, 2, '0') "
            "|| '-' || lpad((1000 + g)::text, 4, '0'), g * 1.25 "
            f"FROM generate_series(1, {ROWS}) g"
        )
        conn.execute(f'ALTER TABLE "{schema}"."{TABLE}" OWNER TO {auth_cluster.user}')
        conn.execute(f'ANALYZE "{schema}"."{TABLE}"')
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def child(item, text: str):  # type: ignore[no-untyped-def]
    return next(item.child(i) for i in range(item.childCount()) if item.child(i).text(0) == text)


@pytest.mark.postgres
def test_connect_browse_preview_profile_export(
    qtbot, demo_home, monkeypatch, auth_cluster, pg_schema, tmp_path
) -> None:
    monkeypatch.delenv("DTE_MASTER_PASSPHRASE", raising=False)
    from dte_desktop.core.app import bootstrap

    ctx = bootstrap()
    window = make_window(qtbot, ctx)
    asked: list[str] = []
    try:
        # 1. Add the connection: the wrong password fails clearly, the right one saves.
        dlg = window.new_connection()
        fill_network(
            qtbot, dlg, name="warehouse", kind=0, host=auth_cluster.host,
            port=auth_cluster.port, database=auth_cluster.db_ok, user=auth_cluster.user,
            password="not-the-password",
        )  # fmt: skip
        with qtbot.waitSignal(dlg.tested, timeout=20_000) as tested:
            qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
        ok, text = tested.args
        assert ok is False and "not-the-password" not in text
        assert "password" in text.lower() or "authentication" in text.lower()
        dlg.password.clear()
        qtbot.keyClicks(dlg.password, auth_cluster.password)
        with qtbot.waitSignal(dlg.tested, timeout=20_000) as tested:
            qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
        assert tested.args[0] is True, tested.args[1]
        QTimer.singleShot(20, lambda: answer_passphrase(qtbot, asked, "afternoon passphrase"))
        with qtbot.waitSignal(dlg.saved, timeout=20_000):
            qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
        assert len(asked) == 1  # the file store's passphrase, asked once
        assert auth_cluster.password not in ctx.store.get_connection("warehouse").url
        dlg.close()
        window.activateWindow()  # back to the main window: its shortcuts work again
        qtbot.waitUntil(window.isActiveWindow)

        # 2. Browse: connection → schema → table (listed in workers).
        with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
            window.refresh_connections()
        conn_item = window.catalog.find_connection("warehouse")
        window.tree.setCurrentItem(conn_item)
        with qtbot.waitSignal(window.catalog.children_loaded, timeout=20_000):
            window.tree.expandItem(conn_item)
        schema_item = child(conn_item, pg_schema)
        with qtbot.waitSignal(window.catalog.children_loaded, timeout=20_000):
            window.tree.expandItem(schema_item)
        table_item = window.catalog.find_table("warehouse", TABLE)
        assert table_item is not None
        window.tree.setCurrentItem(table_item)

        # 3. Preview: unclassified columns fall to the policy's default level: masked.
        with qtbot.waitSignal(window.preview.loaded, timeout=30_000):
            window.preview_selected()
        model = window.preview.model
        assert model.rowCount() > 0
        assert {"email", "ssn"} <= set(window.preview.masked_columns())
        shown = {
            str(model.data(model.index(r, model.names.index(c))))
            for r in range(model.rowCount())
            for c in ("email", "ssn")
        }
        assert not {v for v in shown if v.endswith("@example.org") and v.startswith("person")}

        # 4. Profile with charts. The analyst has marked `amount` Public (as `dte classify`
        # does); the unclassified columns stay at the default level and show no raw figures.
        from dte_desktop.core.privacy.labels import classify
        from dte_desktop.core.sources.base import TableRef

        classify(ctx.store, "warehouse", TableRef(pg_schema, TABLE), "amount", "Public")
        view = window.profile_view
        window.tree.setFocus()
        view.data = None
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(
            lambda: view.data is not None or "profiling…" not in view.title.text(),
            timeout=120_000,
        )
        assert view.data is not None, view.title.text()  # an error is shown in the title
        assert view.data["row_count"] == ROWS
        names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
        view.table.setCurrentCell(names.index("amount"), 0)
        assert view.charts.canvas is not None and len(view.charts.column["histogram"]) > 1
        view.table.setCurrentCell(names.index("email"), 0)
        tops = [str(t["value"]) for t in view.charts.column.get("top_values") or []]
        assert not [t for t in tops if t.startswith("person") and t.endswith("@example.org")]

        # 5. Export, masked, in two slices, in the worker process.
        seen: list[object] = []
        window.jobs.event.connect(seen.append)
        window.tree.setCurrentItem(table_item)
        window.tree.setFocus()
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        form = window.export_form
        form.workers.setValue(2)
        form.partitions.setValue(2)
        form.mask.setChecked(True)
        with qtbot.waitSignal(window.jobs.started, timeout=30_000) as started:
            qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
        job_id = started.args[0].job_id
        qtbot.waitUntil(
            lambda: any(isinstance(e, JobFinished) and e.job_id == job_id for e in seen),
            timeout=120_000,
        )
        fin = next(e for e in seen if isinstance(e, JobFinished))
        assert fin.status == JobStatus.COMPLETE, fin.summary
        assert fin.summary["rows"] == ROWS
        assert len(asked) == 1  # the worker was handed the passphrase; nobody asked again
        items = ctx.store.list_items(job_id)
        assert len(items) == 2 and all(i.status == "done" for i in items)
        table = pa.concat_tables(pq.read_table(i.output_path) for i in items)
        # Unclassified columns fall to the default level, so even ``id`` is tokenized: a
        # format-preserving permutation, so the slices still hold every row exactly once.
        assert table.num_rows == ROWS and len(set(table.column("id").to_pylist())) == ROWS
        assert not any(v.startswith("person") for v in table.column("email").to_pylist() if v)
    finally:
        close_window(qtbot, window)
        ctx.close()
