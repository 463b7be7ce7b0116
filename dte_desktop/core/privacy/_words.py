"""The word lists the detectors ship with (``resources/pii``, licences in its README): read
once, lazily, from the installed resources; never downloaded."""

from __future__ import annotations

from functools import cache

from dte_desktop.core.paths import resources_dir


@cache
def words(name: str) -> frozenset[str]:
    """The lower-case entries of ``resources/pii/NAME.txt`` (``#`` lines are comments)."""
    text = (resources_dir() / "pii" / f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@cache
def first_names() -> frozenset[str]:
    return words("first_names") | words("first_names_extra")


@cache
def surnames() -> frozenset[str]:
    """Family names, with the gendered forms Slavic names take (``petrov`` / ``petrova``,
    ``kowalski`` / ``kowalska``), which the lists hold for one gender only."""
    base = words("surnames") | words("surnames_extra")
    forms = set(base)
    for name in base:
        if name.endswith(("ov", "ev", "in")) and len(name) > 4:
            forms.add(name + "a")
        elif name.endswith(("ova", "eva", "ina")) and len(name) > 5:
            forms.add(name[:-1])
        elif name.endswith(("ski", "cki", "dzki")):
            forms.add(name[:-1] + "a")
        elif name.endswith(("ska", "cka", "dzka")):
            forms.add(name[:-1] + "i")
    return frozenset(forms)


def street_words() -> frozenset[str]:
    return words("street_words")


def company_words() -> frozenset[str]:
    return words("company_words")
