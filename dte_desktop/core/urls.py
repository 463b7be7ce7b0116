"""Database URLs without their passwords. (``URL.set(password=None)`` means "leave it as it
is" in SQLAlchemy, which is why this small helper exists.)"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.logs import redact


def parse_url(url: str | URL) -> URL:
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except Exception as exc:
        raise ConfigError(f"Not a database URL: {redact(exc)}") from None


def split_password(url: str | URL) -> tuple[URL, str | None]:
    """The URL with no password, and the password it carried (if any)."""
    u = parse_url(url)
    password = None if u.password is None else str(u.password)
    return u._replace(password=None), password


def display_url(url: str | URL) -> str:
    """Render for storage and display: the password is removed, not masked."""
    return split_password(url)[0].render_as_string(hide_password=False)


def public_ref(name_or_url: str) -> str:
    """What may be stored, logged, printed or hashed for a connection given by name or URL:
    a name as it is, a URL without its password. Every sink of a connection reference goes
    through here, so a password typed into a URL never outlives the process that got it."""
    if "://" not in name_or_url:
        return name_or_url
    try:
        return display_url(name_or_url)
    except ConfigError:
        from dte_desktop.core.logs import MASK

        return MASK  # not a URL we can parse: nothing of it is safe to keep
