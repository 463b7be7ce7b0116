"""Which columns are likely quasi-identifiers (QIs): the suggestion ``dte risk`` uses without
``--qi``, the Risk tab ticks, and a masked export's ``min_k`` check takes without ``--qi``.

Three kinds of evidence, each named in the reason given for a column:

- the column's name (ZIP, postal code, birth date, gender, city … as ``QI_WORDS`` spell them);
- its stored classification or its last profile's detector: a date of birth, whatever the
  column is called. A column classified with any other PII type (a name, an e-mail) is a
  *direct* identifier, masked anyway and left out, however it is named;
- its last profile's exact cardinality: a text, boolean or integer column with 2 to
  ``LOW_CARDINALITY_MAX`` distinct values, each held by ``ROWS_PER_VALUE`` rows or more on
  average, is gender-like (sex, marital status, a flag): it splits every class in a few.

Only column names, stored types and counts are read, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dte_desktop.core.sources.base import TableRef

# Names of the classic quasi-identifiers (Sweeney: ZIP, birth date and sex single out 87 %
# of the US population), as column names spell them. Words match whole name parts.
QI_WORDS = {
    "zip", "zipcode", "postal", "postcode", "plz", "birth", "dob", "birthdate", "birthday",
    "born", "age", "gender", "sex", "city", "town", "county", "district", "region", "state",
    "province", "country", "nationality", "ethnicity", "race", "marital", "occupation",
    "job", "title", "profession", "employer", "education", "religion", "language",
}  # fmt: skip

#: PII types that narrow a person down rather than name them: a column classified as one
#: is a quasi-identifier whatever its name; any other PII type is a direct identifier.
QI_PII_TYPES = frozenset({"date_of_birth"})

LOW_CARDINALITY_MAX = 5  # distinct values of a gender-like column
ROWS_PER_VALUE = 10  # below this many rows per value on average, few values prove nothing
_LOW_CARDINALITY_KINDS = ("string", "boolean")


def _name_parts(name: str) -> set[str]:
    parts = {p for p in re.split(r"[^a-z0-9]+|(?<=[a-z])(?=[0-9])", name.lower()) if p}
    return parts | {p.lower() for p in re.findall(r"[A-Z]?[a-z]+", name)}


def _integer(col: Mapping[str, Any]) -> bool:
    return col.get("kind") == "numeric" and str(col.get("arrow_type", "")).startswith(
        ("int", "uint")
    )


def low_cardinality(col: Mapping[str, Any]) -> str | None:
    """Why a profiled column (``ColumnProfile.to_json()``) is gender-like, or None."""
    distinct, nulls = col.get("distinct"), int(col.get("nulls") or 0)
    if distinct is None or col.get("distinct_approx") or col.get("primary_key"):
        return None
    if col.get("kind") not in _LOW_CARDINALITY_KINDS and not _integer(col):
        return None
    non_null = int(col.get("count") or 0) - nulls
    if not 2 <= int(distinct) <= LOW_CARDINALITY_MAX or non_null < ROWS_PER_VALUE * distinct:
        return None
    return f"{int(distinct)} distinct values in {non_null:,} rows (gender-like, last profile)"


def quasi_identifier_reasons(
    names: Iterable[str],
    direct: Iterable[str] = (),
    pii_types: Mapping[str, str | None] | None = None,
    profile: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, str]:
    """The suggested QIs of a table, in column order, each with why: ``pii_types`` is the
    stored classification (column -> PII type), ``profile`` the last profile's columns by
    name; ``direct`` identifiers and columns stored with a non-QI PII type are left out."""
    types = {n: t for n, t in (pii_types or {}).items() if t}
    skip = set(direct) | {n for n, t in types.items() if t not in QI_PII_TYPES}
    out: dict[str, str] = {}
    for name in names:
        if name in skip:
            continue
        col = (profile or {}).get(name) or {}
        detected = (col.get("pii") or {}).get("type")
        words = sorted(_name_parts(name) & QI_WORDS)
        if types.get(name) in QI_PII_TYPES:
            out[name] = f"classified as {types[name]}"
        elif detected in QI_PII_TYPES and name not in types:
            out[name] = f"detected as {detected} (last profile)"
        elif words:
            out[name] = f"name ({', '.join(words)})"
        elif reason := low_cardinality(col):
            out[name] = reason
    return out


def suggest_quasi_identifiers(
    names: Iterable[str],
    direct: Iterable[str] = (),
    pii_types: Mapping[str, str | None] | None = None,
    profile: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[str]:
    """The suggested QI columns (``quasi_identifier_reasons`` without the reasons)."""
    return list(quasi_identifier_reasons(names, direct, pii_types, profile))


def reasons_for_table(
    store: Any, connection: str, table: TableRef, names: list[str]
) -> dict[str, str]:
    """The suggestion for a stored table: its column names, what officers classified (a
    neutrally named column stored as a date of birth is ticked; one stored as an e-mail is
    not, even if named ``city_email``) and the cardinalities of its last profile."""
    from dte_desktop.core.privacy.column_plan import latest_profile
    from dte_desktop.core.privacy.labels import labels_for

    labels = labels_for(store, connection, table)
    types = {n: labels.columns[n].pii_type for n in names if n in labels.columns}
    profiled = (latest_profile(store, connection, table) or {}).get("columns") or []
    by_name = {c.get("name"): c for c in profiled if isinstance(c, Mapping)}
    return quasi_identifier_reasons(names, pii_types=types, profile=by_name)


def suggested_for_table(
    store: Any, connection: str, table: TableRef, names: list[str]
) -> list[str]:
    return list(reasons_for_table(store, connection, table, names))


def suggest_for_connection(
    ctx: Any, connection: str, table: TableRef | str, prompt: Any = None
) -> tuple[TableRef, dict[str, str]]:
    """The table as the catalog spells it and its suggested QIs with reasons (what ``dte
    risk`` runs without ``--qi``): the source is asked for the column names only."""
    from dte_desktop.core.sources.identifiers import resolve_table
    from dte_desktop.core.urls import public_ref

    source = ctx.open_source(connection, prompt)
    try:
        ref = resolve_table(source, table)
        names = [c.name for c in source.describe(ref)]
    finally:
        source.close()
    return ref, reasons_for_table(ctx.store, public_ref(connection), ref, names)
