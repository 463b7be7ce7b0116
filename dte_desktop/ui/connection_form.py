"""How the connection dialog's fields become a URL (never with the password, which goes to
the credential store) and back. The kinds, their default ports and their options are
what each source class declares (``core.sources.registry.kinds``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.engine import URL, make_url

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.kind import SourceKind
from dte_desktop.core.sources.registry import kind_of, kinds


def kind_named(key: str) -> SourceKind:
    for k in kinds():
        if k.key == key:
            return k
    raise ConfigError(f"Unknown connection type {key!r}.")


@dataclass
class Fields:
    kind: str = "postgresql"  # SourceKind.key
    host: str = ""
    port: str = ""
    database: str = ""
    user: str = ""
    options: str = ""  # other URL options: key=value&key=value
    path: str = ""
    url: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # the kind's own options (SSL …)


def build_url(f: Fields) -> str:
    """The password-free URL the store keeps."""
    kind = kind_named(f.kind)
    if kind.form == "file":
        if not f.path.strip():
            raise ConfigError("Choose the SQLite database file.")
        return f"{kind.schemes[0]}:///{f.path.strip()}"
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
    for opt in kind.options:
        value = f.extra.get(opt.key, "").strip()
        query.pop(opt.key, None)  # the field wins over a copy typed into Options
        if value and value != opt.default:
            query[opt.key] = value
    u = URL.create(
        kind.schemes[0],
        username=f.user.strip() or None,
        host=f.host.strip(),
        port=int(port) if port else None,
        database=f.database.strip() or None,
        query=query,
    )
    return u.render_as_string(hide_password=False)


def fields_from_url(url: str) -> Fields:
    u = make_url(url)
    kind = kind_of(u)
    if kind.form == "url":
        return Fields(kind=kind.key, url=url)
    if kind.form == "file":
        return Fields(kind=kind.key, path=u.database or "")
    query = {k: v if isinstance(v, str) else v[-1] for k, v in u.query.items()}
    extra = {o.key: query.pop(o.key) for o in kind.options if o.key in query}
    return Fields(
        kind=kind.key,
        host=u.host or "",
        port=str(u.port or ""),
        database=u.database or "",
        user=u.username or "",
        options=urlencode(query) if query else "",
        extra=extra,
    )
