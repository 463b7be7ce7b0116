"""The end of a job.

* ``final_status``: the ONE rule that turns a job's item outcomes into its final status, for
  export, profile and sample alike.
* ``end_export``: an export's final status and its audit record in ONE transaction of the
  history, so a kill between the two can no longer leave a finished export unaudited (the
  job stays ``running``, is found ``interrupted`` at the next start, and its resume audits).
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from dte_desktop.core.errors import DteError, HistoryUnwritable
from dte_desktop.core.logs import get_logger
from dte_desktop.core.store import JobStatus

if TYPE_CHECKING:
    from dte_desktop.core.jobs.export_job import ExportJob

log = get_logger("jobs.end")


def final_status(
    *, total: int, done: int, failed: int, partial: int = 0, cancelled: bool = False
) -> JobStatus:
    """The final status of a job of ``total`` items, ``done`` of them finished (``partial``
    of those with some errors: a table profiled with a column's figures missing, a sample
    whose export ended with errors) and ``failed`` failed:

    * ``cancelled``: a cancel was asked and not every item finished;
    * ``complete``: nothing failed and nothing is partial;
    * ``failed``: something failed and no item finished;
    * ``complete_with_errors``: otherwise (some finished, some failed or partial).
    """
    if cancelled and done < total:
        return JobStatus.CANCELLED
    if not failed and not partial:
        return JobStatus.COMPLETE
    if not done:
        return JobStatus.FAILED
    return JobStatus.COMPLETE_WITH_ERRORS


def audit_fields(job: ExportJob, summary: dict[str, Any]) -> dict[str, Any]:
    """What the export's audit record says (the same for the CLI, the app and samples)."""
    spec = job.spec
    return {
        "connection": spec.connection,
        "object": ", ".join(spec.tables + tuple(q.name for q in spec.queries)),
        "row_count": summary.get("rows"),
        "job_id": job.job_id,
        "extra": {
            "masked": spec.mask,
            "format": spec.format,
            "out_dir": summary.get("out_dir"),
            **({"overwrite": True} if spec.overwrite else {}),
            **({"risk": job.risk_summary()} if job.k_checks else {}),
        },
    }


def end_export(job: ExportJob, status: JobStatus, summary: dict[str, Any]) -> JobStatus:
    """Write ``status`` and the audit record together. When the record cannot be written,
    the export is not reported finished as it was: it ends ``failed`` with that reason."""
    from dte_desktop.core.audit import AuditLog

    store = job.store
    try:
        write = store.job_status_writer(job.job_id, status, summary=summary)
        AuditLog(store).record("export", also=write, **audit_fields(job, summary))
    except HistoryUnwritable:  # nothing can be recorded: the message says what is left
        raise
    except (DteError, OSError, SQLAlchemyError) as exc:
        log.error("export %d: its audit record could not be written: %s", job.job_id, exc)
        message = f"The export's audit record could not be written: {exc}"
        store.add_error(
            job.job_id, type=type(exc).__name__, message=message, traceback=traceback.format_exc()
        )
        store.set_job_status(job.job_id, JobStatus.FAILED, summary={**summary, "error": message})
        return JobStatus.FAILED
    finally:
        store.unlock_job(job.job_id)
    return status
