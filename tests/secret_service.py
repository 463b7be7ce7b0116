"""Run a Python script inside a real Secret Service: a private D-Bus session with an
unlocked gnome-keyring (Debian's packages; ``make test`` installs them)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def run_in_secret_service(
    tmp_path: Path, source: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``source`` runs as a script with ``args``; the keyring is fresh (a HOME of its own, not
    the developer's). Missing tools fail under ``CI=true`` and skip, with the reason, outside."""
    if not all(shutil.which(t) for t in ("dbus-run-session", "gnome-keyring-daemon")):
        msg = "gnome-keyring/dbus missing (make test installs them on Debian)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    script = tmp_path / "in_secret_service.py"
    script.write_text(textwrap.dedent(source))
    drop = ("DTE_KEYRING", "DTE_MASTER_PASSPHRASE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["HOME"] = str(tmp_path)
    env["XDG_DATA_HOME"] = str(tmp_path / "share")
    command = shlex.join([sys.executable, str(script), *args])
    shell = (
        "echo -n unlock-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        + command
    )
    return subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
