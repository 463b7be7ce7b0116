"""Statistics compiled into SQL that the source engine runs (``pushdown`` and ``auto``).

Queries, each one scan (a UNION ALL is one statement of several scans):
1. ``aggregates``: count(*), and per column count, min, max, avg, stddev_samp, zeros,
   negatives, length min/mean/max, temporal min/max as epoch seconds.
2. ``distinct``: exact ``count(DISTINCT)`` where cheap (at most ``exact_limit`` rows, or when
   asked); else PostgreSQL/MySQL count the distinct values whose hash falls in a fraction
   ``f`` of the hash space and divide by ``f`` (hash-sampled distinct counting, relative
   standard error about sqrt((1-f)/(D f)), ~0.3 % at the 100k values sampled); Vertica uses
   ``APPROXIMATE_COUNT_DISTINCT``. A low-cardinality column (judged on the sample) gets its
   exact distinct count from its top-k ``GROUP BY`` for free (``count(*) OVER ()``).
3. ``quantiles``: ``percentile_cont`` on PostgreSQL/Greenplum, ``APPROXIMATE_PERCENTILE`` on
   Vertica; MySQL/SQLite (no percentiles in SQL) take them from the sample (approximate).
4. ``histograms``: equal-width ``floor((x - min) / w)`` buckets, GROUP BY, one UNION ALL.
5. ``top-k``: ``GROUP BY … ORDER BY count DESC LIMIT k`` per column.
6. ``outliers``: counts outside the IQR fences (and SQLite's variance, which it lacks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.profiling import figures
from dte_desktop.core.profiling.dialect import MYSQL, POSTGRES, SQLITE, VERTICA, Dialect
from dte_desktop.core.profiling.model import (
    BINARY,
    BOOLEAN,
    NESTED,
    NUMERIC,
    QUANTILES,
    STRING,
    TEMPORAL,
    TOP_K,
    ColumnProfile,
)
from dte_desktop.core.profiling.sample import Sample
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef

EXACT_LIMIT = 1_000_000
HASH_SPACE = 1_000_003
HASH_TARGET = 100_000  # distinct values counted exactly inside the hashed fraction


@dataclass
class PushdownOptions:
    quantiles_in_sql: bool = True  # False (auto mode): above exact_limit, take them from the sample
    duplicates_above_limit: bool = True  # False (auto mode): no duplicate estimate above it
    exact_distinct: bool = False
    exact_limit: int = EXACT_LIMIT


def run(source: Source, sql: str) -> pa.Table:
    batches = list(source.read_batches(SelectSpec(query=sql)))
    return pa.Table.from_batches(batches) if batches else pa.table({})


def _one_row(source: Source, sql: str) -> dict[str, Any]:
    tbl = run(source, sql)
    return {n.lower(): tbl.column(n)[0].as_py() for n in tbl.column_names} if tbl.num_rows else {}


class Pushdown:
    """Profiles one table's columns with SQL; fills the ``ColumnProfile`` objects given."""

    def __init__(
        self,
        source: Source,
        dialect: Dialect,
        table: TableRef,
        cols: list[ColumnProfile],
        opts: PushdownOptions,
    ) -> None:
        self.source, self.d, self.table, self.cols, self.opts = source, dialect, table, cols, opts
        self.from_sql = dialect.table(table)
        self.rows = 0
        self.epoch_range: dict[int, tuple[float, float]] = {}

    def q(self, c: ColumnProfile) -> str:
        return self.d.quote(c.name)

    def text(self, c: ColumnProfile) -> str:
        """The value as compared and grouped: text on engines whose odd types (json, arrays)
        have no ordering; the raw column where a cast would change the collation."""
        if c.kind in (STRING, NESTED) and self.d.family not in (MYSQL, SQLITE):
            return self.d.to_text(self.q(c))
        return self.q(c)

    def as_number(self, c: ColumnProfile) -> str | None:
        if c.kind == NUMERIC:
            return self.d.to_double(self.q(c))
        if c.kind == TEMPORAL:
            return self.d.epoch(self.q(c), c.type)
        return None

    # --- 1. aggregates --------------------------------------------------------------------

    def aggregates(self) -> int:
        r = _one_row(
            self.source, f"SELECT {', '.join(self.aggregate_parts())} FROM {self.from_sql}"
        )
        return self.apply_aggregates(r)

    def aggregate_parts(self) -> list[str]:
        parts = ["count(*) AS n_rows"]
        for i, c in enumerate(self.cols):
            q = self.q(c)
            parts.append(f"count({q}) AS c{i}_nn")
            if c.kind == NUMERIC:
                x = self.d.to_double(q)
                integer = c.arrow_type.startswith(("int", "uint"))
                lo, hi = (f"min({q})", f"max({q})") if integer else (f"min({x})", f"max({x})")
                parts += [f"{lo} AS c{i}_min", f"{hi} AS c{i}_max", f"avg({x}) AS c{i}_mean"]
                if self.d.has_stddev:
                    parts.append(f"stddev_samp({x}) AS c{i}_sd")
                parts.append(f"sum(CASE WHEN {q} = 0 THEN 1 ELSE 0 END) AS c{i}_zero")
                parts.append(f"sum(CASE WHEN {q} < 0 THEN 1 ELSE 0 END) AS c{i}_neg")
            elif c.kind == TEMPORAL:
                parts += [f"min({q}) AS c{i}_min", f"max({q}) AS c{i}_max"]
                e = self.d.epoch(q, c.type)
                if e is not None:
                    parts += [f"min({e}) AS c{i}_emin", f"max({e}) AS c{i}_emax"]
            elif c.kind in (STRING, NESTED) or c.kind == "other":
                t = self.text(c)
                ln = self.d.length(self.d.to_text(q) if c.kind != STRING else t)
                if c.kind != NESTED:
                    parts += [f"min({t}) AS c{i}_min", f"max({t}) AS c{i}_max"]
                parts += [
                    f"min({ln}) AS c{i}_lmin",
                    f"max({ln}) AS c{i}_lmax",
                    f"avg({self.d.to_double(ln)}) AS c{i}_lmean",
                ]
        return parts

    def apply_aggregates(self, r: dict[str, Any]) -> int:
        self.rows = int(r.get("n_rows") or 0)
        for i, c in enumerate(self.cols):
            nn = int(r.get(f"c{i}_nn") or 0)
            c.count, c.nulls = self.rows, self.rows - nn
            c.min, c.max = r.get(f"c{i}_min"), r.get(f"c{i}_max")
            if c.kind == NUMERIC and nn:
                c.mean = _f(r.get(f"c{i}_mean"))
                c.stddev = _f(r.get(f"c{i}_sd")) if self.d.has_stddev else None
                c.zeros = int(r.get(f"c{i}_zero") or 0)
                c.negatives = int(r.get(f"c{i}_neg") or 0)
                if c.min is not None and c.max is not None:
                    self.epoch_range[i] = (float(c.min), float(c.max))
            if c.kind == TEMPORAL and r.get(f"c{i}_emin") is not None:
                self.epoch_range[i] = (float(r[f"c{i}_emin"]), float(r[f"c{i}_emax"]))
            if f"c{i}_lmin" in r and nn:
                c.length = {
                    "min": _i(r.get(f"c{i}_lmin")),
                    "mean": _f(r.get(f"c{i}_lmean")),
                    "max": _i(r.get(f"c{i}_lmax")),
                }
        return self.rows

    # --- 2 + 5. distinct and top-k ----------------------------------------------------------

    def low_cardinality(self, c: ColumnProfile, sample: Sample | None) -> bool:
        """Judged on the sample: few distinct values, each seen more than once on average,
        so a GROUP BY is a small hash aggregate."""
        if self.rows <= self.opts.exact_limit:
            return True
        if sample is None or c.name not in sample.table.column_names:
            return False
        col = sample.table.column(c.name).drop_null()
        if len(col) == 0:
            return True
        try:
            d = len(col.unique())
        except pa.ArrowException:
            return False
        return d <= 10_000 and d <= 0.5 * len(col)

    def top_k(self, c: ColumnProfile) -> int | None:
        """Top values; returns the exact number of groups (the distinct count)."""
        v = self.text(c)
        sql = (
            f"SELECT {v} AS v, count(*) AS n, count(*) OVER () AS g FROM {self.from_sql} "
            f"WHERE {self.q(c)} IS NOT NULL GROUP BY {v} ORDER BY count(*) DESC, {v}"
            f"{self.d.limit_sql(TOP_K)}"
        )
        tbl = run(self.source, sql)
        c.top_values = [
            {"value": row["v"], "count": int(row["n"])}
            for row in tbl.select(["v", "n"]).to_pylist()
        ]
        return int(tbl.column("g")[0].as_py()) if tbl.num_rows else 0

    def distinct_and_top(self, sample: Sample | None) -> None:
        exact = self.opts.exact_distinct or self.rows <= self.opts.exact_limit
        pending: list[tuple[int, ColumnProfile]] = []
        for i, c in enumerate(self.cols):
            if c.non_null == 0:
                c.distinct = 0
                continue
            if c.kind in (BINARY,):
                pending.append((i, c))
                continue
            if self.low_cardinality(c, sample) or c.kind == BOOLEAN:
                c.distinct = self.top_k(c)
                continue
            if sample is not None and c.name in sample.table.column_names:
                c.top_values = figures.repeated_top_values(sample.table.column(c.name), c.non_null)
                c.approximate.add("top_values")
            pending.append((i, c))
        if not pending:
            return
        if exact or self.d.family in (SQLITE, "generic"):
            self._exact_distinct(pending)
        elif self.d.family == VERTICA:
            parts = [f"APPROXIMATE_COUNT_DISTINCT({self.text(c)}) AS d{i}" for i, c in pending]
            r = _one_row(self.source, f"SELECT {', '.join(parts)} FROM {self.from_sql}")
            for i, c in pending:
                c.distinct, c.distinct_approx = int(r.get(f"d{i}") or 0), True
                c.approximate.add("distinct")
        else:
            self._hashed_distinct(pending, sample)

    def _exact_distinct(self, cols: list[tuple[int, ColumnProfile]]) -> None:
        parts = [f"count(DISTINCT {self.text(c)}) AS d{i}" for i, c in cols]
        r = _one_row(self.source, f"SELECT {', '.join(parts)} FROM {self.from_sql}")
        for i, c in cols:
            c.distinct = int(r.get(f"d{i}") or 0)

    def _hashed_distinct(
        self, cols: list[tuple[int, ColumnProfile]], sample: Sample | None
    ) -> None:
        parts, fractions = self.hashed_distinct_parts(cols, sample)
        r = _one_row(self.source, f"SELECT {', '.join(parts)} FROM {self.from_sql}")
        self.apply_hashed_distinct(r, cols, fractions)

    def hashed_distinct_parts(
        self, cols: list[tuple[int, ColumnProfile]], sample: Sample | None
    ) -> tuple[list[str], dict[int, float]]:
        """count(DISTINCT …) over the values whose hash falls in a fraction of the hash space
        sized from the sample's guess, so each column counts about HASH_TARGET values."""
        parts, fractions = [], {}
        for i, c in cols:
            guess = c.non_null
            if sample is not None and c.name in sample.table.column_names:
                guess = _guess_distinct(sample.table.column(c.name), c.non_null)
            threshold = min(HASH_SPACE, max(1, round(HASH_SPACE * HASH_TARGET / guess)))
            fractions[i] = threshold / HASH_SPACE
            v = self.text(c)
            h = self.d.hash_bucket(self.q(c))
            parts.append(f"count(DISTINCT CASE WHEN {h} < {threshold} THEN {v} END) AS d{i}")
        return parts, fractions

    def apply_hashed_distinct(
        self, r: dict[str, Any], cols: list[tuple[int, ColumnProfile]], fractions: dict[int, float]
    ) -> None:
        for i, c in cols:
            got = int(r.get(f"d{i}") or 0)
            c.distinct = min(c.non_null, round(got / fractions[i]))
            if fractions[i] < 1.0:
                c.distinct_approx = True
                c.approximate.add("distinct")

    # --- 3. quantiles -----------------------------------------------------------------------

    def quantiles(self, sample: Sample | None) -> None:
        todo = [(i, c) for i, c in enumerate(self.cols) if i in self.epoch_range]
        if not todo:
            return
        in_sql = self.d.percentiles is not None and (
            self.opts.quantiles_in_sql or self.rows <= self.opts.exact_limit
        )
        if not in_sql and self.rows <= self.opts.exact_limit and self.opts.quantiles_in_sql:
            for _, c in todo:
                c.quantiles = self._ordered_quantiles(c)
            return
        if not in_sql:
            for _, c in todo:
                if sample is not None and c.name in sample.table.column_names:
                    c.quantiles = figures.quantiles_of(
                        figures.as_float(sample.table.column(c.name))
                    )
                    if not (sample.exact and sample.table.num_rows == self.rows):
                        c.approximate.add("quantiles")
            return
        fr = ", ".join(str(f) for _, f in QUANTILES)
        parts = []
        for i, c in todo:
            x = self.as_number(c)
            if self.d.percentiles == "exact":
                parts.append(f"percentile_cont(ARRAY[{fr}]) WITHIN GROUP (ORDER BY {x}) AS q{i}")
            else:
                parts += [
                    f"APPROXIMATE_PERCENTILE({x} USING PARAMETERS percentile={f}) AS q{i}_{k}"
                    for k, f in QUANTILES
                ]
        r = _one_row(self.source, f"SELECT {', '.join(parts)} FROM {self.from_sql}")
        for i, c in todo:
            if self.d.percentiles == "exact":
                vals = _pg_array(r.get(f"q{i}"))
                if vals is not None:
                    c.quantiles = dict(zip((k for k, _ in QUANTILES), vals, strict=True))
            else:
                c.quantiles = {k: _f(r.get(f"q{i}_{k}")) for k, _ in QUANTILES}
                c.approximate.add("quantiles")

    def _ordered_quantiles(self, c: ColumnProfile) -> dict[str, float] | None:
        """Exact ``percentile_cont`` where SQL has no percentiles: the two order statistics
        around each rank, read with ORDER BY … LIMIT 2 OFFSET k (one sort per quantile)."""
        n = c.non_null
        if n == 0:
            return None
        x = self.as_number(c)
        if x is None:
            return None
        parts = []
        for j, (_, f) in enumerate(QUANTILES):
            k = int((n - 1) * f)
            parts.append(
                f"SELECT {j} AS j, v FROM (SELECT {x} AS v FROM {self.from_sql} "
                f"WHERE {self.q(c)} IS NOT NULL ORDER BY {x} LIMIT 2 OFFSET {k}) AS s{j}"
            )
        got: dict[int, list[float]] = {}
        for row in run(self.source, " UNION ALL ".join(parts)).to_pylist():
            got.setdefault(int(row["j"]), []).append(float(row["v"]))
        out = {}
        for j, (key, f) in enumerate(QUANTILES):
            vals = sorted(got.get(j, []))
            if not vals:
                return None
            pos = (n - 1) * f
            frac = pos - int(pos)
            hi = vals[1] if len(vals) > 1 else vals[0]
            out[key] = vals[0] + (hi - vals[0]) * frac
        return out

    # --- 4. histograms ----------------------------------------------------------------------

    def histograms(self, bins: int = 20) -> None:
        selects = []
        for i, c in enumerate(self.cols):
            if i not in self.epoch_range:
                continue
            lo, hi = self.epoch_range[i]
            if hi <= lo:
                c.histogram = [{"lo": lo, "hi": hi, "count": c.non_null}]
                continue
            x = self.as_number(c)
            w = (hi - lo) / bins
            b = (
                f"CASE WHEN {x} >= {hi!r} THEN {bins - 1} "
                f"ELSE {self.d.floor_div(f'({x} - {lo!r}) / {w!r}')} END"
            )
            selects.append(
                f"SELECT {i} AS c, {b} AS b, count(*) AS n FROM {self.from_sql} "
                f"WHERE {self.q(c)} IS NOT NULL GROUP BY {b}"
            )
        if not selects:
            return
        counts: dict[int, dict[int, int]] = {}
        for row in run(self.source, " UNION ALL ".join(selects)).to_pylist():
            counts.setdefault(int(row["c"]), {})[min(bins - 1, max(0, int(row["b"])))] = int(
                row["n"]
            )
        for i, got in counts.items():
            lo, hi = self.epoch_range[i]
            edges = figures.bin_edges(lo, hi, bins)
            self.cols[i].histogram = [
                {"lo": float(edges[k]), "hi": float(edges[k + 1]), "count": got.get(k, 0)}
                for k in range(bins)
            ]

    # --- 6. outliers (and SQLite's variance) -------------------------------------------------

    def outliers(self) -> None:
        parts, fences = self.outlier_parts()
        if not parts:
            return
        r = _one_row(self.source, f"SELECT {', '.join(parts)} FROM {self.from_sql}")
        self.apply_outliers(r, fences)

    def outlier_parts(self) -> tuple[list[str], dict[int, tuple[float, float]]]:
        """Counts outside the IQR fences of the quantiles known so far (and SQLite's
        variance, which it cannot compute in SQL)."""
        parts, fences = [], {}
        for i, c in enumerate(self.cols):
            if c.kind != NUMERIC or c.non_null == 0:
                continue
            x = self.d.to_double(self.q(c))
            f = figures.iqr_fences(c.quantiles)
            if f is not None:
                fences[i] = f
                parts.append(f"sum(CASE WHEN {x} < {f[0]!r} THEN 1 ELSE 0 END) AS o{i}_lo")
                parts.append(f"sum(CASE WHEN {x} > {f[1]!r} THEN 1 ELSE 0 END) AS o{i}_hi")
            if not self.d.has_stddev and c.mean is not None:
                parts.append(f"sum(({x} - {c.mean!r}) * ({x} - {c.mean!r})) AS v{i}")
        return parts, fences

    def apply_outliers(self, r: dict[str, Any], fences: dict[int, tuple[float, float]]) -> None:
        for i, c in enumerate(self.cols):
            if i in fences:
                lo, hi = int(r.get(f"o{i}_lo") or 0), int(r.get(f"o{i}_hi") or 0)
                c.outliers = {"low": lo, "high": hi, "lo_fence": fences[i][0],
                              "hi_fence": fences[i][1]}  # fmt: skip
                if "quantiles" in c.approximate:
                    c.approximate.add("outliers")
            if f"v{i}" in r and c.non_null > 1 and r[f"v{i}"] is not None:
                c.stddev = (float(r[f"v{i}"]) / (c.non_null - 1)) ** 0.5

    # --- table: duplicate rows ---------------------------------------------------------------

    def duplicate_rows(self) -> tuple[int | None, bool]:
        if not self.cols or self.rows == 0:
            return 0, False
        if self.rows <= self.opts.exact_limit or self.opts.exact_distinct:
            keys = ", ".join(self.text(c) for c in self.cols)
            groups = f"SELECT 1 AS one FROM {self.from_sql} GROUP BY {keys}"
            sql = f"SELECT count(*) AS g FROM ({groups}) d"
            g = int(_one_row(self.source, sql).get("g") or 0)
            return self.rows - g, False
        if self.d.family == POSTGRES and self.opts.duplicates_above_limit:
            row = 'md5(CAST("_dte_t" AS text))'
            t = round(HASH_SPACE * min(1.0, HASH_TARGET / self.rows))
            sql = (
                f"SELECT count(DISTINCT CASE WHEN abs(hashtextextended({row}, 0) % {HASH_SPACE})"
                f' < {t} THEN {row} END) AS g FROM {self.from_sql} AS "_dte_t"'
            )
            g = int(_one_row(self.source, sql).get("g") or 0)
            est = min(self.rows, round(g * HASH_SPACE / t))
            return max(0, self.rows - est), True
        return None, False


