"""The policy's ``min_k``, checked by a masked export before it writes a row.

The quasi-identifier (QI) columns of each table are streamed through the export's own
privacy gate (so the classes are those of the values the export will write, decided once
for both) and counted per class. Below ``min_k`` the policy says what happens:

- ``stop``: the export does not start; the message gives the sizes of the smallest classes,
  never their values;
- ``suppress``: rows of classes smaller than ``min_k`` are left out of the files, counted per
  table in the manifest and the audit record (the masked keys of the small classes are kept
  in memory for the export: one set entry per small class).

The QIs are the export's ``--qi`` columns, else the suggested ones (``qi_suggest``: by name,
stored classification and the last profile's cardinalities, when the export gives a store;
by name alone otherwise). A table with none is recorded as unchecked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dte_desktop.core.errors import PolicyViolation
from dte_desktop.core.privacy.qi_suggest import suggest_quasi_identifiers
from dte_desktop.core.privacy.risk import RiskReport, figures, masked_classes
from dte_desktop.core.sources.base import Source, TableRef
from dte_desktop.core.sources.identifiers import resolve_columns

Mask = Callable[[str, pa.RecordBatch], pa.RecordBatch]
Suggest = Callable[[TableRef, list[str]], list[str]]


@dataclass
class TableKCheck:
    table: str
    quasi_identifiers: tuple[str, ...]
    report: RiskReport | None  # None: no quasi-identifier to check
    small: frozenset[tuple[Any, ...]] = frozenset()  # masked keys of suppressed classes
    suppressed_rows: int = 0  # rows the pre-check counted in those classes
    written_out: Counter[str] = field(default_factory=Counter)  # per slice key, as written

    def filter(self, slice_key: str, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` (masked) without the rows of suppressed classes."""
        if not self.small:
            return batch
        keys = zip(*(batch.column(c).to_pylist() for c in self.quasi_identifiers), strict=True)
        keep = pa.array([k not in self.small for k in keys], type=pa.bool_())
        kept = batch.filter(keep)
        self.written_out[slice_key] += batch.num_rows - kept.num_rows
        return kept

    def to_json(self, min_k: int, action: str) -> dict[str, Any]:
        if self.report is None:
            return {"checked": False, "reason": "no quasi-identifier columns", "min_k": min_k}
        out = {"checked": True, "min_k": min_k, "below_min_k": action, **self.report.to_json()}
        if action == "suppress":
            out["suppressed_rows"] = self.suppressed_rows
        return out


def check_table(
    source: Source,
    table: TableRef,
    qi: tuple[str, ...],
    mask: Mask,
    *,
    min_k: int,
    action: str,
    columns: tuple[str, ...] | None = None,
    where: str | None = None,
    suggest: Suggest | None = None,
) -> TableKCheck:
    """Count the masked QI classes of ``table``; ``PolicyViolation`` when a class is below
    ``min_k`` and the policy says stop. Without ``qi``, ``suggest(table, names)`` picks them
    (by default: by their names)."""
    names = [c.name for c in source.describe(table)]
    chosen = tuple(resolve_columns(source, table, list(qi))) if qi else ()
    if not chosen:
        chosen = tuple(suggest(table, names) if suggest else suggest_quasi_identifiers(names))
    if columns:  # a column the export leaves out identifies no one in its files
        chosen = tuple(c for c in chosen if c in columns)
    label = table.display()
    if not chosen:
        return TableKCheck(label, (), None)
    sizes, _ = masked_classes(source, table, chosen, None, mask, where=where)
    hist = Counter(sizes.values())
    report = figures(((s, None, n) for s, n in hist.items()), table=label, qi=chosen,
                     sensitive=None, threshold=min_k, masked=True)  # fmt: skip
    if report.k is None or report.k >= min_k:  # None: an empty table
        return TableKCheck(label, chosen, report)
    if action == "stop":
        raise PolicyViolation(
            f"{label}: k = {report.k} over ({', '.join(chosen)}), below the policy's min_k = "
            f"{min_k}: {report.rows_below_k:,} row(s) in {report.classes_below_k:,} class(es) "
            f"smaller than {min_k} (smallest sizes: "
            f"{', '.join(map(str, report.smallest_classes))}). Nothing was exported; "
            "generalize or drop a quasi-identifier, or ask for below_min_k = 'suppress'."
        )
    small = frozenset(k for k, n in sizes.items() if n < min_k)
    return TableKCheck(label, chosen, report, small, sum(sizes[k] for k in small))


def suppressed_rows(check: TableKCheck | None) -> int:
    return 0 if check is None else sum(check.written_out.values())


def check_tables(
    open_source: Callable[[], Source],
    spec: Any,
    gate: Any,
    min_k: int,
    action: str,
    suggest: Suggest | None = None,
) -> dict[str, TableKCheck]:
    """Every table of an export (``ExportSpec``), through the export's own gate."""
    from dte_desktop.core.sources.names import parse_table

    out: dict[str, TableKCheck] = {}
    source = open_source()
    try:
        for text in spec.tables:
            table = parse_table(text)
            check = check_table(
                source, table, spec.quasi_identifiers,
                lambda label, batch: gate.mask(label, batch)[0],
                min_k=min_k, action=action,
                columns=spec.columns.get(text), where=spec.where, suggest=suggest,
            )  # fmt: skip
            out[text] = check  # by the label the export's items carry
    finally:
        source.close()
    return out
