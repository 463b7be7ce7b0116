"""Inline SVG charts for the HTML report (no script, no network): a histogram with its
axis, top values as bars, and a completeness bar. Every label goes through
``report_text`` so a chart shows the same rounded figures as the tables."""

from __future__ import annotations

from typing import Any

from dte_desktop.core.profiling.report_text import e, number, pct, value

BAR = "#3b6ea8"
TOP = "#5f8f4e"
NULL = "#c9ced6"
AXIS = "#667"


def histogram_svg(bins: list[dict[str, Any]], width: int = 380, height: int = 150) -> str:
    if not bins:
        return ""
    top = max(b["count"] for b in bins) or 1
    left, bottom, plot_h = 44, 34, height - 44
    plot_w = width - left - 8
    w = plot_w / len(bins)
    parts = [
        f'<line x1="{left}" y1="{10 + plot_h}" x2="{width - 8}" y2="{10 + plot_h}" '
        f'stroke="{AXIS}"/>',
        f'<line x1="{left}" y1="10" x2="{left}" y2="{10 + plot_h}" stroke="{AXIS}"/>',
        f'<text x="{left - 4}" y="16" text-anchor="end">{number(top)}</text>',
        f'<text x="{left - 4}" y="{10 + plot_h}" text-anchor="end">0</text>',
    ]
    for i, b in enumerate(bins):
        h = plot_h * b["count"] / top
        title = f"{value(b['lo'])} – {value(b['hi'])}: {number(b['count'])} rows"
        parts.append(
            f'<rect x="{left + i * w + 0.5:.1f}" y="{10 + plot_h - h:.1f}" '
            f'width="{max(w - 1.5, 1):.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{e(title)}</title></rect>"
        )
    lo, hi = value(bins[0]["lo"]), value(bins[-1]["hi"])
    y = height - bottom + 22
    parts.append(f'<text x="{left}" y="{y}">{e(lo)}</text>')
    parts.append(f'<text x="{width - 8}" y="{y}" text-anchor="end">{e(hi)}</text>')
    caption = f"{len(bins)} equal-width bin{'s' * (len(bins) > 1)}"
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{y + 12}" text-anchor="middle" '
                 f'class="cap">{caption}</text>')  # fmt: skip
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="histogram">{"".join(parts)}</svg>'
    )


def top_values_svg(top: list[dict[str, Any]], non_null: int, width: int = 380) -> str:
    if not top:
        return ""
    row, label = 18, 165
    most = max(t["count"] for t in top) or 1
    parts = []
    for i, t in enumerate(top):
        y = i * row
        w = (width - label - 95) * t["count"] / most
        text = value(t["value"])
        short = text if len(text) <= 24 else text[:23] + "…"
        parts.append(
            f'<text x="{label - 6}" y="{y + 13}" text-anchor="end"><title>{e(text)}</title>'
            f"{e(short)}</text>"
            f'<rect x="{label}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 6}" '
            f'fill="{TOP}"/>'
            f'<text x="{label + w + 5:.1f}" y="{y + 13}">{number(t["count"])} '
            f"({pct(t['count'], non_null)})</text>"
        )
    return (
        f'<svg width="{width}" height="{row * len(top) + 4}" role="img" '
        f'aria-label="top values">{"".join(parts)}</svg>'
    )


def completeness_svg(rows: int, nulls: int, width: int = 380) -> str:
    if not rows:
        return ""
    filled = width * (rows - nulls) / rows
    return (
        f'<svg width="{width}" height="12" role="img" aria-label="completeness">'
        f'<rect x="0" y="0" width="{width}" height="12" fill="{NULL}"/>'
        f'<rect x="0" y="0" width="{filled:.1f}" height="12" fill="{BAR}"/>'
        f"<title>{e(pct(rows - nulls, rows))} filled, {e(pct(nulls, rows))} NULL</title></svg>"
    )
