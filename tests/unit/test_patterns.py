"""Pure profiling functions: value shapes, HyperLogLog, sketch merging, report, JSON form."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest

from dte_desktop.core.profiling.dialect import backtick, double_quote
from dte_desktop.core.profiling.hll import HyperLogLog
from dte_desktop.core.profiling.model import ColumnProfile, TableProfile
from dte_desktop.core.profiling.patterns import pattern_shares, shape_of, shapes
from dte_desktop.core.profiling.report import render
from dte_desktop.core.profiling.sketches import ColumnSketch
from dte_desktop.core.sources.mysql_dialect import MySQLDialect
from dte_desktop.core.sources.pg_dialect import PostgresDialect


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("123-45-6789", "999-99-9999"),
        ("Main 12", "Aaaa 99"),
        ("user12@example.com", "aaaa99@a+.aaa"),
        ("ÉCOLE  été", "A+ aaa"),
        ("東京", "aa"),
        ("+1 (555) 123-4567", "+9 (999) 999-9999"),
        ("", ""),
    ],
)
def test_shapes(value: str, shape: str) -> None:
    assert shape_of(value) == shape


def test_long_values_are_cut_and_nulls_stay_null() -> None:
    out = shapes(pa.array(["a" * 3 + "1" * 100 + "b" * 2 + "-x" * 30, None]))
    assert out[1].as_py() is None
    assert out[0].as_py().endswith("…") and len(out[0].as_py()) == 41


def test_pattern_shares() -> None:
    got = pattern_shares(pa.array(["111-22-3333", "444-55-6666", "abc", None]))
    assert got == [{"pattern": "999-99-9999", "share": 0.6667}, {"pattern": "aaa", "share": 0.3333}]


@pytest.mark.parametrize("n", [0, 1, 100, 5_000, 200_000])
def test_hll_estimate_within_two_percent_and_merges(n: int) -> None:
    a, b = HyperLogLog(), HyperLogLog()
    a.update(pa.array(np.arange(0, n // 2 + n % 2)))
    b.update(pa.array(np.arange(n // 3, n)))  # overlaps a
    a.merge(b)
    assert abs(a.estimate() - n) <= max(0.02 * n, 0.5)
    again = HyperLogLog.deserialize(a.serialize())
    assert again.estimate() == a.estimate()


def test_column_sketch_merge_equals_one_pass() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(50, 10, 30_000)
    values[::17] = np.nan
    arr = pa.array(values, from_pandas=True)
    whole = ColumnSketch("numeric", pa.float64(), frequent=True, extremes=True)
    whole.update(arr)
    parts = [ColumnSketch("numeric", pa.float64(), frequent=True, extremes=True) for _ in range(3)]
    for i, p in enumerate(parts):
        p.update(arr.slice(i * 10_000, 10_000))
    merged = ColumnSketch("numeric", pa.float64(), frequent=True, extremes=True)
    for p in parts:
        restored = ColumnSketch("numeric", pa.float64(), frequent=True, extremes=True)
        merged.merge(restored.load(p.to_json()))
    assert (merged.rows, merged.nulls, merged.n) == (whole.rows, whole.nulls, whole.n)
    assert (merged.min, merged.max) == (whole.min, whole.max)
    assert merged.mean == pytest.approx(whole.mean, rel=1e-12)
    assert merged.m2 == pytest.approx(whole.m2, rel=1e-9)
    assert merged.hll.estimate() == whole.hll.estimate()
    assert abs(merged.kll.get_quantile(0.5) - np.nanmedian(values)) < 0.5


def test_frequent_summary_is_exact_while_small_and_bounded_after() -> None:
    sk = ColumnSketch("string", pa.string(), frequent=True, extremes=True)
    sk.update(pa.array(["a"] * 50 + ["b"] * 20 + ["c"]))
    assert sk.freq.exact and sk.freq.top(2) == [
        {"value": "a", "count": 50},
        {"value": "b", "count": 20},
    ]
    big = ColumnSketch("numeric", pa.int64(), frequent=True, extremes=True)
    big.update(pa.array(np.concatenate([np.zeros(10_000, np.int64), np.arange(1, 20_000)])))
    assert not big.freq.exact
    top = big.freq.top(1)[0]
    assert top["value"] == 0 and 10_000 - big.freq.error <= top["count"] <= 10_000


def test_identifier_quoting() -> None:
    assert double_quote('Mixed "Case"') == '"Mixed ""Case"""'
    assert backtick("we`ird") == "`we``ird`"
    assert MySQLDialect().literal("it's \\") == "'it''s \\\\'"
    assert PostgresDialect().literal("a\\b") == "E'a\\\\b'"


def test_report_is_self_contained() -> None:
    col = ColumnProfile("x <b>", "int", "int64", "numeric", count=3, nulls=0, distinct=3,
                        histogram=[{"lo": 0, "hi": 1, "count": 2}, {"lo": 1, "hi": 2, "count": 1}],
                        top_values=[{"value": "<script>", "count": 2}])  # fmt: skip
    html = render([TableProfile("c", "t", "auto", row_count=3, columns=[col]).to_json()])
    assert "<svg" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert not re.search(r"https?://", html)


def test_json_form_has_the_documented_keys() -> None:
    j = TableProfile("c", "t", "stream", row_count=0, columns=[
        ColumnProfile("a", "text", "string", "string")]).to_json()  # fmt: skip
    assert {"table", "row_count", "columns", "mode", "approximate"} <= set(j)
    assert j["columns"][0]["null_pct"] == 0.0 and j["columns"][0]["pii"] is None


def test_stddev_of_values_near_the_double_limit_is_the_true_figure() -> None:
    """Squares of 1e300 overflow a double: the stream mode reported a standard deviation of
    inf (and numpy warned "overflow encountered in square") where the truth is finite. The
    moments are kept in units of a power of two near the largest value; merged parts, a
    restored checkpoint and ordinary data give the same figures as before."""
    from fractions import Fraction

    cases = [
        [1.5, -2.5, 0.0, 1e300],
        [1.7e308, 1.6e308, -1.7e308, 1e308],
        [1e-300, 3e-300, 2e-300],
        list(np.random.default_rng(7).normal(50, 10, 999)),
    ]
    for values in cases:
        exact = [Fraction(v) for v in values]
        mean = sum(exact) / len(exact)
        var = sum((x - mean) ** 2 for x in exact) / (len(exact) - 1)
        want = _sqrt_fraction(var)
        whole = ColumnSketch("numeric", pa.float64(), frequent=False, extremes=True)
        with np.errstate(over="raise"):
            whole.update(pa.array(values))
        assert whole.stddev() == pytest.approx(want, rel=1e-9), values[:4]
        assert whole.mean == pytest.approx(float(mean), rel=1e-9)
        merged = ColumnSketch("numeric", pa.float64(), frequent=False, extremes=True)
        for i in range(len(values)):
            part = ColumnSketch("numeric", pa.float64(), frequent=False, extremes=True)
            part.update(pa.array(values[i : i + 1]))
            restored = ColumnSketch("numeric", pa.float64(), frequent=False, extremes=True)
            merged.merge(restored.load(part.to_json()))
        assert merged.stddev() == pytest.approx(want, rel=1e-9), values[:4]
        assert merged.mean == pytest.approx(float(mean), rel=1e-9)


def _sqrt_fraction(x: object) -> float:
    from decimal import Decimal, getcontext

    getcontext().prec = 50
    return float((Decimal(x.numerator) / Decimal(x.denominator)).sqrt())  # type: ignore[attr-defined]
