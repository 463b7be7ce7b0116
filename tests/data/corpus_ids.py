# ruff: noqa: E501 - tables of generators read better one per line
"""Generators of labelled identifier vectors for ``make_pii_corpus.py``: numbers, codes and
network identifiers, each positive built by its scheme's published rule (Luhn, mod 97,
mod 11, …, written out here, so the labels do not come from the validators the detectors
use), each negative a near miss.
"""

from __future__ import annotations

import random
import string

R = random.Random(18)
N = 40  # vectors per side per type


def luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def digits(n: int) -> str:
    return "".join(R.choice(string.digits) for _ in range(n))


def many(fn, n: int = N) -> list[str]:
    out: list[str] = []
    for _ in range(50 * n):
        v = fn()
        if v not in out:
            out.append(v)
        if len(out) == n:
            break
    return out


# --- e-mail ---------------------------------------------------------------------------------
LOCALS = ["ann", "bob.smith", "j_doe", "maria+news", "li.wei", "o'neil", "x", "user2024", "k-w"]
DOMAINS = ["example.com", "mail.example.co.uk", "uni.example.edu", "xn--d1acufc.xn--p1ai",
           "пример.рф", "corp.example.de", "example.io", "sub.example.org"]  # fmt: skip


def email_pos() -> str:
    return f"{R.choice(LOCALS)}{R.randint(0, 999)}@{R.choice(DOMAINS)}"


def email_neg() -> str:
    v = email_pos()
    return R.choice([v.replace("@", ""), v.replace("@", "@@"), v.split("@")[0] + "@example",
                     v.replace(".", "..", 1) if "." in v.split("@")[1] else v + " x",
                     "@" + v.split("@")[1], v.replace("@", " at ")])  # fmt: skip


# --- phones ---------------------------------------------------------------------------------
US_AREAS = ["202", "212", "213", "305", "312", "415", "503", "617", "702", "713", "804", "919"]


def phone_us() -> str:
    a, e, n = R.choice(US_AREAS), str(R.randint(200, 999)), digits(4)
    if e[1:] == "11":
        e = "234"
    return R.choice([f"({a}) {e}-{n}", f"{a}-{e}-{n}", f"+1 {a} {e} {n}", f"{a}.{e}.{n}"])


def phone_intl() -> str:
    return R.choice([f"+44 20 7946 {digits(4)}", f"+49 30 {R.randint(2, 9)}{digits(7)}",
                     f"+33 1 {R.randint(40, 49)} {digits(2)} {digits(2)} {digits(2)}",
                     f"+31 20 {R.randint(2, 9)}{digits(6)}"])  # fmt: skip


def phone_neg() -> str:
    return R.choice([digits(5), f"555-{digits(4)}", f"+1 000 {digits(3)} {digits(4)}",
                     f"20{R.randint(10, 24)}-0{R.randint(1, 9)}-1{R.randint(0, 9)}",
                     f"{digits(3)}-{digits(2)}", f"+1 {R.choice(['011', '111', '123'])} 555 0100"])  # fmt: skip


REGION_PHONES = {
    "IL": lambda: f"0{R.choice([2, 3, 4, 8, 9])}-{R.randint(2, 9)}{digits(6)}",
    "CN": lambda: f"1{R.choice(['38', '39', '50', '86', '58'])}{digits(8)}",
    "PH": lambda: f"09{R.choice(['17', '18', '22', '95', '27'])}{digits(7)}",
    "TR": lambda: f"05{R.choice(['32', '42', '05', '55', '33'])}{digits(7)}",
}


# --- SSN, ITIN ----------------------------------------------------------------------------
def ssn_pos() -> str:
    area = R.choice([R.randint(1, 665), R.randint(667, 899)])
    g, s = R.randint(1, 99), R.randint(1, 9999)
    sep = R.choice(["-", "-", " ", "."])
    v = f"{area:03d}{sep}{g:02d}{sep}{s:04d}"
    return v if v.replace(sep, "") not in ("078051120", "219099999", "457555462") else "123-45-6789"


