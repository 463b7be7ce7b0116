"""What an export's manifest says of each column beyond its Arrow type: whether it can be
NULL, and how an unusual type was read.

Arrow batches say every column is nullable. The catalog knows better: a column declared
NOT NULL (a primary key) is ``nullable: false`` — unless this run wrote a NULL into it
anyway (a masking operator such as ``nullify``). A query's column traced to a stored column
(``origin_of``: the engine's own report) takes that column's NOT NULL and type note, with the
same proviso, which also covers an outer join that nulls a NOT NULL column: its NULLs are
seen. Columns nothing is known of stay ``nullable: true``. A query column the engine does not
trace can still carry its source's type note (``type_note_of``: MySQL geometry, say).
"""

from __future__ import annotations

import threading

import pyarrow as pa

from dte_desktop.core.errors import DteError
from dte_desktop.core.sources.base import ColumnInfo, Source, TableRef, origin_of, type_note_of


class ColumnFacts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._catalog: dict[str, dict[str, ColumnInfo]] = {}  # label -> output column -> info
        self._nulls: dict[str, set[str]] = {}
        self._tables: dict[TableRef, dict[str, ColumnInfo]] = {}

    def learn(self, source: Source, label: str, table: TableRef | None, schema: pa.Schema) -> None:
        """Once per table or query: the catalog's facts for its output columns."""
        with self._lock:
            if label in self._catalog:
                return
        facts: dict[str, ColumnInfo] = {}
        if table is not None:
            facts = dict(self._describe(source, table))
        else:
            for fld in schema:
                origin = origin_of(fld)
                info = None
                if origin is not None:
                    info = self._describe(source, origin.table).get(origin.column)
                if info is None and (note := type_note_of(fld)):  # said by the source itself
                    info = ColumnInfo(fld.name, "", fld.type, type_note=note)
                if info is not None:
                    facts[fld.name] = info
        with self._lock:
            self._catalog.setdefault(label, facts)

    def _describe(self, source: Source, table: TableRef) -> dict[str, ColumnInfo]:
        if table not in self._tables:
            try:
                self._tables[table] = {c.name: c for c in source.describe(table)}
            except DteError:  # not describable (privileges): nothing known, nothing claimed
                self._tables[table] = {}
        return self._tables[table]

    def saw(self, label: str, batch: pa.RecordBatch) -> None:
        """Columns this batch holds NULLs in (after masking: what the file holds)."""
        with_nulls = {
            f.name for f, col in zip(batch.schema, batch.columns, strict=True) if col.null_count
        }
        if with_nulls:
            with self._lock:
                self._nulls.setdefault(label, set()).update(with_nulls)

    def nullable(self) -> dict[str, dict[str, bool]]:
        """Per label, the columns known not to hold NULL (``False``); others are absent."""
        out: dict[str, dict[str, bool]] = {}
        for label, facts in self._catalog.items():
            seen = self._nulls.get(label, set())
            out[label] = {
                name: False
                for name, info in facts.items()
                if not info.nullable and name not in seen
            }
        return out

    def query_notes(self, labels: set[str]) -> dict[str, dict[str, str]]:
        """Type notes of the traced columns of queries (tables have theirs from the plan)."""
        return {
            label: {n: i.type_note for n, i in facts.items() if i.type_note}
            for label, facts in self._catalog.items()
            if label in labels and any(i.type_note for i in facts.values())
        }
