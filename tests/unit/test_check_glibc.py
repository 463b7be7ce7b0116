"""installers/check_glibc.py measures the glibc floor of a bundle (issue 22 item 1): the
highest GLIBC_ version any ELF file needs, failing above the floor; and the spec keeps the
build host's C/C++ runtime out."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installers" / "check_glibc.py"
sys.path.insert(0, str(ROOT / "installers"))

import check_glibc  # noqa: E402


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


def test_floor_is_the_highest_version_any_elf_file_needs(tmp_path) -> None:
    lib = Path(shutil.__file__).parents[1] / "libpython3.11.so.1.0"
    elf = next(p for p in (lib, Path(sys.executable).resolve()) if p.is_file())
    need = check_glibc.needs(elf)["GLIBC"]
    bundle = tmp_path / "bundle" / "_internal"
    bundle.mkdir(parents=True)
    shutil.copy2(elf, bundle / elf.name)
    (bundle / "notes.txt").write_text("not an ELF file")
    major, minor = (int(x) for x in need.split(".")[:2])
    below = f"{major}.{minor - 1}"
    r = _run(str(bundle.parent), "--floor", below)
    assert r.returncode == 1, r.stdout
    assert f"GLIBC_{need}" in r.stdout and elf.name in r.stdout and "FAILED" in r.stdout
    r = _run(str(bundle.parent), "--floor", need)
    assert r.returncode == 0 and f"needs glibc >= {need}" in r.stdout, r.stdout
    (tmp_path / "empty").mkdir()
    assert _run(str(tmp_path / "empty")).returncode == 2


def test_versions_compare_as_numbers() -> None:
    assert check_glibc.version("2.9") < check_glibc.version("2.34") < check_glibc.version("2.35")


def test_spec_leaves_the_build_hosts_cxx_runtime_out() -> None:
    spec = (ROOT / "build_spec.spec").read_text("utf-8")
    runtime = '{"libstdc++.so.6", "libgcc_s.so.1", "libexpat.so.1", "libdbus-1.so.3"}'
    assert f"HOST_RUNTIME = {runtime}" in spec
    assert "not in HOST_RUNTIME" in spec
    script = (ROOT / "installers" / "package.sh").read_text("utf-8")
    assert script.index("installers/check_glibc.py") < script.index("bash installers/seal_stage.sh")


def test_libstdcxx_needs_above_the_targets_fail(tmp_path) -> None:
    """libstdc++ comes from the target system: a file needing a newer GLIBCXX_ than Debian
    11's fails the check even when its GLIBC_ needs are within the floor."""
    bundle = tmp_path / "b"
    bundle.mkdir()
    # a small C++ consumer is not at hand: the shared venv's PySide6 Qt needs GLIBCXX symbols
    pyside = Path(__import__("PySide6").__file__).parent / "Qt" / "lib" / "libQt6Core.so.6"
    shutil.copy2(pyside, bundle / pyside.name)
    need = check_glibc.needs(bundle / pyside.name)
    assert "GLIBCXX" in need, need
    cxxabi = ("--cxxabi-floor", need.get("CXXABI", "1.3"))
    ok = _run(str(bundle), "--floor", "9.99", "--glibcxx-floor", need["GLIBCXX"], *cxxabi)
    assert ok.returncode == 0, ok.stdout
    below = need["GLIBCXX"].rsplit(".", 1)
    below = f"{below[0]}.{int(below[1]) - 1}"
    r = _run(str(bundle), "--floor", "9.99", "--glibcxx-floor", below, *cxxabi)
    assert r.returncode == 1 and "(GLIBCXX)" in r.stdout and "libQt6Core" in r.stdout, r.stdout
