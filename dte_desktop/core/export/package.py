"""Encrypted transfer packages: an export folder made safe to carry across the air gap on
removable media.

Why age (through ``pyrage``, the Python binding of the Rust ``age`` crate): a small, modern,
audited file format (X25519 + ChaCha20-Poly1305 in 64 KiB chunks, so files of any size
stream with bounded memory), one recipient string per key, no configuration to get wrong,
and no keyring daemon or ``gpg`` binary to ship. OpenPGP would bring a far larger surface
(algorithm negotiation, compression, web-of-trust) for nothing this job needs.

age encrypts but does not sign, so the package is also signed with Ed25519 (``cryptography``):

- every data file listed in ``manifest.json`` becomes ``FILE.age`` (the plaintext is removed
  once its ciphertext is durable); ``manifest.json`` stays readable (it holds the schema,
  counts and plaintext SHA-256s, never a value);
- ``package.json`` names the format, the recipients and the signer's public key;
- ``SHA256SUMS`` covers every file of the package and ``SHA256SUMS.sig`` is the signer's
  Ed25519 signature of it. ``verify`` refuses a changed, missing or extra file, and a
  signature that does not match; with ``--signer`` it also refuses any other signer (without
  it, a tamperer could re-sign with their own key, so the fingerprint is shown for checking).

Keys: each workstation has one age identity (to receive) and one Ed25519 signing key (to
send), created on first use and kept only in the credential store (OS keyring, or the
encrypted file behind the master passphrase): never in the history, logs or packages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dte_desktop.core.errors import ConfigError, DteError
from dte_desktop.core.export.manifest import sha256_file
from dte_desktop.core.secrets import CredentialStore

FORMAT = "dte-package/1"
IDENTITY_KEY = "package-age-identity"
SIGNING_KEY = "package-signing-key"
PLAIN_FILES = ("manifest.json", "package.json", "SHA256SUMS", "SHA256SUMS.sig")


class PackageError(DteError):
    title = "Transfer package refused"


@dataclass(frozen=True)
class WorkstationKeys:
    recipient: str  # age1… : what senders encrypt to
    signer: str  # base64 Ed25519 public key: what receivers pin


def _identity(credentials: CredentialStore) -> Any:
    from pyrage import x25519

    text = credentials.get(IDENTITY_KEY)
    if text is None:
        ident = x25519.Identity.generate()
        credentials.set(IDENTITY_KEY, str(ident))
        return ident
    return x25519.Identity.from_str(text)


def _signing_key(credentials: CredentialStore) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    text = credentials.get(SIGNING_KEY)
    if text is None:
        key = Ed25519PrivateKey.generate()
        credentials.set(SIGNING_KEY, base64.b64encode(key.private_bytes_raw()).decode())
        return key
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))


def _public(key: Any) -> str:
    return base64.b64encode(key.public_key().public_bytes_raw()).decode()


def workstation_keys(credentials: CredentialStore) -> WorkstationKeys:
    """This workstation's public keys (created on first use)."""
    return WorkstationKeys(
        str(_identity(credentials).to_public()), _public(_signing_key(credentials))
    )


def fingerprint(signer: str) -> str:
    digest = hashlib.sha256(base64.b64decode(signer)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def read_recipients(path: Path) -> list[str]:
    """An age recipients file: one ``age1…`` key a line, ``#`` comments."""
    from pyrage import x25519

    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"Cannot read the recipients file {path}: {exc.strerror}.") from None
    out = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not out:
        raise ConfigError(f"{path} names no recipient (one age1… key a line).")
    for r in out:
        try:
            x25519.Recipient.from_str(r)
        except Exception:
            raise ConfigError(f"{path}: {r[:12]}… is not an age X25519 recipient.") from None
    return out


def _durable_rename(tmp: Path, final: Path) -> None:
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(final)


def _manifest_files(folder: Path) -> list[str]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageError(f"{folder} has no readable manifest.json: {exc}") from None
    names = [f["path"] for f in manifest.get("files", [])]
    names += [x for x in manifest.get("extra_files", []) if isinstance(x, str)]
    return names


