"""One masked preview of a table or of a read-only query, page by page, for both front
ends: ``dte preview`` (``--query``) and the GUI's Preview tab and SQL console step the same
session (open, next page, reveal a column, cancel).

A query's columns are decided as the stored columns they read (the source traces them);
a column it computes gets the policy's level for unknown columns, never Public by accident.

The privacy gate decides every column; a reveal is the one exception, and it lives here:
it is allowed only when the policy in force says ``allow_reveal`` (a locked site policy's
permission included) and a reason is given, and it is audited before any clear value is
read. A refused reveal is audited too (``reveal_refused``). A revealed column is then shown
raw because the session overrides the gate's decision for it — not through a policy rule a
locked site floor would silently override.

Qt-free and not thread-safe: one thread steps a session (the GUI's single-thread pool).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import ConfigError, NotFound, PolicyViolation
from dte_desktop.core.privacy.classification import ColumnClassification
from dte_desktop.core.privacy.gate import Decision, PrivacyGate
from dte_desktop.core.privacy.masking import build_masker
from dte_desktop.core.privacy.policy import MaskingPolicy, Rule
from dte_desktop.core.sources.base import SelectSpec, Source, TableRef
from dte_desktop.core.sources.cut import PREVIEW_CUT, cut_batch
from dte_desktop.core.sources.identifiers import resolve_columns, resolve_table, rule_of

PAGE_ROWS = 5_000


@dataclass(frozen=True)
class QueryText:
    """A read-only query to preview (the SQL console); the source refuses anything that
    is not SELECT-like before it is sent."""

    sql: str


MIN_REASON = 10
NOT_ALLOWED = "The masking policy in force does not allow revealing columns on this workstation."
SHORT_REASON = (
    f"Revealing a column needs a reason of at least {MIN_REASON} characters; "
    "it is kept in the audit log."
)


def sort_refusal(operators: Mapping[str, str], column: str) -> str | None:
    """Why ``column`` cannot be sorted, or None. A masked column is never sorted: ordered
    by its stored values (server-side) the rows would show the raw values' order, and
    ordered by the masked text the grid would make one rule look like two. Both grids (the
    table preview's ORDER BY and the SQL tab's sort of its loaded rows) ask here."""
    op = operators.get(column)
    if op is None:
        return f"There is no column {column!r} to sort."
    if op != "keep":
        return (
            f"{column} is masked ({op}): sorting it would show the order of its stored "
            "values, so masked columns are not sortable."
        )
    return None


@dataclass(frozen=True)
class PreviewPage:
    batch: pa.RecordBatch  # masked, except the revealed columns
    more: bool  # another page may follow
    first: bool  # the first page of a (re)opened read: the view starts over
    decisions: dict[str, Decision]
    revealed: frozenset[str]
    policy: MaskingPolicy
    #: Column -> rows of this page whose value was longer than ``PREVIEW_CUT`` characters
    #: (bytes) and is shown cut to that (core/sources/cut.py).
    cut: dict[str, list[int]] = dataclasses.field(default_factory=dict)

    @property
    def operators(self) -> dict[str, str]:
        """Column -> operator applied (``keep`` for a revealed column)."""
        return {n: d.rule.operator for n, d in self.decisions.items()}

    @property
    def classifications(self) -> dict[str, ColumnClassification]:
        return {n: d.classification for n, d in self.decisions.items()}


class PreviewSession:
    def __init__(
        self,
        ctx: Any,
        connection: str,
        table: TableRef | str | QueryText,
        *,
        page_rows: int = PAGE_ROWS,
        limit: int | None = None,
        policy: MaskingPolicy | None = None,
        prompt: Any = None,
    ) -> None:
        self.ctx, self.connection, self.typed = ctx, connection, table
        self.page_rows, self.limit, self.prompt = page_rows, limit, prompt
        if policy is None:
            from dte_desktop.core.privacy.service import effective_policy

            policy = effective_policy(ctx)
        self.policy = policy
        self.table: TableRef | None = None
        self.revealed: frozenset[str] = frozenset()
        self.query = table.sql if isinstance(table, QueryText) else None
        self._names: list[str] = []  # a query's output columns, once read
        self._operators: dict[str, str] = {}  # as the last read decided
        self.order_by: tuple[tuple[str, bool], ...] = ()  # a table read's server-side sort
        self._source: Source | None = None
        self._batches: Iterator[pa.RecordBatch] | None = None
        self._gate: PrivacyGate | None = None

    @property
    def can_reveal(self) -> bool:
        return bool(self.policy.allow_reveal)

    @property
    def label(self) -> str:
        if self.query is not None:
            return "query"
        return self.table.display() if self.table else str(self.typed)

    def query_shape(self) -> str | None:
        """The query as the audit log keeps it: literals as ``?`` (see ``without_literals``)."""
        if self.query is None:
            return None
        from dte_desktop.core.sources.sql_words import without_literals

        return without_literals(self.query, getattr(self._source, "query_dialect", "ansi"))

    # --- reading ----------------------------------------------------------------------

    def open(self, reveal: Sequence[str] = (), reason: str | None = None) -> PreviewPage:
        """Read from the first row. Columns to ``reveal`` are checked (and the reveal
        audited, or its refusal) before a row is read."""
        self.close()
        source = self.ctx.open_source(self.connection, self.prompt)
        self._source = source
        if self.query is None:
            self.table = resolve_table(source, self.typed, rule_of(source))
            spec = SelectSpec(
                table=self.table, limit=self.limit, order_by=self.order_by, cut_at=PREVIEW_CUT
            )
        else:
            spec = SelectSpec(query=self.query, limit=self.limit, cut_at=PREVIEW_CUT)
        if reveal:
            self._grant(reveal, reason)
        # Decisions are made on this read's first batch and hold for its pages.
        self._gate = build_masker(self.ctx, self.connection, self.policy)
        self._batches = source.read_batches(spec, self.page_rows)
        page = self._page(first=True)
        assert page is not None
        self._names = list(page.batch.schema.names)
        self._operators = page.operators
        extra = {"policy": self.policy.name, "operators": page.operators}
        extra["revealed"] = sorted(self.revealed)
        if self.query is not None:
            extra["query"] = self.query_shape()
        if self.order_by:
            extra["order_by"] = [[n, "desc" if d else "asc"] for n, d in self.order_by]
        AuditLog(self.ctx.store).record(
            "preview",
            connection=self.connection,
            object=self.label,
            columns=list(page.batch.schema.names),
            classifications={k: v.level.value for k, v in page.classifications.items()},
            row_count=page.batch.num_rows,
            extra=extra,
        )
        return page

    def next_page(self) -> PreviewPage | None:
        """The next page, or None at the end (or before ``open``)."""
        if self._batches is None:
            return None
        return self._page(first=False)

    def reveal(self, columns: Sequence[str], reason: str | None) -> PreviewPage:
        """Show ``columns`` in clear from now on: allowed and audited, then the read starts
        over from the first row; or refused and audited (``PolicyViolation``), and the
        session reads on as it was."""
        if self._source is None or (self.table is None and not self._names):
            return self.open(reveal=columns, reason=reason)
        self._grant(columns, reason)
        return self.open()

    def sort(self, column: str, descending: bool = False) -> PreviewPage:
        """Read the table again from its first row, ordered by ``column`` on the server
        (each source spells the ORDER BY). Refused for a masked column (``sort_refusal``)
        and for a query, whose rows the grid sorts where they are loaded."""
        if self.query is not None:
            raise ConfigError("A query's results are sorted in the grid, over the rows loaded.")
        why = sort_refusal(self._operators, column)
        if why is not None:
            raise PolicyViolation(why)
        self.order_by = ((column, bool(descending)),)
        return self.open()

    def read_all(self, reveal: Sequence[str] = (), reason: str | None = None) -> PreviewPage:
        """Every page up to ``limit`` as one page (the CLI's preview)."""
        first = self.open(reveal, reason)
        batches = [first.batch]
        cut = {k: list(v) for k, v in first.cut.items()}
        while (page := self.next_page()) is not None:
            offset = sum(b.num_rows for b in batches)
            for col, rows in page.cut.items():
                cut.setdefault(col, []).extend(r + offset for r in rows)
            batches.append(page.batch)
        table = pa.Table.from_batches(batches, schema=first.batch.schema).combine_chunks()
        merged = table.to_batches()[0] if table.num_rows else first.batch
        return dataclasses.replace(first, batch=merged, more=False, cut=cut)

    def cancel(self) -> None:
        """From any thread: stop the statement on the server where the source can (the
        stepping thread then gets the source's cancel error)."""
        source = self._source
        cancel = getattr(source, "cancel", None)
        if cancel is not None:
            cancel()

    def close(self) -> None:
        batches, source = self._batches, self._source
        self._batches = self._source = None
        close = getattr(batches, "close", None)
        if close is not None:
            close()
        if source is not None:
            source.close()

    # --- inside -----------------------------------------------------------------------

    def _page(self, *, first: bool) -> PreviewPage | None:
        assert self._batches is not None and self._gate is not None
        raw = next(self._batches, None)
        if raw is None:
            if not first:
                return None
            raw = self._empty()
        raw, cut = cut_batch(raw, PREVIEW_CUT)  # cut on the server; marked here
        decisions = self._gate.decide(self.label, raw, table=self.table)
        decisions = {n: self._shown(d) for n, d in decisions.items()}
        masked = self._gate.apply(decisions, raw)
        more = raw.num_rows >= self.page_rows
        del raw
        return PreviewPage(masked, more, first, decisions, self.revealed, self.policy, cut)

    def _empty(self) -> pa.RecordBatch:
        assert self._source is not None
        if self.table is None:  # a query that returned no batch at all: no columns to show
            return pa.RecordBatch.from_pylist([])
        cols = self._source.describe(self.table)
        return pa.RecordBatch.from_pylist(
            [], schema=pa.schema([pa.field(c.name, c.arrow_type) for c in cols])
        )

    def _shown(self, decision: Decision) -> Decision:
        if decision.column not in self.revealed:
            return decision
        return dataclasses.replace(
            decision, rule=Rule.make("keep"), reason="revealed with a recorded reason",
            basis="revealed",
        )  # fmt: skip

    def _grant(self, typed: Sequence[str], reason: str | None) -> None:
        assert self._source is not None
        if self.table is None:  # a query: its output columns, as the last read named them
            unknown = [c for c in typed if c not in self._names]
            if unknown:
                raise NotFound(
                    f"The query has no column {unknown[0]!r}"
                    + (" (run it first, then reveal a column)." if not self._names else ".")
                )
            columns = list(typed)
        else:
            columns = resolve_columns(self._source, self.table, list(typed), rule_of(self._source))
        self._authorise(columns, reason)
        self.revealed = self.revealed | frozenset(columns)

    def _authorise(self, columns: list[str], reason: str | None) -> None:
        why = None
        if not self.policy.allow_reveal:
            why = NOT_ALLOWED
        elif not reason or len(reason.strip()) < MIN_REASON:
            why = SHORT_REASON
        audit = AuditLog(self.ctx.store)
        if why is not None:
            audit.record(
                "reveal_refused",
                connection=self.connection,
                object=self.label,
                columns=columns,
                reason=reason.strip() if reason else None,
                extra={"refused_because": why, "policy": self.policy.name},
            )
            raise PolicyViolation(why)
        assert reason is not None
        audit.record(
            "reveal",
            connection=self.connection,
            object=self.label,
            columns=columns,
            reason=reason.strip(),
            extra={"policy": self.policy.name},
        )
