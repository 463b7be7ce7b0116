"""Data quality rules stored with a connection, evaluated with pass/fail counts and a few
failing samples. Pushed down as SQL; a regex on an engine without a regex operator (SQLite,
generic) is evaluated client-side over streamed Arrow batches (``match_substring_regex``).

Kinds and params: ``not_null`` {}, ``unique`` {}, ``range`` {"min", "max"} (either may be
absent), ``regex`` {"pattern"} (a value fails when the pattern does not match anywhere in
it; anchor with ^…$ for a full match), ``allowed`` {"values": [...]}, ``referential``
{"table", "column"} (every non-null value must exist in that other table's column).
Nulls pass every rule except ``not_null``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.privacy.gate import PrivacyGate
from dte_desktop.core.privacy.policy import default_policy
from dte_desktop.core.profiling.dialect import Dialect, dialect_for
from dte_desktop.core.profiling.model import json_value
from dte_desktop.core.profiling.pushdown import run
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.core.sources.names import parse_table

KINDS = ("not_null", "unique", "range", "regex", "allowed", "referential")
SAMPLES = 5
DETECT_ROWS = 1000  # values the detectors see for an unclassified column with samples


@dataclass
class RuleResult:
    rule_id: int | None
    kind: str
    column: str | None
    checked: int
    failed: int
    method: str  # "sql" | "client"
    samples: list[Any] = field(default_factory=list)
    masking: dict[str, Any] | None = None  # the privacy gate's decision for the column

    @property
    def passed(self) -> int:
        return self.checked - self.failed

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id, "kind": self.kind, "column": self.column,
            "checked": self.checked, "passed": self.passed, "failed": self.failed,
            "ok": self.ok, "method": self.method, "samples": self.samples,
            "masking": self.masking,
        }  # fmt: skip


def validate(kind: str, column: str | None, params: dict[str, Any]) -> None:
    if kind not in KINDS:
        raise ConfigError(f"Unknown rule kind {kind!r}: use one of {', '.join(KINDS)}.")
    if not column:
        raise ConfigError(f"A {kind} rule needs a column.")
    need = {"regex": ("pattern",), "allowed": ("values",), "referential": ("table", "column")}
    missing = [k for k in need.get(kind, ()) if params.get(k) in (None, "", [])]
    if kind == "range" and params.get("min") is None and params.get("max") is None:
        missing.append("min or max")
    if missing:
        raise ConfigError(f"A {kind} rule needs {', '.join(missing)}.")


def _lit(d: Dialect, v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int | float):
        return repr(v)
    return d.literal(str(v))


def _scalar(source: Source, sql: str) -> int:
    t = run(source, sql)
    return int(t.column(0)[0].as_py() or 0) if t.num_rows else 0


def _values(source: Source, sql: str) -> list[Any]:
    t = run(source, sql)
    return [json_value(v) for v in t.column(0).to_pylist()] if t.num_rows else []


def check_rule(
    source: Source, table: TableRef, kind: str, column: str, params: dict[str, Any],
    rule_id: int | None = None, *, gate: PrivacyGate | None = None,
) -> RuleResult:  # fmt: skip
    """Counts and up to SAMPLES failing values, the values as the privacy gate lets them
    be shown (raw, masked by the column's operator, or withheld). Without a ``gate``, the
    shipped policy without a key: whatever is not shown raw is withheld."""
    res = _evaluate(source, table, kind, column, params, rule_id)
    gate = gate or PrivacyGate(default_policy(), None)
    values = res.samples
    if values and table is not None:
        head = next(iter(source.read_batches(SelectSpec(table=table, columns=(column,),
                                                        limit=DETECT_ROWS))), None)  # fmt: skip
        values = head.column(0) if head is not None and head.num_rows else None
    decision = gate.decide_column(column, values if values else None, table=table)
    res.masking = decision.to_json()
    if res.samples:
        shown = gate.show_values(decision, res.samples)
        res.samples = [] if shown is None else [json_value(v) for v in shown]
    return res


def _evaluate(
    source: Source, table: TableRef, kind: str, column: str, params: dict[str, Any],
    rule_id: int | None,
) -> RuleResult:  # fmt: skip
    validate(kind, column, params)
    d = dialect_for(source)
    t, c = d.table(table), d.quote(column)
    res = RuleResult(rule_id, kind, column, 0, 0, "sql")
    if kind == "not_null":
        res.checked = _scalar(source, f"SELECT count(*) FROM {t}")
        res.failed = _scalar(source, f"SELECT count(*) FROM {t} WHERE {c} IS NULL")
        return res
    res.checked = _scalar(source, f"SELECT count({c}) FROM {t}")
    bad: str | None = None
    if kind == "unique":
        dup = (
            f"SELECT {c} AS v, count(*) AS n FROM {t} WHERE {c} IS NOT NULL "
            f"GROUP BY {c} HAVING count(*) > 1"
        )
        res.failed = _scalar(source, f"SELECT sum(n) FROM ({dup}) AS d")
        res.samples = _values(
            source, f"SELECT v FROM ({dup}) AS d ORDER BY n DESC{d.limit_sql(SAMPLES)}"
        )
        return res
    if kind == "range":
        conds = []
        if params.get("min") is not None:
            conds.append(f"{c} < {_lit(d, params['min'])}")
        if params.get("max") is not None:
            conds.append(f"{c} > {_lit(d, params['max'])}")
        bad = " OR ".join(conds)
    elif kind == "allowed":
        bad = f"{c} NOT IN ({', '.join(_lit(d, v) for v in params['values'])})"
    elif kind == "regex":
        match = d.regex_match(c, str(params["pattern"]))
        if match is None:
            return _client_regex(source, table, column, str(params["pattern"]), res)
        bad = f"NOT {match}"
    elif kind == "referential":
        ref = parse_table(str(params["table"]), table.schema)
        a, b = d.quote("_dte_a"), d.quote("_dte_b")
        rc = d.quote(str(params["column"]))
        bad = f"NOT EXISTS (SELECT 1 FROM {d.table(ref)} AS {b} WHERE {b}.{rc} = {a}.{c})"
        where = f"{a}.{c} IS NOT NULL AND {bad}"
        res.failed = _scalar(source, f"SELECT count(*) FROM {t} AS {a} WHERE {where}")
        res.samples = _values(
            source, f"SELECT DISTINCT {a}.{c} FROM {t} AS {a} WHERE {where}{d.limit_sql(SAMPLES)}"
        )
        return res
    where = f"{c} IS NOT NULL AND ({bad})"
    res.failed = _scalar(source, f"SELECT count(*) FROM {t} WHERE {where}")
    res.samples = _values(
        source, f"SELECT DISTINCT {c} FROM {t} WHERE {where}{d.limit_sql(SAMPLES)}"
    )
    return res


def _client_regex(
    source: Source, table: TableRef, column: str, pattern: str, res: RuleResult
) -> RuleResult:
    res.method, res.checked, res.failed = "client", 0, 0
    for batch in source.read_batches(SelectSpec(table=table, columns=(column,))):
        col = batch.column(0).drop_null()
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            col = col.cast(pa.string())
        res.checked += len(col)
        failing = col.filter(pc.invert(pc.match_substring_regex(col, pattern)))
        res.failed += len(failing)
        for v in failing.unique().to_pylist():
            if len(res.samples) < SAMPLES and v not in res.samples:
                res.samples.append(v)
    return res
