"""Without an OS keyring the credential store needs its master passphrase: the GUI asks on
the GUI thread before a worker needs it, once per session."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from tests.ui.conftest import answer_passphrase, close_window, make_window, select_table


def test_master_passphrase_is_asked_once_on_the_gui_thread(qtbot, demo_home, monkeypatch) -> None:
    monkeypatch.delenv("DTE_MASTER_PASSPHRASE", raising=False)
    from dte_desktop.core.app import bootstrap

    ctx = bootstrap()
    window = make_window(qtbot, ctx)
    asked: list[str] = []
    answer = lambda: answer_passphrase(qtbot, asked, "correct horse battery")  # noqa: E731

    try:
        assert ctx.credentials.needs_passphrase
        select_table(qtbot, window, "customers")  # SQLite: no password, no prompt
        assert asked == []
        QTimer.singleShot(20, answer)
        with qtbot.waitSignal(window.preview.loaded, timeout=20_000):
            window.preview_selected()  # the masking key lives in the credential store
        assert len(asked) == 1 and "passphrase" in asked[0].lower()
        assert ctx.paths.secrets_file.exists()
        with qtbot.waitSignal(window.preview.loaded, timeout=20_000):
            window.preview_selected()  # asked once per session
        assert len(asked) == 1
    finally:
        close_window(qtbot, window)
        ctx.close()


def test_shortcuts_open_the_connection_dialog(qtbot, window) -> None:
    window.tree.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dlg = window.dialogs["connections"]
    assert dlg.isVisible() and dlg.name.text() == ""
    dlg.close()
    shortcuts = {a.text(): a.shortcut().toString() for m in window.menuBar().actions()
                 for a in m.menu().actions() if not a.isSeparator()}  # fmt: skip
    assert shortcuts["&Refresh"] == "F5" and shortcuts["&Quit"] == "Ctrl+Q"
    assert shortcuts["&Profile table"] == "Ctrl+P" and shortcuts["&Export…"] == "Ctrl+E"
    assert shortcuts["&Filter catalog"] == "Ctrl+F"


def test_first_use_prompt_asks_twice_and_has_a_title(qtbot, tmp_path) -> None:
    import os

    from dte_desktop.ui import theme
    from dte_desktop.ui.passphrase import PassphraseDialog

    shots = os.environ.get("DTE_SHOTS", "/tmp/dte-shots")
    os.makedirs(shots, exist_ok=True)
    dlg = PassphraseDialog(first_use=True)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.windowTitle() == "DTE Desktop — choose a master passphrase"
    assert dlg.confirm.isVisible() and not dlg.ok.isEnabled()
    qtbot.keyClicks(dlg.phrase, "horse battery")
    qtbot.keyClicks(dlg.confirm, "horse batery")
    assert not dlg.ok.isEnabled() and dlg.mismatch.text() == "They differ."
    for name in ("dark", "light"):
        theme.apply_theme(name)
        dlg.grab().save(os.path.join(shots, f"passphrase-first-{name}.png"))
    dlg.confirm.clear()
    qtbot.keyClicks(dlg.confirm, "horse battery")
    assert dlg.ok.isEnabled()
    later = PassphraseDialog(first_use=False)
    qtbot.addWidget(later)
    later.show()
    assert later.windowTitle() == "DTE Desktop — master passphrase"
    assert not later.confirm.isVisible()
