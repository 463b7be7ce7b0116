"""The first window, driven offscreen as a person would see it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from dte_desktop.core.app import bootstrap
from dte_desktop.ui.main_window import MainWindow

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def test_window_lists_the_demo_connection(qtbot, demo_home: str) -> None:
    ctx = bootstrap()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000) as blocker:
        window.refresh_connections()
    assert blocker.args == [1]
    item = window.tree.topLevelItem(0)
    assert item.text(0) == "Demo (SQLite)" and item.text(1) == "sqlite"
    assert window.tree.currentItem() is item
    assert "Demo (SQLite)" in window.overview.text()
    assert window.status_label.text() == "1 connection(s)"
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)  # one row: selection stays put
    assert window.tree.currentItem() is item
    SHOTS.mkdir(exist_ok=True)
    assert window.grab().save(str(SHOTS / "main_window.png"))
    ctx.close()


def test_selftest_exits_zero_with_a_screenshot(demo_home: str, tmp_path: Path) -> None:
    shot = tmp_path / "selftest.png"
    out = subprocess.run(
        [sys.executable, "-m", "dte_desktop.ui.app", "--selftest", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert f"selftest screenshot: {shot}" in out.stdout
    assert shot.stat().st_size > 5_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_selftest_tours_every_screen_in_both_themes(demo_home: str, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    run = subprocess.run(
        [sys.executable, "-m", "dte_desktop.ui.app", "--selftest"]
        + ["--screenshots", str(out), "--tour", "screens"],
        capture_output=True,
        text=True,
        timeout=300,
        # As IT runs it on a machine without a keyring: no passphrase to give, so the tour
        # (and its job workers) use a throwaway store, never the user's.
        env={
            **{k: v for k, v in os.environ.items() if k != "DTE_MASTER_PASSPHRASE"},
            "QT_QPA_PLATFORM": "offscreen",
        },
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert not (Path(demo_home) / "secrets.enc").exists()
    from dte_desktop.core.store import Store

    store = Store.open()
    try:
        exports = [j for j in store.list_jobs() if j.kind == "export"]
        assert len(exports) == 2 and all(j.status == "complete" for j in exports)
        assert all("***" not in j.config["out_dir"] for j in exports)  # nothing over-redacted
    finally:
        store.close()
    screens = ["main", "connections", "preview", "profile", "export", "job-running", "quit-confirm",
               "job-done", "job-details", "audit"]  # fmt: skip
    for theme in ("light", "dark"):
        for screen in screens:
            shot = out / f"{theme}-{screen}.png"
            assert f"selftest screenshot: {shot}" in run.stdout
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5_000
