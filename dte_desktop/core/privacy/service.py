"""The privacy decisions the front ends share: which policy is in force (site, merged with
the user's), changing the user's part (audited, refused where it would loosen a locked site
policy), and the masked preview."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.errors import PolicyViolation
from dte_desktop.core.privacy.classification import ColumnClassification
from dte_desktop.core.privacy.locking import load_overlay, merge_policies, parse_overlay
from dte_desktop.core.privacy.masking import build_masker
from dte_desktop.core.privacy.policy import (
    MaskingPolicy,
    default_policy,
    load_policy,
    policy_from_dict,
)
from dte_desktop.core.site import SiteConfig, load_site
from dte_desktop.core.sources.base import SelectSpec, TableRef

USER_POLICY = "masking_policy.toml"


def site_policy(site: SiteConfig) -> MaskingPolicy:
    if not site.masking:
        return default_policy()
    if "policy_file" in site.masking:
        return load_policy(site.masking["policy_file"])
    return policy_from_dict(site.masking)


def user_policy_path(ctx: Any) -> Path:
    return ctx.paths.config_dir / USER_POLICY


def effective_policy(ctx: Any, site: SiteConfig | None = None) -> MaskingPolicy:
    """The site's policy (or the shipped default) with the user's overlay on top."""
    base = site_policy(site or load_site())
    user = user_policy_path(ctx)
    return merge_policies(base, load_overlay(user)) if user.exists() else base


def set_user_policy(ctx: Any, text: str, *, reason: str | None = None) -> MaskingPolicy:
    """Replace the user's overlay; checked against the site policy before anything is
    written, so a refused change leaves the old file in place."""
    site = load_site()
    merged = merge_policies(site_policy(site), parse_overlay(text, "the new policy"))
    path = user_policy_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)
    AuditLog(ctx.store).record(
        "policy_change",
        object=str(path),
        reason=reason,
        extra={"policy": merged.name, "fingerprint": merged.fingerprint()},
    )
    return merged


def export_must_mask(policy: MaskingPolicy) -> bool:
    return policy.force_masked_export


@dataclass(frozen=True)
class Preview:
    table: pa.Table  # masked, except the columns revealed with a recorded reason
    classifications: dict[str, ColumnClassification]
    operators: dict[str, str]  # column -> operator applied ("keep" when revealed)
    revealed: tuple[str, ...]


def masked_preview(
    ctx: Any,
    connection: str,
    table: TableRef,
    *,
    limit: int = 100,
    reveal: tuple[str, ...] = (),
    reason: str | None = None,
    prompt: Any = None,
) -> Preview:
    """The first ``limit`` rows with the policy applied. Revealing a column needs the
    policy's ``allow_reveal`` and a reason, and is audited before any value is returned."""
    policy = effective_policy(ctx)
    if reveal:
        if not policy.allow_reveal:
            raise PolicyViolation(
                "The masking policy in force does not allow revealing columns on this workstation."
            )
        if not reason or len(reason.strip()) < 10:
            raise PolicyViolation(
                "Revealing a column needs a reason of at least 10 "
                "characters; it is kept in the audit log."
            )
    masker = build_masker(ctx, connection, policy)
    source = ctx.open_source(connection, prompt)
    try:
        batches = []
        for batch in source.read_batches(SelectSpec(table=table, limit=limit), limit):
            batches.append(batch)
    finally:
        source.close()
    raw = pa.Table.from_batches(batches) if batches else None
    label = table.display()
    audit = AuditLog(ctx.store)
    if raw is None or raw.num_rows == 0:
        audit.record("preview", connection=connection, object=label, row_count=0)
        return Preview(pa.table({}), {}, {}, ())
    merged = raw.combine_chunks().to_batches()[0]
    unknown = [c for c in reveal if c not in merged.schema.names]
    if unknown:
        raise PolicyViolation(f"No column {unknown[0]!r} in {label}.")
    classes = masker.classifications(label, merged)
    masked, ops = masker.mask(label, merged)
    cols = {name: masked.column(name) for name in masked.schema.names}
    for name in reveal:
        cols[name] = merged.column(name)
        ops[name] = "keep"
    if reveal:
        audit.record(
            "reveal",
            connection=connection,
            object=label,
            columns=list(reveal),
            classifications={c: classes[c].level.value for c in reveal if c in classes},
            reason=reason.strip() if reason else None,
            row_count=merged.num_rows,
        )
    audit.record(
        "preview",
        connection=connection,
        object=label,
        columns=list(merged.schema.names),
        classifications={c: v.level.value for c, v in classes.items()},
        row_count=merged.num_rows,
        extra={"operators": ops},
    )
    return Preview(pa.table(cols), classes, ops, tuple(reveal))
