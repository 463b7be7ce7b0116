"""Tokens that are not weak (issue 14, "masked values must stay usable and not be weak").

Single characters used to map by a constant shift (``1 -> 8, 2 -> 9 … 0 -> 7``: one known
pair reveals the column); non-ASCII letters folded together (``José``/``Josz`` shared a
token) and emoji passed through unchanged.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import string
import unicodedata

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dte_desktop.core.privacy._fpe as fpe
from dte_desktop.core.privacy.operators import OPERATORS, tokenize

KEY = b"k" * 32
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _tokens(values: list[str], key: bytes = KEY) -> list[str]:
    return tokenize(pa.array(values, pa.string()), key).to_pylist()


def _shifts(raw: str, alphabet: str, key: bytes) -> set[int]:
    tokens = _tokens(list(raw), key)
    return {
        (alphabet.index(t) - alphabet.index(r)) % len(alphabet)
        for r, t in zip(raw, tokens, strict=True)
    }


def test_single_characters_are_not_a_constant_shift() -> None:
    for key in (KEY, b"another key of 32 bytes........."):
        digits = _tokens(list(string.digits), key)
        assert sorted(digits) == list(string.digits)  # still a permutation: joins work
        assert len(_shifts(string.digits, string.digits, key)) > 3
        assert len(_shifts(string.ascii_lowercase, string.ascii_lowercase, key)) > 5
        assert len(_shifts(string.ascii_uppercase, string.ascii_uppercase, key)) > 5


def test_a_lone_symbol_among_separators_is_shuffled_too() -> None:
    letters = string.ascii_lowercase
    values = [f"{c}." for c in letters]
    tokens = _tokens(values)
    assert sorted(tokens) == sorted(values)
    shifts = {
        (letters.index(t[0]) - letters.index(v[0])) % 26
        for v, t in zip(values, tokens, strict=True)
    }
    assert len(shifts) > 5


def test_non_ascii_letters_do_not_fold_together() -> None:
    jose, josz = _tokens(["José", "Josz"])
    assert jose != josz
    assert unicodedata.category(jose[3]) == "Ll" and ord(jose[3]) > 127


def test_emoji_do_not_pass_through() -> None:
    values = ["😀", "😃", "I ❤ NY", "🙂🙂"]
    tokens = _tokens(values)
    assert all(t != v for t, v in zip(tokens, values, strict=True))
    assert len(set(tokens)) == len(values)
    assert all(unicodedata.category(ch)[0] == "S" for ch in tokens[0] + tokens[3])


unicode_words = st.text(
    alphabet=st.characters(
        categories=("Lu", "Ll", "Lo", "Nd", "So"), max_codepoint=0x1FAFF, exclude_characters="\x00"
    ),
    min_size=1,
    max_size=12,
)


@SETTINGS
@given(st.sets(unicode_words, min_size=2, max_size=25))
def test_distinct_unicode_values_get_distinct_tokens(values: set[str]) -> None:
    ordered = sorted(values)
    tokens = _tokens(ordered)
    assert len(set(tokens)) == len(ordered)
    for raw, tok in zip(ordered, tokens, strict=True):
        assert len(tok) == len(raw)
        for a, b in zip(raw, tok, strict=True):
            # Same kind of character (a letter stays a letter of its case, a digit a digit).
            assert unicodedata.category(a)[0] == unicodedata.category(b)[0]


def test_vector_and_scalar_paths_agree_on_unicode(monkeypatch) -> None:
    values = [f"Ünïcødé {i} 漢字 🙂" for i in range(30)] + ["é", "😀", "٣", "ab", "Ł-7"]
    tok = fpe.Tokenizer(KEY, "t")
    together = tok.tokenize_many(values * 2)
    monkeypatch.setattr(fpe, "SCALAR_BELOW", 10**9)
    assert tok.tokenize_many(values * 2) == together
    assert [tok.tokenize(v) for v in values] == together[: len(values)]


def test_ascii_tokens_did_not_change() -> None:
    """Pure-ASCII values of more than one symbol keep the tokens earlier releases wrote,
    so joins with earlier exports keep working."""
    tok = fpe.Tokenizer(b"k" * 32, "")
    assert tok.tokenize_many(["ab", "123-45-6789", "Hello World"]) == EXPECTED_ASCII


EXPECTED_ASCII = ["tt", "269-39-9200", "Nmxvi Kcyik"]  # computed by the previous release


# --- tokens keep the column's type -------------------------------------------------------


def _tok(arr: pa.Array) -> pa.Array:
    return tokenize(arr, KEY)


def test_tokenized_dates_and_timestamps_are_valid_and_keep_their_type() -> None:
    """Today's text tokens of a timestamp read like ``9076-90-87 27:45:23``."""
    dates = pa.array([dt.date(1985, 3, 12), dt.date(2024, 2, 29), None, dt.date(1, 1, 1)])
    out = _tok(dates)
    assert out.type == pa.date32() and out.null_count == 1
    assert all(isinstance(d, dt.date) for d in out.to_pylist() if d is not None)
    # A real date's token is a valid date that cannot equal (nor pass for) a real one.
    assert not dt.date(1900, 1, 1) <= out[0].as_py() <= dt.date(2099, 12, 31)
    assert not dt.date(1900, 1, 1) <= out[1].as_py() <= dt.date(2099, 12, 31)
    for unit, tz in (("s", None), ("ms", None), ("us", "UTC"), ("ns", "Europe/Paris")):
        t = pa.timestamp(unit, tz=tz)
        ts = pa.array([dt.datetime(2020, 11, 2, 3, 4, 5), dt.datetime(2020, 11, 2), None], t)
        out = _tok(ts)
        assert out.type == t
        ints = out.cast(pa.int64()).to_pylist()
        per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
        # Whole seconds stay whole seconds, midnight stays midnight (a date in a timestamp).
        assert ints[0] % per_second == 0 and ints[1] % (86_400 * per_second) == 0
        year = out.cast(pa.timestamp(unit)).cast(pa.date32())[0].as_py().year
        assert not 1900 <= year <= 2099
    times = _tok(pa.array([dt.time(13, 45), dt.time(0, 0, 0, 5)]))
    assert times.type == pa.time64("us") and times.to_pylist()[0] != dt.time(13, 45)


