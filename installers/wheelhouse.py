"""Make an offline wheelhouse for one target platform (the only step that uses the network).

    .venv/bin/python installers/wheelhouse.py --platform manylinux_2_34_x86_64
    # -> wheelhouse/manylinux_2_34_x86_64/
    #      *.whl                 every runtime wheel (binary only) + the project's own wheel
    #      requirements.lock     name==version --hash=sha256:… for each (pip --require-hashes)
    #      build-tools/          pyinstaller, cyclonedx-bom, setuptools, wheel (+ their lock):
    #                            what `make package` needs to rebuild the installer offline
    #      SHA256SUMS            of every file above (sha256sum -c SHA256SUMS)

Versions are those of the build virtualenv (the ones the bundle is built and tested with), so
the wheelhouse and the installer carry the same code; a dependency that only the target
platform needs (e.g. pywin32-ctypes for keyring on Windows) is resolved within the ranges of
pyproject.toml.

Why not just `pip download --platform`: pip evaluates environment markers (``sys_platform ==
'linux'``) against the interpreter that runs it, not the target (pypa/pip#6117, #10050), so a
Windows wheelhouse made on Linux would miss pywin32-ctypes and carry SecretStorage. This script
downloads with pip, then walks the dependency graph itself with the target's markers, fetches
what is missing and removes what the target does not need.
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
PY = "3.11"
BUILD_TOOLS = ["pyinstaller", "cyclonedx-bom", "setuptools>=77", "wheel"]


def target_env(platform: str) -> dict[str, str]:
    """PEP 508 marker values of a CPython 3.11 on ``platform`` (a wheel platform tag)."""
    env = {
        "python_version": PY,
        "python_full_version": f"{PY}.9",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "implementation_version": f"{PY}.9",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }
    if platform.startswith(("manylinux", "musllinux", "linux")):
        machine = re.sub(
            r"^(manylinux\d*|manylinux_\d+_\d+|musllinux_\d+_\d+|linux)_", "", platform
        )
        env |= {
            "sys_platform": "linux",
            "platform_system": "Linux",
            "os_name": "posix",
            "platform_machine": machine,
        }
    elif platform.startswith("win"):
        machine = {"win_amd64": "AMD64", "win_arm64": "ARM64", "win32": "x86"}[platform]
        env |= {
            "sys_platform": "win32",
            "platform_system": "Windows",
            "os_name": "nt",
            "platform_machine": machine,
        }
    elif platform.startswith("macosx"):
        machine = platform.split("_")[-1]
        machine = "x86_64" if machine in ("x86_64", "intel", "universal2") else machine
        env |= {
            "sys_platform": "darwin",
            "platform_system": "Darwin",
            "os_name": "posix",
            "platform_machine": machine,
        }
    else:
        raise SystemExit(f"unknown platform tag {platform!r}")
    return env


def wheel_meta(path: Path) -> tuple[str, str, list[str]]:
    with zipfile.ZipFile(path) as zf:
        name = next(
            n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1
        )
        msg = email.parser.BytesParser().parsebytes(zf.read(name), headersonly=True)
    return canonicalize_name(msg["Name"]), msg["Version"], msg.get_all("Requires-Dist") or []


def closure(out: Path, roots: list[str], env: dict[str, str]) -> tuple[dict[str, Path], set[str]]:
    """Wheels in ``out`` reachable from ``roots`` under ``env``; and the names not there."""
    wheels = {}
    for whl in out.glob("*.whl"):
        name, _ver, _reqs = wheel_meta(whl)
        wheels[name] = whl
    need, missing = {}, set()
    todo = [(Requirement(r), "") for r in roots]
    seen = set()
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate(env | {"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        key = (name, tuple(sorted(req.extras)))
        if key in seen:
            continue
        seen.add(key)
        if name not in wheels:
            missing.add(str(req).split(";")[0])
            continue
        need[name] = wheels[name]
        _n, _v, reqs = wheel_meta(wheels[name])
        for r in reqs:
            sub = Requirement(r)
            if sub.marker is None:
                todo.append((sub, ""))
                continue
            # evaluate for the base requirement and for each extra asked for
            for ex in ["", *req.extras]:
                if sub.marker.evaluate(env | {"extra": ex}):
                    todo.append((Requirement(str(sub).split(";")[0]), ""))
                    break
    return need, missing


def installed_constraints(root: str) -> list[str]:
    """``name==version`` for the runtime closure of ``root`` in this (the build) venv."""
    out, todo, seen = [], [Requirement(root)], set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue
        if name != canonicalize_name(root):
            out.append(f"{dist.metadata['Name']}=={dist.version}")
        for r in dist.requires or []:
            sub = Requirement(r)
            extras = req.extras or {""}
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(Requirement(str(sub).split(";")[0]))
    return sorted(out, key=str.lower)


def platform_tags(platform: str) -> list[str]:
    """``--platform`` values for pip. pip expands manylinux2014 to the older legacy tags but
    not a PEP 600 tag: ``manylinux_2_34_x86_64`` must list 2_33 … 2_17 and the legacy aliases
    itself (a glibc 2.34 system runs wheels built for any older glibc)."""
    m = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", platform)
    if not m:
        return [platform]
    minor, arch = int(m.group(1)), m.group(2)
    tags = [f"manylinux_2_{v}_{arch}" for v in range(minor, 16, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    return tags + [f"{name}_{arch}" for v, name in legacy.items() if v <= minor]


def pip_download(out: Path, platform: str, reqs: list[str], constraints: Path | None) -> None:
    plats = [a for p in platform_tags(platform) for a in ("--platform", p)]
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        *plats,
        "--python-version",
        PY,
        "--implementation",
        "cp",
        "--dest",
        str(out),
        "--find-links",
        str(out),
        *reqs,
    ]
    if constraints:
        cmd += ["--constraint", str(constraints)]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_lock(path: Path, wheels: dict[str, Path], header: str) -> None:
    lines = [
        f"# {header}",
        "# pip install --no-index --find-links . --require-hashes -r " + path.name,
    ]
    for name in sorted(wheels):
        whl = wheels[name]
        _n, ver, _r = wheel_meta(whl)
        lines.append(f"{name}=={ver} \\\n    --hash=sha256:{sha256(whl)}")
    path.write_text("\n".join(lines) + "\n")


def fill(out: Path, platform: str, roots: list[str], constraints: Path | None) -> dict[str, Path]:
    env = target_env(platform)
    pip_download(out, platform, roots, constraints)
    for _ in range(5):  # marker-gated dependencies pip skipped (evaluated for this host)
        need, missing = closure(out, roots, env)
        if not missing:
            break
        pip_download(out, platform, sorted(missing), constraints)
    else:
        raise SystemExit(f"could not complete the wheelhouse: missing {sorted(missing)}")
    for whl in out.glob("*.whl"):  # what pip fetched for this host but the target never uses
        if whl not in need.values():
            print(f"removing {whl.name}: not needed on {platform}")
            whl.unlink()
    return need


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--platform",
        required=True,
        help="wheel platform tag: manylinux_2_34_x86_64, win_amd64, macosx_13_0_arm64…",
    )
    ap.add_argument("--out", type=Path, help="default: wheelhouse/<platform>")
    ap.add_argument(
        "--no-build-tools",
        action="store_true",
        help="skip build-tools/ (pyinstaller, cyclonedx-bom) for offline rebuilds",
    )
    args = ap.parse_args(argv)
    out = (args.out or ROOT / "wheelhouse" / args.platform).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    # 1. the project's own wheel (pure Python; built from this tree)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--disable-pip-version-check",
            "--no-deps",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    own = next(out.glob("dte_desktop-*.whl"))
    _name, own_ver, _ = wheel_meta(own)
    _, _, _, tags = parse_wheel_filename(own.name)
    assert any(t.platform == "any" for t in tags), own.name

    # 2. every runtime dependency, at the versions the bundle is built with
    constraints = out / "constraints.txt"
    constraints.write_text("\n".join(installed_constraints("dte-desktop")) + "\n")
    need = fill(out, args.platform, [f"dte-desktop=={own_ver}"], constraints)
    constraints.unlink()
    write_lock(
        out / "requirements.lock",
        need,
        f"dte-desktop {own_ver} runtime for cp311-{args.platform} (installers/wheelhouse.py)",
    )

    # 3. build tools, for rebuilding the installer without a network
    if not args.no_build_tools:
        bt = out / "build-tools"
        bt.mkdir()
        tools = fill(bt, args.platform, BUILD_TOOLS, None)
        write_lock(
            bt / "requirements.lock",
            tools,
            f"installer build tools for cp311-{args.platform} (installers/wheelhouse.py)",
        )

    # 4. checksums of everything
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    (out / "SHA256SUMS").write_text(
        "".join(f"{sha256(p)}  {p.relative_to(out).as_posix()}\n" for p in files)
    )
    total = sum(p.stat().st_size for p in files)
    print(
        f"wheelhouse: {out} — {len(need)} runtime wheels, {len(files)} files, {total / 1e6:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
