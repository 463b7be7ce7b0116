"""Where a classification goes: the table and column a user typed, checked against the
source's catalog and spelled as the engine spells them, so that a typo is refused (with
the closest name) instead of stored as a label that never applies."""

from __future__ import annotations

from typing import Any

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
