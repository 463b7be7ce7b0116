"""The type a masking operator writes for a column, and why it differs from the source's.

The one rule the export manifest's ``masked_type_notes`` follow: ``keep`` and ``nullify``
write the input type, ``tokenize`` the input type where it has a typed token (``_typed``),
the other operators text.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from dte_desktop.core.privacy._typed import output_type as tokenized_type


def output_type(name: str, input_type: pa.DataType) -> pa.DataType:
    """The Arrow type operator ``name`` writes for a column of ``input_type`` (the one rule
    the manifest's notes and the writers' schemas follow)."""
    if name in ("keep", "nullify"):
        return input_type
    if name == "tokenize":
        return tokenized_type(input_type)
    return pa.string()


_WHY_TEXT = {
    "partial": "partial writes the kept characters and the mask as text",
    "generalize": "generalize writes labels (a year, leading digits and x, a prefix)",
    "hash": "hash writes hex digests",
    "redact": "redact writes its token",
    "tokenize": "tokenize writes hex tokens for binary and text for types it cannot keep",
}


def type_change_notes(schema: pa.Schema, applied: Mapping[str, str]) -> dict[str, str]:
    """Per masked column whose type changed, why (the manifest's ``masked_type_notes``)."""
    notes = {}
    for fld in schema:
        if fld.name in applied and (note := type_change_note(applied[fld.name], fld.type)):
            notes[fld.name] = note
    return notes


def type_change_note(name: str, input_type: pa.DataType) -> str | None:
    """Why a masked column's type differs from the source's, or None when it is kept."""
    out = output_type(name, input_type)
    if out == input_type:
        return None
    if pa.types.is_dictionary(input_type) and out == input_type.value_type:
        return f"{input_type} written as {out}: dictionary-decoded"
    return f"{input_type} written as {out}: {_WHY_TEXT.get(name, name)}"
