"""The masking policy: a versioned TOML file mapping levels, PII types and columns to operators.

File format (``version = 1``)::

    version = 1
    name = "Site policy"
    locked = true                 # users may only tighten (see locking.py)
    default_level = "Confidential"  # for columns nobody classified
    unknown_level = "Confidential"  # for query columns traced to no stored column
    force_masked_export = true
    allow_reveal = false

    [levels.HRCI]
    operator = "redact"

    [pii.email]
    operator = "partial"
    params = { keep_first = 1, keep_last = 0, keep_from = "@" }

    [columns."hr.*.salary"]       # "schema.table.column" or a glob; bare names match columns
    operator = "generalize"
    params = { bucket_width = 10000 }

How a column's rule is chosen: a matching column override wins (exact pattern first, then
the most literal characters, then the stronger operator). Otherwise the level rule (the
column's level, or ``default_level``) and the PII-type rule are compared and the *stronger*
applies, so learning a column holds PII, or raising its level, never masks it less. When the
policy was merged over a locked site policy, the site's choice for the column is a floor.
"""

from __future__ import annotations

import fnmatch
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import tomli_w

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.privacy.classification import (
    LEVELS_MOST_SENSITIVE_FIRST,
    ColumnClassification,
    Level,
    parse_level,
)
from dte_desktop.core.privacy.operators import (
    OPERATOR_STRENGTH,
    apply_operator,
    get_operator,
    loosening_reason,
    tightest,
)

POLICY_FORMAT_VERSION = 1
DEFAULT_POLICY_FILE = "masking_policy.toml"
POLICY_KEYS = frozenset(
    {
        "version",
        "name",
        "locked",
        "default_level",
        "unknown_level",
        "force_masked_export",
        "allow_reveal",
        "min_k",
        "below_min_k",
        "levels",
        "pii",
        "columns",
    }
)


@dataclass(frozen=True)
class Rule:
    """An operator and its complete, validated parameters."""

    operator: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, operator: str, params: Mapping[str, Any] | None = None) -> Rule:
        return cls(operator, get_operator(operator).validate(params))

    @property
    def strength(self) -> int:
        return OPERATOR_STRENGTH[self.operator]

    def looser_than(self, other: Rule) -> str | None:
        """Why this rule reveals more than ``other``, or None."""
        if self.strength < other.strength:
            return f"{self.operator} is weaker than {other.operator}"
        if self.operator == other.operator:
            return loosening_reason(self.operator, other.params, self.params)
        return None

    def describe(self) -> str:
        changed = {
            k: v
            for k, v in self.params.items()
            if get_operator(self.operator).params[k].default != v
        }
        if not changed:
            return self.operator
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(changed.items()))
        return f"{self.operator}({args})"


@dataclass(frozen=True)
class ResolvedRule:
    column: str
    rule: Rule
    reason: str
    #: The column's PII type, for operators that follow it (``generalize``).
    pii_type: str | None = None


