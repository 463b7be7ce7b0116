"""``ExportPlanner``: tables and queries → work items (one per partition), each with a
stable key and its output path. The plan is stored with the items, so a resumed job reads
exactly the slices it planned, even if the table has grown since."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dte_desktop.core.errors import ConnectionFailed, DteError
from dte_desktop.core.export.spec import EXTENSIONS, ExportSpec, QuerySpec
from dte_desktop.core.sources.base import Partition, Source, TableRef
from dte_desktop.core.sources.identifiers import rule_of, unquote_column
from dte_desktop.core.sources.names import parse_table

ROWS_PER_PARTITION = 2_000_000  # below this a slice costs more in round trips than it saves
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class WorkItem:
    key: str
    label: str  # the table or query name as the user wrote it
    out_path: str  # relative to the export's folder
    table: TableRef | None = None
    query: QuerySpec | None = None
    partition: Partition | None = None
    columns: tuple[str, ...] | None = None

    def to_checkpoint(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "out_path": self.out_path,
            "table": asdict(self.table) if self.table else None,
            "query": asdict(self.query) if self.query else None,
            "partition": _partition_json(self.partition),
            "columns": list(self.columns) if self.columns else None,
        }

    @classmethod
    def from_checkpoint(cls, key: str, data: dict[str, Any]) -> WorkItem:
        table = TableRef(**data["table"]) if data.get("table") else None
        p = data.get("partition")
        partition = None
        if p:
            partition = Partition(
                TableRef(**p["table"]),
                p["index"],
                p["count"],
                p["predicate"],
                p["description"],
                dict(p["params"]),
            )
        return cls(
            key=key,
            label=data["label"],
            out_path=data["out_path"],
            table=table,
            query=QuerySpec(**data["query"]) if data.get("query") else None,
            partition=partition,
            columns=tuple(data["columns"]) if data.get("columns") else None,
        )


def _partition_json(p: Partition | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "table": asdict(p.table),
        "index": p.index,
        "count": p.count,
        "predicate": p.predicate,
        "description": p.description,
        "params": p.params,
    }


def safe_file_name(label: str) -> str:
    """Keep the name recognisable (unicode, spaces) but safe on every OS."""
    name = _UNSAFE.sub("_", label).strip(" .") or "unnamed"
    return name[:150]


class ExportPlanner:
    def __init__(self, spec: ExportSpec, source: Source) -> None:
        self.spec = spec
        self.source = source
        self._names: set[str] = set()

    def _unique(self, base: str) -> str:
        name, n = base, 2
        while name.lower() in self._names:
            name, n = f"{base}~{n}", n + 1
        self._names.add(name.lower())
        return name

    def partitions_for(self, table: TableRef) -> int:
        if self.spec.layout == "file" or not self.source.capabilities.can_partition:
            return 1
        if isinstance(self.spec.partitions, int):
            return self.spec.partitions
        rows = None
        for info in self.source.list_tables(table.schema):
            if info.ref.name == table.name:
                rows = info.estimated_rows
                break
        if not rows:
            return 1
        return max(1, min(self.spec.workers * 2, math.ceil(rows / ROWS_PER_PARTITION)))

    def plan(self) -> list[WorkItem]:
        ext = EXTENSIONS[self.spec.format]
        suffix = (
            ".gz" if self.spec.format == "csv" and self.spec.options.compression == "gzip" else ""
        )
        items: list[WorkItem] = []
        for label in self.spec.tables:
            table = parse_table(label)
            cols = self._columns(table, self.spec.columns.get(label))
            try:
                n = self.partitions_for(table)
                parts: list[Partition | None] = (
                    list(self.source.partition(table, n)) if n > 1 else [None]
                )
            except ConnectionFailed:  # no server: say so now, not after more timeouts
                raise
            except DteError:  # planning a broken table: one item, which fails on its own
                parts = [None]
            base = self._unique(safe_file_name(table.display().replace('"', "")))
            folder = self.spec.layout == "folder" or (self.spec.layout == "auto" and len(parts) > 1)
            for i, part in enumerate(parts):
                out = f"{base}/part-{i:05d}{ext}{suffix}" if folder else f"{base}{ext}{suffix}"
                items.append(
                    WorkItem(
                        key=f"{label}#{i + 1}/{len(parts)}",
                        label=label,
                        out_path=out,
                        table=table,
                        partition=part,
                        columns=cols,
                    )
                )
        for q in self.spec.queries:
            base = self._unique(safe_file_name(q.name))
            items.append(
                WorkItem(
                    key=f"query:{q.name}", label=q.name, out_path=f"{base}{ext}{suffix}", query=q
                )
            )
        return items

    def _columns(self, table: TableRef, typed: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """``--columns`` as the catalog spells them: ``"zip code"`` quoted is exact; an
        unquoted name is the catalog's own spelling first (the GUI passes those), else
        folded as the engine does. An unknown name stays as typed: its item then fails
        with the source's own 'no column' message."""
        if not typed:
            return typed
        try:
            rule = rule_of(self.source)
            names = [c.name for c in self.source.describe(table)]
        except ConnectionFailed:
            raise
        except DteError:
            names = []
        out = []
        for text in typed:
            name, quoted = unquote_column(text)
            found = names and rule.match(name, names, column=True, quoted=quoted, exact_first=True)
            out.append(found or name)
        return tuple(out)

    @staticmethod
    def out_dir(spec: ExportSpec) -> Path:
        return Path(spec.out_dir).expanduser().resolve()
