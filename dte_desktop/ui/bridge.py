"""Core calls its event sinks from worker threads; widgets may only be touched from the GUI
thread. An ``EventBridge`` created in the GUI thread re-emits each event through a queued
signal, so slots run in the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal


class EventBridge(QObject):
    event = Signal(object)

    def __call__(self, event: object) -> None:
        self.event.emit(event)

    def connect_to(self, slot) -> None:  # type: ignore[no-untyped-def]
        # Queued even when emitted from the GUI thread, so a slot never runs re-entrantly
        # inside core code.
        self.event.connect(slot, Qt.ConnectionType.QueuedConnection)
