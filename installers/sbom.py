"""CycloneDX SBOM (JSON) of what the PyInstaller bundle actually contains.

    .venv/bin/python installers/sbom.py --out dist/dte-desktop-0.1.0-linux-x86_64.cdx.json

1. ``cyclonedx-py environment`` describes the build virtualenv (names, versions, licences,
   purls, hashes where known, dependency graph), with dte-desktop as the root component;
2. PyInstaller's build records (build/pyinstaller/build_spec/COLLECT-*.toc, PYZ-*.toc,
   PKG-*.toc) say which files went into the bundle; each file is traced back to the
   distribution that installed it (its RECORD), and only those distributions stay in the
   SBOM — test tools, PyInstaller's Python side and cyclonedx itself are left out,
   PyInstaller's bootloader is kept;
3. the CPython runtime and, on Linux, the Debian packages of system libraries copied into
   the bundle (e.g. libxcb-icccm4) are added as components.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sbom_native

from dte_desktop.core.notices import python_component

ROOT = Path(__file__).resolve().parents[1]
TYPECODES = {
    "PYMODULE",
    "PYSOURCE",
    "EXTENSION",
    "BINARY",
    "DATA",
    "DEPENDENCY",
    "ZIPFILE",
    "EXECUTABLE",
    "SYMLINK",
    "PYZ",
    "PKG",
    "SPLASH",
}


def bundled_sources(workdir: Path) -> set[Path]:
    """Source paths of every file PyInstaller put in the bundle (all Analysis TOCs)."""
    out: set[Path] = set()
    # COLLECT: binaries and data files as finally copied (after the spec's filters);
    # PYZ/PKG: the Python modules and scripts inside each executable.
    tocs = [t for pat in ("COLLECT-*.toc", "PYZ-*.toc", "PKG-*.toc") for t in workdir.glob(pat)]
    if not any(t.name.startswith("COLLECT") for t in tocs):
        raise SystemExit(f"sbom: no COLLECT-*.toc in {workdir}: build the bundle first")
    for toc in tocs:
        data = ast.literal_eval(toc.read_text())
        for part in data:
            if not isinstance(part, list):
                continue
            for item in part:
                if (
                    isinstance(item, tuple)
                    and len(item) == 3
                    and item[2] in TYPECODES
                    and isinstance(item[1], str)
                    and item[1]
                ):
                    out.add(Path(item[1]).resolve())
    return out


def owners(files: set[Path]) -> tuple[set[str], set[Path]]:
    """Distributions (canonical names) owning ``files``; and the files no distribution owns."""
    by_path: dict[Path, str] = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        for f in dist.files or []:
            by_path[Path(dist.locate_file(f)).resolve()] = name
    found, rest = set(), set()
    for f in files:
        if f in by_path:
            found.add(by_path[f])
        else:
            rest.add(f)
    return found, rest


def debian_packages(paths: set[Path]) -> dict[str, tuple[str, list[Path]]]:
    """``{package:arch: (version, files)}`` for system files, via dpkg (Debian/Ubuntu only)."""
    if not paths or not shutil_which("dpkg"):
        return {}
    pkgs: dict[str, tuple[str, list[Path]]] = {}
    for p in sorted(paths):
        r = subprocess.run(["dpkg", "-S", str(p)], capture_output=True, text=True)
        if r.returncode != 0:  # /lib -> /usr/lib merged-usr aliases
            alt = str(p).replace("/usr/lib/", "/lib/", 1)
            r = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True)
        if r.returncode == 0:
            pkg = r.stdout.split(":", 2)
            name = ":".join(pkg[:2]) if len(pkg) == 3 else pkg[0]
            name = name.split(",")[0].strip()
            v = subprocess.run(
                ["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True
            ).stdout.strip()
            pkgs.setdefault(name, (v, []))[1].append(p)
    return pkgs


def enrich(components: list[dict], bundle: Path, lock: Path) -> None:
    """Hashes and licences for every Python component, and the native code inside each
    wheel as its nested components (installers/sbom_native.py)."""
    locked = sbom_native.lock_hashes(lock) if lock.is_file() else {}
    by_name = {canonicalize_name(c["name"]): c for c in components}
    for key, comp in by_name.items():
        if not comp.get("purl", "").startswith("pkg:pypi/"):
            continue
        try:
            dist = metadata.distribution(comp["name"])
        except metadata.PackageNotFoundError:
            dist = None
        if not comp.get("licenses") and dist is not None:
            comp["licenses"] = sbom_native.licences(python_component(dist).licence)
        ver, digest = locked.get(key, ("", ""))
        if digest and ver == comp.get("version"):
            comp["hashes"] = [{"alg": "SHA-256", "content": digest}]  # the wheel's
        elif dist is not None and dist.files:  # not locked: the installed RECORD's hash
            record = next(f for f in dist.files if f.name == "RECORD")
            comp["hashes"] = [
                {"alg": "SHA-256", "content": sbom_native.sha256(Path(dist.locate_file(record)))}
            ]
    tops = metadata.packages_distributions()

    def owner(path: Path) -> str | None:
        parts = path.relative_to(bundle).parts
        top = parts[1] if parts[:1] == ("_internal",) and len(parts) > 2 else parts[-1]
        top = top.removesuffix(".libs").split(".")[0]
        for dist_name in tops.get(top, []):
            comp = by_name.get(canonicalize_name(dist_name))
            if comp is not None:
                return comp["bom-ref"]
        return None

    refs = {c["bom-ref"]: c for c in components}
    for ref, nested in sbom_native.native_components(bundle, owner).items():
        if ref in refs:  # files not from a wheel are the Debian/CPython components' own
            refs[ref].setdefault("components", []).extend(nested)


def shutil_which(cmd: str) -> str | None:
    import shutil

    return shutil.which(cmd)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--workdir", type=Path, default=ROOT / "build/pyinstaller/build_spec")
    ap.add_argument("--python", default=sys.executable, help="the build venv's interpreter")
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist/dte-desktop")
    ap.add_argument("--lock", type=Path, default=ROOT / "installers/lock/linux-x86_64.lock")
    args = ap.parse_args(argv)

    files = bundled_sources(args.workdir)
    dists, rest = owners(files)
    dists.add("pyinstaller")  # its bootloader is the executables' front end
    project_src = (ROOT / "dte_desktop").resolve()
    stdlib = Path(sys.base_prefix).resolve()
    venv = Path(sys.prefix).resolve()
    system = {
        f
        for f in rest
        if not f.is_relative_to(project_src)
        and not f.is_relative_to(stdlib)
        and not f.is_relative_to(venv)
        and not f.is_relative_to(ROOT)
    }

    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "env.cdx.json"
        env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "0"))
        subprocess.run(
            [
                str(Path(args.python).parent / "cyclonedx-py"),
                "environment",
                "--pyproject",
                str(ROOT / "pyproject.toml"),
                "--output-reproducible",
                "--of",
                "JSON",
                "-o",
                str(full),
                args.python,
            ],
            check=True,
            env=env,
        )
        bom = json.loads(full.read_text())

    kept, refs = [], set()
    for comp in bom.get("components", []):
        if canonicalize_name(comp["name"]) in dists:
            kept.append(comp)
            refs.add(comp["bom-ref"])
    root_name = canonicalize_name(bom["metadata"]["component"]["name"])
    missing = sorted(dists - {canonicalize_name(c["name"]) for c in kept} - {root_name})
    if missing:
        raise SystemExit(
            f"sbom: bundled distributions missing from the environment SBOM: {missing}"
        )

    py = platform.python_version()
    extra = [
        {
            "type": "application",
            "bom-ref": f"cpython@{py}",
            "name": "CPython",
            "version": py,
            "description": "Python runtime (libpython, standard library) frozen into the bundle",
            "licenses": [{"license": {"id": "PSF-2.0"}}],
            "purl": f"pkg:generic/cpython@{py}",
        }
    ]
    libpython = sorted((args.bundle / "_internal").glob("libpython3*.so*"))
    if libpython and libpython[0].is_file():
        extra[0]["hashes"] = [{"alg": "SHA-256", "content": sbom_native.sha256(libpython[0])}]
    for name, (ver, paths) in sorted(debian_packages(system).items()):
        pkg, _, arch = name.partition(":")
        paths = sorted(paths)
        extra.append(
            {
                "type": "library",
                "bom-ref": f"deb:{name}@{ver}",
                "name": pkg,
                "version": ver,
                "description": "system library copied into the bundle from the build machine",
                "purl": f"pkg:deb/debian/{pkg}@{ver}" + (f"?arch={arch}" if arch else ""),
                "licenses": sbom_native.debian_licences(pkg),
                # the component's artefact here is the library file copied from the package
                "hashes": [{"alg": "SHA-256", "content": sbom_native.sha256(paths[0])}],
                "properties": [
                    {
                        "name": "dte-desktop:copied-file",
                        "value": f"{p} sha256:" + sbom_native.sha256(p),
                    }
                    for p in paths
                ],
            }
        )
    kept += extra
    refs |= {c["bom-ref"] for c in extra}

    root = bom["metadata"]["component"]
    if not root.get("version"):  # the version is dynamic in pyproject.toml: read it here
        init = (ROOT / "dte_desktop" / "__init__.py").read_text("utf-8")
        root["version"] = re.search(r'__version__ = "([^"]+)"', init).group(1)
    root_ref = root["bom-ref"]
    deps = []
    for d in bom.get("dependencies", []):
        if d["ref"] in refs or d["ref"] == root_ref:
            deps.append(
                {"ref": d["ref"], "dependsOn": [x for x in d.get("dependsOn", []) if x in refs]}
            )
    root_dep = next((d for d in deps if d["ref"] == root_ref), None)
    if root_dep is not None:
        root_dep["dependsOn"] = sorted(set(root_dep["dependsOn"]) | {e["bom-ref"] for e in extra})
    enrich(kept, args.bundle, args.lock)
    bom["components"] = sorted(kept, key=lambda c: c["name"].lower())
    bom["serialNumber"] = sbom_native.serial_number(bom["components"])
    bom["dependencies"] = deps
    props = bom["metadata"].setdefault("properties", [])
    props += [
        {"name": "dte-desktop:sbom-scope", "value": "contents of the PyInstaller onedir bundle"},
        {"name": "dte-desktop:build-platform", "value": f"{sys.platform}-{platform.machine()}"},
        {"name": "dte-desktop:bundled-files", "value": str(len(files))},
    ]

    try:  # validate what we wrote against the CycloneDX schema
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator

        version = SchemaVersion.from_version(bom["specVersion"])
        err = JsonStrictValidator(version).validate_str(json.dumps(bom))
        if err:
            raise SystemExit(f"sbom: the filtered SBOM is not valid CycloneDX: {err}")
    except ImportError:
        print("sbom: cyclonedx-python-lib validator unavailable; not validated", file=sys.stderr)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(bom, indent=2) + "\n")
    print(
        f"sbom: {args.out} — {len(kept)} components ({len(extra)} non-Python), "
        f"{len(files)} bundled files traced"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
