"""The word lists the detectors ship with (``dte_desktop/resources/pii``, licences in its
README): read once, lazily, from the package; never downloaded."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def words(name: str) -> frozenset[str]:
    """The lower-case entries of ``resources/pii/NAME.txt`` (``#`` lines are comments)."""
    text = (
        resources.files("dte_desktop.resources")
        .joinpath("pii", f"{name}.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def first_names() -> frozenset[str]:
    return words("first_names")


def surnames() -> frozenset[str]:
    return words("surnames")


def street_words() -> frozenset[str]:
    return words("street_words")


def company_words() -> frozenset[str]:
    return words("company_words")
