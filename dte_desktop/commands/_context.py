"""What every command shares with ``cli.py``: the per-invocation context, ``emit`` and the
password prompts. Commands import these from here, never from ``dte_desktop.cli``: the CLI
sits above its commands (an import-linter contract in pyproject.toml keeps it so)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any


def emit(args: argparse.Namespace, data: Any, text: Callable[[], str] | str) -> None:
    """One place that prints results: JSON for scripts, lines for people."""
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        print(text() if callable(text) else text)


def context(args: argparse.Namespace, *, demo: bool = True):  # type: ignore[no-untyped-def]
    """Bootstrap once per invocation (history, logging, demo connection)."""
    ctx = getattr(args, "_ctx", None)
    if ctx is None:
        from dte_desktop.core.app import bootstrap

        ctx = bootstrap(demo=demo, console_logging=True, passphrase=master_passphrase)
        args._ctx = ctx
        password = getattr(args, "_url_password", None)
        if password:
            ctx.remember_url_password(args.name, password)
    return ctx


def master_passphrase() -> str | None:
    """For the encrypted credential store (no OS keyring): the environment, else a prompt."""
    import os

    env = os.environ.get("DTE_MASTER_PASSPHRASE")
    if env or not sys.stdin.isatty():
        return env
    import getpass

    return getpass.getpass("Master passphrase for the DTE credential store: ")


def prompt_password(name: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(f"Password for {name}: ")
