"""Encrypted transfer packages between two workstations (two ``DTE_HOME``s): a masked
export sealed to the receiver decrypts there to the very bytes the manifest lists; a changed,
extra or foreign file, another signer or another receiver is refused with a clear message;
no key reaches the history, logs or the package."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DTE = [sys.executable, "-m", "dte_desktop"]


def dte(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DTE_HOME": str(home)}
    return subprocess.run([*DTE, *args], capture_output=True, text=True, timeout=180, env=env)


def ok(home: Path, *args: str) -> dict:
    r = dte(home, *args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def two_homes(tmp_path: Path, demo_db_file: str) -> tuple[Path, Path]:
    import shutil

    homes = tmp_path / "sender", tmp_path / "receiver"
    for h in homes:
        h.mkdir()
        shutil.copy(demo_db_file, h / "demo.sqlite")
    return homes


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_sealed_export_decrypts_on_the_receiver(two_homes, tmp_path: Path) -> None:
    sender, receiver = two_homes
    theirs = ok(receiver, "package", "keys")
    mine = ok(sender, "package", "keys")
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(f"# the receiving workstation\n{theirs['recipient']}\n")
    out = tmp_path / "pkg"
    data = ok(sender, "export", "Demo (SQLite)", "customers", "orders", "--mask",
              "--partitions", "2", "--out", str(out), "--encrypt-to", str(recipients))  # fmt: skip
    assert data["status"] == "complete"
    assert data["package"]["fingerprint"] == mine["signer_fingerprint"]
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert len(listed) >= 3
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert not any(n.endswith(".parquet") for n in on_disk), "plaintext left in the package"
    assert {n + ".age" for n in listed} <= on_disk

    v = ok(receiver, "package", "verify", str(out), "--signer", mine["signer"])
    assert v["pinned"] is True
    plain = tmp_path / "plain"
    d = ok(
        receiver, "package", "decrypt", str(out), "--out", str(plain), "--signer", mine["signer"]
    )
    assert d["decrypted"] == len(listed)
    for name, digest in listed.items():
        assert _sha(plain / name) == digest, name
    r = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=plain)
    assert r.returncode == 0

    # No private key anywhere but the (encrypted) credential store of its own workstation.
    from dte_desktop.core.export.package import IDENTITY_KEY, SIGNING_KEY
    from dte_desktop.core.secrets import CredentialStore

    secrets = []
    for home in (sender, receiver):
        store = CredentialStore(home / "secrets.enc", lambda: os.environ["DTE_MASTER_PASSPHRASE"])
        secrets += [v for k in (IDENTITY_KEY, SIGNING_KEY) if (v := store.get(k))]
    assert len(secrets) == 4
    for root in (sender, receiver, out, plain):
        for p in root.rglob("*"):
            if p.is_file() and p.name != "secrets.enc":
                blob = p.read_bytes()
                for s in secrets:
                    assert s.encode() not in blob, p


@pytest.fixture(scope="module")
def sealed(tmp_path_factory, demo_db_file: str) -> tuple[Path, Path, dict]:
    """One sealed package (built once: each case below tampers with its own copy)."""
    import shutil

    root = tmp_path_factory.mktemp("sealed")
    sender, receiver = root / "sender", root / "receiver"
    for h in (sender, receiver):
        h.mkdir()
        shutil.copy(demo_db_file, h / "demo.sqlite")
    rec = root / "r.txt"
    rec.write_text(ok(receiver, "package", "keys")["recipient"] + "\n")
    out = root / "pkg"
    ok(sender, "export", "Demo (SQLite)", "products", "--out", str(out), "--mask",
       "--encrypt-to", str(rec))  # fmt: skip
    return out, receiver, ok(sender, "package", "keys")


def in_process(home: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """The CLI's own main() (same code path as the process, without its start-up cost)."""
    from dte_desktop.cli import main
    from dte_desktop.core.logs import reset_logging

    monkeypatch.setenv("DTE_HOME", str(home))
    code = main(list(args))
    reset_logging()
    got = capsys.readouterr()
    return code, got.out, got.err


# What the refusal says for each kind of tampering: the file and what is wrong with it.
REASONS = {
    "flip": ".age does not match its checksum: the package was changed.",
    "manifest": "manifest.json does not match its checksum: the package was changed.",
    "sums": "The signature of SHA256SUMS does not match: the package was changed.",
    "extra": "Files not in the signed package: README.txt.",
    "remove": ".age is missing (or not a plain file).",
    "signer": "not by the expected signer",
}


@pytest.mark.parametrize("tamper", list(REASONS))
def test_tampered_package_is_refused(sealed, tmp_path: Path, tamper, monkeypatch, capsys) -> None:
    import hashlib
    import shutil

    original, receiver, keys = sealed
    out = tmp_path / "pkg"
    shutil.copytree(original, out)
    signer = keys["signer"]
    age = next(out.rglob("*.age"))
    if tamper == "flip":
        blob = bytearray(age.read_bytes())
        blob[-5] ^= 0x01
        age.write_bytes(bytes(blob))
    elif tamper == "manifest":
        m = json.loads((out / "manifest.json").read_text())
        m["masked"] = False
        (out / "manifest.json").write_text(json.dumps(m))
    elif tamper == "sums":  # a changed file with SHA256SUMS rewritten to match it
        blob = bytearray(age.read_bytes())
        blob[-5] ^= 0x01
        age.write_bytes(bytes(blob))
        name = str(age.relative_to(out))
        sums = (out / "SHA256SUMS").read_text().splitlines()
        digest = hashlib.sha256(bytes(blob)).hexdigest()
        sums = [f"{digest}  {name}" if line.endswith(f"  {name}") else line for line in sums]
        (out / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    elif tamper == "extra":
        (out / "README.txt").write_text("not from the sender")
    elif tamper == "remove":
        age.unlink()
    else:
        signer = ok(receiver, "package", "keys")["signer"]  # someone else's key
    assert in_process(receiver, monkeypatch, capsys, "package", "verify", str(original),
                      "--signer", keys["signer"])[0] == 0  # fmt: skip
    for action in (["verify", str(out)], ["decrypt", str(out), "--out", str(tmp_path / "x")]):
        code, _, err = in_process(receiver, monkeypatch, capsys, "package", *action,
                                  "--signer", signer)  # fmt: skip
        assert code != 0, (tamper, action)
        assert "Transfer package refused" in err, err
        assert REASONS[tamper] in err, err
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_other_workstation_cannot_decrypt(sealed, tmp_path: Path, monkeypatch, capsys) -> None:
    out, _, keys = sealed
    third = tmp_path / "third"
    third.mkdir()
    code, _, err = in_process(third, monkeypatch, capsys, "package", "decrypt", str(out),
                              "--out", str(tmp_path / "y"), "--signer", keys["signer"])  # fmt: skip
    assert code != 0
    assert "not encrypted to this workstation" in err
    code, stdout, _ = in_process(third, monkeypatch, capsys, "package", "verify", str(out))
    assert code == 0 and "NOT pinned" in stdout


def test_bad_recipients_file_fails_before_the_export(two_homes, tmp_path: Path) -> None:
    sender, _ = two_homes
    bad = tmp_path / "bad.txt"
    bad.write_text("ssh-rsa AAAA nonsense\n")
    out = tmp_path / "never"
    r = dte(
        sender, "export", "Demo (SQLite)", "products", "--out", str(out), "--encrypt-to", str(bad)
    )
    assert r.returncode == 2 and "not an age X25519 recipient" in r.stderr
    assert not out.exists()
