"""What ``cyclonedx-py environment`` leaves out of the bundle's SBOM (issue 22 item 7):

* hashes: each Python component gets the SHA-256 of its wheel from the hashed build lock
  (installers/lock/), each other component the SHA-256 of its file(s) in the bundle;
* licences for every component: Python metadata (PEP 639 expression, classifiers, License),
  Debian's machine-readable ``/usr/share/doc/PKG/copyright``, and a table for the native
  libraries below;
* native code shipped inside wheels (OpenSSL copies, libpq, OpenBLAS, ICU, Arrow C++, Qt …):
  every shared library of the bundle is scanned, attributed to the wheel it came from and
  listed as a nested component with its version (read from the binary where it says it),
  licence, hash and path in the bundle;
* ``serialNumber``: a UUID derived from the component list, so two builds of the same tree
  carry the same SBOM byte for byte.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from pathlib import Path

#: (file-name pattern, component name, SPDX licence, version pattern inside the binary)
NATIVE = [
    (r"^libssl|^libcrypto", "OpenSSL", "Apache-2.0", rb"OpenSSL (\d+\.\d+\.\d+[a-z]?)"),
    (r"^libpq", "PostgreSQL libpq", "PostgreSQL", rb"PostgreSQL (\d+\.\d+)"),
    (r"openblas", "OpenBLAS", "BSD-3-Clause", rb"OpenBLAS (\d+\.\d+\.\d+)"),
    (r"^libicu", "ICU", "Unicode-3.0", None),
    (r"^libarrow|^libparquet", "Apache Arrow C++", "Apache-2.0", None),
    (r"^libQt6|^libpyside6|^libshiboken6", "Qt / PySide6", "LGPL-3.0-only", None),
    (r"^libgfortran", "GCC libgfortran", "GPL-3.0-or-later WITH GCC-exception-3.1", None),
    (r"^libquadmath", "GCC libquadmath", "LGPL-2.1-or-later", None),
    (r"^libgcc_s|^libstdc\+\+", "GCC runtime", "GPL-3.0-or-later WITH GCC-exception-3.1", None),
    (r"^libkrb5|^libgssapi|^libk5crypto|^libcom_err", "MIT Kerberos", "MIT", None),
    (r"^libsasl2", "Cyrus SASL", "BSD-Attribution-HPND-disclaimer", None),
    (r"^libldap|^liblber", "OpenLDAP", "OLDAP-2.8", None),
    (r"^libz\.|^libz-", "zlib", "Zlib", None),
    (r"^libkeyutils", "keyutils", "LGPL-2.1-or-later", None),
    (r"^libcrypt-|^libcrypt\.", "libxcrypt", "LGPL-2.1-or-later", None),
    (r"^libdatasketches|^_datasketches", "Apache DataSketches C++", "Apache-2.0", None),
]
#: statically linked code that shows itself by a version string inside an extension module
EMBEDDED = [(rb"OpenSSL (\d+\.\d+\.\d+[a-z]?) +\d+ \w+ \d{4}", "OpenSSL (statically linked)",
             "Apache-2.0")]  # fmt: skip


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def licences(expr: str) -> list[dict]:
    """CycloneDX ``licenses`` for a licence string: an SPDX expression stays one, anything
    else (``MIT License, BSD License`` from classifiers) is named as it is."""
    expr = expr.strip()
    if expr == "NOASSERTION":
        return [{"license": {"name": "NOASSERTION (see the wheel's licence)"}}]
    if not expr or expr in {"see text", "UNKNOWN"}:
        return [{"license": {"name": "see THIRD-PARTY-NOTICES"}}]
    if re.fullmatch(r"[A-Za-z0-9.+\-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+\-]+)*|\(.+\)", expr):
        return [{"expression": expr}]
    return [{"license": {"name": expr}}]


def lock_hashes(lock: Path) -> dict[str, tuple[str, str]]:
    """``{canonical name: (version, sha256 of the wheel)}`` from a pip hash lock."""
    out = {}
    pat = r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:([0-9a-f]{64})"
    for m in re.finditer(pat, lock.read_text("utf-8"), re.M):
        out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = (m.group(2), m.group(3))
    return out


def _is_shared_library(p: Path) -> bool:
    if p.is_symlink() or not p.is_file() or ".so" not in p.name:
        return False
    with p.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def native_components(bundle: Path, owner: Callable[[Path], str | None]) -> dict[str, list]:
    """``{owning component's bom-ref or None: [nested components]}`` for the libraries above.

    ``owner(path)`` names the wheel component a file of the bundle came from (None: the build
    system's copy or CPython's)."""
    out: dict[str, list] = {}
    for p in sorted(bundle.rglob("*")):
        if not _is_shared_library(p):
            continue
        rel = p.relative_to(bundle).as_posix()
        data = p.read_bytes()
        found = []
        for pat, name, lic, vpat in NATIVE:
            if re.search(pat, p.name):
                m = re.search(vpat, data) if vpat else None
                ver = m.group(1).decode() if m else _soname_version(p.name)
                found.append((name, lic, ver))
                break
        if not found and p.parent.name.endswith(".libs"):  # grafted by auditwheel, unknown
            found.append((p.name.split("-")[0].split(".so")[0], "NOASSERTION", ""))
        if not found and (".cpython-" in p.name or ".abi3." in p.name):
            for vpat, name, lic in EMBEDDED:
                m = re.search(vpat, data)
                if m:
                    found.append((name, lic, m.group(1).decode()))
        for name, lic, ver in found:
            ref = owner(p)
            comp = {
                "type": "library",
                "bom-ref": f"native:{rel}",
                "name": name,
                "version": ver,
                "description": f"native code in the bundle: {rel}",
                "hashes": [{"alg": "SHA-256", "content": sha256(p)}],
                "licenses": licences(lic),
                "properties": [{"name": "dte-desktop:bundle-path", "value": rel}],
            }
            out.setdefault(ref or "", []).append(comp)
    return out


def _soname_version(name: str) -> str:
    m = re.search(r"\.so\.([\d.]+)$", name)
    return m.group(1) if m else ""


def serial_number(components: list[dict]) -> str:
    """A stable ``urn:uuid:`` (UUID 5) of the component list: same tree, same SBOM."""
    key = "\n".join(
        f"{c.get('name')}@{c.get('version')}#{c.get('hashes', [{}])[0].get('content', '')}"
        for c in components
    )
    return uuid.uuid5(uuid.NAMESPACE_URL, "dte-desktop-sbom:" + key).urn


def debian_licences(package: str) -> list[dict]:
    """The licences Debian's machine-readable copyright file names, each by its Debian name
    (``GPL-2+``, ``BSD-3-clause`` … are not SPDX ids); the file itself is in
    THIRD-PARTY-NOTICES."""
    f = Path("/usr/share/doc") / package / "copyright"
    try:
        text = f.read_text("utf-8", "replace")
    except OSError:
        text = ""
    names = sorted({n.strip() for n in re.findall(r"^License:\s*(.+)$", text, re.M)} - {""})
    if not names:
        return [{"license": {"name": f"see /usr/share/doc/{package}/copyright"}}]
    return [{"license": {"name": n}} for n in names]
