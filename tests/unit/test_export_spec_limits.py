"""Export options a user can get wrong are refused with a clear message, before any job."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.spec import MAX_PARTITIONS, ExportSpec


def spec(**kw: object) -> ExportSpec:
    return ExportSpec(connection="sqlite:///x.db", out_dir="out", tables=("t",), **kw).validate()


def test_partitions_are_capped() -> None:
    assert spec(partitions=MAX_PARTITIONS).partitions == MAX_PARTITIONS
    with pytest.raises(ConfigError, match=r"At most 256 partitions per table \(100,000 asked\)"):
        spec(partitions=100_000)
    with pytest.raises(ConfigError, match="positive number"):
        spec(partitions=0)


def test_the_cli_refuses_too_many_partitions(demo_home: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "dte_desktop", "export", "Demo (SQLite)", "customers",
         "--partitions", "100000", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 2 and "At most 256 partitions" in r.stderr, r.stderr
    assert not out.exists()
