"""Keyed, deterministic, format-preserving tokenization, vectorised over many values.

Construction ("three chained passes")
-------------------------------------
Each character is a *symbol*: ASCII digits are ``Z_10``, ASCII lower- and upper-case letters
are ``Z_26``; every other character is a separator and is copied through. Three passes
over the symbols each add a keystream value, modulo the symbol's radix:

* pass 1, left to right:  ``b[i] = x[i] + F1(x[0..i-1])``
* pass 2, right to left:  ``c[i] = b[i] + F2(b[i+1..n-1])``
* pass 3, left to right:  ``d[i] = c[i] + F3(c[0..i-1])``

``Fk`` is a CBC-MAC chain of AES-256 under the pass key: the state starts from the value's
length and character-class layout, the keystream at a position is the low 64 bits of
``AES(state)`` (mod the radix), and the state then absorbs the position's input symbol
(``state' = AES(state) xor (radix, symbol, position)``). Each pass is therefore a bijection
on a fixed layout (undo it in the same order with the key), so two different ASCII values
with the same layout never get the same token: joins on tokenized keys stay exact.

Why AES and not a hash per character: every value of one length is processed together,
one AES-ECB call (in C, AES-NI) per position over all of them, so a column of 100,000
distinct values costs milliseconds per position instead of a Python call per character.
A small group takes a scalar path with the very same arithmetic (tested to agree).

Why three passes: after pass 1 alone, equal prefixes give equal token prefixes; after two
passes, two values differing only in the last symbol would have token difference equal to
the plaintext difference in that symbol. With the third pass every output symbol depends on
every input symbol.

Limits, stated plainly
----------------------
* This is not NIST FF1/FF3-1 and has no published security proof; it is a conservative
  construction from a standard block cipher, meant for masking previews and exports, not
  for protecting data at rest against a cryptanalyst.
* Deterministic by design: equal values give equal tokens, so frequencies and equality
  are visible, and length, character classes and separator positions are kept.
* Small domains stay small: a 4-digit value has 10,000 possible tokens. Anyone able to run
  the tokenizer with the site key on chosen inputs can tabulate a small domain (this is true
  of every deterministic keyed mask, HMAC included). Use ``hash`` or ``redact`` for columns
  where that matters.
* Non-ASCII digits and letters are folded into the ASCII classes (a Unicode digit becomes a
  digit, a cased letter keeps its case, a caseless letter becomes lower case); that folding
  is many-to-one, so for non-ASCII input distinct values may share a token.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BASE = {1: 48, 2: 97, 3: 65}  # "0", "a", "A"
_RADIX = np.array([0, 10, 26, 26], dtype=np.uint64)
SCALAR_BELOW = 8  # groups smaller than this take the scalar path (same result)
_MASK64 = (1 << 64) - 1


def derive_key(site_key: bytes, purpose: str) -> bytes:
    """One site key, independent sub-keys per use, so a hash never equals a token stream."""
    return hmac.new(site_key, b"dte-desktop/v1/" + purpose.encode(), hashlib.sha256).digest()


def _symbol_of(cp: int) -> tuple[int, int]:
    """(class, value) of a code point; class 0 = separator."""
    if 48 <= cp <= 57:
        return 1, cp - 48
    if 97 <= cp <= 122:
        return 2, cp - 97
    if 65 <= cp <= 90:
        return 3, cp - 65
    ch = chr(cp)
    if ch.isdigit():
        return 1, cp % 10
    if ch.isalpha():
        return (3 if ch.isupper() else 2), cp % 26
    return 0, 0


def _classify(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ``_symbol_of``: ASCII by ranges, the rare non-ASCII code points one by one."""
    cls = np.zeros(cps.shape, dtype=np.uint64)
    val = np.zeros(cps.shape, dtype=np.uint64)
    for c, lo, hi in ((1, 48, 57), (2, 97, 122), (3, 65, 90)):
        hit = (cps >= lo) & (cps <= hi)
        cls[hit] = c
        val[hit] = cps[hit] - lo
    wide = cps > 127
    if wide.any():
        for cp in np.unique(cps[wide]).tolist():
            c, v = _symbol_of(int(cp))
            at = cps == cp
            cls[at], val[at] = c, v
    return cls, val


