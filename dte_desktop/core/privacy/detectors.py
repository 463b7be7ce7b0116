"""PII detection on a column's sampled values plus its name.

Rules of evidence:

* Placeholders (``N/A``, ``unknown``, ``000``, ``-``) are set aside first: the share of
  matching values is computed over the values that are *not* junk, so a quarter of
  placeholders does not hide a phone column. The finding reports how many were set aside.
* Values decide; a column name only helps. A type recognisable by its values needs at least
  ``min_match_rate`` (0.8) of the examined values to pass its validator, or
  ``hinted_match_rate`` (0.6) when the column name also says so.
* Dates of birth and person names are found from the values alone when the values are strong
  evidence (dates spread over decades of adults' lives; given name + family name from the
  shipped name lists); a name hint accepts weaker evidence (``first_name`` holding ``alice``).
* Shapes with no checksum (US passport, driver licence, bank account, user name, random
  tokens, nine bare digits as SSN, phones that only look like phones) count only with a hint,
  and a name that says the column is something else (``business_no``, ``version``) rules a
  type out.
* A column whose values are text with PII inside (``notes`` mentioning an e-mail address) is
  ``pii_in_text`` with the span types in ``detail`` (:mod:`.freetext`).
* ``match_rate`` is weighted by how often each value occurs; ``confidence`` is the Wilson
  95 % lower bound of the rate over the *distinct* values examined, raised a little by a name
  hint, capped for a weak hint and for shape-only evidence.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.privacy import _arrow_text as at
from dte_desktop.core.privacy._candidates import Candidate, candidates
from dte_desktop.core.privacy._checks_text import junk
from dte_desktop.core.privacy._hints import name_hint, name_tokens, national_schemes, ruled_out
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.freetext import text_finding
from dte_desktop.core.privacy.levels import PII_TYPES, SUGGESTED_LEVEL

__all__ = [
    "PII_TYPES", "SUGGESTED_LEVEL", "PiiFinding", "detect_all", "detect_columns", "detect_pii",
    "name_hint", "name_tokens",
]  # fmt: skip

MIN_MATCH_RATE = 0.8
HINTED_MATCH_RATE = 0.6
MAX_DISTINCT = 5_000


@dataclass(frozen=True)
class PiiFinding:
    type: str
    match_rate: float
    confidence: float
    suggested_classification: Level
    sampled: int = 0
    distinct: int = 0
    name_hint: bool = False
    detail: str | None = None
    validator: str = ""
    junk: int = 0
    others: tuple[str, ...] = field(default=())

    @property
    def evidence(self) -> str:
        """One line fit for a profile: share, validator, hint, placeholders set aside."""
        examined = self.sampled - self.junk
        text = f"{self.match_rate:.0%} of {examined} values pass {self.validator or self.type}"
        if self.name_hint:
            text += "; column name agrees"
        if self.junk:
            text += f"; {self.junk} placeholder value(s) set aside"
        return text

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "match_rate": self.match_rate,
            "confidence": self.confidence,
            "validator": self.validator,
            "evidence": self.evidence,
            "name_hint": self.name_hint,
            "junk": self.junk,
        }
        if self.detail:
            out["detail"] = self.detail
        if self.others:
            out["others"] = list(self.others)
        return out


def _wilson_lower(rate: float, n: int, z: float = 1.96) -> float:
    if n == 0:
        return 0.0
    denom = 1 + z * z / n
    centre = rate + z * z / (2 * n)
    spread = z * math.sqrt(max(0.0, rate * (1 - rate) / n + z * z / (4 * n * n)))
    return max(0.0, (centre - spread) / denom)


def _to_arrow(values: pa.Array | pa.ChunkedArray | Sequence[object]) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return at.decode(at.as_array(values))
    return at.from_python(values)


def _distinct(arr: pa.Array, max_distinct: int) -> tuple[pa.Array, np.ndarray, pa.Array | None]:
    """Distinct trimmed non-empty text values, their counts and (for a date or timestamp
    column) the same values in their own type."""
    native = None
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        native, counts = at.value_counts(arr)
        uniques = native.cast(pa.string())
    else:
        text = at.to_text(arr)
        if text is None:
            return pa.array([], pa.string()), np.zeros(0, dtype=np.int64), None
        text = pc.utf8_trim_whitespace(text)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        uniques, counts = at.value_counts(text)
    if len(uniques) > max_distinct:
        uniques, counts = uniques.slice(0, max_distinct), counts[:max_distinct]
        native = native.slice(0, max_distinct) if native is not None else None
    return uniques, np.asarray(counts, dtype=np.int64), native


def _finding(c: Candidate, rate: float, hint: float, n: int, total: int, nj: int) -> PiiFinding:
    confidence = _wilson_lower(rate, n)
    if hint:
        confidence = min(1.0, confidence + 0.1)
    if hint == 0.5:
        confidence = min(confidence, 0.6)
    if c.shape_only:
        confidence = min(confidence, 0.7)
    return PiiFinding(
        type=c.type,
        match_rate=round(rate, 4),
        confidence=round(confidence, 3),
        suggested_classification=SUGGESTED_LEVEL[c.type],
        sampled=total,
        distinct=n,
        name_hint=bool(hint),
        detail=c.detail,
        validator=c.validator,
        junk=nj,
    )


def detect_all(
    values: pa.Array | pa.ChunkedArray | Sequence[object],
    column: str,
    *,
    default_region: str = "US",
    regions: Sequence[str] = (),
    min_match_rate: float = MIN_MATCH_RATE,
    hinted_match_rate: float = HINTED_MATCH_RATE,
    max_distinct: int = MAX_DISTINCT,
) -> list[PiiFinding]:
    """Every PII type the column's values support, most likely first (empty if none).
    The same Arrow values asked twice with the same settings (a profile's patterns step,
    then its privacy gate) are examined once: the detectors are per-value Python."""
    key = None
    if isinstance(values, pa.Array | pa.ChunkedArray):
        key = (id(values), str(column), default_region, tuple(regions), min_match_rate,
               hinted_match_rate, max_distinct)  # fmt: skip
        with _SEEN_LOCK:
            hit = _SEEN.get(key)
        if hit is not None and hit[0] is values:
            return list(hit[1])
    found = _detect_all(values, column, default_region, regions, min_match_rate,
                        hinted_match_rate, max_distinct)  # fmt: skip
    if key is not None:
        with _SEEN_LOCK:
            _SEEN[key] = (values, tuple(found))  # the values held: their id stays theirs
            while len(_SEEN) > _SEEN_MAX:
                _SEEN.pop(next(iter(_SEEN)))
    return found


_SEEN: dict[tuple[Any, ...], tuple[Any, tuple[PiiFinding, ...]]] = {}
_SEEN_MAX = 32  # a wide table's sample columns; oldest first out
_SEEN_LOCK = threading.Lock()


def _detect_all(
    values: pa.Array | pa.ChunkedArray | Sequence[object],
    column: str,
    default_region: str,
    regions: Sequence[str],
    min_match_rate: float,
    hinted_match_rate: float,
    max_distinct: int,
) -> list[PiiFinding]:
    try:
        arr = _to_arrow(values)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return []
    dtype = arr.type
    if at.is_nested(dtype) or pa.types.is_boolean(dtype) or pa.types.is_binary(dtype):
        return []
    if pa.types.is_large_binary(dtype) or pa.types.is_fixed_size_binary(dtype):
        return []
    uniques, counts, native = _distinct(arr, max_distinct)
    if len(uniques) == 0:
        return []
    total = int(counts.sum())
    placeholder = junk(uniques) if native is None else np.zeros(len(uniques), dtype=bool)
    keep = ~placeholder
    if not keep.any():
        return []
    n_junk = int(counts[placeholder].sum())
    uniques = uniques.filter(pa.array(keep))
    native = native.filter(pa.array(keep)) if native is not None else None
    counts = counts[keep]
    examined = int(counts.sum())
    column = str(column)
    hints = {t: name_hint(column, t) for t in PII_TYPES}
    region_list = [default_region, *regions]

    found: list[tuple[tuple[float, float, int], PiiFinding]] = []
    schemes = national_schemes(column)
    for c in candidates(uniques, counts, native, dtype, hints, region_list, schemes):
        hint = hints[c.type]
        if (c.needs_hint and not hint) or ruled_out(column, c.type):
            continue
        rate = float(counts[c.mask].sum()) / examined
        threshold = hinted_match_rate if hint else min_match_rate
        if c.min_rate is not None:
            threshold = max(threshold, c.min_rate)
        if rate < threshold:
            continue
        finding = _finding(c, rate, hint, len(uniques), total, n_junk)
        # The name breaks near ties: nine digits in "routing_number" are a routing number
        # even though they pass a national-ID check as well.
        rank = (rate + 0.1 * hint, float(not c.shape_only), -PII_TYPES.index(c.type))
        found.append((rank, finding))
    if not found:
        text = text_finding(uniques, counts, region_list)
        if text is not None and not ruled_out(column, "pii_in_text"):
            types, rate, validator = text
            level = max((SUGGESTED_LEVEL[t] for t in types), key=_RANK.__getitem__)
            hint = hints["pii_in_text"]
            confidence = min(1.0, _wilson_lower(rate, len(uniques)) + (0.1 if hint else 0.0))
            finding = PiiFinding(
                "pii_in_text", round(rate, 4), round(confidence, 3), level, total,
                len(uniques), bool(hint), ", ".join(types), validator, n_junk,
            )  # fmt: skip
            return [finding]
        return []
    found.sort(key=lambda f: f[0], reverse=True)
    ordered: list[PiiFinding] = []
    for _, f in found:  # a type tried two ways (full names, hinted names) counts once
        if all(o.type != f.type for o in ordered):
            ordered.append(f)
    best = ordered[0]
    others = tuple(f.type for f in ordered[1:])
    return [PiiFinding(**{**best.__dict__, "others": others}), *ordered[1:]]


_RANK = {Level.HRCI: 3, Level.CONFIDENTIAL: 2, Level.PROPRIETARY: 1, Level.PUBLIC: 0}


def detect_pii(
    values: pa.Array | pa.ChunkedArray | Sequence[object],
    column: str,
    *,
    default_region: str = "US",
    regions: Sequence[str] = (),
    min_match_rate: float = MIN_MATCH_RATE,
    hinted_match_rate: float = HINTED_MATCH_RATE,
    max_distinct: int = MAX_DISTINCT,
) -> PiiFinding | None:
    """The most likely PII type of one column, or None. Never raises on odd values."""
    found = detect_all(
        values,
        column,
        default_region=default_region,
        regions=regions,
        min_match_rate=min_match_rate,
        hinted_match_rate=hinted_match_rate,
        max_distinct=max_distinct,
    )
    return found[0] if found else None


def detect_columns(
    data: pa.RecordBatch | pa.Table,
    *,
    columns: Iterable[str] | None = None,
    default_region: str = "US",
    regions: Sequence[str] = (),
) -> dict[str, PiiFinding | None]:
    """``detect_pii`` for each column of a sampled batch or table."""
    names = list(columns) if columns is not None else list(data.schema.names)
    return {
        name: detect_pii(data.column(name), name, default_region=default_region, regions=regions)
        for name in names
    }
