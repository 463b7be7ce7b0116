"""Long values cut for a preview: a preview of a table holding 10 MB values took 44 s and
800 MB, for cells nobody reads past a screenful.

The source's dialect cuts each text and binary column on the server
(``Dialect.prefix``: ``substr``, ``LEFT`` …) to ``cut_at + 1`` characters (bytes), so
only that crosses the wire; ``cut_batch`` then keeps ``cut_at`` of the values that were
longer and names the cells it cut — the page says which cells are not whole. JSON columns
are not cut (a cut document is no longer JSON)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from dte_desktop.core.sources.base import JSON_MARK

PREVIEW_CUT = 2_000  # characters (bytes) of a value a preview shows


def cuttable(arrow_type: pa.DataType, metadata: dict[bytes, bytes] | None = None) -> bool:
    if metadata and any(metadata.get(k) == v for k, v in JSON_MARK.items()):
        return False
    return is_text(arrow_type) or is_binary(arrow_type)


def is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t)


def cut_batch(batch: pa.RecordBatch, cut_at: int) -> tuple[pa.RecordBatch, dict[str, list[int]]]:
    """``batch`` with values longer than ``cut_at`` cut to it, and per column the rows cut."""
    cut: dict[str, list[int]] = {}
    arrays = []
    for field, arr in zip(batch.schema, batch.columns, strict=True):
        if cuttable(field.type, field.metadata):
            text = is_text(field.type)
            lengths = pc.utf8_length(arr) if text else pc.binary_length(arr)
            longer = pc.fill_null(pc.greater(lengths, cut_at), False)
            rows = pc.indices_nonzero(longer).to_pylist()
            if rows:
                cut[field.name] = rows
                if text:
                    short = pc.utf8_slice_codeunits(arr, 0, cut_at)
                else:
                    short = pc.binary_slice(arr, 0, cut_at)
                arr = pc.if_else(longer, short, arr)
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema), cut
