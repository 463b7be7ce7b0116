"""The main window: the catalog on the left, the work area (Overview, Profile, Preview,
Sample, Export), the jobs dock, menus, shortcuts, themes and remembered window state."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter, QTabWidget

from dte_desktop.core.app import AppContext
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import JobFinished
from dte_desktop.core.privacy.policy import MaskingPolicy
from dte_desktop.core.sources.base import TableInfo
from dte_desktop.ui import theme
from dte_desktop.ui.catalog import CatalogTree, node
from dte_desktop.ui.classify_view import ClassifyView
from dte_desktop.ui.export_wizard import ExportForm
from dte_desktop.ui.job_runner import JobManager, JobStarted
from dte_desktop.ui.jobs_dock import JobsDock
from dte_desktop.ui.notify import Notifier
from dte_desktop.ui.overview import Overview
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.preview_view import PreviewView
from dte_desktop.ui.privacy_state import PrivacyState
from dte_desktop.ui.profile_view import ProfileView
from dte_desktop.ui.risk_view import RiskView
from dte_desktop.ui.sample_view import SampleView
from dte_desktop.ui.settings import ui_settings
from dte_desktop.ui.sql_console import SqlConsole

TAB_OVERVIEW, TAB_PROFILE, TAB_CLASSIFY, TAB_PREVIEW, TAB_SAMPLE, TAB_EXPORT, TAB_RISK, TAB_SQL = (
    range(8)
)


class MainWindow(QMainWindow):
    connections_loaded = Signal(int)

    def __init__(self, ctx: AppContext, policy: MaskingPolicy | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.keeper = PassphraseKeeper(ctx, self)
        if ctx.passphrase is None:
            ctx.passphrase = self.keeper  # the store opens lazily: it will ask through us
        self.privacy = PrivacyState(policy)
        self.jobs = JobManager(ctx, self.keeper, self)
        self.job_windows: dict[int, Any] = {}
        self.quit_box: QMessageBox | None = None  # the "jobs are running" question, while open
        self._quitting = False
        self.dialogs: dict[str, Any] = {}
        self.setWindowTitle("DTE Desktop")
        self.resize(1200, 780)
        self._build()
        self._menus()
        self._restore_state()
        self._load_policy()

    def _load_policy(self) -> None:
        """The policy in force (site file + user overlay) is read in a worker; the forms
        then show what the site locks."""
        from dte_desktop.ui.workers import run_in_pool

        run_in_pool(
            lambda: self.privacy.effective_policy(self.ctx),
            self.export_form.apply_policy,
            lambda t, m: self._status(f"{t}: {m}"),
        )

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.catalog = CatalogTree(self.ctx, self.keeper)
        self.tree = self.catalog.tree
        self.catalog.status.connect(self._status)
        self.catalog.connections_loaded.connect(self.connections_loaded)
        self.catalog.node_selected.connect(self._on_node)
        self.catalog.action_requested.connect(
            lambda key: {"preview": self.preview_selected, "profile": self.profile_selected,
                         "export": self.export_selected}[key]()
        )  # fmt: skip
        self.tree.itemDoubleClicked.connect(lambda item, _c: self._double_clicked(item))

        self.overview_tab = Overview(self.ctx)
        self.overview = self.overview_tab.label
        self.profile_view = ProfileView(self.ctx, self.privacy, self.jobs)
        self.profile_view.profiled.connect(lambda _d: self.jobs_dock.refresh())
        self.profile_view.profiled.connect(lambda _d: self._show_node_again())
        self.profile_view.report_note.connect(self._status)
        self.profile_view.accepted.connect(
            lambda _c, _l: self.catalog.refresh_badges(self.profile_view.connection or "")
        )
        self.classify_view = ClassifyView(self.ctx, self.privacy)
        self.classify_view.planned.connect(self._classify_planned)
        self.classify_view.saved.connect(lambda c, _p: self.catalog.refresh_badges(c))
        self.classify_view.saved.connect(lambda c, p: self.profile_view.stored_changed(c, p.table))
        self.preview = PreviewView(self.ctx, self.privacy, self.keeper)
        self.preview.profile_requested.connect(self._profile_and_classify)
        self.preview.classify_requested.connect(self._classify)
        self._classify_after_profile: tuple[str, Any] | None = None
        self.profile_view.profiled.connect(self._after_profile)
        self.sample_view = SampleView(self.ctx, self.jobs)
        self.sample_view.sampled.connect(lambda _d: self.jobs_dock.refresh())
        self.risk_view = RiskView(self.ctx, self.keeper)
        self.sql_console = SqlConsole(self.ctx, self.privacy, self.keeper)
        self.sql_console.export_requested.connect(self.export_query)
        self.export_form = ExportForm(self.ctx, self.privacy)
        self.export_form.start_requested.connect(self.start_export)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("workTabs")
        self.tabs.addTab(self.overview_tab, "Overview")
        self.tabs.addTab(self.profile_view, "Profile")
        self.tabs.addTab(self.classify_view, "Classify")
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.addTab(self.sample_view, "Sample")
        self.tabs.addTab(self.export_form, "Export")
        self.tabs.addTab(self.risk_view, "Risk")
        self.tabs.addTab(self.sql_console, "SQL")
        self.tabs.currentChanged.connect(self._tab_changed)

        split = QSplitter()
        split.addWidget(self.catalog)
        split.addWidget(self.tabs)
        split.setSizes([440, 760])  # the catalog's four columns, "postgresql" and the badge
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)

        self.jobs_dock = JobsDock(self.jobs, self)
        self.jobs_dock.open_job.connect(self.open_job)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)
        # The work area gets most of the height; a saved window state overrides this.
        self.resizeDocks([self.jobs_dock], [230], Qt.Orientation.Vertical)
        self.jobs.started.connect(self._job_started)
        self.jobs.event.connect(self._job_event)
        self.jobs.failed.connect(lambda t, m: self._status(f"{t}: {m}"))
        self.jobs.failed.connect(self.export_form.job_failed)
        self.notifier = Notifier(self)

        self.status_label = QLabel("Starting…")
        self.statusBar().addWidget(self.status_label, 1)
        self.theme_label = QLabel("")
        self.statusBar().addPermanentWidget(self.theme_label)
        self.statusBar().addPermanentWidget(QLabel(f"history: {self.ctx.paths.history_db}"))

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

    # -- catalog -----------------------------------------------------------------------
    def refresh_connections(self) -> None:
        self.catalog.refresh()
        self.jobs_dock.refresh()

    def refresh_current(self) -> None:
        """F5: the connection list again (one added elsewhere shows up, a removed one goes)
        and, under the selected connection or schema, its listing again."""
        item = self.tree.currentItem()
        if item is not None and node(item).get("type") in ("connection", "schema"):
            self.catalog.reload(item)
        self.refresh_connections()

    def focus_filter(self) -> None:
        self.catalog.filter.setFocus()
        self.catalog.filter.selectAll()

    def _on_node(self, data: dict) -> None:
        if data:
            self.overview_tab.show_node(data)
        if data.get("connection"):
            self.sql_console.set_connection(data["connection"])
        if data.get("type") == "table":
            self.sample_view.set_target(data["connection"], data["info"].ref)
            self.profile_view.set_target(data["connection"], data["info"].ref)
            if self.tabs.currentWidget() is self.risk_view:
                self.risk_view.set_target(data["connection"], data["info"].ref)
            if self.tabs.currentWidget() is self.classify_view:
                self.classify_view.set_target(data["connection"], data["info"].ref)
            if self.tabs.currentWidget() is self.export_form:
                self._fill_export(self.tree.currentItem())

    def _show_node_again(self) -> None:
        """A profile ended: the Overview's PII section of the selected table is stale."""
        if data := node(self.tree.currentItem()):
            self.overview_tab.show_node(data)

    def _tab_changed(self, index: int) -> None:
        # The Risk and Classify tabs read the table's columns only when looked at.
        data = node(self.tree.currentItem())
        if index == TAB_RISK and data.get("type") == "table":
            self.risk_view.set_target(data["connection"], data["info"].ref)
        if index == TAB_CLASSIFY and data.get("type") == "table":
            self.classify_view.set_target(data["connection"], data["info"].ref)
        if index == TAB_EXPORT and data.get("type") == "table":
            self._fill_export(self.tree.currentItem())

    def classify_selected(self) -> None:
        if (sel := self.selected_table()) is not None:
            self.tabs.setCurrentIndex(TAB_CLASSIFY)
            self.classify_view.set_target(sel[0], sel[1].ref)

    def _classify(self, connection: str, ref: Any) -> None:
        self.tabs.setCurrentIndex(TAB_CLASSIFY)
        self.classify_view.set_target(connection, ref, force=True)

    def _profile_and_classify(self, connection: str, ref: Any) -> None:
        """The preview's offer: profile the table, then show its suggestions in the
        classification editor."""
        self._classify_after_profile = (connection, ref)
        self.tabs.setCurrentIndex(TAB_PROFILE)
        self.profile_view.profile(connection, ref)

    def _after_profile(self, _data: dict) -> None:
        target, self._classify_after_profile = self._classify_after_profile, None
        if target is not None and target == (self.profile_view.connection, self.profile_view.ref):
            self._classify(*target)

    def _classify_planned(self, plan: Any) -> None:
        """The editor learnt the table's columns: its badge can count them exactly."""
        self.catalog.known_columns[(plan.connection, plan.table)] = [c.column for c in plan.columns]
        self.catalog.refresh_badges(plan.connection)

    def _double_clicked(self, item) -> None:  # type: ignore[no-untyped-def]
        if node(item).get("type") == "table":
            self.preview_selected()

    def selected_table(self) -> tuple[str, TableInfo] | None:
        data = node(self.tree.currentItem())
        if data.get("type") != "table":
            self._status("Select a table in the catalog first.")
            return None
        return data["connection"], data["info"]

    def open_sql_console(self) -> None:
        self.tabs.setCurrentIndex(TAB_SQL)
        self.sql_console.editor.setFocus()

    def preview_selected(self) -> None:
        if (sel := self.selected_table()) is not None:
            self.tabs.setCurrentIndex(TAB_PREVIEW)
            self.preview.load(sel[0], sel[1].ref)

    def profile_selected(self) -> None:
        if (sel := self.selected_table()) is not None:
            self.tabs.setCurrentIndex(TAB_PROFILE)
            self.profile_view.profile(sel[0], sel[1].ref)

    def export_selected(self) -> None:
        item = self.tree.currentItem()
        if node(item).get("type") != "table":
            self._status("Select a table in the catalog first.")
            return
        self._fill_export(item)
        self.tabs.setCurrentIndex(TAB_EXPORT)

    def _fill_export(self, item: Any) -> None:
        """The Export tab lists the selected table's siblings with the table ticked."""
        data = node(item)
        parent = item.parent()
        siblings = [
            node(parent.child(i))["info"]
            for i in range(parent.childCount())
            if node(parent.child(i)).get("type") == "table"
        ]
        label = data["info"].ref.display()
        if (
            self.export_form.connection == data["connection"]
            and self.export_form.checked_tables() == [label]
            and not self.export_form.query_box.active
        ):
            return  # already filled: keep what the user set
        self.export_form.set_target(data["connection"], siblings, label)

    # -- dialogs and windows -----------------------------------------------------------
    def open_connections(self) -> Any:
        from dte_desktop.ui.connection_dialog import ConnectionsDialog

        dlg = self.dialogs.get("connections")
        if dlg is None:
            dlg = ConnectionsDialog(self.ctx, self.keeper, self)
            dlg.saved.connect(lambda _n: self.catalog.refresh())
            dlg.removed.connect(lambda _n: self.catalog.refresh())
            self.dialogs["connections"] = dlg
        else:
            dlg.refresh()
        dlg.show()
        dlg.raise_()
        return dlg

    def new_connection(self) -> Any:
        dlg = self.open_connections()
        dlg.new_connection()
        return dlg

    def open_audit(self) -> Any:
        from dte_desktop.ui.audit_view import AuditView

        view = self.dialogs.get("audit")
        if view is None:
            view = AuditView(self.ctx, self)
            self.dialogs["audit"] = view
        else:
            view.refresh()
        view.show()
        view.raise_()
        return view

    def open_job(self, job_id: int) -> Any:
        from dte_desktop.ui.job_window import JobWindow

        win = self.job_windows.get(job_id)
        if win is None:
            win = JobWindow(self.jobs, job_id, self)
            self.job_windows[job_id] = win
        else:
            win.reload()
        win.show()
        win.raise_()
        return win

    def _show_jobs(self) -> None:
        """Ctrl+J: the dock shown (again, if closed), raised, its list focused on the newest
        job, and said in the status bar — visible even when the dock was already open."""
        self.jobs_dock.show()
        self.jobs_dock.raise_()
        self.jobs_dock.refresh()
        table = self.jobs_dock.table
        table.setFocus()
        if table.rowCount() and table.currentRow() < 0:
            table.selectRow(0)
        self._status("Job history (jobs dock): double-click a job to open it.")

    # -- jobs --------------------------------------------------------------------------
    def export_query(self, connection: str, sql: str) -> None:
        self.tabs.setCurrentIndex(TAB_EXPORT)  # first: opening the tab fills it from the table
        self.export_form.set_query(connection, sql)

    def start_export(self, spec: ExportSpec) -> None:
        what = [*spec.tables, *(f"query {q.name}" for q in spec.queries)]
        self._status(f"Starting export of {', '.join(what)}…")
        self.jobs.run_export(spec)

    def _job_started(self, ev: JobStarted) -> None:
        self._status(f"Job {ev.job_id} {'resumed' if ev.resumed else 'started'}.")
        if ev.kind == "export":
            self.export_form.job_started(ev.job_id)

    def _job_event(self, ev: object) -> None:
        if isinstance(ev, JobFinished):
            self._status(f"Job {ev.job_id} {ev.status}.")
            self.notifier.job_finished(ev)

    # -- theme and state ---------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        name = theme.apply_theme(name)
        self.theme_actions[name].setChecked(True)
        self.theme_label.setText(f"{name} theme")
        ui_settings(self.ctx.paths).setValue("ui/theme", name)

    def _status(self, text: str) -> None:
        self.status_label.setText(text)

    def _confirm_quit(self) -> None:
        if self.quit_box is not None:
            self.quit_box.raise_()
            return
        n = len(self.jobs.running()) or 1
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Jobs are running",
            f"{n} export job{'s are' if n > 1 else ' is'} still running.",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("quitConfirm")
        box.setInformativeText(
            "Quitting stops them between batches. Every finished slice is kept, and each "
            "job can be resumed later from the jobs list."
        )
        stop = box.addButton("Stop jobs and quit", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_result: int) -> None:
            self.quit_box = None
            if box.clickedButton() is stop:
                self._quit_after_jobs()
            box.deleteLater()

        box.finished.connect(answered)
        self.quit_box = box
        box.open()  # window-modal, and the event loop (and the jobs' events) keep running

    def _quit_after_jobs(self) -> None:
        self._quitting = True
        if not self.jobs.busy():
            self.close()
            return
        self._status("Stopping the running jobs…")
        self.jobs.idle.connect(self.close, Qt.ConnectionType.SingleShotConnection)
        self.jobs.stop_all()

    def show_shortcuts(self) -> Any:
        from dte_desktop.ui.shortcuts import ShortcutsDialog

        self.shortcuts_dialog = ShortcutsDialog(self.menuBar(), self)
        self.shortcuts_dialog.open()
        return self.shortcuts_dialog

    def _about(self) -> None:
        from dte_desktop.ui.about import AboutDialog

        self.about_dialog = AboutDialog(self.ctx, self)
        self.about_dialog.open()

    def _restore_state(self) -> None:
        settings = ui_settings(self.ctx.paths)
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("main/state")
        if state is not None:
            self.restoreState(state)
        self.set_theme(str(settings.value("ui/theme", "light")))

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if self.jobs.busy() and not self._quitting:
            event.ignore()  # nothing is stopped unasked; the user decides in the box below
            self._confirm_quit()
            return
        settings = ui_settings(self.ctx.paths)
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState())
        self.preview.loader.close()
        self.sql_console.results.loader.close()
        for win in list(self.job_windows.values()) + list(self.dialogs.values()):
            win.close()
        super().closeEvent(event)
