"""Where the application keeps its files: platformdirs, overridable with ``DTE_HOME``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from dte_desktop import APP_NAME


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite"

    @property
    def demo_db(self) -> Path:
        return self.data_dir / "demo.sqlite"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def secrets_file(self) -> Path:
        return self.data_dir / "secrets.enc"

    def ensure(self) -> AppPaths:
        for d in (self.data_dir, self.config_dir, self.logs_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """``DTE_HOME`` puts everything under one folder (tests, portable installs)."""
    home = os.environ.get("DTE_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(data_dir=root, config_dir=root)
    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )


def site_file() -> Path:
    """The read-only site file installed by IT (``DTE_SITE_FILE`` overrides it): the first
    that exists in the system config folders, searched in order (on Linux every entry of
    ``$XDG_CONFIG_DIRS``: desktops set ``/etc/xdg/xdg-ubuntu:/etc/xdg``, and IT installs to
    ``/etc/xdg``), else where the first one would be."""
    override = os.environ.get("DTE_SITE_FILE")
    if override:
        return Path(override)
    first = platformdirs.site_config_dir(APP_NAME, appauthor=False)
    every = platformdirs.site_config_dir(APP_NAME, appauthor=False, multipath=True)
    # One folder (Windows, macOS, a single XDG entry) is taken whole: "C:\..." has a colon.
    dirs = [first] if every == first else every.split(os.pathsep)
    candidates = [Path(d) / "site.toml" for d in dirs if d]
    return next((c for c in candidates if c.is_file()), candidates[0])


def resources_dir() -> Path:
    """Bundled resources (icons, default masking policy): a package, so wheels, editable
    installs and the PyInstaller bundle all carry them the same way."""
    import importlib.resources

    return Path(str(importlib.resources.files("dte_desktop.resources")))
