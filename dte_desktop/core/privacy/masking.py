"""Masking as the pipeline uses it: the effective policy, the site key and each column's
classification, applied to every batch of a table.

The decisions themselves are the privacy gate's (``gate.py``): stored classifications,
then the detectors on the first batch, then the stored defaults, then the policy.
"""

from __future__ import annotations

import secrets
from typing import Any

from dte_desktop.core.privacy.gate import PrivacyGate
from dte_desktop.core.privacy.labels import TableLabels, labels_for
from dte_desktop.core.privacy.policy import MaskingPolicy
from dte_desktop.core.secrets import CredentialStore
from dte_desktop.core.sources.base import TableRef

SITE_KEY = CredentialStore.SITE_KEY


def site_key(credentials: CredentialStore) -> bytes:
    """The keyed operators' secret, created on first use and kept only in the credential
    store (a site can preload one so masked values join across workstations)."""
    value = credentials.get(SITE_KEY)
    if value is None:
        value = secrets.token_hex(32)
        credentials.set(SITE_KEY, value)
    return bytes.fromhex(value)


#: The export job's, the preview's and the sampler's masker is the privacy gate itself.
TableMasker = PrivacyGate


def build_masker(
    ctx: Any, connection: str, policy: MaskingPolicy | None = None, *, keyed: bool = True
) -> PrivacyGate:
    """The privacy gate for ``connection``: the effective policy, the site key and what
    officers stored for its tables. ``keyed=False``: a gate that only decides (a plan
    shown before any value is masked), so no key is read or created."""
    if policy is None:
        from dte_desktop.core.privacy.service import effective_policy

        policy = effective_policy(ctx)

    def stored(table: TableRef) -> TableLabels:
        return labels_for(ctx.store, connection, table)

    site = getattr(ctx, "site", None)
    regions = site.regions_for(connection) if site is not None else ("US",)
    return PrivacyGate(policy, site_key(ctx.credentials) if keyed else None, stored, regions)
