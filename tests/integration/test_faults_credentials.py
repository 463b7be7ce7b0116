"""The encrypted credential store under concurrent writers and wrong passphrases: eight real
`dte connections add … --password-stdin` processes at once keep all eight passwords; a wrong
master passphrase stops `connections add` and `connections remove` before anything changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dte_desktop.core.paths import app_paths
from dte_desktop.core.secrets import CredentialStore

PHRASE = os.environ["DTE_MASTER_PASSPHRASE"]  # tests/conftest.py sets it
URL = "postgresql://someone@db.example.invalid:5432/sales"


def dte(*args: str, stdin: str = "", phrase: str = PHRASE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DTE_MASTER_PASSPHRASE": phrase, "DTE_KEYRING": "file"}
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args],
        input=stdin, capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip


def stored(name: str, phrase: str = PHRASE) -> str | None:
    store = CredentialStore(app_paths().secrets_file, lambda: phrase, prefer="file")
    return store.get(CredentialStore.connection_key(name))


def add_in_parallel(names: list[str]) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "DTE_KEYRING": "file"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dte_desktop",
                "connections",
                "add",
                n,
                "--url",
                URL,
                "--password-stdin",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in names
    ]
    out = []
    for n, p in zip(names, procs, strict=True):
        stdout, stderr = p.communicate(f"pw-of-{n}\n", timeout=180)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


@pytest.mark.parametrize("existing_store", [False, True], ids=["new store", "existing store"])
def test_eight_parallel_adds_keep_every_password(existing_store: bool) -> None:
    if existing_store:
        assert dte("connections", "add", "first", "--url", URL, "--password-stdin",
                   stdin="pw-of-first\n").returncode == 0  # fmt: skip
    names = [f"conn{i}" for i in range(8)]
    results = add_in_parallel(names)
    for r in results:
        assert r.returncode == 0 and "saved" in r.stdout, r.stderr
        assert "Traceback" not in r.stderr and "tmp" not in r.stderr, r.stderr
    assert {n: stored(n) for n in names} == {n: f"pw-of-{n}" for n in names}
    if existing_store:
        assert stored("first") == "pw-of-first"
    listed = json.loads(dte("connections", "list", "--json").stdout)
    assert set(names) <= {c["name"] for c in listed}
    leftovers = [p.name for p in Path(app_paths().secrets_file).parent.glob("secrets.enc*tmp*")]
    assert leftovers == []


CHILD = """
import sys, time
from pathlib import Path
from dte_desktop.core.secrets import CredentialStore
path, barrier, me = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
store = CredentialStore(path, lambda: "pp", prefer="file")
while not barrier.exists():  # every process is imported and ready: start together
    time.sleep(0.005)
for i in range(5):
    store.set(f"{me}-{i}", f"secret-{me}-{i}")
"""


def test_eight_processes_released_together_lose_nothing(tmp_path: Path) -> None:
    path, barrier = tmp_path / "secrets.enc", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(barrier), f"p{n}"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    time.sleep(3)  # let all eight finish importing
    barrier.touch()
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    store = CredentialStore(path, lambda: "pp", prefer="file")
    got = {f"p{n}-{i}": store.get(f"p{n}-{i}") for n in range(8) for i in range(5)}
    assert got == {k: f"secret-{k}" for k in got}


def _audit_count() -> int:
    return len(json.loads(dte("audit", "list", "--json").stdout))


def test_add_with_a_wrong_passphrase_changes_nothing() -> None:
    assert dte("connections", "add", "a", "--url", URL, "--password-stdin",
               stdin="alpha-pw\n").returncode == 0  # fmt: skip
    before_audit = _audit_count()
    for name in ("b", "a"):  # a new connection, and an update of one that exists
        r = dte("connections", "add", name, "--url", URL + "2", "--password-stdin",
                stdin="bravo-pw\n", phrase="not the passphrase")  # fmt: skip
        assert r.returncode != 0 and "Wrong master passphrase" in r.stderr, (r.stdout, r.stderr)
    listed = {c["name"]: c["url"] for c in json.loads(dte("connections", "list", "--json").stdout)}
    assert "b" not in listed and listed["a"] == URL
    assert stored("a") == "alpha-pw" and stored("b") is None
    assert _audit_count() == before_audit


def test_remove_with_a_wrong_passphrase_changes_nothing() -> None:
    assert dte("connections", "add", "a", "--url", URL, "--password-stdin",
               stdin="alpha-pw\n").returncode == 0  # fmt: skip
    before_audit = _audit_count()
    r = dte("connections", "remove", "a", phrase="not the passphrase")
    assert r.returncode != 0 and "Wrong master passphrase" in r.stderr, (r.stdout, r.stderr)
    listed = {c["name"] for c in json.loads(dte("connections", "list", "--json").stdout)}
    assert "a" in listed and stored("a") == "alpha-pw"
    assert _audit_count() == before_audit
    assert dte("connections", "remove", "a").returncode == 0
    assert stored("a") is None
