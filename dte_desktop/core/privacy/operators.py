"""Masking operators over Arrow arrays, and the registry that names and validates them.

Every operator takes a ``pa.Array`` or ``pa.ChunkedArray`` of any type and returns a
``pa.Array`` of the same length in which NULL stays NULL. Output types:

* ``keep`` returns the input unchanged (same type); ``nullify`` returns all NULL *of the
  input type*, so a writer's schema does not change when a column is nullified.
* ``tokenize`` returns the input's type: integers stay integers (same number of digits,
  no leading zeros), dates valid dates, timestamps valid timestamps, floats, decimals,
  booleans and JSON documents their own kind (``_typed``); binary becomes hex tokens
  (``string``). ``masked_types`` states the rule and says why a type changed, for the
  manifest.
* ``partial``, ``generalize``, ``hash`` and ``redact`` return ``string``. Non-string input
  is first rendered as text (numbers and decimals as Arrow casts them, dates/timestamps
  ISO-8601, binary as lower-case hex) except that ``generalize`` reads numbers and dates
  in their native type.
* nested values (lists, structs, maps, unions) have no faithful text form: ``redact`` gives
  its token for each non-null value and the other masking operators give NULL (fail closed).

Strength order (``OPERATOR_STRENGTH``), weakest first, by what an output still reveals:
``keep`` (everything) < ``partial`` (verbatim characters of each individual value) <
``generalize`` (a coarse bucket shared by many values) < ``tokenize`` (equality, frequency,
length and character layout) < ``hash`` (equality and frequency only) < ``redact`` (only
whether the value was NULL) < ``nullify`` (nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.privacy import _arrow_text as at
from dte_desktop.core.privacy._fpe import derive_key
from dte_desktop.core.privacy._generalize import generalize
from dte_desktop.core.privacy._typed import TypedTokenizer

DEFAULT_REDACTION = at.REDACTION
MIN_KEY_BYTES = 16

ArrayLike = pa.Array | pa.ChunkedArray


def _check_key(key: bytes | None) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"Keyed masking (hash, tokenize) needs the site key: at least {MIN_KEY_BYTES} bytes."
        )
    return bytes(key)


def keep(values: ArrayLike) -> pa.Array:
    return at.as_array(values)


def nullify(values: ArrayLike) -> pa.Array:
    arr = at.as_array(values)
    return pa.nulls(len(arr), type=arr.type)


def redact(values: ArrayLike, *, token: str = DEFAULT_REDACTION) -> pa.Array:
    """Every non-null value becomes ``token``, whatever its type."""
    arr = at.as_array(values)
    valid = pc.is_valid(arr)
    return pc.if_else(valid, pa.scalar(token, pa.string()), pa.scalar(None, pa.string()))


def partial(
    values: ArrayLike,
    *,
    keep_first: int = 0,
    keep_last: int = 4,
    mask_char: str = "*",
    keep_from: str = "",
    keep_separators: bool = False,
    max_visible_fraction: float = 0.5,
) -> pa.Array:
    """Keep the first/last characters, mask the rest with ``mask_char`` (same length).

    Short values would otherwise be shown whole, so at most ``max_visible_fraction`` of a
    value's characters (rounded down) are kept; ``keep_last`` is served first because "last
    four" is the usual convention. ``keep_from="@"`` keeps the text from the last ``@`` on
    verbatim (an email's domain) and applies the rule to what precedes it.
    ``keep_separators`` leaves non-alphanumeric characters of the masked middle in place.
    """
    text = at.to_text(values)
    if text is None:
        return at.all_null(len(at.as_array(values)))
    tail = pa.array([""] * len(text), pa.string()) if len(text) else pa.array([], pa.string())
    head = text
    if keep_from:
        parts = pc.extract_regex(text, rf"(?s)^(?P<head>.*)(?P<tail>{re.escape(keep_from)}.*)$")
        found = pc.fill_null(pc.is_valid(parts), False)
        head = pc.if_else(found, parts.field("head"), text)
        tail = pc.if_else(found, parts.field("tail"), "")
    n_chars = at.lengths(head)
    budget = np.floor(n_chars * max_visible_fraction).astype(np.int64)
    kl = np.minimum(keep_last, budget)
    kf = np.minimum(keep_first, budget - kl)
    replacement = mask_char.replace("\\", "\\\\")

    def mask_group(rows: pa.Array, code: int) -> pa.Array:
        first, last = divmod(code, 1_000)
        prefix = at.slice_text(rows, 0, first)
        rest = at.slice_text(rows, first)
        if last:
            suffix, middle = at.slice_text(rest, -last), at.slice_text(rest, 0, -last)
        else:
            suffix, middle = at.slice_text(rest, 0, 0), rest
        if keep_separators:
            masked = pc.replace_substring_regex(middle, r"[\p{L}\p{N}]", replacement)
        else:
            # Repeating the mask character is several times faster than a regex replace.
            masked = pc.binary_repeat(mask_char, pc.utf8_length(middle))
        return pc.binary_join_element_wise(prefix, masked, suffix, "")

    head_masked = at.grouped(head, kf * 1_000 + kl, mask_group)
    return pc.binary_join_element_wise(head_masked, tail, "")


def hmac_hash(values: ArrayLike, key: bytes, *, length: int = 16) -> pa.Array:
    """HMAC-SHA-256 of the value's UTF-8 text under a sub-key of the site key, as the first
    ``length`` hex characters. Deterministic per key, so hashed columns still join; the
    text rendering means ``42`` and ``"42"`` hash alike, which is what cross-table joins
    between an integer key and a varchar copy of it need."""
    subkey = derive_key(_check_key(key), "hash")
    text = at.to_text(values)
    if text is None:
        return at.all_null(len(at.as_array(values)))

    def digest(value: object) -> str:
        data = str(value).encode("utf-8")
        return hmac.new(subkey, data, hashlib.sha256).hexdigest()[:length]

    return at.map_unique(text, digest, pa.string())


def tokenize(values: ArrayLike, key: bytes, *, tweak: str = "") -> pa.Array:
    """Deterministic, keyed, format-preserving tokens of the column's own type (see
    ``_typed`` for each type and ``_fpe`` for the construction and its limits). ``tweak``
    separates token spaces (e.g. per project) under one key."""
    return TypedTokenizer(_check_key(key), tweak).arrow(values)


# --- registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    default: Any
    check: Callable[[Any], bool]
    expect: str


def _int_in(lo: int, hi: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def _str_len(lo: int, hi: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and lo <= len(v) <= hi


def _one_of(*options: str) -> Callable[[Any], bool]:
    return lambda v: v in options


def _positive_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1e18


def _fraction(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 1


@dataclass(frozen=True)
class Operator:
    name: str
    strength: int
    needs_key: bool
    output: str
    params: Mapping[str, Param] = field(default_factory=dict)
    run: Callable[..., pa.Array] = keep
    #: The operator reads the column's PII type (``generalize``: a birth date becomes its
    #: year, a phone its area code); the others mask every type alike.
    takes_pii_type: bool = False

    def validate(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Complete ``params`` with defaults; ``ConfigError`` names what is wrong."""
        given = dict(params or {})
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            allowed = ", ".join(sorted(self.params)) or "none"
            raise ConfigError(
                f"Operator {self.name!r} has no parameter {', '.join(unknown)} "
                f"(allowed: {allowed})."
            )
        out: dict[str, Any] = {}
        for pname, spec in self.params.items():
            value = given.get(pname, spec.default)
            if not spec.check(value):
                raise ConfigError(
                    f"Operator {self.name!r}: parameter {pname} = {value!r} is invalid; "
                    f"expected {spec.expect}."
                )
            out[pname] = value
        return out

    def apply(
        self,
        values: ArrayLike,
        params: Mapping[str, Any] | None = None,
        key: bytes | None = None,
        *,
        pii_type: str | None = None,
    ) -> pa.Array:
        checked = self.validate(params)
        if self.takes_pii_type and pii_type:
            checked["pii_type"] = pii_type.lower()
        if self.needs_key:
            return self.run(values, _check_key(key), **checked)
        return self.run(values, **checked)


