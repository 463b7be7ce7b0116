"""Streaming writers: one ``RecordBatch`` at a time, bounded memory, to ``NAME.part``.

The caller renames the ``.part`` file only after ``close()`` returns (fsync'd), so a file
with the final name is always whole. Text formats (CSV, JSON Lines, XLSX) get nested and
binary values as JSON/hex text first, because they have no way to write them natively.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from dte_desktop.core.errors import ExportFailed
from dte_desktop.core.export.spec import FormatOptions

XLSX_MAX_ROWS = 1_048_576  # Excel's limit, header row included
ROW_GROUP_BYTES = 8 << 20  # gather small batches up to this many Arrow bytes per row group


class Writer(Protocol):
    rows: int

    def write(self, batch: pa.RecordBatch) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


class _FileWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._fh: Any = open(path, "wb")  # noqa: SIM115 - closed in close()/abort()

    def _sync_close(self) -> None:
        if self._fh.closed:  # a wrapping stream (gzip) closed it: fsync by path
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    def abort(self) -> None:
        """Drop everything: the caller deletes the ``.part`` file next. An inner writer is
        closed first (its footer goes to a file about to vanish) so its finaliser does not
        write to a closed file later."""
        inner = getattr(self, "_w", None)
        if inner is not None:
            with contextlib.suppress(Exception):
                inner.close()
        with contextlib.suppress(Exception):
            if not self._fh.closed:
                self._fh.close()


class ParquetWriter(_FileWriter):
    """Batches are gathered into row groups of ``row_group_rows`` rows or ``ROW_GROUP_BYTES``
    of Arrow data, whichever comes first: sources hand over small batches (to keep memory
    and GIL holds short), and a row group per batch would make a slow, bloated file."""

    def __init__(self, path: Path, schema: pa.Schema, opts: FormatOptions) -> None:
        import pyarrow.parquet as pq

        super().__init__(path)
        compression = opts.compression or "zstd"
        self._w = pq.ParquetWriter(
            self._fh,
            schema,
            compression=None if compression == "none" else compression,
            compression_level=opts.compression_level,
            use_dictionary=opts.dictionary,
            write_statistics=True,
        )
        self._group = opts.row_group_rows
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._pending_bytes = 0

    def write(self, batch: pa.RecordBatch) -> None:
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        self._pending_bytes += batch.nbytes
        self.rows += batch.num_rows
        if self._pending_rows >= self._group or self._pending_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            table = pa.Table.from_batches(self._pending)
            self._w.write_table(table, row_group_size=max(table.num_rows, 1))
            self._pending, self._pending_rows, self._pending_bytes = [], 0, 0

    def close(self) -> None:
        self._flush()
        self._w.close()
        self._sync_close()


class ArrowWriter(_FileWriter):
    """Arrow IPC file format; Feather v2 is the same bytes."""

    def __init__(self, path: Path, schema: pa.Schema, opts: FormatOptions) -> None:
        super().__init__(path)
        comp = opts.compression if opts.compression in ("zstd", "lz4") else None
        self._w = pa.ipc.new_file(
            self._fh, schema, options=pa.ipc.IpcWriteOptions(compression=comp)
        )

    def write(self, batch: pa.RecordBatch) -> None:
        self._w.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        self._w.close()
        self._sync_close()


def textual(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Columns text formats cannot hold as they are become text: nested values → JSON,
    binary → hex, durations → their Python text. Per-value work is confined to these rare
    column types; everything else passes through untouched."""
    arrays, fields = [], []
    for f, col in zip(batch.schema, batch.columns, strict=True):
        t = f.type
        if pa.types.is_dictionary(t):
            col, t = col.dictionary_decode(), t.value_type
        if pa.types.is_nested(t):
            col = _per_value(col, lambda v: json.dumps(v, default=str, ensure_ascii=False))
        elif (
            pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)
        ):
            col = _per_value(col, lambda v: v.hex())
        elif pa.types.is_duration(t) or pa.types.is_interval(t):
            col = _per_value(col, str)
        arrays.append(col)
        fields.append(pa.field(f.name, col.type, f.nullable))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


def _per_value(col: pa.Array, fn: Any) -> pa.Array:
    return pa.array([None if v is None else fn(v) for v in col.to_pylist()], pa.string())


