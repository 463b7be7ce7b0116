"""The connections dialog: add, test (real servers), audit, remove."""

from __future__ import annotations

import os
import uuid

import pytest
from PySide6.QtCore import Qt

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.secrets import CredentialStore
from tests.conftest import MY_HOST, MY_PORT, require_server


def fill_network(qtbot, dlg, *, name, kind, host, port, database, user, password=""):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dlg.name, name)
    dlg.kind.setCurrentIndex(kind)
    for widget, text in (
        (dlg.host, host),
        (dlg.port, str(port)),
        (dlg.database, database),
        (dlg.user, user),
        (dlg.password, password),
    ):
        widget.clear()
        qtbot.keyClicks(widget, text)


def test_add_sqlite_connection_saves_url_and_audits(qtbot, window, tmp_path) -> None:
    dlg = window.new_connection()
    with qtbot.waitSignal(dlg.loaded, timeout=5_000):
        dlg.refresh()
    qtbot.keyClicks(dlg.name, "Local file")
    dlg.kind.setCurrentIndex(3)
    assert not dlg.password.isVisibleTo(dlg)
    qtbot.keyClicks(dlg.path, str(window.ctx.paths.demo_db))
    with qtbot.waitSignal(dlg.tested, timeout=10_000) as tested:
        qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[0] is True and "SQLite" in tested.args[1]
    with qtbot.waitSignal(window.catalog.connections_loaded, timeout=10_000):
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    conn = window.ctx.store.get_connection("Local file")
    assert conn.url == f"sqlite:///{window.ctx.paths.demo_db}"
    assert window.catalog.find_connection("Local file") is not None
    changes = AuditLog(window.ctx.store).records(action="connection_change")
    assert changes[-1].connection == "Local file"

    qtbot.waitUntil(lambda: dlg.list.count() == 2, timeout=5_000)
    dlg.list.setCurrentItem(dlg.list.findItems("Local file", Qt.MatchFlag.MatchExactly)[0])
    assert dlg.remove_button.isEnabled()
    with qtbot.waitSignal(dlg.removed, timeout=10_000):
        dlg.remove_current(confirm=False)
    assert [c.name for c in window.ctx.store.list_connections()] == ["Demo (SQLite)"]
    builtin = dlg.list.findItems("Demo (SQLite)", Qt.MatchFlag.MatchExactly)
    qtbot.waitUntil(lambda: dlg.list.count() == 1, timeout=5_000)
    dlg.list.setCurrentItem(dlg.list.item(0))
    assert builtin and not dlg.remove_button.isEnabled()  # the demo is not the user's to drop


@pytest.mark.postgres
def test_test_connection_reaches_real_postgresql(qtbot, window, pg_url) -> None:
    from sqlalchemy.engine import make_url

    u = make_url(pg_url)
    dlg = window.new_connection()
    fill_network(
        qtbot,
        dlg,
        name="pg",
        kind=0,
        host=u.host,
        port=u.port,
        database=u.database,
        user=u.username,
    )
    with qtbot.waitSignal(dlg.tested, timeout=20_000) as tested:
        qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
        assert dlg.busy.isVisible() and not dlg.test_button.isEnabled()
    assert tested.args[0] is True, tested.args[1]
    assert "PostgreSQL" in dlg.result.text()
    assert dlg.busy.isHidden()