def _guess_distinct(values: pa.ChunkedArray, n_total: int) -> int:
    """A cheap distinct-count guess from the sample, used only to size the hashed fraction.
    The smaller of scaling the sample's distinct ratio (right for near-unique columns) and
    the GEE estimator sqrt(N/n)·f1 + Σf_j (Charikar et al. 2000; right for mid-cardinality
    ones, where the ratio overshoots by 20x). Guessing low only costs a bigger fraction."""
    s = values.drop_null()
    if len(s) == 0:
        return max(1, n_total)
    counts = pc.value_counts(s).field("counts").to_numpy(zero_copy_only=False)
    ratio = len(counts) / len(s) * n_total
    singles = int((counts == 1).sum())
    gee = (n_total / len(s)) ** 0.5 * singles + (len(counts) - singles)
    return max(1, round(min(ratio, gee)))


def _f(v: Any) -> float | None:
    return None if v is None else float(v)


def _i(v: Any) -> int | None:
    return None if v is None else int(v)


def _pg_array(v: Any) -> list[float] | None:
    """A float8[] read as JSON (``[1,2.5,null,"NaN"]``, how PostgreSQL arrays are read), as
    its PostgreSQL literal (``{1,2.5,NULL}``) or as a list."""
    if v is None:
        return None
    if isinstance(v, str) and v.startswith("["):
        v = json.loads(v)
    if isinstance(v, list):
        return [None if x is None else float(x) for x in v]
    items = str(v).strip("{}").split(",")
    return [None if x.strip().upper() == "NULL" else float(x) for x in items]
