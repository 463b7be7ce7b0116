"""The master passphrase of the encrypted credential store, asked for on the GUI thread.

The credential store calls its passphrase callback lazily, possibly from a worker thread,
where no dialog may be shown. So the GUI asks *before* starting a worker that needs
credentials (``ensure``), and the callback handed to core only returns what was entered.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt, QThread
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

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
        first = not self.ctx.paths.secrets_file.exists()
        dlg = PassphraseDialog(first, self.parent)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.phrase.text():
            self._phrase = dlg.phrase.text()
            return True
        return False


class PassphraseDialog(QDialog):
    """The master passphrase: on first use (no credential file yet) it is being chosen, so
    it is typed twice and OK waits until both agree (a typo would lock the store)."""

    def __init__(self, first_use: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle(
            "DTE Desktop — choose a master passphrase"
            if first_use
            else "DTE Desktop — master passphrase"
        )
        self.first_use = first_use
        self.label = QLabel(
            "No OS keyring is available, so passwords are kept in an encrypted file.\n"
            + (
                "Choose the master passphrase that will protect it (type it twice):"
                if first_use
                else "Master passphrase of the credential store:"
            )
        )
        self.label.setWordWrap(True)
        self.phrase = QLineEdit()
        self.phrase.setObjectName("passphrase")
        self.phrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setObjectName("passphraseConfirm")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.mismatch = QLabel("")
        self.mismatch.setObjectName("hint")
        form = QFormLayout()
        form.addRow("Passphrase", self.phrase)
        if first_use:
            form.addRow("Again", self.confirm)
            form.addRow("", self.mismatch)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.phrase.textChanged.connect(self._check)
        self.confirm.textChanged.connect(self._check)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.resize(440, self.sizeHint().height())
        self._check()

    def label_text(self) -> str:
        return self.label.text()

    def _check(self) -> None:
        text = self.phrase.text()
        agree = not self.first_use or text == self.confirm.text()
        self.ok.setEnabled(bool(text) and agree)
        if self.first_use:
            self.mismatch.setText("" if agree or not self.confirm.text() else "They differ.")


def _on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()
