"""One error hierarchy whose messages are fit to show a user.

Drivers' exceptions are translated into these at the boundary of ``core`` so that the UI
and the CLI never show a raw driver traceback (which may carry a DSN with a password).
"""

from __future__ import annotations


class DteError(Exception):
    """Base class. ``title`` is a short heading, ``str(exc)`` the user-facing message."""

    title = "Error"
    exit_code = 1  # the CLI's exit status when this error ends a command

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        from dte_desktop.core.logs import redact

        super().__init__(redact(message))
        self.detail = redact(detail) if detail else None

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(DteError):
    title = "Configuration error"
    exit_code = 2  # the user's input: fix it and run again


class ReadOnly(ConfigError):
    """A site preset or the builtin demo: its origin owns it, the user cannot change it."""

    title = "Read-only"


class ConnectionFailed(DteError):
    title = "Connection failed"


class AuthenticationFailed(ConnectionFailed):
    title = "Authentication failed"


class ServerUnreachable(ConnectionFailed):
    """Nothing answers at the address (connection refused), or the server is starting or
    stopping. At the start of a command that is final; during an export it is a server
    restart to ride out (``core.jobs.retry``)."""

    title = "Server unreachable"


class PermissionDenied(DteError):
    title = "Permission denied"


class QueryFailed(DteError):
    title = "Query failed"


class TransientError(QueryFailed):
    """A failure worth retrying: connection reset, server restart, serialization failure."""

    title = "Temporary failure"


class SnapshotLost(TransientError):
    """The session that held an export's shared snapshot is gone (a server restart, a
    terminated backend, ``idle_in_transaction_session_timeout``): later slices cannot join
    that point in time any more."""

    title = "Snapshot lost"


class ExportFailed(DteError):
    title = "Export failed"


class HistoryUnwritable(DteError):
    """The local history database cannot be written (its disk is full): what was being
    recorded is not, and the message says so instead of a driver's traceback."""

    title = "History cannot be written"


class PolicyViolation(DteError):
    title = "Not allowed by policy"
    exit_code = 2


class SecretStoreError(DteError):
    title = "Credential store"


class WrongPassphrase(SecretStoreError):
    """The master passphrase does not open the encrypted credential store: whoever keeps
    the passphrase forgets it and asks again."""


class Cancelled(DteError):
    """The user (or another process) stopped the work; what was done is kept."""

    title = "Cancelled"
    exit_code = 3

    def __init__(self, message: str = "Cancelled.", *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class NotFound(DteError):
    title = "Not found"
    exit_code = 2


def error_class(name: str) -> type[DteError]:
    """The error class named ``name`` (as the job worker reports it across its pipe);
    ``DteError`` for a name it does not know."""
    todo: list[type[DteError]] = [DteError]
    while todo:
        cls = todo.pop()
        if cls.__name__ == name:
            return cls
        todo.extend(cls.__subclasses__())
    return DteError
