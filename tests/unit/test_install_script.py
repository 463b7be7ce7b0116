"""``installers/linux/install.sh`` on a small stand-in bundle (the real one needs `make
package`): its modes do not depend on the admin's umask, and its menu entry validates."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "installers" / "linux"


def _bundle(where: Path, signing_key: str | None = None, gnupg: dict | None = None) -> Path:
    """The layout package.sh stages (the onedir app with a versioned library and its link,
    icons, the desktop file), sealed by the same installers/seal_stage.sh."""
    b = where / "bundle"
    app = b / "dte-desktop"
    (app / "_internal").mkdir(parents=True)
    for exe in ("dte", "dte-desktop"):
        (app / exe).write_text("#!/bin/sh\necho ok\n")
        (app / exe).chmod(0o755)
    (app / "_internal" / "libQt6Core.so.6.11.3").write_bytes(b"\x7fELF")
    (app / "_internal" / "libQt6Core.so.6").symlink_to("libQt6Core.so.6.11.3")
    shutil.copy(LINUX / "install.sh", b / "install.sh")
    shutil.copy(LINUX / "dte-desktop.desktop", b / "dte-desktop.desktop")
    (b / "dte-desktop.png").write_bytes(b"png")
    (b / "dte-desktop.svg").write_text("<svg/>")
    (b / "VERSION").write_text("0.0.test\n")
    env = {**(gnupg or os.environ), "SIGNING_KEY": signing_key or ""}
    r = subprocess.run(["bash", str(ROOT / "installers" / "seal_stage.sh"), str(b)],
                       capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
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
        ["sh", "-c", 'umask 077; exec sh "$0" --allow-unsigned --prefix "$1" --site "$2"',
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


@pytest.fixture(scope="module")
def gpg_keys(tmp_path_factory) -> dict[str, object]:
    """Two throw-away OpenPGP keys in a private GNUPGHOME: the builder's and a stranger's."""
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    keys: dict[str, object] = {"env": env}
    for who in ("builder", "stranger"):
        uid = f"DTE {who} <{who}@example.invalid>"
        gen = ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign"]
        subprocess.run([*gen, "never"], env=env, check=True, capture_output=True)
        pub = home / f"{who}.asc"
        pub.write_bytes(subprocess.run(["gpg", "--armor", "--export", uid], env=env,
                                       check=True, capture_output=True).stdout)  # fmt: skip
        keys[who] = (uid, pub)
    return keys


def _check(bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(bundle / "install.sh"), "--check", *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.parametrize(
    "tamper", ["none", "extra_so", "repoint_link", "edit_install_sh", "remove_file", "extra_link"]
)
def test_check_verifies_signature_every_file_and_link(tmp_path, gpg_keys, tamper) -> None:
    uid, pub = gpg_keys["builder"]
    bundle = _bundle(tmp_path, signing_key=uid, gnupg=gpg_keys["env"])
    internal = bundle / "dte-desktop" / "_internal"
    if tamper == "extra_so":
        (internal / "libevil.so").write_bytes(b"\x7fELF")
    elif tamper == "repoint_link":
        outside = tmp_path / "libQt6Core.so.6.evil"
        outside.write_bytes(b"\x7fELF")
        (internal / "libQt6Core.so.6").unlink()
        (internal / "libQt6Core.so.6").symlink_to(outside)
    elif tamper == "edit_install_sh":
        with (bundle / "install.sh").open("a") as fh:
            fh.write("\n# harmless-looking edit\n")
    elif tamper == "remove_file":
        (bundle / "dte-desktop.svg").unlink()
    elif tamper == "extra_link":
        (bundle / "run-me").symlink_to("/bin/sh")
    r = _check(bundle, "--key", str(pub))
    if tamper == "none":
        assert r.returncode == 0, r.stderr
        assert "signature OK" in r.stdout and "bundle OK" in r.stdout
    else:
        assert r.returncode == 1, (tamper, r.stdout)
        assert "not installing" in r.stderr and "bundle OK" not in r.stdout


def test_check_refuses_missing_or_foreign_keys(tmp_path, gpg_keys) -> None:
    uid, _ = gpg_keys["builder"]
    _, stranger = gpg_keys["stranger"]
    signed = _bundle(tmp_path / "s", signing_key=uid, gnupg=gpg_keys["env"])
    unsigned = _bundle(tmp_path / "u")
    r = _check(signed)
    assert r.returncode == 1 and "pass --key" in r.stderr
    r = _check(signed, "--key", str(stranger))
    assert r.returncode == 1 and "does not verify" in r.stderr
    r = _check(unsigned, "--key", str(stranger))
    assert r.returncode == 1 and "not signed" in r.stderr
    r = _check(unsigned)
    assert r.returncode == 1 and "--allow-unsigned" in r.stderr
    r = _check(unsigned, "--allow-unsigned")
    assert r.returncode == 0 and "WARNING" in r.stderr


def test_two_seals_of_one_stage_sign_byte_for_byte_alike(tmp_path, gpg_keys) -> None:
    # Issue 22 item 4: two builds of one commit differed only in the signature's time.
    uid, _ = gpg_keys["builder"]
    env = {**gpg_keys["env"], "SOURCE_DATE_EPOCH": "1796358144"}
    first = _bundle(tmp_path / "a", signing_key=uid, gnupg=env)
    sig = (first / "BUNDLE-SHA256SUMS.asc").read_bytes()
    time.sleep(1.5)  # a signature stamped with the clock would now differ
    second = _bundle(tmp_path / "b", signing_key=uid, gnupg=env)
    assert (second / "BUNDLE-SHA256SUMS").read_bytes() == (first / "BUNDLE-SHA256SUMS").read_bytes()
    assert (second / "BUNDLE-SHA256SUMS.asc").read_bytes() == sig
