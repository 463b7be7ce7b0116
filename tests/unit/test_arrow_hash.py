"""The stable value hashes behind the stream profile's distinct counts (``arrow_hash``).

A value's hash must not depend on the batch it arrives in (checkpointed sketches of other
batches and partitions are merged), on the path that computed it (short values in a padded
matrix, long ones in a word stream), nor on Arrow's offsets (sliced arrays)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from dte_desktop.core.profiling import arrow_hash
from dte_desktop.core.profiling.arrow_hash import hash_array

VALUES = ["", "a", "a\x00", "ab", "ba", "abcdefgh", "abcdefgh\x00", "abcdefgh1", "1abcdefgh",
          "abcdefgh12345678", "12345678abcdefgh", "Zoë Ångström", "東京都", "x" * 127,
          "x" * 128, "x" * 129, "y" * 5000, "user12@example.com", "123-45-6789"]  # fmt: skip


def _one_by_one(values: list[str]) -> list[int]:
    return [int(hash_array(pa.array([v]))[0]) for v in values]


def test_a_value_hashes_alike_alone_in_any_batch_and_on_either_path() -> None:
    alone = _one_by_one(VALUES)
    assert len(set(alone)) == len(VALUES)  # distinct values, distinct hashes
    together = hash_array(pa.array(VALUES)).tolist()  # holds long values: the word stream
    assert together == alone
    short = [v for v in VALUES if len(v.encode()) <= arrow_hash._SHORT]
    assert hash_array(pa.array(short)).tolist() == [a for v, a in zip(VALUES, alone, strict=True)
                                                   if v in short]  # fmt: skip
    sliced = pa.array(["pad", *VALUES, "pad"]).slice(1, len(VALUES))
    assert hash_array(sliced).tolist() == alone
    assert hash_array(pa.array(VALUES, pa.large_string())).tolist() == alone
    assert hash_array(pa.array([v.encode() for v in VALUES], pa.binary())).tolist() == alone


def test_both_paths_agree_on_random_bytes() -> None:
    rng = np.random.default_rng(3)
    lengths = rng.integers(0, 200, 2_000)
    data = rng.integers(0, 256, int(lengths.sum()), dtype=np.uint8)
    short = lengths <= arrow_hash._SHORT
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    vals = [data[offsets[i] : offsets[i + 1]].tobytes() for i in range(len(lengths))]
    stream = arrow_hash._long_hash(data, lengths)
    picked = [v for v, s in zip(vals, short, strict=True) if s]
    sub = np.frombuffer(b"".join(picked), dtype=np.uint8)
    matrix = arrow_hash._short_hash(sub, lengths[short])
    assert np.array_equal(matrix, stream[short])
    hashes = hash_array(pa.array(vals, pa.binary()))
    assert len(set(hashes.tolist())) == len(set(vals))  # no collision among 2,000 values


def test_nulls_are_left_out_whatever_their_slots_hold() -> None:
    """Hashes of an array with nulls are the hashes of its valid values, in order — also
    when a null slot spans bytes (Arrow allows it; a filtered or hand-built array may)."""
    import pyarrow.compute as pc

    values = ["ab", None, "", "Zoë", None, "x" * 300]
    want = hash_array(pa.array([v for v in values if v is not None])).tolist()
    assert hash_array(pa.array(values)).tolist() == want
    offsets = pa.array([0, 2, 9, 9, 13, 20, 320], pa.int32())  # the null slots span 7 bytes
    data = b"ab" + b"garbage" + "Zoë".encode() + b"garbage" + b"x" * 300
    validity = pc.invert(pa.array([False, True, False, False, True, False])).buffers()[1]
    spanned = pa.StringArray.from_buffers(6, offsets.buffers()[1], pa.py_buffer(data), validity)
    assert spanned.to_pylist() == values
    assert hash_array(spanned).tolist() == want
    chunked = pa.chunked_array([spanned.slice(0, 3), spanned.slice(3)])
    assert hash_array(chunked).tolist() == want
