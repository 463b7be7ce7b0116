"""Checks for identifiers: national ID schemes, UK NHS/NINO, US ITIN/passport/driver
licence/DEA, bank accounts and routing numbers, crypto wallets, MAC addresses and URLs.

Each takes distinct, trimmed, non-empty strings and returns a numpy mask. Where a scheme has
a checksum, a well-kept library checks it (python-stdnum, base58); the shapes without one
(passport, driver licence, bank account) are only ever used with a column-name hint.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import base58
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.ca import sin as ca_sin
from stdnum.cn import ric as cn_ric
from stdnum.dk import cpr as dk_cpr
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.gb import nhs as gb_nhs
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.in_ import pan as in_pan
from stdnum.it import codicefiscale as it_cf
from stdnum.kr import rrn as kr_rrn
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.se import personnummer as se_pnr
from stdnum.us import itin as us_itin
from stdnum.us import rtn as us_rtn

from dte_desktop.core.privacy._checks import Mask, per_value, regex

_SEP = r"[- ]?"
#: (name, prefilter, validator) for national identifiers python-stdnum checks.
NATIONAL_IDS: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
    ("es.dni", r"^\d{8}-?[A-Za-z]$", es_dni.is_valid),
    ("es.nie", r"(?i)^[XYZ]-?\d{7}-?[A-Z]$", es_nie.is_valid),
    (
        "it.codicefiscale",
        r"(?i)^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$",
        it_cf.is_valid,
    ),
    (
        "fr.nir",
        r"^[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}$",
        fr_nir.is_valid,
    ),
    ("nl.bsn", r"^\d{4}\.?\d{2}\.?\d{3}$", nl_bsn.is_valid),
    ("ca.sin", r"^\d{3}[- ]?\d{3}[- ]?\d{3}$", ca_sin.is_valid),
    ("pl.pesel", r"^\d{11}$", pl_pesel.is_valid),
    ("fi.hetu", r"(?i)^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$", fi_hetu.is_valid),
    ("se.personnummer", r"^(?:\d{2})?\d{6}[-+]\d{4}$", se_pnr.is_valid),
    ("dk.cpr", r"^\d{6}-\d{4}$", dk_cpr.is_valid),
    ("kr.rrn", r"^\d{6}-\d{7}$", kr_rrn.is_valid),
    ("cn.ric", r"(?i)^\d{17}[\dX]$", cn_ric.is_valid),
    ("in.aadhaar", r"^[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}$", in_aadhaar.is_valid),
    ("in.pan", r"(?i)^[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z]$", in_pan.is_valid),
)


def national_id(
    values: pa.Array, counts: np.ndarray, only: frozenset[str] | None = None
) -> tuple[Mask, str | None]:
    """Values valid under any of the schemes (a multinational HR table mixes them), or under
    ``only`` those the column's name names; the detail names the scheme most values follow."""
    union = np.zeros(len(values), dtype=bool)
    best_name, best_hits = None, 0
    for name, prefilter, validator in NATIONAL_IDS:
        if only is not None and name not in only:
            continue
        mask = per_value(values, regex(values, prefilter) & ~union, validator)
        union |= mask
        hits = int(counts[mask].sum())
        if hits > best_hits:
            best_name, best_hits = name, hits
    return union, best_name


def _itin(v: str) -> bool:
    # python-stdnum knows groups 70-99 (less 89, 93); the IRS added 50-65 in 2011.
    return us_itin.is_valid(v) or (v[0] == "9" and 50 <= int(v[3:5]) <= 65)


def itin(values: pa.Array, *, allow_bare: bool) -> Mask:
    """US ITIN: area 9, the IRS's group ranges (python-stdnum plus 50-65)."""
    shaped = regex(values, r"^9\d{2}[-. ]\d{2}[-. ]\d{4}$")
    if allow_bare:
        shaped |= regex(values, r"^9\d{8}$")
    return per_value(pc.replace_substring_regex(values, r"[-. ]", ""), shaped, _itin)


def uk_nhs(values: pa.Array) -> Mask:
    """NHS number, 10 digits with its mod-11 check digit (python-stdnum)."""
    shaped = regex(values, r"^\d{3}[- ]?\d{3}[- ]?\d{4}$")
    return per_value(pc.replace_substring_regex(values, r"[- ]", ""), shaped, gb_nhs.is_valid)


