"""`dte --help` and `dte --version` import no heavy library (timings: tests/bench/
cli_start.py); the lazy parser still knows every command, each from its one module."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from dte_desktop.cli import build_parser
from dte_desktop.commands import COMMANDS

HEAVY = (
    "pyarrow",
    "sqlalchemy",
    "PySide6",
    "pyqtgraph",
    "psycopg",
    "pymysql",
    "keyring",
    "cryptography",
    "alembic",
    "numpy",
)

PROBE = """
import contextlib, io, json, sys
from dte_desktop.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(HEAVY)))
print(json.dumps({"heavy": heavy, "out": out.getvalue()}))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], []])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    code = PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY)))
    r = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["heavy"] == [], res["heavy"]
    if args == ["--help"]:
        assert all(name in res["out"] for name in COMMANDS)


def _commands(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a.help for a in sub._choices_actions}


def test_the_table_is_what_the_modules_register() -> None:
    assert _commands(build_parser()) == {n: h for n, (_, h) in COMMANDS.items()}
    for module in {m for m, _ in COMMANDS.values()}:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(f"dte_desktop.commands.{module}").register(sub)
        assert set(sub.choices) == {n for n, (m, _) in COMMANDS.items() if m == module}


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "Demo (SQLite)", "main.customers", "--out", "x", "--workers", "3"],
        ["describe", "Demo (SQLite)", "main.customers", "--json"],
        ["rules", "list", "Demo (SQLite)"],
        ["audit", "verify", "--json"],
    ],
)
def test_the_lazy_parser_reads_a_command_as_the_full_one(argv: list[str]) -> None:
    lazy = vars(build_parser(argv).parse_args(argv))
    full = vars(build_parser().parse_args(argv))
    assert lazy == full
