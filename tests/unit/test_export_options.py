"""Export options are declared once, on the spec's fields (core/export/options.py), and
formats once, in the writer registry (core/export/formats.py): the CLI's flags and their
defaults are derived from them (issue 19 item 3)."""

from __future__ import annotations

import dataclasses

import pytest

from dte_desktop.cli import build_parser
from dte_desktop.commands.export import spec_from_args
from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.formats import FORMATS, REGISTRY
from dte_desktop.core.export.options import options_of
from dte_desktop.core.export.spec import EXTENSIONS, ExportSpec, FormatOptions


def _parse(*extra: str):  # type: ignore[no-untyped-def]
    argv = ["export", "Demo", "customers", "--out", "/tmp/x", *extra]
    return build_parser(argv).parse_args(argv)


def test_cli_defaults_are_the_spec_defaults() -> None:
    args = _parse()
    spec = spec_from_args(args)
    assert spec == ExportSpec(connection="Demo", out_dir="/tmp/x", tables=("customers",))
    for cls in (ExportSpec, FormatOptions):
        for name, o in options_of(cls).items():
            dest = o.flag.lstrip("-").replace("-", "_")
            if o.switch:  # --overwrite on, --no-header off: the flag's absence is the default
                assert getattr(args, dest) is False, name
            else:
                assert getattr(args, dest) == o.default, name
    declared = {o.flag for cls in (ExportSpec, FormatOptions) for o in options_of(cls).values()}
    assert {"--format", "--workers", "--batch-rows", "--compression", "--layout"} <= declared


def test_a_changed_spec_default_is_the_cli_default(monkeypatch) -> None:
    """The parser holds no default of its own: change the field's, the flag's follows."""
    field = next(f for f in dataclasses.fields(ExportSpec) if f.name == "workers")
    monkeypatch.setattr(field, "default", 5)
    assert _parse().workers == 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_registered_format_is_accepted_by_the_cli(fmt: str) -> None:
    f = REGISTRY[fmt]
    assert EXTENSIONS[fmt] == f.extension and f.extension.startswith(".")
    assert _parse("--format", fmt).format == fmt
    assert spec_from_args(_parse("--format", fmt)).format == fmt
    for codec in f.compressions:
        spec = spec_from_args(_parse("--format", fmt, "--compression", codec))
        assert spec.options.compression == codec
    with pytest.raises(ConfigError, match="cannot use compression"):
        spec_from_args(_parse("--format", fmt, "--compression", "bogus"))


def test_help_lists_each_format_and_its_compressions(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser(["export"]).parse_args(["export", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "{" + ",".join(FORMATS) + "}" in text
    for f in REGISTRY.values():
        if f.compressions:
            assert f"{f.name}: {'|'.join(f.compressions)}" in text


def test_sample_format_default_is_the_export_default() -> None:
    from dte_desktop.core.sampling.spec import SampleSpec

    argv = ["sample", "Demo", "customers", "--size", "5"]
    args = build_parser(argv).parse_args(argv)
    assert args.format == ExportSpec.format == SampleSpec.format
    with pytest.raises(SystemExit):
        build_parser(argv).parse_args([*argv, "--format", "nope"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_registered_format_and_codec_writes_a_file(fmt: str, tmp_path) -> None:
    import pyarrow as pa

    from dte_desktop.core.export.writers import open_writer

    batch = pa.record_batch({"id": [1, 2, 3], "name": ["a", "b", None]})
    for codec in REGISTRY[fmt].compressions or (None,):
        path = tmp_path / f"{fmt}-{codec}{REGISTRY[fmt].extension}"
        w = open_writer(fmt, path, batch.schema, FormatOptions(compression=codec))
        w.write(batch)
        w.close()
        assert w.rows == 3 and path.stat().st_size > 0
        if fmt == "parquet":
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(path).metadata
            want = "UNCOMPRESSED" if codec == "none" else codec.upper()
            assert meta.num_rows == 3 and meta.row_group(0).column(0).compression == want
        elif fmt in ("arrow", "feather"):
            assert pa.ipc.open_file(path).read_all().num_rows == 3
