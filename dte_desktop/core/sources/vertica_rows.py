"""A Vertica table read's rows, decoded into Arrow a batch at a time (the read's hot path).

vertica-python parses every DataRow message into a list of ``bytes`` and converts each value
with a Python function (``deserializer.py``): about 15 µs per 13-column row, the read's ceiling
on these machines, and the Arrow conversion after it adds half as much again (py-spy: 52 % of
the client's time in the converters, 25 % in message parsing, 13 % building Arrow columns).

Here the client still opens the session, sends the query, reads its RowDescription and every
message that is not a DataRow (errors, notices, CommandComplete, ReadyForQuery), exactly as it
ships. Only the run of DataRow messages in between is taken off the client's own buffered
socket file (``Connection._socket_as_file()``, read with ``peek``/``read`` so a message that
is not a DataRow is never consumed here) and decoded per batch, column by column, with numpy:

- one Python step per row finds where each message starts; the fields' offsets are then found
  for all rows at once, one vectorised step per column;
- fixed-width binary values (INTEGER, FLOAT, BOOLEAN, DATE, TIMESTAMP[TZ], NUMERIC) become Arrow
  buffers directly, with vertica-python's own arithmetic: Julian day numbers, microseconds since
  2000-01-01, a big-endian unscaled integer of ``(precision // 19 + 1) * 8`` bytes;
- text (CHAR, VARCHAR, LONG VARCHAR) and VARBINARY bytes are gathered into one buffer per column
  (strings validated as UTF-8 by Arrow); a text-format INTEGER, FLOAT, NUMERIC, DATE or
  TIMESTAMP[TZ] column is cast by Arrow from its text.

Every other column (TIME, TIMETZ, INTERVAL, UUID, arrays, sets, rows, a type the describe step
mapped to text), and any column whose values step outside what the fast decoding proves it can
reproduce (a date before year 1 or after 9999, text that is not UTF-8, a value that does not fit
the column's Arrow type, an unexpected width), is converted by the client's own converters,
value by value, as before: its results and its errors stay the client's.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from dte_desktop.core.sources.arrowconv import column_array, empty_batch

# vertica-python's datatypes.VerticaType and FormatCode
BOOL, INT8, FLOAT8, CHAR, VARCHAR, DATE, TIMESTAMP, TIMESTAMPTZ = 5, 6, 7, 8, 9, 10, 12, 13
NUMERIC, VARBINARY, LONGVARCHAR, LONGVARBINARY, BINARY = 16, 17, 115, 116, 117
TEXT_FORMAT, BINARY_FORMAT = 0, 1
_STRINGS = (CHAR, VARCHAR, LONGVARCHAR)
_BYTES = (VARBINARY, LONGVARBINARY, BINARY)

_DATAROW = 0x44  # b"D"
_U32 = struct.Struct("!I")
_JD_1970 = 2_440_588  # Julian day number of 1970-01-01
_JD_MIN, _JD_MAX = 1_721_426, 5_373_484  # 0001-01-01 and 9999-12-31, datetime.date's range
_US_2000 = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970
# datetime's range in µs since 2000-01-01; an aware one a day inside (a zone shift stays in)
_US_MIN, _US_MAX = -63_082_281_600_000_000, 252_455_615_999_999_999
_DAY_US = 86_400_000_000
_OFFSETS_MAX = 2**31 - 1  # pa.string()/pa.binary() offsets are int32

Column = tuple[np.ndarray, np.ndarray, np.ndarray]  # value starts, sizes, null mask
Decoder = Callable[[np.ndarray, bytes, Column], pa.Array]


class FallBack(Exception):
    """The fast decoding cannot prove it reproduces the client here: use the client's own."""


