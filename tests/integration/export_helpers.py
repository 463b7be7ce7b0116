"""Shared pieces of the export tests: run a job in-process, read outputs back."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from dte_desktop.core.app import bootstrap
from dte_desktop.core.export.cells import textual
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.service import prepare_export, run
from dte_desktop.core.store import JobStatus

BIG_BLOCKS = pcsv.ReadOptions(block_size=64 << 20)  # rows hold 10 MB values


def export(spec: ExportSpec, on_event: Any = None) -> tuple[int, JobStatus]:
    ctx = bootstrap(demo=False)
    try:
        job = prepare_export(ctx, spec, on_event=on_event)
        return job.job_id, run(job)
    finally:
        ctx.close()


def read_output(path: Path, fmt: str, like: pa.Schema | None) -> Any:
    """Read an exported file back into Arrow, typed like ``like`` where the format has no
    types of its own (CSV, JSON Lines, XLSX) — the text formats hold ``textual()`` values."""
    if fmt == "parquet":
        return pq.read_table(path)
    if fmt in ("arrow", "feather"):
        with pa.ipc.open_file(path) as r:
            return r.read_all()
    text_schema = textual(pa.RecordBatch.from_pylist([], schema=like)).schema
    if fmt == "csv":
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        opts = pcsv.ConvertOptions(
            column_types={f.name: pa.string() for f in text_schema},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        )
        return pcsv.read_csv(io.BytesIO(data), read_options=BIG_BLOCKS, convert_options=opts)
    if fmt == "jsonl":  # the parsed lines themselves: Arrow inference would blur the test
        return [
            json.loads(line, parse_constant=_no_constant)
            for line in path.read_text("utf-8").splitlines()
        ]
    if fmt == "xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(path, read_only=True).active
        it = ws.iter_rows(values_only=True)
        header = next(it)
        return [dict(zip(header, r, strict=True)) for r in it]  # cells as Excel holds them
    raise AssertionError(fmt)


def _no_constant(name: str) -> Any:
    raise ValueError(f"not JSON (RFC 8259): bare {name}")


def as_text_rows(table: pa.Table) -> list[tuple[str | None, ...]]:
    """Rows as the CSV writer renders each value (the CSV round-trip's yardstick)."""
    if table.num_rows == 0:
        return []
    buf = io.BytesIO()
    pcsv.write_csv(
        textual(table.combine_chunks().to_batches()[0]) if table.num_rows else table,
        buf,
        pcsv.WriteOptions(quoting_style="needed"),
    )
    back = pcsv.read_csv(
        io.BytesIO(buf.getvalue()),
        read_options=BIG_BLOCKS,
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in table.column_names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return list(zip(*[c.to_pylist() for c in back.columns], strict=True))
