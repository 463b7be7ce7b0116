"""``dte export``: tables and queries to files, in parallel, resumable."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.commands._options import add_options
from dte_desktop.commands._progress import TerminalProgress
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.spec import ExportSpec, FormatOptions, QuerySpec
from dte_desktop.core.sources.names import split_columns
from dte_desktop.core.store import JobStatus


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "export")
    p.add_argument("name", help="connection name or URL")
    p.add_argument("tables", nargs="*", metavar="TABLE", help="schema.table …")
    p.add_argument("--out", required=True, help="output folder")
    add_options(p, ExportSpec, ["format"])
    add_options(p, FormatOptions, ["compression", "compression_level", "row_group_rows",
                                   "dictionary", "csv_delimiter", "csv_header"])  # fmt: skip
    add_options(p, ExportSpec, ["workers", "partitions", "layout"])
    p.add_argument("--columns", help="a,b,c (for every table)")
    add_options(p, ExportSpec, ["where"])
    p.add_argument(
        "--qi",
        metavar="COL,COL",
        help="quasi-identifiers checked against the policy's min_k (default: suggested from "
        "column names)",
    )
    p.add_argument("--query", action="append", default=[], help="a SQL query to export")
    p.add_argument("--query-name", action="append", default=[], help="file name per --query")
    p.add_argument(
        "--mask",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="apply the masking policy (the default); --no-mask writes raw values, is audited, "
        "and is refused where the site forces masked exports",
    )
    add_options(p, ExportSpec, ["batch_rows", "max_attempts", "outage_wait_s"])
    p.add_argument(
        "--encrypt-to",
        type=Path,
        metavar="RECIPIENTS",
        help="seal the finished export: encrypt to these age recipients and sign (dte package)",
    )
    add_options(p, ExportSpec, ["overwrite"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)


def spec_from_args(args: argparse.Namespace) -> ExportSpec:
    if len(args.query_name) not in (0, len(args.query)):
        from dte_desktop.core.errors import ConfigError

        raise ConfigError("Give one --query-name per --query (or none).")
    names = args.query_name or [f"query{i + 1}" for i in range(len(args.query))]
    cols = tuple(split_columns(args.columns)) if args.columns else None
    return ExportSpec(
        connection=args.name,
        out_dir=args.out,
        tables=tuple(args.tables),
        queries=tuple(QuerySpec(n, q) for n, q in zip(names, args.query, strict=True)),
        columns={t: cols for t in args.tables} if cols else {},
        where=args.where,
        format=args.format,
        options=FormatOptions(
            compression=args.compression,
            compression_level=args.compression_level,
            row_group_rows=args.row_group_rows,
            dictionary=not args.no_dictionary,
            csv_header=not args.no_header,
            csv_delimiter=args.delimiter,
        ),
        workers=args.workers,
        partitions=int(args.partitions) if str(args.partitions).isdigit() else args.partitions,
        layout=args.layout,
        **({} if args.mask is None else {"mask": args.mask}),
        batch_rows=args.batch_rows,
        encrypt_to=str(args.encrypt_to.resolve()) if args.encrypt_to else None,
        quasi_identifiers=tuple(c.strip() for c in (args.qi or "").split(",") if c.strip()),
        max_attempts=args.attempts,
        outage_wait_s=args.outage_wait,
        overwrite=args.overwrite,
    ).validate()


def run_job(args: argparse.Namespace, job: Any) -> int:
    """Ctrl+C (or SIGTERM) cancels between batches: the job ends ``cancelled``, exit 3."""
    from dte_desktop.core.jobs.interrupt import run_cancellable
    from dte_desktop.core.jobs.service import finish_export, run

    asked = threading.Event()

    def cancel() -> None:
        if not asked.is_set():
            asked.set()
            print("\ncancelling… (finishing the current batch)", file=sys.stderr, flush=True)
        job.cancel()

    status = run_cancellable(lambda: run(job), cancel) or JobStatus.FAILED
    ctx = context(args)
    record = ctx.store.get_job(job.job_id)
    errors = ctx.store.list_errors(job.job_id)
    data = {
        "job_id": job.job_id,
        "status": str(status),
        "summary": record.summary,
        "errors": [
            {"item": e.item_key, "type": e.type, "message": e.message}
            for e in errors
            if not e.context.get("retrying")
        ],
    }
    package = finish_export(ctx, job, status)  # audit record; sealed if it asked to be
    if package is not None:
        data["package"] = package

    def text() -> str:
        s = record.summary
        lines = [f"job {job.job_id}: {status}"]
        if "rows" in s:
            lines.append(
                f"  {s['rows']:,} rows, {s['bytes'] / 1e6:,.1f} MB in {s['files']} "
                f"file(s), {s['seconds']:.1f} s ({s['rows_per_s']:,} rows/s)"
            )
            lines.append(f"  {s['out_dir']}")
        if s.get("point_in_time"):
            lines.append(f"  note: {s['point_in_time']}")
        lines += [f"  error in {e['item'] or 'job'}: {e['message']}" for e in data["errors"]]
        if "package" in data:
            lines.append(f"  sealed for {len(data['package']['recipients'])} recipient(s), "
                         f"signed by {data['package']['fingerprint']}")  # fmt: skip
        elif job.spec.encrypt_to:
            lines.append("  not sealed: the export did not complete")
        if status in (JobStatus.CANCELLED, JobStatus.FAILED, JobStatus.COMPLETE_WITH_ERRORS):
            lines.append(f"  resume with: dte jobs resume {job.job_id}")
        return "\n".join(lines)

    emit(args, data, text)
    return {JobStatus.COMPLETE: 0, JobStatus.CANCELLED: 3}.get(status, 1)


def checked_names(ctx: Any, args: argparse.Namespace, prompt: Any) -> tuple[list[str], str | None]:
    """The tables and ``--columns`` as the catalog spells them; a typo is refused (with the
    closest name) before a job is created, not found by each slice of the job."""
    from dte_desktop.core.sources.identifiers import resolve_columns, resolve_tables, rule_of

    source = ctx.open_source(args.name, prompt)
    try:
        rule = rule_of(source)
        tables = resolve_tables(source, args.tables, rule)  # every missing table named at once
        columns = None
        if args.columns:
            wanted = split_columns(args.columns)  # "zip code", "x,y": quotes kept
            found = {tuple(resolve_columns(source, t, wanted, rule)) for t in tables}
            if len(found) > 1:  # one --columns list for every table: spelled alike
                raise ConfigError("--columns names differently spelled columns in the tables.")
            # Quoted again: the catalog's exact spelling, commas and quotes inside included.
            columns = ",".join('"' + c.replace('"', '""') + '"' for c in found.pop())
    finally:
        source.close()
    return [t.display() for t in tables], columns


def cmd_export(args: argparse.Namespace) -> int:
    from dte_desktop.core.jobs.service import prepare_export

    ctx = context(args)
    typed: dict[str, str | None] = {}

    def prompt_once(name: str) -> str | None:  # checking names and the job ask once
        if name not in typed:
            typed[name] = prompt_password(name)
        return typed[name]

    if args.tables:
        args.tables, args.columns = checked_names(ctx, args, prompt_once)
    spec = spec_from_args(args)
    progress = TerminalProgress.for_args(args)
    job = prepare_export(ctx, spec, on_event=progress, prompt=prompt_once)
    try:
        return run_job(args, job)
    finally:
        progress.close()
