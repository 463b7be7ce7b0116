"""The strategies, each a set of server-side queries that return *keys* only (``LIMIT``ed),
never rows: ``random``, ``stratified``, ``boundary``, ``anomaly`` and ``risk``.

A strategy's candidates come in preference order, each with the reason it was picked (the
lineage): boundary and anomaly conditions are queried separately (each ordered by how
extreme a row is, ties by the seeded key hash) and merged round-robin, so one dominant
condition cannot crowd out the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dte_desktop.core.errors import ConfigError, DteError
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.profiling.model import NUMERIC, STRING, TEMPORAL
from dte_desktop.core.profiling.rules import validate
from dte_desktop.core.sampling.figures import ColFig, TableFigures
from dte_desktop.core.sampling.keys import KeyPlan, MeteredSource, literal
from dte_desktop.core.sources.names import parse_table
from dte_desktop.core.store.profile_rows import RuleRecord

RARE_NULL_RATE = 0.01  # a column at most this often NULL "almost never" is
Z_LIMIT = 3.0
RISK_WEIGHTS = {Level.HRCI: 8, Level.CONFIDENTIAL: 4, Level.PROPRIETARY: 2}
RULE_WEIGHT = 5
MAX_STRATA = 10_000
TABLESAMPLE_ABOVE = 20  # PostgreSQL: Bernoulli pre-sampling pays once the table is 20x the ask

Key = tuple[Any, ...]
Candidate = tuple[Key, dict[str, Any]]


@dataclass
class Env:
    src: MeteredSource
    kp: KeyPlan
    figs: TableFigures
    seed: int
    rules: list[RuleRecord] = field(default_factory=list)

    @property
    def hash(self) -> str:
        return self.kp.hash(self.seed)

    def keys(
        self, where: str | None, order: str, limit: int, extra: list[str] | None = None,
        from_sql: str | None = None,
    ) -> list[tuple[Key, list[Any]]]:  # fmt: skip
        """Keys (and ``extra`` expressions) of at most ``limit`` rows, in ``order``."""
        if limit <= 0:
            return []
        sel = self.kp.select_keys()
        for i, e in enumerate(extra or []):
            sel += f", {e} AS {self.kp.d.quote(f'_x{i}')}"
        sql = f"SELECT {sel} FROM {from_sql or self.kp.from_sql}"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {order}{self.kp.d.limit_sql(int(limit))}"
        t = self.src.query(sql)
        nk = len(self.kp.exprs())
        cols = [t.column(i).to_pylist() for i in range(t.num_columns)] if t.num_rows else []
        return [
            (tuple(c[r] for c in cols[:nk]), [c[r] for c in cols[nk:]]) for r in range(t.num_rows)
        ]


@dataclass
class Cond:
    """One reason to pick a row: its predicate, the order of preference and the lineage."""

    where: str
    order: str
    reason: dict[str, Any]
    pool: int | None = None


def round_robin(lists: list[list[Candidate]]) -> list[Candidate]:
    out: list[Candidate] = []
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


# --- random -------------------------------------------------------------------------------


def random_keys(env: Env, n: int) -> tuple[list[Key], str]:
    """``n`` keys in seeded-hash order. PostgreSQL first thins a big table with
    ``TABLESAMPLE BERNOULLI (p) REPEATABLE (seed)`` (one scan, no full sort), asking for
    ~3x what is needed so the LIMIT almost never runs dry; if it does, it reads the order
    over the whole table instead. Either way the same seed yields the same keys."""
    kp, rows = env.kp, env.figs.rows
    pct = min(100.0, 100.0 * max(3 * n, n + 1000) / max(rows, 1))
    from_sql = kp.d.bernoulli(kp.from_sql, pct, int(env.seed))
    if from_sql is not None and rows > TABLESAMPLE_ABOVE * max(n, 1):
        try:
            got = env.keys(None, env.hash, n, from_sql=from_sql)
            if len(got) >= n:
                return [k for k, _ in got], f"TABLESAMPLE BERNOULLI {pct:.4f}% + key hash"
        except DteError:
            pass  # views and foreign tables cannot be table-sampled
    return [k for k, _ in env.keys(None, env.hash, n)], "seeded key hash"


# --- stratified ---------------------------------------------------------------------------


def _quotas(sizes: list[int], n: int, mode: str) -> list[int]:
    """Proportional (largest remainder) or equal quotas, capped by each stratum's size;
    what a capped stratum cannot take is passed on to the others."""
    quotas = [0] * len(sizes)
    left = min(n, sum(sizes))
    while left > 0:
        open_ = [i for i, s in enumerate(sizes) if quotas[i] < s]
        if not open_:
            break
        weights = [sizes[i] if mode == "proportional" else 1 for i in open_]
        total = sum(weights)
        exact = [left * w / total for w in weights]
        add = [int(e) for e in exact]
        rest = left - sum(add)
        for j in sorted(range(len(open_)), key=lambda j: -(exact[j] - add[j]))[:rest]:
            add[j] += 1
        given = 0
        for j, i in enumerate(open_):
            take = min(add[j], sizes[i] - quotas[i])
            quotas[i] += take
            given += take
        left -= given
        if given == 0:
            break
    return quotas


def _match(kp: KeyPlan, exprs: list[str], values: tuple[Any, ...]) -> str:
    return " AND ".join(
        f"{e} IS NULL" if v is None else f"{e} = {literal(kp.d, v)}"
        for e, v in zip(exprs, values, strict=True)
    )


def stratified(
    env: Env, n: int, columns: tuple[str, ...], mode: str, extra: int
) -> tuple[list[Candidate], list[dict[str, Any]]]:
    kp, d = env.kp, env.kp.d
    figs = env.figs.by_name()
    missing = [c for c in columns if c not in figs]
    if missing:
        raise ConfigError(f"No column {', '.join(missing)} in {kp.table.display()} to stratify.")
    scols = [kp.col(c) for c in columns]
    group = ", ".join(scols)
    t = env.src.query(
        f"SELECT {group}, count(*) AS {d.quote('_n')} FROM {kp.from_sql} GROUP BY {group}"
        f" ORDER BY {d.quote('_n')} DESC{d.limit_sql(MAX_STRATA + 1)}"
    )
    if t.num_rows > MAX_STRATA:
        raise ConfigError(f"More than {MAX_STRATA:,} strata: stratify by fewer columns.")
    strata = [tuple(t.column(i)[r].as_py() for i in range(len(columns))) for r in range(t.num_rows)]
    sizes = [int(t.column(len(columns))[r].as_py()) for r in range(t.num_rows)]
    quotas = _quotas(sizes, n, mode)
    # Stratum values are shown only for columns nobody marked as sensitive.
    public = [figs[c].level == Level.PUBLIC for c in columns]
    info = [
        {"stratum": i, "rows": s, "quota": q,
         "values": {c: (v if p else "(masked)") for c, v, p in zip(columns, vals, public,
                                                                     strict=True)}}
        for i, (vals, s, q) in enumerate(zip(strata, sizes, quotas, strict=True))
    ]  # fmt: skip
    asks = [min(s, q + min(extra, q + 5)) if q else 0 for s, q in zip(sizes, quotas, strict=True)]
    live = [i for i, a in enumerate(asks) if a > 0]
    if not live:
        return [], info
    per: dict[int, list[Candidate]] = {i: [] for i in live}
    nk = len(kp.exprs())
    keys_sel = kp.select_keys()
    s_alias = [d.quote(f"_s{i}") for i in range(len(columns))]
    inner = (
        f"SELECT {keys_sel}, "
        + ", ".join(f"{c} AS {a}" for c, a in zip(scols, s_alias, strict=True))
        + f", row_number() OVER (PARTITION BY {group} ORDER BY {env.hash}) AS {d.quote('_rn')}"
        + f" FROM {kp.from_sql}"
    )
    x = d.quote("_dte_x")
    out_s = [f"{x}.{a}" for a in s_alias]
    case = " ".join(f"WHEN {_match(kp, out_s, strata[i])} THEN {asks[i]}" for i in live)
    outer = [f"{x}.{d.quote(f'_k{i}')}" for i in range(nk)]
    sql = (
        f"SELECT {', '.join(outer + out_s)} FROM ({inner}) {x} "
        f"WHERE {x}.{d.quote('_rn')} <= CASE {case} ELSE 0 END "
        f"ORDER BY {x}.{d.quote('_rn')}, {', '.join(out_s)}"
    )
    index = {strata[i]: i for i in live}
    try:
        t = env.src.query(sql)
        cols = [t.column(c).to_pylist() for c in range(t.num_columns)]
        rows = [[c[r] for c in cols] for r in range(t.num_rows)]
        for row in rows:
            i = index.get(tuple(row[nk:]))
            if i is not None:
                per[i].append((tuple(row[:nk]), {"strategy": "stratified", "stratum": i}))
    except DteError:
        # No window functions (MySQL < 8, MariaDB < 10.2, SQLite < 3.25): one query each.
        for i in live:
            for k, _ in env.keys(_match(kp, scols, strata[i]), env.hash, asks[i]):
                per[i].append((k, {"strategy": "stratified", "stratum": i}))
    for i in live:
        per[i] = per[i][: asks[i]]
        info[i]["quota"] = quotas[i]
    return [c for i in live for c in per[i]], [dict(s, ask=asks[s["stratum"]]) for s in info]


# --- boundary -----------------------------------------------------------------------------

_BOUNDARY_ORDER = (("min", "max"), ("p1", "p99"), ("p25", "p75"))


def _extreme(env: Env, c: ColFig, fn: str) -> str:
    """True where the column holds its min (or max) — every row of a tie, nothing else.
    The extreme is the engine's own (a subquery, no literal round trip that a REAL or a
    timestamp could miss by a digit), over the values the profile's min/max cover (NaN,
    ±Infinity and zero dates are not extremes)."""
    kp, d = env.kp, env.kp.d
    inner = d.quote("_dte_m")
    own = d.finite(kp.col(c.name), c.kind, c.info.db_type)
    sub = d.finite(f"{inner}.{d.quote(c.name)}", c.kind, c.info.db_type)
    return f"{own} = (SELECT {fn}({sub}) FROM {d.table(kp.table)} AS {inner})"


def boundary_conditions(env: Env) -> list[Cond]:
    """Per numeric/temporal column: the rows at its min and max, then at the p1/p99 edges,
    then p25/p75 — in that priority across all columns. A reason is a claim: "min" is given
    only to rows holding the minimum (ties by the lowest key), "p1" to rows at or below the
    p1 edge, "p99" at or above p99; a column whose min is one row offers one row."""
    kp, k = env.kp, env.kp.order_by()
    ordered = [c for c in env.figs.columns if c.kind in (NUMERIC, TEMPORAL) and c.count > c.nulls]
    out: list[Cond] = []
    for group in _BOUNDARY_ORDER:
        for c in ordered:
            col = kp.col(c.name)
            for why in group:
                reason = {"strategy": "boundary", "column": c.name, "why": why}
                if why in ("min", "max"):
                    out.append(Cond(_extreme(env, c, why), k, reason))
                elif why in c.quantiles:
                    lit = literal(kp.d, c.quantiles[why])
                    low = why in ("p1", "p25")
                    where = f"{col} <= {lit}" if low else f"{col} >= {lit}"
                    order = f"{col} DESC, {k}" if low else f"{col} ASC, {k}"
                    out.append(Cond(where, order, reason))
    return out


def boundary_pool(env: Env) -> str | None:
    """Rows in the outer 1 % tails of any numeric/temporal column (min and max included)."""
    kp = env.kp
    parts = []
    for c in env.figs.columns:
        if c.kind in (NUMERIC, TEMPORAL) and "p1" in c.quantiles and "p99" in c.quantiles:
            col = kp.col(c.name)
            lo, hi = literal(kp.d, c.quantiles["p1"]), literal(kp.d, c.quantiles["p99"])
            parts.append(f"{col} <= {lo} OR {col} >= {hi}")
    return " OR ".join(f"({p})" for p in parts) or None


# --- anomaly ------------------------------------------------------------------------------


def shape_regex(shape: str) -> str | None:
    """The regex a value of ``shape`` (profiling.patterns) matches, in POSIX classes that
    PostgreSQL, MariaDB/MySQL and Vertica all read; None for truncated shapes."""
    if "…" in shape:
        return None
    classes = {"A": "[[:upper:]]", "a": "[[:alpha:]]", "9": "[0-9]"}
    out, i = ["^"], 0
    while i < len(shape):
        ch = shape[i]
        if ch in classes:
            run = i + 1 < len(shape) and shape[i + 1] == "+"
            out.append(classes[ch] + ("{5,}" if run else ""))
            i += 2 if run else 1
            continue
        out.append("[[:space:]]+" if ch == " " else re.escape(ch))
        i += 1
    out.append("$")
    return "".join(out)


def rule_predicate(env: Env, rule: RuleRecord) -> str | None:
    """SQL true where a row breaks ``rule`` (NULLs pass every rule except not_null), or
    None where the engine cannot say (a regex on SQLite)."""
    kp, d = env.kp, env.kp.d
    if not rule.column or rule.column not in env.figs.by_name():
        return None
    validate(rule.kind, rule.column, rule.params)
    c, p = kp.col(rule.column), rule.params
    if rule.kind == "not_null":
        return f"{c} IS NULL"
    if rule.kind == "range":
        conds = []
        if p.get("min") is not None:
            conds.append(f"{c} < {literal(d, p['min'])}")
        if p.get("max") is not None:
            conds.append(f"{c} > {literal(d, p['max'])}")
        return f"{c} IS NOT NULL AND ({' OR '.join(conds)})"
    if rule.kind == "allowed":
        return f"{c} IS NOT NULL AND {c} NOT IN ({', '.join(literal(d, v) for v in p['values'])})"
    if rule.kind == "regex":
        m = d.regex_match(d.regex_text(c), str(p["pattern"]))
        return None if m is None else f"{c} IS NOT NULL AND NOT {m}"
    if rule.kind == "unique":
        u = d.quote("_dte_u")
        uc = f"{u}.{d.quote(rule.column)}"
        return (
            f"{c} IN (SELECT {uc} FROM {d.table(kp.table)} AS {u} WHERE {uc} IS NOT NULL "
            f"GROUP BY {uc} HAVING count(*) > 1)"
        )
    if rule.kind == "referential":
        ref = parse_table(str(p["table"]), kp.table.schema)
        b = d.quote("_dte_b")
        rc = f"{b}.{d.quote(str(p['column']))}"
        return (
            f"{c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {d.table(ref)} AS {b} WHERE {rc} = {c})"
        )
    return None


def _outlier_conds(env: Env, c: ColFig) -> list[Cond]:
    x, h = env.kp.d.to_double(env.kp.col(c.name)), env.hash
    base = {"strategy": "anomaly", "column": c.name}
    if c.fences is not None and c.fences[1] > c.fences[0]:
        lo, hi = c.fences
        return [
            Cond(f"{x} > {hi!r}", f"{x} DESC, {h}", {**base, "why": "iqr_high"}),
            Cond(f"{x} < {lo!r}", f"{x} ASC, {h}", {**base, "why": "iqr_low"}),
        ]
    if c.mean is not None and c.sd:
        dev = f"abs({x} - {float(c.mean)!r})"
        return [Cond(f"{dev} > {Z_LIMIT * float(c.sd)!r}", f"{dev} DESC, {h}",
                     {**base, "why": "zscore"})]  # fmt: skip
    return []


def anomaly_conditions(env: Env) -> list[Cond]:
    """Rule violations, NULLs in almost-never-NULL columns, dominant-pattern breakers and
    IQR (or, where the IQR is zero, 3-sigma) outliers, in that order of preference."""
    kp, d, h = env.kp, env.kp.d, env.hash
    out: list[Cond] = []
    for rule in env.rules:
        pred = rule_predicate(env, rule)
        if pred is not None:
            reason = {"strategy": "anomaly", "column": rule.column, "why": "rule",
                      "rule": rule.kind, "rule_id": rule.id}  # fmt: skip
            out.append(Cond(pred, h, reason))
    for c in env.figs.columns:
        if c.count and 0 < c.nulls <= RARE_NULL_RATE * c.count:
            reason = {"strategy": "anomaly", "column": c.name, "why": "rare_null"}
            out.append(Cond(f"{kp.col(c.name)} IS NULL", h, reason))
    for c in env.figs.columns:
        rx = shape_regex(c.pattern) if c.pattern and c.kind == STRING else None
        col = kp.col(c.name)
        m = d.regex_match(d.regex_text(col), rx) if rx else None
        if m is not None:
            reason = {"strategy": "anomaly", "column": c.name, "why": "pattern",
                      "pattern": c.pattern}  # fmt: skip
            out.append(Cond(f"{col} IS NOT NULL AND NOT {m}", h, reason))
    for c in env.figs.columns:
        if c.kind == NUMERIC:
            out.extend(_outlier_conds(env, c))
    return out


# --- risk ---------------------------------------------------------------------------------


def risk_score(env: Env) -> tuple[str | None, list[str], list[RuleRecord]]:
    """A per-row score in SQL: each non-null column weighs by its classification level,
    each broken rule adds ``RULE_WEIGHT``. None when nothing is sensitive and no rule applies."""
    kp = env.kp
    terms, sensitive = [], []
    for c in env.figs.columns:
        w = RISK_WEIGHTS.get(c.level, 0)
        if w:
            sensitive.append(c.name)
            terms.append(f"CASE WHEN {kp.col(c.name)} IS NOT NULL THEN {w} ELSE 0 END")
    scored_rules = []
    for rule in env.rules:
        pred = rule_predicate(env, rule)
        if pred is not None:
            scored_rules.append(rule)
            terms.append(f"CASE WHEN {pred} THEN {RULE_WEIGHT} ELSE 0 END")
    if not terms:
        return None, [], []
    return "(" + " + ".join(terms) + ")", sensitive, scored_rules


def risk_candidates(env: Env, limit: int) -> list[Candidate]:
    score, sensitive, rules = risk_score(env)
    if score is None:
        return []
    flags = [f"CASE WHEN {rule_predicate(env, r)} THEN 1 ELSE 0 END" for r in rules]
    got = env.keys(f"{score} > 0", f"{score} DESC, {env.hash}", limit, [score, *flags])
    out = []
    for key, extra in got:
        broken = [r.id for r, f in zip(rules, extra[1:], strict=True) if f]
        reason: dict[str, Any] = {"strategy": "risk", "why": "score", "score": int(extra[0]),
                                  "sensitive_columns": sensitive}  # fmt: skip
        if broken:
            reason["rules"] = broken
        out.append((key, reason))
    return out
