"""Opening psycopg connections from a URL, and turning libpq / server errors into the
user-facing ``DteError`` classes.

libpq reports connection failures as text only (no SQLSTATE before the session exists),
so the connect-time classification matches on libpq's and the server's stable English
messages; ``lc_messages`` of a non-English server would fall through to the generic
"could not connect" message, which still carries the server's text.
"""

from __future__ import annotations

import math
from typing import Any

import psycopg
from psycopg import errors as pgerr
from sqlalchemy.engine import URL

from dte_desktop.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    DteError,
    NotFound,
    PermissionDenied,
    QueryFailed,
    ServerUnreachable,
    TransientError,
)
from dte_desktop.core.logs import redact
from dte_desktop.core.privacy.error_text import withhold_values

# Settings every reading session uses: the COPY text must parse the same way everywhere.
SESSION_OPTIONS = (
    "-c TimeZone=UTC -c DateStyle=ISO,MDY -c bytea_output=hex -c extra_float_digits=3 "
    "-c client_encoding=UTF8"
)
_PASSTHROUGH = {
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword",
    "target_session_attrs", "application_name", "gssencmode", "krbsrvname", "service",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
    "tcp_user_timeout", "channel_binding", "options", "host", "port", "sslcompression",
}  # fmt: skip


def connect_kwargs(url: URL, password: str | None, timeout: float) -> dict[str, Any]:
    """libpq parameters from a SQLAlchemy URL (the driver part of ``postgresql+x`` is
    irrelevant here). libpq's connect_timeout is whole seconds and at least 2."""
    kw: dict[str, Any] = {
        "host": url.host or "localhost",
        "dbname": url.database or (url.username or "postgres"),
        "connect_timeout": max(2, math.ceil(timeout)),
        "application_name": "dte-desktop",
    }
    if url.port:
        kw["port"] = url.port
    if url.username:
        kw["user"] = url.username
    if password is not None:
        kw["password"] = password
    for key, value in url.query.items():
        if key in _PASSTHROUGH:
            kw[key] = value if isinstance(value, str) else value[-1]
    kw["options"] = (kw.get("options", "") + " " + SESSION_OPTIONS).strip()
    return kw


def where(url: URL) -> str:
    host = url.host or "localhost"
    return f"{host}:{url.port or 5432}"


def translate_connect_error(exc: Exception, url: URL, timeout: float) -> DteError:
    """A distinct, plain message for each way a connection attempt fails."""
    text = redact(str(exc))
    low = text.lower()
    at = where(url)
    db = url.database or url.username or "postgres"
    user = url.username or "(default user)"
    if "password authentication failed" in low or "authentication failed" in low:
        return AuthenticationFailed(
            f"Wrong user name or password for {user!s} on {at}.", detail=text
        )
    if "no password supplied" in low or "fe_sendauth" in low:
        return AuthenticationFailed(f"The server at {at} asks for a password.", detail=text)
    if "role" in low and "does not exist" in low:
        return AuthenticationFailed(f"The user {user} does not exist on {at}.", detail=text)
    if "database" in low and "does not exist" in low:
        return NotFound(f'The database "{db}" does not exist on {at}.', detail=text)
    if "permission denied for database" in low or "connect privilege" in low:
        return PermissionDenied(
            f'The user {user} may not connect to the database "{db}" (missing CONNECT '
            "privilege); ask the database owner to grant it.",
            detail=text,
        )
    if "no pg_hba.conf entry" in low or "pg_hba.conf rejects" in low:
        if "no encryption" in low:
            return ConnectionFailed(
                f"The server at {at} accepts only encrypted (TLS/SSL) connections; "
                "set sslmode=require (or verify-full) in the connection.",
                detail=text,
            )
        return PermissionDenied(
            f'The server at {at} does not allow {user} to connect to "{db}" from this '
            "machine (pg_hba.conf).",
            detail=text,
        )
    if "server does not support ssl" in low:
        return ConnectionFailed(
            f"The server at {at} does not support TLS/SSL but the connection requires it.",
            detail=text,
        )
    if "timeout expired" in low or "timed out" in low:
        return ConnectionFailed(
            f"No answer from {at} within {max(2, math.ceil(timeout))} s (connection timed "
            "out); check the host, port, VPN or firewall.",
            detail=text,
        )
    if (
        "could not translate host name" in low
        or "failed to resolve host" in low
        or "name or service not known" in low
        or "nodename nor servname" in low
    ):
        return ConnectionFailed(
            f'Unknown host "{url.host}": the name cannot be resolved.', detail=text
        )
    if "connection refused" in low:
        return ServerUnreachable(
            f"Nothing is listening on {at} (connection refused); check the port and that "
            "the server is running.",
            detail=text,
        )
    if "the database system is" in low and any(
        w in low for w in ("starting up", "shutting down", "in recovery mode")
    ):
        return ServerUnreachable(f"The server at {at} is starting or stopping.", detail=text)
    return ConnectionFailed(f"Could not connect to {at}: {first_line(text)}", detail=text)


def translate_query_error(exc: Exception, what: str = "The query") -> DteError:
    """Server errors during a session, by SQLSTATE class."""
    if isinstance(exc, DteError):
        return exc
    text = withhold_values(redact(str(exc))).strip()
    diag = getattr(exc, "diag", None)
    detail = (
        withhold_values(redact(diag.message_detail))
        if diag is not None and diag.message_detail
        else None
    )
    state = getattr(exc, "sqlstate", None) or ""
    msg = first_line(text)
    if isinstance(exc, pgerr.ReadOnlySqlTransaction):
        return QueryFailed(
            f"{what} tried to change data; only read-only SQL is allowed here ({msg}).",
            detail=detail,
        )
    if isinstance(exc, pgerr.QueryCanceled):
        return QueryFailed(f"{what} was cancelled ({msg}).", detail=detail)
    if state == "42501":
        return PermissionDenied(f"{what} was refused: {msg}", detail=detail)
    if state in ("42P01", "3D000", "3F000", "42883") and "does not exist" in msg:
        return NotFound(f"{what} failed: {msg}", detail=detail)
    if state.startswith(("08", "40", "53", "57P")) or (
        isinstance(exc, psycopg.OperationalError) and not state
    ):
        return TransientError(f"{what} was interrupted: {msg}", detail=detail)
    if state.startswith("28"):
        return AuthenticationFailed(msg, detail=detail)
    return QueryFailed(f"{what} failed: {msg}", detail=detail)


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return text.strip() or "unknown error"
