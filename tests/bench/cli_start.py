"""How long `dte --help` and `dte --version` take, and what they import.

Not a test (pytest does not collect it). Run:

    .venv/bin/python tests/bench/cli_start.py [--runs 7]

Each run is a fresh interpreter (`python -m dte_desktop …`), as a user's shell starts it;
the median and the fastest wall time are printed per command, with `-X importtime`'s total
of the heaviest imports. The issue's target: `dte --help` < 0.4 s (it was 0.9-1.9 s, most
of it pyarrow and SQLAlchemy, imported by every command module at registration).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = (["--help"], ["--version"], ["export", "--help"])


def wall(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args], env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def heaviest(args: list[str], env: dict[str, str], top: int = 3) -> str:
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dte_desktop", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in r.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            rows.append((int(parts[1]), parts[2].strip()))
    rows.sort(reverse=True)
    return ", ".join(f"{name} {us / 1e6:.2f} s" for us, name in rows[:top])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DTE_HOME": home, "PYTHONPATH": str(ROOT)}
        print(f"python {sys.version.split()[0]}, {opts.runs} runs each, {os.cpu_count()} cores")
        for args in COMMANDS:
            times = [wall(args, env) for _ in range(opts.runs)]
            print(
                f"dte {' '.join(args):<14} median {statistics.median(times):.3f} s, "
                f"fastest {min(times):.3f} s; heaviest imports: {heaviest(args, env)}"
            )


if __name__ == "__main__":
    main()
