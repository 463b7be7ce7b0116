"""``ExportSpec``: what an export does, as pure data. Saved (redacted) as the job's config
so a job can be shown, resumed and re-run; it never holds a password."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from dte_desktop.core.errors import ConfigError

FORMATS = ("parquet", "csv", "arrow", "feather", "jsonl", "xlsx")
EXTENSIONS = {
    "parquet": ".parquet",
    "csv": ".csv",
    "arrow": ".arrow",
    "feather": ".feather",
    "jsonl": ".jsonl",
    "xlsx": ".xlsx",
}
LAYOUTS = ("auto", "file", "folder")


# Slices per table, at most (a statement, a file and a history row each).
MAX_PARTITIONS = 256


@dataclass(frozen=True)
class FormatOptions:
    compression: str | None = None  # parquet: zstd (default)|snappy|gzip|none; csv: gzip|none
    compression_level: int | None = None
    row_group_rows: int = 1_000_000
    dictionary: bool = True
    csv_header: bool = True
    csv_delimiter: str = ","

    def validate(self, fmt: str) -> None:
        if fmt == "parquet" and self.compression not in (
            None,
            "zstd",
            "snappy",
            "gzip",
            "lz4",
            "brotli",
            "none",
        ):
            raise ConfigError(f"Parquet cannot use compression {self.compression!r}.")
        if fmt == "csv":
            if self.compression not in (None, "gzip", "none"):
                raise ConfigError("CSV compression is gzip or none.")
            if len(self.csv_delimiter) != 1 or self.csv_delimiter in '"\r\n':
                raise ConfigError(
                    "The CSV delimiter must be one character, not a quote or a line break."
                )
        if self.row_group_rows < 1:
            raise ConfigError("Row groups need at least one row.")


@dataclass(frozen=True)
class QuerySpec:
    name: str  # becomes the output file's name
    sql: str


@dataclass(frozen=True)
class ExportSpec:
    connection: str  # a saved connection's name, or a URL without password
    out_dir: str
    tables: tuple[str, ...] = ()  # "schema.table" as the CLI takes them
    queries: tuple[QuerySpec, ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> columns
    where: str | None = None  # applied to every table; runs read-only
    format: str = "parquet"
    options: FormatOptions = field(default_factory=FormatOptions)
    workers: int = 2
    partitions: int | str = "auto"  # per table: a number or "auto" (from the table's size)
    layout: str = "auto"  # file (one file per table) | folder (part files) | auto
    # Masked unless asked otherwise: the CLI's --no-mask and the GUI's box start from here.
    mask: bool = True
    batch_rows: int = 50_000
    max_attempts: int = 3
    # Checked against the policy's min_k (every table); empty: suggested from column names.
    quasi_identifiers: tuple[str, ...] = ()
    # An age recipients file: the finished export is sealed for them (dte package).
    encrypt_to: str | None = None
    # A new export refuses a non-empty folder; this removes the previous export there first
    # (only what its manifest lists: see core/export/target.py).
    overwrite: bool = False

    def validate(self) -> ExportSpec:
        if self.format not in FORMATS:
            raise ConfigError(f"Unknown format {self.format!r}; choose one of {FORMATS}.")
        if self.layout not in LAYOUTS:
            raise ConfigError(f"Unknown layout {self.layout!r}; choose one of {LAYOUTS}.")
        if not self.tables and not self.queries:
            raise ConfigError("Nothing to export: name at least one table or query.")
        if self.workers < 1 or self.batch_rows < 1 or self.max_attempts < 1:
            raise ConfigError("Workers, batch rows and attempts must be at least 1.")
        if not (
            self.partitions == "auto" or (isinstance(self.partitions, int) and self.partitions >= 1)
        ):
            raise ConfigError("Partitions are a positive number or 'auto'.")
        if isinstance(self.partitions, int) and self.partitions > MAX_PARTITIONS:
            # Each slice is a statement, a file and a history row: 100,000 slices of 200k rows
            # made 2,123 files in 312 s. More slices than workers never reads faster.
            raise ConfigError(
                f"At most {MAX_PARTITIONS} partitions per table ({self.partitions:,} asked); "
                "slices beyond the number of workers do not read faster."
            )
        if self.queries and not self.tables and self.partitions not in ("auto", 1):
            # A query has no key the planner knows; splitting it would need one named.
            raise ConfigError(
                f"--partitions {self.partitions} splits tables only: a --query is read as one "
                "stream into one file. Drop --partitions, or export a table (or a view) "
                "whose slices can be planned."
            )
        names = [q.name for q in self.queries]
        if len(set(names)) != len(names):
            raise ConfigError("Each query needs its own --query-name.")
        if self.where is not None:  # early, with the message every engine would give
            from dte_desktop.core.sources.user_filter import plausible_filter

            plausible_filter(self.where)
        self.options.validate(self.format)
        return self

    def to_config(self) -> dict[str, Any]:
        data = asdict(self)
        data["tables"] = list(self.tables)
        data["queries"] = [asdict(q) for q in self.queries]
        data["columns"] = {k: list(v) for k, v in self.columns.items()}
        data["quasi_identifiers"] = list(self.quasi_identifiers)
        return data

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> ExportSpec:
        data = dict(data)
        data["tables"] = tuple(data.get("tables", ()))
        data["queries"] = tuple(QuerySpec(**q) for q in data.get("queries", ()))
        data["columns"] = {k: tuple(v) for k, v in (data.get("columns") or {}).items()}
        data["options"] = FormatOptions(**(data.get("options") or {}))
        data["quasi_identifiers"] = tuple(data.get("quasi_identifiers", ()))
        return cls(**data)
