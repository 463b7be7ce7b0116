"""pytest fixtures: a Vertica test server on a free port in front of a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import pg_database
from tests.vertica_server.server import User, VerticaTestServer

PASSWORD = "Vertica-Secret-77"
USERS = {
    "dbadmin": User(),
    "pw_user": User(PASSWORD, "password"),
    "md5_user": User(PASSWORD, "md5"),
    "sha_user": User(PASSWORD, "sha512"),
}


def _start(pg_url: str) -> VerticaTestServer:
    u = make_url(pg_url)
    dsn = f"host={u.host} port={u.port} user={u.username} dbname={u.database}"
    return VerticaTestServer(dsn, str(u.database), dict(USERS)).start()


@pytest.fixture
def vertica_server() -> Iterator[VerticaTestServer]:
    """A test server backed by a database of its own, dropped afterwards."""
    with pg_database("dte_vt") as url:
        server = _start(url)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def vertica_server_module() -> Iterator[VerticaTestServer]:
    """One server (and database) for a module whose tests only read."""
    with pg_database("dte_vtm") as url:
        server = _start(url)
        try:
            yield server
        finally:
            server.stop()
