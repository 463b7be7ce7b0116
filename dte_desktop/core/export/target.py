"""The folder a new export writes into (issue 17 item 7): it must be empty, or — with
``overwrite`` — hold only what the previous export's manifest lists, which is then removed.
Either way the folder ends up holding what the new manifest says, nothing more: a 2-slice
export written over a 4-slice one left two stale slices that read as rows of the new one
while ``sha256sum -c`` still passed.

A resume writes into its own folder and never comes here.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.manifest import MANIFEST, SUMS

FOLDER_LOCK = ".dte-export.lock"  # held (and then removed) while a job writes the folder
# What an export and its sealing write beside the listed files (dte package seal).
_BOOKKEEPING = (MANIFEST, SUMS, "SHA256SUMS.sig", "package.json")
_SHOWN = 8  # names quoted in a refusal; the rest counted


def _present(out_dir: Path) -> list[str]:
    """Every file under the folder, relative, except the job's own lock."""
    found = []
    for p in out_dir.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            continue
        rel = p.relative_to(out_dir).as_posix()
        if rel != FOLDER_LOCK:
            found.append(rel)
    return sorted(found)


def _listed(out_dir: Path) -> tuple[set[str], int | None] | None:
    """The names the previous manifest accounts for (its files, their sealed and partial
    forms, its bookkeeping files) and its job id; None when there is no readable manifest."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text("utf-8"))
        files = [f["path"] for f in manifest.get("files", [])]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    files += [x for x in manifest.get("extra_files", []) if isinstance(x, str)]
    names = set(_BOOKKEEPING) | {n + ".part" for n in _BOOKKEEPING}
    for f in files:
        names |= {f, f + ".part", f + ".age", f + ".age.part"}
    job = manifest.get("job_id")
    return names, job if isinstance(job, int) else None


def _quote(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def check_target(out_dir: Path, overwrite: bool) -> list[str]:
    """The files a new export into ``out_dir`` would remove first (relative names; empty
    for an empty or missing folder). Raises ``ConfigError`` — nothing removed — when the
    folder holds files and ``overwrite`` is off, or holds any file the previous manifest
    does not list."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"The export folder {out_dir} is a file, not a folder.")
    present = _present(out_dir) if out_dir.is_dir() else []
    if not present:
        return []
    previous = _listed(out_dir)
    if not overwrite:
        what = (
            f"the export of job {previous[1]}" if previous and previous[1] is not None
            else f"{len(present):,} file(s)"
        )  # fmt: skip
        raise ConfigError(
            f"The export folder {out_dir} is not empty (it holds {what}). Choose an empty "
            "folder, or replace the previous export (--overwrite; in the export form, "
            "'Replace the previous export in this folder'): only the files its manifest "
            "lists are removed."
        )
    if previous is None:
        raise ConfigError(
            f"--overwrite removes only what a previous export's manifest lists, and "
            f"{out_dir} has no readable {MANIFEST}; nothing was removed. Move these files "
            f"away or choose another folder: {_quote(present)}."
        )
    unknown = [n for n in present if n not in previous[0]]
    if unknown:
        raise ConfigError(
            f"--overwrite refused: {out_dir} holds file(s) the previous export's manifest "
            f"does not list: {_quote(unknown)}. Nothing was removed; move them away or "
            "choose another folder."
        )
    return present


def clear_target(out_dir: Path, overwrite: bool) -> list[str]:
    """Check (as ``check_target``), then remove the previous export's files — the manifest
    and its sums last, so an interrupted clearing still names what is left — and the
    folders they leave empty. Returns the removed names."""
    doomed = check_target(out_dir, overwrite)
    last = set(_BOOKKEEPING)
    for name in sorted(doomed, key=lambda n: n in last):
        (out_dir / name).unlink(missing_ok=True)
    for parent in sorted({(out_dir / n).parent for n in doomed}, key=lambda p: -len(p.parts)):
        while parent != out_dir and parent.is_relative_to(out_dir):
            with contextlib.suppress(OSError):  # not empty: something else lives there
                parent.rmdir()
            parent = parent.parent
    return doomed
