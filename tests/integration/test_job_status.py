"""Export, profile and sample end by the same status rule (core/jobs/job_end.final_status):
when every item fails, each kind of job ends ``failed`` (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dte_desktop.core.app import bootstrap
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.service import prepare_export, run
from dte_desktop.core.profiling import profiler
from dte_desktop.core.profiling.profiler import ProfileOptions, profile_tables
from dte_desktop.core.sampling import SampleSpec
from dte_desktop.core.sampling.service import run_sample
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.store import JobStatus

DEMO = "Demo (SQLite)"


@pytest.fixture
def ctx(demo_home):  # type: ignore[no-untyped-def]
    c = bootstrap(demo=True, log_file=False)
    yield c
    c.close()


def test_export_of_only_failing_queries_is_failed(ctx, tmp_path: Path) -> None:
    from dte_desktop.core.export.spec import QuerySpec

    spec = ExportSpec(connection=DEMO, out_dir=str(tmp_path / "out"), mask=False,
                      queries=(QuerySpec("bad", "SELECT no_such_column FROM customers"),)
                      ).validate()  # fmt: skip
    job = prepare_export(ctx, spec)
    assert run(job) == JobStatus.FAILED
    assert ctx.store.get_job(job.job_id).status == JobStatus.FAILED


def test_profile_whose_every_table_fails_is_failed(ctx, monkeypatch) -> None:
    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("the driver fell over")

    tables = [TableRef(None, "customers"), TableRef(None, "orders")]
    source = ctx.open_source(DEMO)
    try:
        monkeypatch.setattr(profiler, "profile_table", broken)
        job_id, profiles = profile_tables(source, DEMO, tables, ProfileOptions(), ctx.store)
        assert profiles == []
        assert ctx.store.get_job(job_id).status == JobStatus.FAILED  # was complete_with_errors
        monkeypatch.undo()
        real = profiler.profile_table

        def one_broken(source, connection, table, *a, **k):  # type: ignore[no-untyped-def]
            if table.name == "orders":
                raise RuntimeError("the driver fell over")
            return real(source, connection, table, *a, **k)

        monkeypatch.setattr(profiler, "profile_table", one_broken)
        job_id, profiles = profile_tables(source, DEMO, tables, ProfileOptions(), ctx.store)
        assert [p.table for p in profiles] == ["customers"]
        assert ctx.store.get_job(job_id).status == JobStatus.COMPLETE_WITH_ERRORS
    finally:
        source.close()


def test_sample_whose_export_fails_is_failed(ctx, tmp_path: Path, monkeypatch) -> None:
    from dte_desktop.core.jobs import service

    spec = SampleSpec(connection=DEMO, table="customers", size=10, seed=1,
                      out_dir=str(tmp_path / "s")).validate()  # fmt: skip
    monkeypatch.setattr(service, "run", lambda job: JobStatus.FAILED)
    outcome = run_sample(ctx, spec)
    assert outcome.export_status == "failed"
    assert ctx.store.get_job(outcome.job_id).status == JobStatus.FAILED  # was complete_with_errors
    monkeypatch.setattr(service, "run", lambda job: JobStatus.COMPLETE_WITH_ERRORS)
    outcome = run_sample(ctx, spec)
    assert ctx.store.get_job(outcome.job_id).status == JobStatus.COMPLETE_WITH_ERRORS
