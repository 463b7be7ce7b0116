"""The application context shared by the GUI and the CLI: paths, history, credentials,
the demo connection. Both front ends start with :func:`bootstrap` and call the same core."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dte_desktop.core.demo import DEMO_CONNECTION, demo_url, ensure_demo
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.logs import get_logger, register_secret, setup_logging
from dte_desktop.core.paths import AppPaths, app_paths
from dte_desktop.core.secrets import CredentialStore
from dte_desktop.core.site import SiteConfig, load_site
from dte_desktop.core.sources.base import Source
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.store import Connection, Store
from dte_desktop.core.urls import parse_url, public_ref, split_password

log = get_logger("app")
PasswordPrompt = Callable[[str], str | None]


def ask_password(prompt: PasswordPrompt, name: str) -> str | None:
    """Ask once; end of input (Ctrl+D) is a clear refusal, not a traceback."""
    try:
        password = prompt(name)
    except EOFError:
        raise ConfigError(f"No password given for {name}.") from None
    register_secret(password)
    return password


@dataclass
class AppContext:
    paths: AppPaths
    store: Store
    passphrase: Callable[[], str | None] | None = None
    site: SiteConfig = field(default_factory=SiteConfig)
    _credentials: CredentialStore | None = field(default=None, repr=False)
    # Passwords that came inside ad-hoc URLs, by the URL without them (this process only).
    _url_passwords: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def credentials(self) -> CredentialStore:
        """Opened on first use: the file store may need a passphrase prompt."""
        if self._credentials is None:
            self._credentials = CredentialStore(self.paths.secrets_file, self.passphrase)
        return self._credentials

    def use_credential_store(
        self,
        file_path: Path,
        prefer: str | None = None,
        passphrase: Callable[[], str | None] | None = None,
    ) -> None:
        """Use another store than the per-user default: the unattended self-test's
        throwaway one, or, in a job worker, whichever store the desktop app uses."""
        self._credentials = CredentialStore(file_path, passphrase or self.passphrase, prefer)

    def remember_url_password(self, url: str, password: str) -> None:
        """Keep a password that was typed into an ad-hoc URL: for this process, and in the
        credential store under the password-free URL, so ``dte jobs resume`` of a job that
        stored only that URL can still log in. A store that cannot be opened (no keyring,
        no passphrase) costs only the resume; it is said, never fatal."""
        from dte_desktop.core.errors import SecretStoreError

        public = public_ref(url)
        register_secret(password)
        self._url_passwords[public] = password
        key = CredentialStore.url_key(public)
        try:
            if self.credentials.get(key) == password:
                return
            self.credentials.set(key, password)
        except SecretStoreError as exc:
            log.warning("the password of %s is not kept (%s); a resume will ask", public, exc)
            return
        from dte_desktop.core.audit import AuditLog

        AuditLog(self.store).record(
            "credential_change",
            connection=public,
            extra={"operation": "set", "store": self.credentials.backend.name},
        )

    def ensure_demo(self) -> None:
        """Build the demo database if it is missing or stale (about 3 s, once)."""
        ensure_demo(self.paths.demo_db)

    def resolve(self, name_or_url: str) -> Connection:
        """A saved connection by name, or an ad-hoc one from a URL. The demo database is
        built the first time its connection is used, not at every start of the CLI."""
        if name_or_url == DEMO_CONNECTION:
            self.ensure_demo()
        if "://" in name_or_url:
            u, _ = split_password(name_or_url)
            clean = u.render_as_string(hide_password=False)
            return Connection(0, clean, u.get_backend_name(), clean)
        return self.store.get_connection(name_or_url)

    def password_for(self, name_or_url: str, prompt: PasswordPrompt | None = None) -> str | None:
        """URL password (given now, or earlier in this process), else ``DTE_PASSWORD``,
        else the credential store, else a prompt."""
        if "://" in name_or_url:
            _, pw = split_password(name_or_url)
            pw = pw if pw is not None else self._url_passwords.get(public_ref(name_or_url))
            if pw is not None:
                register_secret(pw)
                return pw
        env = os.environ.get("DTE_PASSWORD")
        if env:
            register_secret(env)
            return env
        conn = self.resolve(name_or_url)
        url = parse_url(conn.url)
        if url.get_backend_name() == "sqlite" or not url.username:
            return None
        keys = CredentialStore
        key = keys.connection_key(conn.name) if conn.id else keys.url_key(conn.url)
        stored = self.credentials.get(key)
        if stored is not None:
            return stored
        if prompt is None or self._connects_without_password(conn):
            return None  # as psql does: ask only when the server wants a password
        return ask_password(prompt, conn.name)

    def _connects_without_password(self, conn: Connection) -> bool:
        from dte_desktop.core.errors import AuthenticationFailed

        source = open_source(conn.url, password=None, **conn.options)
        try:
            source.test_connection()
        except AuthenticationFailed:
            return False
        finally:
            source.close()
        return True

    def open_source(
        self, name_or_url: str, prompt: PasswordPrompt | None = None, **options: object
    ) -> Source:
        conn = self.resolve(name_or_url)
        password = self.password_for(name_or_url, prompt)
        opts = {**conn.options, **options}
        return open_source(conn.url, password=password, **opts)

    def close(self) -> None:
        self.store.close()


def bootstrap(
    *,
    demo: bool = True,
    console_logging: bool = False,
    log_file: bool = True,
    passphrase: Callable[[], str | None] | None = None,
) -> AppContext:
    """Create the data folders, open and migrate the history (jobs left running become
    ``interrupted``) and register the demo connection (its file is built on first use, or
    by the GUI in the background at its first start)."""
    paths = app_paths().ensure()
    setup_logging(paths.logs_dir if log_file else None, console=console_logging)
    store = Store.open(paths)
    ctx = AppContext(paths, store, passphrase, load_site())
    _sync_site_presets(ctx)
    if demo:
        _register_demo(store, paths)
    return ctx


def _sync_site_presets(ctx: AppContext) -> None:
    """IT's presets, read-only for the user (the store refuses user writes to them). A
    preset no longer in the site file is removed: nobody else may remove it."""
    store, wanted = ctx.store, {c.name for c in ctx.site.connections}
    for old in store.list_connections():
        if old.origin == "site" and old.name not in wanted:
            store.remove_connection(old.name, origin="site")
            from dte_desktop.core.audit import AuditLog

            AuditLog(store).record(
                "connection_change", connection=old.name, extra={"operation": "site_removed"}
            )
    for conn in ctx.site.connections:
        store.save_connection(conn.name, conn.url, options=conn.options, origin="site")


def _register_demo(store: Store, paths: AppPaths) -> None:
    """The demo connection, with the classifications a compliance officer would have set
    (once: later changes by the user are theirs to keep)."""
    existing = {c.name: c.origin for c in store.list_connections()}
    if existing.get(DEMO_CONNECTION) == "site":
        return  # the site file took the demo's name: the preset wins
    first = DEMO_CONNECTION not in existing
    store.save_connection(DEMO_CONNECTION, demo_url(paths.demo_db), origin="builtin")
    if first and not store.classifications(DEMO_CONNECTION):
        from dte_desktop.core.paths import resources_dir
        from dte_desktop.core.privacy.labels import import_labels

        import_labels(
            store,
            DEMO_CONNECTION,
            resources_dir() / "demo_classifications.toml",
            reason="demo defaults",
        )