@dataclass(frozen=True)
class MaskingPolicy:
    name: str
    levels: Mapping[Level, Rule]
    pii: Mapping[str, Rule] = field(default_factory=dict)
    columns: Mapping[str, Rule] = field(default_factory=dict)
    default_level: Level = Level.CONFIDENTIAL
    #: For a query column that reads no stored column as it is (an expression); unset, it is
    #: the more sensitive of ``default_level`` and Confidential: never Public by accident.
    unknown_level: Level | None = None
    version: int = POLICY_FORMAT_VERSION
    locked: bool = False
    force_masked_export: bool = False
    allow_reveal: bool = False
    #: A masked export checks k-anonymity over its quasi-identifiers before it writes:
    #: below ``min_k`` it stops, or (``below_min_k = "suppress"``) leaves out those rows.
    min_k: int | None = None
    below_min_k: str = "stop"
    #: The locked site policy this one was merged over; its choices are a floor.
    floor: MaskingPolicy | None = None

    def __post_init__(self) -> None:
        missing = [lvl.value for lvl in LEVELS_MOST_SENSITIVE_FIRST if lvl not in self.levels]
        if missing:
            raise ConfigError(
                f"Masking policy {self.name!r} has no rule for level(s) {', '.join(missing)}; "
                "every level needs one."
            )

    def resolve(
        self,
        column: str,
        classification: ColumnClassification | None = None,
        *,
        table: str | None = None,
    ) -> ResolvedRule:
        chosen = self._resolve_own(column, classification, table)
        if self.floor is not None:
            site = self.floor.resolve(column, classification, table=table)
            if chosen.rule.looser_than(site.rule):
                return ResolvedRule(
                    column, site.rule, f"{site.reason} (locked site policy)", site.pii_type
                )
        return chosen

    def _resolve_own(
        self, column: str, classification: ColumnClassification | None, table: str | None
    ) -> ResolvedRule:
        pii_type = (
            classification.pii_type.lower() if classification and classification.pii_type else None
        )
        override = self._matching_override(column, table)
        if override is not None:
            pattern, rule = override
            return ResolvedRule(column, rule, f"column override {pattern!r}", pii_type)
        if classification is None:
            level, how = self.default_level, "default level"
        else:
            level, how = classification.level, f"level ({classification.source})"
        rule, reason = self.levels[level], f"{how} {level.value}"
        pii_rule = self.pii.get(pii_type) if pii_type else None
        if pii_rule is not None and pii_rule.strength >= rule.strength:
            if pii_rule.strength == rule.strength:
                pii_rule = _tie(pii_rule, rule)
            rule, reason = pii_rule, f"PII type {pii_type} (level {level.value})"
        return ResolvedRule(column, rule, reason, pii_type)

    def _matching_override(self, column: str, table: str | None) -> tuple[str, Rule] | None:
        bare = column.casefold()
        qualified = f"{table}.{column}".casefold() if table else None
        best: tuple[tuple[int, int, int], str, Rule] | None = None
        for pattern, rule in self.columns.items():
            pat = pattern.casefold()
            target = bare if "." not in pat else qualified
            if target is None or not fnmatch.fnmatchcase(target, pat):
                continue
            exact = not any(ch in pat for ch in "*?[")
            literal = sum(1 for ch in pat if ch not in "*?[]")
            rank = (int(exact), literal, rule.strength)
            if best is None or rank > best[0]:
                best = (rank, pattern, rule)
        return None if best is None else (best[1], best[2])

    @property
    def untraced_level(self) -> Level:
        """The level of a column whose source cannot be traced."""
        if self.unknown_level is not None:
            return self.unknown_level
        return max(self.default_level, Level.CONFIDENTIAL)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical TOML, for manifests and the audit log."""
        return hashlib.sha256(policy_to_toml(self).encode("utf-8")).hexdigest()


def _tie(pii_rule: Rule, level_rule: Rule) -> Rule:
    """The level and the PII type name the same operator: apply it with, per parameter, the
    stricter of the two (a date of birth generalised by month under a level asking for years
    gets years), so detecting PII never masks a column less."""
    params = tightest(pii_rule.operator, pii_rule.params, level_rule.params)
    return Rule.make(pii_rule.operator, params)


# --- reading and writing ----------------------------------------------------------------


def rule_from_table(data: Any, where: str) -> Rule:
    if not isinstance(data, Mapping) or "operator" not in data:
        raise ConfigError(f'Masking policy: {where} needs an operator, e.g. operator = "redact".')
    extra = sorted(set(data) - {"operator", "params"})
    if extra:
        raise ConfigError(f"Masking policy: {where} has unknown key(s) {', '.join(extra)}.")
    params = data.get("params", {})
    if not isinstance(params, Mapping):
        raise ConfigError(f"Masking policy: {where}.params must be a table.")
    try:
        return Rule.make(data["operator"], params)
    except ConfigError as exc:
        raise ConfigError(f"Masking policy: {where}: {exc}") from None


def _bool(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"Masking policy: {key} must be true or false, not {value!r}.")
    return value


def check_version(data: Mapping[str, Any]) -> int:
    version = data.get("version")
    if version != POLICY_FORMAT_VERSION:
        raise ConfigError(
            f"Masking policy format version {version!r} is not supported "
            f"(this DTE Desktop reads version {POLICY_FORMAT_VERSION})."
        )
    return version


def rule_tables(data: Mapping[str, Any], section: str) -> Mapping[str, Any]:
    tables = data.get(section, {})
    if not isinstance(tables, Mapping):
        raise ConfigError(f"Masking policy: [{section}] must be a table.")
    return tables


def policy_from_dict(data: Mapping[str, Any]) -> MaskingPolicy:
    """Build a complete policy from parsed TOML (a site file can pass its masking table)."""
    unknown = sorted(set(data) - POLICY_KEYS)
    if unknown:
        raise ConfigError(f"Masking policy: unknown key(s) {', '.join(unknown)}.")
    version = check_version(data)
    name = data.get("name", "")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("Masking policy: name must be a non-empty string.")
    levels = {
        parse_level(k): rule_from_table(v, f"levels.{k}")
        for k, v in rule_tables(data, "levels").items()
    }
    pii = {k.lower(): rule_from_table(v, f"pii.{k}") for k, v in rule_tables(data, "pii").items()}
    columns = {
        k: rule_from_table(v, f"columns.{k!r}") for k, v in rule_tables(data, "columns").items()
    }
    return MaskingPolicy(
        name=name,
        levels=levels,
        pii=pii,
        columns=columns,
        default_level=parse_level(data.get("default_level", Level.CONFIDENTIAL)),
        unknown_level=(
            parse_level(data["unknown_level"]) if data.get("unknown_level") is not None else None
        ),
        version=version,
        locked=_bool(data, "locked", False),
        force_masked_export=_bool(data, "force_masked_export", False),
        allow_reveal=_bool(data, "allow_reveal", False),
        min_k=parse_min_k(data.get("min_k")),
        below_min_k=parse_below_min_k(data.get("below_min_k", "stop")),
    )


BELOW_MIN_K = ("stop", "suppress")


def parse_min_k(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ConfigError(
            f"Masking policy: min_k must be a whole number of at least 2, not {value!r}."
        )
    return value


def parse_below_min_k(value: Any) -> str:
    if value not in BELOW_MIN_K:
        raise ConfigError(
            f"Masking policy: below_min_k must be one of {BELOW_MIN_K}, not {value!r}."
        )
    return str(value)


def parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Masking policy {source} is not valid TOML: {exc}") from None


def parse_policy(text: str, source: str = "<text>") -> MaskingPolicy:
    return policy_from_dict(parse_toml(text, source))


def load_policy(path: str | Path) -> MaskingPolicy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read masking policy {path}: {exc.strerror}") from None
    return parse_policy(text, str(path))


def default_policy() -> MaskingPolicy:
    """The policy shipped in ``resources/`` (core/paths.py: resources_dir)."""
    from dte_desktop.core.paths import resources_dir

    return load_policy(resources_dir() / DEFAULT_POLICY_FILE)


def _rule_dict(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"operator": rule.operator}
    if rule.params:
        out["params"] = dict(rule.params)
    return out


def policy_to_dict(policy: MaskingPolicy) -> dict[str, Any]:
    out = _policy_dict(policy)
    if policy.unknown_level is not None:  # absent keeps older policies' fingerprints
        out["unknown_level"] = policy.unknown_level.value
    if policy.min_k is not None:
        out["min_k"] = policy.min_k
        out["below_min_k"] = policy.below_min_k
    return out


def _policy_dict(policy: MaskingPolicy) -> dict[str, Any]:
    return {
        "version": policy.version,
        "name": policy.name,
        "locked": policy.locked,
        "default_level": policy.default_level.value,
        "force_masked_export": policy.force_masked_export,
        "allow_reveal": policy.allow_reveal,
        "levels": {
            lvl.value: _rule_dict(policy.levels[lvl]) for lvl in LEVELS_MOST_SENSITIVE_FIRST
        },
        "pii": {k: _rule_dict(v) for k, v in sorted(policy.pii.items())},
        "columns": {k: _rule_dict(v) for k, v in sorted(policy.columns.items())},
    }


def policy_to_toml(policy: MaskingPolicy) -> str:
    return tomli_w.dumps(policy_to_dict(policy))


def save_policy(policy: MaskingPolicy, path: str | Path) -> None:
    Path(path).write_text(policy_to_toml(policy), encoding="utf-8")


# --- applying ---------------------------------------------------------------------------


def apply_policy(
    batch: pa.RecordBatch,
    classifications: Mapping[str, ColumnClassification],
    policy: MaskingPolicy,
    key: bytes,
    *,
    table: str | None = None,
) -> tuple[pa.RecordBatch, dict[str, str]]:
    """Mask every column of ``batch``; return the masked batch and, per column, the
    operator applied (for the export manifest and the audit log).

    ``classifications`` is keyed by the batch's column names; unclassified columns get the
    policy's ``default_level``. ``table`` (``"schema.table"``) lets qualified column
    overrides match.
    """
    resolved = {
        fld.name: policy.resolve(fld.name, classifications.get(fld.name), table=table)
        for fld in batch.schema
    }
    rules = {n: r.rule for n, r in resolved.items()}
    pii_types = {n: r.pii_type for n, r in resolved.items()}
    return apply_rules(batch, rules, key, pii_types), {n: r.operator for n, r in rules.items()}


def apply_rules(
    batch: pa.RecordBatch,
    rules: Mapping[str, Rule],
    key: bytes,
    pii_types: Mapping[str, str | None] | None = None,
) -> pa.RecordBatch:
    """Each column of ``batch`` through its rule (the one place operators meet batches).
    ``pii_types`` (per column) lets an operator follow the PII type (``generalize``)."""
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    for i, fld in enumerate(batch.schema):
        rule = rules[fld.name]
        pii_type = (pii_types or {}).get(fld.name)
        masked = apply_operator(rule.operator, batch.column(i), rule.params, key, pii_type=pii_type)
        arrays.append(masked)
        fields.append(pa.field(fld.name, masked.type, nullable=True, metadata=fld.metadata))
    schema = pa.schema(fields, metadata=batch.schema.metadata)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