def _mask_spans(values: ArrayLike, *, whole_cell: bool, token: str) -> pa.Array:
    """Free text with only its PII spans replaced (``token``, ``{type}`` naming the span),
    or, with ``whole_cell``, every cell holding a span redacted."""
    from dte_desktop.core.privacy.freetext import mask_spans

    return mask_spans(values, whole_cell=whole_cell, token=token, redaction=DEFAULT_REDACTION)


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("keep", 0, False, "input type", {}, keep),
        Operator(
            "partial",
            1,
            False,
            "string",
            {
                "keep_first": Param(0, _int_in(0, 64), "an integer 0..64"),
                "keep_last": Param(4, _int_in(0, 64), "an integer 0..64"),
                "mask_char": Param("*", _str_len(1, 1), "a single character"),
                "keep_from": Param("", _str_len(0, 1), "empty or a single character"),
                "keep_separators": Param(False, lambda v: isinstance(v, bool), "true or false"),
                "max_visible_fraction": Param(0.5, _fraction, "a number in [0, 1)"),
            },
            partial,
        ),
        Operator(
            "generalize",
            3,
            False,
            "string",
            {
                "date_unit": Param("month", _one_of("month", "year"), '"month" or "year"'),
                "bucket_width": Param(10, _positive_number, "a positive number"),
                "bucket_label": Param("range", _one_of("range", "lower"), '"range" or "lower"'),
                "prefix_length": Param(3, _int_in(0, 64), "an integer 0..64"),
            },
            generalize,
            takes_pii_type=True,
        ),
        Operator(
            "mask_spans",
            2,
            False,
            "string",
            {
                "whole_cell": Param(False, lambda v: isinstance(v, bool), "true or false"),
                "token": Param("[{type}]", _str_len(1, 64), "1..64 characters"),
            },
            _mask_spans,
        ),
        Operator(
            "tokenize",
            4,
            True,
            "input type",
            {"tweak": Param("", _str_len(0, 64), "a string of at most 64 characters")},
            tokenize,
        ),
        Operator(
            "hash",
            5,
            True,
            "string",
            {"length": Param(16, _int_in(8, 64), "an integer 8..64 (hex characters)")},
            hmac_hash,
        ),
        Operator(
            "redact",
            6,
            False,
            "string",
            {"token": Param(DEFAULT_REDACTION, _str_len(1, 64), "1..64 characters")},
            redact,
        ),
        Operator("nullify", 7, False, "input type", {}, nullify),
    )
}

