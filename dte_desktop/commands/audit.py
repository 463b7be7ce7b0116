"""``dte audit list|verify|export``."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit
from dte_desktop.core.audit import AuditLog


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "audit")
    asub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = asub.add_parser("list", help="list audit records")
    ls.add_argument("--since", help="ISO date/time (UTC), e.g. 2026-11-01")
    ls.add_argument("--action", dest="audit_action", help="only this action")
    ls.add_argument("--limit", type=int, help="only the newest N records")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    ver = asub.add_parser("verify", help="check the hash chain; exit 1 on tampering")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(func=cmd_verify)
    exp = asub.add_parser("export", help="write the log to a .csv or .json file")
    exp.add_argument("--out", required=True, type=Path, help="FILE.csv or FILE.json")
    exp.add_argument("--since", help="ISO date/time (UTC), e.g. 2026-11-01")
    exp.set_defaults(func=cmd_export)


def cmd_list(args: argparse.Namespace) -> int:
    recs = AuditLog(context(args, demo=False).store).records(
        since=args.since, action=args.audit_action, limit=args.limit
    )
    data = [{**asdict(r), "details": json.loads(r.details)} for r in recs]
    emit(
        args,
        data,
        lambda: (
            "\n".join(
                f"{r.id:>6} {r.at} {r.os_user} {r.action:<22} "
                f"{r.connection or '-'} {r.object or '-'}"
                for r in recs
            )
            or "(no records)"
        ),
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    res = AuditLog(context(args, demo=False).store).verify()
    emit(
        args,
        asdict(res),
        f"OK: {res.records} records, chain intact" + (f" ({res.reason})" if res.reason else "")
        if res.ok
        else f"BROKEN at record {res.first_broken}: {res.reason}",
    )
    return 0 if res.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    audit = AuditLog(context(args, demo=False).store)
    n = audit.export(args.out, since=args.since)
    audit.record("audit_export", object=str(args.out), row_count=n)
    print(f"wrote {n} records to {args.out}")
    return 0
