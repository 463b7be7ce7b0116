"""``dte profile`` (statistics, PII, HTML report) and ``dte rules`` (data quality tests)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.commands._progress import TerminalProgress
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.privacy.masking import build_masker
from dte_desktop.core.profiling.model import TableProfile
from dte_desktop.core.profiling.profiler import (
    MODES,
    ProfileCancelled,
    ProfileOptions,
    profile_tables,
)
from dte_desktop.core.profiling.report import render
from dte_desktop.core.profiling.rules import KINDS, check_rule, validate
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.identifiers import (
    IdentifierRule,
    resolve_columns,
    resolve_table,
    resolve_tables,
    rule_of,
)
from dte_desktop.core.sources.names import parse_table


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "profile")
    p.add_argument("name", help="connection name or URL")
    p.add_argument("tables", nargs="+", metavar="TABLE", help="schema.table (quote odd parts)")
    p.add_argument(
        "--mode", choices=MODES, default="auto", help="where statistics are computed (default auto)"
    )
    p.add_argument("--partitions", type=int, default=1, help="stream mode: slices to read")
    p.add_argument("--sample-rows", type=int, default=20_000, help="rows read for patterns and PII")
    p.add_argument("--exact-distinct", action="store_true", help="exact count(distinct) always")
    p.add_argument("--resume", type=int, metavar="JOB", help="resume a stopped profile job")
    p.add_argument("--report", type=Path, metavar="FILE.html", help="write an HTML report")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_profile)

    r = add_command(sub, "rules")
    rs = r.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    add = rs.add_parser("add", help="add a rule to a table")
    add.add_argument("name")
    add.add_argument("table")
    add.add_argument("kind", choices=KINDS)
    add.add_argument("column")
    add.add_argument("--min", type=_number, help="range: lowest allowed value")
    add.add_argument("--max", type=_number, help="range: highest allowed value")
    add.add_argument("--pattern", help="regex: the pattern every value matches")
    add.add_argument("--values", help="allowed values, comma-separated")
    add.add_argument("--ref-table", help="referential: the parent table")
    add.add_argument("--ref-column", help="referential: the parent column")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_rules_add)
    ls = rs.add_parser("list", help="rules of a connection (or one table)")
    ls.add_argument("name")
    ls.add_argument("table", nargs="?")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_rules_list)
    rm = rs.add_parser("remove", help="remove a rule by id")
    rm.add_argument("name")
    rm.add_argument("id", type=int)
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=cmd_rules_remove)
    ck = rs.add_parser("check", help="evaluate a table's rules")
    ck.add_argument("name")
    ck.add_argument("table")
    ck.add_argument("--json", action="store_true")
    ck.set_defaults(func=cmd_rules_check)


def _number(text: str) -> Any:
    """Range bounds: integers, decimals, or text (dates compare as ISO text)."""
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def _profile_text(profiles: list[TableProfile], job_id: int) -> str:
    out = [f"profile job {job_id}"]
    for p in profiles:
        out.append(f"{p.table}: {p.row_count:,} rows ({p.mode}, {p.elapsed_s:.1f} s)"
                   f"  candidate keys: {', '.join(p.candidate_keys) or '-'}")  # fmt: skip
        for c in p.columns:
            d = (
                "?"
                if c.distinct is None
                else ("~" if c.distinct_approx else "") + f"{c.distinct:,}"
            )
            pii = f"  PII:{c.pii['type']}" if c.pii else ""
            out.append(f"  {c.name:<28} {c.type:<20} nulls {100 * c.nulls / max(c.count, 1):5.1f}%"
                       f"  distinct {d:>12}  {c.classification}{pii}")  # fmt: skip
    return "\n".join(out)


def cmd_profile(args: argparse.Namespace) -> int:
    import threading

    from dte_desktop.core.jobs.interrupt import run_cancellable

    ctx = context(args)
    conn = ctx.resolve(args.name)
    source = ctx.open_source(args.name, prompt_password)
    stop = threading.Event()
    progress = TerminalProgress.for_args(args)
    opts = ProfileOptions(
        mode=args.mode,
        partitions=args.partitions,
        sample_rows=args.sample_rows,
        exact_distinct=args.exact_distinct,
        gate=build_masker(ctx, conn.name),
        should_stop=stop.is_set,
        on_event=progress,
    )

    def cancel() -> None:
        """Ctrl+C / SIGTERM: stop between batches, and stop the statement on the server
        where the source can (a push-down aggregate has no batches to stop between)."""
        if stop.is_set():
            return
        stop.set()
        print("cancelling: the profile stops (what is done is kept)…", file=sys.stderr)
        if source.capabilities.can_cancel:
            source.cancel()  # type: ignore[attr-defined]

    try:
        tables = resolve_tables(source, args.tables)  # typos refused first, all named
        job_id, profiles = run_cancellable(
            lambda: profile_tables(source, conn.name, tables, opts, ctx.store, job_id=args.resume),
            cancel,
        )
    except ProfileCancelled as exc:
        progress.close()  # the bar ends before the message below
        print(f"profile cancelled: {exc} Nothing was written; finished tables are kept in "
              "the history.",
              file=sys.stderr)  # fmt: skip
        return exc.exit_code
    finally:
        progress.close()
        source.close()
    data = {"job_id": job_id, "mode": args.mode, "tables": [p.to_json() for p in profiles]}
    done = {p.table for p in profiles}
    errors = [
        {"table": e.item_key, "column": (e.context or {}).get("column"), "error": e.message}
        for e in ctx.store.list_errors(job_id)
        if e.item_key in done or e.type != "ColumnError"
    ]
    data["errors"] = errors  # every failure: a table that failed, a column's missing figures
    for e in errors:
        where = e["table"] if e["column"] is None else f"{e['table']} column {e['column']}"
        print(f"error: {where}: {e['error']}", file=sys.stderr)
    if args.report:
        try:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            args.report.write_text(render(data["tables"], f"DTE profile — {conn.name}"), "utf-8")
        except OSError as exc:
            raise ConfigError(f"Cannot write the report {args.report}: {exc.strerror}.") from None
    emit(args, data, lambda: _profile_text(profiles, job_id))
    return 0 if len(profiles) == len(tables) and not errors else 1


def cmd_rules_add(args: argparse.Namespace) -> int:
    ctx = context(args)
    params: dict[str, Any] = {}
    if args.kind == "range":
        params = {k: v for k, v in (("min", args.min), ("max", args.max)) if v is not None}
    elif args.kind == "regex":
        params = {"pattern": args.pattern}
    elif args.kind == "allowed":
        params = {"values": [_number(v) for v in (args.values or "").split(",") if v != ""]}
    elif args.kind == "referential":
        params = {"table": args.ref_table, "column": args.ref_column}
    validate(args.kind, args.column, params)
    name = ctx.resolve(args.name).name
    # Stored as the catalog spells them: a rule on a name the table lacks never runs.
    source = ctx.open_source(args.name, prompt_password)
    try:
        names = rule_of(source)
        ref = resolve_table(source, args.table, names)
        column = resolve_columns(source, ref, [args.column], names)[0]
        if args.kind == "referential":
            other = resolve_table(source, args.ref_table, names)
            params["column"] = resolve_columns(source, other, [args.ref_column], names)[0]
            params["table"] = other.display()
    finally:
        source.close()
    table = ref.display()
    rule = ctx.store.add_rule(name, table, column, args.kind, params)
    emit(args, rule.to_json(), f"rule {rule.id} added: {args.kind} on {table}.{column}")
    return 0


def _same_table(rule: IdentifierRule, stored: str, table: TableRef) -> bool:
    """A rule stored under another spelling of the table (before names were checked)."""
    ref = parse_table(stored)
    if (ref.schema is None) != (table.schema is None):
        return False  # as before: `customer` and `public.customer` keep apart
    same_schema = ref.schema is None or rule.same(ref.schema, str(table.schema), column=False)
    return same_schema and rule.same(ref.name, table.name, column=False)


def cmd_rules_list(args: argparse.Namespace) -> int:
    ctx = context(args)
    table = parse_table(args.table).display() if args.table else None
    rules = ctx.store.list_rules(ctx.resolve(args.name).name, table)
    emit(args, [r.to_json() for r in rules], lambda: "\n".join(
        f"{r.id:>4}  {r.table}.{r.column}  {r.kind}  {json.dumps(r.params)}" for r in rules
    ) or "(no rules)")  # fmt: skip
    return 0


def cmd_rules_remove(args: argparse.Namespace) -> int:
    context(args).store.remove_rule(args.id)
    emit(args, {"removed": args.id}, f"rule {args.id} removed")
    return 0


def cmd_rules_check(args: argparse.Namespace) -> int:
    ctx = context(args)
    name = ctx.resolve(args.name).name
    source = ctx.open_source(args.name, prompt_password)
    try:
        names = rule_of(source)
        table = resolve_table(source, args.table, names)
        rules = [r for r in ctx.store.list_rules(name) if _same_table(names, r.table, table)]
        gate = build_masker(ctx, name)
        results = [
            check_rule(source, table, r.kind, r.column or "", r.params, r.id, gate=gate)
            for r in rules
        ]
    finally:
        source.close()
    data = {"table": table.display(), "results": [r.to_json() for r in results]}
    emit(args, data, lambda: "\n".join(
        f"{'PASS' if r.ok else 'FAIL'}  rule {r.rule_id} {r.kind} {r.column}: "
        f"{r.failed:,} of {r.checked:,} failed  {r.samples if r.samples else ''}"
        for r in results) or "(no rules)")  # fmt: skip
    return 0 if all(r.ok for r in results) else 1
