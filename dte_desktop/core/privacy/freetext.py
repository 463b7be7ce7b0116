"""PII inside free text: spans of e-mail addresses, phone numbers, SSNs, cards, IBANs, IP
addresses, URLs and titled or listed person names within longer values.

Candidate spans are found with regular expressions (phones with phonenumbers' own matcher)
and then checked by the same validators the column detectors use, in one vectorised call
per type for all the spans of a column. :func:`text_finding` says whether a column is
``pii_in_text``; :func:`mask_spans` replaces only the spans and keeps the rest of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.privacy import _arrow_text as at
from dte_desktop.core.privacy import _checks as ck
from dte_desktop.core.privacy import _checks_ids as ids
from dte_desktop.core.privacy import _words

#: Share of the examined rows that must hold a span for the column to be flagged.
MIN_TEXT_SHARE = 0.2

_SPAN_RE: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"[\w.%+'\-]+@[^\s@<>(),;:\"\[\]]+\.[\w\-]*\w"),
    "ssn": re.compile(r"(?<![\d-])\d{3}([-. ])\d{2}\1\d{4}(?![\d-])"),
    "payment_card": re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"),
    "ip_address": re.compile(
        r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])|(?<![\w:])[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])"
    ),
    "url": re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]"),
}
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mx)\.?\s+[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+)?")
_PAIR = re.compile(r"\b([A-Z][a-z'’\-]+)\s+([A-Z][a-z'’\-]+)\b")

_VALIDATE: dict[str, Callable[[pa.Array], np.ndarray]] = {
    "email": ck.email,
    "ssn": lambda a: ck.ssn(a, allow_bare=False),
    "payment_card": ck.payment_card,
    "iban": ck.iban_number,
    "ip_address": lambda a: ck.ip_address(a) & ~ck.version_like(a),
    "url": ids.url,
}
_VALIDATOR_NAMES = {
    "email": "email-validator",
    "phone": "phonenumbers",
    "ssn": "stdnum us.ssn",
    "payment_card": "Luhn",
    "iban": "stdnum iban",
    "ip_address": "ipaddress",
    "url": "urllib",
    "person_name": "titles + name lists",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str


def _phones(text: str, regions: Sequence[str]) -> list[Span]:
    out: list[Span] = []
    for region in dict.fromkeys(r for r in regions if r):
        try:
            for m in phonenumbers.PhoneNumberMatcher(text, region):
                out.append(Span(m.start, m.end, "phone"))
        except Exception:  # noqa: S112 - the matcher's odd corner must not fail the column
            continue
    return out


def _names(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), "person_name") for m in _TITLED.finditer(text)]
    first, sur = _words.first_names(), _words.surnames()
    for m in _PAIR.finditer(text):
        if m.group(1).lower() in first and m.group(2).lower() in sur:
            out.append(Span(m.start(), m.end(), "person_name"))
    return out


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span.start < t.end and t.start < span.end for t in taken)


def find_spans(texts: Sequence[str], regions: Sequence[str] = ("US",)) -> list[list[Span]]:
    """The validated PII spans of each text, non-overlapping, in text order."""
    pending: dict[str, list[tuple[int, int, int]]] = {t: [] for t in _SPAN_RE}
    for row, text in enumerate(texts):
        for pii_type, pattern in _SPAN_RE.items():
            for m in pattern.finditer(text):
                pending[pii_type].append((row, m.start(), m.end()))
    result: list[list[Span]] = [[] for _ in texts]
    for pii_type, found in pending.items():  # most specific first: e-mail before URL
        if not found:
            continue
        ok = _VALIDATE[pii_type](pa.array([texts[r][s:e] for r, s, e in found], pa.string()))
        for (row, s, e), good in zip(found, ok, strict=True):
            span = Span(s, e, pii_type)
            if good and not _overlaps(span, result[row]):
                result[row].append(span)
    for row, text in enumerate(texts):
        for span in _phones(text, regions) + _names(text):
            if not _overlaps(span, result[row]):
                result[row].append(span)
        result[row].sort(key=lambda sp: sp.start)
    return result


def _text_like(values: pa.Array) -> np.ndarray:
    return ck.regex(values, r"\S\s+\S") & (ck.lengths(values) >= 12)


def text_finding(
    uniques: pa.Array, counts: np.ndarray, regions: Sequence[str]
) -> tuple[tuple[str, ...], float, str] | None:
    """(span types, most frequent first; share of rows holding a span; validators) for a
    column of free text, or None when it is not text or too few rows hold PII."""
    if len(uniques) == 0 or not pa.types.is_string(uniques.type):
        return None
    texty = _text_like(uniques)
    total = counts.sum()
    if total == 0 or counts[texty].sum() < 0.5 * total:
        return None
    rows = np.nonzero(texty)[0]
    texts = uniques.take(pa.array(rows)).to_pylist()
    spans = find_spans(texts, regions)
    hit_weight, by_type = 0, {}
    for i, row_spans in zip(rows, spans, strict=True):
        if row_spans:
            hit_weight += int(counts[i])
            for t in {sp.type for sp in row_spans}:
                by_type[t] = by_type.get(t, 0) + int(counts[i])
    rate = hit_weight / total
    if rate < MIN_TEXT_SHARE or hit_weight < 2:  # one lucky row is not a pattern
        return None
    types = tuple(sorted(by_type, key=lambda t: (-by_type[t], t)))
    return types, rate, "spans: " + ", ".join(_VALIDATOR_NAMES[t] for t in types)


def mask_spans(
    values: pa.Array | pa.ChunkedArray,
    *,
    regions: Sequence[str] = ("US", "GB"),
    token: str = "[{type}]",  # noqa: S107 - a placeholder, not a password
    whole_cell: bool = False,
    redaction: str = "[REDACTED]",
) -> pa.Array:
    """Each text with its PII spans replaced by ``token`` (``{type}`` names the span's
    type, upper case); with ``whole_cell`` a cell holding any span becomes ``redaction``.
    Text without spans is kept as it is; NULL stays NULL."""
    text = at.to_text(values)
    if text is None:  # nested values have no faithful text: fail closed, as the others do
        return at.all_null(len(at.as_array(values)))
    if not pa.types.is_string(text.type):
        text = text.cast(pa.string())
    uniques = pc.unique(text).drop_null()
    plain = uniques.to_pylist()
    out: list[str] = []
    for value, row_spans in zip(plain, find_spans(plain, regions), strict=True):
        if not row_spans:
            out.append(value)
        elif whole_cell:
            out.append(redaction)
        else:
            pieces, pos = [], 0
            for sp in row_spans:
                pieces += [value[pos : sp.start], token.replace("{type}", sp.type.upper())]
                pos = sp.end
            out.append("".join(pieces) + value[pos:])
    return pa.array(out, pa.string()).take(pc.index_in(text, value_set=uniques))
