"""Where a classification goes: the table and column a user typed, checked against the
source's catalog and spelled as the engine spells them, so that a typo is refused (with
the closest name) instead of stored as a label that never applies."""

from __future__ import annotations

from typing import Any

from dte_desktop.core.errors import NotFound
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.identifiers import resolve_columns, resolve_table, rule_of


def checked_target(
    ctx: Any, connection: str, table: str, column: str | None, prompt: Any = None
) -> tuple[TableRef | None, str | None]:
    """``table`` ``*`` is the connection's default (nothing to check); ``column`` None the
    table's default. Raises ``NotFound`` for a name the catalog does not hold."""
    if table == "*":
        return None, None
    source = ctx.open_source(connection, prompt)
    try:
        rule = rule_of(source)
        ref = resolve_table(source, table, rule)
        if column is None:
            return ref, None
        return ref, resolve_columns(source, ref, [column], rule)[0]
    finally:
        source.close()


def checked_targets(
    ctx: Any, connection: str, targets: list[tuple[TableRef | None, str | None]], prompt: Any = None
) -> list[tuple[TableRef | None, str | None]]:
    """An imported file's (table, column) pairs, each as the catalog spells it; one
    ``NotFound`` naming every entry the catalog does not hold (nothing is stored then)."""
    if all(t is None for t, _ in targets):
        return targets
    source = ctx.open_source(connection, prompt)
    try:
        rule = rule_of(source)
        out: list[tuple[TableRef | None, str | None]] = []
        problems: list[str] = []
        for table, column in targets:
            if table is None:
                out.append((None, None))
                continue
            try:
                ref = resolve_table(source, table, rule)
                col = None
                if column is not None:
                    col = resolve_columns(source, ref, [column], rule, stored=True)[0]
                out.append((ref, col))
            except NotFound as exc:
                problems.append(str(exc))
        if problems:
            raise NotFound(" ".join(dict.fromkeys(problems)))
        return out
    finally:
        source.close()
