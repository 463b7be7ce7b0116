"""The privacy gate: the one place that decides, per output column, whether its values may
leave the process raw — for export files, preview cells, profile figures, rule samples and
reports alike.

A column's level comes from, in order:

1. what an officer stored for it (``labels``: the column, else nothing yet);
2. the detectors, on the values the caller is about to show (a ``profiler`` suggestion);
3. the table's or connection's stored default;
4. the policy: ``default_level`` for a table column nobody classified, ``untraced_level``
   for a query column that reads no stored column as it is (never Public by accident).

A query's columns are traced to their stored columns by the source (``origin_of``: the
engine's own column metadata), and then decided exactly as that table's column would be, so
a table export and a query export of one column are masked alike.

The policy then picks the operator (``MaskingPolicy.resolve``); a column is *shown raw* only
when that operator is ``keep``. Everything else is masked with the operator or withheld.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from dte_desktop.core.privacy.classification import ColumnClassification, Level
from dte_desktop.core.privacy.detectors import PiiFinding, detect_pii
from dte_desktop.core.privacy.labels import TableLabels
from dte_desktop.core.privacy.operators import apply_operator
from dte_desktop.core.privacy.policy import MaskingPolicy, Rule, apply_rules
from dte_desktop.core.sources.base import ColumnOrigin, TableRef, origin_of

#: Operators after which nothing of a value is left to show (a masked figure is pointless).
BLANKING = frozenset({"redact", "nullify"})

StoredLabels = Callable[[TableRef], TableLabels]


@dataclass(frozen=True)
class Decision:
    """What the gate decided for one output column."""

    column: str
    classification: ColumnClassification  # the level in force and who set it
    rule: Rule
    reason: str  # why this rule (the policy's words)
    basis: str  # "stored" | "detected" | "table default" | "policy default" | "untraced"
    origin: ColumnOrigin | None = None  # the stored column a query column reads

    @property
    def shown_raw(self) -> bool:
        return self.rule.operator == "keep"

    @property
    def level(self) -> Level:
        return self.classification.level

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "operator": self.rule.operator,
            "shown_raw": self.shown_raw,
            "basis": self.basis,
            "reason": self.reason,
        }


class PrivacyGate:
    """Thread-safe. Decisions are made once per output (a table, a query, a preview) from
    the first values seen, so every batch and slice of it is masked the same way.

    ``key`` is the keyed operators' secret; without it (a figure shown where no key is at
    hand) masked values are withheld rather than computed."""

    def __init__(
        self,
        policy: MaskingPolicy,
        key: bytes | None,
        stored: StoredLabels | None = None,
        regions: Sequence[str] = ("US",),
    ) -> None:
        self.policy = policy
        self.key = key
        #: Phone regions of the site and the connection, for the detectors.
        self.regions = tuple(regions) or ("US",)
        self._stored = stored or (lambda _t: TableLabels({}, None))
        self._labels: dict[TableRef, TableLabels] = {}
        self._decided: dict[str, dict[str, Decision]] = {}
        self._lock = threading.Lock()

    # --- deciding ---------------------------------------------------------------------

    def labels(self, table: TableRef) -> TableLabels:
        with self._lock:
            if table not in self._labels:
                self._labels[table] = self._stored(table)
            return self._labels[table]

    def decide_column(
        self,
        name: str,
        values: pa.Array | pa.ChunkedArray | None,
        *,
        table: TableRef | None,
        column: str | None = None,
        origin: ColumnOrigin | None = None,
        finding: PiiFinding | None = None,
    ) -> Decision:
        """One column: of ``table`` (stored as ``column``, by default ``name``), or of a
        query (``table=None``; ``origin`` where the source traced it). ``finding``: what the
        detectors found earlier on these values (a profile), used when ``values`` is None,
        so a plan made before an export decides as the export's first batch will."""
        if table is None and origin is not None:
            table, column = origin.table, origin.column
        stored_as = column or name
        labels = self.labels(table) if table is not None else TableLabels({}, None)
        found = labels.columns.get(stored_as)
        if found is not None:
            classification, basis = found, "stored"
            if (
                found.pii_type is None
                and (finding := _detect(values, stored_as, self.regions, finding)) is not None
            ):
                # The stored level stands; the PII type found is added, so its rule (a floor
                # in the policy's strength order) applies: a Proprietary column holding SSNs
                # is not generalised to the SSNs' first digits.
                classification = ColumnClassification(
                    found.column, found.level, finding.type, found.source
                )
        else:
            finding = _detect(values, stored_as, self.regions, finding)
            if finding is not None:
                level = finding.suggested_classification
                if table is None:
                    level = max(level, self.policy.untraced_level)
                classification = ColumnClassification(name, level, finding.type, "profiler")
                basis = "detected"
            elif table is None:
                level = self.policy.untraced_level
                classification = ColumnClassification(name, level, None, "default")
                basis = "untraced"
            elif labels.default is not None:
                classification = ColumnClassification(name, labels.default, None, "default")
                basis = "table default"
            else:
                level = self.policy.default_level
                classification = ColumnClassification(name, level, None, "default")
                basis = "policy default"
        label = table.display() if table is not None else None
        resolved = self.policy.resolve(stored_as, classification, table=label)
        return Decision(name, classification, resolved.rule, resolved.reason, basis, origin)

    def decide(
        self,
        output: str,
        batch: pa.RecordBatch | pa.Table,
        *,
        table: TableRef | None = None,
    ) -> dict[str, Decision]:
        """Every column of ``batch``, cached under ``output``. ``table`` None means a query
        (or any result whose columns carry their origins in the field metadata)."""
        with self._lock:
            known = dict(self._decided.get(output, {}))
        fresh = {}
        for i, fld in enumerate(batch.schema):
            if fld.name not in known:
                origin = origin_of(fld) if table is None else None
                fresh[fld.name] = self.decide_column(
                    fld.name, batch.column(i), table=table, origin=origin
                )
        with self._lock:
            decided = self._decided.setdefault(output, {})
            for name, decision in fresh.items():
                decided.setdefault(name, decision)  # the first decision stands
            return {n: decided[n] for n in batch.schema.names}

    # --- applying ---------------------------------------------------------------------

    def mask_table(
        self, table: TableRef | str, batch: pa.RecordBatch
    ) -> tuple[pa.RecordBatch, dict[str, str]]:
        """A table's (or view's) batch masked as decided; the operator per column."""
        ref = table if isinstance(table, TableRef) else table_of(table)
        label = ref.display() if ref is not None else str(table)
        return self._mask(self.decide(label, batch, table=ref), batch)

    def mask_query(self, name: str, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, dict[str, str]]:
        """A query's batch: each column decided as the stored column it reads, else as
        untraced."""
        return self._mask(self.decide(f"query:{name}", batch), batch)

    def mask(self, label: str, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, dict[str, str]]:
        """By label: a table's name, else a query's."""
        if table_of(label) is None:
            return self.mask_query(label, batch)
        return self.mask_table(label, batch)

    def classifications(
        self, label: str, batch: pa.RecordBatch | pa.Table
    ) -> dict[str, ColumnClassification]:
        ref = table_of(label)
        key = label if ref is not None else f"query:{label}"
        return {n: d.classification for n, d in self.decide(key, batch, table=ref).items()}

    def _mask(
        self, decisions: Mapping[str, Decision], batch: pa.RecordBatch
    ) -> tuple[pa.RecordBatch, dict[str, str]]:
        ops = {n: decisions[n].rule.operator for n in batch.schema.names}
        return self.apply(decisions, batch), ops

    def apply(self, decisions: Mapping[str, Decision], batch: pa.RecordBatch) -> pa.RecordBatch:
        if self.key is None:
            raise ValueError("masking values needs the site key")
        names = batch.schema.names
        rules = {n: decisions[n].rule for n in names}
        pii_types = {n: decisions[n].classification.pii_type for n in names}
        return apply_rules(batch, rules, self.key, pii_types)

    def show_values(self, decision: Decision, values: Sequence[Any]) -> list[Any] | None:
        """``values`` of one column as they may be shown: raw when the column is shown raw,
        masked by its operator, or None (withheld) where nothing would be left or no key."""
        if decision.shown_raw:
            return list(values)
        if decision.rule.operator in BLANKING or self.key is None or not values:
            return None
        try:
            arr = pa.array(list(values))
        except (pa.ArrowException, TypeError, ValueError):
            arr = pa.array([None if v is None else str(v) for v in values], pa.string())
        try:
            masked = apply_operator(
                decision.rule.operator,
                arr,
                decision.rule.params,
                self.key,
                pii_type=decision.classification.pii_type,
            )
        except Exception:  # an operator that cannot take these values: withhold, never raw
            return None
        return masked.to_pylist()

    # --- profiles ---------------------------------------------------------------------

    def screen_column(self, col: Any, decision: Decision) -> None:
        """Make one profiled column (a ``ColumnProfile``) fit to leave the process. The
        profiler's guess moves to ``suggested_classification``; ``classification`` becomes
        the level in force. For a column not shown raw, the figures that are values (min,
        max, mean, stddev, quantiles, histogram bounds, outlier fences, top values) are
        withheld or masked by the column's operator; counts, null rates, lengths and
        shapes stay."""
        col.suggested_classification = col.classification
        col.suggested_reason = col.classification_reason
        col.classification = decision.level.value
        col.classification_reason = f"{decision.basis}: {decision.reason}"
        col.masking = decision.to_json()
        if decision.shown_raw:
            return
        col.min = col.max = col.mean = col.stddev = None
        col.quantiles = None
        col.histogram = []
        if col.outliers is not None:
            col.outliers = {**col.outliers, "lo_fence": None, "hi_fence": None}
        tops = list(col.top_values)
        shown = self.show_values(decision, [t["value"] for t in tops]) if tops else None
        col.top_values = (
            []
            if shown is None
            else [{"value": v, "count": t["count"]} for v, t in zip(shown, tops, strict=True)]
        )
        how = "withheld" if shown is None else f"masked ({decision.rule.operator})"
        col.notes.append(
            f"{decision.level.value}, {decision.rule.operator}: min/max, mean, quantiles and "
            f"histogram withheld; top values {how}"
        )

    # --- item-aware entry points (the export job's masker) ------------------------------

    def __call__(self, item: Any, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, dict[str, str]]:
        """The export job's masker: a query item (traced through its batch's field
        metadata) or a table slice."""
        if getattr(item, "query", None) is not None:
            return self.mask_query(item.label, batch)
        return self.mask_table(getattr(item, "table", None) or item.label, batch)


def _detect(
    values: pa.Array | pa.ChunkedArray | None,
    column: str,
    regions: Sequence[str],
    earlier: PiiFinding | None = None,
) -> Any:
    if values is None:
        return earlier
    try:
        return detect_pii(values, column, default_region=regions[0], regions=regions[1:])
    except Exception:  # a detector failing must not decide "no PII": the policy decides
        return None


def table_of(label: str) -> TableRef | None:
    from dte_desktop.core.sources.names import parse_table

    try:
        return parse_table(label)
    except Exception:  # not a table's name
        return None
