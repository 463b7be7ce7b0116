"""Add, edit, test and remove connections. The URL is stored without its password; the
password goes to the credential store; both changes are audited (as ``dte connections``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.secrets import CredentialStore
from dte_desktop.core.sources.kind import SourceKind
from dte_desktop.core.sources.registry import kinds, open_source
from dte_desktop.core.store import Connection
from dte_desktop.ui.connection_form import Fields, build_url, fields_from_url
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.workers import run_in_pool


class ConnectionsDialog(QDialog):
    saved = Signal(str)
    removed = Signal(str)
    tested = Signal(bool, str)  # ok, the text shown
    loaded = Signal(int)

    def __init__(self, ctx: AppContext, keeper: PassphraseKeeper, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.keeper = ctx, keeper
        self.setWindowTitle("Connections")
        self._conns: dict[str, Connection] = {}
        self._kinds: list[SourceKind] = kinds()  # as the source classes declare them
        self._kind: SourceKind | None = None
        self.option_fields: dict[str, QComboBox | QLineEdit] = {}
        self._build()
        self.resize(760, 460)
        self.refresh()

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        self.list = QListWidget()
        self.list.setObjectName("connectionsList")
        self.list.currentItemChanged.connect(self._on_pick)
        self.add_button = QPushButton("New")
        self.add_button.clicked.connect(self.new_connection)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("removeButton")
        self.remove_button.clicked.connect(self.remove_current)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)

        self.name = QLineEdit()
        self.name.setObjectName("connName")
        self.name.textChanged.connect(self._check_name)
        self.name_note = QLabel("")  # why Save is off: the name belongs to a preset
        self.name_note.setObjectName("nameNote")
        self.name_note.setWordWrap(True)
        self.name_note.setStyleSheet("color: #b26a00;")
        self.name_note.hide()
        self.kind = QComboBox()
        self.kind.setObjectName("connKind")
        self.kind.addItems([k.label for k in self._kinds])
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.host, self.port, self.database = QLineEdit(), QLineEdit(), QLineEdit()
        self.user, self.options = QLineEdit(), QLineEdit()
        self.options.setPlaceholderText("other driver options: key=value&key=value")
        for w, n in (
            (self.host, "connHost"),
            (self.port, "connPort"),
            (self.database, "connDatabase"),
            (self.user, "connUser"),
            (self.options, "connOptions"),
        ):
            w.setObjectName(n)
        network = QWidget()
        nf = QFormLayout(network)
        nf.setContentsMargins(0, 0, 0, 0)
        nf.addRow("Host", self.host)
        nf.addRow("Port", self.port)
        nf.addRow("Database", self.database)
        nf.addRow("User", self.user)
        nf.addRow("Options", self.options)  # the kind's own options (SSL …) go above it
        self.network_form = nf
        self.path = QLineEdit()
        self.path.setObjectName("connPath")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_page = QWidget()
        ff = QHBoxLayout(file_page)
        ff.setContentsMargins(0, 0, 0, 0)
        ff.addWidget(QLabel("File"))
        ff.addWidget(self.path, 1)
        ff.addWidget(browse)
        self.url = QLineEdit()
        self.url.setObjectName("connUrl")
        self.url.setPlaceholderText("dialect+driver://user@host:port/database")
        url_page = QWidget()
        uf = QFormLayout(url_page)
        uf.setContentsMargins(0, 0, 0, 0)
        uf.addRow("URL", self.url)
        self.pages = QStackedWidget()
        self.pages.addWidget(network)
        self.pages.addWidget(file_page)
        self.pages.addWidget(url_page)
        self.password = QLineEdit()
        self.password.setObjectName("connPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the credential store, never in the URL")
        self.password_label = QLabel("Password")

        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testButton")
        self.test_button.clicked.connect(self.test)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.result = QLabel("")
        self.result.setObjectName("testResult")
        self.result.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("", self.name_note)
        form.addRow("Type", self.kind)
        form.addRow(self.pages)
        form.addRow(self.password_label, self.password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.result)
        right.addStretch(1)
        right.addLayout(buttons)
        top = QHBoxLayout(self)
        top.addLayout(left, 2)
        top.addLayout(right, 5)
        self._on_kind(0)

    def _on_kind(self, index: int) -> None:
        kind, before = self._kinds[index], self._kind
        self._kind = kind
        self.pages.setCurrentIndex({"network": 0, "file": 1, "url": 2}[kind.form])
        self.password.setVisible(kind.has_password)
        self.password_label.setVisible(kind.has_password)
        # The new kind's port, unless the user typed one of their own.
        typed = self.port.text().strip()
        if not typed or (before is not None and typed == str(before.default_port or "")):
            self.port.setText(str(kind.default_port or ""))
        if before is not kind:
            self._build_options(kind)

    def _build_options(self, kind: SourceKind) -> None:
        for old in self.option_fields.values():
            self.network_form.removeRow(old)
        self.option_fields = {}
        first = self.network_form.rowCount() - 1  # above the free-text Options row
        for i, opt in enumerate(kind.options):
            w: QComboBox | QLineEdit
            if opt.choices:
                w = QComboBox()
                w.addItems(list(opt.choices))
            else:
                w = QLineEdit()
                w.setPlaceholderText(opt.hint)
            w.setObjectName(f"opt_{opt.key}")
            self.option_fields[opt.key] = w
            label = QLabel(opt.label)
            self.network_form.insertRow(first + i, label, w)
            for shown in (label, w):  # now, not on the next event loop turn
                shown.show()

    def _option_values(self) -> dict[str, str]:
        return {
            key: w.currentText() if isinstance(w, QComboBox) else w.text()
            for key, w in self.option_fields.items()
        }

    def _set_options(self, values: dict[str, str]) -> None:
        for key, w in self.option_fields.items():
            value = values.get(key, "")
            if isinstance(w, QComboBox):
                if value and w.findText(value) < 0:
                    w.addItem(value)  # a value this version does not list: kept as it is
                w.setCurrentIndex(w.findText(value) if value else 0)
            else:
                w.setText(value)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "SQLite database", self.path.text(), "SQLite (*.sqlite *.db *.sqlite3);;All (*)"
        )
        if path:
            self.path.setText(path)

    # -- list ------------------------------------------------------------------------
    def refresh(self) -> None:
        run_in_pool(self.ctx.store.list_connections, self._show, self._error)

    def _show(self, conns: list[Connection]) -> None:
        current = self.name.text()
        self._conns = {c.name: c for c in conns}
        self.list.clear()
        for c in conns:
            item = QListWidgetItem(c.name)
            item.setToolTip(f"{c.url}\n({c.origin})")
            self.list.addItem(item)
            if c.name == current:
                self.list.setCurrentItem(item)
        self._check_name()
        self.loaded.emit(len(conns))

    def _on_pick(self, item: QListWidgetItem | None, _prev: object = None) -> None:
        if item is None:
            return
        conn = self._conns.get(item.text())
        if conn is None:
            return
        f = fields_from_url(conn.url)
        self.name.setText(conn.name)
        self.kind.setCurrentIndex([k.key for k in self._kinds].index(f.kind))
        self.host.setText(f.host)
        self.port.setText(f.port)
        self.database.setText(f.database)
        self.user.setText(f.user)
        self.options.setText(f.options)
        self.path.setText(f.path)
        self.url.setText(f.url)
        self._set_options(f.extra)
        self.password.clear()
        self.result.clear()
        self._check_name()

    def _check_name(self, _text: str = "") -> None:
        """Save and Remove follow the name typed: a site preset's or the demo's name is
        read-only (the store refuses it too; this says so before the user tries)."""
        conn = self._conns.get(self.name.text().strip())
        locked = conn is not None and conn.origin != "user"
        picked = self.list.currentItem()
        owner = self._conns.get(picked.text()) if picked is not None else None
        self.remove_button.setEnabled(owner is not None and owner.origin == "user")
        self.save_button.setEnabled(not locked)
        if locked:
            assert conn is not None
            text = (
                f"“{conn.name}” is provided by the {conn.origin} configuration and is "
                "read-only. Save your own connection under another name."
            )
            self.name_note.setText(text)
            self.save_button.setToolTip(text)
        else:
            self.save_button.setToolTip("")
        self.name_note.setVisible(locked)

    def new_connection(self) -> None:
        self.list.setCurrentItem(None)
        for w in (self.name, self.host, self.database, self.user, self.options, self.path):
            w.clear()
        self.url.clear()
        self.password.clear()
        self.port.clear()
        self.kind.setCurrentIndex(0)
        self._on_kind(0)
        self._set_options({})
        self.result.clear()
        self._check_name()
        self.name.setFocus()

    def fields(self) -> Fields:
        return Fields(
            kind=self._kinds[self.kind.currentIndex()].key,
            host=self.host.text(),
            port=self.port.text(),
            database=self.database.text(),
            user=self.user.text(),
            options=self.options.text(),
            path=self.path.text(),
            url=self.url.text(),
            extra=self._option_values(),
        )

    # -- actions ---------------------------------------------------------------------
    def test(self) -> None:
        try:
            url = build_url(self.fields())
        except ConfigError as exc:
            self._show_result(False, f"{exc.title}: {exc}")
            return
        typed = self.password.text() or None
        name = self.name.text().strip()
        use_stored = typed is None and name in self._conns
        if use_stored and not self.keeper.ensure():
            return
        ctx = self.ctx

        def work() -> str:
            password = typed if not use_stored else ctx.password_for(name)
            source = open_source(url, password=password)
            try:
                return source.test_connection()
            finally:
                source.close()

        self.test_button.setEnabled(False)
        self.busy.show()
        self.result.setText("Connecting…")
        run_in_pool(
            work,
            lambda version: self._show_result(True, f"Connected: {version}"),
            lambda title, msg: self._show_result(False, f"{title}: {msg}"),
        )

    def _show_result(self, ok: bool, text: str) -> None:
        self.busy.hide()
        self.test_button.setEnabled(True)
        colour = "#2e7d32" if ok else "#c62828"
        self.result.setStyleSheet(f"color: {colour};")
        self.result.setText(text)
        self.tested.emit(ok, text)

    def save(self) -> None:
        name = self.name.text().strip()
        try:
            if not name:
                raise ConfigError("A connection needs a name.")
            url = build_url(self.fields())
        except ConfigError as exc:
            self._show_result(False, f"{exc.title}: {exc}")
            return
        password = self.password.text() or None
        if password and not self.keeper.ensure():
            return
        prior = self._conns.get(name)
        ctx, existed = self.ctx, prior is not None

        def work() -> str:
            if password:
                ctx.credentials.unlock()  # a wrong passphrase must not save it without one
            conn = ctx.store.save_connection(name, url)
            if password:
                try:
                    ctx.credentials.set(CredentialStore.connection_key(name), password)
                except Exception:
                    # No half-saved connection: the store goes back to what it was.
                    if prior is not None:
                        ctx.store.save_connection(name, prior.url)
                    else:
                        ctx.store.remove_connection(name)
                    raise
            audit = AuditLog(ctx.store)
            audit.record(
                "connection_change",
                connection=conn.name,
                object=conn.url,
                extra={"operation": "update" if existed else "add"},
            )
            if password:
                audit.record(
                    "credential_change",
                    connection=conn.name,
                    extra={"operation": "set", "store": ctx.credentials.backend.name},
                )
            return conn.name

        def done(saved: str) -> None:
            self.password.clear()
            self._show_result(True, f"Saved {saved}.")
            self.saved.emit(saved)
            self.refresh()

        run_in_pool(work, done, lambda t, m: self._show_result(False, f"{t}: {m}"))

    def remove_current(self, confirm: bool = True) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = item.text()
        if confirm and QMessageBox.question(self, "Remove connection", f"Remove {name}?") != (
            QMessageBox.StandardButton.Yes
        ):
            return
        if not self.keeper.ensure():
            return
        ctx = self.ctx

        def work() -> str:
            ctx.credentials.unlock()  # a wrong passphrase stops before anything is removed
            ctx.store.remove_connection(name)
            ctx.credentials.delete(CredentialStore.connection_key(name))
            audit = AuditLog(ctx.store)
            audit.record("connection_change", connection=name, extra={"operation": "remove"})
            audit.record("credential_change", connection=name, extra={"operation": "delete"})
            return name

        def done(gone: str) -> None:
            self.new_connection()
            self.removed.emit(gone)
            self.refresh()

        run_in_pool(work, done, self._error)

    def _error(self, title: str, message: str) -> None:
        self._show_result(False, f"{title}: {message}")
