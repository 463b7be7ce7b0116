"""Keyed, deterministic, format-preserving tokenization, vectorised over many values.

Construction ("three chained passes")
-------------------------------------
Each character is a *symbol* of an alphabet (``_alphabets``: ASCII digits ``Z_10``, ASCII
lower- and upper-case letters ``Z_26``, and for other code points the letters, digits or
symbols of the same kind in their 256-code-point block); everything else is a separator and
is copied through. Three passes
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
* Non-ASCII letters, digits and symbols (emoji) are permuted within their own alphabet, so
  ``José`` and ``Josz`` get different tokens and an emoji does not pass through. Marks
  (combining accents), punctuation, spaces and a code point alone in its alphabet are
  copied.
* A value with a single symbol (``"7"``, ``"A."``) is not put through the chain, which would
  only add a constant to it (one known pair would reveal every other): it goes through a
  keyed shuffle of its alphabet, so a known pair reveals that pair only. The domain is
  still tiny (10 digits, 26 letters): mask such a column with ``redact`` where that matters.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from dte_desktop.core.privacy import _alphabets

_RADIX = _alphabets.RADIX
SCALAR_BELOW = 8  # groups smaller than this take the scalar path (same result)
_PART_SYMBOLS = 1 << 19  # symbols per vectorised part: a few MB per (n, length) matrix
_MASK64 = (1 << 64) - 1


def derive_key(site_key: bytes, purpose: str) -> bytes:
    """One site key, independent sub-keys per use, so a hash never equals a token stream."""
    return hmac.new(site_key, b"dte-desktop/v1/" + purpose.encode(), hashlib.sha256).digest()


class Tokenizer:
    """Holds the three pass keys derived from the site key and a tweak."""

    def __init__(self, site_key: bytes, tweak: str = "") -> None:
        base = derive_key(site_key, "tokenize")
        tweak_bytes = tweak.encode("utf-8")
        self._keys = [
            hmac.new(base, bytes([p]) + tweak_bytes, hashlib.sha256).digest() for p in (1, 2, 3)
        ]
        self._shuffle_key = hmac.new(base, b"\x04" + tweak_bytes, hashlib.sha256).digest()
        self._perms: dict[tuple[int, int, int], np.ndarray] = {}

    def tokenize(self, value: str) -> str:
        return self.tokenize_many([value])[0]

    def tokenize_many(self, values: Sequence[str]) -> list[str]:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        lens = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        order = np.argsort(lens, kind="stable")  # each length's values in their order
        cuts = np.flatnonzero(np.diff(lens[order])) + 1
        for same in np.split(order, cuts):
            length = int(lens[same[0]]) if same.size else 0
            if length == 0:
                continue
            # Bounded matrices (memory), each part still past SCALAR_BELOW (same path).
            parts = max(1, min(same.size * length // _PART_SYMBOLS, same.size // SCALAR_BELOW))
            for idx in np.array_split(same, parts):
                out[idx] = self._group(values, idx, length)
        return out.tolist()

    def _group(self, values: Sequence[str], idx: np.ndarray, length: int) -> list[str]:
        group = [values[i] for i in idx.tolist()]
        cps = np.frombuffer("".join(group).encode("utf-32-le"), dtype=np.uint32)
        cps = cps.reshape(len(group), length).astype(np.uint64)
        cls, val = _alphabets.classify(cps)
        small = len(group) < SCALAR_BELOW
        single = (cls > 0).sum(axis=1) == 1
        val = self._scalar(cls, val) if small else self._vector(cls, val)
        if single.any():
            self._permute_single(cls, val, single)
        new = _alphabets.code_points(cls, val, cps).astype(np.uint32)
        return _texts(new, length)

    def tokenize_digits(self, digits: np.ndarray) -> np.ndarray:
        """``tokenize_many`` of equal-length ASCII digit strings, given and returned as an
        (n, length) matrix of digit values: the same arithmetic without building strings."""
        val = np.ascontiguousarray(digits, dtype=np.uint64)
        if val.size == 0:
            return val
        cls = np.ones_like(val)  # class 1: ASCII digits
        out = self._scalar(cls, val) if len(val) < SCALAR_BELOW else self._vector(cls, val)
        if val.shape[1] == 1:  # a lone symbol: the keyed shuffle, as tokenize_many does
            self._permute_single(cls, out, np.ones(len(val), dtype=bool))
        return out

    # -- values with one symbol: a keyed permutation of its alphabet -------------------
    def _permute_single(self, cls: np.ndarray, val: np.ndarray, rows: np.ndarray) -> None:
        """The chain adds a constant to a lone symbol (``1 -> 8, 2 -> 9 …``: one known pair
        would reveal the column); a keyed shuffle of the symbol's alphabet, one per length,
        position and class, reveals nothing beyond the pairs known."""
        for r in np.nonzero(rows)[0]:
            pos = int(np.nonzero(cls[r])[0][0])
            c = int(cls[r, pos])
            val[r, pos] = self._perm(cls.shape[1], pos, c)[int(val[r, pos])]

    def _perm(self, length: int, pos: int, c: int) -> np.ndarray:
        key = (length, pos, c)
        perm = self._perms.get(key)
        if perm is None:
            radix = int(_RADIX[c])
            seed = hmac.new(self._shuffle_key, f"{length}:{pos}:{c}".encode(), hashlib.sha256)
            stream = hashlib.shake_256(seed.digest()).digest(8 * radix)
            perm = np.arange(radix, dtype=np.uint64)
            for i in range(radix - 1, 0, -1):  # Fisher-Yates on 64-bit draws (bias < 2^-56)
                j = int.from_bytes(stream[8 * i : 8 * i + 8], "little") % (i + 1)
                perm[i], perm[j] = perm[j], perm[i]
            self._perms[key] = perm
        return perm

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
        ascii_cls = np.where(cls < _alphabets.FIRST_WIDE, cls, 0).astype(np.uint64)
        state = np.zeros((n, 2), dtype=np.uint64)
        state[:, 0] = np.uint64(length)
        state[:, 1] = np.uint64(0xD7E)
        for j in range(0, length, 32):
            y = np.frombuffer(enc.update(state.tobytes()), dtype=np.uint64).reshape(n, 2)
            block = ascii_cls[:, j : j + 32]
            shifts = np.uint64(2) * np.arange(block.shape[1], dtype=np.uint64)
            word = np.bitwise_or.reduce(block << shifts, axis=1)  # 2 bits a position
            state = y.copy()
            state[:, 0] ^= word
            state[:, 1] ^= np.uint64(j // 32 + 1) << np.uint64(32)
        wide = cls >= _alphabets.FIRST_WIDE
        rows = wide.any(axis=1)
        if rows.any():
            # Non-ASCII classes: their ids, 16 bits a position, absorbed after the ASCII
            # layout (pure-ASCII values skip this, so their tokens are as before).
            ids = np.where(wide, cls - np.uint64(_alphabets.FIRST_WIDE - 1), 0)
            for j in range(0, length, 4):
                y = np.frombuffer(enc.update(state.tobytes()), dtype=np.uint64).reshape(n, 2)
                word = np.zeros(n, dtype=np.uint64)
                for t, col in enumerate(range(j, min(j + 4, length))):
                    word |= ids[:, col] << np.uint64(16 * t)
                new = y.copy()
                new[:, 0] ^= word
                new[:, 1] ^= np.uint64(j // 4 + 1) << np.uint64(48)
                state = np.where(rows[:, None], new, state)
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
                word |= (c[col] if c[col] < 4 else 0) << (2 * t)
            s0 = int.from_bytes(y[:8], "little") ^ word
            s1 = int.from_bytes(y[8:], "little") ^ (((j // 32) + 1) << 32 & _MASK64)
        first = _alphabets.FIRST_WIDE
        if any(x >= first for x in c):
            ids = [x - (first - 1) if x >= first else 0 for x in c]
            for j in range(0, length, 4):
                y = enc.update(s0.to_bytes(8, "little") + s1.to_bytes(8, "little"))
                word = 0
                for t, col in enumerate(range(j, min(j + 4, length))):
                    word |= ids[col] << (16 * t)
                s0 = int.from_bytes(y[:8], "little") ^ word
                s1 = int.from_bytes(y[8:], "little") ^ (((j // 4) + 1) << 48 & _MASK64)
        return s0, s1


def _texts(cps: np.ndarray, length: int) -> list[str]:
    """Rows of code points as strings: NumPy's fixed-width unicode strips trailing NULs,
    so a row ending in U+0000 goes through the plain decode."""
    if cps[:, -1].all():
        return np.ascontiguousarray(cps).view(f"<U{length}").ravel().tolist()
    text = cps.tobytes().decode("utf-32-le")
    return [text[k * length : (k + 1) * length] for k in range(len(cps))]
