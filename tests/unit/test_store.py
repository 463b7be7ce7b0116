"""The history store: migrations, recovery of interrupted jobs, concurrency, no secrets."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from dte_desktop.core.paths import app_paths
from dte_desktop.core.store import ItemStatus, JobStatus, Store
from dte_desktop.core.store.db import current_revision, head_revision, make_engine, migrate

TABLES = {"connections", "jobs", "job_items", "job_errors", "audit_log", "audit_anchor"}


def test_migrations_on_an_empty_database() -> None:
    store = Store.open()
    try:
        assert current_revision(store.engine) == head_revision() == "0005"
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        with sqlite3.connect(store.path) as con:
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


def test_migration_from_the_previous_revision_keeps_data_and_a_backup() -> None:
    paths = app_paths().ensure()
    engine = make_engine(paths.history_db)
    migrate(engine, paths.history_db, target="0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO connections (name, kind, url, options, created_at, updated_at) "
            "VALUES ('old', 'postgresql', 'postgresql://u@h/d', '{}', '2026-01-01', '2026-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO jobs (kind, status, created_at, config, summary) "
            "VALUES ('export', 'complete', '2026-01-01', '{}', '{}')"
        )
    engine.dispose()

    store = Store.open(paths)
    try:
        assert current_revision(store.engine) == head_revision()
        conn = store.get_connection("old")
        assert conn.url == "postgresql://u@h/d" and conn.origin == "user"
        assert store.get_job(1).status == JobStatus.COMPLETE
        backups = list(paths.data_dir.glob("history.sqlite.bak-0001-*"))
        assert len(backups) == 1
        with sqlite3.connect(backups[0]) as con:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            assert "audit_log" not in names and "connections" in names
    finally:
        store.close()


def test_a_job_left_running_by_a_dead_process_becomes_interrupted() -> None:
    store = Store.open()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    orphan = store.create_job("export", {"tables": ["t"]})
    store.set_job_status(orphan, JobStatus.RUNNING)
    store.add_items(orphan, ["t#0", "t#1"])
    store.update_item(orphan, "t#0", status=ItemStatus.DONE, rows=10)
    store.update_item(orphan, "t#1", status=ItemStatus.RUNNING, rows=3)
    live = store.create_job("export", {})
    store.set_job_status(live, JobStatus.RUNNING)  # this process: alive
    with store.session() as s:
        s.connection().exec_driver_sql(f"UPDATE jobs SET pid={dead_pid} WHERE id={orphan}")
    store.close()

    store = Store.open()
    try:
        assert store.get_job(orphan).status == JobStatus.INTERRUPTED
        assert store.get_job(live).status == JobStatus.RUNNING
        items = {i.key: i.status for i in store.list_items(orphan)}
        assert items == {"t#0": ItemStatus.DONE, "t#1": ItemStatus.PENDING}
        assert JobStatus.INTERRUPTED.resumable
    finally:
        store.close()


@pytest.mark.slow
def test_eight_threads_updating_progress_for_ten_seconds_never_lock() -> None:
    store = Store.open()
    job = store.create_job("export", {})
    keys = [f"t#{i}" for i in range(8)]
    store.add_items(job, keys)
    errors: list[BaseException] = []
    counts = dict.fromkeys(keys, 0)
    stop = time.monotonic() + 10

    def worker(key: str) -> None:
        try:
            n = 0
            while time.monotonic() < stop:
                n += 1
                store.update_item(job, key, rows=n, bytes=n * 100, status=ItemStatus.RUNNING)
                if n % 50 == 0:
                    store.list_items(job)  # readers interleave with writers
                    store.add_error(job, type="Probe", message=f"tick {n}", item_key=key)
            counts[key] = n
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors[0]
        items = {i.key: i.rows for i in store.list_items(job)}
        assert items == counts  # every thread's last write landed
        assert min(counts.values()) > 50, counts
        print(f"updates per thread in 10 s: {counts}")
    finally:
        store.close()


def test_no_secret_reaches_the_history_file() -> None:
    secret = "Sup3r-S3cret-Pw!"
    store = Store.open()
    store.save_connection("prod", f"postgresql://alice:{secret}@db.example:5432/sales")
    job = store.create_job(
        "export",
        {
            "url": f"postgresql://alice:{secret}@db.example/sales",
            "password": secret,
            "options": {"api_token": secret, "where": "id > 3"},
            "dsn": f"host=db password={secret} user=alice",
        },
        connection="prod",
    )
    store.add_items(job, ["t#0"])
    store.add_error(
        job,
        type="ConnectionFailed",
        message=f"could not connect to postgresql://alice:{secret}@db.example",
        traceback=f'File "x.py", line 1\n  PGPASSWORD={secret} psql',
        context={"password": secret, "url": f"mysql://a:{secret}@h/d"},
    )
    stored = store.get_job(job).config
    assert stored["options"]["where"] == "id > 3"  # redaction keeps what is not secret
    assert store.get_connection("prod").url == "postgresql://alice@db.example:5432/sales"
    store.close()
    data_dir = app_paths().data_dir
    for f in data_dir.glob("history.sqlite*"):
        assert secret.encode() not in f.read_bytes(), f
    assert os.path.exists(data_dir / "history.sqlite")


def test_unknown_names_give_clear_errors() -> None:
    from dte_desktop.core.errors import NotFound

    store = Store.open()
    try:
        with pytest.raises(NotFound, match="No connection named 'nope'"):
            store.get_connection("nope")
        with pytest.raises(NotFound, match="No job 99"):
            store.get_job(99)
    finally:
        store.close()


def test_migration_scripts_ship_inside_the_package() -> None:
    import dte_desktop.core.store.db as db

    versions = sorted(p.name for p in (db.MIGRATIONS_DIR / "versions").glob("0*.py"))
    assert versions == [
        "0001_initial.py",
        "0002_audit_origin_pid.py",
        "0003_profiles_rules.py",
        "0004_classifications.py",
        "0005_audit_anchor.py",
    ]
    assert Path(db.MIGRATIONS_DIR, "env.py").exists()


def test_each_migration_step_upgrades_from_its_predecessor() -> None:
    """Every revision applies on top of the one before it (not only empty → head)."""
    from alembic.script import ScriptDirectory

    from dte_desktop.core.store.db import alembic_config

    revs = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    paths = app_paths().ensure()
    engine = make_engine(paths.history_db)
    for rev in reversed(revs):
        migrate(engine, paths.history_db, target=rev)
        assert current_revision(engine) == rev
    engine.dispose()
    assert len(list(paths.data_dir.glob("history.sqlite.bak-*"))) == len(revs) - 1


def test_rate_meter_reports_the_current_rate_not_the_average(monkeypatch) -> None:
    from dte_desktop.core.jobs import events

    clock = [100.0]
    monkeypatch.setattr(events.time, "monotonic", lambda: clock[0])
    meter = events.RateMeter()
    for _ in range(10):  # 1,000 rows/s for 10 s
        clock[0] += 1
        meter.update("a", meter._rows.get("a", 0) + 1000, 0)
    for _ in range(5):  # then a stall
        clock[0] += 1
        *_, rate, _ = meter.update("a", 10_000, 0)
    assert rate == 0 and 10_000 / (clock[0] - 100) > 600  # the average would still be high


def test_site_and_builtin_connections_are_read_only_for_user_writes() -> None:
    """Issue 14 item 8: saving a user connection under a site preset's name overwrote it."""
    from dte_desktop.core.errors import ReadOnly

    store = Store.open()
    try:
        store.save_connection("Warehouse", "postgresql://it@db.site:5432/dw", origin="site")
        store.save_connection("Demo", "sqlite:///demo.sqlite", origin="builtin")
        for name in ("Warehouse", "Demo"):
            with pytest.raises(ReadOnly, match="read-only"):
                store.save_connection(name, "sqlite:///mine.sqlite")
            with pytest.raises(ReadOnly, match="read-only"):
                store.remove_connection(name)
        assert store.get_connection("Warehouse").url == "postgresql://it@db.site:5432/dw"
        assert store.get_connection("Warehouse").origin == "site"
        assert store.get_connection("Demo").origin == "builtin"
        # IT's own refresh of its preset still goes through, and user rows stay the user's.
        store.save_connection("Warehouse", "postgresql://it@db2.site:5432/dw", origin="site")
        assert store.get_connection("Warehouse").url == "postgresql://it@db2.site:5432/dw"
        store.save_connection("mine", "sqlite:///a.sqlite")
        store.save_connection("mine", "sqlite:///b.sqlite")
        store.remove_connection("mine")
    finally:
        store.close()


