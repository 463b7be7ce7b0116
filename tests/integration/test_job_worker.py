"""The job worker process the desktop app runs exports in (``core.jobs.worker``), driven
through its pipes exactly as the app drives it: a JSON request on stdin, ``cancel`` lines,
JSON event lines back on stdout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.demo import DEMO_CONNECTION
from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.store import JobStatus, Store

WORKER = [sys.executable, "-m", "dte_desktop.core.jobs.worker"]


def no_part_files(out: Path) -> bool:
    return not list(out.rglob("*.part"))


class Worker:
    """One worker process; ``events`` are every stdout line, parsed (each must be JSON)."""

    def __init__(self, request: dict[str, Any], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            WORKER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.events: list[dict[str, Any]] = []
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()

    def next_event(self, timeout: float = 60) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = self.proc.stdout.readline()
        if not line:
            return None
        assert time.monotonic() < deadline, "worker too slow"
        ev = json.loads(line)  # a non-JSON line on stdout fails here
        self.events.append(ev)
        return ev

    def until(self, pred, timeout: float = 120) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ev = self.next_event(timeout)
            assert ev is not None, f"worker ended early: {self.finish()[1]}"
            if pred(ev):
                return ev
        raise AssertionError("timed out")

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        """Read the rest of stdout, close stdin, and wait for the exit code."""
        while self.next_event(timeout) is not None:
            pass
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        code = self.proc.wait(timeout)
        err = self.proc.stderr.read() if self.proc.stderr else ""
        return code, err

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == kind]


def spec_config(out: Path, table: str, **kw: Any) -> dict[str, Any]:
    return ExportSpec(
        mask=False, connection=DEMO_CONNECTION, out_dir=str(out), tables=(table,), **kw
    ).to_config()


def test_export_streams_events_and_leaves_an_audited_complete_job(demo_home, tmp_path) -> None:
    out = tmp_path / "out"
    w = Worker({"action": "export", "spec": spec_config(out, "orders", partitions=4, workers=2)})
    code, err = w.finish()
    assert code == 0, err
    kinds = [e["event"] for e in w.events]
    assert kinds[0] == "started" and kinds.count("finished") == 1
    job_id = w.events[0]["job_id"]
    assert w.events[0]["resumed"] is False
    fin = w.of("finished")[0]
    assert fin["job_id"] == job_id and fin["status"] == "complete"
    assert fin["summary"]["rows"] == 500_000
    done = {e["key"] for e in w.of("item") if e["status"] == "done"}
    assert len(done) == 4
    rows = [e["rows"] for e in w.of("progress")]  # throttled: 4 a second at most
    assert rows and rows == sorted(rows) and 0 < rows[-1] <= 500_000
    # The worker writes no log file: its records travel to the app as events.
    assert any(f"job {job_id}" in e["message"] for e in w.of("log"))
    logs = Path(demo_home) / "logs"
    assert not (logs.exists() and any(logs.iterdir()))
    assert verify_manifest(out) == [] and no_part_files(out)
    assert sum(pq.read_metadata(f).num_rows for f in out.rglob("*.parquet")) == 500_000
    store = Store.open()
    try:
        job = store.get_job(job_id)
        assert job.status == JobStatus.COMPLETE
        audit = [
            json.loads(r.details)
            for r in AuditLog(store).records(action="export")
            if json.loads(r.details).get("job_id") == job_id
        ]
        assert len(audit) == 1 and audit[0]["row_count"] == 500_000, audit
    finally:
        store.close()


def test_cancel_line_then_resume_finishes_only_the_rest(demo_home, tmp_path) -> None:
    out = tmp_path / "out"
    config = spec_config(out, "customers", partitions=4, workers=1, batch_rows=2_000)
    w = Worker({"action": "export", "spec": config})
    job_id = w.until(lambda e: e["event"] == "started")["job_id"]
    w.until(lambda e: e["event"] == "item" and e["status"] == "done")
    w.send("cancel\n")
    code, err = w.finish()
    assert code == 0, err
    assert w.of("finished")[0]["status"] == "cancelled"
    assert no_part_files(out)
    store = Store.open()
    first = {i.key for i in store.list_items(job_id) if i.status == "done"}
    store.close()
    assert 1 <= len(first) < 4

    again = Worker({"action": "resume", "job_id": job_id})
    code, err = again.finish()
    assert code == 0, err
    assert again.events[0] == {
        "event": "started",
        "job_id": job_id,
        "resumed": True,
        "kind": "export",
    }
    assert again.of("finished")[0]["status"] == "complete"
    redone = {e["key"] for e in again.of("item") if e["status"] == "done"}
    assert redone.isdisjoint(first) and len(redone | first) == 4
    assert verify_manifest(out) == []
    assert sum(pq.read_metadata(f).num_rows for f in out.rglob("*.parquet")) == 100_000


def test_end_of_input_cancels_the_job(demo_home, tmp_path) -> None:
    """The app closed or died: the job stops between batches and stays resumable."""
    out = tmp_path / "out"
    config = spec_config(out, "customers", partitions=2, workers=1, batch_rows=1_000)
    w = Worker({"action": "export", "spec": config})
    job_id = w.until(lambda e: e["event"] == "item")["job_id"]
    assert w.proc.stdin is not None
    w.proc.stdin.close()
    code, err = w.finish()
    assert code == 0, err
    assert w.of("finished")[0]["status"] == "cancelled"
    store = Store.open()
    try:
        assert store.get_job(job_id).status.resumable
    finally:
        store.close()


def test_rerun_makes_a_new_job_from_the_stored_spec(demo_home, tmp_path) -> None:
    first = Worker({"action": "export", "spec": spec_config(tmp_path / "a", "products")})
    assert first.finish()[0] == 0
    old_id = first.events[0]["job_id"]
    w = Worker({"action": "rerun", "job_id": old_id})
    assert w.finish()[0] == 0
    assert w.events[0]["job_id"] != old_id
    assert w.of("finished")[0]["status"] == "complete"


@pytest.mark.parametrize(
    ("request_line", "title_part"),
    [
        ('{"action": "explode"}\n', "Unknown job request"),
        ("this is not json\n", "unreadable request"),
        ('{"action": "resume", "job_id": 999999}\n', "999999"),
    ],
)
def test_bad_requests_get_one_clear_error_event(demo_home, request_line, title_part) -> None:
    proc = subprocess.run(WORKER, input=request_line, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    errors = [e for e in events if e["event"] == "error"]
    assert len(errors) == 1 and title_part in errors[0]["message"]
    assert "Traceback" not in errors[0]["message"]


def test_missing_connection_is_reported_not_crashed(demo_home, tmp_path) -> None:
    config = ExportSpec(
        mask=False, connection="No such connection", out_dir=str(tmp_path), tables=("t",)
    )
    w = Worker({"action": "export", "spec": config.to_config()})
    code, _ = w.finish()
    assert code == 2
    assert [e["event"] for e in w.events if e["event"] != "log"] == ["error"]
    assert "No such connection" in w.of("error")[0]["message"]


@pytest.mark.postgres
def test_passphrase_opens_the_file_store_and_is_never_echoed(dte_home, tmp_path, pg_url) -> None:
    """A connection whose password sits in the encrypted file store: the worker opens the
    store with the passphrase the app sent through the pipe, and neither the passphrase nor
    the database password appears in anything the worker writes."""
    import psycopg

    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.secrets import CredentialStore

    phrase, db_password = "pipe-only-passphrase-91", "db-password-in-store-37"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g")
    env = {k: v for k, v in os.environ.items() if k != "DTE_MASTER_PASSPHRASE"}
    env["DTE_KEYRING"] = "file"
    ctx = bootstrap(demo=False, passphrase=lambda: phrase)
    ctx.store.save_connection("pg", pg_url)
    ctx.credentials.set(CredentialStore.connection_key("pg"), db_password)
    ctx.close()

    config = ExportSpec(
        mask=False, connection="pg", out_dir=str(tmp_path / "o"), tables=("public.t",)
    )
    w = Worker({"action": "export", "spec": config.to_config(), "passphrase": phrase}, env=env)
    code, err = w.finish()
    assert code == 0, err
    assert w.of("finished")[0]["status"] == "complete", w.events
    everything = json.dumps(w.events) + err
    assert phrase not in everything and db_password not in everything

    wrong = Worker({"action": "export", "spec": config.to_config(), "passphrase": "wrong"}, env=env)
    code, err = wrong.finish()
    assert code == 2
    assert "passphrase" in wrong.of("error")[0]["message"].lower()
    assert db_password not in json.dumps(wrong.events) + err


@pytest.mark.postgres
def test_the_worker_opens_the_store_the_app_names(dte_home, tmp_path, pg_url) -> None:
    """The app may use another store than the per-user one (the self-test's throwaway
    store): the worker opens that one, and the per-user store is never created."""
    import psycopg

    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.secrets import CredentialStore

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10) g")
    env = {k: v for k, v in os.environ.items() if k != "DTE_MASTER_PASSPHRASE"}
    elsewhere, phrase = tmp_path / "elsewhere" / "secrets.enc", "throwaway-77"
    elsewhere.parent.mkdir()
    ctx = bootstrap(demo=False)
    ctx.use_credential_store(elsewhere, "file", lambda: phrase)
    ctx.store.save_connection("pg", pg_url)
    ctx.credentials.set(CredentialStore.connection_key("pg"), "stored-elsewhere")
    default_store = ctx.paths.secrets_file
    ctx.close()

    # Masked: the masking key is read from (or first written to) the credential store.
    config = ExportSpec(
        connection="pg", out_dir=str(tmp_path / "o"), tables=("public.t",), mask=True
    )
    request = {
        "action": "export",
        "spec": config.to_config(),
        "passphrase": phrase,
        "credentials": {"file": str(elsewhere), "prefer": "file"},
    }
    w = Worker(request, env=env)
    code, err = w.finish()
    assert code == 0, err
    assert w.of("finished")[0]["status"] == "complete", w.events
    assert not default_store.exists()
    again = CredentialStore(elsewhere, lambda: phrase, prefer="file")
    assert again.get(CredentialStore.SITE_KEY)  # the key went where the app keeps its store


@pytest.mark.postgres
def test_killed_worker_leaves_an_interrupted_job_that_resumes(dte_home, tmp_path, pg_url) -> None:
    import psycopg

    from dte_desktop.core.app import bootstrap

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS h "
            "FROM generate_series(1, 400000) g"
        )
    ctx = bootstrap(demo=False)
    ctx.store.save_connection("pg", pg_url)
    ctx.close()
    out = tmp_path / "out"
    spec = ExportSpec(mask=False,
        connection="pg", out_dir=str(out), tables=("public.big",), partitions=8, workers=1,
        batch_rows=5_000,
    )  # fmt: skip
    w = Worker({"action": "export", "spec": spec.to_config()})
    job_id = w.until(lambda e: e["event"] == "item" and e["status"] == "done")["job_id"]
    os.kill(w.proc.pid, signal.SIGKILL)
    w.proc.wait(30)

    again = Worker({"action": "resume", "job_id": job_id})  # its start marks the job interrupted
    code, err = again.finish()
    assert code == 0, err
    assert again.of("finished")[0]["status"] == "complete"
    assert no_part_files(out) and verify_manifest(out) == []
    ids = pq.read_table(out).column("id").to_pylist() if out.is_file() else [
        v for f in sorted(out.rglob("*.parquet")) for v in pq.read_table(f).column("id").to_pylist()
    ]  # fmt: skip
    assert sorted(ids) == list(range(1, 400_001))


OS_KEYRING_SCRIPT = """
import json, subprocess, sys
from dte_desktop.core.app import bootstrap
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.secrets import CredentialStore

