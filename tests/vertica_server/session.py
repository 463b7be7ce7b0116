"""One Vertica session: simple and extended query over a psycopg connection to PostgreSQL.

Statements run through libpq directly (``pgconn.exec_``/``exec_prepared``, text results) and
their values are re-encoded by ``vtypes``. Transactions follow Vertica: with autocommit off a
transaction opens at the first statement and stays open until COMMIT/ROLLBACK; a failing
statement rolls back only itself (a savepoint around each statement), not the transaction.
``SET`` statements run outside any transaction when none is open.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import socket
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import pq

from tests.vertica_server import catalog, vbinary, vtypes
from tests.vertica_server import protocol as p
from tests.vertica_server.translate import (
    copy_from_stdin,
    number_placeholders,
    split_statements,
    translate,
)

if TYPE_CHECKING:
    from tests.vertica_server.server import VerticaTestServer

# PostgreSQL SQLSTATE → Vertica's, where Vertica has its own (vertica_python/errors.py)
_SQLSTATES = {"42P01": "42V01", "28P01": "28000", "42P02": "42V02", "42P04": "42V04"}
_TXN = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b", re.I)
_SET = re.compile(r"^\s*SET\s", re.I)
_AUTOCOMMIT = re.compile(r"^\s*SET\s+SESSION\s+AUTOCOMMIT\s+(?:TO|=)\s*(ON|OFF)\s*$", re.I)
_READ_ONLY = re.compile(
    r"^\s*SET\s+SESSION\s+CHARACTERISTICS\s+AS\s+TRANSACTION\s+READ\s+ONLY", re.I
)
_TIME_ZONE = re.compile(r"^\s*SET\s+TIME\s*ZONE\b", re.I)
_DML = ("INSERT", "UPDATE", "DELETE", "MERGE")
_SEND_EVERY = 256  # DataRows per socket write


class StatementError(Exception):
    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate, self.message = sqlstate, message


class Session:
    def __init__(
        self, server: VerticaTestServer, sock: socket.socket, user: str, params: dict[str, bytes]
    ) -> None:
        self.server, self.sock, self.user = server, sock, user
        self.pid, self.key = secrets.randbits(31), secrets.randbits(31)
        self.binary = params.get("binary_data_protocol") == b"1"
        self.autocommit = params.get("autocommit") == b"on"
        self.complex_types = (
            params.get("protocol_features", b"").find(b'"request_complex_types":true') >= 0
        )
        self.prepared: dict[str, dict[str, Any]] = {}
        self.pg = psycopg.connect(
            server.pg_dsn,
            autocommit=True,
            options="-c DateStyle=ISO -c IntervalStyle=iso_8601 -c bytea_output=escape "
            "-c extra_float_digits=1 -c TimeZone=UTC",
        )
        with self.pg.transaction():
            catalog.install(self.pg)
        self.pg.execute('SET search_path = "$user", public, v_catalog, v_monitor')
        self.pgconn = self.pg.pgconn
        # Parameters of a domain column are described with the domain's OID: use its base.
        self.domains = dict(
            self.pg.execute("SELECT oid::int, typbasetype::int FROM pg_type WHERE typtype = 'd'")
        )

    # ---- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.pg.close()

    def cancel(self) -> None:
        self.pgconn.get_cancel().cancel()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def run(self) -> None:
        status = [
            ("server_version", "v24.1.0-0"),
            ("protocol_version", str(3 << 16 | 16)),
            ("timezone", "UTC"),
            ("auto_commit", "on" if self.autocommit else "off"),
            ("request_complex_types", "on" if self.complex_types else "off"),
        ]
        self.send(b"".join(p.parameter_status(k, v) for k, v in status))
        self.send(p.backend_key_data(self.pid, self.key) + self._ready())
        skipping = False  # after an error in the extended protocol, until Sync
        while True:
            type_, body = p.read_message(self.sock)
            if type_ == b"X":
                return
            if type_ == b"S":
                skipping = False
                self.send(self._ready())
                continue
            if skipping or type_ == b"H":
                continue
            try:
                if type_ == b"Q":
                    self._simple(body[:-1].decode())
                elif type_ == b"P":
                    self._parse(body)
                elif type_ == b"D":
                    self._describe(body[1:-1].decode())
                elif type_ == b"B":
                    self._bind(body)
                elif type_ == b"E":
                    self._execute()
                elif type_ == b"C":
                    self._close(body[1:-1].decode())
                else:
                    raise StatementError("08P01", f"Unsupported message {type_!r}")
            except StatementError as err:
                self.send(p.error_response(err.sqlstate, err.message))
                if type_ == b"Q":
                    self.send(self._ready())
                else:
                    skipping = True

    def _ready(self) -> bytes:
        status = self.pgconn.transaction_status
        return p.ready_for_query(b"T" if status == pq.TransactionStatus.INTRANS else b"I")

    # ---- running statements ---------------------------------------------------------------

    def _exec(self, run: Any, sql: str) -> pq.PGresult:
        """Run one statement with Vertica's transaction rules; raise StatementError on error."""
        if _TXN.match(sql) or (_SET.match(sql) and self._idle()):
            return self._check(run())
        if not self.autocommit and self._idle():
            self._check(self.pgconn.exec_(b"BEGIN"))
        if self._idle():
            return self._check(run())
        self._check(self.pgconn.exec_(b"SAVEPOINT vt_statement"))
        res = run()
        if res.status == pq.ExecStatus.FATAL_ERROR:
            self.pgconn.exec_(b"ROLLBACK TO SAVEPOINT vt_statement")
        self.pgconn.exec_(b"RELEASE SAVEPOINT vt_statement")
        return self._check(res)

    def _idle(self) -> bool:
        return self.pgconn.transaction_status == pq.TransactionStatus.IDLE

    def _check(self, res: pq.PGresult) -> pq.PGresult:
        if res.status == pq.ExecStatus.FATAL_ERROR:
            state = (res.error_field(pq.DiagnosticField.SQLSTATE) or b"XX000").decode()
            text = (res.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or b"error").decode()
            raise StatementError(_SQLSTATES.get(state, state), text)
        return res

    def _simple(self, text: str) -> None:
        statements = split_statements(text)
        if not statements:
            self.send(p.empty_query() + self._ready())
            return
        for stmt in statements:
            self._statement(stmt)
        self.send(self._ready())

    def _statement(self, stmt: str) -> None:
        m = _AUTOCOMMIT.match(stmt)
        if m:
            self.autocommit = m.group(1).lower() == "on"
            if self.autocommit and not self._idle():
                self._check(self.pgconn.exec_(b"COMMIT"))
            self.send(
                p.parameter_status("auto_commit", m.group(1).lower()) + p.command_complete("SET")
            )
            return
        copy_sql = copy_from_stdin(stmt)
        if copy_sql is not None:
            self._exec(lambda: self._copy(copy_sql), copy_sql)
            self.send(p.command_complete("COPY"))
            return
        try:
            sql = translate(stmt)
        except ValueError as err:
            raise StatementError("42601", str(err)) from None
        run = (
            (lambda: self._run_binary(sql))
            if self.binary
            else (lambda: self.pgconn.exec_(sql.encode()))
        )
        res = self._exec(run, sql)
        if _READ_ONLY.match(stmt) and not self._idle():
            self._check(self.pgconn.exec_(b"SET TRANSACTION READ ONLY"))
        if _TIME_ZONE.match(stmt):
            tz = self._check(self.pgconn.exec_(b"SHOW TimeZone")).get_value(0, 0)
            self.send(p.parameter_status("timezone", (tz or b"UTC").decode()))
        self._send_result(res, describe=True)

    def _copy(self, sql: str) -> pq.PGresult:
        """COPY FROM STDIN: CopyInResponse, then the client's CopyData until CopyDone (or
        CopyFail), streamed into PostgreSQL's COPY."""
        res = self.pgconn.exec_(sql.encode())
        if res.status != pq.ExecStatus.COPY_IN:
            return res
        self.send(p.copy_in_response(0))
        while True:
            type_, body = p.read_message(self.sock)
            if type_ == b"d":
                self.pgconn.put_copy_data(body)
            elif type_ == b"c":
                self.pgconn.put_copy_end()
                break
            elif type_ == b"f":
                self.pgconn.put_copy_end(body.rstrip(b"\x00") or b"COPY failed")
                break
        res = self.pgconn.get_result()
        while self.pgconn.get_result() is not None:
            pass
        return res

    def _run_binary(self, sql: str) -> pq.PGresult:
        """Parse and describe first, so the result comes in binary exactly when every column
        has a binary path (``vbinary``); else in text."""
        res = self.pgconn.prepare(b"", sql.encode())
        if res.status == pq.ExecStatus.FATAL_ERROR:
            return res
        desc = self.pgconn.describe_prepared(b"")
        fmt = int(vbinary.supported([desc.ftype(i) for i in range(desc.nfields)]))
        return self.pgconn.exec_prepared(b"", [], result_format=fmt)

    def _send_result(self, res: pq.PGresult, describe: bool) -> None:
        tag = (res.command_status or b"").decode()
        verb = tag.split(" ")[0]
        if res.status == pq.ExecStatus.EMPTY_QUERY:
            self.send(p.empty_query())
            return
        if res.status != pq.ExecStatus.TUPLES_OK:
            if verb in _DML and describe:  # Vertica answers DML with its count, column OUTPUT
                b = self.binary
                field = p.Field("OUTPUT", vtypes.INT8, 8, -1, True, b)
                count = int(tag.split(" ")[-1])
                value = count.to_bytes(8, "big", signed=True) if b else str(count).encode()
                self.send(p.row_description([field], self.complex_types) + p.data_row([value]))
            self.send(p.command_complete(verb))
            return
        oids = [(res.ftype(i), res.fmod(i)) for i in range(res.nfields)]
        binary = bool(res.binary_tuples)
        if describe:
            fields = [
                vtypes.vertica_field(res.fname(i).decode(), o, m, binary)
                for i, (o, m) in enumerate(oids)
            ]
            self.send(p.row_description(fields, self.complex_types))
        encode = vbinary.binary_encoder if binary else vtypes.encoder
        self._send_rows(res, [encode(o, m) for o, m in oids])
        self.send(p.command_complete("SELECT"))

    def _send_rows(self, res: pq.PGresult, encoders: list[Any]) -> None:
        faults = self.server.faults
        drop_at = None
        if faults.drop_after_rows is not None and res.ntuples > faults.drop_after_rows:
            drop_at = faults.take_drop()
        get, nf, data_row = res.get_value, res.nfields, p.data_row
        columns = range(nf)
        active = [(i, e) for i, e in enumerate(encoders) if e is not None]
        buf: list[bytes] = []
        for r in range(res.ntuples):
            if r == drop_at:
                self.send(b"".join(buf))
                self.sock.shutdown(socket.SHUT_RDWR)
                raise p.ClientGone()
            values = [get(r, c) for c in columns]
            for i, enc in active:
                if values[i] is not None:
                    values[i] = enc(values[i])
            buf.append(data_row(values))
            if len(buf) >= _SEND_EVERY:
                self.send(b"".join(buf))
                buf.clear()
        if buf:
            self.send(b"".join(buf))

    # ---- extended query -------------------------------------------------------------------

    def _parse(self, body: bytes) -> None:
        name_end = body.index(b"\x00")
        name = body[:name_end].decode()
        query = body[name_end + 1 : body.index(b"\x00", name_end + 1)].decode()
        pg_name = f"vt_{len(self.prepared)}_{secrets.token_hex(4)}".encode()
        try:
            sql, _n = number_placeholders(translate(query.strip().rstrip(";")))
        except ValueError as err:
            raise StatementError("42601", str(err)) from None
        self._check(self.pgconn.prepare(pg_name, sql.encode()))
        desc = self._check(self.pgconn.describe_prepared(pg_name))
        self.prepared[name] = {
            "pg": pg_name,
            "sql": sql,
            "desc": desc,
            "params": [],
            "binary": self.binary,
        }
        self.send(b"1\x00\x00\x00\x04")  # ParseComplete

    def _describe(self, name: str) -> None:
        st = self.prepared[name]
        desc: pq.PGresult = st["desc"]
        params = [
            vtypes.vertica_field("", self._base(desc.param_type(i)), -1, False).type_code
            for i in range(desc.nparams)
        ]
        self.send(p.parameter_description(params))
        st["binary"] = self.binary and vbinary.supported(
            [desc.ftype(i) for i in range(desc.nfields)]
        )
        if desc.nfields:
            fields = [
                vtypes.vertica_field(
                    desc.fname(i).decode(), desc.ftype(i), desc.fmod(i), st["binary"]
                )
                for i in range(desc.nfields)
            ]
            self.send(p.row_description(fields, self.complex_types))
        else:
            self.send(p.no_data())
        verb = st["sql"].split(None, 1)[0].upper() if st["sql"].strip() else ""
        self.send(p.command_description(verb))

    def _bind(self, body: bytes) -> None:
        name, values, _binary = p.parse_bind(body)
        st = self.prepared[name]
        desc: pq.PGresult = st["desc"]
        st["params"] = [
            _bytea_param(v) if v is not None and self._base(desc.param_type(i)) == 17 else v
            for i, v in enumerate(values)
        ]
        # The result format was chosen at Describe: the client asks binary for every column,
        # a result with a type vbinary lacks comes in text, as described.
        self.current = st
        self.send(b"2\x00\x00\x00\x04")  # BindComplete

    def _execute(self) -> None:
        st = self.current
        fmt = int(st["binary"])
        res = self._exec(
            lambda: self.pgconn.exec_prepared(st["pg"], st["params"], result_format=fmt), st["sql"]
        )
        self._send_result(res, describe=False)

    def _base(self, oid: int) -> int:
        return self.domains.get(oid, oid)

    def _close(self, name: str) -> None:
        st = self.prepared.pop(name, None)
        if st is not None:
            self.pgconn.exec_(b"DEALLOCATE " + st["pg"])
        self.send(b"3\x00\x00\x00\x04")  # CloseComplete


def _bytea_param(value: bytes) -> bytes:
    """The client sends binary parameters raw with backslashes as ``\\134``; libpq text
    parameters end at a NUL byte, so they travel to PostgreSQL as hex."""
    return b"\\x" + value.replace(b"\\134", b"\\").hex().encode()
