"""Fixtures for driving the real desktop widgets offscreen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dte_desktop.core.demo import DEMO_CONNECTION
from tests.integration.conftest import auth_cluster  # noqa: F401  (the scram cluster)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Qt warnings fail a test, except the offscreen platform's notes on what it cannot do.
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(
                pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
            )


@pytest.fixture
def ctx(demo_home: str) -> Iterator[object]:
    from dte_desktop.core.app import bootstrap

    context = bootstrap()
    yield context
    context.close()


def make_window(qtbot, ctx, policy=None):  # type: ignore[no-untyped-def]
    from dte_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx, policy=policy)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
        window.refresh_connections()
    return window


def close_window(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Close like a user, and let background work end before the context closes."""
    from PySide6.QtCore import QThreadPool

    window.jobs.cancel_all()  # closing with jobs running asks first (test_jobs covers it)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=30_000)
    window.close()
    window.preview.loader.pool.waitForDone(10_000)
    window.sql_console.results.loader.pool.waitForDone(10_000)
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def window(qtbot, ctx) -> Iterator[object]:  # type: ignore[no-untyped-def]
    w = make_window(qtbot, ctx)
    yield w
    close_window(qtbot, w)


def expand_demo(qtbot, window):  # type: ignore[no-untyped-def]
    """Expand the demo connection in the tree and wait for its tables."""
    from dte_desktop.ui.catalog import node

    item = window.catalog.find_connection(DEMO_CONNECTION)
    assert item is not None
    window.tree.setCurrentItem(item)
    with qtbot.waitSignal(window.catalog.children_loaded, timeout=15_000):
        window.tree.expandItem(item)
    assert node(item)["loaded"]
    return item


def select_table(qtbot, window, name: str):  # type: ignore[no-untyped-def]
    if window.catalog.find_connection(DEMO_CONNECTION).childCount() <= 1:
        expand_demo(qtbot, window)
    item = window.catalog.find_table(DEMO_CONNECTION, name)
    assert item is not None
    window.tree.setCurrentItem(item)
    return item


def answer_passphrase(qtbot, asked: list[str], phrase: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``phrase`` into the master-passphrase prompt once it is up (call it through a
    ``QTimer`` before the action that asks); its label goes to ``asked``."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QLineEdit

    from dte_desktop.ui.passphrase import PassphraseDialog

    dlg = QApplication.activeModalWidget()
    if not isinstance(dlg, PassphraseDialog):
        QTimer.singleShot(20, lambda: answer_passphrase(qtbot, asked, phrase))
        return
    asked.append(dlg.label_text())
    assert dlg.phrase.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(dlg.phrase, phrase)
    if dlg.first_use:  # chosen now: typed twice
        assert not dlg.ok.isEnabled()
        qtbot.keyClicks(dlg.confirm, phrase)
    qtbot.keyClick(dlg.confirm if dlg.first_use else dlg.phrase, Qt.Key.Key_Return)
