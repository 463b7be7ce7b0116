"""Which ``Source`` serves a URL, read from what each source class declares
(``kind: SourceKind``). Classes are imported lazily and in ``_SOURCES`` order, stopping at
the first whose kind claims the URL's scheme, so opening a SQLite file never imports a
PostgreSQL driver. A new database kind is its module plus one line in ``_SOURCES``."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.engine import URL, make_url

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.logs import get_logger
from dte_desktop.core.sources.base import Source
from dte_desktop.core.sources.kind import SourceKind
from dte_desktop.core.urls import split_password

# Where the source classes live, cheapest import first; the last serves any other URL.
_SOURCES: tuple[str, ...] = (
    "dte_desktop.core.sources.sqlite:SQLiteSource",
    "dte_desktop.core.sources.postgres:PostgresSource",
    "dte_desktop.core.sources.mysql:MySQLSource",
    "dte_desktop.core.sources.vertica:VerticaSource",
    "dte_desktop.core.sources.generic:GenericSource",
)
_loaded: dict[str, type[Source] | None] = {}
log = get_logger(__name__)


def _load(target: str) -> type[Source] | None:
    """The class, or None when its module cannot be imported (a driver missing from this
    install must not take the other kinds down with it)."""
    if target not in _loaded:
        module_name, _, cls_name = target.partition(":")
        try:
            _loaded[target] = getattr(importlib.import_module(module_name), cls_name)
        except ImportError as exc:
            log.warning("source %s unavailable: %s", target, exc)
            _loaded[target] = None
    return _loaded[target]


def family_of(url: str | URL) -> str:
    """``postgresql+psycopg://…`` -> ``postgresql``."""
    try:
        u = make_url(url) if isinstance(url, str) else url
    except Exception as exc:
        raise ConfigError(f"Not a database URL: {exc}") from None
    return u.get_backend_name()


def source_class(url: str | URL) -> type[Source]:
    backend = family_of(url)
    fallback: type[Source] | None = None
    for target in _SOURCES:
        cls = _load(target)
        if cls is None:
            continue
        if backend in cls.kind.schemes:
            return cls
        if not cls.kind.schemes:
            fallback = cls
    if fallback is None:
        raise ConfigError(f"No source can open {backend} URLs in this installation.")
    return fallback


def kind_of(url: str | URL) -> SourceKind:
    """The kind that serves ``url`` (the generic one for a scheme no kind claims)."""
    return source_class(url).kind


def kinds() -> list[SourceKind]:
    """Every kind this installation can open, in the order the connection form lists them."""
    found = [cls.kind for cls in map(_load, _SOURCES) if cls is not None]
    return sorted(found, key=lambda k: k.order)


def open_source(url: str | URL, password: str | None = None, **options: Any) -> Source:
    """Build the source for ``url``. The password travels apart from the URL, so the URL can
    be shown, logged and stored; a password inside ``url`` is taken out and used."""
    u, in_url = split_password(url)
    if password is None:
        password = in_url
    cls = source_class(u)
    return cls(u, password=password, **options)  # type: ignore[call-arg]
