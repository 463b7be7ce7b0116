"""Tokens of text (``TypedTokenizer.strings``): text that holds a typed value is tokenized
as that value and written back in its layout, the rest by the string tokenizer.

* a canonical integer (``42``, ``-7``; not ``007``) as the integer, so it joins with an
  integer column holding it;
* an ISO date or timestamp as the date or timestamp (a valid one, the same token as in a
  date or timestamp column), with its separator and digits of the fraction;
* a JSON object or array as JSON: keys and structure kept, each string, number and
  boolean tokenized by its JSON type;
* any other text by the string tokenizer, cycle-walked past the forms above so that no
  two values share a token.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.privacy._typed import _EPOCH, _INT64, _UNIT

if TYPE_CHECKING:
    from dte_desktop.core.privacy._typed import TypedTokenizer

_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]{0,18}")


# What may be a canonical integer, an ISO date or timestamp, or JSON (a superset, matched
# in Arrow's C kernels): only these values are looked at one by one below.
_MAYBE_TYPED = r"(?s)^(?:-?[0-9]|.{4}-.{2}-.{2}(?:$|[T ])|[{\[])"


def _maybe_typed(values: Sequence[str]) -> list[int]:
    arr = pa.array(values, pa.string())
    hit = pc.fill_null(pc.match_substring_regex(arr, _MAYBE_TYPED), False)
    return np.flatnonzero(hit.to_numpy(zero_copy_only=False)).tolist()


def tokenize_strings(self: TypedTokenizer, values: Sequence[str]) -> list[str]:
    out = list(values)
    plain: list[int] = []
    numbers: list[int] = []
    stamps: list[int] = []
    maybe = _maybe_typed(values)
    if len(maybe) < len(values):  # the others are plain text, in their order
        seen = set(maybe)
        plain = [i for i in range(len(values)) if i not in seen]
    for i in maybe:
        v = values[i]
        if _canonical_int(v):
            numbers.append(i)
        elif _iso(v) is not None:
            stamps.append(i)
        elif v[:1] in "{[" and v[:1] and (doc := _json(v)) is not None:
            out[i] = json.dumps(_json_value(self, doc), ensure_ascii=False)
        else:
            plain.append(i)
    plain.sort()
    if numbers:
        for i, m in zip(numbers, self.ints([int(values[i]) for i in numbers]), strict=True):
            out[i] = str(m)
    for i in stamps:
        out[i] = _iso_token(self, values[i])
    # Canonical integers and ISO dates map among themselves (above), so other text must
    # not land on one: cycle-walk it past them, which keeps the mapping one-to-one.
    while plain:
        tokens = self.text.tokenize_many([out[i] for i in plain])
        for i, t in zip(plain, tokens, strict=True):
            out[i] = t
        again = [plain[k] for k in _maybe_typed([out[i] for i in plain])]
        plain = [i for i in again if _canonical_int(out[i]) or _iso(out[i]) is not None]
    return out


def _iso_token(self: TypedTokenizer, text: str) -> str:
    """An ISO date or timestamp in text, tokenized as the date or timestamp it is and
    written back in the same layout (separator, digits of the fraction)."""
    m = _iso(text)
    assert m is not None
    day = (dt.date.fromisoformat(m["date"]) - _EPOCH).days
    new_day = dt.date.fromordinal(_EPOCH.toordinal() + self.days([day])[0]).isoformat()
    if m["time"] is None:
        return new_day
    frac = m["frac"] or ""
    unit = {0: "s", 3: "ms", 6: "us"}[len(frac)]
    per_sec = _UNIT[unit]
    t = dt.time.fromisoformat(m["time"])
    clock = ((t.hour * 60 + t.minute) * 60 + t.second) * per_sec + int(frac or 0)
    c = self.clock([clock], unit)[0]
    secs, sub = divmod(c, per_sec)
    hh, rest = divmod(secs, 3600)
    text_time = f"{hh:02d}:{rest // 60:02d}:{rest % 60:02d}"
    if frac:
        text_time += "." + str(sub).zfill(len(frac))
    return f"{new_day}{m['sep']}{text_time}"


def _json_value(self: TypedTokenizer, v: object) -> object:
    if isinstance(v, dict):
        return {k: _json_value(self, x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_value(self, x) for x in v]
    if isinstance(v, bool):
        return v ^ self.flip
    if isinstance(v, int):
        return self.ints([v], -(10**400), 10**400)[0] if abs(v) < 10**400 else v
    if isinstance(v, float):
        return self.json_float(v)
    if isinstance(v, str):
        return self.strings([v])[0]
    return v


_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:(?P<sep>[T ])(?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d{3}|\d{6}))?)?"
)


def _iso(text: str) -> re.Match[str] | None:
    """A valid ISO date (``YYYY-MM-DD``) or timestamp (``YYYY-MM-DD[ T]HH:MM:SS[.fff[fff]]``)
    in text, else None."""
    m = _ISO.fullmatch(text)
    if m is None:
        return None
    try:
        dt.date.fromisoformat(m["date"])
        if m["time"] is not None:
            dt.time.fromisoformat(m["time"])
    except ValueError:
        return None
    return m


def _canonical_int(text: str) -> bool:
    return bool(_CANONICAL_INT.fullmatch(text)) and _INT64[0] <= int(text) <= _INT64[1]


def _json(text: str) -> object | None:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict | list) else None