class Tokenizer:
    """Holds the three pass keys derived from the site key and a tweak."""

    def __init__(self, site_key: bytes, tweak: str = "") -> None:
        base = derive_key(site_key, "tokenize")
        tweak_bytes = tweak.encode("utf-8")
        self._keys = [
            hmac.new(base, bytes([p]) + tweak_bytes, hashlib.sha256).digest() for p in (1, 2, 3)
        ]

    def tokenize(self, value: str) -> str:
        return self.tokenize_many([value])[0]

    def tokenize_many(self, values: Sequence[str]) -> list[str]:
        out: list[str] = list(values)
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, v in enumerate(values):
            if v:
                by_length[len(v)].append(i)
        for length, idx in by_length.items():
            group = [values[i] for i in idx]
            cps = np.frombuffer("".join(group).encode("utf-32-le"), dtype=np.uint32)
            cps = cps.reshape(len(group), length).astype(np.uint64)
            cls, val = _classify(cps)
            small = len(group) < SCALAR_BELOW
            val = self._scalar(cls, val) if small else self._vector(cls, val)
            base = np.choose(cls.astype(np.intp), [0, 48, 97, 65]).astype(np.uint64)
            new = np.where(cls > 0, base + val, cps).astype(np.uint32)
            text = new.tobytes().decode("utf-32-le")
            for k, i in enumerate(idx):
                out[i] = text[k * length : (k + 1) * length]
        return out

    # -- the vectorised chain: all values of one length at once ------------------------
    def _vector(self, cls: np.ndarray, val: np.ndarray) -> np.ndarray:
        n, length = cls.shape
        # Positions as contiguous rows: every step below reads one position of all values.
        radix = np.ascontiguousarray(_RADIX[cls.astype(np.intp)].T)
        safe = np.maximum(radix, 1)
        live = radix > 0
        absorb = radix * np.uint64(256)
        vals = np.ascontiguousarray(val.T)
        orders = (range(length), range(length - 1, -1, -1), range(length))
        for key, order in zip(self._keys, orders, strict=True):
            enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 - a PRF
            state = self._header_vector(enc, cls)
            new = np.zeros_like(vals)
            for i in order:
                y = np.frombuffer(enc.update(state.tobytes()), dtype=np.uint64).reshape(n, 2)
                row = vals[i]
                np.remainder(row + y[:, 0] % safe[i], safe[i], out=new[i])
                new[i][~live[i]] = 0
                state = y.copy()
                state[:, 0] ^= absorb[i] + row
                state[:, 1] ^= np.uint64(i + 1)
            vals = new
        return vals.T

    @staticmethod
    def _header_vector(enc, cls: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
        """State from the length and the class layout, 32 positions (2 bits each) a block."""
        n, length = cls.shape
        state = np.zeros((n, 2), dtype=np.uint64)
        state[:, 0] = np.uint64(length)
        state[:, 1] = np.uint64(0xD7E)
        for j in range(0, length, 32):
            y = np.frombuffer(enc.update(state.tobytes()), dtype=np.uint64).reshape(n, 2)
            word = np.zeros(n, dtype=np.uint64)
            for t, col in enumerate(range(j, min(j + 32, length))):
                word |= cls[:, col] << np.uint64(2 * t)
            state = y.copy()
            state[:, 0] ^= word
            state[:, 1] ^= np.uint64(j // 32 + 1) << np.uint64(32)
        return state

    # -- the same chain, one value at a time (small groups, very long values) ------------
    def _scalar(self, cls: np.ndarray, val: np.ndarray) -> np.ndarray:
        out = val.copy()
        n, length = cls.shape
        for row in range(n):
            c = [int(x) for x in cls[row]]
            v = [int(x) for x in val[row]]
            orders = (range(length), range(length - 1, -1, -1), range(length))
            for key, order in zip(self._keys, orders, strict=True):
                enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
                s0, s1 = self._header_scalar(enc, c)
                new = v[:]
                for i in order:
                    y = enc.update(s0.to_bytes(8, "little") + s1.to_bytes(8, "little"))
                    y0 = int.from_bytes(y[:8], "little")
                    y1 = int.from_bytes(y[8:], "little")
                    r = int(_RADIX[c[i]])
                    new[i] = (v[i] + y0 % r) % r if r else 0
                    s0 = y0 ^ (r * 256 + v[i])
                    s1 = y1 ^ (i + 1)
                v = new
            out[row] = v
        return out

    @staticmethod
    def _header_scalar(enc, c: list[int]) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        length = len(c)
        s0, s1 = length, 0xD7E
        for j in range(0, length, 32):
            y = enc.update(s0.to_bytes(8, "little") + s1.to_bytes(8, "little"))
            word = 0
            for t, col in enumerate(range(j, min(j + 32, length))):
                word |= c[col] << (2 * t)
            s0 = int.from_bytes(y[:8], "little") ^ word
            s1 = int.from_bytes(y[8:], "little") ^ (((j // 32) + 1) << 32 & _MASK64)
        return s0, s1
