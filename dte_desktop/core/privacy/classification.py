"""Classification levels and the per-column classification record.

The four level names are a stable contract (DESIGN.md); files, the CLI's JSON and the audit
log spell them exactly ``HRCI``, ``Confidential``, ``Proprietary`` and ``Public``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from dte_desktop.core.errors import ConfigError

ClassificationSource = Literal["manual", "profiler", "default"]


class Level(enum.Enum):
    """Ordered by sensitivity: ``Level.PUBLIC < Level.HRCI``, so ``max()`` is the most
    sensitive. The comparison is explicit rather than an ``IntEnum`` so a level never
    compares equal to a bare integer by accident."""

    HRCI = "HRCI"
    CONFIDENTIAL = "Confidential"
    PROPRIETARY = "Proprietary"
    PUBLIC = "Public"

    @property
    def rank(self) -> int:
        """0 for Public up to 3 for HRCI."""
        return _RANK[self]

    def is_more_sensitive_than(self, other: Level) -> bool:
        return self.rank > other.rank

    def is_at_least(self, other: Level) -> bool:
        return self.rank >= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank >= other.rank

    def __str__(self) -> str:
        return self.value


_RANK = {Level.PUBLIC: 0, Level.PROPRIETARY: 1, Level.CONFIDENTIAL: 2, Level.HRCI: 3}

#: Most to least sensitive, the order DESIGN.md lists them in.
LEVELS_MOST_SENSITIVE_FIRST: tuple[Level, ...] = (
    Level.HRCI,
    Level.CONFIDENTIAL,
    Level.PROPRIETARY,
    Level.PUBLIC,
)

_BY_NAME = {level.value.lower(): level for level in Level}


def parse_level(value: str | Level) -> Level:
    """Accept a level in any letter case (hand-written TOML, CLI flags)."""
    if isinstance(value, Level):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value.strip().lower())
        if found is not None:
            return found
    allowed = ", ".join(level.value for level in LEVELS_MOST_SENSITIVE_FIRST)
    raise ConfigError(f"Unknown classification level {value!r}; expected one of: {allowed}.")


def most_sensitive(levels: Iterable[str | Level], *, default: Level | None = None) -> Level:
    """The most sensitive of ``levels``.

    An empty input raises unless ``default`` is given: silently answering ``Public`` for
    "nothing known" would fail open.
    """
    parsed = [parse_level(level) for level in levels]
    if parsed:
        return max(parsed)
    if default is not None:
        return default
    raise ValueError("most_sensitive() needs at least one level (or a default)")


@dataclass(frozen=True)
class ColumnClassification:
    """Who decided what about one column.

    ``source`` records provenance for the audit trail: an officer's ``manual`` decision, a
    ``profiler`` suggestion, or the policy's ``default`` level for unclassified columns.
    """

    column: str
    level: Level
    pii_type: str | None = None
    source: ClassificationSource = "manual"

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError("A column classification needs a column name.")
        object.__setattr__(self, "level", parse_level(self.level))
        if self.source not in get_args(ClassificationSource):
            allowed = ", ".join(get_args(ClassificationSource))
            raise ConfigError(
                f"Unknown classification source {self.source!r} for column {self.column!r}; "
                f"expected one of: {allowed}."
            )
        if self.pii_type is not None and (
            not isinstance(self.pii_type, str) or not self.pii_type.strip()
        ):
            raise ConfigError(f"Column {self.column!r}: pii_type must be a non-empty string.")
