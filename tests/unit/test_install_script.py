"""``installers/linux/install.sh`` on a small stand-in bundle (the real one needs `make
package`): its modes do not depend on the admin's umask, and its menu entry validates."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "installers" / "linux"


def _bundle(where: Path) -> Path:
    """The layout package.sh stages: the onedir app, icons, the desktop file, the sums."""
    b = where / "bundle"
    app = b / "dte-desktop"
    (app / "_internal").mkdir(parents=True)
    for exe in ("dte", "dte-desktop"):
        (app / exe).write_text("#!/bin/sh\necho ok\n")
        (app / exe).chmod(0o755)
    (app / "_internal" / "libfake.so").write_bytes(b"\x7fELF")
    shutil.copy(LINUX / "install.sh", b / "install.sh")
    shutil.copy(LINUX / "dte-desktop.desktop", b / "dte-desktop.desktop")
    (b / "dte-desktop.png").write_bytes(b"png")
    (b / "dte-desktop.svg").write_text("<svg/>")
    (b / "VERSION").write_text("0.0.test\n")
    lines = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(b)}"
        for p in sorted(app.rglob("*"))
        if p.is_file()
    ]
    (b / "BUNDLE-SHA256SUMS").write_text("\n".join(lines) + "\n")
    return b


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None and os.environ.get("CI") != "true",
    reason="desktop-file-utils missing (make test installs it)",
)
def test_install_under_umask_077_leaves_everything_readable(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    prefix, site_dir = tmp_path / "prefix", tmp_path / "etc" / "xdg" / "dte-desktop"
    site = tmp_path / "site.toml"
    site.write_text('[site]\nname = "Example"\n')
    r = subprocess.run(
        ["sh", "-c", 'umask 077; exec sh "$0" --prefix "$1" --site "$2"',
         str(bundle / "install.sh"), str(prefix), str(site)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "DTE_SITE_DIR": str(site_dir)},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    wrong = {}
    for p in [site_dir, *site_dir.rglob("*"), *prefix.rglob("*")]:
        if p.is_symlink():
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        if p.is_dir() or os.access(p, os.X_OK):
            ok = mode & 0o555 == 0o555 and not mode & 0o022
        else:
            ok = mode & 0o444 == 0o444 and not mode & 0o022
        if not ok:
            wrong[str(p.relative_to(tmp_path))] = oct(mode)
    assert wrong == {}, "not readable by users, or writable by others"
    assert (site_dir / "site.toml").read_text().startswith("[site]")
    entry = prefix / "share" / "applications" / "dte-desktop.desktop"
    v = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr
    assert "error" not in v.stdout.lower(), v.stdout
    assert "%U" not in entry.read_text()  # the app takes no file arguments
