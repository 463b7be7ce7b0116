"""Subcommands of ``dte``; each module registers its parsers on the CLI."""
