"""The labelled PII corpus of ``tests/data/pii_corpus.json`` and the figures measured on it,
shared by ``tests/unit/test_pii_corpus.py`` and ``tests/bench/pii_bench.py``."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "data" / "pii_corpus.json"
ROWS, NULL_SHARE = 200, 0.15


def load() -> dict[str, Any]:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def build_column(corpus: dict[str, Any], spec: dict[str, Any]) -> list[str | None]:
    """200 rows: 15 % NULL, ``noise`` of the rest placeholders, the rest drawn from the
    spec's source pool, shuffled."""
    pools = {v["key"]: v["positives"] for v in corpus["vectors"]} | corpus["lookalikes"]
    rng = random.Random(spec["seed"])
    n_null = round(ROWS * NULL_SHARE)
    n_junk = round((ROWS - n_null) * spec["noise"])
    pool = pools[spec["source"]]
    rows: list[str | None] = [None] * n_null
    rows += [rng.choice(corpus["placeholders"]) for _ in range(n_junk)]
    rows += [rng.choice(pool) for _ in range(ROWS - n_null - n_junk)]
    rng.shuffle(rows)
    return rows


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scores:
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_noise: dict[float, Tally] = field(default_factory=lambda: defaultdict(Tally))
    overall: Tally = field(default_factory=Tally)
    misses: list[str] = field(default_factory=list)

    def add(self, label: str | None, predicted: str | None, noise: float, what: str) -> None:
        for tally in (self.by_noise[noise], self.overall):
            if predicted is not None and predicted == label:
                tally.tp += 1
            else:
                tally.fp += predicted is not None
                tally.fn += label is not None
        if predicted == label and label is not None:
            self.by_type[label].tp += 1
        else:
            if predicted is not None:
                self.by_type[predicted].fp += 1
            if label is not None:
                self.by_type[label].fn += 1
        if predicted != label:
            self.misses.append(f"{what}: expected {label}, got {predicted}")


Detector = Callable[[Sequence[object], str, Sequence[str]], "str | None"]


def column_scores(corpus: dict[str, Any], detect: Detector) -> Scores:
    scores = Scores()
    for spec in corpus["columns"]:
        values = build_column(corpus, spec)
        predicted = detect(values, spec["name"], spec["regions"])
        scores.add(spec["label"], predicted, spec["noise"], f"{spec['source']}/{spec['name']}")
    return scores


def value_scores(corpus: dict[str, Any], detect: Detector) -> Scores:
    """Each vector alone, in its hinted column: positives should come out as their type,
    hard negatives as anything else."""
    scores = Scores()
    for v in corpus["vectors"]:
        for value in v["positives"]:
            got = detect([value] * 3, v["column"], v["regions"])
            scores.add(v["type"], got if got == v["type"] else None, 0.0, f"{v['key']} {value!r}")
        for value in v["negatives"]:
            got = detect([value] * 3, v["column"], v["regions"])
            scores.add(None, got if got == v["type"] else None, 0.0, f"{v['key']} {value!r}")
    return scores


def table(scores: Scores, title: str) -> str:
    lines = [f"{title}", f"{'type':<20}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for name, t in sorted(scores.by_type.items()):
        lines.append(f"{name:<20}{t.precision:>10.3f}{t.recall:>8.3f}{t.tp:>6}{t.fp:>5}{t.fn:>5}")
    for noise, t in sorted(scores.by_noise.items()):
        lines.append(f"{'noise ' + format(noise, '.0%'):<20}{t.precision:>10.3f}{t.recall:>8.3f}")
    t = scores.overall
    lines.append(f"{'overall':<20}{t.precision:>10.3f}{t.recall:>8.3f}{t.tp:>6}{t.fp:>5}{t.fn:>5}")
    return "\n".join(lines)
