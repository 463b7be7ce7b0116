"""The bundle's SBOM (issue 22 item 7): component hashes, a serialNumber, licences for every
component, the native code inside wheels listed; validated offline by the command the README
names. The scan runs on a folder laid out like the bundle, holding real wheel libraries."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installers"))

import cryptography  # noqa: E402
import numpy  # noqa: E402
import sbom_native  # noqa: E402
import validate_sbom  # noqa: E402

SITE = Path(numpy.__file__).resolve().parents[1]  # the test venv's site-packages


def _fake_bundle(tmp: Path) -> Path:
    """``_internal/`` with the wheels' own native files, as PyInstaller lays them out."""
    internal = tmp / "bundle" / "_internal"
    picks = [
        *(SITE / "psycopg_binary.libs").glob("lib*"),
        *(SITE / "numpy.libs").glob("lib*"),
        Path(cryptography.__file__).parent / "hazmat/bindings/_rust.abi3.so",
    ]
    for src in picks:
        dest = internal / src.relative_to(SITE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    return internal.parent


def test_native_code_inside_wheels_is_listed_with_version_licence_and_hash(tmp_path) -> None:
    bundle = _fake_bundle(tmp_path)
    owners = {"psycopg_binary": "pkg:pypi/psycopg-binary", "numpy": "pkg:pypi/numpy",
              "cryptography": "pkg:pypi/cryptography"}  # fmt: skip

    def owner(p: Path) -> str | None:
        top = p.relative_to(bundle).parts[1].removesuffix(".libs")
        return owners.get(top)

    found = sbom_native.native_components(bundle, owner)
    names = {ref: sorted(c["name"] for c in comps) for ref, comps in found.items()}
    pg = names["pkg:pypi/psycopg-binary"]
    assert pg.count("OpenSSL") == 2  # libssl + libcrypto copies
    assert {"PostgreSQL libpq", "MIT Kerberos", "OpenLDAP", "Cyrus SASL"} <= set(pg)
    assert {"OpenBLAS", "GCC libgfortran", "GCC libquadmath"} <= set(names["pkg:pypi/numpy"])
    assert names["pkg:pypi/cryptography"] == ["OpenSSL (statically linked)"]
    for comps in found.values():
        for c in comps:
            assert re.fullmatch(r"[0-9a-f]{64}", c["hashes"][0]["content"])
            assert c["licenses"] and c["properties"][0]["value"].startswith("_internal/")
    blas = next(c for c in found["pkg:pypi/numpy"] if c["name"] == "OpenBLAS")
    assert re.fullmatch(r"\d+\.\d+\.\d+", blas["version"])
    ossl = [c for c in found["pkg:pypi/psycopg-binary"] if c["name"] == "OpenSSL"]
    assert all(c["version"].startswith("3") for c in ossl)  # libssl: its soname's
    assert any(re.fullmatch(r"3\.\d+\.\d+[a-z]?", c["version"]) for c in ossl)  # libcrypto


def test_licence_strings_become_cyclonedx_licences() -> None:
    assert sbom_native.licences("Apache-2.0 OR BSD-3-Clause") == [
        {"expression": "Apache-2.0 OR BSD-3-Clause"}
    ]
    assert sbom_native.licences("MIT License, BSD License") == [
        {"license": {"name": "MIT License, BSD License"}}
    ]
    assert sbom_native.licences("")[0]["license"]["name"]  # never empty
    assert sbom_native.debian_licences("libc6")  # a package every Debian machine has


def test_serial_number_is_a_stable_uuid_urn() -> None:
    comps = [{"name": "a", "version": "1", "hashes": [{"alg": "SHA-256", "content": "00"}]}]
    one, two = sbom_native.serial_number(comps), sbom_native.serial_number(list(comps))
    assert one == two and re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", one)
    assert sbom_native.serial_number([{**comps[0], "version": "2"}]) != one


def _bom(**over) -> dict:
    comp = {
        "type": "library",
        "bom-ref": "pkg:pypi/numpy@2",
        "name": "numpy",
        "version": "2",
        "purl": "pkg:pypi/numpy@2",
        "hashes": [{"alg": "SHA-256", "content": "a" * 64}],
        "licenses": [{"expression": "BSD-3-Clause"}],
        "components": [
            {
                "type": "library",
                "bom-ref": "native:_internal/numpy.libs/libscipy_openblas64_.so",
                "name": "OpenBLAS",
                "version": "0.3.31",
                "hashes": [{"alg": "SHA-256", "content": "b" * 64}],
                "licenses": [{"expression": "BSD-3-Clause"}],
            }
        ],
    }
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "serialNumber": sbom_native.serial_number([comp]),
        "components": [comp],
    }
    return bom | over


def test_validator_accepts_a_complete_sbom_and_names_each_gap(tmp_path) -> None:
    assert validate_sbom.problems(_bom()) == []
    broken = _bom()
    del broken["serialNumber"]
    del broken["components"][0]["components"][0]["hashes"]
    del broken["components"][0]["licenses"]
    got = validate_sbom.problems(broken)
    assert "no serialNumber (urn:uuid:…)" in got
    assert "OpenBLAS 0.3.31: no hash" in got and "numpy 2: no licence" in got
    schema = _bom()
    schema["components"][0]["hashes"] = [{"alg": "SHA-256", "content": "not hex"}]
    assert any(p.startswith("schema") for p in validate_sbom.problems(schema))
    # the command line, as the README gives it
    f = tmp_path / "x.cdx.json"
    f.write_text(json.dumps(broken))
    run = subprocess.run([sys.executable, str(ROOT / "installers/validate_sbom.py"), str(f)],
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 1 and "INVALID" in run.stdout
    f.write_text(json.dumps(_bom()))
    run = subprocess.run([sys.executable, str(ROOT / "installers/validate_sbom.py"), str(f)],
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


def test_readme_names_the_validation_command_that_exists() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "cyclonedx-py --help" not in readme  # the old hint validated nothing
    assert "installers/validate_sbom.py" in readme
    assert (ROOT / "installers/validate_sbom.py").is_file()
