"""The value viewer: one cell's whole text (the grid shortens long values), JSON
pretty-printed, binary as a hex dump; read-only, with Copy. It shows what the grid holds —
a masked cell's masked text, never a raw value (core masked the batch before the grid got
it)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.ui.preview_model import full_text

HEX_MAX = 64 * 1024  # bytes shown in the hex dump; the rest is counted


def hex_dump(data: bytes) -> str:
    lines = []
    for off in range(0, min(len(data), HEX_MAX), 16):
        chunk = data[off : off + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{off:08x}  {hexes:<47}  {text}")
    if len(data) > HEX_MAX:
        lines.append(f"… {len(data) - HEX_MAX:,} more bytes")
    return "\n".join(lines)


def viewer_text(value: Any) -> tuple[str, str]:
    """(kind, text) for the viewer: ``json`` pretty-printed, ``binary`` hex dump, ``text``."""
    if isinstance(value, bytes):
        return "binary", hex_dump(value)
    if isinstance(value, dict | list):
        return "json", json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return "json", json.dumps(json.loads(value), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    return "text", full_text(value)


class ValueViewer(QDialog):
    def __init__(self, column: str, value: Any, masked: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Value of {column}")
        self.setObjectName("valueViewer")
        self.resize(640, 420)
        self.kind, text = viewer_text(value)
        size = f"{len(value):,} bytes" if isinstance(value, bytes) else f"{len(text):,} characters"
        note = " — masked: this is the masked stand-in, not the stored value" if masked else ""
        self.info = QLabel(f"<b>{column}</b> — {self.kind}, {size}{note}")
        self.info.setWordWrap(True)
        self.text = QPlainTextEdit(text)
        self.text.setObjectName("valueText")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.text.toPlainText())
        )
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addWidget(self.text, 1)
        lay.addWidget(buttons)
