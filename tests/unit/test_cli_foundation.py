"""``dte`` through its real entry point, as scripts will call it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DTE = [sys.executable, "-m", "dte_desktop"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DTE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )


def test_connections_list_json_includes_the_demo(demo_home: str) -> None:
    out = run("connections", "list", "--json")
    assert out.returncode == 0, out.stderr
    conns = json.loads(out.stdout)
    demo = next(c for c in conns if c["name"] == "Demo (SQLite)")
    assert demo["kind"] == "sqlite" and demo["origin"] == "builtin"
    assert demo["url"].endswith("demo.sqlite")


def test_add_moves_the_password_to_the_credential_store(demo_home: str) -> None:
    secret = "cli-S3cret-value"
    out = run(
        "connections",
        "add",
        "warehouse",
        "--url",
        f"postgresql://alice:{secret}@db.example:5432/wh",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    saved = json.loads(out.stdout)
    assert saved["url"] == "postgresql://alice@db.example:5432/wh" and saved["password_saved"]
    assert secret not in out.stdout + out.stderr
    out = run(
        "connections",
        "add",
        "stdin-one",
        "--url",
        "mysql://bob@h/db",
        "--password-stdin",
        stdin="from-stdin-pw\n",
    )
    assert out.returncode == 0, out.stderr
    home = Path(demo_home)
    for f in [*home.glob("history.sqlite*"), *home.glob("logs/*")]:
        data = f.read_bytes()
        assert secret.encode() not in data and b"from-stdin-pw" not in data, f
    from dte_desktop.core.secrets import CredentialStore, open_credentials

    creds = open_credentials()
    assert creds.get(CredentialStore.connection_key("warehouse")) == secret
    assert creds.get(CredentialStore.connection_key("stdin-one")) == "from-stdin-pw"


def test_builtin_connection_cannot_be_removed(demo_home: str) -> None:
    out = run("connections", "remove", "Demo (SQLite)")
    assert out.returncode == 2 and "cannot be removed" in out.stderr


def test_unknown_connection_is_a_clear_error(demo_home: str) -> None:
    out = run("connections", "test", "nope")
    assert out.returncode == 2
    assert "No connection named 'nope'" in out.stderr and "Traceback" not in out.stderr
