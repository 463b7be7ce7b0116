"""Stable 64-bit hashes of Arrow values, vectorised with NumPy (no per-value Python).

* fixed-width values (integers, floats, dates, timestamps, booleans): their 64-bit pattern
  through splitmix64's finaliser;
* strings and binary: the bytes as zero-padded little-endian 64-bit words, each word mixed
  with its position's salt, summed modulo 2^64, then mixed with the length and finalised —
  for all values of a batch at once, from the Arrow offsets;
* anything else (decimals, nested values): cast to text first.

Stable across processes and machines (checkpointed sketches are merged later), not keyed:
this is for counting distinct values, not for hiding them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SCHEME = "np-word64-splitmix-v2"
_MULT = np.uint64(0x100000001B3)  # FNV-64 prime: combines the columns of a row
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


_SHORT = 128  # values up to this many bytes are laid out in a padded matrix, row per value


def _salts(n: int) -> np.ndarray:
    """One salt per word position, so "abcdefgh12345678" != "12345678abcdefgh"."""
    return _mix(np.arange(1, n + 1, dtype=np.uint64) * _NULL)


def _words_hash(words: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Σ mix(word_k ^ salt_k) over each row of a (values × words) matrix; ``active``: which
    words belong to the value."""
    out = np.zeros(words.shape[0], dtype=np.uint64)
    salts = _salts(words.shape[1])
    with np.errstate(over="ignore"):
        for k in range(words.shape[1]):
            out += np.where(active[:, k], _mix(words[:, k] ^ salts[k]), np.uint64(0))
    return out


def _short_hash(data: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Values of at most ``_SHORT`` bytes: one zero-padded row each (boolean assignment fills
    the True cells in row order, i.e. the values' bytes in order), read as little-endian
    64-bit words."""
    width = max(8, -(-int(lengths.max()) // 8) * 8)
    cols = np.arange(width)
    mat = np.zeros((len(lengths), width), dtype=np.uint8)
    mat[cols < lengths[:, None]] = data
    words = mat.view("<u8")
    return _words_hash(words, (cols[::8] < lengths[:, None]))


def _long_hash(data: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Any lengths: the values' bytes scattered into one zero-padded word stream, then summed
    per value (``np.add.reduceat``); the same function as ``_short_hash``."""
    nwords = -(-lengths // 8)
    wstart = np.concatenate(([0], np.cumsum(nwords)[:-1])).astype(np.int64)
    bstart = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    buf = np.zeros(int(nwords.sum()) * 8, dtype=np.uint8)
    buf[np.arange(data.size, dtype=np.int64) + np.repeat(wstart * 8 - bstart, lengths)] = data
    words = buf.view("<u8")
    pos = np.arange(words.size, dtype=np.int64) - np.repeat(wstart, nwords)
    with np.errstate(over="ignore"):
        contrib = _mix(words ^ _salts(int(nwords.max()))[pos])
    out = np.zeros(len(lengths), dtype=np.uint64)
    nonempty = nwords > 0
    if nonempty.any():
        out[nonempty] = np.add.reduceat(contrib, wstart[nonempty])
    return out


def _bytes_hash(arr: pa.Array) -> np.ndarray:
    """Hashes of a string/binary array without nulls: each value's bytes, zero-padded to
    whole 64-bit words, hashed per word with its position's salt and summed, then mixed with
    the length. Per word, not per byte: 8× fewer NumPy elements than a byte polynomial (the
    hot spot of a stream profile, py-spy); the value's hash does not depend on its batch."""
    if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type):
        arr = arr.cast(pa.large_binary())
        otype: type = np.int64
    else:
        arr = arr.cast(pa.binary())
        otype = np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=otype)[arr.offset : arr.offset + len(arr) + 1]
    offsets = offsets.astype(np.int64)
    data = np.frombuffer(arr.buffers()[2] or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    lengths = np.diff(offsets)
    out = np.zeros(len(arr), dtype=np.uint64)
    if data.size:
        # a batch holding a long value goes through the word stream (a matrix would be wide)
        short = int(lengths.max()) <= _SHORT
        out = _short_hash(data, lengths) if short else _long_hash(data, lengths)
    with np.errstate(over="ignore"):
        out ^= lengths.astype(np.uint64) * _NULL
    return _mix(out)


def hash_array(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """64-bit hashes of the non-null values, in order."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if arr.null_count and len(arr) > arr.null_count and _is_bytes(arr.type):
        # Hash every slot through the offsets and keep the valid ones: drop_null would copy
        # all the bytes first (a null slot's bytes, whatever they are, are thrown away).
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        return _bytes_hash(arr)[valid]
    arr = arr.drop_null()
    if len(arr) == 0:
        return np.empty(0, dtype=np.uint64)
    return _hash_no_nulls(arr)


def _is_bytes(t: pa.DataType) -> bool:
    return (
        pa.types.is_string(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_string(t)
        or pa.types.is_large_binary(t)
    )


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
    if _is_bytes(t):
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
