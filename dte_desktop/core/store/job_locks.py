"""Which process runs a job: a cross-process lock per job, held while it is ``running``.

The history's ``running`` status and pid are what a process *said*; the lock is what the OS
knows. A job whose lock nobody holds has no live runner, whatever its pid (a reused pid
kept such jobs ``running`` for ever), and two processes can never run, or resume, one job
at once: the second gets ``LockBusy`` before it reads a row.

The locks a process holds are kept per process, not per ``Store`` object: the job belongs to
the process, which may open and close the history several times while it runs the job.
"""

from __future__ import annotations

import threading
from pathlib import Path

from dte_desktop.core.filelock import FileLock, LockBusy
from dte_desktop.core.paths import private_dir

_HELD: dict[Path, FileLock] = {}
_GUARD = threading.Lock()


class JobLocks:
    path: Path  # the history database; locks live beside it

    def _job_lock_path(self, job_id: int) -> Path:
        # Beside the history, so as private as it (0700 whatever the umask): a lock file
        # names its holder's pid and start time.
        folder = private_dir(self.path.resolve().with_name("locks"))
        return folder / f"job-{job_id}.lock"

    def lock_job(self, job_id: int) -> None:
        """Take the job for this process (idempotent); ``LockBusy`` if another has it."""
        path = self._job_lock_path(job_id)
        with _GUARD:
            if path in _HELD:
                return
            _HELD[path] = FileLock(path, what=f"Job {job_id}", remove=True).acquire()

    def unlock_job(self, job_id: int) -> None:
        with _GUARD:
            lock = _HELD.pop(self._job_lock_path(job_id), None)
        if lock is not None:
            lock.release()

    def holds_job(self, job_id: int) -> bool:
        return self._job_lock_path(job_id) in _HELD

    def job_has_runner(self, job_id: int) -> bool:
        """True while some process (this one included) holds the job's lock."""
        if self.holds_job(job_id):
            return True
        try:
            FileLock(self._job_lock_path(job_id), remove=True).acquire().release()
        except LockBusy:
            return True
        return False
