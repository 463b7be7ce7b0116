"""THIRD-PARTY-NOTICES for the bundle, from its SBOM: every component the SBOM lists (the
Python distributions whose files are in the bundle, CPython, PyInstaller's bootloader, the
Debian packages of copied libraries) with its licence and licence text.

    .venv/bin/python installers/notices.py --sbom dist/X.cdx.json \
        --out dist/dte-desktop/THIRD-PARTY-NOTICES

Fails (exit 1) if a component of the SBOM cannot be found, so the file always covers it all.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dte_desktop.core.notices import (  # noqa: E402
    Component,
    cpython_component,
    debian_component,
    python_component,
    render,
)


def components(bom: dict) -> tuple[list[Component], list[str]]:
    out, missing = [], []
    for c in bom.get("components", []):
        purl, name, version = c.get("purl", ""), c["name"], c.get("version", "")
        if purl.startswith("pkg:deb/"):
            out.append(debian_component(name, version))
        elif purl.startswith("pkg:pypi/") or (c.get("type") == "library" and not purl):
            try:
                out.append(python_component(metadata.distribution(name)))
            except metadata.PackageNotFoundError:
                missing.append(name)
        else:  # CPython and anything the SBOM adds by hand: its licence from the SBOM itself
            lic = ", ".join(
                x.get("license", {}).get("id") or x.get("license", {}).get("name", "")
                for x in c.get("licenses", [])
            )
            if name.lower() == "cpython":
                out.append(cpython_component())
                continue
            texts: tuple[tuple[str, str], ...] = ()
            out.append(Component(name, version, lic or "see text", texts))
    return out, missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sbom", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    bom = json.loads(args.sbom.read_text("utf-8"))
    comps, missing = components(bom)
    if missing:
        print(
            f"notices: not installed here, no licence text: {', '.join(missing)}", file=sys.stderr
        )
        return 1
    title = f"DTE Desktop {bom['metadata']['component'].get('version', '')}: third-party notices"
    args.out.write_text(render(comps, title), "utf-8")
    print(f"notices: {args.out} — {len(comps)} components from {args.sbom.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
