"""The main window's work area: what the catalog selection shows in each tab, and the
actions that open a tab on the selected table (preview, profile, classify, export, SQL)."""

from __future__ import annotations

from typing import Any

from dte_desktop.core.sources.base import TableInfo
from dte_desktop.ui.catalog import node

TAB_OVERVIEW, TAB_PROFILE, TAB_CLASSIFY, TAB_PREVIEW, TAB_SAMPLE, TAB_EXPORT, TAB_RISK, TAB_SQL = (
    range(8)
)


class TabsMixin:
    """Catalog selection and tab handling of :class:`~dte_desktop.ui.main_window.MainWindow`."""

    def refresh_connections(self) -> None:
        self.catalog.refresh()
        self.jobs_dock.refresh()

    def refresh_current(self) -> None:
        """F5: the connection list again (one added elsewhere shows up, a removed one goes)
        and, under the selected connection or schema, its listing again."""
        item = self.tree.currentItem()
        if item is not None and node(item).get("type") in ("connection", "schema"):
            self.catalog.reload(item)
        self.refresh_connections()

    def focus_filter(self) -> None:
        self.catalog.filter.setFocus()
        self.catalog.filter.selectAll()

    def _on_node(self, data: dict) -> None:
        if data:
            self.overview_tab.show_node(data)
        if data.get("connection"):
            self.sql_console.set_connection(data["connection"])
        if data.get("type") == "table":
            self.sample_view.set_target(data["connection"], data["info"].ref)
            self.profile_view.set_target(data["connection"], data["info"].ref)
            if self.tabs.currentWidget() is self.risk_view:
                self.risk_view.set_target(data["connection"], data["info"].ref)
            if self.tabs.currentWidget() is self.classify_view:
                self.classify_view.set_target(data["connection"], data["info"].ref)
            if self.tabs.currentWidget() is self.export_form:
                self._fill_export(self.tree.currentItem())

    def _show_node_again(self) -> None:
        """A profile ended: the Overview's PII section of the selected table is stale."""
        if data := node(self.tree.currentItem()):
            self.overview_tab.show_node(data)

    def _tab_changed(self, index: int) -> None:
        # The Risk and Classify tabs read the table's columns only when looked at.
        data = node(self.tree.currentItem())
        if index == TAB_RISK and data.get("type") == "table":
            self.risk_view.set_target(data["connection"], data["info"].ref)
        if index == TAB_CLASSIFY and data.get("type") == "table":
            self.classify_view.set_target(data["connection"], data["info"].ref)
        if index == TAB_EXPORT and data.get("type") == "table":
            self._fill_export(self.tree.currentItem())

    def classify_selected(self) -> None:
        if (sel := self.selected_table()) is not None:
            self.tabs.setCurrentIndex(TAB_CLASSIFY)
            self.classify_view.set_target(sel[0], sel[1].ref)

    def _classify(self, connection: str, ref: Any) -> None:
        self.tabs.setCurrentIndex(TAB_CLASSIFY)
        self.classify_view.set_target(connection, ref, force=True)

    def _profile_and_classify(self, connection: str, ref: Any) -> None:
        """The preview's offer: profile the table, then show its suggestions in the
        classification editor."""
        self._classify_after_profile = (connection, ref)
        self.tabs.setCurrentIndex(TAB_PROFILE)
        self.profile_view.profile(connection, ref)

    def _after_profile(self, _data: dict) -> None:
        target, self._classify_after_profile = self._classify_after_profile, None
        if target is not None and target == (self.profile_view.connection, self.profile_view.ref):
            self._classify(*target)

    def _classify_planned(self, plan: Any) -> None:
        """The editor learnt the table's columns: its badge can count them exactly."""
        self.catalog.known_columns[(plan.connection, plan.table)] = [c.column for c in plan.columns]
        self.catalog.refresh_badges(plan.connection)

    def _double_clicked(self, item) -> None:  # type: ignore[no-untyped-def]
        if node(item).get("type") == "table":
            self.preview_selected()

    def selected_table(self) -> tuple[str, TableInfo] | None:
        data = node(self.tree.currentItem())
        if data.get("type") != "table":
            self._status("Select a table in the catalog first.")
            return None
        return data["connection"], data["info"]

    def open_sql_console(self) -> None:
        self.tabs.setCurrentIndex(TAB_SQL)
        self.sql_console.editor.setFocus()

    def preview_selected(self) -> None:
        if (sel := self.selected_table()) is not None:
            self.tabs.setCurrentIndex(TAB_PREVIEW)
            self.preview.load(sel[0], sel[1].ref)

    def profile_selected(self) -> None:
        if (sel := self.selected_table()) is not None:
            self.tabs.setCurrentIndex(TAB_PROFILE)
            self.profile_view.profile(sel[0], sel[1].ref)

    def export_selected(self) -> None:
        item = self.tree.currentItem()
        if node(item).get("type") != "table":
            self._status("Select a table in the catalog first.")
            return
        self._fill_export(item)
        self.tabs.setCurrentIndex(TAB_EXPORT)

    def _fill_export(self, item: Any) -> None:
        """The Export tab lists the selected table's siblings with the table ticked."""
        data = node(item)
        parent = item.parent()
        siblings = [
            node(parent.child(i))["info"]
            for i in range(parent.childCount())
            if node(parent.child(i)).get("type") == "table"
        ]
        label = data["info"].ref.display()
        if (
            self.export_form.connection == data["connection"]
            and self.export_form.checked_tables() == [label]
            and not self.export_form.query_box.active
        ):
            return  # already filled: keep what the user set
        self.export_form.set_target(data["connection"], siblings, label)
