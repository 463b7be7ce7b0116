"""A locked site policy holds in the GUI: exports stay masked, nothing can be revealed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from dte_desktop.core.demo import DEMO_CONNECTION
from tests.ui.conftest import close_window, make_window, select_table

POLICY = Path(__file__).resolve().parents[2] / "dte_desktop/resources/masking_policy.toml"


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
        assert "allow_reveal = false" in window.preview.reveal_button.toolTip()
        assert window.preview.masked_columns()  # still masked
        assert window.catalog.find_connection(DEMO_CONNECTION) is not None
    finally:
        close_window(qtbot, window)
