"""``dte preview`` (masked) and ``dte policy show|set|check``."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.core.export.cells import NON_FINITE, json_default


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "preview")
    p.add_argument("name", help="connection name or URL")
    p.add_argument("table", nargs="?", help="the table (or give --query)")
    p.add_argument(
        "--query",
        metavar="SQL",
        help="preview a read-only query instead (SELECT/WITH/VALUES/TABLE; its columns are "
        "masked as the stored columns they read, computed ones at the policy's unknown level)",
    )
    p.add_argument("--limit", type=int, default=20, help="rows to show (default 20)")
    p.add_argument(
        "--reveal",
        action="append",
        default=[],
        metavar="COLUMN",
        help="show this column unmasked (needs the policy's permission and --reason)",
    )
    p.add_argument("--reason", help="why the column must be seen unmasked (audited)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_preview)

    pol = add_command(sub, "policy")
    psub = pol.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = psub.add_parser("show", help="print the effective policy (site + yours)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_policy_show)
    put = psub.add_parser("set", help="install your policy file over the site's")
    put.add_argument("file", type=Path)
    put.add_argument("--reason")
    put.set_defaults(func=cmd_policy_set)
    chk = psub.add_parser("check", help="would this policy file be accepted?")
    chk.add_argument("file", type=Path)
    chk.set_defaults(func=cmd_policy_check)


def _cell(v: Any) -> str:
    if v is None:
        return "NULL"
    s = str(v)
    return s if len(s) <= 40 else s[:39] + "…"


def cmd_preview(args: argparse.Namespace) -> int:
    from dte_desktop.core.errors import ConfigError
    from dte_desktop.core.privacy.preview_session import QueryText
    from dte_desktop.core.privacy.service import masked_preview
    from dte_desktop.core.sources.cut import PREVIEW_CUT

    if (args.table is None) == (args.query is None):
        raise ConfigError("Give a table or --query SQL (one of them).")
    ctx = context(args)
    prev = masked_preview(
        ctx,
        args.name,
        # a table is resolved against the catalog, quotes and all
        QueryText(args.query) if args.query is not None else args.table,
        limit=args.limit,
        reveal=tuple(args.reveal),
        reason=args.reason,
        prompt=prompt_password,
    )
    names = prev.table.column_names
    cols = []
    for n in names:
        c = prev.classifications.get(n)
        cols.append(
            {
                "name": n,
                "classification": c.level.value if c else None,
                "pii": c.pii_type if c else None,
                "operator": prev.operators.get(n),
                "revealed": n in prev.revealed,
            }
        )
    rows = [[_json_cell(v) for v in r.values()] for r in prev.table.to_pylist()]
    data = {"table": args.table, "columns": cols, "rows": rows}
    if args.query is not None:
        data = {"query": prev.query, "columns": cols, "rows": rows}
    if prev.cut:  # cells longer than a preview shows: cut on the server, named here
        data["cut"] = {"at": PREVIEW_CUT, "cells": prev.cut}

    def text() -> str:
        levels = [c["classification"] or "-" for c in cols]
        ops = [c["operator"] or "-" for c in cols]
        cells = [[_cell(v) for v in r] for r in rows]
        widths = [
            min(40, max(len(names[i]), len(levels[i]), len(ops[i]), *(len(r[i]) for r in cells)))
            for i in range(len(names))
        ]

        def line(values: list[str]) -> str:
            return "  ".join(v[:w].ljust(w) for v, w in zip(values, widths, strict=True))

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([line(names), line(levels), line(ops), rule, *map(line, cells)])

    emit(args, data, text)
    return 0


def _json_cell(v: Any) -> Any:
    """A cell as strict JSON: SQL TIME text, plain decimals, ISO dates, hex bytes; NaN and
    ±infinity spelled as strings (JSON has none) — the rules of the JSON Lines export."""
    if isinstance(v, float) and not math.isfinite(v):
        return NON_FINITE[repr(v)]
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return json_default(v)


def cmd_policy_show(args: argparse.Namespace) -> int:
    from dte_desktop.core.privacy.policy import policy_to_dict, policy_to_toml
    from dte_desktop.core.privacy.service import effective_policy, user_policy_path

    ctx = context(args, demo=False)
    policy = effective_policy(ctx)
    info = {
        "site_file": str(ctx.site.path) if ctx.site.path else None,
        "user_file": str(user_policy_path(ctx)) if user_policy_path(ctx).exists() else None,
        "fingerprint": policy.fingerprint(),
        "policy": policy_to_dict(policy),
    }
    emit(
        args,
        info,
        lambda: (
            f"# site file: {info['site_file'] or '(none)'}\n"
            f"# your file: {info['user_file'] or '(none)'}\n"
            f"# fingerprint: {info['fingerprint']}\n" + policy_to_toml(policy)
        ),
    )
    return 0


def cmd_policy_set(args: argparse.Namespace) -> int:
    from dte_desktop.core.privacy.service import set_user_policy

    merged = set_user_policy(
        context(args, demo=False), args.file.read_text("utf-8"), reason=args.reason
    )
    print(f"installed; the policy in force is {merged.name!r} ({merged.fingerprint()[:12]})")
    return 0


def cmd_policy_check(args: argparse.Namespace) -> int:
    from dte_desktop.core.privacy.locking import merge_policies, parse_overlay
    from dte_desktop.core.privacy.service import site_policy

    ctx = context(args, demo=False)
    merge_policies(
        site_policy(ctx.site), parse_overlay(args.file.read_text("utf-8"), str(args.file))
    )
    print("accepted")
    return 0
