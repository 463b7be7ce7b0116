"""The catalog's context menu on a table (issue 20 item 9): Preview, Profile, Export…,
Copy name and Show DDL — the CREATE TABLE core reconstructs from the catalog, read-only,
with Copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from dte_desktop.ui import catalog_menu
from dte_desktop.ui.main_window import TAB_EXPORT, TAB_PREVIEW
from dte_desktop.ui.theme import apply_theme
from tests.ui.conftest import select_table

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def _trigger(menu, text: str) -> None:  # type: ignore[no-untyped-def]
    next(a for a in menu.actions() if a.text() == text).trigger()


def test_table_menu_previews_profiles_exports_copies_and_shows_ddl(qtbot, window) -> None:
    item = select_table(qtbot, window, "orders")
    window.tree.setCurrentItem(window.catalog.find_table("Demo (SQLite)", "customers"))
    menu = catalog_menu.table_menu(window.catalog, item)  # opened on another row
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Preview",
        "Profile",
        "Export…",
        "Copy name",
        "Show DDL",
    ]
    assert window.tree.currentItem() is item  # the menu acts on the row it opened on
    conn_item = window.catalog.find_connection("Demo (SQLite)")
    assert catalog_menu.table_menu(window.catalog, conn_item) is None  # tables only

    _trigger(menu, "Copy name")
    assert QGuiApplication.clipboard().text() == "orders"
    with qtbot.waitSignal(window.preview.loaded, timeout=60_000):
        _trigger(menu, "Preview")
    assert window.tabs.currentIndex() == TAB_PREVIEW and window.preview.ref.name == "orders"
    _trigger(menu, "Export…")
    assert window.tabs.currentIndex() == TAB_EXPORT
    assert window.export_form.checked_tables() == ["orders"]
    profiled: list[str] = []  # the window's own action (a real profile is test_profile's)
    window.profile_selected = lambda: profiled.append(window.selected_table()[1].ref.name)
    _trigger(menu, "Profile")
    assert profiled == ["orders"]

    dlg = catalog_menu.show_ddl(window.catalog, "Demo (SQLite)", window.preview.ref)
    with qtbot.waitSignal(dlg.loaded, timeout=30_000) as got:
        pass
    ddl = got.args[0]
    assert ddl == dlg.text.toPlainText() and dlg.text.isReadOnly()
    assert 'CREATE TABLE "orders" (' in ddl and 'PRIMARY KEY ("order_id")' in ddl
    assert 'FOREIGN KEY ("customer_id") REFERENCES "customers" ("customer_id")' in ddl
    dlg.copy_button.click()
    assert QGuiApplication.clipboard().text() == ddl
    SHOTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        apply_theme(theme)
        qtbot.wait(50)
        dlg.grab().save(str(SHOTS / f"ddl-{theme}.png"))
    apply_theme("light")
    menu.grab().save(str(SHOTS / "catalog-menu.png"))
    dlg.close()


@pytest.mark.postgres
def test_show_ddl_of_a_postgres_table_names_its_types(qtbot, window, pg_url) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from dte_desktop.core.sources.base import TableRef

    u = make_url(pg_url)
    with psycopg.connect(f"host={u.host} port={u.port} user={u.username} dbname={u.database}") as c:
        c.execute(
            'CREATE TABLE "Accounts" (id bigint PRIMARY KEY, iban varchar(34) NOT NULL, '
            "opened timestamptz)"
        )
    window.ctx.store.save_connection("pg", pg_url)
    dlg = catalog_menu.show_ddl(window.catalog, "pg", TableRef("public", "Accounts"))
    with qtbot.waitSignal(dlg.loaded, timeout=30_000) as got:
        pass
    ddl = got.args[0]
    assert 'CREATE TABLE "public"."Accounts" (' in ddl
    assert '"iban" character varying(34) NOT NULL' in ddl
    assert '"opened" timestamp with time zone' in ddl and 'PRIMARY KEY ("id")' in ddl
    missing = catalog_menu.show_ddl(window.catalog, "pg", TableRef("public", "nope"))
    with qtbot.waitSignal(missing.loaded, timeout=30_000):
        pass
    assert "nope" in missing.info.text() and not missing.copy_button.isEnabled()
    missing.close()
    dlg.close()
