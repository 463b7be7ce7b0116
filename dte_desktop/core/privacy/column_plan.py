"""What the classification editor shows for one table: per column the level an officer
stored, the profile's suggestion with its evidence, the PII type, and the level and operator
the privacy gate will apply. The gate is asked (with the profile's finding standing in for
the export's first batch), so no front end decides masking itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dte_desktop.core.privacy.classification import Level, parse_level
from dte_desktop.core.privacy.detectors import PiiFinding
from dte_desktop.core.privacy.labels import labels_for, stored_defaults
from dte_desktop.core.privacy.policy import MaskingPolicy
from dte_desktop.core.sources.base import TableRef


@dataclass(frozen=True)
class ColumnPlan:
    column: str
    db_type: str
    stored: Level | None  # what an officer stored for the column itself
    stored_pii: str | None
    suggestion: Level | None  # the latest profile's suggestion
    suggested_pii: str | None
    evidence: str  # why the profile suggests it (share, validator, name hint)
    level: Level  # the level in force (the gate's)
    basis: str  # the gate's: stored | detected | table default | policy default
    operator: str  # the gate's rule, e.g. "tokenize" or "keep"

    @property
    def pii_type(self) -> str | None:
        return self.stored_pii or self.suggested_pii

    @property
    def suggestion_lowers(self) -> bool:
        """Accepting the suggestion would lower what is stored (never done in bulk)."""
        return (
            self.stored is not None
            and self.suggestion is not None
            and self.stored.is_more_sensitive_than(self.suggestion)
        )


@dataclass(frozen=True)
class TablePlan:
    connection: str
    table: TableRef
    connection_default: Level | None  # stored
    table_default: Level | None  # stored
    policy_default: Level  # for a column nobody classified, when no default is stored
    columns: list[ColumnPlan]
    profiled: bool  # a profile of the table was found


def latest_profile(store: Any, connection: str, table: TableRef) -> dict[str, Any] | None:
    found = store.list_profiles(connection, table.display(), limit=1)
    return found[0].result if found else None


def _finding(col: Mapping[str, Any]) -> PiiFinding | None:
    pii = col.get("pii") or {}
    level = pii.get("suggested_classification") or col.get("suggested_classification")
    if not pii.get("type") or not level:
        return None
    return PiiFinding(
        str(pii["type"]),
        float(pii.get("match_rate") or 0.0),
        float(pii.get("confidence") or 0.0),
        parse_level(level),
    )


def _evidence(col: Mapping[str, Any]) -> str:
    pii = col.get("pii") or {}
    return str(pii.get("evidence") or col.get("suggested_reason") or "")


def plan_table(
    ctx: Any,
    connection: str,
    table: TableRef,
    columns: Sequence[tuple[str, str]],
    *,
    profile: Mapping[str, Any] | None = None,
    policy: MaskingPolicy | None = None,
) -> TablePlan:
    """``columns``: (name, database type) as the source describes them; ``profile``: a
    ``TableProfile.to_json()`` (by default the latest stored one)."""
    from dte_desktop.core.privacy.masking import build_masker

    if profile is None:
        profile = latest_profile(ctx.store, connection, table)
    by_name = {c.get("name"): c for c in (profile or {}).get("columns") or []}
    gate = build_masker(ctx, connection, policy, keyed=False)
    stored = labels_for(ctx.store, connection, table)
    conn_default, table_default = stored_defaults(ctx.store, connection, table)
    rows = []
    for name, db_type in columns:
        prof = by_name.get(name) or {}
        finding = _finding(prof)
        own = stored.columns.get(name)
        decision = gate.decide_column(name, None, table=table, finding=finding)
        suggestion = prof.get("suggested_classification") or None
        rows.append(
            ColumnPlan(
                column=name,
                db_type=db_type,
                stored=own.level if own else None,
                stored_pii=own.pii_type if own else None,
                suggestion=parse_level(suggestion) if suggestion else None,
                suggested_pii=finding.type if finding else None,
                evidence=_evidence(prof),
                level=decision.level,
                basis=decision.basis,
                operator=decision.rule.describe(),
            )
        )
    return TablePlan(
        connection,
        table,
        conn_default,
        table_default,
        gate.policy.default_level,
        rows,
        profile is not None,
    )


@dataclass(frozen=True)
class Change:
    column: str | None  # None: the table's default
    level: Level
    pii_type: str | None = None
    table_level: bool = True  # False: the connection's default (column must be None)


def lowerings(plan: TablePlan, changes: Sequence[Change]) -> list[tuple[Change, Level]]:
    """The changes that lower a stored level, with the level each replaces: these need
    the officer's confirmation and a reason."""
    out = []
    for ch in changes:
        if ch.column is not None:
            old = next((c.stored for c in plan.columns if c.column == ch.column), None)
        elif ch.table_level:
            old = plan.table_default
        else:
            old = plan.connection_default
        if old is not None and old.is_more_sensitive_than(ch.level):
            out.append((ch, old))
    return out


def apply_changes(
    store: Any, plan: TablePlan, changes: Sequence[Change], reason: str | None
) -> int:
    """Store each change through ``labels.classify`` (the CLI's path; audited one by one).
    A lowering without a reason is refused before anything is stored."""
    from dte_desktop.core.errors import ConfigError
    from dte_desktop.core.privacy.labels import classify

    if lowerings(plan, changes) and not (reason or "").strip():
        raise ConfigError("Lowering a stored classification needs a reason.")
    for ch in changes:
        classify(
            store,
            plan.connection,
            plan.table if ch.table_level else None,
            ch.column,
            ch.level.value,
            pii_type=ch.pii_type,
            source="manual",
            reason=reason or "set in the classification editor",
            reason_to_lower=True,
        )
    return len(changes)
