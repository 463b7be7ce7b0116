"""Spec options (``core/export/options.py``) rendered as argparse flags: the flag, help,
choices, type and default all come from the spec's field, so the CLI writes none itself."""

from __future__ import annotations

import argparse
from typing import Any

from dte_desktop.core.export.options import options_of


def add_options(parser: argparse.ArgumentParser, cls: type, names: list[str], **helps: str) -> None:
    """Add the flags of ``cls``'s options ``names`` (``helps``: another help for one)."""
    declared = options_of(cls)
    for name in names:
        o = declared[name]
        text = helps.get(name, o.help)
        kw: dict[str, Any] = {}
        if o.switch:
            kw["action"] = "store_true"
        else:
            kw["default"] = o.default
            kind = o.kind or (type(o.default) if isinstance(o.default, int) else None)
            if kind is not None:
                kw["type"] = kind
            if o.choices:
                kw["choices"] = o.choices
            if o.default is not None:
                text += f" (default {o.default})"
        if o.metavar:
            kw["metavar"] = o.metavar
        parser.add_argument(o.flag, help=text, **kw)
