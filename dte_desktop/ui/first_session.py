"""The first-session tour (``dte-desktop --selftest --screenshots DIR``): what a new user
does on a new PostgreSQL database, through the same widgets a user clicks — add the
connection, browse the catalog, preview (masked), profile, classify (accept the
suggestions), export masked, open the job. Each step saves a PNG in DIR and the texts its
widgets show (``widget-text.txt``, so a test can search what the screenshots say);
``steps.txt`` and ``index.html`` name the pictures. A step that does not work fails the
tour with the step's name; so does a raw value of a masked column in any widget."""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from PySide6.QtWidgets import QPushButton, QWidget

from dte_desktop.core.jobs.events import JobFinished
from dte_desktop.core.store import JobStatus
from dte_desktop.ui.catalog import node
from dte_desktop.ui.selftest import StepFailed, settle, wait_until
from dte_desktop.ui.widget_text import widget_texts

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECTION = "First session (PostgreSQL)"
TABLE = "customers"
MASKED = ("email", "ssn")  # the columns whose raw values must never be shown
ROWS = 500

SEED_SQL = f"""
CREATE TABLE IF NOT EXISTS public.{TABLE} (
    customer_id integer PRIMARY KEY,
    full_name text NOT NULL,
    email text,
    ssn text,
    country text,
    balance numeric(12, 2),
    signed_up date
);
INSERT INTO public.{TABLE}
SELECT g,
       (ARRAY['Ana','Ben','Chloe','Dev','Eva','Femi'])[1 + g % 6] || ' Tourson' || g,
       'tour.person' || g || '@example.org',
       lpad((100 + g % 800)::text, 3, '0') || '-' || lpad((10 + g % 89)::text, 2, '0')
           || '-' || lpad((1000 + g)::text, 4, '0'),
       (ARRAY['PT','DE','FR','NL'])[1 + g % 4],
       round((g * 13.37)::numeric % 9000, 2),
       date '2020-01-01' + (g % 1500)
FROM generate_series(1, {ROWS}) g
ON CONFLICT DO NOTHING;
ANALYZE public.{TABLE};
"""


