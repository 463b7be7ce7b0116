"""Arrow helpers shared by the masking operators and the detectors.

Everything here is vectorised; the one per-value escape hatch, :func:`map_unique`, runs a
Python function once per *distinct* value and maps the answers back with ``index_in`` and
``take``, so a column of a million rows with ten distinct values costs ten calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ArrayLike = pa.Array | pa.ChunkedArray
#: What a masked value is replaced with where nothing of it may be shown.
REDACTION = "████"

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def as_array(values: ArrayLike) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values


def is_nested(dtype: pa.DataType) -> bool:
    return pa.types.is_nested(dtype) or pa.types.is_union(dtype)


def decode(arr: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(arr.type):
        return arr.dictionary_decode()
    if pa.types.is_run_end_encoded(arr.type):
        return arr.cast(arr.type.value_type)
    return arr


def all_null(length: int, dtype: pa.DataType | None = None) -> pa.Array:
    return pa.nulls(length, type=dtype if dtype is not None else pa.string())


def binary_to_hex(arr: pa.Array) -> pa.Array:
    """Lower-case hex of each binary value, computed on the raw buffers with a lookup table
    (binary is not valid UTF-8, so Arrow's cast to string would reject it)."""
    if pa.types.is_fixed_size_binary(arr.type) or pa.types.is_binary_view(arr.type):
        arr = arr.cast(pa.binary())
    if pa.types.is_large_binary(arr.type):
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    else:
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32).astype(np.int64)
    offsets = offsets[arr.offset : arr.offset + len(arr) + 1]
    data_buf = arr.buffers()[2]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
        if data_buf is not None and len(arr)
        else np.empty(0, dtype=np.uint8)
    )
    hexed = np.empty(data.size * 2, dtype=np.uint8)
    hexed[0::2] = _HEX[data >> 4]
    hexed[1::2] = _HEX[data & 0x0F]
    new_offsets = (offsets - offsets[0]) * 2
    out = pa.Array.from_buffers(
        pa.large_string(),
        len(arr),
        [None, pa.py_buffer(new_offsets.astype(np.int64)), pa.py_buffer(hexed)],
    ).cast(pa.string())
    if arr.null_count:
        out = pc.if_else(pc.is_valid(arr), out, pa.scalar(None, pa.string()))
    return out


def to_text(values: ArrayLike) -> pa.Array | None:
    """The values as ``string``, or ``None`` when the type has no faithful text form.

    Numbers, decimals, booleans, dates, times and timestamps use Arrow's canonical cast
    (ISO-8601 for temporal values); binary becomes lower-case hex; nested types (lists,
    structs, maps, unions) return ``None`` so callers fail closed rather than mask a
    half-understood rendering of them.
    """
    arr = decode(as_array(values))
    dtype = arr.type
    if pa.types.is_null(dtype):
        return all_null(len(arr))
    if is_nested(dtype):
        return None
    if pa.types.is_string(dtype):
        return arr
    if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return arr.cast(pa.string())
    if (
        pa.types.is_binary(dtype)
        or pa.types.is_large_binary(dtype)
        or pa.types.is_fixed_size_binary(dtype)
        or pa.types.is_binary_view(dtype)
    ):
        return binary_to_hex(arr)
    try:
        return arr.cast(pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        # Durations, intervals and extension types: render per distinct value.
        return map_unique(arr, str, pa.string())


def _py_text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def from_python(items: Sequence[object]) -> pa.Array:
    """Python values as an Arrow array. Arrow infers one type for the list; a list it cannot
    type (``[1, "a"]``, an int beyond 64 bits, bytes next to text) becomes ``string`` with
    each value in the text form :func:`to_text` gives its type, so a mixed column is still
    examined rather than raising."""
    values = list(items)
    if all(v is None or isinstance(v, str) for v in values):
        return pa.array(values, type=pa.string())
    try:
        return pa.array(values)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return pa.array([None if v is None else _py_text(v) for v in values], pa.string())


def _indexable(arr: pa.Array) -> pa.Array:
    """``index_in`` has no kernel for a few types: give it an exact equivalent."""
    if pa.types.is_string_view(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_binary_view(arr.type):
        return arr.cast(pa.binary())
    if pa.types.is_float16(arr.type):
        return arr.cast(pa.float32())
    return arr


def map_unique(arr: pa.Array, func: Callable[[object], object], out_type: pa.DataType) -> pa.Array:
    """``func`` applied once per distinct non-null value; NULL stays NULL."""
    arr = _indexable(as_array(arr))
    uniques = pc.unique(arr).drop_null()
    answers = pa.array([func(v) for v in uniques.to_pylist()], type=out_type)
    idx = pc.index_in(arr, value_set=uniques)
    return answers.take(idx)


def map_unique_many(arr: pa.Array, func: Callable[[list], list], out_type: pa.DataType) -> pa.Array:
    """Like ``map_unique`` but ``func`` takes all distinct values at once (a vectorised
    operator gets the whole column's distinct values in one call)."""
    arr = _indexable(as_array(arr))
    uniques = pc.unique(arr).drop_null()
    answers = pa.array(func(uniques.to_pylist()), type=out_type)
    idx = pc.index_in(arr, value_set=uniques)
    return answers.take(idx)


def value_counts(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Distinct non-null values and how often each occurs."""
    vc = pc.value_counts(arr.drop_null()) if len(arr) else pa.array([], pa.struct([]))
    if len(vc) == 0:
        return pa.array([], type=arr.type), np.zeros(0, dtype=np.int64)
    return vc.field("values"), vc.field("counts").to_numpy(zero_copy_only=False)


def grouped(text: pa.Array, keys: np.ndarray, fn: Callable[[pa.Array, int], pa.Array]) -> pa.Array:
    """``fn(rows, key)`` over the rows sharing each distinct integer ``key``, reassembled in
    row order.

    Arrow's string kernels take one scalar option (slice bounds) for the whole array; rows
    needing different bounds are grouped. Callers derive keys from a few short-value cases,
    so this stays a handful of kernel calls rather than a per-row loop.
    """
    if len(text) == 0:
        return fn(text, 0)
    uniq, inverse = np.unique(keys, return_inverse=True)
    if len(uniq) == 1:
        return fn(text, int(uniq[0]))
    inverse = inverse.reshape(-1)
    pieces: list[pa.Array] = []
    positions: list[np.ndarray] = []
    for gi, key in enumerate(uniq):
        rows = np.nonzero(inverse == gi)[0]
        pieces.append(fn(text.take(pa.array(rows)), int(key)))
        positions.append(rows)
    order = np.argsort(np.concatenate(positions), kind="stable")
    return pa.concat_arrays(pieces).take(pa.array(order))


def slice_text(text: pa.Array, start: int, stop: int | None = None) -> pa.Array:
    """Code-point slice; ``stop`` may be negative (from each value's end). An empty range
    gives empty strings, never the whole value (``utf8_slice_codeunits`` with ``stop=-0``
    would)."""
    if stop is not None and stop >= 0 and stop <= start:
        return pc.if_else(pc.is_valid(text), "", pa.scalar(None, pa.string()))
    if stop is None:
        return pc.utf8_slice_codeunits(text, start)
    return pc.utf8_slice_codeunits(text, start, stop)


def lengths(text: pa.Array) -> np.ndarray:
    """Code-point lengths, 0 for NULL."""
    return pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False).astype(np.int64)
