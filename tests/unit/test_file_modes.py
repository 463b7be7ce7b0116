"""What the app keeps for its user is private to that user (issue 22, items 5 and 9):
folders 0700 and files 0600 whatever the umask, and a site file IT left unreadable is a
clear message instead of a traceback."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DTE = [sys.executable, "-m", "dte_desktop"]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _run(*args: str, umask: int = 0o022, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DTE, *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **env},
        preexec_fn=lambda: os.umask(umask),
    )


def _modes(root: Path) -> dict[str, int]:
    out = {}
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        out[str(p.relative_to(root)) or "."] = stat.S_IMODE(p.stat().st_mode)
    return out


def test_user_data_is_private_whatever_the_umask(dte_home: str, tmp_path: Path) -> None:
    home = Path(dte_home)
    home.chmod(0o755)  # a folder made by an older version, or by hand
    out = tmp_path / "export"
    r = _run("demo", "--json", umask=0o000)
    assert r.returncode == 0, r.stderr
    r = _run("export", "Demo (SQLite)", "customers", "--mask", "--out", str(out), umask=0o000)
    assert r.returncode == 0, r.stderr
    modes = _modes(home)
    assert {"history.sqlite", "logs/dte.log"} <= modes.keys(), sorted(modes)
    loose = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (home / name).is_dir() else 0o600)
    }
    assert loose == {}, "readable by other local users"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_unreadable_site_file_is_a_clear_error() -> None:
    # pytest's own tmp folders are 0700 root: the other user needs one it can reach.
    tmp_path = Path(tempfile.mkdtemp(prefix="dte-site-"))
    try:
        _unreadable_site_file(tmp_path)
    finally:
        shutil.rmtree(tmp_path)


def _unreadable_site_file(tmp_path: Path) -> None:
    # IT installed with umask 077: the folder is 0700 root, the user cannot enter it.
    site_dir = tmp_path / "xdg" / "dte-desktop"
    site_dir.mkdir(parents=True)
    (site_dir / "site.toml").write_text('[site]\nname = "Example"\n')
    site_dir.chmod(0o700)
    tmp_path.chmod(0o755)
    (tmp_path / "xdg").chmod(0o755)
    user_home = tmp_path / "user"
    user_home.mkdir()
    os.chown(user_home, 65534, 65534)
    r = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *DTE, "policy", "show"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DTE_HOME": str(user_home),
            "DTE_SITE_FILE": str(site_dir / "site.toml"),
            "HOME": str(user_home),
        },
        cwd=tmp_path,
    )
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert "not readable by this user" in r.stderr
