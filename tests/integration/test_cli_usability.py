"""The CLI as a new user meets it (issue 20 item 12): a typo is named before any job starts,
a missing table among several is not dropped, a server that needs no password is not asked
for one, Ctrl+D at the password prompt is a clear refusal, every command and option says
what it does, and `jobs list` reads as a table."""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import subprocess
import sys
import time

import psycopg

from dte_desktop.cli import build_parser


def dte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dte_desktop", *args],
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def in_terminal(args: list[str], answer: bytes | None, timeout: float = 60) -> tuple[int, str]:
    """Run `dte ARGS` on a pseudo-terminal (getpass reads the controlling terminal); when
    it asks for a password, type ``answer`` (``b"\\x04"`` is Ctrl+D). Returns (exit, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a session leader whose terminal is the pty
        os.execv(sys.executable, [sys.executable, "-m", "dte_desktop", *args])  # noqa: S606
    out, answered, deadline = b"", False, time.monotonic() + timeout
    done, status = 0, 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        if b"Password for" in out and not answered:
            if answer is None:
                os.kill(pid, 9)
                break
            os.write(fd, answer)
            answered = True
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, 9)
    if not done:
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def _accounts(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("CREATE SCHEMA sales")
        c.execute("CREATE TABLE sales.accounts (id int PRIMARY KEY, v text)")
        c.execute("INSERT INTO sales.accounts SELECT g, 'v' || g FROM generate_series(1, 600500) g")


def test_typos_and_missing_tables_are_named_before_a_job_starts(pg_url, tmp_path) -> None:
    _accounts(pg_url)
    assert dte("connections", "add", "pg", "--url", pg_url).returncode == 0
    typo = dte("profile", "pg", "sales.acounts")
    assert typo.returncode == 2
    assert "'acounts'" in typo.stderr and "Did you mean 'accounts'?" in typo.stderr
    out = tmp_path / "out"
    several = dte("export", "pg", "sales.accounts", "sales.nope", "--out", str(out))
    assert several.returncode == 2 and "'nope'" in several.stderr, several.stderr
    assert not out.exists() or not any(out.iterdir())
    assert json.loads(dte("jobs", "list", "--json").stdout) == []  # no job was started

    assert dte("export", "pg", "sales.accounts", "--out", str(out)).returncode == 0
    listing = dte("jobs", "list").stdout.splitlines()
    assert listing[0].split() == ["ID", "KIND", "STATUS", "CREATED", "ROWS", "CONNECTION"]
    assert "600,500" in listing[1] and "600500" not in listing[1]


def test_a_trust_server_is_not_asked_for_a_password(pg_url) -> None:
    assert dte("connections", "add", "pg", "--url", pg_url).returncode == 0
    code, out = in_terminal(["catalog", "pg"], answer=None)
    assert "Password for" not in out and code == 0, out


def test_ctrl_d_at_the_password_prompt_is_a_clear_refusal(auth_cluster) -> None:
    a = auth_cluster
    url = f"postgresql://{a.user}@{a.host}:{a.port}/{a.db_ok}"
    assert dte("connections", "add", "scram", "--url", url).returncode == 0
    code, out = in_terminal(["catalog", "scram"], answer=b"\x04")
    assert "Password for scram" in out
    assert code == 2 and "No password given for scram" in out and "Traceback" not in out, out
    code, out = in_terminal(["catalog", "scram"], answer=a.password.encode() + b"\n")
    assert code == 0 and "public" in out, out


def _undocumented(parser: argparse.ArgumentParser, path: str) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {c.dest: c.help for c in action._choices_actions}
            for name, sub in action.choices.items():
                if not helps.get(name):
                    missing.append(f"{path} {name}")
                missing += _undocumented(sub, f"{path} {name}")
        elif action.option_strings and not action.help:
            missing.append(f"{path} {'/'.join(action.option_strings)}")
    return missing


def test_every_command_and_option_says_what_it_does() -> None:
    assert _undocumented(build_parser(), "dte") == []
    jobs_help = dte("jobs", "--help").stdout
    assert "list" in jobs_help and "show" in jobs_help
