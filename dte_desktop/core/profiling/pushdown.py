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
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.profiling import figures
from dte_desktop.core.profiling.dialect import Dialect
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
    cause,
)
from dte_desktop.core.profiling.sample import Sample
from dte_desktop.core.profiling.values import temporal_text, to_pylist
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
    # Columns a stream reads alongside (the stream mode's exact twins): it measures their
    # lengths and the moments of numbers it reads as numbers, so the scan leaves those out.
    streamed: frozenset[str] = frozenset()


def stream_measures_moments(c: ColumnProfile) -> bool:
    """The stream computes mean, stddev, zeros and negatives of this column itself (its
    values arrive as Arrow numbers; numerics read as text do not)."""
    return c.kind == NUMERIC and c.arrow_type.startswith(("int", "uint", "float", "double",
                                                          "decimal", "halffloat"))  # fmt: skip


def run(source: Source, sql: str) -> pa.Table:
    batches = list(source.read_batches(SelectSpec(query=sql)))
    return pa.Table.from_batches(batches) if batches else pa.table({})


def _one_row(source: Source, sql: str) -> dict[str, Any]:
    tbl = run(source, sql)
    if not tbl.num_rows:
        return {}
    return {n.lower(): to_pylist(tbl.column(n).slice(0, 1))[0] for n in tbl.column_names}


TABLE = -1  # the key of table-level parts (count(*)) in a ``Parts`` mapping
Parts = dict[int, list[str]]  # SELECT items per column index


