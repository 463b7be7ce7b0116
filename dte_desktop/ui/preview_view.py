"""The Preview tab: a masked, lazily scrolled view of a table, classification colours in the
headers, and the audited reveal flow."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.app import AppContext
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui.grid import GridActions
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.preview_loader import PreviewLoader, PreviewPage
from dte_desktop.ui.preview_model import ArrowTableModel
from dte_desktop.ui.privacy_state import PrivacyState
from dte_desktop.ui.reveal_dialog import RevealDialog
from dte_desktop.ui.workers import run_in_pool


class PreviewView(QWidget):
    loaded = Signal(int)  # rows in the model after a page arrived
    revealed = Signal(str)
    profile_requested = Signal(str, object)  # connection, TableRef
    classify_requested = Signal(str, object)

    def __init__(
        self,
        ctx: AppContext,
        privacy: PrivacyState,
        keeper: PassphraseKeeper,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.privacy, self.keeper = ctx, privacy, keeper
        self.loader = PreviewLoader(ctx, privacy, self)
        self.loader.page.connect(self._on_page)
        self.loader.failed.connect(self._on_failed)
        self.model: ArrowTableModel | None = None
        self.connection: str | None = None
        self.ref: TableRef | None = None
        self.revealed_columns: frozenset[str] = frozenset()  # as core last reported
        self.applied: dict[str, str] = {}
        self.reveal_dialog: RevealDialog | None = None
        self._build()

    def _build(self) -> None:
        self.title = QLabel("Double-click a table in the catalog (or Ctrl+Shift+V) to preview it.")
        self.title.setObjectName("previewTitle")
        self.title.setWordWrap(True)  # a long hint must not widen the tab past the catalog
        self.status = QLabel("")
        self.reveal_button = QPushButton("Reveal column…")
        self.reveal_button.setObjectName("revealButton")
        self.reveal_button.setEnabled(False)
        self.reveal_button.clicked.connect(self.ask_reveal)
        # The status can be long (a refused sort says why): it wraps rather than clip.
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        top.addWidget(self.title, 2)  # wraps only when the tab is narrower than it
        top.addWidget(self.status, 1)
        top.addWidget(self.reveal_button)
        self.table = QTableView()
        self.table.setObjectName("previewTable")
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setHighlightSections(False)
        self.grid = GridActions(self.table)
        self.grid.sort_requested.connect(self.sort)
        self.grid.copied.connect(self.status.setText)
        self.sorted_by: tuple[str, bool] | None = None  # the server-side sort in force
        self._pending_sort: tuple[str, bool] | None = None  # asked, not yet read
        self.banner = QFrame()
        self.banner.setObjectName("unclassifiedBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner_text = QLabel("")
        self.banner_text.setWordWrap(True)
        self.profile_button = QPushButton("Profile and suggest classifications")
        self.profile_button.setObjectName("profileAndSuggest")
        self.profile_button.clicked.connect(self._ask_profile)
        self.classify_button = QPushButton("Classify columns…")
        self.classify_button.clicked.connect(self._ask_classify)
        bl = QHBoxLayout(self.banner)
        bl.addWidget(self.banner_text, 1)
        bl.addWidget(self.profile_button)
        bl.addWidget(self.classify_button)
        self.banner.hide()
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.banner)
        lay.addWidget(self.table, 1)

    # -- loading ---------------------------------------------------------------------
    def load(self, connection: str, ref: TableRef) -> None:
        """A new preview: masked from the first row (reveals end with it)."""
        if not self.keeper.ensure():
            self.status.setText("Cancelled: the credential store stays locked.")
            return
        self.connection, self.ref = connection, ref
        self.title.setText(f"<b>{ref.display()}</b> — {connection}")
        self.status.setText("Loading masked preview…")
        self.table.setModel(None)
        self.model = None
        self.sorted_by = self._pending_sort = None
        self.grid.show_sorted(None)
        self.banner.hide()
        self.loader.open(connection, ref)

    def load_query(self, connection: str, sql: str) -> None:
        """A read-only query's results, masked by the same gate (the SQL console)."""
        from dte_desktop.core.privacy.preview_session import QueryText

        if not self.keeper.ensure():
            self.status.setText("Cancelled: the credential store stays locked.")
            return
        target = QueryText(sql)
        self.connection, self.ref = connection, target  # type: ignore[assignment]
        self.title.setText(f"<b>Query</b> — {connection}")
        self.status.setText("Running the query (read-only)…")
        self.table.setModel(None)
        self.model = None
        self.sorted_by = self._pending_sort = None
        self.grid.show_sorted(None)
        self.loader.open(connection, target)  # type: ignore[arg-type]

    def _on_page(self, page: PreviewPage) -> None:
        if page.generation != self.loader.generation:
            return
        if self.model is None or page.first:
            self._first_page(page)
        else:
            self.model.append_batch(page.batch, page.more)
        self._show_count()
        self.loaded.emit(self.model.rowCount() if self.model else 0)

    def _first_page(self, page: PreviewPage) -> None:
        model = ArrowTableModel(page.batch.schema, self)
        model.fetch_requested.connect(self._fetch_more)
        levels, tips = {}, {}
        for name in page.batch.schema.names:
            cls = page.classifications.get(name)
            level = cls.level.value if cls else page.policy.default_level.value
            source = cls.source if cls else "default level"
            pii = f", PII type {cls.pii_type}" if cls and cls.pii_type else ""
            op = page.applied.get(name, "?")
            # Said only where core really showed the column in clear.
            shown = "shown in clear (revealed)" if name in page.revealed else op
            levels[name] = level
            tips[name] = f"{name}\nClassification: {level} ({source}{pii})\nOperator: {shown}"
        masked = frozenset(n for n, op in page.applied.items() if op != "keep")
        model.set_headers(levels, tips, masked)
        model.append_batch(page.batch, page.more)
        newly = sorted(page.revealed - self.revealed_columns)
        self.revealed_columns = page.revealed
        self.applied = dict(page.applied)
        self.model = model
        self.table.setModel(model)
        self.table.resizeColumnsToContents()
        if self._pending_sort is not None:
            self.sorted_by, self._pending_sort = self._pending_sort, None
        if self.sorted_by is not None and self.sorted_by[0] in model.names:
            self.grid.show_sorted(model.names.index(self.sorted_by[0]), self.sorted_by[1])
        else:
            self.grid.show_sorted(None)
        allow = bool(page.policy and page.policy.allow_reveal)
        maskable = [c for c, op in self.applied.items() if op != "keep"]
        self.reveal_button.setEnabled(allow and bool(maskable))
        self.reveal_button.setToolTip(
            "Show a masked column in clear, with a reason for the audit log"
        )
        if not allow and page.policy is not None:
            self._explain_no_reveal(page.policy)
        self._explain_defaults(page)
        for column in newly:
            self.revealed.emit(column)

    def _explain_no_reveal(self, policy: object) -> None:
        """Core says which policy turns revealing off (never a site policy that is not
        installed)."""
        from dte_desktop.core.privacy.service import reveal_refusal

        ctx = self.ctx
        run_in_pool(
            lambda: reveal_refusal(ctx, policy),
            lambda text: self.reveal_button.setToolTip(text or ""),
        )

    def _explain_defaults(self, page: PreviewPage) -> None:
        """Columns nobody classified are masked at the default level: say so on the
        first preview, and offer to profile the table for suggestions."""
        names = page.batch.schema.names
        unclassified = [
            n for n in names if (c := page.classifications.get(n)) is None or c.source == "default"
        ]
        masked = [n for n in unclassified if page.applied.get(n, "keep") != "keep"]
        # A query's results (the SQL tab) have no table to profile or classify.
        if not masked or self.connection is None or not isinstance(self.ref, TableRef):
            self.banner.hide()
            return
        from dte_desktop.core.privacy.column_plan import latest_profile

        store, conn, ref = self.ctx.store, self.connection, self.ref
        level = page.policy.default_level.value if page.policy else "the default"
        levels = {page.classifications[n].level.value for n in masked if n in page.classifications}
        at = " / ".join(sorted(levels)) or level

        def show(profiled: bool) -> None:
            if (conn, ref) != (self.connection, self.ref):
                return
            head = (
                f"<b>{len(masked)} of {len(names)} columns are not classified</b>, so they are "
                f"masked at the default level ({at}): their cells are masked stand-ins, not data."
            )
            tail = (
                " Review the profile's suggestions and store classifications."
                if profiled
                else " Profile the table to get suggested classifications, then accept them."
            )
            self.banner_text.setText(head + tail)
            self.profile_button.setVisible(not profiled)
            self.banner.show()

        run_in_pool(lambda: latest_profile(store, conn, ref) is not None, show)

    def _ask_profile(self) -> None:
        if self.connection is not None and self.ref is not None:
            self.profile_requested.emit(self.connection, self.ref)

    def _ask_classify(self) -> None:
        if self.connection is not None and self.ref is not None:
            self.classify_requested.emit(self.connection, self.ref)

    def _fetch_more(self) -> None:
        if self.ref is not None:
            self.status.setText("Loading more rows…")
            self.loader.fetch_more()

    def _show_count(self) -> None:
        if self.model is None:
            return
        more = " (scroll for more)" if self.model.has_more else ""
        clear = ", ".join(sorted(self.revealed_columns))
        masked = f"masked except {clear} (revealed)" if clear else "masked"
        order = ""
        if self.sorted_by is not None:
            way = "descending" if self.sorted_by[1] else "ascending"
            order = f", sorted by {self.sorted_by[0]} {way} (server)"
        self.status.setText(f"{self.model.rowCount():,} rows, {masked}{order}{more}")

    def _on_failed(self, title: str, message: str) -> None:
        if self.model is not None:
            self.model.fetch_failed()
        self.status.setText(f"{title}: {message}")
        self._pending_sort = None
        self._show_sort()

    # -- sorting ---------------------------------------------------------------------
    def sort(self, column: int, descending: bool) -> None:
        """A table preview sorts on the server (ORDER BY in the source's dialect: every
        row of the table, and scrolling reads on in that order); a query's results sort
        the rows loaded so far, in the grid (wrapping the user's query in another SELECT
        would change the statement that was checked, traced and audited). Either way a
        masked column is refused by core's ``sort_refusal``."""
        from dte_desktop.core.privacy.preview_session import QueryText, sort_refusal

        if self.model is None or not 0 <= column < len(self.model.names):
            return
        name = self.model.names[column]
        why = sort_refusal(self.applied, name)
        if why is not None:
            self.status.setText(why)
            self._show_sort()
            return
        way = "descending" if descending else "ascending"
        if isinstance(self.ref, QueryText):
            try:
                self.model.sort_loaded(column, descending)
            except (NotImplementedError, TypeError) as exc:  # pa.ArrowNotImplementedError
                self.status.setText(f"{name} cannot be sorted: {exc}")
                self._show_sort()
                return
            self.grid.show_sorted(column, descending)
            self.status.setText(
                f"Sorted the {self.model.rowCount():,} loaded rows by {name}, {way} "
                "(in the grid; rows loaded later join the sort)"
            )
            return
        self._pending_sort = (name, descending)
        self.status.setText(f"Sorting by {name}, {way}, on the server…")
        self.loader.sort(name, descending)

    def _show_sort(self) -> None:
        """Put the header's indicator back to the sort in force (a click flips it)."""
        model = self.model
        if model is not None and model.sorted_by is not None:
            self.grid.show_sorted(*model.sorted_by)
        elif model is not None and self.sorted_by and self.sorted_by[0] in model.names:
            self.grid.show_sorted(model.names.index(self.sorted_by[0]), self.sorted_by[1])
        else:
            self.grid.show_sorted(None)

    # -- reveal ----------------------------------------------------------------------
    def masked_columns(self) -> list[str]:
        return [c for c, op in self.applied.items() if op != "keep"]

    def ask_reveal(self, column: str | bool | None = None) -> RevealDialog | None:
        if not self.reveal_button.isEnabled() or self.ref is None:
            return None
        current = column if isinstance(column, str) else self._current_column()
        dlg = RevealDialog(self.masked_columns(), current, self)
        dlg.accepted.connect(lambda: self.reveal(dlg.column.currentText(), dlg.reason_text()))
        self.reveal_dialog = dlg
        dlg.open()
        return dlg

    def _current_column(self) -> str | None:
        idx = self.table.currentIndex()
        if self.model is not None and idx.isValid():
            return self.model.names[idx.column()]
        return None

    def reveal(self, column: str, reason: str) -> None:
        """Ask core's session to show ``column`` in clear: it checks the policy in force
        and the reason, and audits the reveal (or its refusal) before any value is read."""
        if self.ref is None or self.connection is None:
            return
        self.status.setText(f"Revealing {column}…")
        self.loader.reveal(column, reason)
