"""The export form takes its formats, compressions, ranges and defaults from the writer
registry and the spec's options (issue 19 item 3): every registered format is offered, with
its compressions, and makes a valid spec; an untouched form is the spec's defaults."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem

from dte_desktop.core.export.formats import FORMATS, REGISTRY
from dte_desktop.core.export.options import options_of
from dte_desktop.core.export.spec import ExportSpec, FormatOptions
from dte_desktop.ui.export_wizard import ExportForm
from dte_desktop.ui.privacy_state import PrivacyState


def _form(qtbot, ctx, tmp_path) -> ExportForm:  # type: ignore[no-untyped-def]
    form = ExportForm(ctx, PrivacyState(None))
    qtbot.addWidget(form)
    form.connection = "Demo (SQLite)"
    form.tables.blockSignals(True)  # no column loading: the options are under test
    item = QListWidgetItem("customers")
    item.setData(Qt.ItemDataRole.UserRole, "customers")
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked)
    form.tables.addItem(item)
    form.tables.blockSignals(False)
    form.out_dir.setText(str(tmp_path))
    return form


def test_every_registered_format_is_offered_and_accepted(qtbot, ctx, tmp_path) -> None:
    form = _form(qtbot, ctx, tmp_path)
    offered = [form.format.itemText(i) for i in range(form.format.count())]
    assert offered == list(FORMATS)
    for fmt in FORMATS:
        form.format.setCurrentText(fmt)
        codecs = [form.compression.itemText(i) for i in range(form.compression.count())]
        f = REGISTRY[fmt]
        assert form.compression.isEnabled() == bool(f.compressions), fmt
        if f.compressions:
            assert codecs == list(f.compressions), fmt
            for codec in codecs:
                form.compression.setCurrentText(codec)
                spec = form.spec()
                assert spec.format == fmt and spec.options.compression == codec
        else:
            assert form.spec().format == fmt and form.spec().options.compression is None


def test_an_untouched_form_is_the_spec_defaults(qtbot, ctx, tmp_path) -> None:
    form = _form(qtbot, ctx, tmp_path)
    spec = form.spec()
    default = ExportSpec(connection="Demo (SQLite)", out_dir=str(tmp_path), tables=("customers",))
    for name in ("format", "workers", "partitions", "layout", "batch_rows"):
        assert getattr(spec, name) == getattr(default, name), name
    assert spec.options.compression == REGISTRY[default.format].default_compression
    assert spec.options.csv_delimiter == FormatOptions().csv_delimiter
    o = options_of(ExportSpec)
    assert (form.workers.minimum(), form.workers.maximum()) == (o["workers"].low, o["workers"].high)
    assert form.partitions.maximum() == o["partitions"].high
    assert form.batch_rows.singleStep() == o["batch_rows"].step
