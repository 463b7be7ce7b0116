"""The export form's "Replace the previous export in this folder" (issue 17 item 7): a second
export into the same folder is refused where the user clicked, nothing started; ticked, the
previous export is replaced and the folder holds what the new manifest lists."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtCore import Qt

from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.store import JobStatus
from tests.ui.conftest import select_table
from tests.ui.test_jobs import Events


def _run(qtbot, window, events) -> int:  # type: ignore[no-untyped-def]
    form = window.export_form
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as started:
        qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    job_id = started.args[0].job_id
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=120_000)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=60_000)
    return job_id


def test_form_refuses_a_used_folder_until_replace_is_ticked(qtbot, window, tmp_path) -> None:
    events = Events(window)
    select_table(qtbot, window, "orders")
    window.tree.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    form = window.export_form
    out = tmp_path / "out"
    form.out_dir.setText(str(out))
    form.partitions.setValue(4)
    form.layout_box.setCurrentText("folder")
    first = _run(qtbot, window, events)
    assert events.finished(first).status == JobStatus.COMPLETE
    assert len(list(out.rglob("*.parquet"))) == 4

    form.partitions.setValue(2)
    assert not form.overwrite.isChecked()
    jobs_before = len(window.ctx.store.list_jobs())
    qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    assert "is not empty" in form.message.text(), form.message.text()
    assert len(window.ctx.store.list_jobs()) == jobs_before  # nothing started
    form.grab().save(str(tmp_path / "export-form-overwrite.png"))
    shutil.copy(tmp_path / "export-form-overwrite.png", "/tmp/export-form-overwrite.png")

    form.overwrite.click()
    second = _run(qtbot, window, events)
    assert events.finished(second).status == JobStatus.COMPLETE
    m = json.loads((out / "manifest.json").read_text())
    listed = {f["path"] for f in m["files"]} | {"manifest.json", "SHA256SUMS"}
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert present == listed and len(m["files"]) == 2 and m["job_id"] == second
    assert verify_manifest(out) == []
    assert Path(window.ctx.store.get_job(second).summary["out_dir"]) == out
