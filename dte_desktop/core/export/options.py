"""Export options declared once: a field of ``ExportSpec`` or ``FormatOptions`` carries its
CLI flag, help, choices and the range a form offers in its metadata (``option(...)``), and
the field's default is THE default. ``commands/export.py`` builds its flags from here and
``ui/export_wizard.py`` its choices, ranges and starting values: neither writes a default.

A flag for a bool field is a switch: ``--overwrite`` turns a False default on, ``--no-…``
(``--no-header``) turns a True default off."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

KEY = "dte_option"


@dataclass(frozen=True)
class Option:
    flag: str
    help: str
    choices: tuple[Any, ...] | None = None
    kind: type | None = None  # the value's type where the default (None) does not say
    low: int | None = None  # the smallest value a form offers
    high: int | None = None  # the largest
    step: int | None = None
    metavar: str | None = None
    name: str = ""  # filled in by ``options_of``: the field
    default: Any = None  # filled in: the field's default

    @property
    def switch(self) -> bool:
        return isinstance(self.default, bool)


def option(flag: str, help: str, **kw: Any) -> dict[str, Option]:
    """``field(default=…, metadata=option("--flag", "help", …))``."""
    return {KEY: Option(flag, help, **kw)}


def options_of(cls: type) -> dict[str, Option]:
    """The declared options of a spec dataclass, by field name, defaults filled in."""
    out = {}
    for f in dataclasses.fields(cls):
        o = f.metadata.get(KEY)
        if o is not None:
            default = f.default if f.default is not dataclasses.MISSING else None
            out[f.name] = dataclasses.replace(o, name=f.name, default=default)
    return out


def default_of(cls: type, name: str) -> Any:
    return options_of(cls)[name].default