class Pushdown:
    """Profiles one table's columns with SQL; fills the ``ColumnProfile`` objects given.
    ``on_step(step, column)``: told each step as it starts (column None: all at once)."""

    on_step: Any = None

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

    def val(self, c: ColumnProfile) -> str:
        """The column as a comparable number/time with its special values as NULL."""
        return self.d.finite(self.d.number(self.q(c), c.type), c.kind, c.type)

    def specials(self, c: ColumnProfile) -> list[tuple[str, str]]:
        return self.d.specials(self.d.number(self.q(c), c.type), c.kind, c.type)

    def live(self) -> list[tuple[int, ColumnProfile]]:
        """Columns without an error so far (a failed column is left out of later steps)."""
        return [(i, c) for i, c in enumerate(self.cols) if c.error is None]

    def fail(self, c: ColumnProfile, step: str, exc: BaseException) -> None:
        c.error = f"{step}: {cause(exc)}"

    def gather(self, step: str, parts: Parts) -> dict[str, Any]:
        """Run every column's SELECT items in one scan; if that fails, each column's alone,
        so one column the engine cannot compute gets an ``error`` and the others their
        figures. Table-level items (``TABLE``) failing alone fail the table."""
        parts = {k: v for k, v in parts.items() if v}
        if not parts:
            return {}
        if self.on_step is not None:
            self.on_step(step, None)
        sql = f"SELECT {', '.join(x for v in parts.values() for x in v)} FROM {self.from_sql}"
        try:
            return _one_row(self.source, sql)
        except Exception as exc:
            if len(parts) == 1 and TABLE in parts:
                raise
            first = exc
        out: dict[str, Any] = {}
        for k, items in parts.items():
            try:
                out.update(_one_row(self.source, f"SELECT {', '.join(items)} FROM {self.from_sql}"))
            except Exception as exc:
                if k == TABLE:
                    raise first from exc
                self._without_stddev(k, items, step, exc, out)
        return out

    def _without_stddev(
        self, k: int, items: list[str], step: str, exc: Exception, out: dict[str, Any]
    ) -> None:
        """PostgreSQL's avg/stddev of a double accumulate squares, which overflow near
        1e300: keep the rest of the column's figures (the mean as sum / count); else the
        column's error."""
        robust = [
            x.replace("avg(", "sum(", 1)[: -len("_mean")] + "_msum" if x.endswith("_mean") else x
            for x in items
            if not x.endswith("_sd")
        ]
        if robust and robust != items:
            try:
                out.update(
                    _one_row(self.source, f"SELECT {', '.join(robust)} FROM {self.from_sql}")
                )
                self.cols[k].notes.append(f"stddev not computed: {cause(exc)}")
                return
            except Exception:  # noqa: S110 - the first cause is the one to report
                pass
        self.fail(self.cols[k], step, exc)

    def each(self, step: str, cols: list[tuple[int, ColumnProfile]], fn: Any) -> None:
        """``fn(i, c)`` per column; an exception becomes that column's error."""
        for i, c in cols:
            if c.error is not None:
                continue
            if self.on_step is not None:
                self.on_step(step, c.name)
            try:
                fn(i, c)
            except Exception as exc:
                self.fail(c, step, exc)

    def text(self, c: ColumnProfile) -> str:
        """The value as compared and grouped: text on engines whose odd types (json, arrays)
        have no ordering; the raw column where a cast would change the collation."""
        if c.kind in (STRING, NESTED) and self.d.compare_as_text:
            return self.d.to_text(self.q(c))
        return self.q(c)

    def as_number(self, c: ColumnProfile) -> str | None:
        if c.kind == NUMERIC:
            return self.d.to_double(self.val(c))
        if c.kind == TEMPORAL:
            return self.d.epoch(self.val(c), c.type)
        return None

    # --- 1. aggregates --------------------------------------------------------------------

    def aggregates(self) -> int:
        return self.apply_aggregates(self.gather("aggregates", self.aggregate_parts()))

    def aggregate_parts(self) -> Parts:
        parts: Parts = {TABLE: ["count(*) AS n_rows"]}
        for i, c in enumerate(self.cols):
            q, streamed = self.q(c), c.name in self.opts.streamed
            parts[TABLE].append(f"count({q}) AS c{i}_nn")  # never fails: nulls are always known
            mine = parts.setdefault(i, [])
            for k, (_, pred) in enumerate(self.specials(c)):
                mine.append(f"sum(CASE WHEN {pred} THEN 1 ELSE 0 END) AS c{i}_s{k}")
            if c.kind == NUMERIC:
                v = self.val(c)
                x = self.d.to_double(v)
                exact = c.arrow_type.startswith(("int", "uint", "decimal", "string"))
                lo, hi = (f"min({v})", f"max({v})") if exact else (f"min({x})", f"max({x})")
                mine += [f"{lo} AS c{i}_min", f"{hi} AS c{i}_max"]
                if not (streamed and stream_measures_moments(c)):
                    mine.append(f"avg({x}) AS c{i}_mean")
                    if self.d.has_stddev:
                        mine.append(f"stddev_samp({x}) AS c{i}_sd")
                    mine.append(f"sum(CASE WHEN {v} = 0 THEN 1 ELSE 0 END) AS c{i}_zero")
                    mine.append(f"sum(CASE WHEN {v} < 0 THEN 1 ELSE 0 END) AS c{i}_neg")
            elif c.kind == TEMPORAL:
                mine += self._temporal_extremes(i, c)
            elif c.kind == BOOLEAN:
                b = f"CASE WHEN {q} THEN 1 ELSE 0 END"
                mine += [f"min({b}) AS c{i}_bmin", f"max({b}) AS c{i}_bmax"]
            elif c.kind in (STRING, NESTED) or c.kind == "other":
                t = self.text(c)
                ln = self.d.length(self.d.to_text(q) if c.kind != STRING else t)
                if c.kind != NESTED:
                    lo = self.d.text_extreme("min", q, c.type, c.type_note) or f"min({t})"
                    hi = self.d.text_extreme("max", q, c.type, c.type_note) or f"max({t})"
                    mine += [f"{lo} AS c{i}_min", f"{hi} AS c{i}_max"]
                if not (streamed and c.kind == STRING):  # the stream's utf8_length
                    mine += [
                        f"min({ln}) AS c{i}_lmin",
                        f"max({ln}) AS c{i}_lmax",
                        f"avg({self.d.to_double(ln)}) AS c{i}_lmean",
                    ]
        return parts

    def _temporal_extremes(self, i: int, c: ColumnProfile) -> list[str]:
        v = self.val(c)
        after = self.d.epoch_monotone(c.type)  # epoch(min(v)), not min(epoch(v)): same figure
        lo, hi = (f"min({v})", f"max({v})")
        us_lo, us_hi = (self.d.epoch_us(lo), self.d.epoch_us(hi)) if after else (None, None)
        if not after and self.d.epoch_us(v) is not None:
            us_lo, us_hi = f"min({self.d.epoch_us(v)})", f"max({self.d.epoch_us(v)})"
        out = [f"{lo} AS c{i}_min", f"{hi} AS c{i}_max"] if us_lo is None else [
            f"{us_lo} AS c{i}_umin", f"{us_hi} AS c{i}_umax"]  # fmt: skip
        e = self.d.epoch(v, c.type)
        if e is not None and after:
            out += [f"{self.d.epoch(lo, c.type)} AS c{i}_emin",
                    f"{self.d.epoch(hi, c.type)} AS c{i}_emax"]  # fmt: skip
        elif e is not None:
            out += [f"min({e}) AS c{i}_emin", f"max({e}) AS c{i}_emax"]
        return out

    def apply_aggregates(self, r: dict[str, Any]) -> int:
        self.rows = int(r.get("n_rows") or 0)
        for i, c in enumerate(self.cols):
            nn = int(r.get(f"c{i}_nn") or 0)
            c.count, c.nulls = self.rows, self.rows - nn
        self.each("aggregates", self.live(), lambda i, c: self._apply_column(r, i, c))
        return self.rows

    def _apply_column(self, r: dict[str, Any], i: int, c: ColumnProfile) -> None:
        nn = c.non_null
        for k, (label, _) in enumerate(self.specials(c)):
            n = int(r.get(f"c{i}_s{k}") or 0)
            if n:
                c.special[label] = n
        c.min, c.max = r.get(f"c{i}_min"), r.get(f"c{i}_max")
        if f"c{i}_umin" in r:
            unit = "date" if c.arrow_type.startswith("date") else "timestamp"
            tz = "tz=" in c.arrow_type
            c.min = temporal_text(_exact(r.get(f"c{i}_umin")), unit, tz)
            c.max = temporal_text(_exact(r.get(f"c{i}_umax")), unit, tz)
        if f"c{i}_bmin" in r and r.get(f"c{i}_bmin") is not None:
            c.min, c.max = bool(r[f"c{i}_bmin"]), bool(r[f"c{i}_bmax"])
        if c.kind == NUMERIC and nn:
            c.min, c.max = _exact(c.min), _exact(c.max)
            c.mean = _f(r.get(f"c{i}_mean"))
            if r.get(f"c{i}_msum") is not None:
                c.mean = float(r[f"c{i}_msum"]) / max(1, nn - sum(c.special.values()))
            c.stddev = _f(r.get(f"c{i}_sd")) if self.d.has_stddev else None
            if f"c{i}_zero" in r:  # left out for a streamed column (the stream counts them)
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
        """Top values; returns the exact number of groups (the distinct count). Times are
        read as exact epoch microseconds (any year), special values by their label."""
        g = self.d.number(self.q(c), c.type) if c.kind in (NUMERIC, BOOLEAN) else self.text(c)
        us = self.d.epoch_us(self.val(c)) if c.kind == TEMPORAL else None
        labels = self.specials(c)
        cols = f"{us or g} AS v"
        if labels:
            whens = " ".join(f"WHEN {p} THEN {self.d.literal(lbl)}" for lbl, p in labels)
            cols += f", CASE {whens} END AS s"
        sql = (
            f"SELECT {cols}, count(*) AS n, count(*) OVER () AS g FROM {self.from_sql} "
            f"WHERE {self.q(c)} IS NOT NULL GROUP BY {g} ORDER BY count(*) DESC, {g}"
            f"{self.d.limit_sql(TOP_K)}"
        )
        tbl = run(self.source, sql)
        unit = "date" if c.arrow_type.startswith("date") else "timestamp"
        top = []
        for k in range(tbl.num_rows):
            v = to_pylist(tbl.column("v").slice(k, 1))[0]
            label = tbl.column("s")[k].as_py() if labels else None
            if label is not None:  # a special value by its label (NaN, infinity, text)
                v = label
            elif us is not None:
                v = temporal_text(_exact(v), unit, "tz=" in c.arrow_type)
            elif c.kind == NUMERIC:
                v = _exact(v)
            elif c.kind == BOOLEAN and v is not None:
                v = bool(v)
            n = int(tbl.column("n")[k].as_py())
            same = next((t for t in top if t["value"] == v and label is not None), None)
            if same is not None:  # one label for several stored values (MySQL zero dates)
                same["count"] += n
            else:
                top.append({"value": v, "count": n})
        c.top_values = sorted(top, key=lambda t: -t["count"])
        return int(tbl.column("g")[0].as_py()) if tbl.num_rows else 0

    def set_top_k(self, _: int, c: ColumnProfile) -> None:
        c.distinct = self.top_k(c)

    def distinct_and_top(self, sample: Sample | None) -> None:
        exact = self.opts.exact_distinct or self.rows <= self.opts.exact_limit
        pending: list[tuple[int, ColumnProfile]] = []
        for i, c in self.live():
            if c.non_null == 0:
                c.distinct = 0
                continue
            if key_distinct(c, self.d):
                continue
            if c.kind in (BINARY,):
                pending.append((i, c))
                continue
            if self.low_cardinality(c, sample) or c.kind == BOOLEAN:
                self.each("top values", [(i, c)], self.set_top_k)
                continue
            if sample is not None and c.name in sample.table.column_names:
                c.top_values = figures.repeated_top_values(sample.table.column(c.name), c.non_null)
                c.approximate.add("top_values")
            pending.append((i, c))
        if not pending:
            return
        approx = self.d.approx_count_distinct("x")
        if exact or (approx is None and self.d.hash_bucket("x") is None):
            self._exact_distinct(pending)
        elif approx is not None:
            parts: Parts = {
                i: [f"{self.d.approx_count_distinct(self.text(c))} AS d{i}"] for i, c in pending
            }
            r = self.gather("distinct", parts)
            for i, c in pending:
                if c.error is None:
                    c.distinct, c.distinct_approx = int(r.get(f"d{i}") or 0), True
                    c.approximate.add("distinct")
        else:
            self._hashed_distinct(pending, sample)

    def _exact_distinct(self, cols: list[tuple[int, ColumnProfile]]) -> None:
        parts = {i: [f"count(DISTINCT {self.text(c)}) AS d{i}"] for i, c in cols}
        r = self.gather("distinct", parts)
        for i, c in cols:
            if c.error is None:
                c.distinct = int(r.get(f"d{i}") or 0)

    def _hashed_distinct(
        self, cols: list[tuple[int, ColumnProfile]], sample: Sample | None
    ) -> None:
        parts, fractions = self.hashed_distinct_parts(cols, sample)
        self.apply_hashed_distinct(self.gather("distinct", parts), cols, fractions)

    def hashed_distinct_parts(
        self, cols: list[tuple[int, ColumnProfile]], sample: Sample | None
    ) -> tuple[Parts, dict[int, float]]:
        """count(DISTINCT …) over the values whose hash falls in a fraction of the hash space
        sized from the sample's guess, so each column counts about HASH_TARGET values."""
        parts: Parts = {}
        fractions: dict[int, float] = {}
        for i, c in cols:
            guess = c.non_null
            if sample is not None and c.name in sample.table.column_names:
                guess = _guess_distinct(sample.table.column(c.name), c.non_null)
            threshold = min(HASH_SPACE, max(1, round(HASH_SPACE * HASH_TARGET / guess)))
            fractions[i] = threshold / HASH_SPACE
            v = self.text(c)
            h = self.d.hash_bucket(self.q(c))
            parts[i] = [f"count(DISTINCT CASE WHEN {h} < {threshold} THEN {v} END) AS d{i}"]
        return parts, fractions

    def apply_hashed_distinct(
        self, r: dict[str, Any], cols: list[tuple[int, ColumnProfile]], fractions: dict[int, float]
    ) -> None:
        for i, c in cols:
            if c.error is not None or i not in fractions:
                continue
            got = int(r.get(f"d{i}") or 0)
            c.distinct = min(c.non_null, round(got / fractions[i]))
            if fractions[i] < 1.0:
                c.distinct_approx = True
                c.approximate.add("distinct")

    # --- 3. quantiles -----------------------------------------------------------------------

    def quantiles(self, sample: Sample | None) -> None:
        todo = [(i, c) for i, c in self.live() if i in self.epoch_range]
        if not todo:
            return
        in_sql = self.d.percentiles is not None and (
            self.opts.quantiles_in_sql or self.rows <= self.opts.exact_limit
        )
        if not in_sql and self.rows <= self.opts.exact_limit:
            self.each("quantiles", todo, self._set_ordered_quantiles)
            return
        if not in_sql:
            self.each("quantiles", todo, lambda _, c: self._sample_quantiles(c, sample))
            return
        fr = ", ".join(str(f) for _, f in QUANTILES)
        parts: Parts = {}
        for i, c in todo:
            x = self.as_number(c)
            if self.d.percentiles == "exact":
                parts[i] = [f"percentile_cont(ARRAY[{fr}]) WITHIN GROUP (ORDER BY {x}) AS q{i}"]
            else:
                parts[i] = [
                    f"APPROXIMATE_PERCENTILE({x} USING PARAMETERS percentile={f}) AS q{i}_{k}"
                    for k, f in QUANTILES
                ]
        r = self.gather("quantiles", parts)
        for i, c in todo:
            if c.error is not None:
                continue
            if self.d.percentiles == "exact":
                vals = _pg_array(r.get(f"q{i}"))
                if vals is not None:
                    c.quantiles = dict(zip((k for k, _ in QUANTILES), vals, strict=True))
            else:
                c.quantiles = {k: _f(r.get(f"q{i}_{k}")) for k, _ in QUANTILES}
                c.approximate.add("quantiles")

    def _sample_quantiles(self, c: ColumnProfile, sample: Sample | None) -> None:
        if sample is not None and c.name in sample.table.column_names:
            c.quantiles = figures.quantiles_of(figures.as_float(sample.table.column(c.name)))
            if not (sample.exact and sample.table.num_rows == self.rows):
                c.approximate.add("quantiles")

    def _set_ordered_quantiles(self, _: int, c: ColumnProfile) -> None:
        c.quantiles = self._ordered_quantiles(c)

    def _ordered_quantiles(self, c: ColumnProfile) -> dict[str, float] | None:
        """Exact ``percentile_cont`` where SQL has no percentiles: the two order statistics
        around each rank, read with ORDER BY … LIMIT 2 OFFSET k (one sort per quantile)."""
        n = c.non_null - sum(c.special.values())
        if n <= 0:
            return None
        x = self.as_number(c)
        if x is None:
            return None
        parts = []
        for j, (_, f) in enumerate(QUANTILES):
            k = int((n - 1) * f)
            parts.append(
                f"SELECT {j} AS j, v FROM (SELECT {x} AS v FROM {self.from_sql} "
                f"WHERE {x} IS NOT NULL ORDER BY {x} LIMIT 2 OFFSET {k}) AS s{j}"
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
        selects: dict[int, str] = {}
        for i, c in self.live():
            if i not in self.epoch_range:
                continue
            lo, hi = self.epoch_range[i]
            n = c.non_null - sum(c.special.values())
            if hi <= lo:  # one value: one bin (the README says so)
                c.histogram = [{"lo": lo, "hi": hi, "count": n}]
                continue
            x = self.as_number(c)
            w = (hi - lo) / bins
            b = (
                f"CASE WHEN {x} >= {hi!r} THEN {bins - 1} "
                f"ELSE {self.d.floor_div(f'({x} - {lo!r}) / {w!r}')} END"
            )
            selects[i] = (
                f"SELECT {i} AS c, {b} AS b, count(*) AS n FROM {self.from_sql} "
                f"WHERE {x} IS NOT NULL GROUP BY {b}"
            )
        if not selects:
            return
        try:
            rows = run(self.source, " UNION ALL ".join(selects.values())).to_pylist()
        except Exception:
            rows = []
            for i, sql in selects.items():
                try:
                    rows += run(self.source, sql).to_pylist()
                except Exception as exc:
                    self.fail(self.cols[i], "histogram", exc)
        counts: dict[int, dict[int, int]] = {}
        for row in rows:
            got = counts.setdefault(int(row["c"]), {})
            k = min(bins - 1, max(0, int(row["b"])))
            got[k] = got.get(k, 0) + int(row["n"])
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
        self.apply_outliers(self.gather("outliers", parts), fences)

    def outlier_parts(self) -> tuple[Parts, dict[int, tuple[float, float]]]:
        """Counts outside the IQR fences of the quantiles known so far (and SQLite's
        variance, which it cannot compute in SQL)."""
        parts: Parts = {}
        fences: dict[int, tuple[float, float]] = {}
        for i, c in self.live():
            if c.kind != NUMERIC or c.non_null == 0:
                continue
            x = self.d.to_double(self.val(c))
            mine = parts.setdefault(i, [])
            f = figures.iqr_fences(c.quantiles)
            if f is not None and all(math.isfinite(b) for b in f):
                fences[i] = f
                mine.append(f"sum(CASE WHEN {x} < {f[0]!r} THEN 1 ELSE 0 END) AS o{i}_lo")
                mine.append(f"sum(CASE WHEN {x} > {f[1]!r} THEN 1 ELSE 0 END) AS o{i}_hi")
            if not self.d.has_stddev and c.mean is not None and math.isfinite(c.mean):
                mine.append(f"sum(({x} - {c.mean!r}) * ({x} - {c.mean!r})) AS v{i}")
        return parts, fences

    def apply_outliers(self, r: dict[str, Any], fences: dict[int, tuple[float, float]]) -> None:
        for i, c in self.live():
            if i in fences:
                lo, hi = int(r.get(f"o{i}_lo") or 0), int(r.get(f"o{i}_hi") or 0)
                c.outliers = {"low": lo, "high": hi, "lo_fence": fences[i][0],
                              "hi_fence": fences[i][1]}  # fmt: skip
                if "quantiles" in c.approximate:
                    c.approximate.add("outliers")
            n = c.non_null - sum(c.special.values())
            if f"v{i}" in r and n > 1 and r[f"v{i}"] is not None:
                c.stddev = (float(r[f"v{i}"]) / (n - 1)) ** 0.5

    # --- table: duplicate rows ---------------------------------------------------------------

    def duplicate_rows(self, has_key: bool = False) -> tuple[int | None, bool]:
        """Rows equal to an earlier row: none where a primary key is enforced; else exact
        up to the limit, an estimate above it (PostgreSQL), or unknown."""
        if not self.cols or self.rows == 0 or (has_key and self.d.enforces_keys):
            return 0, False
        if self.rows <= self.opts.exact_limit or self.opts.exact_distinct:
            keys = ", ".join(self.text(c) for c in self.cols)
            groups = f"SELECT 1 AS one FROM {self.from_sql} GROUP BY {keys}"
            sql = f"SELECT count(*) AS g FROM ({groups}) d"
            g = int(_one_row(self.source, sql).get("g") or 0)
            return self.rows - g, False
        alias = self.d.quote("_dte_t")
        row = self.d.record_digest(alias)
        if row is not None and self.opts.duplicates_above_limit:
            t = round(HASH_SPACE * min(1.0, HASH_TARGET / self.rows))
            sql = (
                f"SELECT count(DISTINCT CASE WHEN {self.d.hash_mod(row, HASH_SPACE)}"
                f" < {t} THEN {row} END) AS g FROM {self.from_sql} AS {alias}"
            )
            g = int(_one_row(self.source, sql).get("g") or 0)
            est = min(self.rows, round(g * HASH_SPACE / t))
            return max(0, self.rows - est), True
        return None, False


def key_distinct(c: ColumnProfile, d: Dialect) -> bool:
    """A one-column primary key on an engine that enforces it: every non-null value occurs
    once, so its distinct count is exact without counting, and no top value is worth
    listing. Sets the figures and returns True."""
    if not (c.primary_key and d.enforces_keys):
        return False
    c.distinct, c.distinct_approx, c.top_values = c.non_null, False, []
    c.approximate.discard("distinct")
    c.approximate.discard("top_values")
    if "distinct from the primary key" not in c.notes:
        c.notes.append("distinct from the primary key: every value occurs once")
    return True


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


def _exact(v: Any) -> Any:
    """A number read as exact text (PostgreSQL numeric without typmod) as a Decimal."""
    if isinstance(v, str):
        try:
            return Decimal(v)
        except InvalidOperation:
            return v
    return v


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
