"""Shared fixtures: a private ``DTE_HOME`` per test, and real database servers.

Under ``CI=true`` a test that needs a server fails when the server is missing; outside CI it
is skipped with the reason spelled out (never silently).
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DTE_KEYRING", "file")  # tests never touch the developer's keyring
os.environ.setdefault("DTE_MASTER_PASSPHRASE", "test-master-passphrase")

PG_HOST = os.environ.get("DTE_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("DTE_TEST_PG_PORT", "5432"))
MY_HOST = os.environ.get("DTE_TEST_MYSQL_HOST", "127.0.0.1")
MY_PORT = int(os.environ.get("DTE_TEST_MYSQL_PORT", "3306"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_server(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    msg = f"{name} is not reachable on {host}:{port} (make test starts it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(autouse=True)
def dte_home(tmp_path, monkeypatch) -> Iterator[str]:
    home = tmp_path / "dte_home"
    home.mkdir()
    monkeypatch.setenv("DTE_HOME", str(home))
    # A site file installed on this machine (/etc/xdg/…) must not leak into tests.
    monkeypatch.setenv("DTE_SITE_FILE", str(tmp_path / "no-site.toml"))
    yield str(home)
    from dte_desktop.core.logs import reset_logging

    reset_logging()


@contextlib.contextmanager
def pg_database(prefix: str = "dte_t") -> Iterator[str]:
    """Create a PostgreSQL database, yield its URL, drop it (even if in use)."""
    require_server("PostgreSQL", PG_HOST, PG_PORT)
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    with pg_database() as url:
        yield url


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh MariaDB database for one test, dropped afterwards."""
    require_server("MariaDB", MY_HOST, MY_PORT)
    import pymysql

    name = f"dte_t_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(host=MY_HOST, port=MY_PORT, user="root", password="")
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        conn.close()
    try:
        yield f"mysql://root@{MY_HOST}:{MY_PORT}/{name}"
    finally:
        conn = pymysql.connect(host=MY_HOST, port=MY_PORT, user="root", password="")
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> str:
    """The demo database, generated once per test session (about 3 s)."""
    from pathlib import Path

    from dte_desktop.core.demo import generate

    return str(generate(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite"))


@pytest.fixture
def demo_home(dte_home, demo_db_file) -> str:
    """A DTE_HOME that already holds the demo database (bootstrap then only registers it)."""
    import shutil

    shutil.copy(demo_db_file, os.path.join(dte_home, "demo.sqlite"))
    return dte_home
