"""The main window's menu bar: File, View (themes, the jobs dock), Tools and Help, each item
with its shortcut (the keyboard-shortcut reference reads them from here)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from dte_desktop.ui import theme


class MenusMixin:
    """Builds the menus of :class:`~dte_desktop.ui.main_window.MainWindow`."""

    def _action(self, menu, text: str, slot, shortcut=None, name: str | None = None) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_connection_action = self._action(
            file_menu, "&New connection…", self.new_connection, "Ctrl+N", "newConnection"
        )
        self._action(file_menu, "&Connections…", self.open_connections)
        self.refresh_action = self._action(
            file_menu, "&Refresh", self.refresh_current, QKeySequence.StandardKey.Refresh
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, "Ctrl+Q")

        view = bar.addMenu("&View")
        self._action(view, "&Filter catalog", self.focus_filter, "Ctrl+F")
        view.addSeparator()
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in theme.THEMES:
            action = QAction(f"{name.title()} theme", self, checkable=True)
            action.triggered.connect(lambda _c=False, n=name: self.set_theme(n))
            group.addAction(action)
            view.addAction(action)
            self.theme_actions[name] = action
        view.addSeparator()
        view.addAction(self.jobs_dock.toggleViewAction())

        tools = bar.addMenu("&Tools")
        self._action(tools, "Pre&view table", self.preview_selected, "Ctrl+Shift+V")
        self._action(tools, "&Profile table", self.profile_selected, "Ctrl+P")
        self._action(tools, "&Classify columns", self.classify_selected, "Ctrl+Shift+C")
        self._action(tools, "&Export…", self.export_selected, "Ctrl+E")
        self._action(tools, "S&QL console", self.open_sql_console, "Ctrl+]")
        tools.addSeparator()
        self._action(tools, "&Audit log…", self.open_audit, "Ctrl+Shift+A")
        self._action(tools, "&Job history", self._show_jobs, "Ctrl+J")

        help_menu = bar.addMenu("&Help")
        self._action(
            help_menu, "&Keyboard shortcuts", self.show_shortcuts, "Ctrl+/", "shortcutsAction"
        )
        self._action(help_menu, "&About DTE Desktop", self._about)
