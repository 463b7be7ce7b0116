"""The QThreadPool-backed ``concurrent.futures.Executor`` core's jobs run on."""

from __future__ import annotations

import threading
import time
from concurrent.futures import wait

import pytest
from PySide6.QtCore import QThreadPool

from dte_desktop.ui.qt_executor import QtExecutor


def test_results_exceptions_and_worker_threads(qtbot) -> None:
    ex = QtExecutor(max_workers=2)
    main = threading.get_ident()
    futures = [ex.submit(lambda i=i: (i * i, threading.get_ident())) for i in range(8)]
    boom = ex.submit(lambda: 1 / 0)
    wait([*futures, boom], timeout=10)
    assert [f.result()[0] for f in futures] == [i * i for i in range(8)]
    assert all(f.result()[1] != main for f in futures)
    with pytest.raises(ZeroDivisionError):
        boom.result()
    ex.shutdown()
    with pytest.raises(RuntimeError):
        ex.submit(lambda: None)


def test_shutdown_cancels_queued_futures(qtbot) -> None:
    ex = QtExecutor(max_workers=1)
    gate = threading.Event()
    first = ex.submit(gate.wait, 5)
    time.sleep(0.05)
    queued = [ex.submit(lambda: "ran") for _ in range(3)]
    ex.shutdown(wait=False, cancel_futures=True)
    gate.set()
    assert first.result(timeout=5) is True
    assert all(f.cancelled() for f in queued)


def test_shares_a_given_pool(qtbot) -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(3)
    ex = QtExecutor(pool=pool)
    assert ex.submit(lambda: 42).result(timeout=5) == 42
    ex.shutdown()
