"""Fast checks of the offline-installer definitions (the PyInstaller build itself is not run
here: `make package` does that and self-tests the frozen app)."""

from __future__ import annotations

import ast
import importlib.util
import plistlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import platformdirs
import pytest

from dte_desktop.core import paths
from dte_desktop.core.privacy.service import site_policy
from dte_desktop.core.site import load_site

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"


def _spec_tree() -> ast.Module:
    return ast.parse((ROOT / "build_spec.spec").read_text("utf-8"))


def _list_literal(tree: ast.Module, name: str) -> list[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return [
                n.value
                for n in ast.walk(node.value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
    raise AssertionError(f"{name} not assigned in build_spec.spec")


def test_spec_excludes_plaintext_keyrings_and_never_strips() -> None:
    tree = _spec_tree()
    excludes = _list_literal(tree, "excludes")
    assert "keyrings" in excludes
    assert "keyrings.alt" in excludes
    for node in ast.walk(tree):  # strip=True breaks numpy (FACTS.md)
        if isinstance(node, ast.keyword) and node.arg == "strip":
            assert isinstance(node.value, ast.Constant) and node.value.value is False


def test_spec_keeps_needed_qt_plugins_and_drops_dead_weight() -> None:
    tree = _spec_tree()
    kept = _list_literal(tree, "KEEP_PLUGINS")
    assert {"qoffscreen", "qxcb", "qsvg", "qsvgicon"} <= set(kept)
    for dead in ("qgtk3", "qeglfs", "qvnc", "qpdf", "qtvirtualkeyboardplugin", "qevdevmouseplugin"):
        assert dead not in kept
    qt_unused = _list_literal(tree, "QT_UNUSED")
    for module in ("QtWebEngineCore", "Qt3DCore", "QtMultimedia", "QtQml", "QtQuick", "QtPdf"):
        assert module in qt_unused
    source = (ROOT / "build_spec.spec").read_text("utf-8")
    for needed in ("dte_desktop.core.sources", "dte_desktop.commands", "core/store/migrations"):
        assert needed in source


def test_packaging_tools_stay_out_of_the_test_extra() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "optional-dependencies"
    ]
    assert not any(r.lower().startswith("pyinstaller") for r in extras["test"])
    assert any(r.lower().startswith("pyinstaller") for r in extras["package"])


def test_site_example_parses_locked_and_without_secrets() -> None:
    site = load_site(INSTALLERS / "site.example.toml")
    assert site.present and site.name and site.default_export_dir
    assert site.connections and all(":@" not in c.url for c in site.connections)
    policy = site_policy(site)
    assert policy.locked is True
    assert policy.force_masked_export is True
    assert policy.allow_reveal is False
    assert "masking_policy" in site.locked_settings()


def test_site_file_paths_per_os(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where IT puts the site file (README.md, "Offline installation") is where the app looks."""
    from platformdirs.macos import MacOS
    from platformdirs.unix import Unix

    monkeypatch.delenv("DTE_SITE_FILE", raising=False)
    monkeypatch.delenv("XDG_CONFIG_DIRS", raising=False)
    monkeypatch.setattr(platformdirs, "PlatformDirs", Unix)
    assert paths.site_file() == Path("/etc/xdg/dte-desktop/site.toml")
    monkeypatch.setattr(platformdirs, "PlatformDirs", MacOS)
    assert paths.site_file() == Path("/Library/Application Support/dte-desktop/site.toml")
    if sys.platform != "win32":
        import platformdirs.windows as win

        monkeypatch.setattr(win, "get_win_folder", lambda _csidl: r"C:\ProgramData")
        monkeypatch.setattr(platformdirs, "PlatformDirs", win.Windows)
        got = str(paths.site_file()).replace("\\", "/")
        assert got == "C:/ProgramData/dte-desktop/site.toml"


def test_site_file_is_found_in_any_xdg_config_dir(monkeypatch, tmp_path) -> None:
    """Ubuntu desktops put /etc/xdg/xdg-ubuntu before /etc/xdg; IT installs to /etc/xdg."""
    from platformdirs.unix import Unix

    first, second = tmp_path / "xdg-ubuntu", tmp_path / "xdg"
    monkeypatch.delenv("DTE_SITE_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{first}:{second}")
    monkeypatch.setattr(platformdirs, "PlatformDirs", Unix)
    assert paths.site_file() == first / "dte-desktop" / "site.toml"  # none yet: the first
    (second / "dte-desktop").mkdir(parents=True)
    (second / "dte-desktop" / "site.toml").write_text("")
    assert paths.site_file() == second / "dte-desktop" / "site.toml"
    (first / "dte-desktop").mkdir(parents=True)
    (first / "dte-desktop" / "site.toml").write_text("")
    assert paths.site_file() == first / "dte-desktop" / "site.toml"  # earlier entries win


def _wheelhouse_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("wheelhouse", INSTALLERS / "wheelhouse.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_wheelhouse_evaluates_markers_for_the_target_platform() -> None:
    from packaging.markers import Marker

    wh = _wheelhouse_module()
    linux_only = Marker("sys_platform == 'linux'")
    windows_only = Marker('sys_platform == "win32"')
    assert linux_only.evaluate(wh.target_env("manylinux_2_34_x86_64"))
    assert not linux_only.evaluate(wh.target_env("win_amd64"))
    assert windows_only.evaluate(wh.target_env("win_amd64"))
    assert not windows_only.evaluate(wh.target_env("macosx_13_0_arm64"))
    assert wh.target_env("macosx_13_0_arm64")["platform_machine"] == "arm64"
    tags = wh.platform_tags("manylinux_2_34_x86_64")
    assert tags[0] == "manylinux_2_34_x86_64"
    assert {"manylinux_2_28_x86_64", "manylinux2014_x86_64"} <= set(tags)
    assert wh.platform_tags("win_amd64") == ["win_amd64"]


def test_installer_definitions_are_well_formed() -> None:
    plist = (INSTALLERS / "macos" / "Info.plist.in").read_text("utf-8")
    info = plistlib.loads(plist.replace("@VERSION@", "1.2.3").encode())
    assert info["CFBundleExecutable"] == "dte-desktop"
    assert info["CFBundleShortVersionString"] == "1.2.3"
    iss = (INSTALLERS / "windows" / "dte-desktop.iss").read_text("utf-8")
    assert "PrivilegesRequired=admin" in iss
    assert "{commonappdata}\\dte-desktop" in iss
    assert "/VERYSILENT" in iss
    desktop = (INSTALLERS / "linux" / "dte-desktop.desktop").read_text("utf-8")
    assert "Exec=@BINDIR@/dte-desktop" in desktop
    icons = ROOT / "resources" / "icons"
    for name in ("dte-desktop.svg", "dte-desktop.png", "dte-desktop.ico", "dte-desktop.icns"):
        assert (icons / name).stat().st_size > 0


@pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX shell")
def test_shell_scripts_parse() -> None:
    for script in (
        INSTALLERS / "linux" / "install.sh",
        INSTALLERS / "package.sh",
        INSTALLERS / "selftest_frozen.sh",
        INSTALLERS / "verify_wheelhouse.sh",
        INSTALLERS / "macos" / "make_dmg.sh",
        INSTALLERS / "review.sh",
    ):
        shell = "sh" if script.name == "install.sh" else "bash"
        subprocess.run([shell, "-n", str(script)], check=True)


def test_bundle_ships_licences_and_no_gpl_readline() -> None:
    """GNU readline (GPL-3) stays out; THIRD-PARTY-NOTICES is made from the SBOM into the
    bundle before the self-test and the checksums (issue 22, item 2)."""
    assert "readline" in _list_literal(_spec_tree(), "excludes")
    script = (INSTALLERS / "package.sh").read_text("utf-8")
    notices = script.index("installers/notices.py")
    assert script.index("installers/sbom.py") < notices < script.index("selftest_frozen.sh")
    assert notices < script.index("bash installers/seal_stage.sh")
    assert '--out "$BUNDLE/THIRD-PARTY-NOTICES"' in script


def _spec_function(name: str):  # type: ignore[no-untyped-def]
    """One helper of build_spec.spec, with the module constants it reads."""
    tree = _spec_tree()
    keep = [
        n
        for n in tree.body
        if (isinstance(n, ast.FunctionDef) and n.name in {name, "_dev_only"})
        or (
            isinstance(n, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id in {"DEV_SUFFIXES", "DEV_DIRS"} for t in n.targets
            )
        )
    ]
    ns: dict = {"Path": Path}
    exec(compile(ast.Module(body=keep, type_ignores=[]), "build_spec.spec", "exec"), ns)  # noqa: S102
    return ns[name]


def test_spec_leaves_headers_cython_sources_and_test_data_out() -> None:
    """Issue 22 item 8: 7.5 MB of headers, Cython sources and test data shipped."""
    dev_only = _spec_function("_dev_only")
    for dest in (
        "pyarrow/include/arrow/api.h",
        "pyarrow/lib.pyx",
        "pyarrow/_compute.pxd",
        "pyarrow/includes/libarrow.pxd",
        "pyarrow/src/arrow/python/helpers.cc",
        "pyarrow/tests/data/parquet/v0.7.1.parquet",
        "numpy/_core/include/numpy/ndarraytypes.h",
        "numpy/_core/lib/libnpymath.a",
        "numpy/random/lib/pkgconfig/npyrandom.pc",
        "datasketches/include/kll_sketch.hpp",
    ):
        assert dev_only(dest), dest
    for dest in (
        "dte_desktop/resources/masking_policy.toml",
        "stdnum/iban.dat",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "pyarrow/libarrow.so.2600",
        "tzdata/zoneinfo/Europe/Paris",
    ):
        assert not dev_only(dest), dest


def test_windows_setup_removes_old_files_and_refuses_downgrades() -> None:
    """Issue 22 item 8: old files survived upgrades; an older setup installed silently."""
    iss = (INSTALLERS / "windows" / "dte-desktop.iss").read_text("utf-8")
    section = iss.split("\n[InstallDelete]\n", 1)[1].split("\n[", 1)[0]
    assert 'Type: filesandordirs; Name: "{app}\\_internal"' in section
    code = iss.split("[Code]", 1)[1]
    init = code.split("function InitializeSetup(): Boolean;", 1)[1]
    assert init.index("IsDowngrade(") < init.index("Result := False")
    assert "CmdLineHas('/ALLOWDOWNGRADE')" in init
    assert "ComparePackedVersion(New, Old) < 0" in code
    assert "AppId={{{#AppGuid}}" in iss  # the uninstall key read below is this AppId's
    assert "'{' + '{#AppGuid}' + '}_is1'" in code


def test_build_host_paths_are_removed_before_sealing() -> None:
    """Issue 22 item 8: the bundle carried the build checkout's path (direct_url.json)."""
    script = (INSTALLERS / "package.sh").read_text("utf-8")
    rm = script.index('rm -f "$BUNDLE"/_internal/*.dist-info/direct_url.json')
    assert rm < script.index("installers/sbom.py") < script.index("bash installers/seal_stage.sh")


def test_documents_referenced_exist() -> None:
    """Issue 22 item 8: an offline-install document under docs/ was named and missing."""
    import re

    for f in [ROOT / "Makefile", *INSTALLERS.rglob("*"), *(ROOT / "tests").rglob("*.py")]:
        if not f.is_file() or f.suffix in {".png", ".ico", ".icns", ".pyc"}:
            continue
        for ref in re.findall(r"\bdocs/[\w./-]+\.md\b", f.read_text("utf-8", "replace")):
            assert (ROOT / ref).is_file(), f"{f.relative_to(ROOT)} names missing {ref}"


def test_size_cuts_keep_numpy_unstripped_and_drop_unused_parts() -> None:
    """Issue 22 item 3: the bundle sheds symbol tables and parts the app never imports, but
    numpy and the auditwheel-vendored *.libs copies are never stripped (FACTS.md)."""
    tree = _spec_tree()
    excludes = _list_literal(tree, "excludes")
    for dead in ("phonenumbers.geodata", "phonenumbers.carrierdata", "pyarrow._substrait", "dns"):
        assert dead in excludes
    assert "pyqtgraph/icons/peegee/" in _list_literal(tree, "UNUSED_DATA")
    assert "PySide6.QtOpenGL" not in excludes  # pyqtgraph's PlotCurveItem imports it
    qt_unused = _list_literal(tree, "QT_UNUSED")
    assert "QtNetwork" in qt_unused and "QtOpenGL" not in qt_unused
    script = (ROOT / "installers" / "package.sh").read_text("utf-8")
    strip = next(line for line in script.splitlines() if "strip --strip-unneeded" in line)
    finder = script[script.rindex("find ", 0, script.index(strip)) : script.index(strip)]
    assert "! -path '*/numpy/*'" in finder and "! -path '*.libs/*'" in finder
    assert "_internal" in finder  # never the executables (PyInstaller appends its archive)
