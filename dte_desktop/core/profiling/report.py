"""A self-contained HTML profile report, written to be filed by a reviewer: a summary of
every table, the alerts (PII, duplicates, failed figures, constant and mostly-NULL
columns, high cardinality, skew), the masking each column gets from the privacy gate, and
per column its figures and charts. Inline CSS and SVG only: no JavaScript and no network
reference (air-gapped workstations open it from disk).

It is rendered from ``TableProfile.to_json()`` *after* the gate has screened it, so a masked
column's raw figures are not here to print; top values a gate has turned into shapes are
aggregated (one line per shape)."""

from __future__ import annotations

from typing import Any

from dte_desktop.core.profiling.report_alerts import Alert, table_alerts
from dte_desktop.core.profiling.report_charts import (
    completeness_svg,
    histogram_svg,
    top_values_svg,
)
from dte_desktop.core.profiling.report_text import (
    e,
    length_text,
    masking_text,
    number,
    outliers_text,
    pct,
    share,
    specials_text,
    value,
)

__all__ = ["histogram_svg", "render", "top_values_svg"]

_CSS = """
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:0;color:#1d2330;background:#f4f5f7}
main{max-width:1180px;margin:0 auto;padding:24px 32px;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;
border-bottom:2px solid #3b6ea8;padding-bottom:4px}h3{font-size:1.05em;margin:0 0 .4em}
.meta{color:#556;font-size:.9em}table{border-collapse:collapse;margin:.4em 0 1em;
font-size:.88em}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #e3e6ea;
vertical-align:top}th{color:#445;font-weight:600;white-space:nowrap}thead th{background:#eef1f5}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:.8em;
font-weight:600;color:#fff}.high{background:#b3261e}.warning{background:#b86e00}
.info{background:#52637a}.masked{background:#6b3fa0}.raw{background:#2e7d32}
.col{border:1px solid #d9dde3;border-radius:6px;padding:12px 16px;margin:14px 0;
break-inside:avoid}.grid{display:grid;grid-template-columns:minmax(0,1fr) 390px;gap:24px}
.grid>table{width:100%;margin:0}.grid>table>tbody>tr>th{width:150px}
table.q td,table.q th{border:0;padding:0 8px 0 0;font-size:.95em}
h3{margin:1.3em 0 .4em}.col h3{margin:0 0 .5em}
.charts h4{margin:.2em 0;font-size:.85em;color:#445}.withheld{color:#6b3fa0;font-style:italic}
.approx{color:#777;font-size:.85em}svg text{font-size:10px;fill:#334}svg .cap{fill:#778}
ul.alerts{list-style:none;padding:0;margin:.4em 0}ul.alerts li{margin:3px 0}
code{font-family:"DejaVu Sans Mono",monospace;font-size:.95em}
"""


def _badge(text: str, cls: str) -> str:
    return f'<span class="badge {cls}">{e(text)}</span>'


def _masked(c: dict[str, Any]) -> bool:
    return not (c.get("masking") or {}).get("shown_raw")


def _tops(c: dict[str, Any]) -> list[dict[str, Any]]:
    """Top values, one line per shown value: a masked column's values arrive as shapes
    (``aaaa@aaaa.aaa``) that many raw values share, so their counts are added up."""
    merged: dict[str, int] = {}
    for t in c.get("top_values") or []:
        key = value(t["value"])
        merged[key] = merged.get(key, 0) + int(t["count"])
    return [{"value": k, "count": n} for k, n in sorted(merged.items(), key=lambda x: -x[1])]


def _summary(tables: list[dict[str, Any]], alerts: list[list[Alert]]) -> str:
    head = ("<thead><tr><th>table</th><th>rows</th><th>columns</th><th>masked</th>"
            "<th>PII columns</th><th>duplicate rows</th><th>candidate keys</th>"
            "<th>alerts</th><th>mode</th></tr></thead>")  # fmt: skip
    rows = []
    for t, al in zip(tables, alerts, strict=True):
        dup = t.get("duplicate_rows")
        dup_text = (
            "not counted"
            if dup is None
            else (("about " if t.get("duplicate_rows_approx") else "") + number(dup))
        )
        masked = sum(_masked(c) for c in t["columns"])
        pii = sum(bool(c.get("pii")) for c in t["columns"])
        high = sum(a.severity == "high" for a in al)
        counts = f"{len(al)}" + (f" ({high} high)" if high else "")
        rows.append(
            f"<tr><td>{e(t['table'])}</td><td class=n>{number(t['row_count'])}</td>"
            f"<td class=n>{len(t['columns'])}</td><td class=n>{masked}</td>"
            f"<td class=n>{pii}</td><td class=n>{e(dup_text)}</td>"
            f"<td>{e(', '.join(t['candidate_keys']) or '—')}</td><td class=n>{counts}</td>"
            f"<td>{e(t['mode'])}</td></tr>"
        )
    return f"<h2>Summary</h2><table>{head}<tbody>{''.join(rows)}</tbody></table>"


