"""The masking policy the GUI applies, and the reveal override.

``policy`` is injectable (tests, or a future policy editor); by default it is core's
effective policy (site policy merged with the user's overlay), read in a worker.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dte_desktop.core.privacy.policy import MaskingPolicy, Rule


class PrivacyState:
    def __init__(self, policy: MaskingPolicy | None = None) -> None:
        self.policy = policy

    def effective_policy(self, ctx: Any) -> MaskingPolicy:
        """Call from a worker: core reads the site file and the user's overlay."""
        if self.policy is None:
            from dte_desktop.core.privacy.service import effective_policy

            self.policy = effective_policy(ctx)
        return self.policy


def revealing(policy: MaskingPolicy, table: str, columns: set[str]) -> MaskingPolicy:
    """``policy`` with ``table.column`` overrides to ``keep`` for revealed columns. A locked
    site policy (``floor``) still wins over these, as everywhere else."""
    extra = {f"{_glob_escape(table)}.{_glob_escape(c)}": Rule.make("keep") for c in columns}
    return dataclasses.replace(policy, columns={**policy.columns, **extra})


def _glob_escape(text: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)
