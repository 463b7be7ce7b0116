"""Re-identification risk of a table through its quasi-identifiers (QIs): columns left in
clear that, combined, single people out (zip code, birth year, gender, job title …).

The rows sharing one combination of QI values form an *equivalence class*. Everything here
comes from one figure per class, its size (and, with a sensitive column, how many distinct
sensitive values it holds), so the work is one ``GROUP BY`` run by the source engine: only
the histogram of class sizes travels, never a row and never a QI value.

Figures, as the ARX anonymization tool defines them (prosecutor model, where the attacker
knows the person is in the table):

- ``k``: the size of the smallest class (the table is k-anonymous for this k);
- ``rows_below_k`` / ``share_below_k``: rows in classes smaller than the threshold;
- prosecutor ``highest`` risk ``1/k``, ``average`` risk ``classes/rows`` (ARX's "success
  rate"), ``records_at_risk``: the share of rows whose risk ``1/size`` exceeds ``1/threshold``;
- marketer risk (the expected share of rows re-identified by linking the whole table):
  ``classes/rows``;
- journalist risk needs a population table, which a workstation does not have: without one
  the table is taken as its own population, which makes it equal to the prosecutor figures,
  an upper bound (stated in the result as ``journalist_note``);
- distinct ``l``-diversity of the sensitive column: the fewest distinct non-NULL sensitive
  values in any class.

NULL is a value like any other in a QI (SQL ``GROUP BY`` puts NULLs in one class), as in ARX.
For the risk *of a masked export*, the same figures are computed over the masked values: the
QI columns are streamed through the masking policy and grouped on the workstation, keeping
one counter per class (memory bounded by the number of classes, not rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.profiling.dialect import dialect_for
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.core.sources.identifiers import resolve_columns, resolve_table

DEFAULT_K = 5
SMALLEST_SHOWN = 10  # sizes of the smallest classes listed (sizes only, never their values)


@dataclass(frozen=True)
class RiskReport:
    table: str
    quasi_identifiers: tuple[str, ...]
    sensitive: str | None
    threshold: int
    masked: bool
    rows: int
    classes: int
    k: int | None
    classes_below_k: int
    rows_below_k: int
    share_below_k: float
    smallest_classes: tuple[int, ...]
    prosecutor_highest: float
    prosecutor_average: float
    prosecutor_records_at_risk: float
    journalist_highest: float
    journalist_average: float
    journalist_note: str
    marketer: float
    l_diversity: int | None
    classes_below_l2: int | None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["quasi_identifiers"] = list(self.quasi_identifiers)
        d["smallest_classes"] = list(self.smallest_classes)
        return d


def figures(
    histogram: Iterable[tuple[int, int | None, int]],
    *,
    table: str,
    qi: tuple[str, ...],
    sensitive: str | None,
    threshold: int = DEFAULT_K,
    masked: bool = False,
) -> RiskReport:
    """The report from ``(class size, distinct sensitive values or None, number of classes)``."""
    if threshold < 1:
        raise ConfigError("The k threshold must be at least 1.")
    rows = classes = below_classes = below_rows = 0
    sizes: Counter[int] = Counter()
    l_min: int | None = None
    below_l2 = 0
    for size, ell, n in histogram:
        size, n = int(size), int(n)
        rows += size * n
        classes += n
        sizes[size] += n
        if size < threshold:
            below_classes += n
            below_rows += size * n
        if sensitive is not None:
            ell = int(ell or 0)
            l_min = ell if l_min is None else min(l_min, ell)
            if ell < 2:
                below_l2 += n
    smallest: list[int] = []
    for size in sorted(sizes):
        smallest += [size] * min(sizes[size], SMALLEST_SHOWN - len(smallest))
        if len(smallest) >= SMALLEST_SHOWN:
            break
    k = min(sizes) if sizes else None
    highest = 1.0 / k if k else 0.0
    average = classes / rows if rows else 0.0
    return RiskReport(
        table=table,
        quasi_identifiers=qi,
        sensitive=sensitive,
        threshold=threshold,
        masked=masked,
        rows=rows,
        classes=classes,
        k=k,
        classes_below_k=below_classes,
        rows_below_k=below_rows,
        share_below_k=below_rows / rows if rows else 0.0,
        smallest_classes=tuple(smallest),
        prosecutor_highest=highest,
        prosecutor_average=average,
        prosecutor_records_at_risk=below_rows / rows if rows else 0.0,
        journalist_highest=highest,
        journalist_average=average,
        journalist_note="no population table: the table is its own population (upper bound)",
        marketer=average,
        l_diversity=l_min if sensitive is not None else None,
        classes_below_l2=below_l2 if sensitive is not None else None,
    )


def _check_columns(
    source: Source, table: TableRef, qi: tuple[str, ...], sensitive: str | None
) -> tuple[tuple[str, ...], str | None]:
    """The columns as the catalog spells them (matched the way the engine matches names);
    ``NotFound`` with the closest name for one it does not hold."""
    names = resolve_columns(source, table, [*qi, *([sensitive] if sensitive else [])])
    found = names[len(qi)] if sensitive else None
    return _validate(names[: len(qi)], found), found


def histogram_sql(
    source: Source, table: TableRef, qi: tuple[str, ...], sensitive: str | None
) -> str:
    """One statement: class sizes (and l) grouped again by size, so a few rows come back."""
    d = dialect_for(source)
    keys = ", ".join(d.quote(c) for c in qi)
    ell = f", COUNT(DISTINCT {d.quote(sensitive)}) AS l" if sensitive else ""
    inner = f"SELECT COUNT(*) AS cnt{ell} FROM {d.table(table)} GROUP BY {keys}"
    outer_keys = "g.cnt, g.l" if sensitive else "g.cnt"
    pick = "g.cnt, g.l" if sensitive else "g.cnt, NULL"
    return f"SELECT {pick}, COUNT(*) AS classes FROM ({inner}) g GROUP BY {outer_keys}"


def table_risk(
    source: Source,
    table: TableRef,
    qi: list[str],
    *,
    sensitive: str | None = None,
    threshold: int = DEFAULT_K,
) -> RiskReport:
    """The risk of the table as stored, computed in the source engine (one GROUP BY)."""
    qi_t, sensitive = _check_columns(source, table, _validate(qi, sensitive), sensitive)
    sql = histogram_sql(source, table, qi_t, sensitive)
    hist: list[tuple[int, int | None, int]] = []
    for batch in source.read_batches(SelectSpec(query=sql)):
        cols = [batch.column(i).to_pylist() for i in range(3)]
        hist += list(zip(*cols, strict=True))
    return figures(hist, table=table.display(), qi=qi_t, sensitive=sensitive, threshold=threshold)


Masker = Callable[[str, pa.RecordBatch], pa.RecordBatch]


def masked_risk(
    source: Source,
    table: TableRef,
    qi: list[str],
    mask: Masker,
    *,
    sensitive: str | None = None,
    threshold: int = DEFAULT_K,
) -> RiskReport:
    """The risk of what a masked export of these columns would hold: the QI (and sensitive)
    columns streamed through ``mask`` and grouped here, one counter per class."""
    qi_t, sensitive = _check_columns(source, table, _validate(qi, sensitive), sensitive)
    sizes, seen = masked_classes(source, table, qi_t, sensitive, mask)
    hist: Counter[tuple[int, int | None]] = Counter()
    for key, size in sizes.items():
        hist[(size, len(seen[key]) if sensitive else None)] += 1
    return figures(
        ((s, ell, n) for (s, ell), n in hist.items()),
        table=table.display(),
        qi=qi_t,
        sensitive=sensitive,
        threshold=threshold,
        masked=True,
    )


def masked_classes(
    source: Source,
    table: TableRef,
    qi: tuple[str, ...],
    sensitive: str | None,
    mask: Masker,
    *,
    where: str | None = None,
) -> tuple[Counter[tuple[Any, ...]], dict[tuple[Any, ...], set[Any]]]:
    """Size of each class of masked QI values (and its distinct masked sensitive values),
    the QI columns streamed through ``mask``: one counter per class, no row kept."""
    cols = (*qi, *([sensitive] if sensitive and sensitive not in qi else []))
    sizes: Counter[tuple[Any, ...]] = Counter()
    seen: dict[tuple[Any, ...], set[Any]] = {}
    for batch in source.read_batches(SelectSpec(table=table, columns=cols, where=where)):
        masked = mask(table.display(), batch)
        keys = list(zip(*(masked.column(c).to_pylist() for c in qi), strict=True))
        sizes.update(keys)
        if sensitive:
            values = masked.column(sensitive).to_pylist()
            for key, v in zip(keys, values, strict=True):
                bucket = seen.setdefault(key, set())
                if v is not None:
                    bucket.add(v)
    return sizes, seen


def _validate(qi: list[str], sensitive: str | None) -> tuple[str, ...]:
    qi_t = tuple(dict.fromkeys(c for c in qi if c))
    if not qi_t:
        raise ConfigError("Name at least one quasi-identifier column (--qi col1,col2).")
    if sensitive and sensitive in qi_t:
        raise ConfigError(
            f"{sensitive!r} cannot be both a quasi-identifier and the sensitive column."
        )
    return qi_t


def audited_risk(
    ctx: Any,
    connection: str,
    table: TableRef | str,
    qi: list[str],
    *,
    sensitive: str | None = None,
    threshold: int = DEFAULT_K,
    masked: bool = False,
    prompt: Any = None,
) -> RiskReport:
    """What ``dte risk`` and the Risk tab run: the figures, and their audit record."""
    from dte_desktop.core.audit import AuditLog

    conn = ctx.resolve(connection)
    source = ctx.open_source(connection, prompt)
    try:
        table = resolve_table(source, table)  # as the catalog spells it, or NotFound
        if masked:
            from dte_desktop.core.privacy.masking import build_masker

            masker = build_masker(ctx, conn.name)
            report = masked_risk(
                source,
                table,
                qi,
                lambda label, batch: masker.mask(label, batch)[0],
                sensitive=sensitive,
                threshold=threshold,
            )
        else:
            report = table_risk(source, table, qi, sensitive=sensitive, threshold=threshold)
    finally:
        source.close()
    figures = report.to_json()
    AuditLog(ctx.store).record(
        "risk",
        connection=conn.name,
        object=report.table,
        columns=list(report.quasi_identifiers),
        row_count=report.rows,
        extra={k: v for k, v in figures.items() if k not in ("table", "quasi_identifiers")},
    )
    return report
