"""The HTML profile report reads like a report to file (issue 16 c): summary, alerts,
masking per column, figures without Python reprs or float noise, charts as inline SVG —
rendered in headless Chromium (Debian's ``chromium``) to a PNG that must show something,
and never a raw value of a masked column."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from dte_desktop.core.profiling.report import render
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.store import Store
from tests.integration.profiling_helpers import run_profile

N = 599

DDL = f"""
CREATE TABLE customer (customer_id int PRIMARY KEY, store_id smallint NOT NULL,
  first_name text NOT NULL, last_name text NOT NULL, email text, activebool bool NOT NULL,
  create_date date NOT NULL, balance float8, note text, last_update timestamp NOT NULL);
INSERT INTO customer SELECT g, 1 + (g % 7 = 0)::int,
  (ARRAY['MARY','PATRICIA','LINDA','BARBARA','ELIZABETH','JENNIFER'])[1 + g % 6],
  'SURNAME' || (g % 550), 'customer' || g || '@sakilacustomer.org', true, DATE '2006-02-14',
  round((exp((g % 50) / 9.0) * 1.3)::numeric, 2)::float8 + 0.1,
  CASE WHEN g % 5 = 0 THEN 'vip' END,
  TIMESTAMP '2006-02-15 04:57:20' + g * INTERVAL '13 minutes'
FROM generate_series(1, {N}) g;
CREATE TABLE payment_log (staff_id smallint, amount numeric(5,2), paid_on date);
INSERT INTO payment_log SELECT 1 + g % 2, (g % 4) + 0.99, DATE '2005-05-24' + g % 3
FROM generate_series(1, 400) g;
"""


@pytest.fixture
def store():
    s = Store.open()
    yield s
    s.close()


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        msg = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def _screenshot(html_file: Path, png: Path) -> None:
    r = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
         "--window-size=1280,4000", "--hide-scrollbars", f"file://{html_file}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert png.exists(), (r.returncode, r.stderr[-2000:])


def _non_blank(png: Path) -> int:
    """Distinct colours on a grid over the image (a blank page has one)."""
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert not img.isNull() and img.width() == 1280, img.size()
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    return len(colours)


def test_report_reads_like_a_report_in_chromium(pg_url, store, tmp_path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(DDL)
        emails = [r[0] for r in c.execute("SELECT email FROM customer")]
    src = open_source(pg_url)
    try:
        tables = [run_profile(src, store, TableRef("public", t), mode="auto")[1].to_json()
                  for t in ("customer", "payment_log")]  # fmt: skip
    finally:
        src.close()
    cust = {c["name"]: c for c in tables[0]["columns"]}
    assert cust["email"]["masking"]["shown_raw"] is False  # detected PII: the gate masks it

    text = render(tables, "DTE profile — pagila")
    html_file = tmp_path / "report.html"
    html_file.write_text(text, "utf-8")
    png = Path(os.environ.get("DTE_REPORT_PNG", tmp_path / "report.png"))
    _screenshot(html_file, png)
    assert _non_blank(png) > 20

    for repr_mark in ("{'", "['", "{&#x27;", "[&#x27;", "{&quot;"):  # raw or escaped reprs
        assert repr_mark not in text, f"a Python repr in the report: {repr_mark}"
    assert not re.search(r"\d\.\d{9,}", text), re.search(r".{40}\d\.\d{9,}.{20}", text)
    assert not re.search(r"https?://|<script", text, re.I)
    data = html_file.read_bytes()
    leaked = [m for m in emails if m.encode() in data]
    assert not leaked, leaked[:3]
    for heading in ("Summary", "Alerts", "Masking by column", "Columns"):
        assert f">{heading}<" in text, heading
    alerts = re.findall(r'<span class="badge info">([^<]+)</span> <b>([^<]*)</b>', text)
    kinds = {(k, cols) for k, cols in alerts}
    assert ("PII", "email") in kinds
    assert ("constant", "activebool") in kinds and ("constant", "create_date") in kinds
    assert ("nulls", "note") in kinds
    assert ("cardinality", "last_name") in kinds
    assert ("skew", "balance") in kinds
    assert "duplicates</span> 388 duplicate rows" in text, "payment_log: 12 distinct rows of 400"
    # PII listed once per type, with every column it was found in.
    assert text.count("email detected in 1 column") == 1
    # Every column's masking is stated, from the gate's decision.
    for t in tables:
        for c in t["columns"]:
            op = c["masking"]["operator"]
            assert re.search(
                rf"<td>{re.escape(c['name'])}</td><td>[^<]*</td><td>[^<]*</td>"
                rf"<td><span[^>]*>[a-z]+</span> {re.escape(op)}</td>",
                text,
            ), c["name"]
    assert text.count("<svg") >= 10
