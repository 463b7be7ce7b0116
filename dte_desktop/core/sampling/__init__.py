"""Sample selection for testing: a small, defensible set of rows from a large table —
typical (random, stratified), edge (boundary) and suspicious (anomaly, risk) rows — chosen
server-side by key, deduplicated, each with the reason it was picked (its lineage)."""

from dte_desktop.core.sampling.sampler import Selection, fetch_rows, select_sample, select_sql
from dte_desktop.core.sampling.service import SampleOutcome, rerun_sample, run_sample
from dte_desktop.core.sampling.spec import (
    DEFAULT_DISTRIBUTION,
    STRATEGIES,
    SampleSpec,
    allocate,
    parse_distribution,
)

__all__ = [
    "DEFAULT_DISTRIBUTION",
    "STRATEGIES",
    "SampleOutcome",
    "SampleSpec",
    "Selection",
    "allocate",
    "fetch_rows",
    "parse_distribution",
    "rerun_sample",
    "run_sample",
    "select_sample",
    "select_sql",
]
