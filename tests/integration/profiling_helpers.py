"""Shared helpers for the profiling tests: nasty tables on each engine and exact figures
computed by the server's own SQL (the reference every profiled figure is compared with)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.gate import PrivacyGate
from dte_desktop.core.privacy.labels import labels_for
from dte_desktop.core.privacy.policy import default_policy
from dte_desktop.core.profiling.model import QUANTILES
from dte_desktop.core.profiling.profiler import ProfileOptions, profile_tables
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.store import Store

PG_TABLE = 'Mixed "Case" tbl'
PG_ROWS = 3000

PG_DDL = f"""
CREATE TABLE "{PG_TABLE.replace('"', '""')}" (
  id int8 PRIMARY KEY, "select" int4, amount numeric(10,2), score float8,
  "naïve ünïcode" text, email text, category text, flag bool, d date, ts timestamptz,
  doc jsonb, arr int4[], blob bytea, uid uuid);
INSERT INTO "{PG_TABLE.replace('"', '""')}"
SELECT g,
  CASE WHEN g % 10 = 0 THEN NULL ELSE (g * 7919) % 500 - 100 END,
  CASE WHEN g % 13 = 0 THEN NULL ELSE round(((g * 104729) % 100000) / 7.0, 2) END,
  CASE WHEN g % 17 = 0 THEN NULL ELSE sqrt(g) * 3.5 END,
  CASE WHEN g % 11 = 0 THEN NULL ELSE 'Ünï ' || (g % 97) || ' ''q"' END,
  'user' || g || '@example.com',
  (ARRAY['red','green','blue'])[1 + g % 3],
  CASE WHEN g % 19 = 0 THEN NULL ELSE g % 4 = 0 END,
  DATE '2000-01-01' + (g * 37) % 9000,
  TIMESTAMPTZ '2020-01-01 00:00:00+00' + (g * 7001) * INTERVAL '1 second',
  jsonb_build_object('k', g % 5), ARRAY[g, g % 3], decode(md5(g::text), 'hex'),
  md5(g::text)::uuid
FROM generate_series(1, {PG_ROWS}) g
"""


def pg_ref() -> TableRef:
    return TableRef("public", PG_TABLE)


def public_gate(store: Store, connection: str) -> PrivacyGate:
    """These test tables hold no secrets: a policy whose unclassified columns are Public,
    so the figures are shown (detected PII and stored labels still mask)."""
    policy = replace(default_policy(), default_level=Level.PUBLIC)
    return PrivacyGate(policy, b"profiling-tests-key-0123456789ab",
                       lambda t: labels_for(store, connection, t))  # fmt: skip


def run_profile(source, store: Store, table: TableRef, **kw):  # type: ignore[no-untyped-def]
    connection = kw.pop("connection", "test")
    kw.setdefault("gate", public_gate(store, connection))
    job_id = kw.pop("job_id", None)
    job, profiles = profile_tables(source, connection, [table], ProfileOptions(**kw), store,
                                   job_id=job_id)  # fmt: skip
    assert len(profiles) == 1, store.list_errors(job)
    return job, profiles[0]


def rank_error(values: np.ndarray, quantiles: dict[str, float]) -> float:
    """Largest distance between the requested rank and the estimate's true rank."""
    v = np.sort(values)
    worst = 0.0
    for key, f in QUANTILES:
        q = quantiles[key]
        lo = np.searchsorted(v, q, side="left") / v.size
        hi = np.searchsorted(v, q, side="right") / v.size
        worst = max(worst, 0.0 if lo <= f <= hi else min(abs(lo - f), abs(hi - f)))
    return worst


def percentile_cont(values: np.ndarray) -> dict[str, float]:
    qs = np.quantile(values, [f for _, f in QUANTILES], method="linear")
    return {k: float(q) for (k, _), q in zip(QUANTILES, qs, strict=True)}


def comparable(j: dict) -> dict:
    """A profile's JSON without what legitimately differs between two runs."""
    j = dict(j)
    for k in ("elapsed_s", "started_at", "job_id", "notes"):
        j.pop(k)
    return j
