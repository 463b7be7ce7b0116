"""Value shapes (``Aaaa 99``, ``999-99-9999``) and the inferred semantic type of a column.

Shapes map upper-case letters to ``A``, lower-case (and caseless) letters to ``a``, digits to
``9`` and keep punctuation and single spaces. A run of five or more of one class collapses to
``A+``/``a+``/``9+`` so that words of different lengths share a shape while short fixed-width
codes (SSNs, postcodes, phone groups) keep their exact width. All of it is vectorised with
Arrow's RE2 kernels: no Python loop over values.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

MAX_PATTERN_CHARS = 40
LONG_RUN = 5


def _as_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return arr.cast(pa.string())
    if pa.types.is_string(t):
        return arr
    return arr.cast(pa.string())


def shapes(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The shape of each value (null stays null)."""
    s = _as_text(values)
    s = pc.replace_substring_regex(s, r"\s+", " ")
    s = pc.replace_substring_regex(s, r"\p{Lu}", "A")
    s = pc.replace_substring_regex(s, r"\p{Nd}", "9")
    # Whatever letters remain are lower-case or caseless (CJK, Arabic …).
    s = pc.replace_substring_regex(s, r"[^A9\P{L}]", "a")
    for ch in ("A", "a", "9"):
        s = pc.replace_substring_regex(s, f"{ch}{{{LONG_RUN},}}", f"{ch}+")
    long = pc.greater(pc.utf8_length(s), MAX_PATTERN_CHARS)
    cut = pc.binary_join_element_wise(pc.utf8_slice_codeunits(s, 0, MAX_PATTERN_CHARS), "…", "")
    return pc.if_else(long, cut, s)


def shape_of(value: str) -> str:
    """One value's shape (convenience for callers outside the hot path)."""
    return shapes(pa.array([value], pa.string()))[0].as_py()


def pattern_shares(values: pa.Array | pa.ChunkedArray, top: int = 10) -> list[dict[str, Any]]:
    """The ``top`` most common shapes among non-null values, with their share (0..1)."""
    s = shapes(values).drop_null()
    total = len(s)
    if total == 0:
        return []
    vc = pc.value_counts(s)
    pats, counts = vc.field("values"), vc.field("counts")
    order = pc.sort_indices(
        pa.table({"c": counts, "p": pats}), sort_keys=[("c", "descending"), ("p", "ascending")]
    )
    out = []
    for i in order.to_pylist()[:top]:
        out.append({"pattern": pats[i].as_py(), "share": round(counts[i].as_py() / total, 4)})
    return out


def semantic_type(
    kind: str,
    db_type: str,
    *,
    non_null: int,
    distinct: int | None,
    pii_type: str | None,
    patterns: list[dict[str, Any]],
    mean_length: float | None,
) -> str:
    """A coarse label for people reading the profile; never drives masking on its own."""
    low_type = db_type.lower()
    if non_null == 0:
        return "empty"
    if distinct == 1:
        return "constant"
    if pii_type:
        return pii_type
    if "json" in low_type:
        return "json"
    if "uuid" in low_type:
        return "uuid"
    if kind == "boolean":
        return "boolean"
    if kind == "temporal":
        return "date" if low_type == "date" or low_type.startswith("date ") else "datetime"
    if kind in ("binary", "nested"):
        return kind
    unique = distinct is not None and distinct >= non_null
    if kind == "numeric":
        integer = any(w in low_type for w in ("int", "serial")) or low_type in ("integer", "")
        if unique and integer:
            return "identifier"
        if distinct is not None and distinct <= 20:
            return "categorical"
        return "numeric"
    top = patterns[0] if patterns else None
    if top and top["pattern"] == "a+a+-aaaa-aaaa-aaaa-a+" and top["share"] > 0.9:
        return "uuid"
    if distinct is not None and (distinct <= 50 or distinct <= 0.01 * non_null):
        return "categorical"
    if mean_length is not None and mean_length > 40:
        return "free_text"
    if unique:
        return "identifier"
    return "text"
