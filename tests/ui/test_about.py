"""Help → About → Licences shows THIRD-PARTY-NOTICES: every runtime component of the app
with its licence and licence text, the LGPL's full text and how to replace Qt (issue 22)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from dte_desktop.core.notices import python_component, requirement_closure

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def test_notices_cover_every_runtime_component() -> None:
    from dte_desktop.core.notices import environment_notices

    text = environment_notices()
    dists = requirement_closure()
    names = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() for d in dists}
    # what pyproject.toml asks for (the direct dependencies) is all there …
    for must in ("pyside6-essentials", "pyarrow", "sqlalchemy", "psycopg", "keyring", "pyrage"):
        assert must in names, must
    for d in dists:  # … each with its licence named and, where it ships one, its text
        c = python_component(d)
        assert f"{c.name} {c.version}\n  Licence: {c.licence}" in text
        for fname, _ in c.texts:
            assert f"--- {fname} ---" in text
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3" in text
    assert "Replacing the Qt libraries (LGPL)" in text
    assert "CPython" in text and "PYTHON SOFTWARE FOUNDATION LICENSE" in text


def test_about_dialog_licences_tab(qtbot, window) -> None:
    window._about()
    dlg = window.about_dialog
    qtbot.waitExposed(dlg)
    assert dlg.tabs.tabText(1) == "Licences"
    dlg.tabs.setCurrentIndex(1)
    assert "PySide6_Essentials" in dlg.notices.toPlainText()
    dlg.find.setText("GNU LESSER GENERAL PUBLIC LICENSE")
    assert dlg.find_next()
    assert dlg.notices.textCursor().selectedText() == "GNU LESSER GENERAL PUBLIC LICENSE"
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "about_licences.png"))
    dlg.close()
