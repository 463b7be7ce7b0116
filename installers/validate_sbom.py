"""Check an SBOM offline: the CycloneDX JSON schema of its specVersion (strict, with the
schemas cyclonedx-python-lib ships; no network) and this project's rules — a serialNumber,
and a hash and a licence on every component, nested ones included.

    python installers/validate_sbom.py dist/dte-desktop-0.1.0-linux-x86_64.cdx.json

Needs ``cyclonedx-python-lib[json-validation]`` (pinned in the ``package`` and ``test`` extras).
Exit 0 valid, 1 invalid (each problem printed), 2 bad use.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path


def walk(components: list[dict]) -> Iterator[dict]:
    for c in components:
        yield c
        yield from walk(c.get("components", []))


def problems(bom: dict) -> list[str]:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    out = []
    try:
        version = SchemaVersion.from_version(str(bom.get("specVersion")))
    except Exception:
        return [f"unknown specVersion {bom.get('specVersion')!r}"]
    err = JsonStrictValidator(version).validate_str(json.dumps(bom))
    if err is not None:
        out.append(f"schema (CycloneDX {version.to_version()}): {err}")
    if not str(bom.get("serialNumber", "")).startswith("urn:uuid:"):
        out.append("no serialNumber (urn:uuid:…)")
    for c in walk(bom.get("components", [])):
        who = f"{c.get('name')} {c.get('version', '')}".strip()
        if not c.get("hashes"):
            out.append(f"{who}: no hash")
        if not c.get("licenses"):
            out.append(f"{who}: no licence")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    bom = json.loads(Path(argv[0]).read_text("utf-8"))
    found = problems(bom)
    n = sum(1 for _ in walk(bom.get("components", [])))
    for p in found:
        print(f"validate_sbom: {p}")
    if found:
        print(f"validate_sbom: INVALID — {len(found)} problems in {argv[0]}")
        return 1
    print(f"validate_sbom: OK — {argv[0]}: CycloneDX {bom['specVersion']}, {n} components, "
          "every one with a hash and a licence")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