def test_a_running_job_whose_pid_was_reused_becomes_interrupted() -> None:
    """Issue 15 item 12: the pid a dead runner left now belongs to some other live process;
    nobody holds the job's lock, so the job is not running any more."""
    store = Store.open()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        job = store.create_job("export", {})
        with store.session() as s:  # as a runner that died (its lock gone with it) left it
            s.connection().exec_driver_sql(
                f"UPDATE jobs SET status='running', pid={other.pid} WHERE id={job}"
            )
        assert store.mark_interrupted() == [job]
        assert store.get_job(job).status == JobStatus.INTERRUPTED
    finally:
        other.kill()
        other.wait()
        store.close()


def test_site_presets_own_their_names_across_starts(tmp_path, monkeypatch) -> None:
    """Siblings of item 8: a site preset named like the demo must not stop the app from
    starting (the store refuses builtin-over-site), and a preset IT removed from the site
    file leaves no read-only row nobody can remove."""
    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.demo import DEMO_CONNECTION

    site = tmp_path / "site.toml"
    site.write_text(
        f'[[connections]]\nname = "{DEMO_CONNECTION}"\nurl = "postgresql://it@dw.site/dw"\n'
        '[[connections]]\nname = "Old"\nurl = "postgresql://it@old.site/dw"\n'
    )
    monkeypatch.setenv("DTE_SITE_FILE", str(site))
    for _ in range(2):
        ctx = bootstrap()
        conns = {c.name: c for c in ctx.store.list_connections()}
        ctx.close()
        assert conns[DEMO_CONNECTION].origin == "site"
        assert conns[DEMO_CONNECTION].url == "postgresql://it@dw.site/dw"
        assert conns["Old"].origin == "site"
    site.write_text('[[connections]]\nname = "New"\nurl = "postgresql://it@new.site/dw"\n')
    ctx = bootstrap()
    conns = {c.name: c.origin for c in ctx.store.list_connections()}
    ctx.close()
    assert conns == {DEMO_CONNECTION: "builtin", "New": "site"}
