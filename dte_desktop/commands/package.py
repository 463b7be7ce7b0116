"""``dte package keys|seal|verify|decrypt``: encrypted, signed transfer packages of exports
for removable media (``dte export … --encrypt-to FILE`` seals as the export's last step)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "package")
    ps = p.add_subparsers(dest="package_command", metavar="ACTION", required=True)
    keys = ps.add_parser("keys", help="this workstation's public keys (created on first use)")
    keys.add_argument("--json", action="store_true", help="print as JSON")
    keys.set_defaults(func=cmd_keys)
    seal = ps.add_parser("seal", help="encrypt an export folder to recipients and sign it")
    seal.add_argument("folder", type=Path, help="a finished export (with manifest.json)")
    seal.add_argument("--to", required=True, type=Path, metavar="RECIPIENTS", help=RECIPIENTS)
    seal.add_argument("--json", action="store_true", help="print as JSON")
    seal.set_defaults(func=cmd_seal)
    ver = ps.add_parser("verify", help="check a package's signature and every checksum")
    ver.add_argument("folder", type=Path)
    ver.add_argument("--signer", metavar="KEY", help=SIGNER)
    ver.add_argument("--json", action="store_true", help="print as JSON")
    ver.set_defaults(func=cmd_verify)
    dec = ps.add_parser("decrypt", help="verify, then decrypt with this workstation's key")
    dec.add_argument("folder", type=Path)
    dec.add_argument("--out", required=True, type=Path, help="a new, empty folder")
    dec.add_argument("--signer", metavar="KEY", help=SIGNER)
    dec.add_argument("--json", action="store_true", help="print as JSON")
    dec.set_defaults(func=cmd_decrypt)


RECIPIENTS = "file with one age1… recipient key a line (from `dte package keys` there)"
SIGNER = "the sender's signer key (from `dte package keys` there): refuse any other signer"


def cmd_keys(args: argparse.Namespace) -> int:
    from dte_desktop.core.export.package import fingerprint, workstation_keys

    keys = workstation_keys(context(args).credentials)
    data = {"recipient": keys.recipient, "signer": keys.signer,
            "signer_fingerprint": fingerprint(keys.signer)}  # fmt: skip
    emit(args, data, lambda: (
        f"recipient (give to senders):   {keys.recipient}\n"
        f"signer (give to receivers):    {keys.signer}\n"
        f"signer fingerprint:            {data['signer_fingerprint']}"))  # fmt: skip
    return 0


def cmd_seal(args: argparse.Namespace) -> int:
    from dte_desktop.core.export.package import seal_and_audit

    info = seal_and_audit(context(args), args.folder, args.to)
    n, who = len(info["encrypted"]), len(info["recipients"])
    emit(args, info, f"sealed {n} file(s) in {args.folder} for {who} recipient(s), "
                     f"signed by {info['fingerprint']}")  # fmt: skip
    return 0


def _pin_note(info: dict[str, Any]) -> str:
    if info["pinned"]:
        return f"signed by the expected signer {info['fingerprint']}"
    return (f"signed by {info['fingerprint']} — NOT pinned: compare this fingerprint with the "
            "sender's, or pass --signer")  # fmt: skip


def cmd_verify(args: argparse.Namespace) -> int:
    from dte_desktop.core.export.package import verify

    info = verify(args.folder, args.signer)
    emit(args, info, f"package OK: {len(info['encrypted'])} encrypted file(s); {_pin_note(info)}")
    return 0


def cmd_decrypt(args: argparse.Namespace) -> int:
    from dte_desktop.core.audit import AuditLog
    from dte_desktop.core.export.package import open_package

    ctx = context(args)
    info = open_package(args.folder, args.out, ctx.credentials, args.signer)
    AuditLog(ctx.store).record(
        "package",
        object=str(args.folder.resolve()),
        extra={
            "decrypted_to": info["out"],
            "signer": info["fingerprint"],
            "files": info["decrypted"],
        },
    )
    emit(args, info, f"decrypted {info['decrypted']} file(s) to {args.out}; {_pin_note(info)}")
    return 0
