"""Long CLI jobs show a progress bar on a terminal and plain output when piped (issue 19):
profile and sample emit progress events through core/jobs (rows read, per table/step), the
one renderer (commands/_progress.py) draws them with rich on a TTY."""

from __future__ import annotations

import contextlib
import io
import os
import select
import subprocess
import sys
import time

from dte_desktop.commands._progress import TerminalProgress
from dte_desktop.core.app import bootstrap
from dte_desktop.core.jobs.events import ItemProgress, JobFinished, JobProgress, JobStarted
from dte_desktop.core.profiling.profiler import ProfileOptions, profile_tables
from dte_desktop.core.sampling import SampleSpec
from dte_desktop.core.sampling.service import run_sample
from dte_desktop.core.sources.base import TableRef

DEMO = "Demo (SQLite)"
BAR = "━"  # rich's bar glyph
CMD = [sys.executable, "-m", "dte_desktop"]


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "160", "TERM": "xterm-256color"}


def on_a_tty(*args: str) -> tuple[int, str, str]:
    """Run ``dte ARGS`` with stderr on a pseudo-terminal (stdout piped)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [*CMD, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
        env=_env(),
    )  # fmt: skip
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=30)
    os.close(master)
    return code, out, b"".join(chunks).decode("utf-8", "replace")


def test_ctrl_c_on_a_tty_ends_the_bar_and_the_profile_cancelled(demo_home) -> None:
    """The bar's refresh thread does not keep the job alive: Ctrl+C cancels (exit 3) and the
    terminal gets its cursor back."""
    import signal

    master, slave = os.openpty()
    proc = subprocess.Popen(
        [*CMD, "profile", DEMO, "customers", "orders", "--mode", "stream", "--partitions", "8"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=_env(),
    )  # fmt: skip
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    while BAR.encode() not in seen and time.monotonic() < deadline and proc.poll() is None:
        if select.select([master], [], [], 0.2)[0]:
            seen += os.read(master, 65536)
    assert BAR.encode() in seen, seen[-500:]
    proc.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    while proc.poll() is None and time.monotonic() - t0 < 30:
        if select.select([master], [], [], 0.2)[0]:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    code = proc.wait(timeout=30)
    with contextlib.suppress(OSError):
        while select.select([master], [], [], 0.2)[0]:
            chunk = os.read(master, 65536)
            if not chunk:
                break
            seen += chunk
    os.close(master)
    assert code == 3, seen[-800:]
    assert time.monotonic() - t0 < 10
    text = seen.decode("utf-8", "replace")
    assert "profile cancelled" in text and text.rstrip().endswith(
        "written; finished tables are kept in the history."
    )
    assert "\x1b[?25h" in text  # the bar stopped: cursor shown again


def piped(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, env=_env(),
                          stdin=subprocess.DEVNULL, timeout=120)  # fmt: skip


def test_profile_and_sample_draw_a_bar_on_a_tty_and_none_when_piped(demo_home) -> None:
    code, out, err = on_a_tty("profile", DEMO, "products", "--mode", "stream")
    assert code == 0, err
    assert BAR in err and "1/1 tables" in err and "rows/s" in err
    assert "products" in out  # the result itself is unchanged, on stdout
    plain = piped("profile", DEMO, "products", "--mode", "stream")
    assert plain.returncode == 0, plain.stderr
    assert BAR not in plain.stderr and "\x1b[" not in plain.stderr and "\r" not in plain.stderr
    assert "products" in plain.stdout

    code, out, err = on_a_tty("sample", DEMO, "customers", "--size", "20", "--seed", "3")
    assert code == 0, err
    assert BAR in err and "steps" in err
    assert "sample job" in out
    plain = piped("sample", DEMO, "customers", "--size", "20", "--seed", "3")
    assert plain.returncode == 0 and BAR not in plain.stderr and "\x1b[" not in plain.stderr


def test_json_on_a_tty_draws_no_bar(demo_home) -> None:
    code, out, err = on_a_tty("profile", DEMO, "products", "--json")
    assert code == 0, err
    assert BAR not in err and "\x1b[" not in err
    assert '"job_id"' in out


def test_profile_and_sample_emit_progress_events(demo_home) -> None:
    ctx = bootstrap(demo=True, log_file=False)
    try:
        events: list[object] = []
        source = ctx.open_source(DEMO)
        try:
            opts = ProfileOptions(mode="stream", partitions=2, on_event=events.append)
            job_id, _ = profile_tables(source, DEMO, [TableRef(None, "customers")], opts, ctx.store)
        finally:
            source.close()
        assert isinstance(events[0], JobStarted) and events[0].job_id == job_id
        assert isinstance(events[-1], JobFinished) and events[-1].status == "complete"
        progress = [e for e in events if isinstance(e, JobProgress)]
        assert {e.unit for e in progress} == {"tables"} and progress[-1].items_done == 1
        assert progress[-1].rows >= 100_000  # rows read through: the whole table streamed
        assert progress[-1].rows_total is not None and progress[-1].rows_total > 0
        rows = [e.rows for e in progress]
        assert rows == sorted(rows) and len(set(rows)) > 2  # grows while the scan runs
        steps = {e.status for e in events if isinstance(e, ItemProgress)}
        assert {"sample", "stream", "done"} <= steps
        parts = {e.key for e in events if isinstance(e, ItemProgress) and e.status == "done"}
        assert len([k for k in parts if k != "customers"]) == 2  # one per stream partition

        events.clear()
        spec = SampleSpec(connection=DEMO, table="customers", size=20, seed=3).validate()
        outcome = run_sample(ctx, spec, on_event=events.append)
        assert isinstance(events[0], JobStarted) and events[0].job_id == outcome.job_id
        assert isinstance(events[-1], JobFinished) and events[-1].status == "complete"
        steps = [e.status for e in events if isinstance(e, ItemProgress) and e.status != "done"]
        assert steps[:2] == ["keys", "figures"] and steps[-1] == "rows"
        last = [e for e in events if isinstance(e, JobProgress)][-1]
        assert last.unit == "steps" and last.items_done == last.items_total == len(steps)
    finally:
        ctx.close()


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(False, stream=stream)
    bar.PLAIN_EVERY_S = 0.0
    bar(JobStarted(7, False))
    bar(ItemProgress(7, "customers", "quantiles", 10, 0, 0.0))
    bar(JobProgress(7, 1234, 0, 100.0, 0.0, 0, 2, 3.0, None, unit="tables"))
    bar(JobFinished(7, "complete"))
    bar.close()
    text = stream.getvalue()
    assert text == "progress: 0/2 tables  1,234 rows  100 rows/s  3 s  customers: quantiles\n"
    quiet = io.StringIO()
    bar = TerminalProgress(False, stream=quiet)  # the default: a short job writes nothing
    bar(JobProgress(7, 1234, 0, 100.0, 0.0, 0, 2, 3.0, None, unit="tables"))
    assert quiet.getvalue() == ""
