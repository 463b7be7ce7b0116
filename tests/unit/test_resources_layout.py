"""Issue 22 item 10: icons, the default policy, demo classifications and the PII word lists
live in the top-level resources/ (the design card's layout); the wheel and the PyInstaller
spec take them from there, and an installed copy finds them offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dte_desktop.core.paths import resources_dir

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = [
    "masking_policy.toml",
    "demo_classifications.toml",
    "icons/dte-desktop.svg",
    "icons/dte-desktop.png",
    "icons/dte-desktop.ico",
    "icons/dte-desktop.icns",
    "pii/first_names.txt",
    "pii/surnames.txt",
    "pii/LICENSE-faker.txt",
]


def test_resources_sit_at_the_top_level_and_the_tree_uses_them() -> None:
    assert not (ROOT / "dte_desktop" / "resources" / "masking_policy.toml").exists()
    for rel in EXPECTED:
        assert (ROOT / "resources" / rel).is_file(), rel
    assert resources_dir() == ROOT / "resources"


def test_spec_takes_resources_from_the_top_level() -> None:
    spec = (ROOT / "build_spec.spec").read_text("utf-8")
    assert 'RESOURCES = ROOT / "resources"' in spec
    assert 'Path("dte_desktop/resources")' in spec
    assert '"resources/**/*"' not in spec  # no longer collected from inside the package


@pytest.mark.slow
def test_the_wheel_carries_the_resources_and_the_installed_app_finds_them(tmp_path) -> None:
    """Build the wheel from this tree, install it with no index and no dependencies into a
    folder, and load every resource from there with no network."""
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("dte_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in EXPECTED:
        assert f"dte_desktop/resources/{rel}" in names, rel
    assert not any(n.startswith("resources/") for n in names)  # no stray top-level package
    assert "dte_desktop/core/store/migrations/env.py" in names

    target = tmp_path / "site"
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
         "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert inst.returncode == 0, inst.stderr[-3000:]
    probe = (
        "import json, dte_desktop\n"
        "from dte_desktop.core.paths import resources_dir\n"
        "from dte_desktop.core.privacy.policy import default_policy\n"
        "from dte_desktop.core.privacy import _words\n"
        "r = resources_dir()\n"
        "print(json.dumps({'pkg': dte_desktop.__file__, 'res': str(r),\n"
        "  'rules': len(default_policy().levels), 'names': len(_words.first_names()),\n"
        "  'icon': (r / 'icons' / 'dte-desktop.png').stat().st_size}))\n"
    )
    # the installed copy first on the path; the test venv only lends the dependencies. The
    # working directory is elsewhere, so the source tree cannot be picked up by accident.
    env = dict(os.environ, PYTHONPATH=str(target), PYTHONNOUSERSITE="1")
    run = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["pkg"].startswith(str(target))
    assert got["res"] == str(target / "dte_desktop" / "resources")
    assert got["rules"] > 0 and got["names"] > 1000 and got["icon"] > 0
