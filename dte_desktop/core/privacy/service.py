"""The privacy decisions the front ends share: which policy is in force (site, merged with
the user's), changing the user's part (audited, refused where it would loosen a locked site
policy), and the masked preview."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from dte_desktop.core.audit import AuditLog
from dte_desktop.core.privacy.classification import ColumnClassification
from dte_desktop.core.privacy.locking import load_overlay, merge_policies, parse_overlay
from dte_desktop.core.privacy.policy import (
    MaskingPolicy,
    default_policy,
    load_policy,
    policy_from_dict,
)
from dte_desktop.core.site import SiteConfig, load_site
from dte_desktop.core.sources.base import TableRef

if TYPE_CHECKING:
    from dte_desktop.core.privacy.preview_session import QueryText

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
    query: str | None = None  # a query preview's text as audited (literals as ?)
    cut: dict[str, list[int]] | None = None  # column -> rows shown cut (core/sources/cut.py)


def masked_preview(
    ctx: Any,
    connection: str,
    table: TableRef | str | QueryText,
    *,
    limit: int = 100,
    reveal: tuple[str, ...] = (),
    reason: str | None = None,
    prompt: Any = None,
) -> Preview:
    """The first ``limit`` rows as the preview session shows them (the GUI's too): masked
    by the gate, a column revealed only with the policy's ``allow_reveal`` and a reason,
    audited before any value is returned; a refused reveal is audited and raised."""
    from dte_desktop.core.privacy.preview_session import PreviewSession

    session = PreviewSession(
        ctx, connection, table, page_rows=limit, limit=limit, policy=effective_policy(ctx),
        prompt=prompt,
    )  # fmt: skip
    try:
        page = session.read_all(reveal, reason)
        shape = session.query_shape()
    finally:
        session.close()
    return Preview(
        pa.Table.from_batches([page.batch]),
        page.classifications,
        page.operators,
        tuple(sorted(page.revealed)),
        shape,
        page.cut,
    )


def reveal_refusal(ctx: Any, policy: MaskingPolicy) -> str | None:
    """Why revealing a column is off, naming the policy that says so (a site policy only
    where one is installed); None where the policy in force allows it."""
    if policy.allow_reveal:
        return None
    site = load_site()
    user = user_policy_path(ctx)
    if site.masking:
        base = site_policy(site)
        if base.locked:
            return (
                f"The site's locked masking policy ({base.name}) does not allow revealing "
                "columns (allow_reveal = false). Ask your compliance officer."
            )
        if base.allow_reveal:
            return f"Your masking policy ({user}) turns revealing off (allow_reveal = false)."
        return (
            f"The site's masking policy ({base.name}) does not allow revealing columns "
            f"(allow_reveal = false); your own policy ({user}) may turn it on."
        )
    if user.exists() and load_overlay(user).allow_reveal is False:
        return f"Your masking policy ({user}) turns revealing off (allow_reveal = false)."
    return (
        "Revealing is off in the built-in default masking policy (no site policy is "
        f"installed). To allow it, put allow_reveal = true in {user}; each reveal then asks "
        "for a reason and is audited."
    )
