"""Connection types the dialog offers, and how their fields become a URL (never with the
password, which goes to the credential store) and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.engine import URL, make_url

from dte_desktop.core.errors import ConfigError


@dataclass(frozen=True)
class Kind:
    label: str
    scheme: str  # "" for the free SQLAlchemy URL
    form: str  # network | file | url
    port: int | None = None


KINDS: tuple[Kind, ...] = (
    Kind("PostgreSQL / Greenplum", "postgresql", "network", 5432),
    Kind("MySQL / MariaDB", "mysql", "network", 3306),
    Kind("Vertica", "vertica", "network", 5433),
    Kind("SQLite", "sqlite", "file"),
    Kind("Other SQLAlchemy URL", "", "url"),
)
_BY_SCHEME = {
    "postgresql": 0,
    "greenplum": 0,
    "mysql": 1,
    "mariadb": 1,
    "vertica": 2,
    "sqlite": 3,
}


@dataclass
class Fields:
    kind: int = 0
    host: str = ""
    port: str = ""
    database: str = ""
    user: str = ""
    options: str = ""  # key=value&key=value
    path: str = ""
    url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def build_url(f: Fields) -> str:
    """The password-free URL the store keeps."""
    kind = KINDS[f.kind]
    if kind.form == "file":
        if not f.path.strip():
            raise ConfigError("Choose the SQLite database file.")
        return f"sqlite:///{f.path.strip()}"
    if kind.form == "url":
        if not f.url.strip():
            raise ConfigError("Enter a SQLAlchemy URL.")
        try:
            u = make_url(f.url.strip())
        except Exception:
            raise ConfigError("That is not a SQLAlchemy URL (dialect://user@host/db).") from None
        return u._replace(password=None).render_as_string(hide_password=False)
    if not f.host.strip():
        raise ConfigError("Enter the server's host name.")
    port = f.port.strip()
    if port and not port.isdigit():
        raise ConfigError("The port is a number.")
    query = dict(parse_qsl(f.options.strip(), keep_blank_values=True)) if f.options else {}
    u = URL.create(
        kind.scheme,
        username=f.user.strip() or None,
        host=f.host.strip(),
        port=int(port) if port else None,
        database=f.database.strip() or None,
        query=query,
    )
    return u.render_as_string(hide_password=False)


def fields_from_url(url: str) -> Fields:
    u = make_url(url)
    backend = u.get_backend_name()
    index = _BY_SCHEME.get(backend)
    if index is None:
        return Fields(kind=4, url=url)
    if KINDS[index].form == "file":
        return Fields(kind=index, path=u.database or "")
    return Fields(
        kind=index,
        host=u.host or "",
        port=str(u.port or ""),
        database=u.database or "",
        user=u.username or "",
        options=urlencode(dict(u.query)) if u.query else "",
    )
