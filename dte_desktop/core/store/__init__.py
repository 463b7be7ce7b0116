"""The local history (SQLite + Alembic). ``Store`` is the only door to it."""

from dte_desktop.core.store.records import (
    Connection,
    ItemStatus,
    Job,
    JobError,
    JobItem,
    JobStatus,
)
from dte_desktop.core.store.repository import Store, password_free_url

__all__ = [
    "Connection",
    "ItemStatus",
    "Job",
    "JobError",
    "JobItem",
    "JobStatus",
    "Store",
    "password_free_url",
]
