"""The connection form is built from what each source kind declares: its default port and
its own (SSL) options; a failed save stores nothing; the tree follows saves and F5."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.secrets import CredentialStore

SHOTS = os.environ.get("DTE_TEST_SHOTS", "")


def pick_kind(dlg, label: str) -> None:  # type: ignore[no-untyped-def]
    dlg.kind.setCurrentIndex(dlg.kind.findText(label))


def test_switching_kinds_changes_the_port_and_the_options(qtbot, window) -> None:
    dlg = window.new_connection()
    assert dlg.kind.currentText() == "PostgreSQL / Greenplum" and dlg.port.text() == "5432"
    assert isinstance(dlg.option_fields["sslmode"], QComboBox)
    pick_kind(dlg, "MySQL / MariaDB")
    assert dlg.port.text() == "3306"
    assert set(dlg.option_fields) == {"ssl_ca", "ssl_cert", "ssl_key"}
    assert isinstance(dlg.option_fields["ssl_ca"], QLineEdit)
    pick_kind(dlg, "Vertica")
    assert dlg.port.text() == "5433" and "tlsmode" in dlg.option_fields
    # A port the user typed is theirs: switching kinds keeps it.
    dlg.port.clear()
    qtbot.keyClicks(dlg.port, "6543")
    pick_kind(dlg, "PostgreSQL / Greenplum")
    assert dlg.port.text() == "6543"
    dlg.port.clear()
    pick_kind(dlg, "MySQL / MariaDB")
    assert dlg.port.text() == "3306"

    # The SSL fields go into the URL (a default is left out) and come back from it.
    qtbot.keyClicks(dlg.name, "tls mysql")
    for w, text in ((dlg.host, "db.example"), (dlg.database, "sales"), (dlg.user, "ann")):
        qtbot.keyClicks(w, text)
    qtbot.keyClicks(dlg.option_fields["ssl_ca"], "/etc/ssl/ca.pem")
    qtbot.waitUntil(lambda: dlg.list.count() > 0)
    assert all(w.isVisibleTo(dlg) for w in dlg.option_fields.values())
    if SHOTS:
        dlg.grab().save(os.path.join(SHOTS, "connection-mysql-ssl.png"))
    with qtbot.waitSignal(dlg.saved, timeout=10_000):
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    conn = {c.name: c for c in window.ctx.store.list_connections()}["tls mysql"]
    assert conn.url == "mysql://ann@db.example:3306/sales?ssl_ca=%2Fetc%2Fssl%2Fca.pem"
    # The new connection is in the tree at once, without a restart.
    qtbot.waitUntil(lambda: window.catalog.find_connection("tls mysql") is not None, timeout=10_000)
    pick_kind(dlg, "PostgreSQL / Greenplum")
    assert dlg.port.text() == "5432"
    qtbot.waitUntil(lambda: bool(dlg.list.findItems("tls mysql", Qt.MatchFlag.MatchExactly)))
    dlg.new_connection()
    dlg.list.setCurrentItem(dlg.list.findItems("tls mysql", Qt.MatchFlag.MatchExactly)[0])
    assert dlg.kind.currentText() == "MySQL / MariaDB" and dlg.port.text() == "3306"
    assert dlg.option_fields["ssl_ca"].text() == "/etc/ssl/ca.pem"  # type: ignore[union-attr]

    pick_kind(dlg, "PostgreSQL / Greenplum")
    dlg.option_fields["sslmode"].setCurrentText("verify-full")  # type: ignore[union-attr]
    assert dlg.fields().extra["sslmode"] == "verify-full"
    assert "ssl_ca" not in dlg.fields().extra  # MySQL's options went with MySQL
    if SHOTS:
        dlg.grab().save(os.path.join(SHOTS, "connection-postgres-ssl.png"))


def test_a_credential_that_cannot_be_stored_leaves_no_connection(
    qtbot, window, monkeypatch
) -> None:
    ctx = window.ctx
    ctx.store.save_connection("kept", "postgresql://someone@db.example.invalid/x")
    before = len(AuditLog(ctx.store).records())

    def refuse(key: str, value: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ctx.credentials, "set", refuse)
    dlg = window.new_connection()
    with qtbot.waitSignal(dlg.loaded, timeout=5_000):
        dlg.refresh()
    for name in ("brand new", "kept"):
        dlg.name.setText(name)
        dlg.host.setText("other.example.invalid")
        dlg.user.setText("someone")
        dlg.password.setText("pw")
        with qtbot.waitSignal(dlg.tested, timeout=10_000) as result:
            qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
        assert result.args[0] is False
    urls = {c.name: c.url for c in ctx.store.list_connections()}
    assert "brand new" not in urls
    assert urls["kept"] == "postgresql://someone@db.example.invalid/x"
    assert len(AuditLog(ctx.store).records()) == before
    assert ctx.credentials.get(CredentialStore.connection_key("brand new")) is None


def test_f5_reloads_the_connection_list(qtbot, window) -> None:
    item = window.catalog.find_connection("Demo (SQLite)")
    window.tree.setCurrentItem(item)  # F5 on a selected connection used to reload it alone
    window.ctx.store.save_connection("added elsewhere", "sqlite:///elsewhere.db")
    with qtbot.waitSignal(window.catalog.connections_loaded, timeout=10_000):
        window.refresh_action.trigger()
    assert window.catalog.find_connection("added elsewhere") is not None


def test_a_wrong_passphrase_is_forgotten_and_nothing_saved(qtbot, window, monkeypatch) -> None:
    ctx = window.ctx
    ctx.credentials.set(CredentialStore.connection_key("kept"), "kept-password")
    monkeypatch.delenv("DTE_MASTER_PASSPHRASE")
    # The GUI's keeper answers for the store, as in the app (forgetting the unlocked key).
    ctx.use_credential_store(ctx.paths.secrets_file, "file", passphrase=window.keeper)
    window.keeper.preset("not the passphrase")
    dlg = window.new_connection()
    dlg.name.setText("new one")
    dlg.host.setText("db.example.invalid")
    dlg.password.setText("pw")
    with qtbot.waitSignal(dlg.tested, timeout=10_000) as result:
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert result.args[0] is False and "Wrong master passphrase" in result.args[1]
    assert "new one" not in {c.name for c in ctx.store.list_connections()}
    assert window.keeper._phrase is None  # asked again next time, whatever the message says
