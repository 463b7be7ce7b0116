"""Checks for words rather than numbers: placeholders (junk), person names, street
addresses, user names and secrets.

Names and street words come from the lists shipped in ``resources/pii`` (see its README for
sources and licences), so lower-case names are found and product or company names are not.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pyarrow as pa

from dte_desktop.core.privacy import _words
from dte_desktop.core.privacy._checks import Mask, lengths, per_value, regex

#: Placeholders people type where they have no value: not evidence for or against a type.
JUNK_RE = (
    r"(?i)^(?:n/?a|n\.a\.?|none|null|nil|nan|unknown|unk|tbd|tba|missing|empty|blank|"
    r"[9\-. /]{3,}|undefined|redacted|withheld|test|dummy|sample|default|not (?:provided|available|"
    r"applicable|known|given|set)|no (?:data|value|info)|[-_.?*#x/\\ 0]+|9{3,}|#n/a|"
    r"\(null\)|<null>|\[null\]|<none>|-1)$"
)


def junk(values: pa.Array) -> Mask:
    return regex(values, JUNK_RE)


_PARTICLES = frozenset("van von der den de da del della di du la le bin al y st mc o".split())
_TITLES = frozenset("mr mrs ms miss dr prof sir madam mx".split())
_TOKEN_RE = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]+)*\.?$")


def _name_parts(v: str) -> list[str] | None:
    """The words of ``v`` if it is shaped like a person's name (1-5 alphabetic words, an
    optional ``Last, First`` comma), else None."""
    if len(v) > 80:
        return None
    last_first = v.count(",") == 1
    tokens = v.replace(",", " ").split()
    if not 1 <= len(tokens) <= 5 or not all(_TOKEN_RE.match(t) for t in tokens):
        return None
    words = [t.strip(".").lower() for t in tokens]
    if last_first:
        head, tail = v.split(",")
        words = [t.strip(".").lower() for t in tail.split() + head.split()]
    return [w for w in words if w and w not in _TITLES]


def _name_evidence(v: str) -> int:
    """0 not a name, 1 name-shaped with a known given or family name, 2 a full name: a
    known given name followed by a known family or given name."""
    parts = _name_parts(v)
    if not parts:
        return 0
    if _words.company_words().intersection(parts):
        return 0
    first, sur = _words.first_names(), _words.surnames()
    core = [p for p in parts if p not in _PARTICLES and len(p) > 1]
    if not core:
        return 0
    known = [p in first or p.replace("’", "'") in sur or p in sur for p in core]
    if len(core) >= 2 and core[0] in first and (core[-1] in sur or core[-1] in first):
        return 2
    # Every word a known name: "alice", "kowalski"; "Royal Canin" has one unknown word.
    return 1 if all(known) else 0


def person_name(values: pa.Array) -> tuple[Mask, Mask]:
    """(full names, name-shaped values with a known name) — the first is evidence enough
    alone; the second needs a column-name hint (``first_name`` holding ``alice``)."""
    every = np.ones(len(values), dtype=bool)
    score = np.zeros(len(values), dtype=np.int8)
    for i in np.nonzero(every)[0]:
        try:
            score[i] = _name_evidence(values[int(i)].as_py())
        except Exception:
            score[i] = 0
    return score == 2, score >= 1


_NUMBER = re.compile(r"^\d{1,6}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?,?$")
_COMPOUND = ("strasse", "straße", "weg", "gasse", "platz", "allee", "straat", "laan", "gatan")


def _street(v: str) -> bool:
    if len(v) > 120 or "@" in v or "://" in v:
        return False
    tokens = re.split(r"[\s,]+", v.lower().strip())
    if not 2 <= len(tokens) <= 14:
        return False
    words = _words.street_words()
    has_number = any(_NUMBER.match(t) for t in tokens)
    has_word = any(t.strip(".") in words or t.endswith(_COMPOUND) for t in tokens)
    alpha = sum(any(c.isalpha() for c in t) for t in tokens)
    compound = any(t.endswith(_COMPOUND) and len(t) > 6 for t in tokens)  # Hauptstraße 5
    return has_number and has_word and (alpha >= 2 or compound)


def street_address(values: pa.Array) -> Mask:
    """A house number and a street word (``12 Main St``, ``Hauptstraße 5``, ``12 rue de la
    Paix``, ``PO Box 7``) among a few words."""
    shaped = regex(values, r"\d") & regex(values, r"\p{L}{2}") & (lengths(values) <= 120)
    return per_value(values, shaped, _street)


def username(values: pa.Array) -> Mask:
    """Login handles: 3-32 of letters, digits and ``._-``, with a letter; needs a hint."""
    return regex(values, r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$") & regex(values, r"[A-Za-z]")


#: Formats that are secrets wherever they appear: password hashes and API tokens.
SECRET_FORMATS = (
    r"^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$",  # bcrypt
    r"^\$argon2(?:id|i|d)\$",  # argon2
    r"^\$(?:1|5|6|y|apr1|sha1|pbkdf2(?:-sha\d+)?)\$[^\s$]*\$?[./A-Za-z0-9+=$]{16,}$",  # crypt
    r"^(?:pbkdf2_sha256|pbkdf2_sha1|bcrypt_sha256|scrypt|sha1|md5)\$[^\s]{16,}$",  # Django
    r"^\{(?:SSHA|SHA|SMD5|CRYPT|PBKDF2[^}]*)\}[A-Za-z0-9+/=.$]{8,}$",  # LDAP
    r"^(?:AKIA|ASIA)[0-9A-Z]{16}$",  # AWS access key id
    r"^(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}$|^github_pat_[A-Za-z0-9_]{60,}$",
    r"^xox[abposr]-[A-Za-z0-9-]{10,}$",  # Slack
    r"^(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}$",  # Stripe
    r"^sk-[A-Za-z0-9_-]{32,}$",
    r"^AIza[0-9A-Za-z_-]{35}$",  # Google API key
    r"^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$",  # JWT
    r"^-----BEGIN [A-Z ]*PRIVATE KEY-----",
)
UUID_RE = r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"


def _entropy(v: str) -> float:
    counts = Counter(v)
    n = len(v)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _random_token(v: str) -> bool:
    classes = sum(
        (any(c.islower() for c in v), any(c.isupper() for c in v), any(c.isdigit() for c in v))
    )
    hexish = all(c in "0123456789abcdefABCDEF" for c in v)
    return (hexish and _entropy(v) >= 3.0) or (classes >= 2 and _entropy(v) >= 3.5)


def secret(values: pa.Array) -> tuple[Mask, Mask]:
    """(known secret formats, high-entropy hex/base64 strings of 20+ characters). The
    second needs a name hint (``password``, ``token``): a checksum column is not a secret;
    UUIDs are never secrets."""
    strong = np.zeros(len(values), dtype=bool)
    for pattern in SECRET_FORMATS:
        strong |= regex(values, pattern)
    shaped = regex(values, r"^[A-Za-z0-9+/=_.-]{20,}$") & ~regex(values, UUID_RE)
    weak = per_value(values, shaped & ~strong, _random_token)
    return strong, strong | weak
