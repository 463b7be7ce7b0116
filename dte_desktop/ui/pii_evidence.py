"""The evidence behind a column's PII finding, as the Profile view shows it: every type the
values support with the share of values that passed, the validator used, the placeholders
set aside and whether the column name agreed, then the suggested level. Only figures and
validator names, never a value."""

from __future__ import annotations

from html import escape
from typing import Any


def evidence_html(column: str, pii: dict[str, Any], level: str) -> str:
    """``pii`` is a profile column's ``pii`` entry (:meth:`PiiFinding.as_dict` plus
    ``types``, every type found, most likely first)."""
    kind = str(pii.get("type", ""))
    if pii.get("detail"):  # pii_in_text: the span types
        kind += f" ({pii['detail']})"
    head = (
        f"<b>{escape(column)}</b>: looks like <b>{escape(kind)}</b> "
        f"(confidence {float(pii.get('confidence') or 0):.2f}) — suggested classification "
        f"<b>{escape(level)}</b>"
    )
    found = pii.get("types") or [pii]
    lines = []
    for i, t in enumerate(found):
        share = 100 * float(t.get("match_rate") or 0)
        # The detector's own line names the share, the validator and the placeholders.
        what = t.get("evidence") or f"{share:.0f}% of values pass {t.get('validator', '')}"
        tag = "" if i == 0 else " (also)"
        lines.append(
            f"&nbsp;&nbsp;• <b>{escape(str(t.get('type', '')))}</b>{tag}: {escape(str(what))}"
        )
    return head + "<br>" + "<br>".join(lines)
