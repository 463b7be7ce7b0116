"""Errors carry their kind: the CLI's exit status and the GUI's reaction come from the class,
never from words in a message."""

from __future__ import annotations

import pytest

from dte_desktop.core.errors import (
    Cancelled,
    ConfigError,
    DteError,
    NotFound,
    PolicyViolation,
    QueryFailed,
    ReadOnly,
    SecretStoreError,
    WrongPassphrase,
    error_class,
)
from dte_desktop.core.jobs import export_job
from dte_desktop.core.profiling.stream import ProfileCancelled
from dte_desktop.core.secrets import EncryptedFileBackend


@pytest.mark.parametrize(
    ("cls", "code"),
    [(DteError, 1), (QueryFailed, 1), (ConfigError, 2), (ReadOnly, 2), (NotFound, 2),
     (PolicyViolation, 2), (Cancelled, 3), (ProfileCancelled, 3), (WrongPassphrase, 1)],
)  # fmt: skip
def test_each_error_class_carries_its_exit_code(cls: type[DteError], code: int) -> None:
    assert cls.exit_code == code


def test_one_cancelled_for_export_and_profile() -> None:
    assert export_job.Cancelled is Cancelled
    assert issubclass(ProfileCancelled, Cancelled) and issubclass(Cancelled, DteError)
    assert str(Cancelled()) == "Cancelled."


def test_error_class_reads_back_a_class_name() -> None:
    assert error_class("WrongPassphrase") is WrongPassphrase
    assert issubclass(error_class("WrongPassphrase"), SecretStoreError)
    assert error_class("NoSuchError") is DteError


def test_a_wrong_passphrase_is_its_own_class(tmp_path) -> None:
    EncryptedFileBackend(tmp_path / "s.json", lambda: "right one").set("k", "v")
    with pytest.raises(WrongPassphrase):
        EncryptedFileBackend(tmp_path / "s.json", lambda: "wrong one").unlock()
