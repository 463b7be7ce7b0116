"""The vectorised paths of the tokenizer (issue 21) give the very tokens of the string
paths they replace: digit matrices against digit strings, NumPy's text assembly against the
plain decode (values ending in U+0000), the Arrow prefilter against the per-value checks."""

from __future__ import annotations

import numpy as np
import pytest

from dte_desktop.core.privacy import _typed
from dte_desktop.core.privacy._fpe import SCALAR_BELOW, Tokenizer, _texts
from dte_desktop.core.privacy._typed import TypedTokenizer
from dte_desktop.core.privacy._typed_text import _canonical_int, _iso, _maybe_typed

KEY = b"k" * 32


@pytest.mark.parametrize("n", [1, SCALAR_BELOW - 1, SCALAR_BELOW, 300])
@pytest.mark.parametrize("width", [1, 2, 7, 19])
def test_digit_matrices_tokenize_as_digit_strings(n: int, width: int) -> None:
    tok = Tokenizer(KEY, "digits")
    rng = np.random.default_rng(width * 1000 + n)
    digits = rng.integers(0, 10, size=(n, width)).astype(np.uint64)
    strings = ["".join(str(d) for d in row) for row in digits.tolist()]
    got = tok.tokenize_digits(digits)
    assert ["".join(str(d) for d in row) for row in got.tolist()] == tok.tokenize_many(strings)


def test_permute_fast_path_equals_the_string_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    offsets = list(range(0, 9_000, 7)) + [8_999]
    fast = TypedTokenizer(KEY).permute("d", offsets, 9_000, 4)
    monkeypatch.setattr(_typed, "_FAST_WIDTH", 0)  # every width takes the string walk
    slow = TypedTokenizer(KEY).permute("d", offsets, 9_000, 4)
    assert fast == slow
    assert sorted(set(fast)) == sorted(fast) and max(fast) < 9_000  # still a permutation


def test_offsets_outside_the_width_take_the_string_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    # A day before the inner range is a negative offset (a masked date of year 1917 failed
    # with "out of bounds for uint64"): the string walk's result, sign and all.
    offsets = [-15998, 3, 99_999]
    got = TypedTokenizer(KEY).permute("d", offsets, 9_000, 4)
    monkeypatch.setattr(_typed, "_FAST_WIDTH", 0)
    assert got == TypedTokenizer(KEY).permute("d", offsets, 9_000, 4)


def test_rows_ending_in_nul_keep_it() -> None:
    cps = np.array([[97, 0], [98, 99]], dtype=np.uint32)
    assert _texts(cps, 2) == ["a\x00", "bc"]
    assert _texts(np.array([[98, 99]], dtype=np.uint32), 2) == ["bc"]


def test_prefilter_keeps_every_value_the_checks_would_take() -> None:
    values = ["0", "-7", "007", "2024-02-29", "2024-02-29T10:00:00", "٢٠٢٤-٠١-٠١", "{", "[1]",
              "x2024-01-01", "hello", "-", "", "a-bc-de-fg", "1234-56-78x"]  # fmt: skip
    maybe = set(_maybe_typed(values))
    for i, v in enumerate(values):
        if _canonical_int(v) or _iso(v) is not None or v[:1] in ("{", "["):
            assert i in maybe, v
    assert values.index("hello") not in maybe and values.index("x2024-01-01") not in maybe


def test_long_groups_in_parts_tokenize_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from dte_desktop.core.privacy import _fpe

    values = [f"Name {i:032x}" for i in range(500)] + [f"x{i}" for i in range(20)]
    whole = Tokenizer(KEY).tokenize_many(values)
    monkeypatch.setattr(_fpe, "_PART_SYMBOLS", 64)  # parts of 8 rows (SCALAR_BELOW)
    assert Tokenizer(KEY).tokenize_many(values) == whole
