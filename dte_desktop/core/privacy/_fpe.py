"""Keyed, deterministic, format-preserving tokenization of one string.

Construction ("three chained passes")
-------------------------------------
Each character is a *symbol*: ASCII digits are ``Z_10``, ASCII lower- and upper-case letters
are ``Z_26``; every other character is a separator and is copied through. Three passes
over the symbols each add a keystream value, modulo the symbol's radix:

* pass 1, left to right:  ``b[i] = x[i] + F1(x[0..i-1])``
* pass 2, right to left:  ``c[i] = b[i] + F2(b[i+1..n-1])``
* pass 3, left to right:  ``d[i] = c[i] + F3(c[0..i-1])``

``Fk`` is keyed BLAKE2b (a PRF) over a header (tweak, length, the character-class layout)
and the chained symbols so far, kept as a running hash state so a 100k-character value costs
O(n), not O(n^2). Each pass is a bijection on a fixed layout (it can be undone left to right
or right to left with the key), so two different ASCII values with the same layout never
get the same token: joins on tokenized keys stay exact.

Why three passes: after pass 1 alone, equal prefixes give equal token prefixes; after two
passes, two values differing only in the last symbol would have token difference equal to
the plaintext difference in that symbol. With the third pass every output symbol depends on
every input symbol.

Limits, stated plainly
----------------------
* This is not NIST FF1/FF3-1 and has no published security proof; it is a conservative
  construction from a standard PRF, meant for masking previews and exports, not for
  protecting data at rest against a cryptanalyst.
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

_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()
_ALPHABETS = {1: _DIGITS, 2: _LOWER, 3: _UPPER}
_ASCII = {c: (1, i) for i, c in enumerate(_DIGITS)}
_ASCII.update({c: (2, i) for i, c in enumerate(_LOWER)})
_ASCII.update({c: (3, i) for i, c in enumerate(_UPPER)})
_RADIX = {1: 10, 2: 26, 3: 26}


def derive_key(site_key: bytes, purpose: str) -> bytes:
    """One site key, independent sub-keys per use, so a hash never equals a token stream."""
    return hmac.new(site_key, b"dte-desktop/v1/" + purpose.encode(), hashlib.sha256).digest()


def _symbol(ch: str) -> tuple[int, int] | None:
    found = _ASCII.get(ch)
    if found is not None:
        return found
    if ch.isdigit():
        return 1, ord(ch) % 10
    if ch.isalpha():
        return (3 if ch.isupper() else 2), ord(ch) % 26
    return None


class Tokenizer:
    """Holds the three pass keys derived from the site key and a tweak."""

    def __init__(self, site_key: bytes, tweak: str = "") -> None:
        base = derive_key(site_key, "tokenize")
        tweak_bytes = tweak.encode("utf-8")
        self._keys = [
            hmac.new(base, bytes([p]) + tweak_bytes, hashlib.sha256).digest() for p in (1, 2, 3)
        ]

    def tokenize(self, value: str) -> str:
        symbols = [_symbol(ch) for ch in value]
        if not any(symbols):
            return value
        layout = "".join("." if s is None else "dlu"[s[0] - 1] for s in symbols)
        header = f"{len(value)}:{layout}".encode()
        radix = [0 if s is None else _RADIX[s[0]] for s in symbols]
        vals = [0 if s is None else s[1] for s in symbols]
        n = len(vals)
        vals = self._pass(vals, radix, self._keys[0], header, range(n))
        vals = self._pass(vals, radix, self._keys[1], header, range(n - 1, -1, -1))
        vals = self._pass(vals, radix, self._keys[2], header, range(n))
        out = list(value)
        for i, s in enumerate(symbols):
            if s is not None:
                out[i] = _ALPHABETS[s[0]][vals[i]]
        return "".join(out)

    @staticmethod
    def _pass(
        vals: list[int], radix: list[int], key: bytes, header: bytes, order: range
    ) -> list[int]:
        state = hashlib.blake2b(header, key=key, digest_size=8)
        out = vals[:]
        for i in order:
            r = radix[i]
            if r:
                ks = int.from_bytes(state.copy().digest(), "big") % r
                out[i] = (vals[i] + ks) % r
                # Chain on the input of this pass, so the pass stays invertible.
                state.update(bytes((r, vals[i])))
            else:
                state.update(b"\x00")
        return out