def ssn_neg() -> str:
    area, g, s = R.randint(1, 665), R.randint(1, 99), R.randint(1, 9999)
    return R.choice([f"000-{g:02d}-{s:04d}", f"666-{g:02d}-{s:04d}", f"{area:03d}-00-{s:04d}",
                     f"{area:03d}-{g:02d}-0000", f"{R.randint(900, 999)}-{R.randint(10, 49)}-{s:04d}",
                     "078-05-1120", "219-09-9999", f"{area:03d}-{g:02d}-{s:04d}-1",
                     f"{area:02d}-{g:03d}-{s:04d}"])  # fmt: skip


ITIN_GROUPS = list(range(50, 66)) + list(range(70, 89)) + [90, 91, 92] + list(range(94, 100))


def itin_pos() -> str:
    return f"9{digits(2)}-{R.choice(ITIN_GROUPS)}-{digits(4)}"


def itin_neg() -> str:
    return f"9{digits(2)}-{R.choice([*range(10, 50), 66, 67, 68, 69, 89, 93])}-{digits(4)}"


# --- cards ----------------------------------------------------------------------------------
CARD_PREFIXES = [("4", 16), ("4", 13), ("51", 16), ("55", 16), ("2221", 16), ("34", 15),
                 ("37", 15), ("6011", 16), ("65", 16), ("3528", 16), ("36", 14), ("62", 16),
                 ("1", 15), ("5019", 16), ("2200", 16), ("6759", 16)]  # fmt: skip


def card_body() -> str:
    prefix, length = R.choice(CARD_PREFIXES)
    return prefix + digits(length - len(prefix) - 1)


def card_fmt(num: str) -> str:
    if R.random() < 0.5:
        return num
    sep = R.choice([" ", "-"])
    return sep.join(num[i : i + 4] for i in range(0, len(num), 4))


def card_pos() -> str:
    b = card_body()
    return card_fmt(b + luhn_digit(b))


def card_neg() -> str:
    b = card_body()
    good = luhn_digit(b)
    return card_fmt(b + str((int(good) + R.randint(1, 9)) % 10))


# --- IBAN -----------------------------------------------------------------------------------
IBAN_LAYOUT = {"DE": "18n", "GB": "4a14n", "SE": "20n", "NL": "4a10n", "BE": "12n",
               "ES": "20n", "IT": "1a10n12n", "AT": "16n", "PL": "24n", "CH": "5n12n"}  # fmt: skip


def _layout(spec: str) -> str:
    out, num = "", ""
    for c in spec:
        if c.isdigit():
            num += c
        else:
            chars = string.digits if c == "n" else string.ascii_uppercase
            out += "".join(R.choice(chars) for _ in range(int(num)))
            num = ""
    return out


def iban_check(cc: str, bban: str) -> str:
    moved = bban + cc + "00"
    n = int("".join(str(int(ch, 36)) for ch in moved))
    return f"{98 - n % 97:02d}"


def iban_pos(cc: str | None = None) -> str:
    cc = cc or R.choice(list(IBAN_LAYOUT))
    bban = _layout(IBAN_LAYOUT[cc])
    v = cc + iban_check(cc, bban) + bban
    style = R.random()
    if style < 0.4:
        return " ".join(v[i : i + 4] for i in range(0, len(v), 4))
    if style < 0.5:
        return "-".join(v[i : i + 4] for i in range(0, len(v), 4))
    return v


def iban_neg() -> str:
    cc = R.choice(list(IBAN_LAYOUT))
    bban = _layout(IBAN_LAYOUT[cc])
    check = iban_check(cc, bban)
    return R.choice([cc + f"{(int(check) + 1) % 100:02d}" + bban, cc + check + bban[:-2],
                     "XX" + check + bban, cc + check + bban + "7"])  # fmt: skip


