"""The Risk tab as a person uses it: select a table, open Risk, the suggested
quasi-identifiers are ticked, Compute gives the same figures as core, no QI value appears,
the masked variant counts the masked values."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from dte_desktop.core.privacy.risk import table_risk
from dte_desktop.core.sources.names import parse_table
from dte_desktop.ui.main_window import TAB_RISK
from tests.ui.conftest import select_table

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def _compute(qtbot, view) -> object:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.computed, timeout=60_000) as blocker:
        view.button.click()
    return blocker.args[0]


def test_risk_tab_suggests_qis_and_computes(qtbot, window) -> None:
    view = window.risk_view
    select_table(qtbot, window, "customers")
    window.tabs.setCurrentIndex(TAB_RISK)
    assert window.tabs.tabText(TAB_RISK) == "Risk"
    qtbot.waitUntil(lambda: view.columns.count() > 0, timeout=15_000)
    qis = view.quasi_identifiers()
    assert {"birth_date", "city", "state", "postal_code"} <= set(qis)
    assert "customer_id" not in qis and "email" not in qis
    assert view.button.isEnabled()

    report = _compute(qtbot, view)
    source = window.ctx.open_source("Demo (SQLite)")
    try:
        truth = table_risk(source, parse_table("customers"), qis)
    finally:
        source.close()
    assert report.to_json() == truth.to_json()
    cells = [
        view.figures.item(r, c).text()
        for r in range(view.figures.rowCount())
        for c in range(view.figures.columnCount())
    ]
    assert f"{truth.classes:,}" in cells and f"{truth.k:,}" in cells
    con = sqlite3.connect(window.ctx.paths.demo_db)
    try:
        zips = {r[0] for r in con.execute("SELECT postal_code FROM customers") if r[0]}
    finally:
        con.close()
    assert not any(z in cell for z in zips for cell in cells)  # figures, never values
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "risk_tab.png"))

    # A sensitive column and another k: l-diversity, the rows below k and ARX's three
    # attacker models, each row the figure core computed.
    view.sensitive.setCurrentText("lifetime_value")
    view.k.setValue(3)
    report = _compute(qtbot, view)
    source = window.ctx.open_source("Demo (SQLite)")
    try:
        truth = table_risk(
            source, parse_table("customers"), qis, sensitive="lifetime_value", threshold=3
        )
    finally:
        source.close()
    assert report.to_json() == truth.to_json() and truth.l_diversity is not None
    shown = {
        view.figures.item(r, 0).text(): view.figures.item(r, 1).text()
        for r in range(view.figures.rowCount())
    }
    assert shown["k-anonymity"] == f"{truth.k:,}"
    pct = f"{100 * truth.share_below_k:.1f} %"
    assert shown["Rows in classes below k=3"] == f"{truth.rows_below_k:,} ({pct})"
    assert shown["l-diversity of lifetime_value"] == str(truth.l_diversity)
    assert shown["Prosecutor risk, highest"] == f"{truth.prosecutor_highest:.4f}"
    assert shown["Prosecutor risk, average"] == f"{truth.prosecutor_average:.4f}"
    assert shown["Journalist risk, highest"] == f"{truth.journalist_highest:.4f}"
    assert shown["Marketer risk"] == f"{truth.marketer:.4f}"
    journalist = next(
        r for r in range(view.figures.rowCount()) if view.figures.item(r, 0).text().startswith("J")
    )
    assert view.figures.item(journalist, 2).toolTip() == truth.journalist_note  # not elided
    window.grab().save(str(SHOTS / "risk_tab_sensitive.png"))

    view.sensitive.setCurrentText("(none)")
    view.k.setValue(5)
    view.masked.setChecked(True)
    masked = _compute(qtbot, view)
    assert masked.masked and masked.rows == truth.rows
    assert "Masked export" in view.status.text()
    audit = window.ctx.store.audit_records(action="risk")
    assert len(audit) == 3


def test_risk_tab_needs_a_quasi_identifier(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    view = window.risk_view
    select_table(qtbot, window, "orders")
    window.tabs.setCurrentIndex(TAB_RISK)
    qtbot.waitUntil(lambda: view.columns.count() > 0, timeout=15_000)
    for i in range(view.columns.count()):
        view.columns.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert not view.button.isEnabled()
    view.columns.item(0).setCheckState(Qt.CheckState.Checked)
    assert view.button.isEnabled()


def test_risk_tab_suggests_from_the_stored_classifications(qtbot, window) -> None:
    """A neutrally named column an officer classified as a date of birth is ticked; one
    classified as a direct identifier is not, whatever its name says."""
    from dte_desktop.core.privacy.labels import classify

    ref = parse_table("customers")
    store = window.ctx.store
    classify(store, "Demo (SQLite)", ref, "customer_since", "Confidential",
             pii_type="date_of_birth")  # fmt: skip
    classify(store, "Demo (SQLite)", ref, "city", "Confidential", pii_type="street_address")
    view = window.risk_view
    select_table(qtbot, window, "customers")
    window.tabs.setCurrentIndex(TAB_RISK)
    qtbot.waitUntil(lambda: view.columns.count() > 0, timeout=15_000)
    qis = view.quasi_identifiers()
    assert "customer_since" in qis and "birth_date" in qis
    assert "city" not in qis and "email" not in qis
