"""``dte classify`` and ``dte classifications list|export|import``."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.core.sources.names import parse_table


def register(sub: argparse._SubParsersAction) -> None:
    c = add_command(sub, "classify")
    c.add_argument("name", help="connection name")
    c.add_argument("table", help="schema.table, or * for the connection's default")
    c.add_argument("column", nargs="?", help="omit for the table's default")
    c.add_argument("--level", required=True, help="HRCI | Confidential | Proprietary | Public")
    c.add_argument("--pii", help="PII type, e.g. email, ssn, payment_card")
    c.add_argument("--reason")
    c.set_defaults(func=cmd_classify)

    cs = add_command(sub, "classifications")
    csub = cs.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = csub.add_parser("list", help="a connection's stored classifications")
    ls.add_argument("name")
    ls.add_argument("--table", help="only this table's")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    ex = csub.add_parser("export", help="write them to a TOML file (to import elsewhere)")
    ex.add_argument("name")
    ex.add_argument("--out", required=True, type=Path, help="the TOML file to write")
    ex.set_defaults(func=cmd_export)
    im = csub.add_parser("import", help="read a TOML file of classifications (audited)")
    im.add_argument("name")
    im.add_argument("file", type=Path)
    im.add_argument("--reason")
    im.set_defaults(func=cmd_import)


def cmd_classify(args: argparse.Namespace) -> int:
    from dte_desktop.core.privacy.classification import parse_level
    from dte_desktop.core.privacy.label_names import checked_target
    from dte_desktop.core.privacy.labels import classify

    ctx = context(args)
    ctx.store.get_connection(args.name)
    parse_level(args.level)  # a bad level is refused before the database is asked
    table, column = checked_target(ctx, args.name, args.table, args.column, prompt_password)
    rec = classify(
        ctx.store, args.name, table, column, args.level, pii_type=args.pii, reason=args.reason
    )
    where = table.display() if table else args.table
    print(f"{args.name} {where} {column or '(default)'}: {rec.level}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    ctx = context(args)
    table = parse_table(args.table).name if args.table else None
    rows = ctx.store.classifications(args.name, table)
    emit(
        args,
        [asdict(r) for r in rows],
        lambda: (
            "\n".join(
                f"{(r.schema + '.') if r.schema else ''}{r.table:<28} {r.column:<24} {r.level:<13} "
                f"{r.pii_type or ''}"
                for r in rows
            )
            or "(none)"
        ),
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from dte_desktop.core.privacy.labels import export_labels

    n = export_labels(context(args).store, args.name, args.out)
    print(f"wrote {n} classifications to {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from dte_desktop.core.privacy.label_names import checked_targets
    from dte_desktop.core.privacy.labels import import_labels

    ctx = context(args)
    ctx.store.get_connection(args.name)
    n = import_labels(
        ctx.store,
        args.name,
        args.file,
        reason=args.reason,
        check=lambda targets: checked_targets(ctx, args.name, targets, prompt_password),
    )
    print(f"imported {n} classifications into {args.name}")
    return 0
