"""A locked site policy holds in the GUI: exports stay masked, nothing can be revealed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from dte_desktop.core.demo import DEMO_CONNECTION
from tests.ui.conftest import close_window, make_window, select_table

POLICY = Path(__file__).resolve().parents[2] / "resources/masking_policy.toml"


@pytest.fixture
def locked_ctx(demo_home, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    text = POLICY.read_text()
    for key, value in (
        ("locked", "true"),
        ("force_masked_export", "true"),
        ("allow_reveal", "false"),
    ):
        text = text.replace(f"{key} = false", f"{key} = {value}")
    (tmp_path / "site_policy.toml").write_text(text)
    site = tmp_path / "site.toml"
    site.write_text('[masking]\npolicy_file = "site_policy.toml"\n')
    monkeypatch.setenv("DTE_SITE_FILE", str(site))
    from dte_desktop.core.app import bootstrap

    ctx = bootstrap()
    yield ctx
    ctx.close()


def test_locked_site_policy_cannot_be_loosened_from_the_gui(qtbot, locked_ctx) -> None:
    window = make_window(qtbot, locked_ctx)
    try:
        form = window.export_form
        qtbot.waitUntil(lambda: not form.mask.isEnabled(), timeout=10_000)
        assert form.mask.isChecked() and "Locked by your site" in form.mask_note.text()
        qtbot.mouseClick(form.mask, Qt.MouseButton.LeftButton)  # a click changes nothing
        assert form.mask.isChecked()
        assert window.privacy.policy.locked
        select_table(qtbot, window, "customers")
        window.tabs.setCurrentWidget(window.preview)
        with qtbot.waitSignal(window.preview.loaded, timeout=30_000):
            window.preview_selected()
        assert not window.preview.reveal_button.isEnabled()
        # Core names the policy that forbids it, asked in a worker: the tooltip follows.
        qtbot.waitUntil(
            lambda: "allow_reveal = false" in window.preview.reveal_button.toolTip(),
            timeout=10_000,
        )
        assert window.preview.masked_columns()  # still masked
        assert window.catalog.find_connection(DEMO_CONNECTION) is not None
    finally:
        close_window(qtbot, window)


def _site(tmp_path, monkeypatch, **keys: str):  # type: ignore[no-untyped-def]
    text = POLICY.read_text()
    for key, value in keys.items():
        text = text.replace(f"{key} = false", f"{key} = {value}")
    (tmp_path / "site_policy.toml").write_text(text)
    site = tmp_path / "site.toml"
    site.write_text('[masking]\npolicy_file = "site_policy.toml"\n')
    monkeypatch.setenv("DTE_SITE_FILE", str(site))
    from dte_desktop.core.app import bootstrap

    return bootstrap()


def _raw(ctx, column: str, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    import sqlite3

    con = sqlite3.connect(ctx.paths.demo_db)
    try:
        rows = con.execute(f"SELECT {column} FROM customers ORDER BY rowid LIMIT {n}")
        return [str(r[0]) for r in rows]
    finally:
        con.close()


def test_reveal_under_a_locked_site_policy_that_allows_it_shows_the_column(
    qtbot, demo_home, tmp_path, monkeypatch
) -> None:
    """Issue 14 item 7: the GUI showed ████ under a header saying "revealed" and audited a
    reveal; the CLI showed the clear column. One core session now serves both."""
    from dte_desktop.core.audit import AuditLog
    from dte_desktop.core.privacy.service import masked_preview, set_user_policy

    ctx = _site(tmp_path, monkeypatch, locked="true", allow_reveal="true")
    # Any user overlay over a locked site keeps the site policy as the floor, which beat
    # the GUI's old reveal (a keep rule).
    set_user_policy(ctx, '[pii.email]\noperator = "redact"\n', reason="tighter emails here")
    window = make_window(qtbot, ctx)
    try:
        assert window.privacy.effective_policy(ctx).locked
        select_table(qtbot, window, "customers")
        window.tabs.setCurrentWidget(window.preview)
        preview = window.preview
        with qtbot.waitSignal(preview.loaded, timeout=30_000):
            window.preview_selected()
        assert preview.reveal_button.isEnabled()
        c = preview.model.names.index("ssn")
        raw = _raw(ctx, "ssn", 40)
        assert not {preview.model.data(preview.model.index(r, c)) for r in range(40)} & set(raw)
        with qtbot.waitSignal(preview.loaded, timeout=30_000):
            preview.reveal("ssn", "ticket INC-4711: verify a customer's identity")
        model = preview.model
        c = model.names.index("ssn")
        assert [model.data(model.index(r, c)) for r in range(40)] == raw
        assert "shown in clear (revealed)" in model.tooltips["ssn"]
        assert "masked except ssn (revealed)" in preview.status.text()
        assert "revealed" not in model.tooltips["card_number"]
        card = model.names.index("card_number")
        assert model.data(model.index(0, card)) != _raw(ctx, "card_number", 1)[0]
        preview.resize(1100, 420)
        preview.grab().save(str(tmp_path / "locked_site_reveal.png"))
        # The CLI's preview is the same session: the same clear values, the same operators.
        cli = masked_preview(ctx, DEMO_CONNECTION, "customers", limit=40, reveal=("ssn",),
                             reason="ticket INC-4711: verify a customer's identity")  # fmt: skip
        assert cli.table.column("ssn").to_pylist() == raw
        assert cli.operators == {**preview.applied, "ssn": "keep"}
        reveals = AuditLog(ctx.store).records(action="reveal")
        assert len(reveals) == 2 and all('"ssn"' in r.details for r in reveals)
    finally:
        close_window(qtbot, window)
        ctx.close()


def test_a_refused_reveal_is_audited_and_shows_nothing(
    qtbot, demo_home, tmp_path, monkeypatch
) -> None:
    from dte_desktop.core.audit import AuditLog

    ctx = _site(tmp_path, monkeypatch, locked="true")  # allow_reveal stays false
    window = make_window(qtbot, ctx)
    try:
        select_table(qtbot, window, "customers")
        window.tabs.setCurrentWidget(window.preview)
        preview = window.preview
        with qtbot.waitSignal(preview.loaded, timeout=30_000):
            window.preview_selected()
        assert not preview.reveal_button.isEnabled()
        # Past the disabled button (a script, a race): core refuses and audits it.
        with qtbot.waitSignal(preview.loader.failed, timeout=30_000):
            preview.reveal("ssn", "ticket INC-4711: verify a customer's identity")
        assert "does not allow revealing" in preview.status.text()
        assert not AuditLog(ctx.store).records(action="reveal")
        refused = AuditLog(ctx.store).records(action="reveal_refused")
        assert len(refused) == 1 and '"ssn"' in refused[0].details
        c = preview.model.names.index("ssn")
        raw = set(_raw(ctx, "ssn", 40))
        assert not {preview.model.data(preview.model.index(r, c)) for r in range(40)} & raw
        assert "revealed" not in preview.model.tooltips["ssn"]
    finally:
        close_window(qtbot, window)
        ctx.close()
