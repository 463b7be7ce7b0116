"""A vectorised, mergeable HyperLogLog over 64-bit hashes, with Ertl's improved estimator.

Why not ``datasketches.hll_sketch``: its Python binding (5.2) updates one value per call.
Measured on 50k e-mail strings (2 shared cores): the per-value loop took 8.9 ms, while
hashing the whole Arrow array at once (``arrow_hash``, NumPy over the Arrow buffers) plus a
NumPy register update takes a few milliseconds — and a 5M-row, 13-column profile does that
1,300 times. The registers are the same
as HLL_8's; the estimator (Ertl 2017, "New cardinality estimation algorithms for HyperLogLog
sketches", no empirical bias tables) is unbiased from 0 to far beyond 10^9.

Precision ``p = 16``: 65,536 one-byte registers, relative standard error 1.04/sqrt(2^16) ≈
0.41 %, so 2 % is about five standard errors. Merge = element-wise max.
"""

from __future__ import annotations

import base64
import math
import zlib

import numpy as np
import pyarrow as pa

from dte_desktop.core.profiling import arrow_hash

P = 16
Q = 64 - P
M = 1 << P
SEED = 0x5DEECE66D
HASH_SCHEME = f"{arrow_hash.SCHEME}-seed{SEED}"  # checkpoints from another scheme are redone


def hash_values(values: pa.Array | pa.ChunkedArray | pa.RecordBatch) -> np.ndarray:
    """64-bit hashes of the non-null values (of each row, for a batch)."""
    if isinstance(values, pa.RecordBatch):
        return arrow_hash.hash_rows(values)
    return arrow_hash.hash_array(values)


class HyperLogLog:
    def __init__(self, registers: np.ndarray | None = None) -> None:
        self.registers = np.zeros(M, dtype=np.uint8) if registers is None else registers

    def update_hashes(self, h: np.ndarray) -> None:
        if h.size == 0:
            return
        h = h.astype(np.uint64, copy=False)
        idx = (h >> np.uint64(Q)).astype(np.int64)
        w = (h & np.uint64((1 << Q) - 1)).astype(np.float64)  # exact: Q = 48 < 53 bits
        _, exp = np.frexp(w)  # w = m * 2**exp, exp = bit length of w (0 for w == 0)
        rho = (Q - exp + 1).astype(np.uint8)
        np.maximum.at(self.registers, idx, rho)

    def update(self, values: pa.Array | pa.ChunkedArray) -> None:
        self.update_hashes(hash_values(values))

    def merge(self, other: HyperLogLog) -> None:
        np.maximum(self.registers, other.registers, out=self.registers)

    def estimate(self) -> float:
        counts = np.bincount(self.registers, minlength=Q + 2).astype(np.float64)
        m = float(M)
        z = m * _tau(1.0 - counts[Q + 1] / m)
        for k in range(Q, 0, -1):
            z = 0.5 * (z + counts[k])
        z += m * _sigma(counts[0] / m)
        if z == 0 or math.isinf(z):
            return 0.0
        return (m * m / (2.0 * math.log(2.0))) / z

    def serialize(self) -> str:
        return base64.b64encode(zlib.compress(self.registers.tobytes(), 6)).decode("ascii")

    @classmethod
    def deserialize(cls, text: str) -> HyperLogLog:
        raw = zlib.decompress(base64.b64decode(text))
        return cls(np.frombuffer(raw, dtype=np.uint8).copy())


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        z_old = z
        z += x * y
        y += y
        if z == z_old:
            return z


def _tau(x: float) -> float:
    if x == 0.0 or x == 1.0:
        return 0.0
    y, z = 1.0, 1.0 - x
    while True:
        x = math.sqrt(x)
        z_old = z
        y *= 0.5
        z -= (1.0 - x) ** 2 * y
        if z == z_old:
            return z / 3.0
