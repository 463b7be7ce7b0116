"""Rewrite zip archives reproducibly: entries sorted by name, every timestamp the build's
SOURCE_DATE_EPOCH (1980-01-01 if unset), no extra fields, the same compression per entry.

    python installers/normalize_zip.py dist/dte-desktop/_internal/base_library.zip

PyInstaller writes base_library.zip in its module-graph order, which changed between two
builds of the same tree (issue 22 item 4): the contents were the same, the bytes not.
"""

from __future__ import annotations

import os
import sys
import time
import zipfile
from pathlib import Path


def normalize(path: Path, epoch: int | None = None) -> int:
    """Rewrite ``path`` in place; returns the number of entries."""
    if epoch is None:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    stamp = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    with zipfile.ZipFile(path) as src:
        entries = sorted(((i, src.read(i)) for i in src.infolist()), key=lambda e: e[0].filename)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as dst:
        for info, data in entries:
            out = zipfile.ZipInfo(info.filename, date_time=stamp)
            out.compress_type = info.compress_type
            out.external_attr = info.external_attr
            out.create_system = 3  # the same "made by" whatever OS builds it
            dst.writestr(out, data)
    os.replace(tmp, path)
    return len(entries)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for arg in argv:
        n = normalize(Path(arg))
        print(f"normalize_zip: {arg} — {n} entries sorted, timestamps fixed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
