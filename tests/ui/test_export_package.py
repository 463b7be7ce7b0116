"""The export form seals a masked export for transfer (issue 24): the recipients file is
named in the form, the job worker seals the finished export with this workstation's key, and
the receiver's `dte package verify` accepts it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from dte_desktop.core.audit import AuditLog
from tests.ui.conftest import select_table
from tests.ui.test_jobs import Events


def _receiver(tmp_path: Path, demo_db_file: str) -> tuple[Path, str]:
    home = tmp_path / "receiver"
    home.mkdir()
    shutil.copy(demo_db_file, home / "demo.sqlite")
    env = {**os.environ, "DTE_HOME": str(home)}
    r = subprocess.run([sys.executable, "-m", "dte_desktop", "package", "keys", "--json"],
                       capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return home, json.loads(r.stdout)["recipient"]


def test_export_form_seals_the_export_for_its_recipients(qtbot, window, tmp_path, demo_db_file):
    home, recipient = _receiver(tmp_path, demo_db_file)
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(recipient + "\n")
    events = Events(window)
    select_table(qtbot, window, "products")
    window.tree.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    form = window.export_form
    out = tmp_path / "sealed"
    form.out_dir.setText(str(out))
    assert not form.recipients.isEnabled()
    form.encrypt.click()
    assert form.recipients.isEnabled()
    qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    assert "Name the recipients file" in form.message.text()  # nothing started
    qtbot.keyClicks(form.recipients, str(recipients))
    form.grab().save(str(tmp_path / "export-form-package.png"))
    shutil.copy(tmp_path / "export-form-package.png", "/tmp/export-form-package.png")
    with qtbot.waitSignal(window.jobs.started, timeout=30_000) as started:
        qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)
    job_id = started.args[0].job_id
    qtbot.waitUntil(lambda: events.finished(job_id) is not None, timeout=120_000)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=60_000)  # sealing ends the worker
    folder = Path(window.ctx.store.get_job(job_id).summary["out_dir"])
    names = {p.name for p in folder.rglob("*") if p.is_file()}
    assert any(n.endswith(".parquet.age") for n in names), names
    assert not any(n.endswith(".parquet") for n in names), "plaintext left in the package"
    env = {**os.environ, "DTE_HOME": str(home)}
    v = subprocess.run([sys.executable, "-m", "dte_desktop", "package", "verify", str(folder)],
                       capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert v.returncode == 0, v.stdout + v.stderr
    actions = [r.action for r in AuditLog(window.ctx.store).records()]
    assert actions[-2:] == ["export", "package"], actions
