"""The listener: startup, TLS refusal, cancel requests, authentication, fault injection.

One thread per client connection (``socketserver.ThreadingTCPServer``); each authenticated
session gets its own psycopg connection to the backing PostgreSQL database (``session.py``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.vertica_server import protocol as p
from tests.vertica_server.session import Session

AUTH_METHODS = ("trust", "password", "md5", "sha512")


@dataclass
class User:
    password: str = ""
    method: str = "trust"  # one of AUTH_METHODS


@dataclass
class Faults:
    """Misbehaviours a test can switch on while the server runs."""

    hang_startup: bool = False  # accept, read the startup packet, never answer
    drop_after_rows: int | None = None  # close the socket after this many DataRows (once)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_drop(self) -> int | None:
        with self.lock:
            n, self.drop_after_rows = self.drop_after_rows, None
            return n


class VerticaTestServer:
    """A Vertica-protocol server on 127.0.0.1:<free port> backed by one PostgreSQL database."""

    def __init__(self, pg_dsn: str, database: str, users: dict[str, User] | None = None) -> None:
        self.pg_dsn = pg_dsn
        self.database = database
        self.users = users if users is not None else {"dbadmin": User()}
        self.faults = Faults()
        self.sessions: dict[tuple[int, int], Session] = {}
        self.connections = 0  # sessions that passed authentication
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._tcp: socketserver.ThreadingTCPServer | None = None

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> VerticaTestServer:
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._tcp.daemon_threads = True
        threading.Thread(
            target=self._tcp.serve_forever, name="vertica-test-server", daemon=True
        ).start()
        return self

    @property
    def port(self) -> int:
        assert self._tcp is not None
        return int(self._tcp.server_address[1])

    def url(self, user: str = "dbadmin") -> str:
        return f"vertica://{user}@127.0.0.1:{self.port}/{self.database}"

    def stop(self) -> None:
        self._stop.set()
        if self._tcp is not None:
            self._tcp.shutdown()
            self._tcp.server_close()
        with self._lock:
            sessions = list(self.sessions.values())
        for s in sessions:
            s.close()

    def __enter__(self) -> VerticaTestServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- one client connection ------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            params = self._startup(sock)
            if params is None:
                return
            if self.faults.hang_startup:
                self._stop.wait()
                return
            user = params.get("user", b"").decode()
            if not self._authenticate(sock, user):
                return
            database = params.get("database", b"").decode()
            if database and database != self.database:
                sock.sendall(
                    p.error_response(
                        "3D000", f'Database "{database}" does not exist', "FATAL", 5463
                    )
                )
                return
            session = Session(self, sock, user, params)
            key = (session.pid, session.key)
            with self._lock:
                self.sessions[key] = session
                self.connections += 1
            try:
                session.run()
            finally:
                with self._lock:
                    self.sessions.pop(key, None)
                session.close()
        except (p.ClientGone, ConnectionError, OSError):
            pass

    def _startup(self, sock: socket.socket) -> dict[str, bytes] | None:
        """Read startup packets until the real one; answer TLS, load-balance and cancel."""
        while True:
            code, rest = p.read_startup(sock)
            if code in (p.SSL_REQUEST, p.LOAD_BALANCE_REQUEST):
                sock.sendall(b"N")  # TLS is refused, and there is no other node to go to
                continue
            if code == p.CANCEL_REQUEST:
                pid, key = int.from_bytes(rest[:4], "big"), int.from_bytes(rest[4:8], "big")
                with self._lock:
                    target = self.sessions.get((pid, key))
                if target is not None:
                    target.cancel()
                return None
            if code >> 16 != 3:
                sock.sendall(p.error_response("08P01", f"Unsupported protocol {code:#x}", "FATAL"))
                return None
            return p.parse_startup(rest)

    def _authenticate(self, sock: socket.socket, user: str) -> bool:
        account = self.users.get(user)
        method = account.method if account else "password"
        salt = os.urandom(4)
        if method == "trust" and account is not None:
            sock.sendall(p.authentication(p.AUTH_OK))
            return True
        if method == "password":
            sock.sendall(p.authentication(p.AUTH_CLEARTEXT))
        elif method == "md5":
            sock.sendall(p.authentication(p.AUTH_MD5, salt))
        else:
            user_salt = secrets.token_bytes(16)
            sock.sendall(
                p.authentication(p.AUTH_HASH_SHA512, salt + (16).to_bytes(4, "big") + user_salt)
            )
        type_, body = p.read_message(sock)
        answer = body.rstrip(b"\x00")
        ok = False
        if type_ == b"p" and account is not None:
            pw = account.password.encode()
            if method == "password":
                ok = secrets.compare_digest(answer, pw)
            elif method == "md5":
                ok = secrets.compare_digest(
                    answer, b"md5" + _chain(hashlib.md5, pw, user.encode(), salt)
                )
            else:
                ok = secrets.compare_digest(
                    answer, b"sha512" + _chain(hashlib.sha512, pw, user_salt, salt)
                )
        if not ok:
            sock.sendall(p.error_response("28000", "Invalid username or password", "FATAL", 3781))
            return False
        sock.sendall(p.authentication(p.AUTH_OK))
        return True


def _chain(algo: Any, password: bytes, first: bytes, second: bytes) -> bytes:
    """HASH(HASH(password + first).hex + second).hex, as Password.encoded_password does."""
    inner = algo(password + first).hexdigest().encode()
    return algo(inner + second).hexdigest().encode()
