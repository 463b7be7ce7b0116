"""Vertica frontend/backend messages, as vertica-python 1.4 reads and writes them.

The layouts are taken from the client's own ``vertica/messages`` package: where Vertica's
protocol differs from PostgreSQL's v3 (RowDescription with a type pool, 64-bit table OIDs and
schema/table names; ParameterDescription with a type pool; CommandDescription ``m``;
SHA-512 hashed passwords with a user salt), this module writes what the client parses.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

SSL_REQUEST = 80877103
CANCEL_REQUEST = 80877102
LOAD_BALANCE_REQUEST = 80936960

# Authentication codes (vertica_python/vertica/messages/backend_messages/authentication.py)
AUTH_OK = 0
AUTH_CLEARTEXT = 3
AUTH_MD5 = 5
AUTH_HASH_SHA512 = 65536 + 512

_I = struct.Struct("!I")
_i = struct.Struct("!i")
NULL_FIELD = b"\xff\xff\xff\xff"


class ClientGone(Exception):
    """The client closed its socket."""


@dataclass(frozen=True)
class Field:
    """One RowDescription entry (Vertica layout)."""

    name: str
    type_code: int
    size: int = -1
    typmod: int = -1
    nullable: bool = True
    binary: bool = False


def read_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ClientGone()
        buf += chunk
    return bytes(buf)


def read_startup(sock: socket.socket) -> tuple[int, bytes]:
    """A length-prefixed message without type byte: (code, rest)."""
    size = _I.unpack(read_exact(sock, 4))[0]
    body = read_exact(sock, size - 4)
    return _I.unpack(body[:4])[0], body[4:]


def parse_startup(rest: bytes) -> dict[str, bytes]:
    """Name/value pairs; ``protocol_version`` is a binary uint32 (Startup.read_bytes)."""
    params: dict[str, bytes] = {}
    pos = 0
    while pos < len(rest) and rest[pos] != 0:
        end = rest.index(b"\x00", pos)
        key = rest[pos:end].decode()
        pos = end + 1
        if key == "protocol_version":
            params[key] = rest[pos : pos + 4]
            pos += 5
            continue
        end = rest.index(b"\x00", pos)
        params[key] = rest[pos:end]
        pos = end + 1
    return params


def read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    head = read_exact(sock, 5)
    size = _I.unpack(head[1:])[0]
    return head[:1], read_exact(sock, size - 4)


def cstrings(data: bytes) -> list[bytes]:
    return data.split(b"\x00")


def msg(type_: bytes, body: bytes = b"") -> bytes:
    return type_ + _I.pack(len(body) + 4) + body


def cstr(text: str) -> bytes:
    return text.encode() + b"\x00"


def authentication(code: int, extra: bytes = b"") -> bytes:
    return msg(b"R", _I.pack(code) + extra)


def parameter_status(name: str, value: str) -> bytes:
    return msg(b"S", cstr(name) + cstr(value))


def backend_key_data(pid: int, key: int) -> bytes:
    return msg(b"K", struct.pack("!II", pid, key))


def ready_for_query(status: bytes = b"I") -> bytes:
    return msg(b"Z", status)


def command_complete(tag: str) -> bytes:
    return msg(b"C", cstr(tag))


def empty_query() -> bytes:
    return msg(b"I")


def error_response(
    sqlstate: str, message: str, severity: str = "ERROR", code: int = 0, notice: bool = False
) -> bytes:
    body = b"S" + cstr(severity) + b"C" + cstr(sqlstate) + b"M" + cstr(message)
    body += b"V" + cstr(str(code)) + b"R" + cstr("dte_vertica_test_server") + b"\x00"
    return msg(b"N" if notice else b"E", body)


def row_description(fields: list[Field], complex_types: bool) -> bytes:
    """RowDescription as RowDescription.__init__ parses it: count, an empty user-type pool,
    then per field: name, table OID 0 (so no schema/table names), attribute number,
    [parent attribute number], and ``!BIhHHiH`` (user-type flag, type, size, nullable,
    identity, type modifier, format)."""
    parts = [struct.pack("!HI", len(fields), 0)]
    for n, f in enumerate(fields, 1):
        parts.append(cstr(f.name) + struct.pack("!QH", 0, n))
        if complex_types:
            parts.append(struct.pack("!H", 0))
        parts.append(
            struct.pack(
                "!BIhHHiH", 0, f.type_code, f.size, int(f.nullable), 0, f.typmod, int(f.binary)
            )
        )
    return msg(b"T", b"".join(parts))


def parameter_description(type_codes: list[int]) -> bytes:
    parts = [struct.pack("!H", len(type_codes))]
    if type_codes:
        parts.append(_I.pack(0))
        parts.extend(struct.pack("!BIiH", 0, t, -1, 0) for t in type_codes)
    return msg(b"t", b"".join(parts))


def command_description(tag: str) -> bytes:
    return msg(b"m", cstr(tag) + struct.pack("!H", 0) + b"\x00")


def no_data() -> bytes:
    return msg(b"n")


def data_row(values: list[bytes | None]) -> bytes:
    parts = [b"", struct.pack("!H", len(values))]
    size = 6
    for v in values:
        if v is None:
            parts.append(NULL_FIELD)
            size += 4
        else:
            parts.append(_i.pack(len(v)))
            parts.append(v)
            size += 4 + len(v)
    parts[0] = b"D" + _I.pack(size)
    return b"".join(parts)


def copy_in_response(columns: int) -> bytes:
    return msg(b"G", struct.pack("!BH", 0, columns) + b"\x00\x00" * columns)


def parse_bind(body: bytes) -> tuple[str, list[bytes | None], bool]:
    """(statement name, parameter values as text, binary results?) from a Bind message."""
    portal_end = body.index(b"\x00")
    stmt_end = body.index(b"\x00", portal_end + 1)
    name = body[portal_end + 1 : stmt_end].decode()
    pos = stmt_end + 1
    nfmt = struct.unpack_from("!H", body, pos)[0]
    pos += 2 + 2 * nfmt
    nparams = struct.unpack_from("!H", body, pos)[0]
    pos += 2 + 4 * nparams  # Vertica's Bind carries each parameter's type OID here
    values: list[bytes | None] = []
    for _ in range(nparams):
        size = _i.unpack_from(body, pos)[0]
        pos += 4
        if size == -1:
            values.append(None)
        else:
            values.append(body[pos : pos + size])
            pos += size
    nres = struct.unpack_from("!H", body, pos)[0]
    binary = nres > 0 and struct.unpack_from("!H", body, pos + 2)[0] == 1
    return name, values, binary
