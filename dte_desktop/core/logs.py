"""Logging with a redaction filter: no password, key or token reaches a log line.

Two layers: patterns that recognise secrets by shape (URL userinfo, ``password=…``,
``PGPASSWORD``, bearer tokens, ``"api_key": "…"``), and a registry of the literal secret
values this process has handled (every password read from the credential store is
registered), so a secret is caught even where it appears without a telltale key.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MASK = "***"

_KEYWORDS = (
    r"password|passwd|pwd|pass|passphrase|secret|token|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|client[_-]?secret|auth|authorization|pgpassword|mysql_pwd|"
    r"dte_password|dte_master_passphrase|site[_-]?key|credentials?"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization: Bearer xyz
    (re.compile(r"(?P<pre>(?i:bearer|basic)\s+)(?P<secret>[A-Za-z0-9._~+/=\-]{8,})"), MASK),
    # scheme://user:password@host  -> scheme://user:***@host
    (re.compile(r"(?P<pre>[a-zA-Z][\w+.\-]*://[^:/?#@\s]*:)(?P<secret>[^@\s/]+)(?=@)"), MASK),
    # key=value, key: value, "key": "value", key='value'   (value up to a delimiter)
    (
        re.compile(
            r"(?P<pre>(?i:\b(?:" + _KEYWORDS + r"))[\"']?\s*[:=]\s*)"
            r"(?P<secret>\"[^\"]*\"|'[^']*'|[^\s,;&)}\]\"']+)"
        ),
        MASK,
    ),
]

_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so it is masked wherever it later appears verbatim."""
    if value and len(value) >= 3:
        with _known_lock:
            _known_secrets.add(value)


def redact(text: Any) -> str:
    """Return ``text`` with every recognisable secret replaced by ``***``."""
    s = str(text)
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for value in known:
        if value in s:
            s = s.replace(value, MASK)
    for pattern, mask in _PATTERNS:
        s = pattern.sub(lambda m, mask=mask: _keep_quotes(m, mask), s)
    return s


def _keep_quotes(m: re.Match[str], mask: str) -> str:
    secret = m.group("secret")
    if secret == mask or secret.strip("\"'") == mask:
        return m.group(0)
    if len(secret) >= 2 and secret[0] == secret[-1] and secret[0] in "\"'":
        return m.group("pre") + secret[0] + mask + secret[0]
    return m.group("pre") + mask


_SECRET_KEY = re.compile(r"(?i)" + _KEYWORDS)


def redact_mapping(data: Any) -> Any:
    """A deep copy of a JSON-like structure with secret-named keys dropped to ``***`` and
    every string passed through :func:`redact` — what job configs are stored as."""
    if isinstance(data, Mapping):
        out = {}
        for k, v in data.items():
            if _SECRET_KEY.search(str(k)) and v not in (None, ""):
                out[k] = MASK if isinstance(v, str | bytes) else redact_mapping(v)
            else:
                out[k] = redact_mapping(v)
        return out
    if isinstance(data, list | tuple):
        return [redact_mapping(v) for v in data]
    if isinstance(data, str):
        return redact(data)
    return data


class RedactionFilter(logging.Filter):
    """Rewrites the record's message (and exception text) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            # Format now, redact, and drop the live exception so no handler re-renders it raw.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Each log file 0600 (they name tables, folders and users), however the umask is set."""

    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        if os.name == "posix":
            os.chmod(self.baseFilename, 0o600)
        return stream

    def handleError(self, record: logging.LogRecord) -> None:
        """A full disk must not print a traceback per log line: one warning, then quiet."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)
        elif not getattr(self, "_told", False):
            self._told = True
            why = exc.strerror or str(exc)
            sys.stderr.write(
                f"warning: the log file {self.baseFilename} cannot be written: {why}\n"
            )


_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
_configured: dict[str, logging.Handler] = {}


def setup_logging(
    logs_dir: Path | None, *, console: bool = False, level: int = logging.INFO
) -> None:
    """A rotating file under the data dir, and the console for the CLI. Idempotent."""
    root = logging.getLogger("dte_desktop")
    root.setLevel(level)
    root.propagate = False
    if logs_dir is not None and "file" not in _configured:
        from dte_desktop.core.paths import private_dir

        private_dir(logs_dir)
        fh = _PrivateRotatingFileHandler(
            logs_dir / "dte.log", maxBytes=5_000_000, backupCount=5, encoding="utf-8"
        )
        fh.setFormatter(logging.Formatter(_FORMAT))
        fh.addFilter(RedactionFilter())
        root.addHandler(fh)
        _configured["file"] = fh
    if console and "console" not in _configured:
        ch = logging.StreamHandler(sys.stderr)
        ch.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        ch.setLevel(logging.WARNING)
        ch.addFilter(RedactionFilter())
        root.addHandler(ch)
        _configured["console"] = ch


def reset_logging() -> None:
    """Detach the handlers (tests switch ``DTE_HOME`` between cases)."""
    root = logging.getLogger("dte_desktop")
    for h in _configured.values():
        root.removeHandler(h)
        h.close()
    _configured.clear()


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("dte_desktop") else f"dte_desktop.{name}")
