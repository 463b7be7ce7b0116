"""The alerts a profile report opens with: what a reviewer must look at before the data
leaves — PII, duplicate rows, failed figures, constant or mostly-NULL columns, high
cardinality and skew. Each alert is derived from the profile's JSON alone; an alert never
quotes a value (a masked column's values must not appear, and the others need not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dte_desktop.core.profiling.report_text import number, pct

HIGH_NULL_SHARE = 0.5  # at least half the rows NULL
HIGH_CARDINALITY = 0.9  # a text column with this share of distinct values, not a key
HIGH_CARDINALITY_MIN = 50  # … and at least this many of them
SKEW = 1.0  # |Pearson's median skewness| 3 (mean − median) / sd at least this
SKEW_MIN_DISTINCT = 20  # fewer values are categories (1/2 store ids), not a distribution
DOMINANT = 0.9  # one value holding this share of the non-NULL values

SEVERITY_ORDER = {"high": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Alert:
    severity: str  # high, warning, info
    kind: str  # PII, duplicates, error, constant, nulls, cardinality, skew, imbalance…
    columns: tuple[str, ...]
    text: str


def _skewness(c: dict[str, Any]) -> float | None:
    q, mean, sd = c.get("quantiles") or {}, c.get("mean"), c.get("stddev")
    median = q.get("p50")
    if not isinstance(mean, int | float) or not isinstance(sd, int | float) or not sd:
        return None
    if not isinstance(median, int | float):
        return None
    return 3.0 * (float(mean) - float(median)) / float(sd)


def _column_alerts(t: dict[str, Any], c: dict[str, Any]) -> list[Alert]:
    name, out = c["name"], []
    rows, nulls = c.get("count") or 0, c.get("nulls") or 0
    non_null = rows - nulls
    distinct = c.get("distinct")
    about = "about " if c.get("distinct_approx") else ""
    if c.get("error"):
        out.append(Alert("high", "error", (name,), f"figures incomplete: {c['error']}"))
    if rows and non_null == 0:
        out.append(Alert("warning", "nulls", (name,), "every value is NULL"))
        return out
    if rows and nulls / rows >= HIGH_NULL_SHARE:
        out.append(
            Alert(
                "warning",
                "nulls",
                (name,),
                f"{pct(nulls, rows)} NULL ({number(nulls)} of {number(rows)} rows)",
            )
        )
    if distinct == 1 and non_null > 1:
        out.append(
            Alert("warning", "constant", (name,), "constant: one value in every non-NULL row")
        )
        return out
    if (c.get("kind") == "string" and distinct and distinct >= HIGH_CARDINALITY_MIN
            and non_null and distinct / non_null >= HIGH_CARDINALITY
            and name not in t.get("candidate_keys", [])):  # fmt: skip
        out.append(Alert("info", "cardinality", (name,),
                         f"high cardinality: {about}{number(distinct)} distinct values in "
                         f"{number(non_null)} rows ({pct(distinct, non_null)})"))  # fmt: skip
    s = _skewness(c) if (distinct or 0) >= SKEW_MIN_DISTINCT else None
    if s is not None and abs(s) >= SKEW:
        side = "right (a long tail of high values)" if s > 0 else "left (a long tail of low values)"
        out.append(
            Alert(
                "info",
                "skew",
                (name,),
                f"skewed to the {side}: mean and median "
                f"differ by {abs(s) / 3:.1f} standard deviations",
            )
        )
    tops = c.get("top_values") or []
    if tops and non_null and distinct and distinct > 1 and tops[0]["count"] / non_null >= DOMINANT:
        out.append(
            Alert(
                "info",
                "imbalance",
                (name,),
                f"one value holds {pct(tops[0]['count'], non_null)} of the rows",
            )
        )
    if c.get("special_values"):
        n = sum(c["special_values"].values())
        out.append(Alert("info", "special values", (name,),
                         f"{number(n)} special values kept out of the statistics "
                         f"({', '.join(c['special_values'])})"))  # fmt: skip
    return out


def table_alerts(t: dict[str, Any]) -> list[Alert]:
    """Every alert of one table's profile, most severe first; PII aggregated by type."""
    out: list[Alert] = []
    by_type: dict[str, list[str]] = {}
    for c in t["columns"]:
        if c.get("pii"):
            by_type.setdefault(str(c["pii"]["type"]), []).append(c["name"])
    for pii_type, cols in sorted(by_type.items()):
        n = len(cols)
        out.append(
            Alert(
                "high",
                "PII",
                tuple(cols),
                f"{pii_type.replace('_', ' ')} detected in {n} column{'s' * (n > 1)}",
            )
        )
    dup = t.get("duplicate_rows")
    if dup:
        about = "about " if t.get("duplicate_rows_approx") else ""
        out.append(
            Alert(
                "high",
                "duplicates",
                (),
                f"{about}{number(dup)} duplicate rows ({pct(dup, t.get('row_count') or 1)})",
            )
        )
    elif dup is None and t.get("row_count"):
        out.append(Alert("info", "duplicates", (), "duplicate rows not counted in this mode"))
    for c in t["columns"]:
        out.extend(_column_alerts(t, c))
    masked = [c["name"] for c in t["columns"] if not (c.get("masking") or {}).get("shown_raw")]
    if masked:
        out.append(Alert("info", "masking", tuple(masked),
                         f"{len(masked)} of {len(t['columns'])} columns masked: their raw "
                         "figures are withheld from this report"))  # fmt: skip
    return sorted(out, key=lambda a: SEVERITY_ORDER[a.severity])
