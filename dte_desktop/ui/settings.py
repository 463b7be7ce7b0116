"""The GUI's own settings file (window state, theme), beside the other per-user files so
``DTE_HOME`` isolates tests and portable installs."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from dte_desktop.core.paths import AppPaths


def ui_settings(paths: AppPaths) -> QSettings:
    # The same file app.py's QSettings.setPath points the default QSettings at.
    path = paths.config_dir / "dte-desktop" / "dte-desktop.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)