OPERATOR_STRENGTH: dict[str, int] = {name: op.strength for name, op in OPERATORS.items()}


def get_operator(name: str) -> Operator:
    try:
        return OPERATORS[name]
    except (KeyError, TypeError):
        allowed = ", ".join(sorted(OPERATORS, key=OPERATOR_STRENGTH.__getitem__))
        raise ConfigError(
            f"Unknown masking operator {name!r}; expected one of: {allowed}."
        ) from None


def apply_operator(
    name: str,
    values: ArrayLike,
    params: Mapping[str, Any] | None = None,
    key: bytes | None = None,
    *,
    pii_type: str | None = None,
) -> pa.Array:
    return get_operator(name).apply(values, params, key, pii_type=pii_type)


def loosening_reason(name: str, base: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """Why ``new`` params reveal more than ``base`` params of the same operator, or None.

    Only parameters that change what is revealed are compared; a different mask character,
    redaction token, hash length or tokenize tweak reveals nothing more.
    """
    op = get_operator(name)
    b, n = op.validate(base), op.validate(new)
    if name == "partial":
        for p in ("keep_first", "keep_last", "max_visible_fraction"):
            if n[p] > b[p]:
                return f"{p} {b[p]} -> {n[p]} shows more characters"
        if n["keep_from"] and n["keep_from"] != b["keep_from"]:
            return f"keep_from {b['keep_from']!r} -> {n['keep_from']!r} shows more text"
        if n["keep_separators"] and not b["keep_separators"]:
            return "keep_separators would show separators"
    if name == "mask_spans" and b["whole_cell"] and not n["whole_cell"]:
        return "whole_cell true -> false shows the text around the PII"
    if name == "generalize":
        if n["bucket_width"] < b["bucket_width"]:
            return f"bucket_width {b['bucket_width']} -> {n['bucket_width']} is finer"
        if b["date_unit"] == "year" and n["date_unit"] == "month":
            return "date_unit year -> month is finer"
        if n["prefix_length"] > b["prefix_length"]:
            return f"prefix_length {b['prefix_length']} -> {n['prefix_length']} shows more"
    return None


def tightest(name: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters of ``name`` revealing no more than either ``a`` or ``b``: per parameter
    that changes what is shown, the stricter value (the ones that reveal nothing, such as a
    mask character or a tweak, come from ``a``)."""
    op = get_operator(name)
    x, y = op.validate(a), op.validate(b)
    out = dict(x)
    if name == "partial":
        for p in ("keep_first", "keep_last", "max_visible_fraction"):
            out[p] = min(x[p], y[p])
        out["keep_from"] = x["keep_from"] if x["keep_from"] == y["keep_from"] else ""
        out["keep_separators"] = x["keep_separators"] and y["keep_separators"]
    if name == "mask_spans":
        out["whole_cell"] = x["whole_cell"] or y["whole_cell"]
    if name == "generalize":
        out["bucket_width"] = max(x["bucket_width"], y["bucket_width"])
        out["date_unit"] = "year" if "year" in (x["date_unit"], y["date_unit"]) else "month"
        out["prefix_length"] = min(x["prefix_length"], y["prefix_length"])
    return out
