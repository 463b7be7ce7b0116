"""Light and dark themes: Fusion with a palette, a short stylesheet, and the colours views
need for classifications and statuses (picked per theme so they stay readable)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")

# Header backgrounds per classification level: strong enough to read at a glance, light
# enough (or dark enough, in the dark theme) for the header text to stay legible.
_LEVEL_COLOURS = {
    "light": {
        "HRCI": "#ef8a8a",
        "Confidential": "#f7b267",
        "Proprietary": "#f2dc5d",
        "Public": "#98d898",
    },
    "dark": {
        "HRCI": "#7a2626",
        "Confidential": "#7a4a12",
        "Proprietary": "#6b6213",
        "Public": "#24562b",
    },
}
_STATUS_COLOURS = {
    "light": {
        "done": "#c5ebc5",
        "complete": "#c5ebc5",
        "running": "#cfe2fb",
        "failed": "#f4b6b6",
        "complete_with_errors": "#fcd5a5",
        "cancelled": "#e0e0e0",
        "interrupted": "#fcd5a5",
        "pending": "#ffffff",
        "queued": "#ffffff",
    },
    "dark": {
        "done": "#24562b",
        "complete": "#24562b",
        "running": "#1f4a7a",
        "failed": "#7a2626",
        "complete_with_errors": "#7a4a12",
        "cancelled": "#444444",
        "interrupted": "#7a4a12",
        "pending": "#2b2b2b",
        "queued": "#2b2b2b",
    },
}
# Masked cells: a muted tint and text colour, so a tokenized value never passes for data.
_MASKED = {
    "light": {"background": "#eceef6", "foreground": "#5b5f86"},
    "dark": {"background": "#272a3a", "foreground": "#a7aede"},
}
_CHART = {
    "light": {"background": "#ffffff", "foreground": "#333333", "pens": ["#1f77b4", "#d62728"]},
    "dark": {"background": "#1e1e1e", "foreground": "#dddddd", "pens": ["#5fb4ff", "#ff7f6e"]},
}


class ThemeState(QObject):
    """The current theme, app-wide; views listen to ``changed`` to recolour what a palette
    cannot reach (chart backgrounds, header colours)."""

    changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.name = "light"


_state: ThemeState | None = None


def state() -> ThemeState:
    global _state
    if _state is None:
        _state = ThemeState()
    return _state


def current() -> str:
    return state().name


def level_colour(level: str) -> QColor | None:
    code = _LEVEL_COLOURS[current()].get(level)
    return QColor(code) if code else None


def status_colour(status: str) -> QColor | None:
    code = _STATUS_COLOURS[current()].get(status)
    return QColor(code) if code else None


def paint_status(cell: Any, status: str) -> None:
    """Background by status, with a text colour that reads on it in either theme."""
    colour = status_colour(status)
    if colour is not None:
        cell.setBackground(colour)
        cell.setForeground(QColor("#ffffff" if current() == "dark" else "#1a1a1a"))


def masked_colours() -> tuple[QColor, QColor]:
    """(background, foreground) of a masked cell in the current theme."""
    c = _MASKED[current()]
    return QColor(c["background"]), QColor(c["foreground"])


_LOCK: dict[str, Any] = {}


def lock_icon() -> Any:
    """A small padlock drawn once per theme (no icon files to ship): masked columns'
    header mark."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QIcon, QPainter, QPen, QPixmap

    name = current()
    if name not in _LOCK:
        pix = QPixmap(14, 14)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor("#e8e8e8" if name == "dark" else "#303030")
        p.setPen(QPen(colour, 1.6))
        p.drawArc(QRectF(3.5, 1.5, 7, 8), 0, 180 * 16)
        p.drawLine(3.5, 5.5, 3.5, 7)
        p.drawLine(10.5, 5.5, 10.5, 7)
        p.fillRect(QRectF(2, 6.5, 10, 7), colour)
        p.end()
        _LOCK[name] = QIcon(pix)
    return _LOCK[name]


def chart_colours() -> dict:
    return _CHART[current()]


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#232323"), QColor("#2d2d2d"), QColor("#e6e6e6")
    disabled = QColor("#808080")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#2f2f2f"),
        QPalette.ColorRole.ToolTipBase: QColor("#3a3a3a"),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#383838"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Highlight: QColor("#2f6fb3"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor("#6cb6ff"),
        QPalette.ColorRole.PlaceholderText: QColor("#9a9a9a"),
        QPalette.ColorRole.Mid: QColor("#444444"),
        QPalette.ColorRole.Dark: QColor("#1a1a1a"),
        QPalette.ColorRole.Light: QColor("#4a4a4a"),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


_STYLESHEET = """
QToolTip { padding: 4px; }
QStatusBar QLabel { padding: 0 4px; }
QLabel#hint { color: palette(placeholder-text); }
"""


# Fusion draws an unticked box in the dark palette's Base on a Base background: invisible.
# The dark theme gives every indicator a visible border.
_DARK_EXTRA = """
QCheckBox::indicator, QListView::indicator, QTreeView::indicator, QTableView::indicator {
    width: 13px; height: 13px; border: 1px solid #9a9a9a; border-radius: 2px;
    background: #2b2b2b;
}
QCheckBox::indicator:checked, QListView::indicator:checked, QTreeView::indicator:checked,
QTableView::indicator:checked { background: #2f6fb3; border-color: #6cb6ff; }
QCheckBox::indicator:disabled { border-color: #5a5a5a; }
"""


def apply_theme(name: str, app: QApplication | None = None) -> str:
    """Switch the whole application to ``name`` (unknown names fall back to light)."""
    name = name if name in THEMES else "light"
    app = app or QApplication.instance()  # type: ignore[assignment]
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if name == "dark" else app.style().standardPalette())
    app.setStyleSheet(_STYLESHEET + (_DARK_EXTRA if name == "dark" else ""))
    state().name = name
    state().changed.emit(name)
    return name
