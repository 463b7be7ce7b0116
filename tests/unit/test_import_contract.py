"""The import-linter contract: core stays Qt-free, and the contract really bites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [LINT, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_contract_holds_on_the_tree() -> None:
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "core never imports Qt" in out.stdout and "KEPT" in out.stdout


def test_contract_fails_when_core_imports_qt(tmp_path) -> None:
    shutil.copytree(
        ROOT / "dte_desktop",
        tmp_path / "dte_desktop",
        ignore=shutil.ignore_patterns("__pycache__", "resources"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    probe = tmp_path / "dte_desktop" / "core" / "qt_probe.py"
    probe.write_text("from PySide6 import QtCore  # the probe\n")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert "BROKEN" in out.stdout and "dte_desktop.core.qt_probe" in out.stdout
    probe.unlink()
    assert _lint(tmp_path).returncode == 0  # probe removed: kept again


def test_contract_fails_when_a_command_imports_the_cli(tmp_path) -> None:
    """Commands take context/emit from commands._context; cli.py sits above them (issue 19)."""
    shutil.copytree(
        ROOT / "dte_desktop",
        tmp_path / "dte_desktop",
        ignore=shutil.ignore_patterns("__pycache__", "resources"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    probe = tmp_path / "dte_desktop" / "commands" / "cli_probe.py"
    probe.write_text("from dte_desktop.cli import emit  # the probe\n")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert "commands never import the CLI" in out.stdout and "BROKEN" in out.stdout
    assert "dte_desktop.commands.cli_probe" in out.stdout
