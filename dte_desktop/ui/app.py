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
    p.add_argument(
        "--screenshots",
        type=Path,
        metavar="DIR",
        help="with --selftest: save screenshots to DIR: a first session on a new PostgreSQL "
        "database (steps.txt and index.html name them), then every main screen in both themes",
    )
    p.add_argument(
        "--tour",
        choices=("all", "first-session", "screens"),
        default="all",
        help="with --screenshots: which tour to run (default: both)",
    )
    p.add_argument(
        "--pg-url",
        metavar="URL",
        help="with --screenshots: the PostgreSQL database of the first-session tour (seeded "
        "with a customers table if it has none); default: a new database on "
        "127.0.0.1:5432, dropped afterwards",
    )
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

    # Registers the demo connection (and its officer-set classifications); the demo file
    # itself is built in the background below.
    ctx = bootstrap(demo=True)
    private = args.selftest and args.screenshots and _private_credentials_if_locked(ctx)
    window = MainWindow(ctx)
    if private:
        window.keeper.preset(private)
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
        ctx.ensure_demo()
        # Probing for an OS keyring can be slow (D-Bus): open the store here, not on the
        # GUI thread at the first preview. Opening never asks for the passphrase.
        ctx.credentials  # noqa: B018

    run_in_pool(_build_demo, demo_ready, demo_failed)

    if args.selftest and args.screenshots:
        window.connections_loaded.connect(
            lambda _n: QTimer.singleShot(0, lambda: _tour(window, args, result, app))
        )
        QTimer.singleShot(900_000, lambda: (result.update(code=2), app.quit()))
    elif args.selftest:
        shot = args.screenshot or (ctx.paths.data_dir / "selftest.png")

        def grab(_count: int) -> None:
            QTimer.singleShot(100, lambda: _finish(window, shot, result, app))

        window.connections_loaded.connect(grab)
        QTimer.singleShot(120_000, lambda: (result.update(code=2), app.quit()))

    code = app.exec()
    window.jobs.shutdown()  # app.quit() without a window close (the self-test) leaves jobs
    QThreadPool.globalInstance().waitForDone(30_000)
    ctx.close()
    return result["code"] or code


def _private_credentials_if_locked(ctx) -> str | None:  # type: ignore[no-untyped-def]
    """The screenshot tour runs unattended: where the credential store would ask for its
    master passphrase, it uses a throwaway store instead of blocking on a dialog (the
    user's own store is never opened or changed by the tour, nor by its job workers, which
    are told to use the same throwaway store). Returns the store's random passphrase."""
    import secrets
    import tempfile

    if os.environ.get("DTE_MASTER_PASSPHRASE") or not ctx.credentials.needs_passphrase:
        return None
    # Random, not a word: every passphrase is redacted from logs and job configs, and a
    # word like "selftest" would be blanked out of folder names too.
    phrase = secrets.token_urlsafe(18)
    tmp = Path(tempfile.mkdtemp(prefix="dte-selftest-"))
    ctx.use_credential_store(tmp / "secrets.enc", "file", lambda: phrase)
    return phrase


def _tour(window, args: argparse.Namespace, result: dict, app) -> None:  # type: ignore[no-untyped-def]
    if result.get("touring"):
        return  # connections_loaded fires again after each refresh
    result["touring"] = True
    from dte_desktop.ui.first_session import FirstSessionTour
    from dte_desktop.ui.selftest import ScreenshotTour, StepFailed

    try:
        if args.tour in ("all", "first-session"):
            FirstSessionTour(window, args.screenshots, args.pg_url).run()
        if args.tour in ("all", "screens"):
            ScreenshotTour(window, args.screenshots).run()
    except StepFailed as exc:
        print(f"selftest failed: {exc}", file=sys.stderr)
        result["code"] = 1
    except Exception:  # a bug in the app or the tour: fail loudly, never exit 0
        import traceback

        traceback.print_exc()
        result["code"] = 1
    app.quit()


def _finish(window, shot: Path, result: dict, app) -> None:  # type: ignore[no-untyped-def]
    shot.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(shot))
    if not ok or window.tree.topLevelItemCount() == 0:
        result["code"] = 1
    print(f"selftest screenshot: {shot}")
    app.quit()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
