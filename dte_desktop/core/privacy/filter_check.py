"""A masked export's ``--where`` may not name a masked column unless the policy allows
reveals (issue 15 item 12): the rows a filter keeps confirm what the column holds — an export
of ``ssn = '219-09-9999'`` that finds one row says that SSN is in the table, in clear, though
the SSN column itself is redacted. So a filter is a reveal, and needs the same permission.

Which columns are masked is the export's own gate's decision, made on a small unfiltered
sample of the named columns (detected PII counts, not only stored labels), before the job
exists: a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dte_desktop.core.errors import PolicyViolation
from dte_desktop.core.sources.base import SelectSpec, Source
from dte_desktop.core.sources.sql_words import words

SAMPLE_ROWS = 1_000


def named_columns(where: str, columns: list[str], dialect: str) -> list[str]:
    """The columns ``where`` names: a quoted word exactly, a bare word in any case (wider
    than any engine's folding, so a filter never slips through on spelling)."""
    exact = {w.text for w in words(where, dialect) if w.quoted}
    bare = {w.text.casefold() for w in words(where, dialect) if not w.quoted}
    return [c for c in columns if c in exact or c.casefold() in bare]


def refuse_masked_filter(open_source: Callable[[], Source], spec: Any, gate: Any) -> None:
    """Raise ``PolicyViolation`` when ``spec.where`` names a column the gate masks."""
    from dte_desktop.core.sources.identifiers import resolve_table, rule_of

    source = open_source()
    try:
        dialect = getattr(source, "query_dialect", "ansi")
        for text in spec.tables:
            table = resolve_table(source, text, rule_of(source))
            named = named_columns(spec.where, [c.name for c in source.describe(table)], dialect)
            if not named:
                continue
            sample = SelectSpec(table=table, columns=tuple(named), limit=SAMPLE_ROWS)
            batch = next(iter(source.read_batches(sample, SAMPLE_ROWS)), None)
            if batch is None:
                decisions = {n: gate.decide_column(n, None, table=table) for n in named}
            else:  # a label of its own: the export's cached decisions stay its own
                decisions = gate.decide(f"filter check:{text}", batch, table=table)
            masked = [n for n, d in decisions.items() if d.rule.operator != "keep"]
            if masked:
                raise PolicyViolation(
                    f"The filter (--where) names {', '.join(masked)} of {table.display()}, "
                    "masked by the policy in force: the rows a filter keeps confirm the raw "
                    "values, so filtering on a masked column needs the policy's reveal "
                    "permission (allow_reveal). Filter on other columns, or ask your "
                    "compliance officer to classify the column or allow reveals."
                )
    finally:
        source.close()
