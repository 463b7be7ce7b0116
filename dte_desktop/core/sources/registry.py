"""Which ``Source`` serves a URL, by scheme. Modules are imported lazily so that opening a
SQLite file never imports a PostgreSQL driver."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.engine import URL, make_url

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.base import Source
from dte_desktop.core.urls import split_password

# scheme family -> "module:Class"
_FAMILIES: dict[str, str] = {
    "postgresql": "dte_desktop.core.sources.postgres:PostgresSource",
    "greenplum": "dte_desktop.core.sources.postgres:PostgresSource",
    "mysql": "dte_desktop.core.sources.mysql:MySQLSource",
    "mariadb": "dte_desktop.core.sources.mysql:MySQLSource",
    "sqlite": "dte_desktop.core.sources.sqlite:SQLiteSource",
    "vertica": "dte_desktop.core.sources.vertica:VerticaSource",
}
_GENERIC = "dte_desktop.core.sources.generic:GenericSource"


def family_of(url: str | URL) -> str:
    """``postgresql+psycopg://…`` -> ``postgresql``."""
    try:
        u = make_url(url) if isinstance(url, str) else url
    except Exception as exc:
        raise ConfigError(f"Not a database URL: {exc}") from None
    return u.get_backend_name()


def source_class(url: str | URL) -> type[Source]:
    target = _FAMILIES.get(family_of(url), _GENERIC)
    module_name, _, cls_name = target.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


def open_source(url: str | URL, password: str | None = None, **options: Any) -> Source:
    """Build the source for ``url``. The password travels apart from the URL, so the URL can
    be shown, logged and stored; a password inside ``url`` is taken out and used."""
    u, in_url = split_password(url)
    if password is None:
        password = in_url
    cls = source_class(u)
    return cls(u, password=password, **options)  # type: ignore[call-arg]
