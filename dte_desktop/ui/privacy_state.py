"""The masking policy the GUI applies (reveals are core's: ``core/privacy/preview_session``).

``policy`` is injectable (tests, or a future policy editor); by default it is core's
effective policy (site policy merged with the user's overlay), read in a worker.
"""

from __future__ import annotations

from typing import Any

from dte_desktop.core.privacy.policy import MaskingPolicy


class PrivacyState:
    def __init__(self, policy: MaskingPolicy | None = None) -> None:
        self.policy = policy

    def effective_policy(self, ctx: Any) -> MaskingPolicy:
        """Call from a worker: core reads the site file and the user's overlay."""
        if self.policy is None:
            from dte_desktop.core.privacy.service import effective_policy

            self.policy = effective_policy(ctx)
        return self.policy
