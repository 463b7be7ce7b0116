"""Encrypted transfer package benchmark: a masked 5M-row export sealed to a receiver, then
verified and decrypted on a second ``DTE_HOME``; prints wall time and peak RSS of each step
next to the same export unsealed, and checks the decrypted bytes against the manifest.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/package_bench.py --rows 5000000

Goal (issue): memory stays bounded (age streams in 64 KiB chunks), decrypted files equal.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.export_bench import drop, generate  # noqa: E402
from tests.bench.read_throughput import TABLE, _measure, _url  # noqa: E402

DTE = [sys.executable, "-m", "dte_desktop"]
# Throw-away homes: the encrypted-file credential store with a bench passphrase.
os.environ.setdefault("DTE_KEYRING", "file")
os.environ.setdefault("DTE_MASTER_PASSPHRASE", "package-bench-passphrase")


def _sha(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores shared by client, server and anything else running")
    db = f"dte_pkgbench_{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        sender, receiver = t / "sender", t / "receiver"
        sender.mkdir()
        receiver.mkdir()
        env = {**os.environ, "DTE_HOME": str(receiver)}
        got = subprocess.run([*DTE, "package", "keys", "--json"], env=env,
                             capture_output=True, text=True, check=True)  # fmt: skip
        keys = json.loads(got.stdout)
        (t / "recipients.txt").write_text(keys["recipient"] + "\n")
        try:
            size = generate(db, args.rows)
            print(f"{args.rows:,} rows, table {size / 1e6:.0f} MB")
            common = ["export", _url(db), f"public.{TABLE}", "--mask", "--format", "parquet"]
            steps = [
                ("export, masked (not sealed)", sender, [*common, "--out", str(t / "plain")]),
                ("export, masked + sealed", sender,
                 [*common, "--out", str(t / "pkg"), "--encrypt-to", str(t / "recipients.txt")]),
                ("package verify", receiver, ["package", "verify", str(t / "pkg")]),
                ("package decrypt", receiver,
                 ["package", "decrypt", str(t / "pkg"), "--out", str(t / "opened")]),
            ]  # fmt: skip
            print(f"{'step':<34}{'wall s':>8}{'RSS MB':>8}")
            for label, home, cmd in steps:
                os.environ["DTE_HOME"] = str(home)
                wall, rss, _ = _measure([*DTE, *cmd])
                print(f"{label:<34}{wall:>8.1f}{rss:>8}", flush=True)
            manifest = json.loads((t / "opened" / "manifest.json").read_text())
            same = all(_sha(t / "opened" / f["path"]) == f["sha256"] for f in manifest["files"])
            print(f"decrypted files equal the manifest's SHA-256: {same}")
            # Byte for byte against the same masked export written unsealed on the sender
            # (keyed masking and the Parquet writer are deterministic; manifests carry times).
            pairs = [(t / "plain" / f["path"], t / "opened" / f["path"]) for f in manifest["files"]]
            identical = all(a.read_bytes() == b.read_bytes() for a, b in pairs)
            total = sum(b.stat().st_size for _, b in pairs)
            print(f"decrypted {len(pairs)} file(s), {total / 1e6:.0f} MB, byte-identical to "
                  f"the unsealed export: {identical}")  # fmt: skip
            tampered = next((t / "pkg").rglob("*.age"))
            blob = bytearray(tampered.read_bytes())
            blob[len(blob) // 2] ^= 0x01
            tampered.write_bytes(bytes(blob))
            env = {**os.environ, "DTE_HOME": str(receiver)}
            got = subprocess.run([*DTE, "package", "verify", str(t / "pkg")], env=env,
                                 capture_output=True, text=True)  # fmt: skip
            print(
                f"one bit flipped in {tampered.name}: exit {got.returncode}, "
                f"{got.stderr.strip().splitlines()[-1] if got.stderr.strip() else ''}"
            )
            if not (same and identical and got.returncode != 0):
                raise SystemExit("package bench: FAILED")
        finally:
            drop(db)


if __name__ == "__main__":
    main()
