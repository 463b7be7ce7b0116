"""One error hierarchy whose messages are fit to show a user.

Drivers' exceptions are translated into these at the boundary of ``core`` so that the UI
and the CLI never show a raw driver traceback (which may carry a DSN with a password).
"""

from __future__ import annotations


class DteError(Exception):
    """Base class. ``title`` is a short heading, ``str(exc)`` the user-facing message."""

    title = "Error"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        from dte_desktop.core.logs import redact

        super().__init__(redact(message))
        self.detail = redact(detail) if detail else None

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(DteError):
    title = "Configuration error"


class ReadOnly(ConfigError):
    """A site preset or the builtin demo: its origin owns it, the user cannot change it."""

    title = "Read-only"


class ConnectionFailed(DteError):
    title = "Connection failed"


class AuthenticationFailed(ConnectionFailed):
    title = "Authentication failed"


class PermissionDenied(DteError):
    title = "Permission denied"


class QueryFailed(DteError):
    title = "Query failed"


class TransientError(QueryFailed):
    """A failure worth retrying: connection reset, server restart, serialization failure."""

    title = "Temporary failure"


class ExportFailed(DteError):
    title = "Export failed"


class PolicyViolation(DteError):
    title = "Not allowed by policy"


class SecretStoreError(DteError):
    title = "Credential store"


class NotFound(DteError):
    title = "Not found"
