"""The writer registry: every export format, once — its name, label, file extension, the
compressions it offers (the first is its default) and its writer. The spec validates from
here, the planner names files from here, the CLI and the export form list formats and
compressions from here: a new format is one entry below and its writer class."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class WriterFormat:
    name: str
    label: str
    extension: str
    #: Codecs offered, the default first; empty: the format is written uncompressed.
    compressions: tuple[str, ...]
    #: "module:Class" under dte_desktop.core.export, imported when a file is opened (the
    #: spec and the CLI's help load no writer library).
    writer: str

    def open(self, path: Path, schema: Any, opts: Any) -> Any:
        module, cls = self.writer.split(":")
        return getattr(importlib.import_module(f"dte_desktop.core.export.{module}"), cls)(
            path, schema, opts
        )

    @property
    def default_compression(self) -> str | None:
        return self.compressions[0] if self.compressions else None


# fmt: off
_ALL = (
    WriterFormat("parquet", "Parquet", ".parquet",
                 ("zstd", "snappy", "gzip", "lz4", "brotli", "none"), "writers:ParquetWriter"),
    WriterFormat("csv", "CSV", ".csv", ("none", "gzip"), "writers:CsvWriter"),
    WriterFormat("arrow", "Arrow IPC", ".arrow", ("none", "zstd", "lz4"),
                 "writers:ArrowWriter"),
    WriterFormat("feather", "Feather", ".feather", ("none", "zstd", "lz4"),
                 "writers:ArrowWriter"),
    WriterFormat("jsonl", "JSON Lines", ".jsonl", (), "writers:JsonLinesWriter"),
    WriterFormat("xlsx", "Excel", ".xlsx", (), "xlsx:XlsxWriter"),
)
# fmt: on
REGISTRY: dict[str, WriterFormat] = {f.name: f for f in _ALL}
FORMATS = tuple(REGISTRY)


def writer_format(name: str) -> WriterFormat:
    from dte_desktop.core.errors import ConfigError

    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"Unknown format {name!r}; choose one of {FORMATS}.") from None


def compression_help() -> str:
    """``parquet: zstd|snappy|…; csv: none|gzip; …`` (the CLI's --compression help)."""
    return "; ".join(f"{f.name}: {'|'.join(f.compressions)}" for f in REGISTRY.values()
                     if f.compressions)  # fmt: skip
