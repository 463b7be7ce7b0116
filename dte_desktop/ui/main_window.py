"""The main window: connections on the left, the work area, a status bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop import __version__
from dte_desktop.core.app import AppContext
from dte_desktop.core.store import Connection
from dte_desktop.ui.workers import run_in_pool


class MainWindow(QMainWindow):
    connections_loaded = Signal(int)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("DTE Desktop")
        self.resize(1100, 700)
        self._build()
        self._restore_state()

    def _build(self) -> None:
        self.tree = QTreeWidget()
        self.tree.setObjectName("connectionsTree")
        self.tree.setHeaderLabels(["Connection", "Type", "Location"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 180)
        self.tree.setColumnWidth(1, 80)

        self.overview = QLabel()
        self.overview.setObjectName("overview")
        self.overview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.overview.setWordWrap(True)
        self.overview.setMargin(16)
        self.overview.setText(
            "<h2>DTE Desktop</h2><p>Pick a connection on the left. The built-in "
            "<b>Demo (SQLite)</b> database holds synthetic customers, orders and products "
            "to try profiling, masked previews and exports.</p>"
        )
        right = QWidget()
        lay = QVBoxLayout(right)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.overview)

        split = QSplitter()
        split.addWidget(self.tree)
        split.addWidget(right)
        split.setSizes([420, 680])
        self.setCentralWidget(split)
        self.tree.currentItemChanged.connect(self._on_selected)

        file_menu = self.menuBar().addMenu("&File")
        refresh = QAction("&Refresh connections", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh_connections)
        file_menu.addAction(refresh)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About DTE Desktop", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

        self.status_label = QLabel("Starting…")
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(QLabel(f"history: {self.ctx.paths.history_db}"))

    def refresh_connections(self) -> None:
        self.status_label.setText("Loading connections…")
        run_in_pool(self.ctx.store.list_connections, self._show_connections, self._show_error)

    def _show_connections(self, conns: list[Connection]) -> None:
        self.tree.clear()
        for c in conns:
            item = QTreeWidgetItem([c.name, c.kind, c.url])
            item.setData(0, Qt.ItemDataRole.UserRole, c.name)
            item.setToolTip(2, c.url)
            self.tree.addTopLevelItem(item)
        if conns and self.tree.currentItem() is None:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.status_label.setText(f"{len(conns)} connection(s)")
        self.connections_loaded.emit(len(conns))

    def _on_selected(self, item: QTreeWidgetItem | None, _prev: object = None) -> None:
        if item is None:
            return
        self.overview.setText(
            f"<h2>{_esc(item.text(0))}</h2><p>Type: {_esc(item.text(1))}<br>"
            f"Location: <code>{_esc(item.text(2))}</code></p>"
        )

    def _show_error(self, title: str, message: str) -> None:
        self.status_label.setText(f"{title}: {message}")

    def _about(self) -> None:
        QMessageBox.about(self, "About DTE Desktop", f"DTE Desktop {__version__}")

    def _restore_state(self) -> None:
        settings = QSettings("dte-desktop", "dte-desktop")
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        QSettings("dte-desktop", "dte-desktop").setValue("main/geometry", self.saveGeometry())
        super().closeEvent(event)


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
