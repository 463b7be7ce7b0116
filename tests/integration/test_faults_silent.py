"""A server that accepts connections and never answers (issue 15 item 12): an export gives
up after ONE connect timeout with a plain "did not answer within N s", not after three (a
resume's first reads — describe, the row estimate — each swallowed a timeout before the
third failed the job)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import ItemProgress
from dte_desktop.core.jobs.export_job import ExportJob
from dte_desktop.core.jobs.service import run
from dte_desktop.core.sources.postgres import PostgresSource
from dte_desktop.core.store import JobStatus, Store
from tests.integration.faults_helpers import make_table
from tests.integration.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres
TIMEOUT_S = 2  # libpq's smallest connect timeout


def _job(url: str, out: Path, job_id: int | None = None, on_event=None) -> ExportJob:  # type: ignore[no-untyped-def]
    spec = ExportSpec(mask=False, connection=url, out_dir=str(out), tables=("public.big",),
                      partitions=2, workers=1, batch_rows=1_000)  # fmt: skip
    store = Store.open()
    src = make_url(url)
    return ExportJob(store, spec, lambda: PostgresSource(src, connect_timeout=TIMEOUT_S),
                     job_id=job_id, on_event=on_event)  # fmt: skip


@pytest.mark.parametrize("resume", [False, True], ids=["new", "resume"])
def test_a_silent_server_costs_one_connect_timeout(pg_url: str, tmp_path: Path, resume) -> None:
    make_table(pg_url, 20_000)
    u = make_url(pg_url)
    proxy = TcpProxy((u.host, u.port)).start()
    url = u.set(port=proxy.port).render_as_string(hide_password=False)
    out = tmp_path / "out"
    job_id = None
    try:
        if resume:  # a job with one slice done, cancelled: its resume meets the silence
            first: list[ExportJob] = []

            def stop_after_one(ev: object) -> None:
                if isinstance(ev, ItemProgress) and ev.status == "done":
                    first[0].cancel()

            first.append(_job(url, out, on_event=stop_after_one))
            assert run(first[0]) == JobStatus.CANCELLED
            job_id = first[0].job_id
            first[0].store.close()
        proxy.stop()
        proxy.silent = True
        proxy.start()
        job = _job(url, out, job_id)
        started = time.monotonic()
        status = run(job)
        took = time.monotonic() - started
        errors = [e.message for e in job.store.list_errors(job.job_id)]
        job.store.close()
    finally:
        proxy.stop()
    assert status == JobStatus.FAILED
    assert any(f"No answer from 127.0.0.1:{proxy.port} within {TIMEOUT_S} s" in e
               for e in errors), errors  # fmt: skip
    assert TIMEOUT_S <= took < 2 * TIMEOUT_S, f"{took:.1f} s: more than one connect timeout"