class CsvWriter(_FileWriter):
    def __init__(self, path: Path, schema: pa.Schema, opts: FormatOptions) -> None:
        import pyarrow.csv as pcsv

        super().__init__(path)
        self._sink: Any = self._fh
        if opts.compression == "gzip":
            self._sink = pa.CompressedOutputStream(self._fh, "gzip")
        self._pcsv = pcsv
        self._opts = pcsv.WriteOptions(
            include_header=opts.csv_header, delimiter=opts.csv_delimiter, quoting_style="needed"
        )
        self._w: Any = None

    def write(self, batch: pa.RecordBatch) -> None:
        batch = textual(batch)
        if self._w is None:
            self._w = self._pcsv.CSVWriter(self._sink, batch.schema, write_options=self._opts)
        self._w.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        if self._w is not None:
            self._w.close()
        if self._sink is not self._fh:
            self._sink.close()  # finishes the gzip stream (and closes the file under it)
        self._sync_close()


def pythonable(batch: pa.RecordBatch, *, temporal_as_text: bool) -> pa.RecordBatch:
    """``textual()`` plus: columns whose values Python cannot hold (BC dates, years past
    9999) — or every temporal column when asked — become Arrow's own ISO text, vectorised."""
    batch = textual(batch)
    arrays, fields = [], []
    for f, col in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_temporal(f.type):
            if temporal_as_text:
                col = col.cast(pa.string())
            else:
                try:
                    col.to_pylist()
                except (ValueError, OverflowError):
                    col = col.cast(pa.string())
        arrays.append(col)
        fields.append(pa.field(f.name, col.type, f.nullable))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


class JsonLinesWriter(_FileWriter):
    def write(self, batch: pa.RecordBatch) -> None:
        buf = io.StringIO()
        for row in pythonable(batch, temporal_as_text=True).to_pylist():
            buf.write(json.dumps(row, default=_json_default, ensure_ascii=False))
            buf.write("\n")
        self._fh.write(buf.getvalue().encode("utf-8"))
        self.rows += batch.num_rows

    def close(self) -> None:
        self._sync_close()


def _json_default(v: Any) -> Any:
    if isinstance(v, bytes | bytearray):
        return v.hex()
    return str(v)  # decimals, dates, times, timedeltas: their exact text


class XlsxWriter(_FileWriter):
    def __init__(self, path: Path, schema: pa.Schema, opts: FormatOptions) -> None:
        import xlsxwriter

        super().__init__(path)
        self._wb = xlsxwriter.Workbook(
            self._fh,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "remove_timezone": True,
                "nan_inf_to_errors": True,
            },
        )
        self._ws = self._wb.add_worksheet("data")
        self._ws.write_row(0, 0, schema.names)
        self._next = 1

    def write(self, batch: pa.RecordBatch) -> None:
        if self._next + batch.num_rows > XLSX_MAX_ROWS:
            raise ExportFailed(
                f"XLSX holds at most {XLSX_MAX_ROWS - 1:,} data rows; this result has more. "
                "Use Parquet or CSV, or filter the rows."
            )
        for row in pythonable(batch, temporal_as_text=False).to_pylist():
            self._ws.write_row(self._next, 0, [_xlsx_value(v) for v in row.values()])
            self._next += 1
        self.rows += batch.num_rows

    def close(self) -> None:
        self._wb.close()
        self._sync_close()


def _xlsx_value(v: Any) -> Any:
    import datetime as dt
    import decimal

    if isinstance(v, decimal.Decimal):
        return str(v)  # exact; Excel floats would round wide decimals
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(v, dt.time):
        return v.isoformat()
    return v


def open_writer(fmt: str, path: Path, schema: pa.Schema, opts: FormatOptions) -> Writer:
    if fmt == "parquet":
        return ParquetWriter(path, schema, opts)
    if fmt in ("arrow", "feather"):
        return ArrowWriter(path, schema, opts)
    if fmt == "csv":
        return CsvWriter(path, schema, opts)
    if fmt == "jsonl":
        return JsonLinesWriter(path)
    if fmt == "xlsx":
        return XlsxWriter(path, schema, opts)
    raise ExportFailed(f"Unknown format {fmt!r}.")
