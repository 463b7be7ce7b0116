"""Helpers of the PostgreSQL source that need no connection: turning buffers of COPY CSV rows
into Arrow batches, and building partition lists from catalog figures."""

from __future__ import annotations

import select
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import errors as pgerr
from psycopg import pq

from dte_desktop.core.errors import QueryFailed
from dte_desktop.core.privacy.error_text import withhold_values
from dte_desktop.core.sources import pg_sql
from dte_desktop.core.sources.base import ColumnOrigin, Partition, TableRef
from dte_desktop.core.sources.pg_connect import first_line
from dte_desktop.core.sources.pg_types import ColumnPlan

_CONVERT = {
    "true_values": ["t"],
    "false_values": ["f"],
    "null_values": [""],  # PostgreSQL CSV writes NULL unquoted-empty and '' as ""
    "strings_can_be_null": True,
    "quoted_strings_can_be_null": False,
}


def ctid_partitions(table: TableRef, n: int, pages: int) -> list[Partition]:
    ranges = pg_sql.block_ranges(pages, n)
    out = []
    for i, (lo, hi) in enumerate(ranges):
        desc = f"blocks {lo if lo is not None else 0}..{hi if hi is not None else 'end'}"
        out.append(
            Partition(
                table, i, len(ranges), pg_sql.ctid_predicate(lo, hi), desc, {"lo": lo, "hi": hi}
            )
        )
    return out


def greenplum_partitions(table: TableRef, n: int, segments: int) -> list[Partition]:
    k = max(1, min(n, segments))
    return [
        Partition(
            table,
            i,
            k,
            pg_sql.greenplum_segment_predicate(i, k),
            f"segments with gp_segment_id % {k} = {i}" if k > 1 else "all rows",
            {"segment_mod": k, "segment_rem": i},
        )
        for i in range(k)
    ]


def unique_names(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            candidate = f"{n}_{seen[n]}"
            while candidate in seen:
                seen[n] += 1
                candidate = f"{n}_{seen[n]}"
            seen[candidate] = 1
            out.append(candidate)
        else:
            seen[n] = 1
            out.append(n)
    return out


class BatchParser:
    """Parses one buffer of CSV rows into RecordBatches of the target schema."""

    def __init__(self, schema: pa.Schema, plans: Sequence[ColumnPlan]) -> None:
        self.schema = schema
        self.batches = 0
        self.plans = list(plans)
        self.csv_names = [f"c{i}" for i in range(len(plans))]
        self.convert = pacsv.ConvertOptions(
            column_types={n: p.csv_type for n, p in zip(self.csv_names, plans, strict=True)},
            **_CONVERT,
        )
        # A lone NULL in a one-column row is an empty line: it is a row, not padding.
        self.parse_opts = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)

    def empty(self) -> pa.RecordBatch:
        return pa.RecordBatch.from_arrays(
            [pa.array([], f.type) for f in self.schema], schema=self.schema
        )

    def parse(self, buf: bytearray, batch_rows: int) -> list[pa.RecordBatch]:
        read = pacsv.ReadOptions(
            column_names=self.csv_names, block_size=max(len(buf) + 1, 1 << 16), use_threads=True
        )
        try:
            table = pacsv.read_csv(
                pa.py_buffer(buf),
                read_options=read,
                parse_options=self.parse_opts,
                convert_options=self.convert,
            )
            arrays = []
            for i, plan in enumerate(self.plans):
                col = table.column(i)
                arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
                arrays.append(plan.finish(arr) if plan.finish else arr)
        except (pa.ArrowException, ValueError) as exc:
            raise QueryFailed(
                "Could not convert the rows read from PostgreSQL: "
                + withhold_values(first_line(str(exc)))
            ) from None
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self.batches += 1
        if batch.num_rows <= batch_rows:
            return [batch]
        return [batch.slice(start, batch_rows) for start in range(0, batch.num_rows, batch_rows)]


def copy_rows(copy: psycopg.Copy) -> Iterator[Any]:
    """The rows of a ``COPY … TO STDOUT`` as ``for row in copy`` yields them (one libpq
    message each), at a third of its cost per row: a row libpq holds already is taken with
    one call, and psycopg's ``read`` (its wait machinery) runs only when none is buffered.
    py-spy: psycopg's per-row path was a fifth of a 5M-row stream profile's busiest thread.

    The end is finished here as psycopg does it (libpq hands CopyDone over once): the final
    result is fetched without blocking, a server error is raised from it, and the copy is
    marked finished. A psycopg without that mark gets the plain loop."""
    if not hasattr(copy, "_finished"):
        yield from copy
        return
    pgconn = copy.connection.pgconn
    get = pgconn.get_copy_data
    while True:
        nbytes, data = get(1)
        if nbytes > 0:
            yield data
        elif nbytes == 0:  # nothing buffered: psycopg waits on the socket (interruptible)
            data = copy.read()
            if not data:
                return
            yield data
        else:
            _finish_copy(copy, pgconn)
            return


def _finish_copy(copy: psycopg.Copy, pgconn: Any) -> None:
    results = []
    while True:
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [], 1.0)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            break
        results.append(result)
    copy._finished = True  # psycopg would read on from a copy it thinks still open
    for result in results:
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise pgerr.error_from_result(result, encoding=copy.connection.info.encoding)


def query_origins(conn: Any, query: str, names: list[str]) -> list[ColumnOrigin | None]:
    """The stored column behind each of ``names`` (RowDescription's table OID and
    attribute number, resolved in the catalog); None for a computed column."""
    probe = pg_sql.probe_statement(f"SELECT * FROM {pg_sql.subquery_source(query)}")
    with conn.cursor() as cur:
        cur.execute(probe, prepare=True)
        res = cur.pgresult
        assert res is not None
        raw = [(res.fname(i) or b"?column?").decode() for i in range(res.nfields)]
        refs = [(res.ftable(i), res.ftablecol(i)) for i in range(res.nfields)]
    oids = sorted({oid for oid, att in refs if oid and att > 0})
    found: dict[tuple[int, int], ColumnOrigin] = {}
    if oids:
        rows = conn.execute(
            "SELECT a.attrelid::int8, a.attnum, n.nspname, c.relname, a.attname "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.attrelid = ANY(%s::oid[]) AND a.attnum > 0",
            (oids,),
        ).fetchall()
        for oid, att, nsp, rel, col in rows:
            found[(int(oid), int(att))] = ColumnOrigin(TableRef(nsp, rel), col)
    by_name = dict(zip(unique_names(raw), (found.get(r) for r in refs), strict=True))
    return [by_name.get(n) for n in names]
