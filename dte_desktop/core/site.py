"""The site file: what IT presets on a workstation, read-only for the user.

``site.toml`` (path: ``paths.site_file()``; ``DTE_SITE_FILE`` overrides)::

    [site]
    name = "Example Corp"
    default_export_dir = "/data/exports"

    [masking]                       # the site masking policy, inline (policy format), or:
    policy_file = "/etc/xdg/dte-desktop/masking_policy.toml"

    [[connections]]                 # no secrets: passwords are entered by each user
    name = "Warehouse"
    url = "postgresql://analyst@dw.example:5432/dw"
    phone_regions = ["IL"]          # where this database's local phone numbers are from

    [privacy]
    phone_regions = ["GB", "IE"]    # phone regions of every connection (default: US)

Whatever the site sets is shown as locked in the app; a locked masking policy can only be
tightened by users (``core.privacy.locking``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.logs import get_logger
from dte_desktop.core.paths import site_file
from dte_desktop.core.urls import split_password

log = get_logger("site")


@dataclass(frozen=True)
class SiteConnection:
    name: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)
    phone_regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteConfig:
    path: Path | None = None
    name: str | None = None
    default_export_dir: str | None = None
    masking: dict[str, Any] | None = None  # an inline policy table, or {"policy_file": …}
    connections: tuple[SiteConnection, ...] = ()
    phone_regions: tuple[str, ...] = ()

    def regions_for(self, connection: str | None) -> tuple[str, ...]:
        """Phone regions the detectors try for ``connection``: its own, then the site's,
        then US (phonenumbers reads a number without ``+`` as local to a region)."""
        own = next((c.phone_regions for c in self.connections if c.name == connection), ())
        return tuple(dict.fromkeys((*own, *self.phone_regions))) or ("US",)

    @property
    def present(self) -> bool:
        return self.path is not None

    def locked_settings(self) -> list[str]:
        """Names of what the site decides, for the UI's "locked by your site" marks."""
        out = []
        if self.default_export_dir:
            out.append("default_export_dir")
        if self.masking:
            out.append("masking_policy")
        out += [f"connection:{c.name}" for c in self.connections]
        return out


def load_site(path: Path | None = None) -> SiteConfig:
    path = path or site_file()
    try:
        if not path.exists():
            return SiteConfig()
        data = tomllib.loads(path.read_text("utf-8"))
    except PermissionError:
        # An admin umask of 077 at install time leaves /etc/xdg/dte-desktop 0700: every user
        # would otherwise get a traceback instead of the app.
        raise ConfigError(
            f"The site file {path} (or its folder) is not readable by this user. Ask IT to "
            f"make it readable: chmod 0755 {path.parent} && chmod 0644 {path}"
        ) from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The site file {path} cannot be read: {exc}") from None
    site = data.get("site", {})
    conns = []
    for c in data.get("connections", []):
        if "name" not in c or "url" not in c:
            raise ConfigError(f"{path}: every [[connections]] entry needs a name and a url.")
        url, password = split_password(c["url"])
        if password is not None:
            raise ConfigError(
                f"{path}: connection {c['name']!r} has a password in its URL; "
                "site files never hold secrets."
            )
        conns.append(
            SiteConnection(
                c["name"],
                url.render_as_string(hide_password=False),
                dict(c.get("options", {})),
                _regions(path, c.get("phone_regions", [])),
            )
        )
    masking = data.get("masking")
    if masking and "policy_file" in masking:
        policy_path = Path(masking["policy_file"])
        if not policy_path.is_absolute():
            policy_path = path.parent / policy_path
        masking = {"policy_file": str(policy_path)}
    return SiteConfig(
        path=path,
        name=site.get("name"),
        default_export_dir=site.get("default_export_dir"),
        masking=masking,
        connections=tuple(conns),
        phone_regions=_regions(path, data.get("privacy", {}).get("phone_regions", [])),
    )


def _regions(path: Path, value: object) -> tuple[str, ...]:
    """Two-letter regions phonenumbers knows (``GB``, ``IL``); anything else is refused."""
    import phonenumbers

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: phone_regions must be a list of region codes like 'GB'.")
    bad = [v for v in value if v.upper() not in phonenumbers.SUPPORTED_REGIONS]
    if bad:
        raise ConfigError(f"{path}: unknown phone region(s) {', '.join(bad)}; use codes like 'GB'.")
    return tuple(v.upper() for v in value)
