"""Streaming writers: one ``RecordBatch`` at a time, bounded memory, to ``NAME.part``.

The caller renames the ``.part`` file only after ``close()`` returns (fsync'd), so a file
with the final name is always whole. Text formats (CSV, JSON Lines, XLSX) get nested and
binary values as JSON/hex text first, because they have no way to write them natively.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from dte_desktop.core.errors import ExportFailed
from dte_desktop.core.export.cells import (
    JSONL_NON_FINITE_NOTE,
    is_binary,
    is_json,
    jsonl_lines,
    textual,
)
from dte_desktop.core.export.formats import REGISTRY
from dte_desktop.core.export.spec import FormatOptions
from dte_desktop.core.export.xlsx import xlsx_notes
from dte_desktop.core.sources.base import is_json_field

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
        compression = opts.compression or REGISTRY["parquet"].default_compression
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
        codecs = set(REGISTRY["arrow"].compressions) - {"none"}
        comp = opts.compression if opts.compression in codecs else None
        self._w = pa.ipc.new_file(
            self._fh, schema, options=pa.ipc.IpcWriteOptions(compression=comp)
        )

    def write(self, batch: pa.RecordBatch) -> None:
        self._w.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        self._w.close()
        self._sync_close()


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


class JsonLinesWriter(_FileWriter):
    def __init__(self, path: Path, schema: pa.Schema | None = None, opts: Any = None) -> None:
        super().__init__(path)  # one line per row: no schema, no options

    def write(self, batch: pa.RecordBatch) -> None:
        self._fh.write(jsonl_lines(batch).encode("utf-8"))
        self.rows += batch.num_rows

    def close(self) -> None:
        self._sync_close()


def format_notes(fmt: str, schema: pa.Schema) -> dict[str, str]:
    """Per column: how ``fmt`` writes values it has no type of its own for (the manifest's
    ``format_notes``). Parquet and Arrow hold every Arrow type: nothing to say."""
    if fmt == "xlsx":
        return xlsx_notes(schema)
    if fmt not in ("csv", "jsonl"):
        return {}
    name = "CSV" if fmt == "csv" else "JSON Lines"
    notes = {}
    for f in schema:
        t = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
        note = None
        if is_json(t) or is_json_field(f):
            note = (
                "JSON written as its document text"
                if fmt == "csv"
                else "JSON written as nested JSON (a masked value as a string)"
            )
        elif isinstance(t, pa.ExtensionType):
            t = t.storage_type
        if is_binary(t):
            note = "binary written as hex text"
        elif pa.types.is_duration(t):
            note = "TIME written as SQL time text ([-]H:MM:SS[.ffffff])"
        elif pa.types.is_decimal(t):
            note = "decimal written as its exact value in plain notation" + (
                " (a JSON string)" if fmt == "jsonl" else ""
            )
        elif pa.types.is_nested(t) and fmt == "csv":
            note = "nested value written as JSON text"
        elif pa.types.is_floating(t) and fmt == "jsonl":
            note = JSONL_NON_FINITE_NOTE
        if note:
            notes[f.name] = f"{name}: {note}"
    return notes


def open_writer(fmt: str, path: Path, schema: pa.Schema, opts: FormatOptions) -> Writer:
    """The writer the registry (core/export/formats.py) lists for ``fmt``."""
    if fmt not in REGISTRY:
        raise ExportFailed(f"Unknown format {fmt!r}.")
    return REGISTRY[fmt].open(path, schema, opts)  # type: ignore[no-any-return]
