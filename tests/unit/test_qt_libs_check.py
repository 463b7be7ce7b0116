"""``make run``'s check of Qt's X11 plugin (issue 20, item 1): on a machine that lacks a
library the plugin links to, it names the Debian package and the exact install command
(never a Qt abort blaming the wrong library); with everything present it says nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ensure_qt_libs.sh"
pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")


def _plugin_linked_to_missing_libs(tmp: Path) -> Path:
    """A real shared object linked to two libraries that are then removed, as libqxcb.so is
    linked to libxcb-icccm.so.4 on a box without libxcb-icccm4."""
    for soname in ("libxcb-dtefake.so.4", "libxkbdte-x11.so.0"):
        (tmp / "dep.c").write_text("int dep_symbol(void) { return 1; }\n")
        base = soname.split(".so")[0]
        subprocess.run(["cc", "-shared", "-fPIC", "-o", str(tmp / soname),
                        f"-Wl,-soname,{soname}", str(tmp / "dep.c")], check=True)  # fmt: skip
        (tmp / f"{base}.so").symlink_to(soname)
    (tmp / "plugin.c").write_text("int plugin(void) { return 0; }\n")
    plugin = tmp / "libqfake.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(plugin), str(tmp / "plugin.c"),
                    f"-L{tmp}", "-Wl,--no-as-needed", "-lxcb-dtefake", "-lxkbdte-x11"],
                   check=True)  # fmt: skip
    for p in tmp.glob("lib*dte*.so*"):
        p.unlink()
    return plugin


def test_missing_libraries_are_named_with_the_install_command(tmp_path: Path) -> None:
    plugin = _plugin_linked_to_missing_libs(tmp_path)
    r = subprocess.run(["bash", str(SCRIPT), str(plugin)], capture_output=True, text=True,
                       env={**os.environ, "DTE_QT_LIBS_INSTALL": "0"}, timeout=60)  # fmt: skip
    assert r.returncode == 1
    assert "libxcb-dtefake.so.4" in r.stdout and "libxkbdte-x11.so.0" in r.stdout
    assert "apt-get install -y libxcb-dtefake4 libxkbdte-x11-0" in r.stderr


def test_nothing_missing_is_silent_success(tmp_path: Path) -> None:
    (tmp_path / "ok.c").write_text("int ok(void) { return 0; }\n")
    plugin = tmp_path / "libqok.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(plugin), str(tmp_path / "ok.c")],
                   check=True)  # fmt: skip
    r = subprocess.run(["bash", str(SCRIPT), str(plugin)], capture_output=True, text=True,
                       timeout=60)  # fmt: skip
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""


def test_make_run_checks_the_plugin_before_starting() -> None:
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/ensure_qt_libs.sh" in run
    assert run.index("ensure_qt_libs") < run.index("dte-desktop")
