"""``ExportSpec``: what an export does, as pure data. Saved (redacted) as the job's config
so a job can be shown, resumed and re-run; it never holds a password."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.export.formats import FORMATS, REGISTRY, compression_help
from dte_desktop.core.export.options import option

EXTENSIONS = {f.name: f.extension for f in REGISTRY.values()}  # from the writer registry
LAYOUTS = ("auto", "file", "folder")


# Slices per table, at most (a statement, a file and a history row each).
MAX_PARTITIONS = 256


@dataclass(frozen=True)
class FormatOptions:
    # None: the format's default (the first of its compressions in core/export/formats.py)
    compression: str | None = field(default=None, metadata=option(
        "--compression", compression_help()))  # fmt: skip
    compression_level: int | None = field(default=None, metadata=option(
        "--compression-level", "codec level (zstd 1-22, gzip 1-9)", kind=int))  # fmt: skip
    row_group_rows: int = field(default=1_000_000, metadata=option(
        "--row-group-rows", "parquet: rows per row group", low=1))  # fmt: skip
    dictionary: bool = field(default=True, metadata=option(
        "--no-dictionary", "parquet: no dictionary pages"))  # fmt: skip
    csv_header: bool = field(default=True, metadata=option(
        "--no-header", "CSV without a header row"))  # fmt: skip
    csv_delimiter: str = field(default=",", metadata=option("--delimiter", "CSV delimiter"))

    def validate(self, fmt: str) -> None:
        offered = REGISTRY[fmt].compressions if fmt in REGISTRY else ()
        if self.compression not in (None, "none", *offered):
            label = REGISTRY[fmt].label if fmt in REGISTRY else fmt
            raise ConfigError(
                f"{label} cannot use compression {self.compression!r}"
                + (f": use {', '.join(offered)}." if offered else " (it is not compressed).")
            )
        if fmt == "csv" and (len(self.csv_delimiter) != 1 or self.csv_delimiter in '"\r\n'):
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
    where: str | None = field(default=None, metadata=option(  # every table; runs read-only
        "--where", "row filter (SQL); runs in a read-only transaction"))  # fmt: skip
    format: str = field(default="parquet", metadata=option(
        "--format", "file format", choices=FORMATS))  # fmt: skip
    options: FormatOptions = field(default_factory=FormatOptions)
    workers: int = field(default=2, metadata=option(
        "--workers", "slices read at once", low=1, high=16))  # fmt: skip
    # per table: a number or "auto" (from the table's size)
    partitions: int | str = field(default="auto", metadata=option(
        "--partitions", "slices per table: N or auto", low=1, high=MAX_PARTITIONS))  # fmt: skip
    layout: str = field(default="auto", metadata=option(
        "--layout", "file: one file per table; folder: part files; auto: by partitions",
        choices=LAYOUTS))  # fmt: skip
    # Masked unless asked otherwise: the CLI's --no-mask and the GUI's box start from here.
    mask: bool = True
    batch_rows: int = field(default=50_000, metadata=option(
        "--batch-rows", "rows per batch in memory",
        low=1_000, high=1_000_000, step=10_000))  # fmt: skip
    max_attempts: int = field(default=3, metadata=option(
        "--attempts", "tries per slice on transient errors", low=1))  # fmt: skip
    # How long a slice keeps trying a server that refuses connections (a restart), in
    # seconds, with growing waits (core/jobs/retry.py); 0: a refusal fails the slice.
    outage_wait_s: float = field(default=60.0, metadata=option(
        "--outage-wait", "seconds a slice waits for a server that refuses connections (a "
        "restart), retrying with growing pauses; 0: fail at once", kind=float, low=0,
        high=3600, metavar="SECONDS"))  # fmt: skip
    # Checked against the policy's min_k (every table); empty: suggested from column names.
    quasi_identifiers: tuple[str, ...] = ()
    # An age recipients file: the finished export is sealed for them (dte package).
    encrypt_to: str | None = None
    # A new export refuses a non-empty folder; this removes the previous export there first
    # (only what its manifest lists: see core/export/target.py).
    overwrite: bool = field(default=False, metadata=option(
        "--overwrite", "replace the previous export in a non-empty --out folder: removes the "
        "files its manifest lists (refused if the folder holds any other file)"))  # fmt: skip

    def validate(self) -> ExportSpec:
        if self.format not in REGISTRY:
            raise ConfigError(f"Unknown format {self.format!r}; choose one of {FORMATS}.")
        if self.layout not in LAYOUTS:
            raise ConfigError(f"Unknown layout {self.layout!r}; choose one of {LAYOUTS}.")
        if not self.tables and not self.queries:
            raise ConfigError("Nothing to export: name at least one table or query.")
        if self.workers < 1 or self.batch_rows < 1 or self.max_attempts < 1:
            raise ConfigError("Workers, batch rows and attempts must be at least 1.")
        if not 0 <= self.outage_wait_s <= 3600:
            raise ConfigError("The wait for an unreachable server is 0 to 3600 seconds.")
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
