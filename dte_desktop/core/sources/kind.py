"""What a source class declares about its kind, once (in the spirit of harlequin's
adapter flags): its label, the URL schemes it serves, the connection form it needs, its
default port and its per-kind options. The registry reads it to open URLs; the
connection dialog reads it to build its form."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormOption:
    """One URL query option the connection form shows as its own field (e.g. SSL)."""

    key: str  # the URL query key, as the driver reads it
    label: str
    choices: tuple[str, ...] = ()  # a drop-down (the first: the driver's default); else text
    hint: str = ""  # placeholder text of a free-text field

    @property
    def default(self) -> str:
        """The value left out of the URL: the driver's own default, or empty text."""
        return self.choices[0] if self.choices else ""


@dataclass(frozen=True)
class SourceKind:
    key: str  # the family name: registry.family_of() of its URLs, the store's kind
    label: str  # as the connection dialog lists it
    schemes: tuple[str, ...]  # URL backends it serves; empty: any URL no other kind takes
    form: str = "network"  # network (host, port, database, user) | file | url
    default_port: int | None = None
    options: tuple[FormOption, ...] = ()
    order: int = 50  # position in the dialog's list

    @property
    def has_password(self) -> bool:
        return self.form != "file"
