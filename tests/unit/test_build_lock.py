"""The installer is built from a hashed lock with pinned build tools, reproducibly (issue 22
item 4): every runtime dependency and build tool locked with its hash, the Makefile installs
with --require-hashes, base_library.zip is rewritten in a fixed order."""

from __future__ import annotations

import re
import sys
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "installers" / "lock" / "linux-x86_64.lock"
sys.path.insert(0, str(ROOT / "installers"))

import normalize_zip  # noqa: E402


def _lock() -> dict[str, str]:
    text = LOCK.read_text("utf-8")
    entries = re.findall(
        r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:[0-9a-f]{64}$", text, re.M
    )
    names = [line.split("==")[0] for line in text.splitlines() if "==" in line]
    assert len(entries) == len(names), "an entry without its hash"
    return {canonicalize_name(n): v for n, v in entries}


def test_lock_pins_every_runtime_dependency_and_build_tool() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    locked = _lock()
    for r in project["dependencies"]:
        req = Requirement(r)
        name = canonicalize_name(req.name)
        assert name in locked, f"{name} not in the lock"
        assert req.specifier.contains(locked[name]), f"{name}=={locked[name]} outside {r}"
    for r in project["optional-dependencies"]["package"]:
        req = Requirement(r)
        (spec,) = req.specifier  # build tools are pinned exactly
        assert spec.operator == "==", r
        assert locked[canonicalize_name(req.name)] == spec.version, r
    assert "dte-desktop" not in locked  # the project itself is built from the tree


def test_make_package_installs_from_the_lock_with_hashes() -> None:
    make = (ROOT / "Makefile").read_text("utf-8")
    rule = make.split("$(PACKAGE_STAMP): ", 1)[1].split("\n\n", 1)[0]
    assert "--require-hashes --no-deps -r $(PACKAGE_LOCK)" in rule
    assert "PACKAGE_LOCK ?= installers/lock/linux-x86_64.lock" in make
    assert "-e '.[package]'" not in rule  # no resolving of ranges at build time
    script = (ROOT / "installers" / "package.sh").read_text("utf-8")
    assert "export PYTHONHASHSEED=0" in script
    assert script.index("normalize_zip.py") < script.index("seal_stage.sh")


def test_normalize_zip_gives_the_same_bytes_whatever_the_order(tmp_path) -> None:
    files = {"b/y.pyc": b"2", "a/x.pyc": b"1", "c.pyc": b"3"}
    made = []
    for i, order in enumerate((["b/y.pyc", "a/x.pyc", "c.pyc"], ["c.pyc", "a/x.pyc", "b/y.pyc"])):
        p = tmp_path / f"{i}.zip"
        with zipfile.ZipFile(p, "w") as zf:
            for name in order:
                zf.writestr(zipfile.ZipInfo(name, date_time=(2020 + i, 1, 1, 0, 0, 0)), files[name])
        assert normalize_zip.normalize(p, epoch=1764720000) == 3
        made.append(p.read_bytes())
        assert zipfile.ZipFile(p).namelist() == sorted(files)
        assert zipfile.ZipFile(p).read("a/x.pyc") == b"1"
    assert made[0] == made[1]
