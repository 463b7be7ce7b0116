"""Reads a preview in the background: open the source, stream batches, mask each one,
and only then hand it to the GUI. Raw batches never leave this module's worker code.

One single-thread pool per loader: a source's cursor is stepped by one thread at a time,
in order, and a new preview closes the previous cursor on that same thread first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from PySide6.QtCore import QObject, QThreadPool, Signal

from dte_desktop.core.app import AppContext
from dte_desktop.core.audit import AuditLog
from dte_desktop.core.privacy.classification import ColumnClassification
from dte_desktop.core.privacy.masking import TableMasker, build_masker
from dte_desktop.core.privacy.policy import MaskingPolicy
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.ui.privacy_state import PrivacyState, revealing
from dte_desktop.ui.workers import run_in_pool

PREVIEW_BATCH_ROWS = 5_000


@dataclass
class PreviewPage:
    generation: int
    batch: pa.RecordBatch  # masked
    more: bool
    classifications: dict[str, ColumnClassification] = field(default_factory=dict)
    applied: dict[str, str] = field(default_factory=dict)
    policy: MaskingPolicy | None = None


class _Session:
    def __init__(self, source: Source, batches: Iterator[pa.RecordBatch], masker: TableMasker):
        self.source, self.batches, self.masker = source, batches, masker

    def close(self) -> None:
        close = getattr(self.batches, "close", None)
        if close:
            close()
        self.source.close()


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
        self._session: _Session | None = None
        self.batch_rows = PREVIEW_BATCH_ROWS

    def open(self, connection: str, ref: TableRef, revealed: set[str] | None = None) -> int:
        self.generation += 1
        gen, label = self.generation, ref.display()
        revealed = set(revealed or ())

        def work() -> PreviewPage:
            self._close_session()
            policy = self.privacy.effective_policy(self.ctx)
            if revealed:
                policy = revealing(policy, label, revealed)
            # Core's masker: stored classifications (officers' decisions) win, detectors
            # fill the gaps, the policy's default level covers the rest.
            masker = build_masker(self.ctx, connection, policy)
            source = self.ctx.open_source(connection)
            batches = source.read_batches(SelectSpec(table=ref), self.batch_rows)
            self._session = _Session(source, batches, masker)
            raw = next(batches, None)
            if raw is None:
                cols = source.describe(ref)
                raw = pa.RecordBatch.from_pylist(
                    [], schema=pa.schema([pa.field(c.name, c.arrow_type) for c in cols])
                )
            masked, applied = masker.mask(label, raw)
            classes = masker.classifications(label, raw)
            more = raw.num_rows >= self.batch_rows
            del raw
            AuditLog(self.ctx.store).record(
                "preview",
                connection=connection,
                object=label,
                columns=list(masked.schema.names),
                classifications={k: v.level.value for k, v in classes.items()},
                row_count=masked.num_rows,
                extra={"policy": policy.name, "revealed": sorted(revealed)},
            )
            return PreviewPage(gen, masked, more, classes, applied, policy)

        run_in_pool(work, self.page.emit, self._fail, pool=self.pool)
        return gen

    def fetch_more(self, label: str) -> None:
        gen = self.generation

        def work() -> PreviewPage:
            session = self._session
            if session is None or gen != self.generation:
                return PreviewPage(gen, pa.RecordBatch.from_pylist([]), False)
            raw = next(session.batches, None)
            if raw is None:
                return PreviewPage(gen, pa.RecordBatch.from_pylist([]), False)
            masked, _applied = session.masker.mask(label, raw)
            return PreviewPage(gen, masked, raw.num_rows >= self.batch_rows)

        run_in_pool(work, self.page.emit, self._fail, pool=self.pool)

    def close(self) -> None:
        self.generation += 1
        run_in_pool(self._close_session, pool=self.pool)

    def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def _fail(self, title: str, message: str) -> None:
        self.failed.emit(title, message)
