"""PySide6 6.12.0 drops a reference to None on every void Qt call and aborts CPython 3.11
(FACTS.md). This runs the repro so an upgrade cannot bring the crash back."""

from __future__ import annotations

import subprocess
import sys

REPRO = (
    "import sys; from PySide6 import QtCore; o=QtCore.QObject(); n=sys.getrefcount(None); "
    "[o.setObjectName('x') for _ in range(5000)]; print(sys.getrefcount(None)-n)"
)


def test_void_qt_calls_do_not_leak_none_references() -> None:
    out = subprocess.run([sys.executable, "-c", REPRO], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr[-400:]}"
    assert abs(int(out.stdout.strip())) < 100, out.stdout


def test_installed_pyside6_is_within_the_pin() -> None:
    from importlib.metadata import version

    major, minor, *_ = (int(x) for x in version("PySide6-Essentials").split("."))
    assert (major, minor) >= (6, 9) and (major, minor) < (6, 12)
