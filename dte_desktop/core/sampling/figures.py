"""The per-column figures the strategies build their predicates from: row and null counts,
quantile edges (p1, p25, p75, p99), IQR fences, mean/stddev, the dominant value shape and
the sensitivity level.

They come from the table's latest stored profile when there is one (no extra scan), else
from SQL: one aggregate statement for the counts and moments, ``percentile_disc`` on
PostgreSQL (values in the column's own type), one ``ORDER BY … LIMIT 1 OFFSET k`` per
quantile on MySQL/MariaDB and SQLite (neither has percentiles). Shapes and PII detection for
columns without a stored label use the profiler's own bounded, repeatable sample of the
string columns only (``profiling.sample.take_sample``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dte_desktop.core.errors import DteError
from dte_desktop.core.privacy.classification import Level, parse_level
from dte_desktop.core.privacy.detectors import detect_pii
from dte_desktop.core.privacy.labels import TableLabels
from dte_desktop.core.profiling.dialect import Dialect
from dte_desktop.core.profiling.model import NUMERIC, STRING, TEMPORAL, kind_of
from dte_desktop.core.profiling.patterns import pattern_shares
from dte_desktop.core.profiling.sample import classify, take_sample
from dte_desktop.core.sampling.keys import KeyPlan, MeteredSource
from dte_desktop.core.sources.base import ColumnInfo

EDGES = (("p1", 0.01), ("p25", 0.25), ("p75", 0.75), ("p99", 0.99))
EXACT_QUANTILES = 200_000
QUANTILE_SAMPLE = 100_000
PATTERN_SAMPLE_ROWS = 2_000
DOMINANT_SHARE = 0.99  # a shape held by 99 % of values; the other 1 % break it


@dataclass
class ColFig:
    info: ColumnInfo
    kind: str
    count: int = 0
    nulls: int = 0
    quantiles: dict[str, Any] = field(default_factory=dict)
    mean: float | None = None
    sd: float | None = None
    fences: tuple[float, float] | None = None
    pattern: str | None = None
    level: Level = Level.PUBLIC
    level_source: str = "default"

    @property
    def name(self) -> str:
        return self.info.name


@dataclass
class TableFigures:
    rows: int
    columns: list[ColFig]
    source: str  # "profile #N" or "sql"

    def by_name(self) -> dict[str, ColFig]:
        return {c.name: c for c in self.columns}


def _fences(q: dict[str, Any]) -> tuple[float, float] | None:
    try:
        p25, p75 = float(q["p25"]), float(q["p75"])
    except (KeyError, TypeError, ValueError):
        return None
    iqr = p75 - p25
    return (p25 - 1.5 * iqr, p75 + 1.5 * iqr)


def _from_profile(cols: list[ColFig], result: dict[str, Any], d: Dialect) -> int:
    by_name = {c["name"]: c for c in result.get("columns", [])}
    for c in cols:
        p = by_name.get(c.name)
        if p is None:
            continue
        c.count, c.nulls = int(p.get("count") or 0), int(p.get("nulls") or 0)
        q = p.get("quantiles") or {}
        for name, _ in EDGES:
            v = q.get(name)
            if v is not None:
                if c.kind == TEMPORAL and isinstance(v, str):
                    v = d.stored_text(v)  # the profile writes ISO text
                c.quantiles[name] = v
        c.mean, c.sd = p.get("mean"), p.get("stddev")
        out = p.get("outliers") or {}
        if c.kind == NUMERIC and out.get("lo_fence") is not None:
            c.fences = (float(out["lo_fence"]), float(out["hi_fence"]))
        elif c.kind == NUMERIC:
            c.fences = _fences(c.quantiles)
        pats = p.get("patterns") or []
        if pats and pats[0].get("share", 0) >= DOMINANT_SHARE:
            c.pattern = pats[0]["pattern"]
        if p.get("classification"):
            c.level, c.level_source = parse_level(p["classification"]), "profile"
    return int(result.get("row_count") or 0)


def _sql_counts(src: MeteredSource, kp: KeyPlan, cols: list[ColFig]) -> int:
    d = kp.d
    parts = ["count(*) AS n"]
    for i, c in enumerate(cols):
        parts.append(f"count({kp.col(c.name)}) AS c{i}")
        if c.kind == NUMERIC:
            x = d.to_double(kp.col(c.name))
            parts.append(f"avg({x}) AS m{i}")
            if d.has_stddev:
                parts.append(f"stddev_samp({x}) AS s{i}")
    t = src.query(f"SELECT {', '.join(parts)} FROM {kp.from_sql}")
    row = {n.lower(): t.column(n)[0].as_py() for n in t.column_names} if t.num_rows else {}
    rows = int(row.get("n") or 0)
    for i, c in enumerate(cols):
        c.count, c.nulls = rows, rows - int(row.get(f"c{i}") or 0)
        if c.kind == NUMERIC:
            c.mean = row.get(f"m{i}")
            c.sd = row.get(f"s{i}")
    return rows


def _quantile_from(kp: KeyPlan, rows: int, seed: int) -> tuple[str, bool]:
    """The FROM clause quantiles are read from: the table, or above ``EXACT_QUANTILES`` rows
    a repeatable ~``QUANTILE_SAMPLE``-row sample of it (edges and IQR fences need not be
    exact, and an exact one is a full sort per column)."""
    if rows <= EXACT_QUANTILES:
        return kp.from_sql, True
    frac = QUANTILE_SAMPLE / rows
    d = kp.d
    thinned = d.bernoulli(kp.from_sql, 100 * frac, int(seed))
    if thinned is not None:
        return thinned, False
    where = d.sample_where(frac, int(seed), kp.rowid)
    if where is None:
        return kp.from_sql, True
    return f"(SELECT * FROM {d.table(kp.table)} WHERE {where}) AS {kp.alias}", False


def disc_rank(p: float, n: int) -> int:
    """The 1-based rank percentile_disc(p) picks among n sorted values: ceil(p * n)."""
    pct = round(p * 100)
    return max(1, (pct * n + 99) // 100)


def _rank_sql(d: Dialect, p: float, n: str) -> str:
    return d.floor_div(f"({round(p * 100)} * {n} + 99) / 100")


def _sql_quantiles(
    src: MeteredSource, kp: KeyPlan, cols: list[ColFig], rows: int, seed: int
) -> bool:
    """Fills p1/p25/p75/p99 (values of the column's own type); True when exact."""
    d = kp.d
    ordered = [c for c in cols if c.kind in (NUMERIC, TEMPORAL) and c.count > c.nulls]
    if not ordered:
        return True
    from_sql, exact = _quantile_from(kp, rows, seed)
    if d.ordered_set_quantiles:
        parts = [
            f"percentile_disc({p}) WITHIN GROUP (ORDER BY {kp.col(c.name)}) AS q{i}_{name}"
            for i, c in enumerate(ordered)
            for name, p in EDGES
        ]
        t = src.query(f"SELECT {', '.join(parts)} FROM {from_sql}")
        if t.num_rows:
            for i, c in enumerate(ordered):
                for name, _ in EDGES:
                    v = t.column(f"q{i}_{name}")[0].as_py()
                    if v is not None:
                        c.quantiles[name] = v
    elif d.window_quantiles:
        # One sort per column: each edge is the value at rank ceil(p * n), PostgreSQL's
        # percentile_disc (a row "at or above p99" is so by the engine's own definition);
        # in whole percents, so the rank is integer arithmetic on every engine.
        q = d.quote
        for c in ordered:
            col = kp.col(c.name)
            # floor() spelled per engine: MySQL's CAST rounds, SQLite may lack FLOOR.
            n_all = q("_c")
            ranks = ", ".join(_rank_sql(d, p, n_all) for _, p in EDGES)
            sql = (
                f"SELECT {q('_v')}, {q('_r')}, {q('_c')} FROM (SELECT {col} AS {q('_v')}, "
                f"row_number() OVER (ORDER BY {col}) AS {q('_r')}, count(*) OVER () AS {q('_c')} "
                f"FROM {from_sql} WHERE {col} IS NOT NULL) {q('_x')} WHERE {q('_r')} IN ({ranks})"
            )
            try:
                t = src.query(sql)
            except DteError:  # no window functions on this server: no edges, min/max only
                continue
            if not t.num_rows:
                continue
            n = int(t.column(2)[0].as_py())
            at = dict(zip(t.column(1).to_pylist(), t.column(0).to_pylist(), strict=True))
            for name, p in EDGES:
                v = at.get(disc_rank(p, n))
                if v is not None:
                    c.quantiles[name] = v
    for c in ordered:
        if c.kind == NUMERIC:
            c.fences = _fences(c.quantiles)
    return exact


def _sample_shapes(src: MeteredSource, kp: KeyPlan, cols: list[ColFig], rows: int) -> None:
    """Dominant shapes and PII levels from a small sample of the string columns only."""
    strings = [c for c in cols if c.kind == STRING and c.pattern is None]
    need_level = [c for c in cols if c.level_source == "default" and c.kind != NUMERIC]
    for c in cols:
        if c.kind == NUMERIC and c.level_source == "default":
            # Values of numbers tell nothing of sensitivity; names can ("salary").
            level, _ = classify(c.name, None, None)
            c.level, c.level_source = parse_level(level), "name"
    wanted = {c.name: c for c in strings + need_level}
    if not wanted:
        return
    infos = [c.info for c in cols if c.name in wanted]
    sample = take_sample(src, kp.d, kp.table, infos, rows, PATTERN_SAMPLE_ROWS)
    for info in infos:
        c = wanted[info.name]
        values = sample.table.column(info.name) if info.name in sample.table.column_names else None
        if values is None or len(values.drop_null()) == 0:
            continue
        if c.kind == STRING and c.pattern is None:
            try:
                pats = pattern_shares(values)
            except pa.ArrowException:
                pats = []
            if pats and pats[0]["share"] >= DOMINANT_SHARE:
                c.pattern = pats[0]["pattern"]
        if c.level_source == "default":
            finding = detect_pii(values, c.name)
            pii = {"type": finding.type} if finding else None
            level, _ = classify(c.name, pii, finding.suggested_classification if finding else None)
            c.level, c.level_source = parse_level(level), "detected"


def gather(
    src: MeteredSource,
    kp: KeyPlan,
    labels: TableLabels,
    profile: tuple[int, dict[str, Any]] | None,
    seed: int,
) -> TableFigures:
    cols = [ColFig(info, kind_of(info.arrow_type)) for info in kp.columns]
    for c in cols:
        stored = labels.columns.get(c.name)
        if stored is not None:
            c.level, c.level_source = stored.level, "stored"
        elif labels.default is not None:
            c.level, c.level_source = labels.default, "table default"
    if profile is not None:
        pid, result = profile
        stored_levels = {c.name: (c.level, c.level_source) for c in cols}
        rows = _from_profile(cols, result, kp.d)
        for c in cols:  # an officer's stored label outranks the profiler's suggestion
            level, how = stored_levels[c.name]
            if how != "default":
                c.level, c.level_source = level, how
        # Counts move between a profile and now; the live count keeps pools honest.
        rows = _sql_counts(src, kp, [])
        figures = TableFigures(rows, cols, f"profile #{pid}")
    else:
        rows = _sql_counts(src, kp, cols)
        exact = _sql_quantiles(src, kp, cols, rows, seed)
        figures = TableFigures(rows, cols, "sql" if exact else "sql (quantiles from a sample)")
    _sample_shapes(src, kp, cols, rows)
    return figures
