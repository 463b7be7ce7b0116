"""What a sample job is, as pure data: the table, the size, the seed and the distribution
across strategies. Saved as the ``sample`` job's config, so a re-run repeats the sample.

The distribution is a set of integer weights (``anomaly=30,boundary=20,risk=10,random=40``);
weights need not add to 100, they are normalised. Quotas per strategy come from the largest
remainder method, so they add up to the size exactly.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.spec import ExportSpec

STRATEGIES = ("anomaly", "boundary", "risk", "stratified", "random")
DEFAULT_DISTRIBUTION: dict[str, int] = {"anomaly": 30, "boundary": 20, "risk": 10, "random": 40}
MAX_SIZE = 100_000
# Kept below 2**31 so every engine's integer arithmetic (SQLite's hash mix) stays exact.
MAX_SEED = 2**31 - 1
STRATIFY_MODES = ("proportional", "equal")


def parse_distribution(text: str | None) -> dict[str, int]:
    """``anomaly=30,boundary=20`` → weights; unknown strategies and bad numbers are refused."""
    if not text:
        return dict(DEFAULT_DISTRIBUTION)
    out: dict[str, int] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep or name not in STRATEGIES:
            raise ConfigError(
                f"Bad distribution entry {part.strip()!r}: write strategy=weight with a "
                f"strategy among {', '.join(STRATEGIES)}."
            )
        try:
            weight = int(value.strip().rstrip("%"))
        except ValueError:
            raise ConfigError(f"The weight of {name} must be a whole number.") from None
        out[name] = out.get(name, 0) + weight
    return out


def allocate(size: int, weights: dict[str, int]) -> dict[str, int]:
    """Largest remainder: quotas proportional to the weights, adding up to ``size``.
    Ties go to the strategy listed first in ``STRATEGIES`` (stable across runs)."""
    total = sum(weights.values())
    if total <= 0:
        raise ConfigError("The distribution needs at least one positive weight.")
    order = [s for s in STRATEGIES if weights.get(s, 0) > 0]
    exact = {s: size * weights[s] / total for s in order}
    quotas = {s: int(exact[s]) for s in order}
    left = size - sum(quotas.values())
    for s in sorted(order, key=lambda s: (-(exact[s] - quotas[s]), order.index(s)))[:left]:
        quotas[s] += 1
    return quotas


@dataclass(frozen=True)
class SampleSpec:
    connection: str
    table: str  # schema.table as the CLI takes it (quoted parts allowed)
    size: int
    distribution: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DISTRIBUTION))
    seed: int | None = None  # None: a fresh one is drawn and recorded in the job
    stratify: tuple[str, ...] = ()
    stratify_mode: str = "proportional"
    mask: bool = True  # the preview is always masked; this governs the export
    out_dir: str | None = None
    format: str = ExportSpec.format  # the export's default, declared there

    def validate(self) -> SampleSpec:
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise ConfigError("The sample size must be a whole number.")
        if not 1 <= self.size <= MAX_SIZE:
            raise ConfigError(f"The sample size must be between 1 and {MAX_SIZE:,}.")
        if self.seed is not None and (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or not 0 <= self.seed <= MAX_SEED
        ):
            raise ConfigError(f"The seed must be a whole number from 0 to {MAX_SEED}.")
        for name, weight in self.distribution.items():
            if name not in STRATEGIES:
                raise ConfigError(f"Unknown sampling strategy {name!r}.")
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
                raise ConfigError(f"The weight of {name} must be a non-negative whole number.")
        if sum(self.distribution.values()) <= 0:
            raise ConfigError("The distribution needs at least one positive weight.")
        if self.distribution.get("stratified") and not self.stratify:
            raise ConfigError("The stratified strategy needs --stratify columns.")
        if self.stratify_mode not in STRATIFY_MODES:
            raise ConfigError(f"Stratification is one of {', '.join(STRATIFY_MODES)}.")
        return self

    def with_seed(self) -> SampleSpec:
        """The same spec with a concrete seed (drawn once, then kept in the job config)."""
        if self.seed is not None:
            return self
        from dataclasses import replace

        return replace(self, seed=secrets.randbelow(MAX_SEED))

    def effective_distribution(self) -> dict[str, int]:
        """With ``stratify`` columns and no explicit ``stratified`` weight, the random share
        is drawn stratified (the remainder top-up stays plain random)."""
        dist = {k: v for k, v in self.distribution.items() if v > 0}
        if self.stratify and "stratified" not in dist and "random" in dist:
            dist["stratified"] = dist.pop("random")
        return dist

    def to_config(self) -> dict[str, Any]:
        data = asdict(self)
        data["stratify"] = list(self.stratify)
        return data

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> SampleSpec:
        known = {f for f in cls.__dataclass_fields__}
        args = {k: v for k, v in data.items() if k in known}
        args["stratify"] = tuple(args.get("stratify") or ())
        args["distribution"] = dict(args.get("distribution") or DEFAULT_DISTRIBUTION)
        return cls(**args).validate()
