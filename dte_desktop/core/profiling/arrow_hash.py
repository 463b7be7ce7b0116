"""Stable 64-bit hashes of Arrow values, vectorised with NumPy (no per-value Python).

* fixed-width values (integers, floats, dates, timestamps, booleans): their 64-bit pattern
  through splitmix64's finaliser;
* strings and binary: a polynomial hash of the bytes modulo 2^64 with an odd multiplier,
  computed for all values at once from the Arrow offsets (``np.add.reduceat``), then mixed
  with the length and finalised;
* anything else (decimals, nested values): cast to text first.

Stable across processes and machines (checkpointed sketches are merged later), not keyed:
this is for counting distinct values, not for hiding them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SCHEME = "np-poly64-splitmix-v1"
_MULT = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so the polynomial stays invertible
_NULL = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def _powers(n: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.cumprod(np.full(n, _MULT, dtype=np.uint64)) if n else np.empty(0, np.uint64)


def _bytes_hash(arr: pa.Array) -> np.ndarray:
    """Hashes of a string/binary array without nulls."""
    if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type):
        arr = arr.cast(pa.large_binary())
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
            arr.offset : arr.offset + len(arr) + 1
        ]
    else:
        arr = arr.cast(pa.binary())
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[
            arr.offset : arr.offset + len(arr) + 1
        ]
    offsets = offsets.astype(np.int64)
    start, end = offsets[0], offsets[-1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[start:end].astype(np.uint64)
    lengths = np.diff(offsets)
    rel = offsets[:-1] - start
    # position of each byte inside its value: weight MULT^(pos+1), so "ab" != "ba"
    pos = np.arange(end - start, dtype=np.int64) - np.repeat(rel, lengths)
    weights = _powers(int(lengths.max()) if len(lengths) else 0)
    out = np.zeros(len(arr), dtype=np.uint64)
    if data.size:
        with np.errstate(over="ignore"):
            contrib = (data + np.uint64(1)) * weights[pos]
        nonempty = lengths > 0
        sums = np.add.reduceat(contrib, rel[nonempty])
        out[nonempty] = sums
    with np.errstate(over="ignore"):
        out ^= lengths.astype(np.uint64) * _NULL
    return _mix(out)


def hash_array(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """64-bit hashes of the non-null values, in order."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    arr = arr.drop_null()
    if len(arr) == 0:
        return np.empty(0, dtype=np.uint64)
    return _hash_no_nulls(arr)


def _hash_no_nulls(arr: pa.Array) -> np.ndarray:
    t = arr.type
    if pa.types.is_boolean(t):
        return _mix(np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.uint64) + 1)
    if pa.types.is_integer(t) or (pa.types.is_temporal(t) and t.bit_width in (32, 64)):
        width = t.bit_width
        raw = arr.cast(pa.int64()) if pa.types.is_integer(t) and width < 64 else arr
        if pa.types.is_temporal(t):
            raw = arr.view(pa.int64() if width == 64 else pa.int32()).cast(pa.int64())
        elif pa.types.is_unsigned_integer(t) and width == 64:
            raw = arr.view(pa.int64())
        return _mix(np.asarray(raw.to_numpy(zero_copy_only=False)).view(np.uint64))
    if pa.types.is_floating(t):
        f = np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False))
        f = np.where(f == 0.0, 0.0, f)  # -0.0 and 0.0 are one value
        return _mix(f.view(np.uint64))
    if (
        pa.types.is_string(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_string(t)
        or pa.types.is_large_binary(t)
    ):
        return _bytes_hash(arr)
    if pa.types.is_fixed_size_binary(t):
        return _bytes_hash(arr.cast(pa.binary()))
    try:
        return _bytes_hash(pc.cast(arr, pa.string()))
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        import json

        text = [json.dumps(v, default=str, sort_keys=True) for v in arr.to_pylist()]
        return _bytes_hash(pa.array(text, pa.string()))


def hash_rows(batch: pa.RecordBatch, hashed: list[np.ndarray] | None = None) -> np.ndarray:
    """One hash per row over all columns (NULL is a value of its own). ``hashed``: each
    column's ``hash_array`` when the caller has them already (each column hashed once)."""
    out = np.zeros(batch.num_rows, dtype=np.uint64)
    for k, col in enumerate(batch.columns):
        arr = col.dictionary_decode() if pa.types.is_dictionary(col.type) else col
        h = np.full(batch.num_rows, _NULL, dtype=np.uint64)
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if valid.any():
            h[valid] = (
                hashed[k] if hashed is not None else _hash_no_nulls(arr.filter(pa.array(valid)))
            )
        with np.errstate(over="ignore"):
            out = _mix(out * _MULT + h)
    return out
