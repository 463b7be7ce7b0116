"""``dte``: the headless twin of every GUI action, on the same core calls.

Its commands and the JSON they print with ``--json`` are a public interface: change them
only compatibly. Exit codes: 0 success, 1 the operation ended with problems (e.g. a failed
connection test, a broken audit chain), 2 usage or configuration error, 3 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from dte_desktop import __version__
from dte_desktop.commands._context import (  # re-exported: the CLI's public helpers
    context,
    emit,
    master_passphrase,
    prompt_password,
)
from dte_desktop.core.errors import DteError
from dte_desktop.core.logs import get_logger, redact

__all__ = ["build_parser", "context", "emit", "main", "master_passphrase", "prompt_password"]

log = get_logger("cli")
Handler = Callable[[argparse.Namespace], int]


def take_url_password(args: argparse.Namespace) -> None:
    """A password typed into a connection URL leaves it here, before any command sees the
    URL: job history, profiles, audit records, manifests, reports and output then only
    ever hold the URL without it (the context keeps the password, see ``context``)."""
    ref = getattr(args, "name", None)
    if not (isinstance(ref, str) and "://" in ref):
        return
    from dte_desktop.core.logs import register_secret
    from dte_desktop.core.urls import public_ref, split_password

    _, password = split_password(ref)
    args.name = public_ref(ref)
    if password:
        register_secret(password)
        args._url_password = password


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (given ``argv``) only the chosen command's module imported: the
    other commands are listed from ``commands.COMMANDS`` without importing theirs, so
    ``dte --help`` and ``dte --version`` load neither pyarrow nor SQLAlchemy."""
    import importlib

    from dte_desktop.commands import COMMANDS

    parser = argparse.ArgumentParser(
        prog="dte", description="DTE Desktop on the command line: the same jobs as the GUI."
    )
    parser.add_argument("--version", action="version", version=f"dte {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if argv is None:
        wanted = {module for module, _ in COMMANDS.values()}
    else:
        chosen = next((a for a in argv if not a.startswith("-")), None)
        wanted = {COMMANDS[chosen][0]} if chosen in COMMANDS else set()
    registered: set[str] = set()
    for name, (module, help_line) in COMMANDS.items():
        if name in registered:
            continue
        if module in wanted:
            before = set(sub.choices)
            importlib.import_module(f"dte_desktop.commands.{module}").register(sub)
            registered |= set(sub.choices) - before
            wanted.discard(module)
        else:
            sub.add_parser(name, help=help_line)  # listed only; never parsed
    _fill_common_help(parser)
    return parser


# Options that mean the same in every command get their help text here, once.
_COMMON_HELP = {
    "--json": "print JSON instead of text (a stable interface: keys are only added)",
    "--reason": "why, in a few words (kept in the audit log)",
}


def _fill_common_help(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _fill_common_help(sub)
        elif action.help is None and action.option_strings:
            action.help = _COMMON_HELP.get(action.option_strings[-1])


def main(argv: list[str] | None = None) -> int:
    from dte_desktop.core.jobs.worker import WORKER_ARG

    if (sys.argv[1:] if argv is None else argv)[:1] == [WORKER_ARG]:
        # The desktop app's job process (the installed app has no python to run -m with).
        from dte_desktop.core.jobs.worker import run_and_exit

        run_and_exit()
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    try:
        take_url_password(args)
        return int(args.func(args) or 0)
    except DteError as exc:
        print(f"error: {exc.title}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 3
    except BrokenPipeError:  # `dte … | head`: the reader left; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # keep driver text (and any DSN in it) off the terminal raw
        log.exception("unexpected error")
        print(f"error: {redact(exc)}", file=sys.stderr)
        return 1
    finally:
        ctx = getattr(args, "_ctx", None)
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
