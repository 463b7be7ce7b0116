"""A self-contained HTML profile report: inline CSS, inline SVG charts, no JavaScript and no
network reference (air-gapped workstations open it from disk)."""

from __future__ import annotations

import html
from typing import Any

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;text-align:left;
border-bottom:1px solid #eee;font-size:.9em}.col{border:1px solid #ddd;border-radius:6px;
padding:.6em 1em;margin:1em 0}.pii{color:#a00;font-weight:bold}.approx{color:#777}
.charts{display:flex;gap:2em;flex-wrap:wrap}svg text{font-size:10px}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def _num(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    return _e(v)


def histogram_svg(bins: list[dict[str, Any]], width: int = 320, height: int = 120) -> str:
    if not bins:
        return ""
    top = max(b["count"] for b in bins) or 1
    w = width / len(bins)
    bars = []
    for i, b in enumerate(bins):
        h = (height - 20) * b["count"] / top
        title = f"{b['lo']} – {b['hi']}: {b['count']:,}"
        bars.append(
            f'<rect x="{i * w:.1f}" y="{height - 20 - h:.1f}" width="{max(w - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="#4a7ab5"><title>{_e(title)}</title></rect>'
        )
    lo, hi = _e(bins[0]["lo"]), _e(bins[-1]["hi"])
    return (
        f'<svg width="{width}" height="{height}" '
        f'role="img" aria-label="histogram">{"".join(bars)}'
        f'<text x="0" y="{height - 5}">{lo}</text>'
        f'<text x="{width}" y="{height - 5}" text-anchor="end">{hi}</text></svg>'
    )


def top_values_svg(top: list[dict[str, Any]], width: int = 320) -> str:
    if not top:
        return ""
    row, label = 16, 120
    most = max(t["count"] for t in top) or 1
    parts = []
    for i, t in enumerate(top):
        y = i * row
        w = (width - label - 50) * t["count"] / most
        parts.append(
            f'<text x="{label - 4}" y="{y + 11}" text-anchor="end">'
            f"{_e(str(t['value'])[:18])}</text>"
            f'<rect x="{label}" y="{y + 2}" width="{w:.1f}" height="{row - 4}" fill="#7aa56b"/>'
            f'<text x="{label + w + 4:.1f}" y="{y + 11}">{t["count"]:,}</text>'
        )
    return (
        f'<svg width="{width}" height="{row * len(top)}" '
        f'role="img" aria-label="top values">{"".join(parts)}</svg>'
    )


def _column(c: dict[str, Any]) -> str:
    approx = set(c.get("approximate") or [])
    facts = [
        ("type", c["type"]), ("semantic type", c.get("semantic_type")),
        ("nulls", f"{_num(c['nulls'])} ({c['null_pct']:.2f} %)"),
        ("distinct", ("≈ " if c["distinct_approx"] else "") + _num(c["distinct"])),
        ("uniqueness", c.get("uniqueness")), ("min", c["min"]), ("max", c["max"]),
        ("mean", c["mean"]), ("stddev", c["stddev"]), ("zeros", c.get("zeros")),
        ("negatives", c.get("negatives")), ("length", c.get("length")),
        ("outliers (IQR)", c.get("outliers")),
        ("classification", f"{c['classification']} — {c.get('classification_reason', '')}"),
    ]  # fmt: skip
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_num(v)}</td></tr>" for k, v in facts if v is not None
    )
    if c.get("quantiles"):
        q = ", ".join(f"{k}={_num(v)}" for k, v in c["quantiles"].items())
        mark = " (approx.)" if "quantiles" in approx else ""
        rows += f"<tr><th>quantiles{mark}</th><td>{_e(q)}</td></tr>"
    if c.get("patterns"):
        pats = ", ".join(f"{p['pattern']} ({100 * p['share']:.1f} %)" for p in c["patterns"][:6])
        rows += f"<tr><th>patterns</th><td><code>{_e(pats)}</code></td></tr>"
    pii = ""
    if c.get("pii"):
        p = c["pii"]
        pii = (
            f' <span class="pii">PII: {_e(p["type"])} (match {p["match_rate"]:.0%}, '
            f"confidence {p['confidence']:.2f})</span>"
        )
    note = f'<p class="approx">approximate: {_e(", ".join(sorted(approx)))}</p>' if approx else ""
    charts = histogram_svg(c.get("histogram") or []) + top_values_svg(c.get("top_values") or [])
    return (
        f'<div class="col"><h3>{_e(c["name"])}{pii}</h3><div class="charts"><table>{rows}'
        f"</table><div>{charts}</div></div>{note}</div>"
    )


def render(tables: list[dict[str, Any]], title: str = "DTE profile") -> str:
    """The report for profiles as produced by ``TableProfile.to_json()``."""
    body = [f"<h1>{_e(title)}</h1>"]
    for t in tables:
        dup = ("≈ " if t.get("duplicate_rows_approx") else "") + _num(t.get("duplicate_rows"))
        body.append(
            f"<h2>{_e(t['connection'])} · {_e(t['table'])}</h2><table>"
            f"<tr><th>rows</th><td>{_num(t['row_count'])}</td></tr>"
            f"<tr><th>mode</th><td>{_e(t['mode'])}</td></tr>"
            f"<tr><th>duplicate rows</th><td>{dup}</td></tr>"
            f"<tr><th>candidate keys</th><td>{_e(', '.join(t['candidate_keys']) or '—')}</td></tr>"
            f"<tr><th>sample</th><td>{_num(t['sample_rows'])} rows, "
            f"{_e(t['sample_method'])}</td></tr>"
            f"<tr><th>profiled</th><td>{_e(t['started_at'])} in {t['elapsed_s']:.1f} s</td></tr>"
            "</table>"
        )
        body.extend(_column(c) for c in t["columns"])
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>"
    )
