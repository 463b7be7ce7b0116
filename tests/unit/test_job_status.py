"""The one rule that ends export, profile and sample jobs (core/jobs/job_end.final_status)."""

from __future__ import annotations

import pytest

from dte_desktop.core.jobs.job_end import final_status
from dte_desktop.core.store import JobStatus

C, CWE, F, X = (JobStatus.COMPLETE, JobStatus.COMPLETE_WITH_ERRORS, JobStatus.FAILED,
                JobStatus.CANCELLED)  # fmt: skip


@pytest.mark.parametrize(
    ("total", "done", "failed", "partial", "cancelled", "expected"),
    [
        (3, 3, 0, 0, False, C),  # all finished
        (3, 2, 1, 0, False, CWE),  # some finished, one failed
        (3, 0, 3, 0, False, F),  # every item failed: failed (a profile said complete_with_errors)
        (1, 0, 1, 0, False, F),  # a sample whose export wrote nothing
        (2, 2, 0, 1, False, CWE),  # all finished, one with missing figures (a column's error)
        (1, 1, 0, 1, False, CWE),  # a sample whose export ended with errors
        (3, 1, 0, 0, True, X),  # cancelled before the end
        (3, 1, 1, 0, True, X),  # cancelled wins over a failure: resumable
        (3, 3, 0, 0, True, C),  # asked too late: everything had finished
        (0, 0, 0, 0, False, C),  # nothing to do
    ],
)
def test_final_status(total, done, failed, partial, cancelled, expected) -> None:
    got = final_status(total=total, done=done, failed=failed, partial=partial, cancelled=cancelled)
    assert got == expected