# --- national ids (per country) -----------------------------------------------------------
def dni_pos() -> str:
    n = R.randint(10_000_000, 99_999_999)
    return f"{n}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"


def dni_neg() -> str:
    v = dni_pos()
    return v[:-1] + R.choice([c for c in "TRWAGMYFPDXBNJZSQVHLCKE" if c != v[-1]])


def bsn_pos() -> str:
    while True:
        d = digits(8)
        total = sum(int(c) * w for c, w in zip(d, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10 and d[0] != "0":
            return d + str(check)


def sin_pos() -> str:
    b = str(R.choice([1, 2, 3, 4, 5, 6, 7, 9])) + digits(7)
    v = b + luhn_digit(b)
    return R.choice([v, f"{v[:3]}-{v[3:6]}-{v[6:]}", f"{v[:3]} {v[3:6]} {v[6:]}"])


def pesel_pos() -> str:
    y, m, d = R.randint(40, 99), R.randint(1, 12), R.randint(1, 28)
    body = f"{y:02d}{m:02d}{d:02d}{digits(4)}"
    total = sum(int(c) * w for c, w in zip(body, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3], strict=True))
    return body + str((10 - total % 10) % 10)


def bad_check(fn):
    def neg() -> str:
        v = fn()
        last = v[-1]
        return v[:-1] + str((int(last) + R.randint(1, 9)) % 10)

    return neg


# --- UK -------------------------------------------------------------------------------------
def nhs_pos() -> str:
    while True:
        d = digits(9)
        check = 11 - sum(int(c) * w for c, w in zip(d, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10 and d[0] in "4689":
            v = d + str(check)
            return R.choice([v, f"{v[:3]} {v[3:6]} {v[6:]}"])


NINO_1, NINO_2 = "ABCEGHJKLMNPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"


def nino_pos() -> str:
    while True:
        p = R.choice(NINO_1) + R.choice(NINO_2)
        if p not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            v = f"{p}{digits(6)}{R.choice('ABCD')}"
            return R.choice([v, f"{v[:2]} {v[2:4]} {v[4:6]} {v[6:8]} {v[8]}"])


def nino_neg() -> str:
    v = nino_pos().replace(" ", "")
    return R.choice([R.choice("DFIQUV") + v[1:], v[0] + "O" + v[2:], "GB" + v[2:],
                     v[:-1] + "E", v[:8], v[:2] + digits(7)])  # fmt: skip


# --- US ids without a checksum, DEA, routing ------------------------------------------------
def passport_pos() -> str:
    return R.choice([digits(9), R.choice(string.ascii_uppercase) + digits(8)])


def passport_neg() -> str:
    return R.choice([digits(7), "AB" + digits(8), digits(11), "P-" + digits(6), "000000000"])


def dl_pos() -> str:
    return R.choice([R.choice(string.ascii_uppercase) + digits(7), digits(8), digits(9),
                     R.choice(string.ascii_uppercase) + digits(12), "SA" + digits(6)])  # fmt: skip


def dl_neg() -> str:
    return R.choice(["DL-" + digits(5) + "/X", digits(4), "ABC" + digits(2), "license pending",
                     R.choice(string.ascii_uppercase) + "#" + digits(5)])  # fmt: skip


def dea_pos() -> str:
    d = [R.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return (
        R.choice("ABFGMPR") + R.choice(string.ascii_uppercase) + "".join(map(str, d)) + str(check)
    )


def bank_pos() -> str:
    return digits(R.randint(8, 17))


def bank_neg() -> str:
    return R.choice([digits(5), "AC-" + digits(6), digits(4) + " " + digits(4) + "X",
                     "0" * R.randint(8, 12), "n/k " + digits(3)])  # fmt: skip


def aba_pos() -> str:
    prefix = R.choice(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
                       "21", "22", "26", "31", "32", "61", "67", "71"])  # fmt: skip
    body = prefix + digits(6)
    w = [3, 7, 1, 3, 7, 1, 3, 7]
    total = sum(int(c) * x for c, x in zip(body, w, strict=True))
    return body + str((10 - total % 10) % 10)


# --- crypto ---------------------------------------------------------------------------------
def btc_pos() -> str:
    import base58  # the encoder only; the check of a decoded address is the detectors' job

    kind = R.random()
    if kind < 0.4:
        return base58.b58encode_check(bytes([0]) + R.randbytes(20)).decode()
    if kind < 0.6:
        return base58.b58encode_check(bytes([5]) + R.randbytes(20)).decode()
    if kind < 0.8:
        return bech32_address(R.randbytes(20))
    return "0x" + R.randbytes(20).hex()


_B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def bech32_address(program: bytes) -> str:
    """BIP 173 reference encoding of a v0 witness program."""
    data, acc, bits = [0], 0, 0
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = "bc"
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    poly = _polymod(expanded + data + [0] * 6) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_B32[d] for d in data + checksum)


def btc_neg() -> str:
    v = btc_pos()
    if v.startswith("0x"):
        return v[:-3] + "xyz"
    i = R.randrange(5, len(v) - 1)
    alphabet = (
        _B32
        if v.startswith("bc1")
        else "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    )
    return v[:i] + R.choice([c for c in alphabet if c != v[i]]) + v[i + 1 :]


# --- network --------------------------------------------------------------------------------
def ip_pos() -> str:
    kind = R.random()
    if kind < 0.55:
        return ".".join(str(R.randint(1, 254)) for _ in range(4))
    if kind < 0.8:
        return ":".join(f"{R.randint(0, 65535):x}" for _ in range(8))
    if kind < 0.9:
        return f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.0/{R.choice([16, 24])}"
    return f"fe80::{R.randint(1, 65535):x}%eth{R.randint(0, 3)}"


def ip_neg() -> str:
    return R.choice([f"{R.randint(256, 999)}.{R.randint(0, 255)}.1.1", f"{R.randint(1, 9)}.{R.randint(0, 20)}.{R.randint(0, 9)}",
                     f"{R.randint(0, 23)}:{R.randint(10, 59)}:{R.randint(10, 59)}", "1.2.3.4.5",
                     f"{R.randint(1, 99)}.{R.randint(0, 99)}", ":::", f"192.168.1.{R.randint(256, 400)}"])  # fmt: skip


def mac_pos() -> str:
    octets = [f"{R.randint(0, 255):02x}" for _ in range(6)]
    octets[0] = f"{R.randint(1, 255):02x}"
    kind = R.random()
    if kind < 0.4:
        return ":".join(octets).upper()
    if kind < 0.8:
        return "-".join(octets)
    h = "".join(octets)
    return f"{h[:4]}.{h[4:8]}.{h[8:]}"


def mac_neg() -> str:
    octets = [f"{R.randint(0, 255):02x}" for _ in range(6)]
    return R.choice([":".join(octets[:5]), ":".join(octets).replace(octets[2], "g1"),
                     "00:00:00:00:00:00", "-".join(octets) + "-00", "".join(octets)])  # fmt: skip


HOSTS = [
    "example.com",
    "www.example.org",
    "shop.example.co.uk",
    "example.io",
    "intranet.corp.example",
]


def url_pos() -> str:
    path = R.choice(["", "/", "/a/b", "/index.html", f"/u/{R.randint(1, 9999)}", "/search?q=x&p=2"])
    return (
        R.choice(["https://", "http://", "www.", "ftp://"])
        + R.choice(HOSTS).removeprefix("www.")
        + path
    )


def url_neg() -> str:
    host = R.choice(HOSTS).removeprefix("www.")
    word = host.split(".")[0]
    return R.choice([f"http//{host}", word, "https://", f"{word}.txt", f"ftp:/{word}",
                     f"{word}:{R.randint(1, 99)}", "http://-", f"see {word} dot com",
                     f"https://{word}", f"www{R.randint(1, 99)}", f"{word}/{R.randint(1, 99)}/x"])  # fmt: skip
