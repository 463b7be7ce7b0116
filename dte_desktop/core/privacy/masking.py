"""Masking as the pipeline uses it: the effective policy, the site key and each column's
classification, applied to every batch of a table.

Classifications come from what officers stored (``classifications`` of the connection);
where a column has none, PII detection on the first batch the engine sees decides, and
anything still unknown falls to the policy's ``default_level`` (masked, not shown).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa

from dte_desktop.core.privacy.classification import ColumnClassification, Level
from dte_desktop.core.privacy.detectors import detect_columns
from dte_desktop.core.privacy.labels import TableLabels, labels_for
from dte_desktop.core.privacy.policy import MaskingPolicy, apply_policy
from dte_desktop.core.secrets import CredentialStore

SITE_KEY = CredentialStore.SITE_KEY


def site_key(credentials: CredentialStore) -> bytes:
    """The keyed operators' secret, created on first use and kept only in the credential
    store (a site can preload one so masked values join across workstations)."""
    value = credentials.get(SITE_KEY)
    if value is None:
        value = secrets.token_hex(32)
        credentials.set(SITE_KEY, value)
    return bytes.fromhex(value)


def classify_batch(
    batch: pa.RecordBatch,
    stored: Mapping[str, ColumnClassification],
    default: Level | None = None,
) -> dict[str, ColumnClassification]:
    """Stored decisions win; the detectors fill the gaps with ``profiler`` suggestions; the
    table's (or connection's) default covers the rest; beyond that the policy's own
    ``default_level`` applies (no entry)."""
    result = dict(stored)
    missing = [n for n in batch.schema.names if n not in result]
    for name, finding in detect_columns(batch, columns=missing).items():
        if finding is not None:
            result[name] = ColumnClassification(
                name, finding.suggested_classification, finding.type, "profiler"
            )
        elif default is not None:
            result[name] = ColumnClassification(name, default, None, "default")
    return result


class TableMasker:
    """Thread-safe: the first batch of each table fixes its classifications, so every
    slice of the table is masked the same way."""

    def __init__(
        self,
        policy: MaskingPolicy,
        key: bytes,
        stored: Callable[[str], TableLabels] | None = None,
    ) -> None:
        self.policy = policy
        self.key = key
        self._stored = stored or (lambda _t: TableLabels({}, None))
        self._by_table: dict[str, dict[str, ColumnClassification]] = {}
        self._lock = threading.Lock()

    def classifications(self, table: str, batch: pa.RecordBatch) -> dict[str, ColumnClassification]:
        with self._lock:
            if table not in self._by_table:
                labels = self._stored(table)
                self._by_table[table] = classify_batch(batch, labels.columns, labels.default)
            return self._by_table[table]

    def mask(self, table: str, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, dict[str, str]]:
        return apply_policy(
            batch, self.classifications(table, batch), self.policy, self.key, table=table
        )

    def __call__(self, item: Any, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, dict[str, str]]:
        return self.mask(item.label, batch)


def build_masker(ctx: Any, connection: str, policy: MaskingPolicy | None = None) -> TableMasker:
    if policy is None:
        from dte_desktop.core.privacy.service import effective_policy

        policy = effective_policy(ctx)
    from dte_desktop.core.sources.names import parse_table

    def stored(table: str) -> TableLabels:
        try:
            ref = parse_table(table)
        except Exception:  # a query's name, not a table: nothing stored for it
            return TableLabels({}, None)
        return labels_for(ctx.store, connection, ref)

    return TableMasker(policy, site_key(ctx.credentials), stored)