def seal(folder: Path, recipients: list[str], credentials: CredentialStore) -> dict[str, Any]:
    """Encrypt every file the manifest lists to ``recipients`` and sign the package."""
    import pyrage
    from pyrage import x25519

    keys = [x25519.Recipient.from_str(r) for r in recipients]
    signer = _signing_key(credentials)
    entries = []
    for name in _manifest_files(folder):
        plain = folder / name
        if not plain.is_file():
            raise PackageError(f"{name} is listed in the manifest but missing from {folder}.")
        tmp, final = plain.with_name(plain.name + ".age.part"), plain.with_name(plain.name + ".age")
        pyrage.encrypt_file(str(plain), str(tmp), keys)
        _durable_rename(tmp, final)
        plain.unlink()
        entries.append(name + ".age")
    info = {
        "format": FORMAT,
        "recipients": recipients,
        "signer": _public(signer),
        "encrypted": entries,
    }
    (folder / "package.json").write_text(json.dumps(info, indent=1), "utf-8")
    sums = "".join(
        f"{sha256_file(folder / n)}  {n}\n"
        for n in sorted([*entries, "manifest.json", "package.json"])
    )
    (folder / "SHA256SUMS").write_text(sums, "utf-8")
    sig = signer.sign(sums.encode("utf-8"))
    (folder / "SHA256SUMS.sig").write_text(base64.b64encode(sig).decode() + "\n", "utf-8")
    return {**info, "fingerprint": fingerprint(info["signer"])}


def seal_and_audit(ctx: Any, folder: Path, recipients_file: Path) -> dict[str, Any]:
    """Seal ``folder`` (``dte package seal``, ``dte export --encrypt-to``, the export form)
    and leave its audit record: recipients and signer by key, never a file's content."""
    from dte_desktop.core.audit import AuditLog

    info = seal(folder.resolve(), read_recipients(recipients_file), ctx.credentials)
    AuditLog(ctx.store).record(
        "package",
        object=str(folder.resolve()),
        extra={
            "recipients": info["recipients"],
            "signer": info["fingerprint"],
            "files": len(info["encrypted"]),
        },
    )
    return info


def verify(folder: Path, signer: str | None = None) -> dict[str, Any]:
    """Signature, every checksum, nothing missing and nothing extra; raises PackageError."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        info = json.loads((folder / "package.json").read_text("utf-8"))
        sums = (folder / "SHA256SUMS").read_bytes()
        sig = base64.b64decode((folder / "SHA256SUMS.sig").read_text("utf-8").strip())
    except (OSError, ValueError) as exc:
        raise PackageError(f"{folder} is not a complete transfer package: {exc}") from None
    if info.get("format") != FORMAT:
        raise PackageError(f"Unknown package format {info.get('format')!r}.")
    if signer is not None and signer.strip() != info.get("signer"):
        raise PackageError(
            f"The package was signed by {fingerprint(info['signer'])}, not by the expected "
            f"signer {fingerprint(signer.strip())}."
        )
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(info["signer"])).verify(sig, sums)
    except (InvalidSignature, ValueError, KeyError):
        raise PackageError(
            "The signature of SHA256SUMS does not match: the package was changed."
        ) from None
    listed: dict[str, str] = {}
    for line in sums.decode("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    present = {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    }
    extra = present - set(listed) - {"SHA256SUMS", "SHA256SUMS.sig"}
    if extra:
        raise PackageError(f"Files not in the signed package: {', '.join(sorted(extra))}.")
    for name, digest in listed.items():
        path = folder / name
        if path.is_symlink() or not path.is_file():
            raise PackageError(f"{name} is missing (or not a plain file).")
        if sha256_file(path) != digest:
            raise PackageError(f"{name} does not match its checksum: the package was changed.")
    return {**info, "fingerprint": fingerprint(info["signer"]), "pinned": signer is not None}


def open_package(
    folder: Path, out: Path, credentials: CredentialStore, signer: str | None = None
) -> dict[str, Any]:
    """Verify, then decrypt into ``out`` with this workstation's identity; every plaintext
    is checked against the manifest's SHA-256 before it gets its final name."""
    import pyrage

    info = verify(folder, signer)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ConfigError(f"{out} is not empty; decrypt into a new folder.")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    expected = {f["path"]: f.get("sha256") for f in manifest.get("files", [])}
    ident = _identity(credentials)
    for name in info["encrypted"]:
        plain_name = name.removesuffix(".age")
        target = out / plain_name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        try:
            pyrage.decrypt_file(str(folder / name), str(tmp), [ident])
        except pyrage.DecryptError:
            tmp.unlink(missing_ok=True)
            raise PackageError(
                f"{name} is not encrypted to this workstation's key "
                f"({str(ident.to_public())[:16]}…)."
            ) from None
        want = expected.get(plain_name)
        if want is not None and sha256_file(tmp) != want:
            tmp.unlink()
            raise PackageError(f"{plain_name} decrypted to other bytes than the manifest lists.")
        _durable_rename(tmp, target)
    (out / "manifest.json").write_bytes((folder / "manifest.json").read_bytes())
    sums = "".join(f"{sha256_file(out / n)}  {n}\n" for n in sorted(expected) if (out / n).exists())
    (out / "SHA256SUMS").write_text(sums, "utf-8")
    return {**info, "decrypted": len(info["encrypted"]), "out": str(out)}
