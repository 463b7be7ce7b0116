"""The master passphrase of the encrypted credential store, asked for on the GUI thread.

The credential store calls its passphrase callback lazily, possibly from a worker thread,
where no dialog may be shown. So the GUI asks *before* starting a worker that needs
credentials (``ensure``), and the callback handed to core only returns what was entered.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt, QThread
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from dte_desktop.core.app import AppContext
from dte_desktop.ui.workers import notices


class PassphraseKeeper:
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.ctx = ctx
        self.parent = parent
        self._phrase: str | None = None
        # Direct: runs in the worker that met the error, before the failure is shown.
        notices.passphrase_rejected.connect(self.forget, Qt.ConnectionType.DirectConnection)

    def __call__(self) -> str | None:
        """The callback core calls (any thread)."""
        env = os.environ.get("DTE_MASTER_PASSPHRASE")
        if env:
            return env
        if self._phrase is None and _on_gui_thread():
            self._ask()
        return self._phrase

    def preset(self, phrase: str) -> None:
        """A passphrase known without asking (the unattended self-test)."""
        self._phrase = phrase

    def forget(self) -> None:
        """After core reported a wrong passphrase: ask again next time."""
        self._phrase = None

    def ensure(self) -> bool:
        """Call on the GUI thread before a worker touches credentials. False: the user
        cancelled the prompt."""
        if os.environ.get("DTE_MASTER_PASSPHRASE") or self._phrase:
            return True
        if not self.ctx.credentials.needs_passphrase:
            return True
        return self._ask()

    def ensure_for_connection(self, url: str) -> bool:
        """Only connections that log in with a stored password need the store."""
        from dte_desktop.core.urls import parse_url

        u = parse_url(url)
        if u.get_backend_name() == "sqlite" or not u.username or u.password is not None:
            return True
        return self.ensure()

    def _ask(self) -> bool:
        label = (
            "No OS keyring is available, so passwords are kept in an encrypted file.\n"
            "Master passphrase of the credential store (chosen on first use):"
        )
        text, ok = QInputDialog.getText(
            self.parent, "Master passphrase", label, QLineEdit.EchoMode.Password
        )
        if ok and text:
            self._phrase = text
            return True
        return False


def _on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()
