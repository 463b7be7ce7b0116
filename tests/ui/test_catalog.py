"""The catalog tree, its filter, shortcuts, themes and remembered state."""

from __future__ import annotations

from PySide6.QtCore import Qt

from dte_desktop.ui.catalog import node
from tests.ui.conftest import close_window, expand_demo, make_window


def test_tree_lists_demo_tables_lazily_with_kind_and_estimates(qtbot, window) -> None:
    conn = window.catalog.find_connection("Demo (SQLite)")
    assert conn.childCount() == 1 and conn.child(0).text(0) == "Loading…"  # not listed yet
    expand_demo(qtbot, window)
    tables = {conn.child(i).text(0): conn.child(i) for i in range(conn.childCount())}
    assert {"customers", "orders", "products", "customer_order_totals"} <= set(tables)
    assert tables["customers"].text(1) == "table"
    assert tables["customer_order_totals"].text(1) == "view"
    assert tables["orders"].text(2) == "~500.0k"
    assert node(tables["customers"])["info"].estimated_rows == 100_000
    # Badges: the most sensitive stored level (the demo ships its classifications).
    assert tables["customers"].text(3) == "HRCI"
    assert "HRCI" in tables["customers"].toolTip(3)
    assert tables["customers"].background(3).color().name() == "#ef8a8a"
    assert tables["demo_meta"].text(3) == "Public"
    window.tree.setCurrentItem(tables["customers"])
    qtbot.waitUntil(lambda: "card_number" in window.overview.text(), timeout=10_000)


def test_refreshing_connections_keeps_what_is_expanded(qtbot, window, tmp_path) -> None:
    """Adding a connection refreshes the list; the tree the user opened stays open, and a
    removed connection's item goes (a listing still running for it is dropped quietly)."""
    demo = expand_demo(qtbot, window)
    assert demo.isExpanded() and demo.childCount() > 1
    window.ctx.store.save_connection("Another", f"sqlite:///{tmp_path / 'another.sqlite'}")
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
        window.refresh_connections()
    assert window.catalog.find_connection("Demo (SQLite)") is demo
    assert demo.isExpanded() and node(demo)["loaded"] and demo.childCount() > 1
    names = [window.tree.topLevelItem(i).text(0) for i in range(window.tree.topLevelItemCount())]
    assert sorted(names) == names and "Another" in names
    another = window.catalog.find_connection("Another")
    window.tree.setCurrentItem(another)
    window.tree.expandItem(another)  # its listing runs in a worker ...
    window.ctx.store.remove_connection("Another")
    with qtbot.waitSignal(window.connections_loaded, timeout=10_000):
        window.refresh_connections()  # ... while the connection is removed
    assert window.catalog.find_connection("Another") is None
    qtbot.wait(300)  # the orphaned listing lands without an error (Qt warnings fail the test)
    assert window.catalog.find_connection("Demo (SQLite)") is demo


def test_filter_box_hides_other_tables_ctrl_f_focuses_it(qtbot, window) -> None:
    conn = expand_demo(qtbot, window)
    window.tree.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.catalog.filter.hasFocus()
    qtbot.keyClicks(window.catalog.filter, "ord")
    visible = [
        conn.child(i).text(0) for i in range(conn.childCount()) if not conn.child(i).isHidden()
    ]
    assert visible == ["customer_order_totals", "orders"]
    window.catalog.filter.clear()
    assert all(not conn.child(i).isHidden() for i in range(conn.childCount()))


def test_f5_relists_the_selected_connection(qtbot, window) -> None:
    conn = expand_demo(qtbot, window)
    window.tree.setCurrentItem(conn)
    window.tree.setFocus()
    with qtbot.waitSignal(window.catalog.children_loaded, timeout=15_000):
        qtbot.keyClick(window.tree, Qt.Key.Key_F5)
    assert conn.childCount() >= 5


def test_theme_switch_is_remembered_with_the_window_state(qtbot, ctx) -> None:
    from PySide6.QtWidgets import QApplication

    from dte_desktop.ui import theme

    w = make_window(qtbot, ctx)
    assert {a.text() for a in w.menuBar().actions()} == {"&File", "&View", "&Tools", "&Help"}
    expand_demo(qtbot, w)
    badge = w.catalog.find_table("Demo (SQLite)", "customers")
    light = badge.background(3).color().name()
    w.theme_actions["dark"].trigger()
    assert theme.current() == "dark"
    dark = badge.background(3).color().name()
    assert light != dark and dark == theme.level_colour("HRCI").name()
    assert QApplication.palette().window().color().lightness() < 80
    w.resize(900, 640)
    close_window(qtbot, w)
    again = make_window(qtbot, ctx)
    assert theme.current() == "dark" and again.theme_actions["dark"].isChecked()
    assert again.width() < 1000  # the remembered size, not the 1200 px default
    again.set_theme("light")
    close_window(qtbot, again)