@dataclass
class TourDatabase:
    """The database the tour works on: one it creates (and drops afterwards) on a local
    server, or one the caller names with a URL (seeded with the customers table when it
    has none, never dropped)."""

    url: str
    created: bool = False
    raw_values: list[str] = field(default_factory=list)

    @classmethod
    def prepare(cls, url: str | None) -> TourDatabase:
        import psycopg

        created = url is None
        if url is None:
            name = f"dte_tour_{secrets.token_hex(4)}"
            with psycopg.connect(DEFAULT_SERVER, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = DEFAULT_SERVER.rsplit("/", 1)[0] + f"/{name}"
        db = cls(url, created)
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(SEED_SQL)
            cols = ", ".join(MASKED)
            for row in conn.execute(f"SELECT {cols} FROM public.{TABLE}"):
                db.raw_values.extend(str(v) for v in row if v)
        return db

    def parts(self) -> dict[str, str]:
        u = urlsplit(self.url)
        return {
            "host": u.hostname or "127.0.0.1",
            "port": str(u.port or 5432),
            "database": unquote(u.path.lstrip("/")),
            "user": unquote(u.username or "postgres"),
            "password": unquote(u.password or ""),
        }

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg

        name = self.parts()["database"]
        with psycopg.connect(DEFAULT_SERVER, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


STEPS = (
    ("01-add-connection", "Add a connection (File › New connection…), test it, save it"),
    ("02-browse-catalog", "Browse the catalog: connection › schema › table, its columns"),
    ("03-preview-masked", "Preview the table: unclassified columns are masked, and why"),
    ("04-profile", "Profile the table (the preview's offer), with its suggestions"),
    ("05-classify", "Classify: accept the profile's suggestions, with a reason, save"),
    ("06-masked-export", "Export the table masked, as CSV (Tools › Export…)"),
    ("07-job-detail", "Open the finished job from the Jobs dock: its detail"),
)


class FirstSessionTour:
    def __init__(self, window: Any, out_dir: Path, url: str | None = None) -> None:
        self.w, self.out, self.url = window, out_dir, url
        self.db: TourDatabase | None = None
        self.saved: list[Path] = []
        self.texts: list[str] = []
        self.job_id: int | None = None

    # -- plumbing --------------------------------------------------------------------
    def grab(self, widget: QWidget, slug: str) -> None:
        settle(350)
        path = self.out / f"{slug}.png"
        if not widget.grab().save(str(path)):
            raise StepFailed(f"could not save {path}")
        self.saved.append(path)
        texts = widget_texts(widget)
        self.texts.append(f"== {slug}\n" + "\n".join(texts))
        leaked = self._leaked(texts)
        if leaked:
            raise StepFailed(f"a raw {leaked} value is shown on screen")
        print(f"selftest screenshot: {path}", flush=True)

    def _leaked(self, texts: list[str]) -> str | None:
        raw = set(self.db.raw_values if self.db else ())
        for text in texts:
            for word in text.replace(",", " ").split():
                if word in raw:
                    return "email" if "@" in word else "ssn"
        return None

    def run(self) -> list[Path]:
        self.out.mkdir(parents=True, exist_ok=True)
        self.w.resize(1280, 900)
        steps: list[Callable[[], None]] = [
            self.add_connection,
            self.browse,
            self.preview,
            self.profile,
            self.classify,
            self.export,
            self.job_detail,
        ]
        try:
            try:
                self.db = TourDatabase.prepare(self.url)
            except Exception as exc:
                where = self.url or DEFAULT_SERVER
                raise StepFailed(
                    f"step 0 'prepare the database': cannot create or seed a database on "
                    f"{_no_password(where)}: {exc} (pass --pg-url URL to use another)"
                ) from exc
            for (slug, title), step in zip(STEPS, steps, strict=True):
                try:
                    step()
                except StepFailed as exc:
                    raise StepFailed(f"step {slug[:2]} '{title}': {exc}") from exc
        finally:
            self._write_index()
            self._cleanup()
        return self.saved

    def _write_index(self) -> None:
        (self.out / "widget-text.txt").write_text("\n\n".join(self.texts) + "\n")
        done = {p.stem for p in self.saved}
        lines = [f"{slug}.png\t{title}" for slug, title in STEPS if slug in done]
        (self.out / "steps.txt").write_text("\n".join(lines) + "\n")
        cells = "".join(
            f"<h2>{html.escape(title)}</h2><img src='{slug}.png' alt='{html.escape(title)}'>"
            for slug, title in STEPS
            if slug in done
        )
        (self.out / "index.html").write_text(
            "<!doctype html><meta charset='utf-8'><title>DTE Desktop — first session</title>"
            f"<style>img{{max-width:100%;border:1px solid #999}}</style>{cells}\n"
        )

    def _cleanup(self) -> None:
        for dlg in self.w.dialogs.values():
            dlg.hide()
        if self.db is not None and self.db.created:
            self.w.preview.loader.close()
            try:
                self.db.drop()
            except Exception as exc:  # the tour's result stands; say what is left behind
                print(f"selftest: could not drop the tour database: {exc}", flush=True)

    # -- the steps -------------------------------------------------------------------
    def add_connection(self) -> None:
        w, parts = self.w, self.db.parts()  # type: ignore[union-attr]
        w.new_connection_action.trigger()
        dlg = w.dialogs["connections"]
        wait_until(lambda: dlg.isVisible(), 10, "the Connections dialog")
        dlg.name.setText(CONNECTION)
        labels = [dlg.kind.itemText(i) for i in range(dlg.kind.count())]
        kind = next((i for i, label in enumerate(labels) if "PostgreSQL" in label), -1)
        if kind < 0:
            raise StepFailed("the connection form offers no PostgreSQL kind")
        dlg.kind.setCurrentIndex(kind)
        for box, key in ((dlg.host, "host"), (dlg.port, "port"), (dlg.database, "database")):
            box.setText(parts[key])
        dlg.user.setText(parts["user"])
        dlg.password.setText(parts["password"])
        tested: list[tuple[bool, str]] = []
        dlg.tested.connect(lambda ok, text: tested.append((ok, text)))
        dlg.test_button.click()
        wait_until(lambda: tested, 30, "Test connection")
        if not tested[-1][0]:
            raise StepFailed(f"Test connection failed: {tested[-1][1]}")
        self.grab(dlg, STEPS[0][0])
        saved: list[str] = []
        dlg.saved.connect(saved.append)
        dlg.save_button.click()
        wait_until(lambda: saved, 30, "Save")
        dlg.hide()

    def browse(self) -> None:
        w = self.w
        conn = wait_until(lambda: w.catalog.find_connection(CONNECTION), 20, "the new connection")
        w.tree.setCurrentItem(conn)
        w.tree.expandItem(conn)
        wait_until(lambda: node(conn).get("loaded"), 30, "the schemas")
        schema = next(
            (conn.child(i) for i in range(conn.childCount()) if conn.child(i).text(0) == "public"),
            None,
        )
        if schema is None:
            raise StepFailed("no schema 'public' under the connection")
        w.tree.expandItem(schema)
        wait_until(lambda: node(schema).get("loaded"), 30, "the tables")
        item = wait_until(lambda: w.catalog.find_table(CONNECTION, TABLE), 10, "customers")
        w.tree.setCurrentItem(item)
        w.tabs.setCurrentIndex(0)
        wait_until(lambda: "email" in w.overview.text(), 30, "the table's columns")
        self.grab(w, STEPS[1][0])

    def preview(self) -> None:
        w = self.w
        loaded: list[int] = []
        w.preview.loaded.connect(loaded.append)
        _shortcut(w, "Ctrl+Shift+V")
        wait_until(lambda: loaded and w.preview.model is not None, 60, "the preview")
        masked = set(w.preview.masked_columns())
        if not set(MASKED) <= masked:
            raise StepFailed(f"{', '.join(sorted(set(MASKED) - masked))} not masked")
        wait_until(lambda: w.preview.banner.isVisible(), 20, "the 'not classified' banner")
        self.grab(w, STEPS[2][0])

    def profile(self) -> None:
        w = self.w
        profiled: list[dict] = []
        w.profile_view.profiled.connect(profiled.append)
        if not w.preview.profile_button.isVisible():
            raise StepFailed("the preview does not offer to profile the table")
        w.preview.profile_button.click()
        wait_until(lambda: profiled, 180, "the profile")
        w.tabs.setCurrentWidget(w.profile_view)  # the editor opened; look at the profile
        table = w.profile_view.table
        names = [table.item(r, 0).text() for r in range(table.rowCount())]
        if "email" in names:
            table.setCurrentCell(names.index("email"), 0)
        self.grab(w, STEPS[3][0])

    def classify(self) -> None:
        w, view = self.w, self.w.classify_view
        w.tabs.setCurrentWidget(view)
        wait_until(lambda: view.save_button.isEnabled(), 30, "the classification editor")
        if not view.accept_all.isEnabled():
            raise StepFailed("'Accept suggestions' is disabled")
        view.accept_all.click()
        view.reason.setText("first session: accept the profile's suggestions")
        saved: list[object] = []
        view.saved.connect(lambda _c, plan: saved.append(plan))
        view.save_button.click()
        wait_until(lambda: saved or (view.lower_dialog and view.lower_dialog.isVisible()), 30, "")
        if not saved:
            raise StepFailed("saving asked to confirm a lowering (a suggestion below a level)")
        wait_until(lambda: view.save_button.isEnabled(), 30, "the editor after saving")
        self.grab(w, STEPS[4][0])

    def export(self) -> None:
        w, form = self.w, self.w.export_form
        w.tree.setCurrentItem(w.catalog.find_table(CONNECTION, TABLE))
        _shortcut(w, "Ctrl+E")
        if w.tabs.currentWidget() is not form:
            raise StepFailed("Ctrl+E did not open the Export tab")
        wait_until(lambda: form.columns.count() > 0, 30, "the columns to export")
        form.format.setCurrentText("csv")
        form.out_dir.setText(str(self.out / "export"))
        form.mask.setChecked(True)
        started: list[Any] = []
        ended: dict[int, str] = {}
        w.jobs.started.connect(started.append)
        w.jobs.event.connect(
            lambda ev: ended.update({ev.job_id: ev.status}) if isinstance(ev, JobFinished) else None
        )
        self.grab(w, STEPS[5][0])
        form.start_button.click()
        wait_until(lambda: started, 60, f"the export to start ({form.message.text()})")
        self.job_id = started[0].job_id
        status = wait_until(lambda: ended.get(self.job_id), 180, "the export to finish")
        if status != JobStatus.COMPLETE:
            raise StepFailed(f"the export ended {status}")

    def job_detail(self) -> None:
        w, dock = self.w, self.w.jobs_dock
        dock.refresh()
        wait_until(lambda: self.job_id in dock.visible_job_ids(), 20, "the job in the dock")
        row = dock.visible_job_ids().index(self.job_id)
        dock.table.selectRow(row)
        opener = [b for b in dock.findChildren(QPushButton) if b.text() == "Open"]
        if not opener:
            raise StepFailed("the Jobs dock has no Open button")
        opener[0].click()
        win = wait_until(lambda: w.job_windows.get(self.job_id), 10, "the job window")
        win.resize(1000, 640)
        wait_until(lambda: win.detail is not None and win.detail.job.status.finished, 30, "")
        win.tabs.setCurrentIndex(1)
        self.grab(win, STEPS[6][0])
        win.close()


def _shortcut(window: Any, keys: str) -> None:
    """Choose the menu item with this shortcut, as a user does (the same QAction)."""
    from PySide6.QtGui import QAction, QKeySequence

    seq = QKeySequence(keys)
    for action in window.findChildren(QAction):
        if action.shortcut() == seq and action.isEnabled():
            action.trigger()
            settle(50)
            return
    raise StepFailed(f"no menu item has the shortcut {keys}")


def _no_password(url: str) -> str:
    u = urlsplit(url)
    return url.replace(f":{u.password}@", ":***@") if u.password else url
