"""The alphabets the tokenizer permutes within: which code points are *symbols* (tokenized)
and which are separators (copied through), and the radix of each symbol's class.

* ASCII digits (class 1, radix 10), lower-case (2, radix 26) and upper-case letters (3,
  radix 26): as before, so ASCII tokens are unchanged.
* Every other code point belongs to the class of its 256-code-point block and its kind:
  upper-case letters, lower-case letters, other letters (CJK, Hangul, Arabic, …), decimal
  digits, other numerals, symbols (emoji among them). A class's members are the code
  points of that block and kind, so ``é`` becomes another lower-case Latin letter of its
  block and ``😀`` another emoji: distinct values keep distinct tokens (no folding), and
  no symbol passes through unchanged. A code point alone in its class (radix 1), marks,
  punctuation, spaces, controls and unassigned code points are separators.

Block tables are built on first use of a block (``unicodedata``, 256 look-ups) and kept.
"""

from __future__ import annotations

import threading
import unicodedata

import numpy as np

_KINDS = {"Lu": 0, "Ll": 1, "Lt": 2, "Lm": 2, "Lo": 2, "Nd": 3, "Nl": 4, "No": 4}
_KINDS.update({"So": 5, "Sk": 5, "Sm": 5, "Sc": 5})
FIRST_WIDE = 4
N_CLASSES = FIRST_WIDE + (0x110000 >> 8) * 8

#: Radix of each class (0: not a symbol class, or not yet seen).
RADIX = np.zeros(N_CLASSES, dtype=np.uint64)
RADIX[1], RADIX[2], RADIX[3] = 10, 26, 26
_ASCII_BASE = {1: 48, 2: 97, 3: 65}

_lock = threading.Lock()
_blocks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_members: dict[int, np.ndarray] = {}


def _block(block: int) -> tuple[np.ndarray, np.ndarray]:
    """(class, rank) of each of the block's 256 code points."""
    table = _blocks.get(block)
    if table is not None:
        return table
    with _lock:
        if block in _blocks:
            return _blocks[block]
        cls = np.zeros(256, dtype=np.uint64)
        rank = np.zeros(256, dtype=np.uint64)
        groups: dict[int, list[int]] = {}
        for i in range(256):
            cp = (block << 8) | i
            if cp < 128 or 0xD800 <= cp <= 0xDFFF:
                continue
            kind = _KINDS.get(unicodedata.category(chr(cp)))
            if kind is not None:
                groups.setdefault(kind, []).append(i)
        for kind, members in groups.items():
            if len(members) < 2:
                continue  # a class of one cannot hide anything: a separator
            cid = FIRST_WIDE + block * 8 + kind
            idx = np.array(members)
            cls[idx] = cid
            rank[idx] = np.arange(len(members), dtype=np.uint64)
            RADIX[cid] = len(members)
            _members[cid] = ((block << 8) | idx).astype(np.uint64)
        _blocks[block] = (cls, rank)
        return cls, rank


_ASCII_CLS = np.zeros(128, dtype=np.uint64)
_ASCII_VAL = np.zeros(128, dtype=np.uint64)
for _c, _lo, _hi in ((1, 48, 57), (2, 97, 122), (3, 65, 90)):
    _ASCII_CLS[_lo : _hi + 1] = _c
    _ASCII_VAL[_lo : _hi + 1] = np.arange(_hi - _lo + 1, dtype=np.uint64)


def classify(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(class, value) of each code point; class 0 = separator."""
    wide = cps > 127
    ascii_cp = np.where(wide, 0, cps).astype(np.intp)  # U+0000 is a separator: (0, 0)
    cls, val = _ASCII_CLS[ascii_cp], _ASCII_VAL[ascii_cp]
    if wide.any():
        blocks = cps >> np.uint64(8)
        for block in np.unique(blocks[wide]).tolist():
            bcls, brank = _block(int(block))
            at = wide & (blocks == block)
            low = (cps[at] & np.uint64(0xFF)).astype(np.intp)
            cls[at], val[at] = bcls[low], brank[low]
    return cls, val


def code_points(cls: np.ndarray, val: np.ndarray, original: np.ndarray) -> np.ndarray:
    """The code points of (class, value); separators keep ``original``."""
    out = original.copy()
    for c, base in _ASCII_BASE.items():
        hit = cls == c
        out[hit] = base + val[hit]
    wide = cls >= FIRST_WIDE
    if wide.any():
        for cid in np.unique(cls[wide]).tolist():
            at = cls == cid
            out[at] = _members[int(cid)][val[at].astype(np.intp)]
    return out
