"""The main window: the catalog on the left, the work area (Overview, Profile, Classify,
Preview, Sample, Export, Risk, SQL), the jobs dock, themes and remembered window state.
Its menus (window_menus), tab handling (window_tabs) and dialogs (window_dialogs) are
mixins in their own modules."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter, QTabWidget

from dte_desktop.core.app import AppContext
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import JobFinished
from dte_desktop.core.privacy.policy import MaskingPolicy
from dte_desktop.ui import theme
from dte_desktop.ui.catalog import CatalogTree
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
from dte_desktop.ui.window_dialogs import DialogsMixin
from dte_desktop.ui.window_menus import MenusMixin
from dte_desktop.ui.window_tabs import (
    TAB_CLASSIFY,
    TAB_EXPORT,
    TAB_OVERVIEW,
    TAB_PREVIEW,
    TAB_PROFILE,
    TAB_RISK,
    TAB_SAMPLE,
    TAB_SQL,
    TabsMixin,
)

__all__ = [
    "TAB_CLASSIFY", "TAB_EXPORT", "TAB_OVERVIEW", "TAB_PREVIEW", "TAB_PROFILE", "TAB_RISK",
    "TAB_SAMPLE", "TAB_SQL", "MainWindow",
]  # fmt: skip


class MainWindow(MenusMixin, TabsMixin, DialogsMixin, QMainWindow):
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
