"""Credentials: the OS keyring, or an encrypted file where no usable keyring exists.

Plain-text backends are refused outright (keyrings.alt's ``PlaintextKeyring`` stores
base64, and keyring's chooser would silently prefer it if it were installed). The file store
uses AES-256-GCM with a key derived by scrypt from a master passphrase; the passphrase
comes from a callback (the GUI prompt) or ``DTE_MASTER_PASSPHRASE``. Every secret read or
written is registered with the log redaction filter.
"""

from __future__ import annotations

import base64
import json
import os
import secrets as _random
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from dte_desktop.core.errors import SecretStoreError, WrongPassphrase
from dte_desktop.core.filelock import FileLock
from dte_desktop.core.logs import get_logger, register_secret

SERVICE = "dte-desktop"
log = get_logger("secrets")

# scrypt cost: ~0.1 s and 32 MiB per unlock on a 2-core workstation; unlocking happens once
# per process, so a slow KDF costs a user nothing and costs a brute-force attacker a lot.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_REFUSED_BACKENDS = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")
_CHECK = b"dte-desktop secret store v1"
# How long a writer waits for another process's read-modify-write (each takes ~0.1 s).
LOCK_WAIT_S = 30.0


class SecretBackend(Protocol):
    name: str

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> None: ...
    def unlock(self) -> None: ...


class KeyringBackend:
    """The OS keyring through ``keyring`` (Secret Service, macOS Keychain, Windows)."""

    def __init__(self, kr: object) -> None:
        self._kr = kr
        self.name = f"keyring:{type(kr).__module__}.{type(kr).__name__}"

    def get(self, key: str) -> str | None:
        import keyring.errors

        try:
            return self._kr.get_password(SERVICE, key)  # type: ignore[attr-defined]
        except keyring.errors.KeyringLocked:
            raise SecretStoreError("The OS keyring is locked; unlock it and retry.") from None
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The OS keyring failed: {exc}") from None

    def set(self, key: str, value: str) -> None:
        import keyring.errors

        try:
            self._kr.set_password(SERVICE, key, value)  # type: ignore[attr-defined]
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The OS keyring refused the secret: {exc}") from None

    def delete(self, key: str) -> None:
        import keyring.errors

        try:
            self._kr.delete_password(SERVICE, key)  # type: ignore[attr-defined]
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The OS keyring failed: {exc}") from None

    def unlock(self) -> None:
        """The OS unlocks its keyring itself (and says so on first use)."""