@pytest.fixture
def mariadb_user():  # type: ignore[no-untyped-def]
    require_server("MariaDB", MY_HOST, MY_PORT)
    import pymysql

    user, password = f"dte_ui_{uuid.uuid4().hex[:8]}", "Right-Pass-123"
    root = pymysql.connect(host=MY_HOST, port=MY_PORT, user="root", password="")
    try:
        with root.cursor() as cur:
            for host in ("%", "localhost", "127.0.0.1"):
                cur.execute(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{password}'")
        yield user, password
    finally:
        with root.cursor() as cur:
            for host in ("%", "localhost", "127.0.0.1"):
                cur.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")
        root.close()


@pytest.mark.mariadb
def test_wrong_mariadb_password_shows_the_error_and_right_one_saves(
    qtbot, window, mariadb_user
) -> None:
    user, password = mariadb_user
    dlg = window.new_connection()
    fill_network(
        qtbot,
        dlg,
        name="maria",
        kind=1,
        host=MY_HOST,
        port=MY_PORT,
        database="",
        user=user,
        password="wrong-password",
    )
    with qtbot.waitSignal(dlg.tested, timeout=20_000) as tested:
        qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    ok, text = tested.args
    assert ok is False
    assert "wrong-password" not in text
    assert "auth" in text.lower() or "password" in text.lower() or "denied" in text.lower()
    assert dlg.result.text() == text

    dlg.password.clear()
    qtbot.keyClicks(dlg.password, password)
    with qtbot.waitSignal(dlg.tested, timeout=20_000) as tested:
        qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[0] is True, tested.args[1]
    with qtbot.waitSignal(dlg.saved, timeout=10_000):
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    conn = window.ctx.store.get_connection("maria")
    assert password not in conn.url and conn.url.startswith("mysql://")
    stored = window.ctx.credentials.get(CredentialStore.connection_key("maria"))
    assert stored == password
    actions = [r.action for r in AuditLog(window.ctx.store).records() if r.connection == "maria"]
    assert actions == ["connection_change", "credential_change"]
    # The saved password is used for a test without typing it again.
    qtbot.waitUntil(lambda: bool(dlg.list.findItems("maria", Qt.MatchFlag.MatchExactly)))
    dlg.list.setCurrentItem(dlg.list.findItems("maria", Qt.MatchFlag.MatchExactly)[0])
    with qtbot.waitSignal(dlg.tested, timeout=20_000) as tested:
        qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[0] is True, tested.args[1]


def test_a_site_preset_cannot_be_overwritten_by_a_user_connection(
    qtbot, demo_home, tmp_path, monkeypatch
) -> None:
    """Issue 14 item 8: New, type the preset's name, Save -> the preset was overwritten."""
    from dte_desktop.core.app import bootstrap
    from tests.ui.conftest import close_window, make_window

    site = tmp_path / "site.toml"
    site.write_text(
        '[[connections]]\nname = "Warehouse"\nurl = "postgresql://analyst@dw.example:5432/dw"\n'
    )
    monkeypatch.setenv("DTE_SITE_FILE", str(site))
    ctx = bootstrap()
    window = make_window(qtbot, ctx)
    try:
        dlg = window.new_connection()
        with qtbot.waitSignal(dlg.loaded, timeout=5_000):
            dlg.refresh()
        qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(dlg.name, "Warehouse")
        dlg.kind.setCurrentIndex(3)
        qtbot.keyClicks(dlg.path, str(tmp_path / "mine.sqlite"))
        assert not dlg.save_button.isEnabled()
        assert dlg.name_note.isVisibleTo(dlg)
        assert "site configuration and is read-only" in dlg.name_note.text()
        dlg.resize(760, 420)
        dlg.grab().save(str(tmp_path / "site_preset_read_only.png"))
        # Even a save that gets past the button (a race, a script) is refused by the store.
        with qtbot.waitSignal(dlg.tested, timeout=10_000) as shown:
            dlg.save()
        assert shown.args[0] is False and "Read-only" in shown.args[1]
        conn = ctx.store.get_connection("Warehouse")
        assert conn.origin == "site" and conn.url == "postgresql://analyst@dw.example:5432/dw"
        # Another name is the user's own again.
        qtbot.keyClicks(dlg.name, " (mine)")
        assert dlg.save_button.isEnabled() and not dlg.name_note.isVisibleTo(dlg)
    finally:
        close_window(qtbot, window)
        ctx.close()


def test_a_wrong_master_passphrase_saves_and_removes_nothing(qtbot, window, monkeypatch) -> None:
    ctx, right = window.ctx, os.environ["DTE_MASTER_PASSPHRASE"]
    ctx.store.save_connection("kept", "postgresql://someone@db.example.invalid/x")
    ctx.credentials.set(CredentialStore.connection_key("kept"), "kept-password")
    monkeypatch.setenv("DTE_MASTER_PASSPHRASE", "not the passphrase")
    ctx.use_credential_store(ctx.paths.secrets_file, "file")  # forget the unlocked key
    before = len(AuditLog(ctx.store).records())
    dlg = window.new_connection()
    fill_network(qtbot, dlg, name="new one", kind=0, host="db.example.invalid", port=5432,
                 database="x", user="someone", password="new-password")  # fmt: skip
    with qtbot.waitSignal(dlg.tested, timeout=10_000) as result:
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert result.args[0] is False and "Wrong master passphrase" in result.args[1]
    qtbot.waitUntil(lambda: bool(dlg.list.findItems("kept", Qt.MatchFlag.MatchExactly)))
    dlg.list.setCurrentItem(dlg.list.findItems("kept", Qt.MatchFlag.MatchExactly)[0])
    with qtbot.waitSignal(dlg.tested, timeout=10_000) as result:
        dlg.remove_current(confirm=False)
    assert result.args[0] is False and "Wrong master passphrase" in result.args[1]
    assert {c.name for c in ctx.store.list_connections()} == {"Demo (SQLite)", "kept"}
    assert len(AuditLog(ctx.store).records()) == before
    monkeypatch.setenv("DTE_MASTER_PASSPHRASE", right)
    ctx.use_credential_store(ctx.paths.secrets_file, "file")
    assert ctx.credentials.get(CredentialStore.connection_key("kept")) == "kept-password"
