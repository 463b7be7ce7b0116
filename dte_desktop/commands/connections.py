"""``dte connections list|add|test|remove``."""

from __future__ import annotations

import argparse
import sys
import time

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import ConfigError, DteError
from dte_desktop.core.secrets import CredentialStore
from dte_desktop.core.urls import split_password


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "connections")
    csub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = csub.add_parser("list", help="list saved connections")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)

    add = csub.add_parser("add", help="add or update a connection")
    add.add_argument("name")
    add.add_argument(
        "--url",
        required=True,
        help="SQLAlchemy URL; a password in it is moved to the credential store",
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_add)

    test = csub.add_parser("test", help="connect and report the server version")
    test.add_argument("name", help="connection name or URL")
    test.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=cmd_test)

    rm = csub.add_parser("remove", help="remove a connection and its stored password")
    rm.add_argument("name")
    rm.set_defaults(func=cmd_remove)


def cmd_list(args: argparse.Namespace) -> int:
    conns = context(args).store.list_connections()
    emit(
        args,
        [c.to_json() for c in conns],
        lambda: (
            "\n".join(f"{c.name}\t{c.kind}\t{c.url}\t{c.origin}" for c in conns)
            or "(no connections)"
        ),
    )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    ctx = context(args)
    url, password = split_password(args.url)
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ConfigError("--password-stdin given but standard input is empty.")
        password = line.rstrip("\r\n")
    if password:
        ctx.credentials.unlock()  # a wrong master passphrase stops here, nothing changed yet
    existing = {c.name for c in ctx.store.list_connections()}
    # The store refuses a site or builtin name (ReadOnly): one rule, in core.
    conn = ctx.store.save_connection(args.name, url.render_as_string(hide_password=False))
    audit = AuditLog(ctx.store)
    audit.record(
        "connection_change",
        connection=conn.name,
        object=conn.url,
        extra={"operation": "update" if conn.name in existing else "add"},
    )
    if password:
        ctx.credentials.set(CredentialStore.connection_key(conn.name), password)
        audit.record(
            "credential_change",
            connection=conn.name,
            extra={"operation": "set", "store": ctx.credentials.backend.name},
        )
    emit(
        args,
        {**conn.to_json(), "password_saved": bool(password)},
        f"saved {conn.name} ({conn.url})"
        + (" with its password in the credential store" if password else ""),
    )
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    ctx = context(args)
    ctx.resolve(args.name)  # an unknown name is a usage error, not a failed test
    started = time.monotonic()
    try:
        source = ctx.open_source(args.name, prompt_password, connect_timeout=args.timeout)
        try:
            version = source.test_connection()
        finally:
            source.close()
    except DteError as exc:
        elapsed = time.monotonic() - started
        emit(
            args,
            {"ok": False, "error": exc.title, "message": str(exc), "seconds": round(elapsed, 3)},
            f"FAILED after {elapsed:.1f} s: {exc.title}: {exc}",
        )
        return 1
    elapsed = time.monotonic() - started
    emit(
        args,
        {"ok": True, "server_version": version, "seconds": round(elapsed, 3)},
        f"OK in {elapsed:.1f} s: {version}",
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    ctx = context(args)
    ctx.credentials.unlock()  # a wrong master passphrase stops here, nothing removed yet
    ctx.store.remove_connection(args.name)  # ReadOnly for a site or builtin connection
    ctx.credentials.delete(CredentialStore.connection_key(args.name))
    audit = AuditLog(ctx.store)
    audit.record("connection_change", connection=args.name, extra={"operation": "remove"})
    audit.record("credential_change", connection=args.name, extra={"operation": "delete"})
    print(f"removed {args.name}")
    return 0