def read_batches(
    conn: Any, cur: Any, schema: pa.Schema, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    """The result of ``cur.execute(select)`` (a table read whose Arrow ``schema`` describe()
    gave) as record batches of up to ``batch_rows`` rows; at least one, maybe empty."""
    description = cur.description or []
    if len(description) != len(schema):
        raise ValueError("the result's columns do not match the schema")
    decoders = [
        column_decoder(col, field, convert)
        for col, field, convert in zip(description, schema, cur._deserializers, strict=True)
    ]
    reader = DataRowReader(conn, cur)
    produced = 0
    while True:
        buf, starts = reader.take(batch_rows)
        if starts or not produced:
            yield decode(buf, starts, decoders, schema)
            produced += len(starts)
        if reader.done:
            break
    cur.rowcount = produced
    # The message that ended the rows, handled by the client as ever (an ErrorResponse raises).
    if cur.fetchone() is not None:
        raise ValueError("more rows after the end of a result")  # never: one SELECT, one result


class DataRowReader:
    """Whole DataRow messages off the client's buffered socket file, nothing else."""

    def __init__(self, conn: Any, cur: Any) -> None:
        self._conn, self._cur = conn, cur
        self._file = conn._socket_as_file()
        self.done = False

    def take(self, want: int) -> tuple[bytes, list[int]]:
        """Up to ``want`` DataRow messages as one buffer and each message's start in it."""
        from vertica_python.vertica.messages import DataRow

        parts: list[bytes] = []
        starts: list[int] = []
        base = 0
        while len(starts) < want and not self.done:
            msg = self._cur._message
            if msg is not None:  # a message the client read: a DataRow, or the end
                if not isinstance(msg, DataRow):
                    self.done = True
                    break
                raw = encode_datarow(msg.values)
                parts.append(raw)
                starts.append(base)
                base += len(raw)
                self._cur._message = None
                continue
            base = self._take_off_socket(parts, starts, base, want)
            if len(starts) < want:
                # The next message is not a DataRow: the client reads and handles it (an
                # asynchronous notice is skipped there, and a DataRow after it comes back here).
                self._cur._message = self._conn.read_message()
        return b"".join(parts), starts

    def _take_off_socket(self, parts: list[bytes], starts: list[int], base: int, want: int) -> int:
        from vertica_python import errors

        file, unpack, count = self._file, _U32.unpack_from, len(starts)
        try:
            while count < want:
                buf = file.peek(1)  # what is buffered, or one read from the socket
                if not buf:
                    self._conn.close_socket()
                    raise errors.ConnectionError("Connection closed by Vertica")
                n, pos = len(buf), 0
                while count < want and pos + 5 <= n and buf[pos] == _DATAROW:
                    end = pos + 1 + unpack(buf, pos + 1)[0]
                    if end > n:
                        break
                    starts.append(base + pos)
                    pos, count = end, count + 1
                if pos:
                    parts.append(file.read(pos))
                    base += pos
                    continue
                if buf[0] != _DATAROW:
                    break
                # A DataRow longer than what is buffered: it is one, so read it whole.
                head = _read_exactly(file, 5)
                raw = head + _read_exactly(file, _U32.unpack_from(head, 1)[0] - 4)
                parts.append(raw)
                starts.append(base)
                base, count = base + len(raw), count + 1
        except OSError as exc:  # as the client's read_message does
            self._conn.close_socket()
            raise errors.ConnectionError(str(exc)) from None
        return base


def _read_exactly(file: Any, n: int) -> bytes:
    data = file.read(n)
    if len(data) != n:
        from vertica_python import errors

        raise errors.ConnectionError("Connection closed by Vertica")
    return data


def encode_datarow(values: list[bytes | None]) -> bytes:
    """A DataRow message's bytes from the client's parsed values (its layout, inverted)."""
    body = [struct.pack("!H", len(values))]
    for v in values:
        body.append(b"\xff\xff\xff\xff" if v is None else struct.pack("!i", len(v)) + v)
    payload = b"".join(body)
    return b"D" + _U32.pack(len(payload) + 4) + payload


def decode(
    buf: bytes, starts: list[int], decoders: list[Decoder], schema: pa.Schema
) -> pa.RecordBatch:
    if not starts:
        return empty_batch(schema)
    a = np.frombuffer(buf, dtype=np.uint8)
    s = np.asarray(starts, dtype=np.int64)
    if (_be(a, s + 5, 2, ">u2") != len(decoders)).any():
        from vertica_python import errors

        raise errors.MessageError("a DataRow with the wrong number of fields")
    pos = s + 7
    arrays = []
    for decoder in decoders:
        size = _be(a, pos, 4, ">i4").astype(np.int64)
        data = pos + 4
        null = size < 0
        size[null] = 0
        pos = data + size
        arrays.append(decoder(a, buf, (data, size, null)))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _be(a: np.ndarray, pos: np.ndarray, width: int, dtype: str) -> np.ndarray:
    """The ``width``-byte big-endian values at ``pos``, as native numbers."""
    return a[pos[:, None] + np.arange(width)].view(dtype).reshape(-1).astype(dtype[1:])


# ---- one decoder per column -----------------------------------------------------------------


def column_decoder(col: Any, field: pa.Field, convert: Callable[[bytes | None], Any]) -> Decoder:
    fast = _fast_decoder(col, field.type)

    def slow(a: np.ndarray, buf: bytes, c: Column) -> pa.Array:
        data, size, null = (x.tolist() for x in c)
        cells = zip(data, size, null, strict=True)
        values = [convert(None if nl else buf[d : d + z]) for d, z, nl in cells]
        return column_array(values, field.type, field.name)

    if fast is None:
        return slow

    def decoder(a: np.ndarray, buf: bytes, c: Column) -> pa.Array:
        if c[2].all():
            return pa.nulls(len(c[2]), type=field.type)
        try:
            return fast(a, c)
        except (FallBack, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return slow(a, buf, c)

    return decoder


def _fast_decoder(col: Any, t: pa.DataType) -> Callable[[np.ndarray, Column], pa.Array] | None:
    code, fmt = col.type_code, col.format_code
    if code in _STRINGS and t == pa.string():
        return lambda a, c: _varlen(a, c, t)
    if fmt == BINARY_FORMAT:
        if code == INT8 and t == pa.int64():
            return lambda a, c: _numbers(t, _fixed(a, c, 8, ">i8"), c[2])
        if code == FLOAT8 and t == pa.float64():
            return lambda a, c: _numbers(t, _fixed(a, c, 8, ">f8"), c[2])
        if code == BOOL and t == pa.bool_():
            return lambda a, c: pa.array(_fixed(a, c, 1, ">u1") == 1, mask=c[2], type=t)
        if code == DATE and t == pa.date32():
            return lambda a, c: _numbers(t, _dates(_fixed(a, c, 8, ">i8"), c[2]), c[2])
        if (code == TIMESTAMP and t == pa.timestamp("us")) or (
            code == TIMESTAMPTZ and pa.types.is_timestamp(t) and t.unit == "us" and t.tz
        ):
            margin = _DAY_US if code == TIMESTAMPTZ else 0
            return lambda a, c: _numbers(t, _instants(_fixed(a, c, 8, ">i8"), c[2], margin), c[2])
        if code == NUMERIC and pa.types.is_decimal(t) and t.scale == (col.scale or 0):
            return lambda a, c: _decimals(a, c, t)
        if code in _BYTES and t == pa.binary():
            return lambda a, c: _varlen(a, c, t)
    elif fmt == TEXT_FORMAT:
        castable = (
            (code == INT8 and t == pa.int64())
            or (code == FLOAT8 and t == pa.float64())
            or (code == NUMERIC and pa.types.is_decimal(t))
            or (code == DATE and t == pa.date32())
            or (code == TIMESTAMP and t == pa.timestamp("us"))
            or (code == TIMESTAMPTZ and pa.types.is_timestamp(t) and t.tz is not None)
        )
        if castable:
            return lambda a, c: _varlen(a, c, pa.string()).cast(t)
        if code == BOOL and t == pa.bool_():  # the client: val == b't'
            return lambda a, c: pa.array(
                (c[1] == 1) & (a[np.where(c[2], 0, c[0])] == ord("t")), mask=c[2], type=t
            )
    return None


def _fixed(a: np.ndarray, c: Column, width: int, dtype: str) -> np.ndarray:
    data, size, null = c
    if (size[~null] != width).any():
        raise FallBack
    return _be(a, np.where(null, 0, data), width, dtype)  # a null reads byte 0, then masked


def _validity(null: np.ndarray) -> tuple[pa.Buffer | None, int]:
    count = int(null.sum())
    if not count:
        return None, 0
    return pa.py_buffer(np.packbits(~null, bitorder="little")), count


def _numbers(t: pa.DataType, values: np.ndarray, null: np.ndarray) -> pa.Array:
    validity, count = _validity(null)
    return pa.Array.from_buffers(t, len(values), [validity, pa.py_buffer(values)], null_count=count)


def _dates(jdn: np.ndarray, null: np.ndarray) -> np.ndarray:
    live = jdn[~null]
    if live.min() < _JD_MIN or live.max() > _JD_MAX:
        raise FallBack  # the client refuses these dates; its error is the one to give
    return (jdn - _JD_1970).astype(np.int32)


def _instants(us: np.ndarray, null: np.ndarray, margin: int) -> np.ndarray:
    live = us[~null]
    if live.min() < _US_MIN + margin or live.max() > _US_MAX - margin:
        raise FallBack
    return us + _US_2000


def _decimals(a: np.ndarray, c: Column, t: pa.DataType) -> pa.Array:
    """Vertica's big-endian unscaled integer (any width: the client reads it with
    ``int.from_bytes``) as Arrow's little-endian 16 or 32 bytes, sign-extended."""
    data, size, null = c
    width = 16 if pa.types.is_decimal128(t) else 32
    top = a[np.where(size > 0, data, 0)]
    fill = np.where((size > 0) & (top >= 0x80), 0xFF, 0).astype(np.uint8)
    little = np.repeat(fill[:, None], width, axis=1)
    for k in range(int(size.max())):  # byte k from the least significant end
        rows = np.nonzero(size > k)[0]
        byte = a[data[rows] + size[rows] - 1 - k]
        if k < width:
            little[rows, k] = byte
        elif (byte != fill[rows]).any():
            raise FallBack  # more digits than Arrow holds
    little[null] = 0
    validity, count = _validity(null)
    arr = pa.Array.from_buffers(t, len(null), [validity, pa.py_buffer(little)], null_count=count)
    arr.validate(full=True)  # a value wider than the precision: ArrowInvalid, the client's way
    return arr


def _varlen(a: np.ndarray, c: Column, t: pa.DataType) -> pa.Array:
    """The values' bytes gathered into one buffer (pa.string() is checked to be UTF-8)."""
    data, size, null = c
    offsets = np.zeros(len(size) + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    total = int(offsets[-1])
    if total > _OFFSETS_MAX:
        raise FallBack
    if total:
        values = a[np.repeat(data - offsets[:-1], size) + np.arange(total)]
    else:
        values = np.zeros(0, dtype=np.uint8)
    validity, count = _validity(null)
    buffers = [validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(values)]
    arr = pa.Array.from_buffers(t, len(size), buffers, null_count=count)
    if t == pa.string():
        arr.validate(full=True)  # not UTF-8: ArrowInvalid, and the client's converter decides
    return arr
