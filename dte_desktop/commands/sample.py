"""``dte sample``: a small, defensible sample of a table for testers — typical, edge and
suspicious rows, each with the reason it was chosen; previewed masked or exported."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.commands._options import add_options
from dte_desktop.commands._progress import TerminalProgress
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.sampling import SampleOutcome, SampleSpec, parse_distribution
from dte_desktop.core.sampling.service import rerun_sample, run_sample
from dte_desktop.core.sampling.spec import STRATIFY_MODES


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "sample")
    p.add_argument("name", nargs="?", help="connection name or URL")
    p.add_argument("table", nargs="?", help="schema.table (quote odd parts)")
    p.add_argument("--size", type=int, help="rows in the sample")
    p.add_argument(
        "--distribution",
        help="weights per strategy, e.g. anomaly=30,boundary=20,risk=10,random=40 "
        "(strategies: anomaly, boundary, risk, stratified, random)",
    )
    p.add_argument("--seed", type=int, help="repeat a sample: same seed, same rows")
    p.add_argument("--stratify", help="col1,col2: draw the random share per stratum")
    p.add_argument(
        "--stratify-mode",
        choices=STRATIFY_MODES,
        default="proportional",
        help="rows per stratum: proportional or equal",
    )
    p.add_argument("--out", help="export the sample to this folder (with lineage.jsonl)")
    add_options(p, ExportSpec, ["format"], format="export file format")
    p.add_argument(
        "--mask",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="mask the export (the default; the preview always is); --no-mask is audited and "
        "refused where the site forces masked exports",
    )
    p.add_argument("--rerun", type=int, metavar="JOB", help="repeat an earlier sample job")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sample)


def _text(o: SampleOutcome) -> str:
    d = o.to_json()
    lines = [
        f"sample job {d['job_id']}: {len(d['lineage'])} rows of {d['table']} "
        f"(seed {d['seed']}, {d['bytes_read']:,} bytes read, {d['elapsed_s']:.1f} s)",
        "  strategy     quota  contributed  pool",
    ]
    for s, q in d["quotas"].items():
        pool = d["pools"].get(s)
        lines.append(f"  {s:<12} {q:>5}  {d['contributed'].get(s, 0):>11}  "
                     f"{'-' if pool is None else f'{pool:,}'}")  # fmt: skip
    if d["contributed"].get("random") and "random" not in d["quotas"]:
        lines.append(f"  {'random':<12} {0:>5}  {d['contributed']['random']:>11}  (remainder)")
    lines += [f"  note: {n}" for n in d["notes"]]
    if o.export_job_id is not None:
        lines.append(f"  exported by job {o.export_job_id} ({o.export_status}) to {o.out_dir}")
    elif o.rows is not None:
        for item, row in zip(d["lineage"], d.get("rows", []), strict=False):
            why = ", ".join(f"{k}={v}" for k, v in item.items() if k not in ("key", "also"))
            lines.append(f"  {why}\n    {row}")
    return "\n".join(lines)


def _checked(
    ctx: Any, name: str, table: str, stratify: tuple[str, ...], prompt: Any
) -> tuple[str, tuple[str, ...]]:
    """The table and ``--stratify`` columns as the catalog spells them (matched as the
    engine matches names); a typo is refused with the closest name before any job."""
    from dte_desktop.core.sources.identifiers import resolve_columns, resolve_table, rule_of

    source = ctx.open_source(name, prompt)
    try:
        rule = rule_of(source)
        ref = resolve_table(source, table, rule)
        cols = tuple(resolve_columns(source, ref, list(stratify), rule)) if stratify else ()
    finally:
        source.close()
    return ref.display(), cols


def _cancellable(work: Any, progress: Any = None) -> Any:
    """Ctrl+C / SIGTERM: the sample stops (between strategies, the running statement cancelled
    on the server where the source can, its export job cancelled); None when it did."""
    import threading

    from dte_desktop.core.errors import Cancelled
    from dte_desktop.core.jobs.interrupt import run_cancellable

    stop = threading.Event()
    jobs: list[Any] = []

    def cancel() -> None:
        if not stop.is_set():
            stop.set()
            print("cancelling: the sample stops…", file=sys.stderr)
            for thing in jobs:  # the source (a statement on the server), the export job
                thing.cancel()

    try:
        return run_cancellable(lambda: work(stop.is_set, jobs.append), cancel)
    except Cancelled as exc:
        if progress is not None:
            progress.close()  # the bar ends before the message
        print(f"sample cancelled: {exc} Nothing was written as complete.", file=sys.stderr)
        return None


def cmd_sample(args: argparse.Namespace) -> int:
    ctx = context(args)
    if args.rerun is not None:
        outcome = rerun_sample(ctx, args.rerun, prompt=prompt_password, out_dir=args.out)
    else:
        if not args.name or not args.table or args.size is None:
            raise ConfigError("Give a connection, a table and --size (or --rerun JOB).")
        stratify = tuple(c.strip() for c in (args.stratify or "").split(",") if c.strip())
        typed: dict[str, str | None] = {}

        def prompt_once(name: str) -> str | None:  # checking names and the sample ask once
            if name not in typed:
                typed[name] = prompt_password(name)
            return typed[name]

        table, stratify = _checked(ctx, args.name, args.table, stratify, prompt_once)
        spec = SampleSpec(
            connection=args.name,
            table=table,
            size=args.size,
            distribution=parse_distribution(args.distribution),
            seed=args.seed,
            stratify=stratify,
            stratify_mode=args.stratify_mode,
            **({} if args.mask is None else {"mask": args.mask}),
            out_dir=args.out,
            format=args.format,
        ).validate()
        progress = TerminalProgress.for_args(args)
        try:
            outcome = _cancellable(
                lambda stop, on_cancellable: run_sample(
                    ctx,
                    spec,
                    prompt=prompt_once,
                    on_event=progress,
                    should_stop=stop,
                    on_cancellable=on_cancellable,
                ),
                progress,
            )
        finally:
            progress.close()
        if outcome is None:
            return 3
    emit(args, outcome.to_json(), lambda: _text(outcome))
    return 0 if outcome.export_status in (None, "complete") else 1
