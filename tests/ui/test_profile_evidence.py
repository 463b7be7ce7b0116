"""Issue 18: the Profile view shows, for the selected column, every PII type its values
support with the evidence (share of values, validator, placeholders set aside) and the
suggested level; never a value."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.conftest import select_table


def test_profile_shows_detected_types_with_evidence_and_the_suggested_level(
    qtbot, window, tmp_path: Path
) -> None:
    select_table(qtbot, window, "customers")
    view = window.profile_view
    window.tree.setFocus()
    with qtbot.waitSignal(view.profiled, timeout=120_000) as done:
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    cols = {c["name"]: c for c in done.args[0]["columns"]}
    names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    for name, validator in (("email", "email-validator"), ("ssn", "python-stdnum us.ssn")):
        col = cols[name]
        view.table.setCurrentCell(names.index(name), 0)
        text = view.pii.text()
        pii = col["pii"]
        assert pii["type"] == name and validator in pii["validator"]
        share = f"{pii['match_rate']:.0%} of"
        assert f"<b>{name}</b>" in text and share in text and validator in text, text
        assert f"values pass {pii['validator']}" in text  # the detector's own evidence line
        assert f"suggested classification <b>{col['suggested_classification']}</b>" in text
        for t in pii["types"][1:]:  # other types the values support are listed too
            assert f"<b>{t['type']}</b> (also)" in text
    # Only figures and validator names: no value of the column reaches the label.
    view.table.setCurrentCell(names.index("email"), 0)
    tops = [str(t["value"]) for t in cols["email"]["top_values"]]
    assert tops and not any(v and v in view.pii.text() for v in tops if "@" in v)
    out = Path(os.environ.get("DTE_PNG_DIR", tmp_path)) / "profile_evidence.png"
    window.resize(1400, 900)
    assert window.grab().save(str(out))