def _alerts(al: list[Alert]) -> str:
    if not al:
        return "<p>No alerts.</p>"
    items = []
    for a in al:
        cols = f" <b>{e(', '.join(a.columns))}</b>:" if a.columns else ""
        items.append(f"<li>{_badge(a.severity, a.severity)} {_badge(a.kind, 'info')}{cols} "
                     f"{e(a.text)}</li>")  # fmt: skip
    return f'<ul class="alerts">{"".join(items)}</ul>'


def _masking_table(t: dict[str, Any]) -> str:
    head = ("<thead><tr><th>column</th><th>classification</th><th>PII</th>"
            "<th>masking</th><th>why</th></tr></thead>")  # fmt: skip
    rows = []
    for c in t["columns"]:
        m = c.get("masking") or {}
        pii = c.get("pii")
        pii_text = (
            "—"
            if not pii
            else (f"{pii['type']} ({share(pii.get('match_rate') or 0)} of sampled values)")
        )
        badge = _badge("masked", "masked") if _masked(c) else _badge("shown", "raw")
        rows.append(
            f"<tr><td>{e(c['name'])}</td><td>{e(c.get('classification'))}</td>"
            f"<td>{e(pii_text)}</td><td>{badge} {e(m.get('operator', '—'))}</td>"
            f"<td>{e(m.get('basis', ''))}{': ' if m.get('reason') else ''}"
            f"{e(m.get('reason', ''))}</td></tr>"
        )
    return f"<table>{head}<tbody>{''.join(rows)}</tbody></table>"


def _facts(c: dict[str, Any]) -> list[tuple[str, str]]:
    rows, nulls = c.get("count") or 0, c.get("nulls") or 0
    masked = _masked(c)
    withheld = '<span class="withheld">withheld (masked column)</span>'
    about = "about " if c.get("distinct_approx") else ""
    facts = [
        (
            "type",
            e(c["type"])
            + (
                f" · {e(c['semantic_type'])}"
                if c.get("semantic_type") not in (None, c["type"])
                else ""
            ),
        ),
        ("classification", e(c.get("classification"))),
        ("masking", e(masking_text(c.get("masking")))),
        ("non-NULL", f"{number(rows - nulls)} of {number(rows)} ({pct(rows - nulls, rows)})"),
        ("NULL", f"{number(nulls)} ({pct(nulls, rows)})"),
    ]
    if c.get("distinct") is not None:
        uniq = c.get("uniqueness")
        facts.append(
            (
                "distinct",
                e(about + number(c["distinct"]))
                + (f" ({share(uniq)} of non-NULL values)" if uniq is not None else ""),
            )
        )
    if c.get("min") is not None or c.get("max") is not None:
        facts.append(("min", e(value(c.get("min")))))
        facts.append(("max", e(value(c.get("max")))))
    elif masked and rows > nulls:
        facts.append(("min / max", withheld))
    for key, label in (("mean", "mean"), ("stddev", "standard deviation")):
        if c.get(key) is not None:
            facts.append((label, e(value(c[key]))))
    for key in ("zeros", "negatives"):
        if c.get(key):
            facts.append((key, e(number(c[key]))))
    for label, text in (("length", length_text(c.get("length"))),
                        ("outliers", outliers_text(c.get("outliers"))),
                        ("special values", specials_text(c.get("special_values")))):  # fmt: skip
        if text:
            facts.append((label, e(text)))
    q = c.get("quantiles")
    if q and c.get("min") == c.get("max"):
        q = None  # a constant column: every quantile is its one value
    if q:
        approx = " (estimated)" if "quantiles" in (c.get("approximate") or []) else ""
        texts = {k: value(v) for k, v in q.items()}
        if max(len(t) for t in texts.values()) > 10:  # timestamps: one per line
            inner = "".join(f"<tr><th>{e(k)}</th><td>{e(t)}</td></tr>" for k, t in texts.items())
        else:
            heads = "".join(f"<th>{e(k)}</th>" for k in texts)
            cells = "".join(f"<td>{e(t)}</td>" for t in texts.values())
            inner = f"<tr>{heads}</tr><tr>{cells}</tr>"
        facts.append(("quantiles" + approx, f'<table class="q">{inner}</table>'))
    elif masked and c.get("kind") in ("numeric", "temporal") and rows > nulls:
        facts.append(("quantiles", withheld))
    pats = c.get("patterns") if c.get("kind") == "string" else None
    if pats:
        facts.append(
            (
                "value shapes",
                "<br>".join(
                    f"<code>{e(p['pattern'])}</code> {share(p['share'])}" for p in pats[:5]
                ),
            )
        )
    if c.get("pii"):
        p = c["pii"]
        facts.append(
            (
                "PII",
                e(
                    f"{p['type']}: {share(p.get('match_rate') or 0)} of sampled "
                    f"values match, confidence {share(p.get('confidence') or 0)}"
                ),
            )
        )
    if c.get("error"):
        facts.append(("error", e(c["error"])))
    return facts


