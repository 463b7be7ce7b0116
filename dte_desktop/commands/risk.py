"""``dte risk``: re-identification risk (k-anonymity, l-diversity, ARX's prosecutor,
journalist and marketer figures) over quasi-identifier columns, computed in the source."""

from __future__ import annotations

import argparse
import sys

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.privacy.risk import DEFAULT_K, RiskReport


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "risk")
    p.add_argument("name", help="connection name or URL")
    p.add_argument("table", help="schema.table (quote odd parts)")
    p.add_argument(
        "--qi",
        metavar="COL,COL",
        help="quasi-identifier columns (default: the suggested ones, see --suggest-qi)",
    )
    p.add_argument(
        "--suggest-qi",
        action="store_true",
        help="only list the columns suggested as quasi-identifiers, and why",
    )
    p.add_argument("--sensitive", metavar="COL", help="sensitive column for l-diversity")
    p.add_argument("--k", type=int, default=DEFAULT_K, help=f"k threshold (default {DEFAULT_K})")
    p.add_argument(
        "--masked", action="store_true", help="the risk of a masked export (policy in force)"
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=cmd_risk)


def _text(r: RiskReport) -> str:
    lines = [
        f"{r.table}{' (masked)' if r.masked else ''}: {r.rows:,} rows in {r.classes:,} "
        f"classes over {', '.join(r.quasi_identifiers)}",
        f"  k-anonymity           k = {r.k if r.k is not None else '-'}",
        f"  below k={r.threshold:<12} {r.classes_below_k:,} classes, {r.rows_below_k:,} rows "
        f"({100 * r.share_below_k:.1f} %)",
        f"  smallest classes      {', '.join(map(str, r.smallest_classes)) or '-'} (sizes)",
        f"  prosecutor risk       highest {r.prosecutor_highest:.4f}, average "
        f"{r.prosecutor_average:.4f}, records at risk {100 * r.prosecutor_records_at_risk:.1f} %",
        f"  journalist risk       highest {r.journalist_highest:.4f}, average "
        f"{r.journalist_average:.4f} ({r.journalist_note})",
        f"  marketer risk         {r.marketer:.4f}",
    ]
    if r.sensitive:
        lines.append(
            f"  l-diversity ({r.sensitive})  l = {r.l_diversity}, "
            f"{r.classes_below_l2:,} classes with fewer than 2 distinct values"
        )
    return "\n".join(lines)


def _suggested(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    from dte_desktop.core.privacy.qi_suggest import suggest_for_connection

    ref, reasons = suggest_for_connection(context(args), args.name, args.table, prompt_password)
    return ref.display(), reasons


def cmd_risk(args: argparse.Namespace) -> int:
    from dte_desktop.core.privacy.risk import audited_risk

    if args.suggest_qi:
        table, reasons = _suggested(args)
        listed = [{"column": c, "reason": r} for c, r in reasons.items()]
        lines = [f"  {c:<24} {r}" for c, r in reasons.items()] or ["  (none)"]
        emit(args, {"table": table, "suggested": listed},
             "\n".join([f"Suggested quasi-identifiers of {table}:", *lines]))  # fmt: skip
        return 0
    if args.qi:
        qi = [c.strip() for c in args.qi.split(",")]
    else:
        table, reasons = _suggested(args)
        if not reasons:
            raise ConfigError(
                f"No column of {table} looks like a quasi-identifier (by name, stored "
                "classification or the last profile's cardinalities): name them with --qi."
            )
        qi = list(reasons)
        print(f"Quasi-identifiers suggested: {', '.join(qi)} (see --suggest-qi; --qi to "
              "choose)", file=sys.stderr)  # fmt: skip
    report = audited_risk(
        context(args),
        args.name,
        args.table,  # resolved against the catalog, quotes and all
        qi,
        sensitive=args.sensitive,
        threshold=args.k,
        masked=args.masked,
        prompt=prompt_password,
    )
    emit(args, report.to_json(), lambda: _text(report))
    return 0
