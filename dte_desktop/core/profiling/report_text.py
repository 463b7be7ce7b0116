"""How the HTML report writes figures: numbers rounded to what they mean (no float noise
such as ``90.69999999999999``), thousands separated, exact decimals kept digit for digit,
timestamps as dates and times, and every structured figure (lengths, outliers, special
values) as a sentence — never a Python repr."""

from __future__ import annotations

import html
import math
import re
from typing import Any

SIGNIFICANT = 6  # a float keeps this many significant digits
MAX_DECIMALS = 8  # and never more decimals than this (below 1e-4: scientific notation)
_DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
_ISO = re.compile(r"^(\d{4,}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)(.*)$")


def e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def number(v: Any) -> str:
    """A number for reading: ``1,234,567``, ``90.7``, ``0.00012346``, ``1.0000e+26``;
    an exact decimal given as text keeps every digit (grouped)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
        a = abs(v)
        if a == 0:
            return "0"
        if a >= 1e15 or a < 1e-4:
            return f"{v:.4e}"
        if v == int(v):
            return f"{int(v):,}"
        decimals = min(MAX_DECIMALS, max(0, SIGNIFICANT - 1 - math.floor(math.log10(a))))
        return f"{v:,.{decimals}f}".rstrip("0").rstrip(".")
    if isinstance(v, str) and _DECIMAL_TEXT.match(v):
        whole, _, frac = v.partition(".")
        sign = "-" if whole.startswith("-") else ""
        grouped = f"{int(whole.lstrip('-')):,}"
        return f"{sign}{grouped}" + (f".{frac}" if frac else "")
    return str(v)


def value(v: Any) -> str:
    """A figure of the column's own type (min, max, a quantile, a top value) as text."""
    if v is None:
        return "—"
    if isinstance(v, str):
        m = _ISO.match(v)
        if m:  # ISO 'T' as a space; trailing zeros of the fraction dropped
            clock = m.group(2).rstrip("0").rstrip(".") if "." in m.group(2) else m.group(2)
            return f"{m.group(1)} {clock}{m.group(3)}"
        return number(v) if _DECIMAL_TEXT.match(v) else v
    return number(v)


def pct(part: float, whole: float) -> str:
    if not whole:
        return "0 %"
    p = 100.0 * part / whole
    if p == 0 or p == 100:
        return f"{p:.0f} %"
    if p < 0.1:
        return "< 0.1 %"
    if p > 99.9:
        return "> 99.9 %"
    return f"{p:.1f} %"


def share(x: float) -> str:
    """A share in [0, 1] as a percentage."""
    return pct(x, 1.0)


def length_text(length: dict[str, Any] | None) -> str | None:
    if not length or length.get("min") is None:
        return None
    lo, hi, mean = length.get("min"), length.get("max"), length.get("mean")
    span = number(lo) if lo == hi else f"{number(lo)}–{number(hi)}"
    mean_text = f" (mean {number(round(float(mean), 1))})" if mean is not None else ""
    return f"{span} characters{mean_text}"


def outliers_text(o: dict[str, Any] | None) -> str | None:
    if not o:
        return None
    low, high = o.get("low"), o.get("high")
    if low is None and high is None:
        return None
    text = f"{number(low or 0)} below, {number(high or 0)} above the 1.5 × IQR fences"
    if o.get("lo_fence") is not None and o.get("hi_fence") is not None:
        text += f" ({value(o['lo_fence'])} – {value(o['hi_fence'])})"
    return text


def specials_text(special: dict[str, int] | None) -> str | None:
    if not special:
        return None
    return ", ".join(f"{e_label}: {number(n)}" for e_label, n in special.items())


def masking_text(m: dict[str, Any] | None) -> str:
    """What the privacy gate does with the column's values, in a phrase."""
    if not m:
        return "not decided"
    if m.get("shown_raw"):
        return "shown as is (keep)"
    return f"masked: {m.get('operator', '?')}; raw figures withheld"
