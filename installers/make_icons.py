"""Render the application icon (resources/icons/dte-desktop.svg) to the raster
formats the installers need: PNG (Linux .desktop, 256 px), ICO (Windows exe and Inno Setup),
ICNS (macOS .app). Offline, with the Qt that the app ships (no Pillow, no network).

    .venv/bin/python installers/make_icons.py      # rewrites the files next to the SVG
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    renderer = QSvgRenderer(str(ICONS / "dte-desktop.svg"))
    if not renderer.isValid():
        print("the SVG icon does not render", file=sys.stderr)
        return 1

    def render(size: int) -> QImage:
        img = QImage(size, size, QImage.Format.Format_ARGB32)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        renderer.render(p)
        p.end()
        return img

    outputs = {
        "dte-desktop.png": ("PNG", 256),
        "dte-desktop.ico": ("ICO", 256),
        "dte-desktop.icns": ("ICNS", 512),
    }
    for name, (fmt, size) in outputs.items():
        if not render(size).save(str(ICONS / name), fmt):
            print(
                f"could not write {name} (Qt image format plugin {fmt} missing?)", file=sys.stderr
            )
            return 1
        print(ICONS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
