"""THIRD-PARTY-NOTICES: every component the app ships with, its licence and the licence's
text, as Help → About → Licences shows it and the installer ships it.

The installed app reads the file the build wrote (``installers/notices.py`` makes it from the
SBOM, so it lists exactly what is in the bundle, Debian libraries included). Run from source,
the same text is built from the running environment: the app's own requirements and theirs.

Licence texts come from where each component keeps them: a wheel's ``.dist-info/licenses/``
or ``LICENSE``/``COPYING``/``NOTICE`` files, Debian's ``/usr/share/doc/PKG/copyright``; the
full GNU licences (LGPL for Qt/PySide6, GPL for PyInstaller's bootloader with its exception)
are appended once from ``/usr/share/common-licenses`` when any component names them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

NOTICES_FILE = "THIRD-PARTY-NOTICES"
LICENCE_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice|authors)[^/]*$", re.I)
COMMON_LICENSES = Path("/usr/share/common-licenses")
QT_RELINKING = """\
Qt and PySide6 are used under the GNU Lesser General Public License v3 (LGPL-3.0).
They are shipped as separate shared libraries (libQt6*.so*, libpyside6*.so*, libshiboken6*.so*
and the PySide6/shiboken6 Python modules in the application folder), not linked statically:
you may replace them with your own build of the same Qt/PySide6 version (copy your libraries
over the shipped ones in the app folder's _internal/ directory; the app loads whatever is
there). The corresponding source code is available from the Qt Project (qt.io, the Qt and
PySide6 source archives of the version listed below) and, on request, from the supplier of
this installer for three years from its release, at no more than the cost of distribution.
"""


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str
    texts: tuple[tuple[str, str], ...]  # (file name, text)


def python_component(dist: metadata.Distribution) -> Component:
    meta = dist.metadata
    licence = (
        meta.get("License-Expression")
        or _classifier_licences(meta.get_all("Classifier") or [])
        or (meta.get("License") or "").splitlines()[0:1]
        or ["see text"]
    )
    if isinstance(licence, list):
        licence = ", ".join(licence) or "see text"
    texts = []
    for f in dist.files or []:
        if (LICENCE_FILE.search(str(f)) and "dist-info" in str(f)) or _top_licence(str(f)):
            try:
                texts.append((str(f), Path(dist.locate_file(f)).read_text("utf-8", "replace")))
            except OSError:
                continue
    return Component(meta["Name"], dist.version, licence, tuple(texts))


def _top_licence(path: str) -> bool:
    parts = path.split("/")
    return len(parts) <= 2 and bool(LICENCE_FILE.search(parts[-1])) and not path.endswith(".py")


def _classifier_licences(classifiers: Iterable[str]) -> str:
    found = [c.split("::")[-1].strip() for c in classifiers if c.startswith("License ::")]
    return ", ".join(found)


def debian_component(package: str, version: str) -> Component:
    copyright_file = Path("/usr/share/doc") / package / "copyright"
    try:
        text = copyright_file.read_text("utf-8", "replace")
    except OSError:
        text = f"(no {copyright_file} on the build machine)"
    licences = sorted(set(re.findall(r"^License:\s*(\S+)", text, re.M))) or ["see text"]
    return Component(package, version, ", ".join(licences), ((str(copyright_file), text),))


def requirement_closure(root: str = "dte-desktop") -> list[metadata.Distribution]:
    """The installed distributions ``root`` needs at run time (extras left out)."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = _canon(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[name] = dist
        for req in dist.requires or []:
            if "extra ==" in req:
                continue
            marker = req.split(";", 1)
            if len(marker) == 2 and not _marker_true(marker[1]):
                continue
            todo.append(re.split(r"[\s<>=!~\[(;]", req.strip(), maxsplit=1)[0])
    seen.pop(_canon(root), None)
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _marker_true(marker: str) -> bool:
    try:
        from packaging.markers import Marker

        return Marker(marker).evaluate()
    except Exception:  # no packaging, or an odd marker: include rather than drop a licence
        return True


def render(components: list[Component], title: str) -> str:
    head = f"{len(components)} components. Each entry: name, version, licence, licence text."
    out = [title, "=" * len(title), "", head, ""]
    gnu = set()
    for c in components:
        out += [f"{c.name} {c.version}", f"  Licence: {c.licence}"]
        for lic in ("LGPL-3", "LGPL-2.1", "GPL-3", "GPL-2"):
            if lic.replace("-", "").lower()[:5] in c.licence.replace("-", "").lower():
                gnu.add(lic)
        if c.name.lower() in ("pyside6-essentials", "pyside6", "shiboken6") or c.name.startswith(
            "libqt6"
        ):
            gnu.add("LGPL-3")
        out.append("")
        for fname, text in c.texts:
            out += [f"  --- {fname} ---", _indent(text), ""]
        if not c.texts:
            out += ["  (the component ships no licence file; its licence is named above)", ""]
    if any(c.name.lower().startswith(("pyside6", "shiboken6")) for c in components):
        out += ["Replacing the Qt libraries (LGPL)", "-" * 33, QT_RELINKING, ""]
    for lic in sorted(gnu):
        path = COMMON_LICENSES / lic
        if path.exists():
            out += [f"Full text: {lic}", "-" * (11 + len(lic)), path.read_text("utf-8"), ""]
    return "\n".join(out)


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.strip().splitlines())


def cpython_component() -> Component:
    lib = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    path = Path(sys.base_prefix) / "lib" / lib / "LICENSE.txt"
    texts = ((str(path), path.read_text("utf-8", "replace")),) if path.exists() else ()
    return Component("CPython", sys.version.split()[0], "PSF-2.0", texts)


def environment_notices() -> str:
    comps = [python_component(d) for d in requirement_closure()]
    comps.append(cpython_component())
    return render(comps, "DTE Desktop: third-party notices (this Python environment)")


def bundled_notices_path() -> Path | None:
    """The file the installer build wrote, beside the frozen app."""
    base = getattr(sys, "_MEIPASS", None)
    for folder in ([Path(base)] if base else []) + [Path(sys.executable).resolve().parent]:
        if (folder / NOTICES_FILE).is_file():
            return folder / NOTICES_FILE
    return None


def notices_text() -> str:
    path = bundled_notices_path()
    return path.read_text("utf-8", "replace") if path else environment_notices()