def test_tokenized_integers_stay_integers_without_collisions() -> None:
    """599 customer ids used to collapse to 557 when the text tokens were cast back."""
    ids = pa.array(list(range(1, 600)), pa.int32())
    out = _tok(ids)
    assert out.type == pa.int32()
    tokens = out.to_pylist()
    assert len(set(tokens)) == 599
    assert all(len(str(t)) == len(str(i)) for i, t in zip(ids.to_pylist(), tokens, strict=True))
    assert tokens != ids.to_pylist()
    small = _tok(pa.array([-128, -5, 0, 5, 100, 127], pa.int8())).to_pylist()
    assert all(-128 <= v <= 127 for v in small)
    assert [v < 0 for v in small] == [True, True, False, False, False, False]


def test_equal_values_give_equal_tokens_across_types_and_tables() -> None:
    """Joins keep working: an int64 key, an int32 copy and a varchar copy of it."""
    a = _tok(pa.array([42, 123456, 7], pa.int64())).to_pylist()
    b = _tok(pa.array([7, 42, 123456], pa.int32())).to_pylist()
    c = _tok(pa.array(["123456", "42", "7"])).to_pylist()
    assert sorted(a) == sorted(b) and [str(x) for x in (a[1], a[0], a[2])] == c


def test_floats_decimals_booleans_keep_their_type() -> None:
    floats = pa.array([1.5, -2.25, 0.0, float("nan"), float("inf"), None])
    out = _tok(floats).to_pylist()
    assert _tok(floats).type == pa.float64()
    assert 1 <= out[0] < 2 and -4 < out[1] <= -2  # same sign and binary exponent
    assert math.isnan(out[3]) and out[4] == float("inf") and out[5] is None
    assert _tok(pa.array([1.5], pa.float32())).type == pa.float32()
    # Zero stays zero: a permuted mantissa under exponent 0 is a subnormal (2.6e-309 where a
    # balance was 0.00), no value a real column holds; subnormals themselves stay subnormal.
    assert out[2] == 0.0 and _tok(pa.array([-0.0])).to_pylist() == [-0.0]
    assert 0 < _tok(pa.array([5e-324])).to_pylist()[0] < 2.3e-308
    dec = pa.array([decimal.Decimal("1234.50"), decimal.Decimal("-0.07")], pa.decimal128(6, 2))
    out = _tok(dec)
    assert out.type == pa.decimal128(6, 2) and out.to_pylist() != dec.to_pylist()
    bools = _tok(pa.array([True, False, None]))
    assert bools.type == pa.bool_() and bools.null_count == 1
    assert bools[0].as_py() != bools[1].as_py()


def test_json_documents_stay_valid_json() -> None:
    doc = '{"name": "Ann Smith", "age": 42, "tags": ["vip", true], "score": 2.5, "x": null}'
    out = _tok(pa.array([doc, "[1, 22, 333]", "{not json"])).to_pylist()
    parsed = json.loads(out[0])
    assert set(parsed) == {"name", "age", "tags", "score", "x"}  # keys kept
    assert parsed["name"] != "Ann Smith" and len(parsed["name"]) == len("Ann Smith")
    assert isinstance(parsed["age"], int) and 10 <= parsed["age"] <= 99
    assert isinstance(parsed["tags"][1], bool) and isinstance(parsed["score"], float)
    assert parsed["x"] is None
    assert [len(str(v)) for v in json.loads(out[1])] == [1, 2, 3]
    assert out[2] != "{not json" and out[2].startswith("{")


digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=6).map(lambda s: s) | st.text(
    alphabet="0123456789", min_size=1, max_size=5
).map(lambda s: "-" + s)


@SETTINGS
@given(st.lists(st.integers(-719_162, 2_932_896), min_size=1, max_size=200, unique=True))
def test_day_tokens_are_a_permutation_of_the_type_range(days: list[int]) -> None:
    from dte_desktop.core.privacy._typed import _DAY_MAX, _DAY_MIN, _INNER, TypedTokenizer

    out = TypedTokenizer(KEY).days(days)
    assert len(set(out)) == len(days) and all(_DAY_MIN <= d <= _DAY_MAX for d in out)
    for d, o in zip(days, out, strict=True):
        if _INNER[0] <= d <= _INNER[1]:
            assert not _INNER[0] <= o <= _INNER[1]


@SETTINGS
@given(st.sets(digit_strings, min_size=2, max_size=40))
def test_text_tokens_stay_one_to_one_with_integers_among_them(values: set[str]) -> None:
    """Canonical integers in text map as integers do; other text walks past them, so no two
    values share a token ("-0" and "007" next to "-5" and "7")."""
    ordered = sorted(values)
    tokens = _tokens(ordered)
    assert len(set(tokens)) == len(ordered)
    assert all(len(t) == len(v) for t, v in zip(tokens, ordered, strict=True))


ARROW_TYPES = {
    "int8": (pa.int8(), st.integers(-128, 127)),
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "uint64": (pa.uint64(), st.integers(0, 2**64 - 1)),
    "float32": (pa.float32(), st.floats(width=32)),
    "float64": (pa.float64(), st.floats()),
    "decimal": (pa.decimal128(12, 3), st.decimals(-(10**8), 10**8, places=3)),
    "date32": (pa.date32(), st.dates()),
    "timestamp_ms": (pa.timestamp("ms"), st.datetimes(min_value=dt.datetime(1, 1, 1))),
    "time64": (pa.time64("us"), st.times()),
    "bool": (pa.bool_(), st.booleans()),
    "string": (pa.string(), st.text(max_size=20)),
    "binary": (pa.binary(), st.binary(max_size=10)),
}


@SETTINGS
@given(
    st.sampled_from(sorted(ARROW_TYPES)).flatmap(
        lambda name: st.tuples(
            st.just(name), st.lists(st.one_of(st.none(), ARROW_TYPES[name][1]), max_size=15)
        )
    ),
    st.sampled_from(sorted(OPERATORS)),
)
def test_masked_arrays_keep_their_declared_type(case: tuple[str, list], op: str) -> None:
    """Every operator, on any values of each type: the output type is the declared one,
    the length is kept, NULL stays NULL, and distinct values stay distinct under tokenize."""
    from dte_desktop.core.privacy.masked_types import output_type

    name, values = case
    arrow_type = ARROW_TYPES[name][0]
    arr = pa.array(values, arrow_type)
    out = OPERATORS[op].apply(arr, None, KEY)
    assert out.type == output_type(op, arrow_type)
    assert len(out) == len(arr)
    assert all(o is None for v, o in zip(values, out.to_pylist(), strict=True) if v is None)
    if op == "tokenize" and name not in ("float32", "float64", "bool"):
        distinct = {v for v in arr.to_pylist() if v is not None}
        assert len({o for o in out.to_pylist() if o is not None}) == len(distinct)


def test_iso_dates_in_text_are_tokenized_as_dates() -> None:
    """A VARCHAR holding dates gets valid dates, the same tokens as a DATE column."""
    text = _tok(pa.array(["1985-03-12", "2024-02-29 13:45:07", "2024-02-29T13:45:07.250"]))
    out = text.to_pylist()
    assert dt.date.fromisoformat(out[0]) == _tok(pa.array([dt.date(1985, 3, 12)]))[0].as_py()
    stamp = _tok(pa.array([dt.datetime(2024, 2, 29, 13, 45, 7)], pa.timestamp("s")))[0]
    assert dt.datetime.fromisoformat(out[1]) == stamp.as_py()
    assert out[2][10] == "T" and len(out[2]) == len("2024-02-29T13:45:07.250")
    dt.datetime.fromisoformat(out[2])
    # Not a valid date: text tokens, which never land on a valid ISO date or an integer.
    bad = _tokens(["2024-02-30", "0000-00-00"])
    assert all(len(b) == 10 for b in bad)


iso_like = st.text(alphabet="0123456789", min_size=8, max_size=8).map(
    lambda s: f"{s[:4]}-{s[4:6]}-{s[6:]}"
)


@SETTINGS
@given(st.sets(iso_like | st.dates().map(dt.date.isoformat), min_size=2, max_size=40))
def test_date_like_text_stays_one_to_one(values: set[str]) -> None:
    ordered = sorted(values)
    assert len(set(_tokens(ordered))) == len(ordered)