class EncryptedFileBackend:
    """A JSON file of AES-GCM ciphertexts, one per key, the key name bound as associated
    data (so ciphertexts cannot be swapped between entries). Written atomically, each
    read-modify-write under a cross-process lock (``secrets.enc.lock``): parallel
    ``dte connections add`` processes otherwise each rewrite the file from what they read,
    and all but the last lose their password. Changing the store needs the passphrase."""

    name = "encrypted-file"

    def __init__(self, path: Path, passphrase: Callable[[], str | None]) -> None:
        self.path = path
        self._passphrase = passphrase
        # The derived key, the salt it belongs to and the check made with it.
        self._key: bytes | None = None
        self._kdf: dict | None = None
        self._check: dict | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict:
        if not self.path.exists():
            return {}
        try:
            return json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise SecretStoreError(f"The secret store {self.path} is unreadable: {exc}") from None

    def _derive(self, doc: dict) -> tuple[bytes, dict]:
        """The key for ``doc`` (asking the passphrase once per salt) and the document to
        write back; a missing store becomes a new one with the salt already used here."""
        if self._key is not None and self._kdf is not None:
            if not doc:
                return self._key, _new_doc(self._kdf, self._check)
            if doc.get("kdf") == self._kdf:
                return self._key, doc
        phrase = self._passphrase()
        if not phrase:
            raise SecretStoreError(
                "No OS keyring is available and the encrypted store needs the master "
                "passphrase (enter it when asked, or set DTE_MASTER_PASSPHRASE)."
            )
        if not doc:
            salt = _b64(_random.token_bytes(16))
            kdf = {"name": "scrypt", "salt": salt, "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
            doc = _new_doc(kdf, None)
        kdf = doc["kdf"]
        key = Scrypt(
            salt=_unb64(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]
        ).derive(phrase.encode("utf-8"))
        if "check" in doc:
            try:
                _decrypt(key, doc["check"], b"check")
            except InvalidTag:
                raise WrongPassphrase("Wrong master passphrase for the secret store.") from None
        else:
            doc["check"] = _encrypt(key, _CHECK, b"check")
        self._key, self._kdf, self._check = key, dict(kdf), doc["check"]
        return key, doc

    def unlock(self) -> None:
        """Ask for (and check) the passphrase now, before anything is changed: a wrong one
        stops a command while the history and the store are still as they were."""
        with self._lock:
            doc = self._load()
            if doc:
                self._derive(doc)

    def _update(self, change: Callable[[bytes, dict], bool]) -> None:
        """Read, change and write the store under the cross-process lock. The passphrase is
        asked before the lock is taken (a person typing must not hold up other processes);
        under the lock the file is read again, so another writer's entries are kept."""
        with self._lock:
            self._derive(self._load())
            lock = FileLock(
                self.path.with_name(self.path.name + ".lock"),
                what=f"The secret store {self.path}",
                timeout=LOCK_WAIT_S,
            )
            with lock:
                aes_key, doc = self._derive(self._load())
                if change(aes_key, doc):
                    self._write(doc)

    def get(self, key: str) -> str | None:
        with self._lock:
            doc = self._load()
            entry = doc.get("entries", {}).get(key)
            if entry is None:
                return None
            aes_key, _ = self._derive(doc)
            try:
                return _decrypt(aes_key, entry, key.encode("utf-8")).decode("utf-8")
            except InvalidTag:
                raise SecretStoreError(
                    f"The stored secret {key!r} fails its integrity check."
                ) from None

    def set(self, key: str, value: str) -> None:
        def change(aes_key: bytes, doc: dict) -> bool:
            doc["entries"][key] = _encrypt(aes_key, value.encode("utf-8"), key.encode("utf-8"))
            return True

        self._update(change)

    def delete(self, key: str) -> None:
        if key not in self._load().get("entries", {}):
            return  # nothing to change: no passphrase needed
        self._update(lambda _key, doc: doc["entries"].pop(key, None) is not None)

    def _write(self, doc: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own per writer: a shared one was renamed away under another writer.
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.{_random.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _new_doc(kdf: dict, check: dict | None) -> dict:
    doc: dict = {"version": 1, "kdf": dict(kdf), "entries": {}}
    if check is not None:
        doc["check"] = check
    return doc


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s)


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> dict:
    nonce = _random.token_bytes(12)
    return {"nonce": _b64(nonce), "ct": _b64(AESGCM(key).encrypt(nonce, plaintext, aad))}


def _decrypt(key: bytes, entry: dict, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(_unb64(entry["nonce"]), _unb64(entry["ct"]), aad)


# The OS keyring of each platform, named outright. keyring's own discovery imports every
# backend it knows, and its macOS one probes for Apple frameworks with
# ctypes.util.find_library, which on Linux runs ldconfig, gcc, collect2 and ld at every start
# (endpoint security flags that). Loading one named backend spawns nothing.
_PLATFORM_KEYRINGS = {
    "darwin": ("keyring.backends.macOS.Keyring",),
    "win32": ("keyring.backends.Windows.WinVaultKeyring",),
}
_FREEDESKTOP_KEYRINGS = ("keyring.backends.SecretService.Keyring",)


def _keyring_candidates() -> list[object]:
    """A backend the process chose (``keyring.set_keyring``, ``PYTHON_KEYRING_BACKEND``),
    else the platform's own; never keyring's discover-everything."""
    import keyring.core

    chosen = keyring.core._keyring_backend  # set by set_keyring(); discovery not yet run
    if chosen is not None:
        return list(getattr(chosen, "backends", None) or [chosen])  # a chainer: its members
    env = os.environ.get("PYTHON_KEYRING_BACKEND")
    names = (env,) if env else _PLATFORM_KEYRINGS.get(sys.platform, _FREEDESKTOP_KEYRINGS)
    found = []
    for name in names:
        try:
            found.append(keyring.core.load_keyring(name))  # RuntimeError: not viable here
        except Exception as exc:
            log.info("keyring backend %s not usable: %s", name, exc)
    return found


def usable_os_keyring() -> object | None:
    """The OS keyring if it is a real, non-plaintext backend; else None."""
    try:
        import keyring  # noqa: F401 - a declared dependency; its absence means no keyring
    except ImportError:  # pragma: no cover
        return None
    for backend in _keyring_candidates():
        module = type(backend).__module__
        if any(module.startswith(p) for p in _REFUSED_BACKENDS):
            continue
        if "plaintext" in type(backend).__name__.lower():
            continue
        if getattr(backend, "priority", 0) <= 0:
            continue
        return backend
    return None


class CredentialStore:
    """Passwords by name, in the best store this machine has.

    ``DTE_KEYRING=file`` forces the encrypted file (portable installs, tests);
    ``DTE_KEYRING=os`` insists on the OS keyring and fails clearly without one.
    """

    def __init__(
        self,
        file_path: Path,
        passphrase: Callable[[], str | None] | None = None,
        prefer: str | None = None,
    ) -> None:
        prefer = (prefer or os.environ.get("DTE_KEYRING", "auto")).lower()
        self.file_path, self.prefer = file_path, prefer  # where: a job worker opens the same
        env_phrase = lambda: os.environ.get("DTE_MASTER_PASSPHRASE")  # noqa: E731
        os_kr = None if prefer == "file" else usable_os_keyring()
        if prefer == "os" and os_kr is None:
            raise SecretStoreError("No usable OS keyring on this machine (DTE_KEYRING=os).")
        self.backend: SecretBackend = (
            KeyringBackend(os_kr)
            if os_kr is not None
            else EncryptedFileBackend(file_path, passphrase or env_phrase)
        )
        log.info("credential store: %s", self.backend.name)

    @property
    def needs_passphrase(self) -> bool:
        return isinstance(self.backend, EncryptedFileBackend)

    def get(self, key: str) -> str | None:
        value = self.backend.get(key)
        register_secret(value)
        return value

    def set(self, key: str, value: str) -> None:
        register_secret(value)
        self.backend.set(key, value)

    def delete(self, key: str) -> None:
        self.backend.delete(key)

    def unlock(self) -> None:
        """Check the master passphrase now (encrypted file store), before a command changes
        anything else: a wrong one then changes nothing at all."""
        self.backend.unlock()

    # Names used across the app, kept in one place.
    @staticmethod
    def connection_key(name: str) -> str:
        return f"connection:{name}"

    @staticmethod
    def url_key(public_url: str) -> str:
        """An ad-hoc URL's password, under the URL without it (see ``remember_url_password``)."""
        return f"url:{public_url}"

    SITE_KEY = "site-masking-key"


def open_credentials(passphrase: Callable[[], str | None] | None = None) -> CredentialStore:
    from dte_desktop.core.paths import app_paths

    return CredentialStore(app_paths().secrets_file, passphrase)
