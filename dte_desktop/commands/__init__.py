"""Subcommands of ``dte``; each module registers its parsers on the CLI.

Which module serves which command, and the command's one-line help, are kept here, in the
one table ``dte --help`` reads: it lists the commands without importing a single module
(they pull in pyarrow and SQLAlchemy, over a second), and ``dte COMMAND …`` imports only the
module of that command. Each module's ``register`` takes the help line from here too.
"""

from __future__ import annotations

import argparse

# command -> (module of this package, help line); in the order ``dte --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "connections": ("connections", "saved database connections"),
    "catalog": ("catalog", "list schemas and tables"),
    "describe": ("catalog", "columns of a table"),
    "demo": ("catalog", "build the demo database and print its catalog"),
    "preview": ("privacy", "first rows of a table, masked by the policy in force"),
    "policy": ("privacy", "the masking policy in force"),
    "classify": ("classify", "set a column's (or table's) classification"),
    "classifications": ("classify", "stored classifications: list, export, import"),
    "profile": ("profile", "profile tables: statistics, patterns, PII"),
    "rules": ("profile", "data quality rules: add, list, remove, check"),
    "risk": ("risk", "re-identification risk of a table through its quasi-identifiers"),
    "sample": ("sample", "pick typical, edge and suspicious rows of a table"),
    "export": ("export", "export tables and queries to files"),
    "jobs": ("jobs", "job history: list, show, resume, cancel"),
    "package": ("package", "encrypted, signed transfer packages of exports"),
    "audit": ("audit", "the tamper-evident audit log"),
}


def add_command(sub: argparse._SubParsersAction, name: str) -> argparse.ArgumentParser:
    """The top-level parser of ``name``, with its help line from ``COMMANDS``."""
    return sub.add_parser(name, help=COMMANDS[name][1])