# HMRC's rules: no D F I Q U V in either prefix letter, no O second, no BG GB KN NK NT TN ZZ
# prefixes, suffix A-D. No checksum exists, so the shape is the whole check.
NINO_RE = r"(?i)^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]$"
NINO_BAD_PREFIX = r"(?i)^(?:BG|GB|KN|NK|NT|TN|ZZ)"
#: One digit repeated (``000000000``, ``999999999``): a filler, not a number.
REPEATED_RE = "^(?:" + "|".join(f"{d}+" for d in range(10)) + ")$"


def uk_nino(values: pa.Array) -> Mask:
    return regex(values, NINO_RE) & ~regex(values, NINO_BAD_PREFIX)


def us_passport(values: pa.Array) -> Mask:
    """9 digits (old books) or a letter and 8 digits (next generation): needs a name hint."""
    return regex(values, r"^(?:\d{9}|[A-Za-z]\d{8})$") & ~regex(values, REPEATED_RE)


# State formats differ (1 letter + 4-14 digits, 7-9 digits, ...): needs a name hint.
DRIVER_RE = r"(?i)^(?:[A-Z]\d{3,14}|[A-Z]{2}\d{5,7}|\d{7,9}|[A-Z]\d{2}-\d{3}-\d{2}-\d{3}-\d)$"


def us_driver_licence(values: pa.Array) -> Mask:
    return regex(values, DRIVER_RE)


def _dea(v: str) -> bool:
    d = [int(c) for c in v[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


def medical_licence(values: pa.Array) -> Mask:
    """US DEA registration: two letters and seven digits with its check digit."""
    shaped = regex(values, r"^[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}$")
    return per_value(values, shaped, _dea)


def bank_account(values: pa.Array) -> Mask:
    """8 to 17 digits (US accounts have no checksum): needs a name hint."""
    return regex(values, r"^\d{8,17}$") & ~regex(values, REPEATED_RE)


def aba_routing(values: pa.Array) -> Mask:
    """ABA routing number: Federal Reserve prefixes and the 3-7-1 checksum (stdnum.us.rtn)."""
    shaped = regex(values, r"^(?:0[0-9]|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)\d{7}$")
    return per_value(values, shaped & ~regex(values, REPEATED_RE), us_rtn.is_valid)


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_ok(v: str) -> bool:
    hrp, _, data = v.lower().rpartition("1")
    values = [_BECH32.index(c) for c in data]
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk in (1, 0x2BC830A3)  # bech32 (BIP 173) or bech32m (BIP 350)


def _wallet(v: str) -> bool:
    if v[:3].lower() in ("bc1", "tb1"):
        return _bech32_ok(v)
    if v[:2] in ("0x", "0X"):
        return True  # Ethereum: 20 bytes of hex; the EIP-55 case checksum needs Keccak
    raw = base58.b58decode_check(v)  # Base58Check: the double-SHA-256 checksum
    return len(raw) == 21 and raw[0] in (0, 5, 111, 196)


def crypto_wallet(values: pa.Array) -> Mask:
    """Bitcoin (Base58Check P2PKH/P2SH by ``base58``, bech32/bech32m) and Ethereum."""
    shaped = regex(
        values,
        r"^(?:[13mn2][1-9A-HJ-NP-Za-km-z]{25,34}|(?i:bc1|tb1)[02-9ac-hj-np-z]{8,87}"
        r"|0[xX][0-9a-fA-F]{40})$",
    )
    return per_value(values, shaped, _wallet)


MAC_RE = (
    r"^(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})$"
)


def mac_address(values: pa.Array) -> Mask:
    """EUI-48 in colon, dash or Cisco dotted form, not all zeros or broadcast."""
    hexes = pc.utf8_lower(pc.replace_substring_regex(values, r"[:.-]", ""))
    junk = _mask(pc.is_in(hexes, value_set=pa.array(["000000000000", "ffffffffffff"])))
    return regex(values, MAC_RE) & ~junk


def _mask(arr: pa.Array) -> Mask:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool)


def _url(v: str) -> bool:
    parts = urlsplit(v if "://" in v else "http://" + v)
    host = parts.hostname or ""
    labels = host.split(".")
    return (
        parts.scheme in ("http", "https", "ftp", "ftps", "sftp")
        and len(labels) >= 2
        and all(labels)
        and (labels[-1].isalpha() or labels[-1].startswith("xn--") or host.count(".") == 3)
    )


def url(values: pa.Array) -> Mask:
    """http(s)/ftp URLs and bare ``www.`` hosts, parsed by :mod:`urllib.parse`."""
    shaped = regex(values, r"(?i)^(?:(?:https?|s?ftps?)://[^\s/$.?#][^\s]*|www\.[^\s.]+\.\S+)$")
    return per_value(values, shaped, _url)
