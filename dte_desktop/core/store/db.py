"""The history database: one SQLite file in WAL mode, migrated by Alembic at start-up.

Every transaction starts with ``BEGIN IMMEDIATE``: a deferred transaction that reads and then
writes can fail with "database is locked" at once, without waiting on the busy timeout, when
another connection wrote in between. Taking the write lock up front makes concurrent writers
queue behind ``busy_timeout`` instead; readers are never blocked in WAL mode.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

from dte_desktop.core.logs import get_logger
from dte_desktop.core.paths import private_file

log = get_logger("store")
BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
        # 0600: the history holds job configs; SQLite gives -wal/-shm the database's mode.
        private_file(path)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, path: Path, target: str = "head") -> str | None:
    """Bring the database to ``target``. Before changing an existing file a copy is kept
    (``history.sqlite.bak-<rev>-<time>``) so a failed or unwanted migration loses nothing.
    Returns the backup's path, if one was made."""
    cfg = alembic_config()
    current = current_revision(engine)
    wanted = head_revision() if target == "head" else target
    if current == wanted:
        return None
    backup = None
    if current is not None and path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        backup_path = path.with_name(f"{path.name}.bak-{current}-{stamp}")
        _backup_sqlite(path, backup_path)
        backup = str(backup_path)
        log.info(
            "history database backed up to %s before migrating %s -> %s",
            backup_path,
            current,
            wanted,
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    return backup


def _backup_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy even with the WAL in use (sqlite's online backup API)."""
    source = sqlite3.connect(str(src))
    try:
        target = sqlite3.connect(str(dst))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    if not dst.exists():  # pragma: no cover - the backup API always writes the file
        shutil.copy2(src, dst)
    private_file(dst)
