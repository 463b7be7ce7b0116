"""``dte-desktop``: start the GUI (``--selftest`` renders offscreen, grabs, exits)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="dte-desktop", description="DTE Desktop")
    p.add_argument(
        "--selftest",
        action="store_true",
        help="open the window offscreen, save a screenshot, exit 0 when all is well",
    )
    p.add_argument("--screenshot", type=Path, help="where --selftest saves its screenshot")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.selftest:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QSettings, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.paths import app_paths
    from dte_desktop.ui.main_window import MainWindow
    from dte_desktop.ui.workers import run_in_pool

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("DTE Desktop")
    app.setOrganizationName("dte-desktop")
    paths = app_paths().ensure()
    # Keep window state beside the other per-user files (and inside DTE_HOME for tests).
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.config_dir))

    ctx = bootstrap(demo=False)
    window = MainWindow(ctx)
    window.show()
    window.status_label.setText("Preparing the demo database…")
    result = {"code": 0}

    def demo_ready(_: object) -> None:
        window.refresh_connections()

    def demo_failed(title: str, message: str) -> None:
        window.status_label.setText(f"{title}: {message}")
        result["code"] = 1
        window.refresh_connections()

    def _build_demo() -> None:
        from dte_desktop.core.demo import DEMO_CONNECTION, demo_url, ensure_demo

        ensure_demo(ctx.paths.demo_db)
        ctx.store.save_connection(DEMO_CONNECTION, demo_url(ctx.paths.demo_db), origin="builtin")

    run_in_pool(_build_demo, demo_ready, demo_failed)

    if args.selftest:
        shot = args.screenshot or (ctx.paths.data_dir / "selftest.png")

        def grab(_count: int) -> None:
            QTimer.singleShot(100, lambda: _finish(window, shot, result, app))

        window.connections_loaded.connect(grab)
        QTimer.singleShot(120_000, lambda: (result.update(code=2), app.quit()))

    code = app.exec()
    QThreadPool.globalInstance().waitForDone(30_000)
    ctx.close()
    return result["code"] or code


def _finish(window, shot: Path, result: dict, app) -> None:  # type: ignore[no-untyped-def]
    shot.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(shot))
    if not ok or window.tree.topLevelItemCount() == 0:
        result["code"] = 1
    print(f"selftest screenshot: {shot}")
    app.quit()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