def _column(c: dict[str, Any]) -> str:
    rows, nulls = c.get("count") or 0, c.get("nulls") or 0
    facts = "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in _facts(c))
    charts = [f"<h4>completeness</h4>{completeness_svg(rows, nulls)}"]
    if c.get("histogram"):
        approx = " (estimated)" if "histogram" in (c.get("approximate") or []) else ""
        charts.append(f"<h4>distribution{approx}</h4>{histogram_svg(c['histogram'])}")
    tops = _tops(c)
    op = (c.get("masking") or {}).get("operator", "masked")
    label = f"top values, as masked ({op})" if _masked(c) else "top values"
    if "top_values" in (c.get("approximate") or []):
        label += " (estimated)"
    if tops and max(t["count"] for t in tops) > 1:
        charts.append(f"<h4>{e(label)}</h4>{top_values_svg(tops[:10], rows - nulls)}")
    elif tops:
        charts.append(f"<h4>{e(label)}</h4><p class=meta>no value occurs more than once</p>")
    badges = [_badge("masked", "masked") if _masked(c) else _badge("shown", "raw")]
    if c.get("pii"):
        badges.append(_badge(f"PII: {c['pii']['type']}", "high"))
    approx = sorted(set(c.get("approximate") or []))
    note = f'<p class="approx">estimated: {e(", ".join(approx))}</p>' if approx else ""
    return (
        f'<div class="col"><h3>{e(c["name"])} {" ".join(badges)}</h3><div class="grid">'
        f'<table>{facts}</table><div class="charts">{"".join(charts)}</div></div>{note}</div>'
    )


def _table(t: dict[str, Any], al: list[Alert]) -> str:
    dup = t.get("duplicate_rows")
    facts = [
        ("rows", number(t["row_count"])),
        ("columns", number(len(t["columns"]))),
        ("duplicate rows", "not counted in this mode" if dup is None else
         ("about " if t.get("duplicate_rows_approx") else "") + number(dup)),
        ("candidate keys", ", ".join(t["candidate_keys"]) or "—"),
        ("mode", t["mode"]),
        ("sample (shapes, PII)", f"{number(t['sample_rows'])} rows, {t['sample_method']}"),
        ("profiled", f"{value(t['started_at'])} in {number(round(t['elapsed_s'], 1))} s"
                     + (f", job {t['job_id']}" if t.get("job_id") is not None else "")),
    ]  # fmt: skip
    if t.get("approximate"):
        facts.append(("estimated figures", ", ".join(t["approximate"])))
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
    notes = "".join(f"<li>{e(n)}</li>" for n in t.get("notes") or [])
    return (
        f"<h2>{e(t['table'])} <span class=meta>({e(t['connection'])})</span></h2>"
        f"<table>{rows}</table>"
        + (f"<ul class=meta>{notes}</ul>" if notes else "")
        + f"<h3>Alerts</h3>{_alerts(al)}<h3>Masking by column</h3>{_masking_table(t)}"
        + "<h3>Columns</h3>"
        + "".join(_column(c) for c in t["columns"])
    )


def render(tables: list[dict[str, Any]], title: str = "DTE profile") -> str:
    """The report for profiles as produced by ``TableProfile.to_json()`` (gate applied)."""
    alerts = [table_alerts(t) for t in tables]
    started = sorted(t.get("started_at") or "" for t in tables)
    meta = (f"{len(tables)} table{'s' * (len(tables) != 1)}"
            + (f" · profiled {value(started[0])}" if started and started[0] else "")
            + " · figures of masked columns are withheld by the privacy gate")  # fmt: skip
    body = [f"<h1>{e(title)}</h1><p class=meta>{e(meta)}</p>", _summary(tables, alerts)]
    body += [_table(t, al) for t, al in zip(tables, alerts, strict=True)]
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_CSS}</style></head><body><main>{''.join(body)}</main></body></html>"
    )
