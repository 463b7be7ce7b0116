"""Merging a user's policy over the site policy, and the rule that a locked one only tightens.

A user overlay is the policy TOML with every key optional; a rule table with
``remove = true`` deletes the inherited rule. Over an unlocked site policy the overlay
simply wins. Over a ``locked = true`` site policy each change is checked and the first one
that would reveal more raises ``PolicyViolation`` naming the rule:

* a level, PII or column rule may move to a stronger operator (or the same operator with
  parameters that show no more); never weaker, never removed;
* a new column override may not be ``keep`` (it would unmask whatever the site masks there);
  other new overrides are accepted, and at resolution time the site's own choice for the
  column stays a floor (``MaskingPolicy.floor``);
* ``default_level`` may only rise; ``force_masked_export`` cannot be turned off,
  ``allow_reveal`` cannot be turned on, and ``locked`` cannot be cleared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dte_desktop.core.errors import ConfigError, PolicyViolation
from dte_desktop.core.privacy.classification import Level, parse_level
from dte_desktop.core.privacy.policy import (
    POLICY_KEYS,
    MaskingPolicy,
    Rule,
    check_version,
    parse_below_min_k,
    parse_min_k,
    parse_toml,
    rule_from_table,
    rule_tables,
)

# An overlay has the same keys as a whole policy, each optional.
_OVERLAY_KEYS = POLICY_KEYS


@dataclass(frozen=True)
class PolicyOverlay:
    """Changes to apply over a base policy; ``None`` in a rule map means "remove"."""

    name: str | None = None
    default_level: Level | None = None
    unknown_level: Level | None = None
    locked: bool | None = None
    force_masked_export: bool | None = None
    allow_reveal: bool | None = None
    min_k: int | None = None
    below_min_k: str | None = None
    levels: Mapping[Level, Rule | None] = field(default_factory=dict)
    pii: Mapping[str, Rule | None] = field(default_factory=dict)
    columns: Mapping[str, Rule | None] = field(default_factory=dict)

    @classmethod
    def replacing(cls, base: MaskingPolicy, new: MaskingPolicy) -> PolicyOverlay:
        """The overlay that turns ``base`` into ``new``: rules absent from ``new`` count as
        removed, so a whole edited policy can be checked against a locked one."""

        def diff(old: Mapping[Any, Rule], now: Mapping[Any, Rule]) -> dict[Any, Rule | None]:
            out: dict[Any, Rule | None] = {k: None for k in old if k not in now}
            out.update(now)
            return out

        return cls(
            name=new.name,
            default_level=new.default_level,
            unknown_level=new.unknown_level,
            # A full policy always carries ``locked``; false there means "not stated", and
            # the merged result stays locked anyway.
            locked=new.locked or None,
            force_masked_export=new.force_masked_export,
            allow_reveal=new.allow_reveal,
            min_k=new.min_k,
            below_min_k=new.below_min_k if new.min_k is not None else None,
            levels=diff(base.levels, new.levels),
            pii=diff(base.pii, new.pii),
            columns=diff(base.columns, new.columns),
        )


def _overlay_rule(data: Any, where: str) -> Rule | None:
    if isinstance(data, Mapping) and data.get("remove") is True:
        if set(data) != {"remove"}:
            raise ConfigError(f"Masking policy: {where} has remove = true and other keys.")
        return None

    return rule_from_table(data, where)


def overlay_from_dict(data: Mapping[str, Any]) -> PolicyOverlay:
    unknown = sorted(set(data) - _OVERLAY_KEYS)
    if unknown:
        raise ConfigError(f"Masking policy: unknown key(s) {', '.join(unknown)}.")
    if "version" in data:
        check_version(data)
    for flag in ("locked", "force_masked_export", "allow_reveal"):
        if flag in data and not isinstance(data[flag], bool):
            raise ConfigError(f"Masking policy: {flag} must be true or false.")
    name = data.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ConfigError("Masking policy: name must be a non-empty string.")
    level = data.get("default_level")
    unknown = data.get("unknown_level")
    return PolicyOverlay(
        name=name,
        default_level=None if level is None else parse_level(level),
        unknown_level=None if unknown is None else parse_level(unknown),
        locked=data.get("locked"),
        force_masked_export=data.get("force_masked_export"),
        allow_reveal=data.get("allow_reveal"),
        min_k=parse_min_k(data.get("min_k")),
        below_min_k=None if "below_min_k" not in data else parse_below_min_k(data["below_min_k"]),
        levels={
            parse_level(k): _overlay_rule(v, f"levels.{k}")
            for k, v in rule_tables(data, "levels").items()
        },
        pii={k.lower(): _overlay_rule(v, f"pii.{k}") for k, v in rule_tables(data, "pii").items()},
        columns={
            k: _overlay_rule(v, f"columns.{k!r}") for k, v in rule_tables(data, "columns").items()
        },
    )


def parse_overlay(text: str, source: str = "<text>") -> PolicyOverlay:
    return overlay_from_dict(parse_toml(text, source))


def load_overlay(path: str | Path) -> PolicyOverlay:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read masking policy {path}: {exc.strerror}") from None
    return parse_overlay(text, str(path))


def _merge_rules(
    section: str,
    base: Mapping[Any, Rule],
    changes: Mapping[Any, Rule | None],
    locked: bool,
    site_name: str,
) -> dict[Any, Rule]:
    merged = dict(base)
    for key, new in changes.items():
        label = f"{section}.{getattr(key, 'value', key)}"
        old = base.get(key)
        if new is None:
            if locked and old is not None:
                raise PolicyViolation(
                    f"The locked site policy {site_name!r} sets {label} = {old.describe()}; "
                    "it cannot be removed."
                )
            merged.pop(key, None)
            continue
        if locked and old is not None:
            why = new.looser_than(old)
            if why:
                raise PolicyViolation(
                    f"The locked site policy {site_name!r} sets {label} = {old.describe()}; "
                    f"{new.describe()} would loosen it ({why}). Only stronger masking is "
                    "allowed."
                )
        if locked and old is None and section == "columns" and new.operator == "keep":
            raise PolicyViolation(
                f"The locked site policy {site_name!r} does not allow a new column override "
                f"{label} = keep: it would show values the site policy masks."
            )
        merged[key] = new
    return merged


def merge_policies(site: MaskingPolicy, user: PolicyOverlay | MaskingPolicy) -> MaskingPolicy:
    """``user`` over ``site``. Over a locked site the result is locked and keeps ``site``
    as its floor; ``PolicyViolation`` if any change would loosen it."""
    overlay = user if isinstance(user, PolicyOverlay) else PolicyOverlay.replacing(site, user)
    locked = site.locked
    name = site.name

    def violation(what: str) -> PolicyViolation:
        return PolicyViolation(f"The locked site policy {name!r} {what}.")

    default_level = overlay.default_level or site.default_level
    unknown_level = overlay.unknown_level or site.unknown_level
    force = (
        site.force_masked_export
        if overlay.force_masked_export is None
        else overlay.force_masked_export
    )
    reveal = site.allow_reveal if overlay.allow_reveal is None else overlay.allow_reveal
    min_k = overlay.min_k if overlay.min_k is not None else site.min_k
    below_min_k = overlay.below_min_k or site.below_min_k
    if locked:
        if overlay.locked is False:
            raise violation("cannot be unlocked by a user policy")
        if default_level < site.default_level:
            raise violation(
                f"sets default_level = {site.default_level.value}; lowering it to "
                f"{default_level.value} would mask unclassified columns less"
            )
        if (
            site.untraced_level
            > replace(site, unknown_level=unknown_level, default_level=default_level).untraced_level
        ):
            raise violation(
                f"gives untraced query columns {site.untraced_level.value}; a user policy "
                "cannot lower that"
            )  # fmt: skip
        if site.force_masked_export and not force:
            raise violation("forces masked exports; force_masked_export cannot be turned off")
        if reveal and not site.allow_reveal:
            raise violation("does not allow revealing values; allow_reveal cannot be turned on")
        if site.min_k is not None and (min_k is None or min_k < site.min_k):
            raise violation(f"sets min_k = {site.min_k}; a user policy can only raise it")
    levels = _merge_rules("levels", site.levels, overlay.levels, locked, name)
    missing = [lvl.value for lvl in Level if lvl not in levels]
    if missing:
        raise ConfigError(f"Merged masking policy has no rule for level(s) {', '.join(missing)}.")
    return replace(
        site,
        name=overlay.name or site.name,
        levels=levels,
        pii=_merge_rules("pii", site.pii, overlay.pii, locked, name),
        columns=_merge_rules("columns", site.columns, overlay.columns, locked, name),
        default_level=default_level,
        unknown_level=unknown_level,
        locked=locked or bool(overlay.locked),
        force_masked_export=force,
        allow_reveal=reveal,
        min_k=min_k,
        below_min_k=below_min_k,
        floor=site if locked else site.floor,
    )
