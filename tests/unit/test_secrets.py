"""The credential store: encrypted file store always; the real Secret Service when present."""

from __future__ import annotations

import json
import textwrap

import keyring
import pytest

from dte_desktop.core.errors import SecretStoreError
from dte_desktop.core.paths import app_paths
from dte_desktop.core.secrets import CredentialStore, EncryptedFileBackend, usable_os_keyring


def _store(phrase: str | None = "correct horse") -> CredentialStore:
    return CredentialStore(app_paths().ensure().secrets_file, lambda: phrase, prefer="file")


def test_encrypted_file_round_trip_and_no_plaintext_on_disk() -> None:
    store = _store()
    assert isinstance(store.backend, EncryptedFileBackend) and store.needs_passphrase
    store.set("connection:prod", "pässwörd-1234567")
    store.set("connection:other", "second-secret-value")
    assert _store().get("connection:prod") == "pässwörd-1234567"
    raw = app_paths().secrets_file.read_bytes()
    assert b"second-secret-value" not in raw and "pässwörd".encode() not in raw
    assert oct(app_paths().secrets_file.stat().st_mode & 0o777) == "0o600"
    store.delete("connection:other")
    assert _store().get("connection:other") is None


def test_wrong_or_missing_passphrase_is_a_clear_error() -> None:
    _store().set("k", "value-123")
    with pytest.raises(SecretStoreError, match="Wrong master passphrase"):
        _store("not it").get("k")
    with pytest.raises(SecretStoreError, match="master passphrase"):
        _store(None).get("k")


def test_tampered_or_swapped_ciphertext_is_detected() -> None:
    store = _store()
    store.set("a", "alpha-secret")
    store.set("b", "bravo-secret")
    path = app_paths().secrets_file
    doc = json.loads(path.read_text())
    doc["entries"]["a"], doc["entries"]["b"] = doc["entries"]["b"], doc["entries"]["a"]
    path.write_text(json.dumps(doc))
    with pytest.raises(SecretStoreError, match="integrity"):
        _store().get("a")


def test_plaintext_and_failing_backends_are_refused() -> None:
    class PlaintextKeyring(keyring.backend.KeyringBackend):
        priority = 1  # what keyrings.alt's would claim

        def get_password(self, service, username):  # type: ignore[no-untyped-def]
            return None

        def set_password(self, service, username, password):  # type: ignore[no-untyped-def]
            raise AssertionError("a plaintext backend must never be written to")

        def delete_password(self, service, username):  # type: ignore[no-untyped-def]
            return None

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    before = keyring.get_keyring()
    try:
        keyring.set_keyring(PlaintextKeyring())
        assert usable_os_keyring() is None
        store = CredentialStore(app_paths().ensure().secrets_file, lambda: "pp")
        assert isinstance(store.backend, EncryptedFileBackend)
        store.set("x", "never-in-plaintext")
        with pytest.raises(SecretStoreError, match="No usable OS keyring"):
            CredentialStore(app_paths().secrets_file, prefer="os")
    finally:
        keyring.set_keyring(before)


SECRET_SERVICE_PROBE = textwrap.dedent(
    """
    import os
    from pathlib import Path
    from dte_desktop.core.secrets import CredentialStore
    store = CredentialStore(Path(os.environ["DTE_HOME"]) / "secrets.enc", prefer="auto")
    print("backend", store.backend.name)
    store.set("connection:ss-test", "via-secret-service-42")
    print("got", store.get("connection:ss-test"))
    store.delete("connection:ss-test")
    print("after-delete", store.get("connection:ss-test"))
    """
)


def test_real_secret_service_through_gnome_keyring(tmp_path) -> None:
    from tests.secret_service import run_in_secret_service

    out = run_in_secret_service(tmp_path, SECRET_SERVICE_PROBE, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "backend keyring:keyring.backends.SecretService.Keyring" in out.stdout
    assert "got via-secret-service-42" in out.stdout
    assert "after-delete None" in out.stdout
    assert not (tmp_path / "dte_home" / "secrets.enc").exists()
