"""Steps core's preview session (``core/privacy/preview_session.py``) in the background:
open, next page, reveal. The session masks every batch before it leaves core; this module
only carries the pages to the GUI thread.

One single-thread pool per loader: a session's cursor is stepped by one thread at a time,
in order, and a new preview closes the previous session on that same thread first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from PySide6.QtCore import QObject, QThreadPool, Signal

from dte_desktop.core.app import AppContext
from dte_desktop.core.privacy.classification import ColumnClassification
from dte_desktop.core.privacy.policy import MaskingPolicy
from dte_desktop.core.privacy.preview_session import PAGE_ROWS, PreviewSession
from dte_desktop.core.privacy.preview_session import PreviewPage as CorePage
from dte_desktop.core.sources.base import TableRef
from dte_desktop.ui.privacy_state import PrivacyState
from dte_desktop.ui.workers import run_in_pool

PREVIEW_BATCH_ROWS = PAGE_ROWS


@dataclass
class PreviewPage:
    generation: int
    batch: pa.RecordBatch  # masked, except the columns core revealed
    more: bool
    classifications: dict[str, ColumnClassification] = field(default_factory=dict)
    applied: dict[str, str] = field(default_factory=dict)
    policy: MaskingPolicy | None = None
    revealed: frozenset[str] = frozenset()
    first: bool = False  # the view starts over (a new table, or a reveal re-read it)


def _page(gen: int, page: CorePage | None) -> PreviewPage:
    if page is None:
        return PreviewPage(gen, pa.RecordBatch.from_pylist([]), False)
    return PreviewPage(
        gen,
        page.batch,
        page.more,
        page.classifications,
        page.operators,
        page.policy,
        page.revealed,
        page.first,
    )


class PreviewLoader(QObject):
    page = Signal(object)  # PreviewPage
    failed = Signal(str, str)

    def __init__(self, ctx: AppContext, privacy: PrivacyState, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.privacy = ctx, privacy
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.pool.setExpiryTimeout(-1)
        self.generation = 0
        self._session: PreviewSession | None = None
        self.batch_rows = PREVIEW_BATCH_ROWS

    def open(self, connection: str, ref: TableRef) -> int:
        self.generation += 1
        gen = self.generation

        def work() -> PreviewPage:
            self._close_session()
            policy = self.privacy.effective_policy(self.ctx)
            session = PreviewSession(
                self.ctx, connection, ref, page_rows=self.batch_rows, policy=policy
            )
            self._session = session
            return _page(gen, session.open())

        run_in_pool(work, self.page.emit, self._fail, pool=self.pool)
        return gen

    def fetch_more(self) -> None:
        gen = self.generation

        def work() -> PreviewPage:
            session = self._session
            if session is None or gen != self.generation:
                return _page(gen, None)
            return _page(gen, session.next_page())

        run_in_pool(work, self.page.emit, self._fail, pool=self.pool)

    def reveal(self, column: str, reason: str) -> int:
        """Core decides (policy, reason) and audits the reveal or its refusal; the table is
        read again from its first row with the column in clear."""
        self.generation += 1
        gen = self.generation

        def work() -> PreviewPage:
            session = self._session
            if session is None:
                raise RuntimeError("No preview is open.")
            return _page(gen, session.reveal([column], reason))

        run_in_pool(work, self.page.emit, self._fail, pool=self.pool)
        return gen

    def sort(self, column: str, descending: bool) -> int:
        """Read the table again ordered by ``column`` on the server; core refuses a masked
        column (``sort_refusal``) and the failure is reported like any other."""
        self.generation += 1
        gen = self.generation

        def work() -> PreviewPage:
            session = self._session
            if session is None:
                raise RuntimeError("No preview is open.")
            return _page(gen, session.sort(column, descending))

        run_in_pool(work, self.page.emit, self._fail, pool=self.pool)
        return gen

    def cancel(self) -> None:
        """From the GUI thread: stop the running statement on the server (where the source
        can); the worker then reports the source's cancel error."""
        session = self._session
        if session is not None:
            session.cancel()

    def close(self) -> None:
        self.generation += 1
        run_in_pool(self._close_session, pool=self.pool)

    def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def _fail(self, title: str, message: str) -> None:
        self.failed.emit(title, message)