ctx = bootstrap(demo=False)
store = ctx.credentials
print("backend", store.backend.name)
ctx.store.save_connection("pg", sys.argv[1])
store.set(CredentialStore.connection_key("pg"), "in-the-os-keyring-5")
spec = ExportSpec(connection="pg", out_dir=sys.argv[2], tables=("public.t",), mask=True)
request = {"action": "export", "spec": spec.to_config(),
           "credentials": {"file": str(store.file_path), "prefer": store.prefer}}
# stdin stays open while the job runs: its end would cancel the job.
proc = subprocess.Popen([sys.executable, "-m", "dte_desktop.core.jobs.worker"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
proc.stdin.write(json.dumps(request) + "\\n")
proc.stdin.flush()
events, lines = [], []
for line in proc.stdout:
    lines.append(line)
    events.append(json.loads(line))
    if events[-1]["event"] in ("finished", "error"):
        break
proc.stdin.close()
proc.wait()
print("status", [e["status"] for e in events if e["event"] == "finished"])
print("worker-backend", [e["message"] for e in events if e["event"] == "log"
                         and "credential store" in e["message"]])
print("key", bool(store.get(CredentialStore.SITE_KEY)))
print("leaked", "in-the-os-keyring-5" in "".join(lines))
"""


@pytest.mark.postgres
def test_worker_uses_the_os_keyring_like_the_app(tmp_path, pg_url) -> None:
    """Inside a real Secret Service session (gnome-keyring over D-Bus): the worker reads the
    connection's password from the OS keyring and keeps the masking key there, as the app
    does; no encrypted file is made."""
    import psycopg

    from tests.secret_service import run_in_secret_service

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10) g")
    out = run_in_secret_service(tmp_path, OS_KEYRING_SCRIPT, pg_url, str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    assert "backend keyring:keyring.backends.SecretService.Keyring" in out.stdout
    assert "status ['complete']" in out.stdout, out.stdout
    assert "SecretService" in out.stdout.split("worker-backend", 1)[1].splitlines()[0]
    assert "key True" in out.stdout and "leaked False" in out.stdout
    assert not list(Path(os.environ["DTE_HOME"]).glob("secrets.enc"))
