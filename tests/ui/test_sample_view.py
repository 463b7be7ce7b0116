"""The Sample tab: draws in a worker, shows pools, contributions, a chart and the masked
rows with the reason each was chosen; the same seed draws the same rows."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from dte_desktop.core.sampling import STRATEGIES
from dte_desktop.ui.sample_view import WHY_COLUMN, SampleView, shares, why_text
from tests.ui.conftest import select_table

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def raw_ssns(db: str) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT ssn FROM customers WHERE ssn IS NOT NULL")}
    finally:
        con.close()


def draw(qtbot, view: SampleView) -> dict:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.sampled, timeout=60_000) as blocker:
        view.draw_button.click()
        assert not view.draw_button.isEnabled()  # disabled while the worker runs
    qtbot.waitUntil(view.draw_button.isEnabled, timeout=5_000)
    return blocker.args[0]


def test_sample_tab_draws_a_masked_explained_repeatable_sample(qtbot, window) -> None:
    view = window.sample_view
    select_table(qtbot, window, "customers")
    assert view.ref is not None and view.ref.name == "customers"
    window.tabs.setCurrentWidget(view)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Sample"
    assert window.tabs.tabText(window.tabs.indexOf(window.preview) + 1) == "Sample"
    assert set(view.sliders) == set(STRATEGIES)
    assert view.size.value() == 100

    view.size.setValue(40)
    view.seed.setValue(7)
    data = draw(qtbot, view)

    assert data["seed"] == 7 and data["size"] == 40
    assert sum(data["contributed"].values()) == 40
    assert view.chart.bar_count() == len(view.chart.counts) > 0
    assert view.pools.rowCount() >= 1 and "read" in view.status.text()
    assert view.rows.rowCount() == 40
    header = view.rows.horizontalHeaderItem(0).text()
    assert header == WHY_COLUMN
    cells = view.cell_texts()
    assert all(row[0] and ":" in row[0] for row in cells)  # every row has its reason
    ssns = raw_ssns(str(window.ctx.paths.demo_db))
    assert ssns
    assert not any(cell in ssns for row in cells for cell in row)

    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "light-sample.png"))

    again = draw(qtbot, view)
    assert view.cell_texts() == cells
    assert again["lineage"] == data["lineage"]


def test_shares_and_reasons() -> None:
    assert shares({"anomaly": 30, "random": 10}) == {"anomaly": 75.0, "random": 25.0}
    assert shares({"random": 0}) == {"random": 0.0}
    item = {
        "strategy": "anomaly",
        "column": "lifetime_value",
        "why": "iqr_high",
        "also": [{"strategy": "boundary", "column": "lifetime_value", "why": "max"}],
    }
    assert why_text(item) == "anomaly: lifetime_value iqr_high (also boundary: lifetime_value max)"
    assert why_text({"strategy": "risk", "why": "score", "score": 54}) == "risk: score 54"
