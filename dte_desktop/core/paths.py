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
        """Create the folders private to this user (0700): job configs, the audit trail and
        logs describe what was exported from where, which other local users must not read.
        Folders made by an older version (0755) are tightened too."""
        for d in (self.data_dir, self.config_dir, self.logs_dir):
            private_dir(d)
        return self


PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """``mkdir -p`` with mode 0700 whatever the umask, and tighten an existing folder we own."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Mode 0600 for a file the app keeps for its user (history, logs, audit head, settings)."""
    if path.exists():
        _tighten(path, PRIVATE_FILE)
    return path


def _tighten(path: Path, mode: int) -> None:
    if os.name != "posix":  # Windows: the per-user profile's ACLs already keep others out
        return
    st = path.stat()
    if st.st_uid == os.getuid() and (st.st_mode & 0o777) != mode:
        path.chmod(mode)


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
    """The resources (icons, default masking policy, demo classifications, PII word lists).

    In the source tree they sit in the top-level ``resources/`` beside ``dte_desktop/``
    (the project layout); the wheel (setup.py maps them to the ``dte_desktop.resources``
    package data) and the PyInstaller bundle (build_spec.spec) put them in
    ``dte_desktop/resources``. Both are plain folders next to this package: found by path,
    nothing downloaded, nothing imported."""
    package = Path(__file__).resolve().parents[1]
    candidates = (package / "resources", package.parent / "resources")
    for folder in candidates:
        if (folder / RESOURCES_MARKER).is_file():
            return folder
    raise FileNotFoundError(
        f"DTE Desktop's resources are missing (looked for {RESOURCES_MARKER} in "
        + " and ".join(str(c) for c in candidates)
        + "): reinstall the application"
    )


# a file every resources folder has: a stray folder of that name does not count
RESOURCES_MARKER = "masking_policy.toml"
