"""Choosing the sample: quotas per strategy, keys selected server-side strategy by strategy,
duplicates removed across strategies (by key), shortfalls handed to ``random``, and then only
the chosen rows fetched.

Order: anomaly, boundary, risk, stratified, random. Each strategy fills its own quota with
keys not chosen before; a key found again by a later strategy keeps its first reason and
gains the later one under ``also``. Whatever a strategy cannot fill (few anomalies, no
sensitive columns) is drawn by ``random`` and marked ``"why": "remainder"`` in the lineage;
``random``'s own share is marked ``"why": "share"``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dte_desktop.core.privacy.labels import TableLabels
from dte_desktop.core.profiling.dialect import dialect_for
from dte_desktop.core.profiling.model import json_value
from dte_desktop.core.sampling.figures import gather
from dte_desktop.core.sampling.keys import KeyPlan, MeteredSource, plan_keys
from dte_desktop.core.sampling.spec import STRATEGIES, SampleSpec, allocate
from dte_desktop.core.sampling.strategies import (
    Candidate,
    Cond,
    Env,
    Key,
    anomaly_conditions,
    boundary_conditions,
    boundary_pool,
    random_keys,
    risk_candidates,
    risk_score,
    round_robin,
    stratified,
)
from dte_desktop.core.sources.base import Source
from dte_desktop.core.sources.names import parse_table
from dte_desktop.core.store.profile_rows import RuleRecord

FETCH_CHUNK = 5_000
# A pattern "breaker" condition matching more than this share of a column's values means
# the shape did not translate into the engine's regex faithfully: it is dropped.
PATTERN_SANITY = 0.01


@dataclass
class Selection:
    spec: SampleSpec
    key_plan: KeyPlan
    rows_in_table: int
    quotas: dict[str, int]
    contributed: dict[str, int]
    pools: dict[str, int | None]
    keys: list[Key]
    lineage: list[dict[str, Any]]
    source: MeteredSource
    figures_source: str
    conditions: list[dict[str, Any]] = field(default_factory=list)
    strata: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def bytes_read(self) -> int:
        return self.source.bytes_read


class _Chosen:
    def __init__(self) -> None:
        self.reasons: dict[Key, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self.reasons)

    def take(self, cands: list[Candidate], quota: int) -> int:
        added = 0
        for key, reason in cands:
            prior = self.reasons.get(key)
            if prior is not None:
                # Found again: keep the first reason, note the others (e.g. min of one
                # column and an IQR outlier of another).
                main = {k: v for k, v in prior.items() if k != "also"}
                if reason != main and reason not in prior.get("also", []):
                    prior.setdefault("also", []).append(dict(reason))
                continue
            if added < quota:
                self.reasons[key] = dict(reason)
                added += 1
        return added


def _pools(env: Env, conds: list[Cond], risk: str | None) -> dict[str, int | None]:
    """Every pool counted in one scan: each anomaly condition, any anomaly, the boundary
    tails and the rows with a positive risk score."""
    parts = ["count(*)"]
    parts += [f"sum(CASE WHEN {c.where} THEN 1 ELSE 0 END)" for c in conds]
    anyc = " OR ".join(f"({c.where})" for c in conds)
    parts.append(f"sum(CASE WHEN {anyc} THEN 1 ELSE 0 END)" if conds else "0")
    tails = boundary_pool(env)
    parts.append(f"sum(CASE WHEN {tails} THEN 1 ELSE 0 END)" if tails else "NULL")
    parts.append(f"sum(CASE WHEN {risk} > 0 THEN 1 ELSE 0 END)" if risk else "0")
    q = env.kp.d.quote
    sql = "SELECT " + ", ".join(f"{p} AS {q(f'_p{i}')}" for i, p in enumerate(parts))
    t = env.src.query(f"{sql} FROM {env.kp.from_sql}")
    vals = [t.column(i)[0].as_py() if t.num_rows else None for i in range(len(parts))]
    nums = [None if v is None else int(v) for v in vals]
    for c, n in zip(conds, nums[1 : 1 + len(conds)], strict=True):
        c.pool = n or 0
    base = 1 + len(conds)
    return {
        "rows": nums[0],
        "anomaly": nums[base] or 0,
        "boundary": nums[base + 1],
        "risk": nums[base + 2] or 0,
    }


def _cond_lists(env: Env, conds: list[Cond], per: int) -> list[list[Candidate]]:
    return [[(k, c.reason) for k, _ in env.keys(c.where, c.order, per)] for c in conds]


def select_sample(
    source: Source,
    spec: SampleSpec,
    labels: TableLabels,
    rules: list[RuleRecord],
    profile: tuple[int, dict[str, Any]] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Selection:
    """Pick the sample's keys and their lineage; reads keys only (plus a few aggregates).
    ``on_step(name)``: told as each step starts (keys, figures, then each strategy's)."""
    step = on_step or (lambda _name: None)
    t0 = time.perf_counter()
    spec = spec.with_seed().validate()
    assert spec.seed is not None
    d = dialect_for(source)  # from the real class: the meter would hide it
    src = MeteredSource(source)
    table = parse_table(spec.table)
    step("keys")
    kp = plan_keys(src, d, table, source.describe(table))
    step("figures")
    figs = gather(src, kp, labels, profile, spec.seed)
    env = Env(src, kp, figs, spec.seed, rules)
    dist = spec.effective_distribution()
    target = min(spec.size, figs.rows)
    quotas = allocate(target, dist) if target else dict.fromkeys(dist, 0)
    notes: list[str] = []
    if target < spec.size:
        notes.append(f"the table holds {figs.rows:,} rows: the sample is all of them")

    conds = anomaly_conditions(env) if quotas.get("anomaly") else []
    risk_sql = risk_score(env)[0] if quotas.get("risk") else None
    pools = _pools(env, conds, risk_sql)
    kept = []
    for c in conds:
        col = figs.by_name().get(c.reason.get("column") or "")
        nn = (col.count - col.nulls) if col else 0
        if c.reason.get("why") == "pattern" and (c.pool or 0) > PATTERN_SANITY * max(nn, 1):
            notes.append(f"pattern check on {c.reason['column']} dropped (matched too widely)")
            pools["anomaly"] = None  # the one-scan count included it: recounted below
            continue
        kept.append(c)
    conds = [c for c in kept if c.pool]
    chosen = _Chosen()
    contributed = dict.fromkeys(STRATEGIES, 0)
    strata = None

    if quotas.get("anomaly"):
        step("anomaly")
        q = quotas["anomaly"]
        # Every condition may have to fill the whole quota (the others may be nearly
        # empty): keys are cheap, and the round-robin keeps the mix fair.
        per = q + len(chosen)
        contributed["anomaly"] = chosen.take(round_robin(_cond_lists(env, conds, per)), q)
        if pools["anomaly"] is None:
            pools["anomaly"] = sum(c.pool or 0 for c in conds)
            notes.append("anomaly pool: sum over conditions (rows may count twice)")
    if quotas.get("boundary"):
        step("boundary")
        q = quotas["boundary"]
        targets = boundary_conditions(env)[:q]
        per = math.ceil(q / max(len(targets), 1)) + min(len(chosen), 50) + 1
        contributed["boundary"] = chosen.take(round_robin(_cond_lists(env, targets, per)), q)
        if pools["boundary"] is None:
            pools["boundary"] = len(targets)
    if quotas.get("risk"):
        step("risk")
        q = quotas["risk"]
        contributed["risk"] = chosen.take(risk_candidates(env, q + len(chosen)), q)
    if quotas.get("stratified"):
        step("stratified")
        q = quotas["stratified"]
        cands, strata = stratified(env, q, spec.stratify, spec.stratify_mode, len(chosen))
        per_stratum: dict[int, list[Candidate]] = {}
        for key, reason in cands:
            per_stratum.setdefault(reason["stratum"], []).append((key, reason))
        for s in strata or []:
            got = chosen.take(per_stratum.get(s["stratum"], []), s["quota"])
            s["taken"] = got
            contributed["stratified"] += got
        pools["stratified"] = figs.rows

    need = target - len(chosen)
    share = quotas.get("random", 0)
    method = "not needed"
    if need > 0:
        step("random")
        keys, method = random_keys(env, need + len(chosen))
        fresh = [k for k in keys if k not in chosen.reasons]
        own = min(share, need)
        chosen.take([(k, {"strategy": "random", "why": "share"}) for k in fresh[:own]], own)
        rest = [(k, {"strategy": "random", "why": "remainder"}) for k in fresh[own:]]
        chosen.take(rest, need - own)
        contributed["random"] = len(chosen) - (target - need)
        if len(chosen) < target:
            notes.append(f"only {len(chosen):,} distinct rows found for {target:,} asked")
    pools["random"] = figs.rows
    if share or need > 0:
        notes.append(f"random: {method}")
    lineage = [
        {"key": dict(zip(kp.names, [json_value(v) for v in k], strict=True)), **r}
        for k, r in chosen.reasons.items()
    ]
    return Selection(
        spec, kp, figs.rows, quotas, {k: v for k, v in contributed.items() if v or k in quotas},
        pools, list(chosen.reasons), lineage, src, figs.source,
        [{**c.reason, "pool": c.pool} for c in conds], strata, notes,
        time.perf_counter() - t0,
    )  # fmt: skip


def select_sql(kp: KeyPlan, keys: list[Key], *, with_keys: bool = False) -> str:
    """The chosen rows (all columns, in key order); ``with_keys`` adds the key expressions
    as ``_k0…`` so rows can be matched to their lineage."""
    cols = [kp.col(c.name) for c in kp.columns]
    if with_keys:
        cols.append(kp.select_keys())
    return (
        f"SELECT {', '.join(cols)} FROM {kp.from_sql} WHERE {kp.predicate(keys)} "
        f"ORDER BY {kp.order_by()}"
    )


def fetch_rows(sel: Selection) -> pa.Table:
    """The chosen rows in lineage order, read in chunks of ``FETCH_CHUNK`` keys."""
    kp, nk = sel.key_plan, len(sel.key_plan.exprs())
    names = [c.name for c in kp.columns]
    tables = []
    for i in range(0, len(sel.keys), FETCH_CHUNK):
        t = sel.source.query(select_sql(kp, sel.keys[i : i + FETCH_CHUNK], with_keys=True))
        if t.num_rows:
            tables.append(t)
    if not tables:
        return pa.table({n: pa.array([], c.arrow_type) for n, c in zip(names, kp.columns,
                                                                        strict=True)})  # fmt: skip
    t = pa.concat_tables(tables, promote_options="permissive")
    key_cols = [t.column(t.num_columns - nk + j).to_pylist() for j in range(nk)]
    where: dict[Key, int] = {}
    for r in range(t.num_rows):
        where.setdefault(tuple(c[r] for c in key_cols), r)
    order = [where[k] for k in sel.keys if k in where]
    body = t.select(list(range(t.num_columns - nk))).rename_columns(names)
    return body.take(pa.array(order, pa.int64()))


def ordered_keys(sel: Selection) -> list[Key]:
    """The chosen keys in the order an export of ``select_sql`` writes its rows: the same
    predicate and ORDER BY in one statement, so the engine's collation decides both."""
    kp = sel.key_plan
    t = sel.source.query(
        f"SELECT {kp.select_keys()} FROM {kp.from_sql} WHERE {kp.predicate(sel.keys)} "
        f"ORDER BY {kp.order_by()}"
    )
    cols = [t.column(j).to_pylist() for j in range(t.num_columns)]
    return [tuple(c[r] for c in cols) for r in range(t.num_rows)]
