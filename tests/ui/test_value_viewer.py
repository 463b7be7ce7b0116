"""The grids' value viewer and copy formats (issue 20 item 9): binary as a hex dump with
offsets and printable text, JSON pretty-printed (text or nested values), long text whole;
TSV/CSV quote a field holding the delimiter, a quote or a line break, NULL is empty."""

from __future__ import annotations

import os
from pathlib import Path

from dte_desktop.ui.grid import cell_text, delimited
from dte_desktop.ui.theme import apply_theme
from dte_desktop.ui.value_viewer import HEX_MAX, ValueViewer, hex_dump, viewer_text

SHOTS = Path(os.environ.get("DTE_SCREENSHOTS", "screenshots"))


def test_viewer_text_kinds() -> None:
    kind, text = viewer_text(b"GIF89a\x00\x01\xff" + bytes(range(20)))
    assert kind == "binary"
    lines = text.splitlines()
    assert lines[0].startswith("00000000  47 49 46 38 39 61 00 01 ff 00") and "GIF89a" in lines[0]
    assert lines[1].startswith("00000010  ")
    big = hex_dump(bytes(HEX_MAX + 5))
    assert big.endswith("… 5 more bytes") and len(big.splitlines()) == HEX_MAX // 16 + 1
    assert viewer_text('{"a": [1, 2]}') == ("json", '{\n  "a": [\n    1,\n    2\n  ]\n}')
    assert viewer_text({"é": 1})[1] == '{\n  "é": 1\n}'
    assert viewer_text("[not json") == ("text", "[not json")
    long = "word " * 1_000
    assert viewer_text(long) == ("text", long)  # whole, where the grid shortens it
    assert viewer_text(None) == ("text", "NULL")


def test_copy_formats_quote_what_needs_it() -> None:
    rows = [
        ["a", "tab\there", 'say "hi"'],
        ["line\nbreak", cell_text(None), cell_text(b"\x01\xff")],
    ]
    assert delimited(rows, "\t") == 'a\t"tab\there"\t"say ""hi"""\n"line\nbreak"\t\t0x01ff\n'
    assert delimited([["1,5", "x"]], ",") == '"1,5",x\n'


def test_viewer_dialog_binary_in_both_themes(qtbot) -> None:
    dlg = ValueViewer("photo", b"\x89PNG\r\n\x1a\n" + bytes(range(64)), masked=False)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.kind == "binary" and "72 bytes" in dlg.info.text()
    assert dlg.text.isReadOnly() and "masked" not in dlg.info.text()
    SHOTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        apply_theme(theme)
        qtbot.wait(50)
        dlg.grab().save(str(SHOTS / f"value-viewer-binary-{theme}.png"))
    apply_theme("light")
