"""Profile tables in one of three modes, record a ``profile`` job, persist and audit results.

* ``pushdown`` — the engine computes (``pushdown.py``), quantiles in SQL where it has them.
* ``auto`` — the same cheap aggregates and histograms in SQL, but above ``exact_limit`` rows
  the quantiles (a sort per column) come from the sample instead.
* ``stream`` — every row through mergeable sketches, checkpointed per partition (``stream.py``).

All modes take the same bounded, repeatable sample first (``sample.py``): value shapes and PII
come from it, and it tells which columns are low-cardinality. Columns with PII never show raw
values in the result: their min/max are withheld and top values are shown as shapes.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import ConfigError, DteError
from dte_desktop.core.jobs.job_end import final_status
from dte_desktop.core.jobs.progress import JobEvents
from dte_desktop.core.jobs.stoppable import StoppableSource
from dte_desktop.core.privacy.gate import PrivacyGate
from dte_desktop.core.profiling import figures
from dte_desktop.core.profiling.dialect import dialect_for
from dte_desktop.core.profiling.model import (
    TEMPORAL,
    ColumnProfile,
    TableProfile,
    cause,
    kind_of,
)
from dte_desktop.core.profiling.onepass import profile_large
from dte_desktop.core.profiling.patterns import semantic_type
from dte_desktop.core.profiling.pushdown import (
    EXACT_LIMIT,
    Pushdown,
    PushdownOptions,
    key_distinct,
)
from dte_desktop.core.profiling.sample import DEFAULT_SAMPLE_ROWS, Sample, apply_sample, take_sample
from dte_desktop.core.profiling.stream import ProfileCancelled
from dte_desktop.core.profiling.stream_mode import run_stream
from dte_desktop.core.sources.base import Source, TableRef
from dte_desktop.core.store import ItemStatus, JobStatus, Store

MODES = ("pushdown", "stream", "auto")
# Auto mode: a catalog estimate up to this multiple of the exact limit is checked with
# count(*) (one cheap scan) before the table is called large.
NEAR_LIMIT = 2


@dataclass
class ProfileOptions:
    mode: str = "auto"
    partitions: int = 1
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    exact_distinct: bool = False
    exact_limit: int = EXACT_LIMIT
    should_stop: Callable[[], bool] | None = None
    on_event: Callable[[object], None] | None = None
    #: What may be shown of each column (core/privacy/gate.py). None: the shipped policy
    #: over the store's classifications, without a key (masked figures are withheld).
    gate: PrivacyGate | None = None


def _estimate_rows(source: Source, table: TableRef) -> int:
    try:
        for info in source.list_tables(table.schema):
            if info.ref.name == table.name and info.estimated_rows is not None:
                return int(info.estimated_rows)
    except DteError:
        pass
    from dte_desktop.core.sources.base import SelectSpec

    return source.count_rows(SelectSpec(table=table))


def _sample_column(sample: Sample, name: str):  # type: ignore[no-untyped-def]
    return sample.table.column(name) if name in sample.table.column_names else None


def _finish(prof: TableProfile) -> None:
    for c in prof.columns:
        if c.kind == TEMPORAL:
            unit = "date" if c.arrow_type.startswith("date") else "timestamp"
            tz = "tz=" in c.arrow_type  # a naive column's figures carry no offset
            if c.quantiles:
                c.quantiles = {
                    k: figures.to_output(v, TEMPORAL, unit, tz) for k, v in c.quantiles.items()
                }
            for b in c.histogram:
                b["lo"] = figures.to_output(b["lo"], TEMPORAL, unit, tz)
                b["hi"] = figures.to_output(b["hi"], TEMPORAL, unit, tz)
        c.semantic_type = semantic_type(
            c.kind, c.type, non_null=c.non_null, distinct=c.distinct,
            pii_type=c.pii["type"] if c.pii else None, patterns=c.patterns,
            mean_length=(c.length or {}).get("mean"),
        )  # fmt: skip
        # Only an exact count proves a key: an estimate within 2 % named false keys (a
        # first_name with one repeat), so an estimated column is never claimed.
        if c.nulls == 0 and c.count > 0 and c.distinct == c.count and not c.distinct_approx:
            prof.candidate_keys.append(c.name)
        for fig in sorted(c.approximate):
            prof.approximate.add(f"{c.name}.{fig}")
    if prof.duplicate_rows_approx:
        prof.approximate.add("duplicate_rows")


def fallback_gate(store: Store, connection: str) -> PrivacyGate:
    """Fail-closed: the shipped policy over what is stored, no key (nothing is masked
    here, so whatever is not shown raw is withheld)."""
    from dte_desktop.core.privacy.labels import labels_for
    from dte_desktop.core.privacy.policy import default_policy

    return PrivacyGate(default_policy(), None, lambda t: labels_for(store, connection, t))


def shown_raw(c: ColumnProfile) -> bool:
    return bool(c.masking and c.masking.get("shown_raw"))


def profile_table(
    source: Source,
    connection: str,
    table: TableRef,
    opts: ProfileOptions,
    store: Store,
    job_id: int,
    events: JobEvents | None = None,
) -> TableProfile:
    if opts.mode not in MODES:
        raise ConfigError(f"Unknown profile mode {opts.mode!r}: use one of {', '.join(MODES)}.")
    t0 = time.perf_counter()
    prof = TableProfile(connection, table.display(), opts.mode, job_id=job_id,
                        started_at=datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
    gate = opts.gate or fallback_gate(store, connection)
    events = events or JobEvents(job_id, None, 1, unit="tables")
    key = table.display()
    events.step(key, "columns")
    d = dialect_for(source)
    infos = source.describe(table)
    one_key = sum(i.primary_key for i in infos) == 1
    cols = [
        ColumnProfile(
            i.name,
            i.db_type,
            str(i.arrow_type),
            kind_of(i.arrow_type),
            primary_key=one_key and i.primary_key,
            type_note=i.type_note,
        )
        for i in infos
    ]
    for c in cols:
        if c.kind == "string" and d.exact_number(c.type):
            c.kind = "numeric"  # exact text: min/max/mean as numbers, never text order
    has_key = any(i.primary_key for i in infos)
    prof.columns = cols
    pd = None
    large = False
    if opts.mode == "stream":
        rows = _estimate_rows(source, table)
        events.expect_rows(rows)
    else:
        pd = Pushdown(source, d, table, cols, PushdownOptions(
            quantiles_in_sql=opts.mode == "pushdown", exact_distinct=opts.exact_distinct,
            duplicates_above_limit=opts.mode == "pushdown",
            exact_limit=opts.exact_limit))  # fmt: skip
        pd.on_step = lambda step, column: events.step(key if column is None
                                                      else f"{key}.{column}", step)  # fmt: skip
        estimate = _estimate_rows(source, table) if opts.mode == "auto" else 0
        large = estimate > opts.exact_limit and not opts.exact_distinct
        if large and estimate <= NEAR_LIMIT * opts.exact_limit:
            # The catalog's figure is an estimate (1,022,688 for a table of exactly 1M):
            # near the limit the decision is taken on the exact count.
            from dte_desktop.core.sources.base import SelectSpec

            estimate = source.count_rows(SelectSpec(table=table))
            large = estimate > opts.exact_limit
        rows = estimate if large else pd.aggregates()
    events.step(key, "sample")
    try:
        sample = take_sample(source, d, table, infos, rows, opts.sample_rows)
    except Exception as exc:
        sample = Sample(pa.table({}), "none", False)
        prof.notes.append(f"no sample (patterns, PII unknown): {cause(exc)}")
    prof.sample_rows, prof.sample_method = sample.table.num_rows, sample.method
    if opts.mode == "stream":
        events.expect_rows(sample.table.num_rows)  # read before the scan, counted too
    decisions = {}
    for c in cols:
        values = _sample_column(sample, c.name)
        try:
            apply_sample(c, values, getattr(opts.gate, "regions", ("US",)))
        except Exception as exc:
            c.error = f"sample: {cause(exc)}"
        decisions[c.name] = gate.decide_column(c.name, values, table=table)
        c.masking = decisions[c.name].to_json()
    if pd is not None and large:
        pd.rows = rows  # the estimate, until the scan counts: it sizes low-cardinality tests
        events.expect_rows(rows + sample.table.num_rows)
        events.step(key, "scan")
        profile_large(pd, sample)  # the aggregates ride along in its single scan
        prof.row_count = pd.rows
        prof.duplicate_rows, prof.duplicate_rows_approx = (0 if has_key and d.enforces_keys
                                                           else None), False  # fmt: skip
    elif pd is not None:
        prof.row_count = rows
        pd.distinct_and_top(sample)
        pd.quantiles(sample)
        pd.histograms()
        pd.outliers()
        prof.duplicate_rows, prof.duplicate_rows_approx = pd.duplicate_rows(has_key)
    else:
        events.step(key, "stream")
        run_stream(source, d, table, infos, sample, opts, store, job_id, prof)
        if has_key and d.enforces_keys:
            prof.duplicate_rows, prof.duplicate_rows_approx = 0, False
            for c in cols:
                key_distinct(c, d)
    if not sample.exact:
        prof.approximate.update({"patterns", "pii"})
    _finish(prof)
    for c in cols:  # the gate, last: nothing below this line sees a raw figure
        gate.screen_column(c, decisions[c.name])
    prof.elapsed_s = time.perf_counter() - t0
    return prof


def profile_tables(
    source: Source,
    connection: str,
    tables: list[TableRef],
    opts: ProfileOptions,
    store: Store,
    *,
    job_id: int | None = None,
) -> tuple[int, list[TableProfile]]:
    """Profile each table inside one ``profile`` job (a new one, or ``job_id`` to resume a
    stopped one: its finished stream partitions are merged, not read again)."""
    config = {"mode": opts.mode, "tables": [t.display() for t in tables],
              "partitions": opts.partitions, "sample_rows": opts.sample_rows}  # fmt: skip
    if job_id is None:
        job_id = store.create_job("profile", config, connection=connection)
    store.add_items(job_id, [t.display() for t in tables])
    store.set_job_status(job_id, JobStatus.RUNNING)
    done = {i.key for i in store.list_items(job_id) if i.status == ItemStatus.DONE}
    audit = AuditLog(store)
    events = JobEvents(job_id, opts.on_event, len(tables), unit="tables")
    events.started(resumed=bool(done))
    results: list[TableProfile] = []
    failed = failed_columns = partial = 0
    for table in tables:
        key = table.display()
        if key in done:
            prior = store.list_profiles(connection, key, limit=20)
            if any(p.job_id == job_id for p in prior):
                events.item_done(key, "done")
                continue
        stopping = opts.should_stop or (lambda: False)
        store.update_item(job_id, key, status=ItemStatus.RUNNING)
        try:
            if stopping():
                raise ProfileCancelled(f"Profile job {job_id} cancelled before {key}.")
            prof = profile_table(
                StoppableSource(source, stopping, ProfileCancelled, on_rows=events.rows),
                connection,
                table,
                opts,
                store,
                job_id,
                events,
            )
            if stopping():  # stopped mid-table: its figures are not all there
                raise ProfileCancelled(f"Profile job {job_id} cancelled during {key}.")
        except (ProfileCancelled, KeyboardInterrupt):  # never leave the item ``running``
            _cancelled(store, job_id, key)
            events.finished(JobStatus.CANCELLED)
            raise
        except Exception as exc:  # one table's failure (driver, odd type) must not end the job
            if stopping():  # the server's "canceling statement" after a cancel: not a failure
                _cancelled(store, job_id, key)
                events.finished(JobStatus.CANCELLED)
                raise ProfileCancelled(f"Profile job {job_id} cancelled during {key}.") from None
            failed += 1
            store.add_error(job_id, type=type(exc).__name__, message=str(exc), item_key=key,
                            traceback=traceback.format_exc())  # fmt: skip
            store.update_item(job_id, key, status=ItemStatus.FAILED)
            events.item_done(key, "failed")
            continue
        partial += bool(prof.errors)
        for err in prof.errors:  # the table is profiled; these columns' figures are not all there
            failed_columns += 1
            store.add_error(job_id, type="ColumnError", message=f"{err['column']}: {err['error']}",
                            item_key=key, context={"column": err["column"]})  # fmt: skip
        result = prof.to_json()
        pid = store.save_profile(job_id, connection, key, opts.mode, result)
        store.update_item(job_id, key, status=ItemStatus.DONE, rows=prof.row_count,
                          checkpoint={"profile_id": pid})  # fmt: skip
        audit.record(
            "profile", connection=connection, object=key, row_count=prof.row_count,
            job_id=job_id, columns=[c.name for c in prof.columns],
            classifications={c.name: c.classification for c in prof.columns},
            extra={"mode": opts.mode, "profile_id": pid},
        )  # fmt: skip
        results.append(prof)
        events.item_done(key, "done")
    finished = sum(i.status == ItemStatus.DONE for i in store.list_items(job_id))
    status = final_status(total=len(tables), done=finished, failed=failed, partial=partial)
    summary = {
        "tables": len(tables),
        "failed": failed,
        "column_errors": failed_columns,
        "rows": sum(p.row_count for p in results),
    }
    store.set_job_status(job_id, status, summary=summary)
    events.finished(status, summary)
    return job_id, results


def _cancelled(store: Store, job_id: int, key: str) -> None:
    store.update_item(job_id, key, status=ItemStatus.CANCELLED)
    store.set_job_status(job_id, JobStatus.CANCELLED)


__all__ = ["MODES", "ProfileCancelled", "ProfileOptions", "profile_table", "profile_tables"]
