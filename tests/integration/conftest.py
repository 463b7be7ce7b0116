"""A private PostgreSQL 15 cluster with password (scram-sha-256) and TLS-only rules, for the
connection-failure tests that the trusted main cluster cannot provoke.

Created with Debian's postgresql-common tools (as root) the first time, reused afterwards.
pg_hba.conf and the TLS files are rewritten on every session, so the rules are what this file
says even if someone edited the cluster by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require_server
from tests.vertica_server.fixture import vertica_server, vertica_server_module  # noqa: F401

VERSION, NAME, PORT = "15", "dteauth", 54329
CONF_DIR = Path(f"/etc/postgresql/{VERSION}/{NAME}")
SOCKET_DIR = "/var/run/postgresql"
USER, PASSWORD = "dte_user", "S3cr3t-pw!x"
DB_OK, DB_NOCONNECT, DB_TLS = "dte_auth_ok", "dte_noconnect", "dte_tls_only"

HBA = f"""# written by tests/integration/conftest.py
local   all          all                 trust
hostssl {DB_TLS}     all  127.0.0.1/32   scram-sha-256
hostnossl {DB_TLS}   all  127.0.0.1/32   reject
host    all          all  127.0.0.1/32   scram-sha-256
host    all          all  ::1/128        scram-sha-256
"""


@dataclass(frozen=True)
class AuthCluster:
    host: str
    port: int
    user: str
    password: str
    db_ok: str
    db_noconnect: str
    db_tls: str


def _fail_or_skip(msg: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def _cluster_status() -> str | None:
    for line in _run("pg_lsclusters", "--no-header").splitlines():
        parts = line.split()
        if parts[:2] == [VERSION, NAME]:
            return parts[3]
    return None


def _write_tls_files(data_conf: Path) -> tuple[Path, Path]:
    """A throw-away self-signed certificate (the server only needs one to offer TLS)."""
    cert, key = data_conf / "dte_server.crt", data_conf / "dte_server.key"
    if not (cert.exists() and key.exists()):
        _run(
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert),
        )  # fmt: skip
    shutil.chown(cert, "postgres", "postgres")
    shutil.chown(key, "postgres", "postgres")
    key.chmod(0o600)
    return cert, key


def _ensure_cluster() -> None:
    if shutil.which("pg_createcluster") is None:
        _fail_or_skip("postgresql-common (pg_createcluster) is not installed")
    if os.geteuid() != 0 and _cluster_status() is None:
        _fail_or_skip(f"creating the {NAME} test cluster needs root")
    if _cluster_status() is None:
        _run("pg_createcluster", VERSION, NAME, "-p", str(PORT), "--", "--auth-local=trust")
    cert, key = _write_tls_files(CONF_DIR)
    (CONF_DIR / "pg_hba.conf").write_text(HBA)
    (CONF_DIR / "conf.d").mkdir(exist_ok=True)
    (CONF_DIR / "conf.d" / "dte_tests.conf").write_text(
        f"ssl = on\nssl_cert_file = '{cert}'\nssl_key_file = '{key}'\n"
        f"listen_addresses = '127.0.0.1'\npassword_encryption = 'scram-sha-256'\n"
    )
    if _cluster_status() != "online":
        _run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, NAME, "start")
    else:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, NAME, "reload")
    deadline = time.monotonic() + 30
    while True:
        try:
            _setup_roles()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _setup_roles() -> None:
    import psycopg

    dsn = f"host={SOCKET_DIR} port={PORT} user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (USER,)).fetchone():
            conn.execute(f"ALTER ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        else:
            conn.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        for db in (DB_OK, DB_NOCONNECT, DB_TLS):
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone():
                conn.execute(f"CREATE DATABASE {db}")
        conn.execute(f"REVOKE CONNECT ON DATABASE {DB_NOCONNECT} FROM PUBLIC")
        conn.execute(f"REVOKE CONNECT ON DATABASE {DB_NOCONNECT} FROM {USER}")


@pytest.fixture(scope="session")
def auth_cluster() -> Iterator[AuthCluster]:
    require_server("PostgreSQL", "127.0.0.1", 5432)  # same packages; fail under CI when absent
    _ensure_cluster()
    yield AuthCluster("127.0.0.1", PORT, USER, PASSWORD, DB_OK, DB_NOCONNECT, DB_TLS)
