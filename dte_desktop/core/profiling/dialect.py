"""SQL spelling per database family for the profiler: identifier quoting, the qualified
table name, casts and the few functions that differ.

The family comes from the source's class (PostgreSQL/Greenplum, Vertica, MySQL/MariaDB,
SQLite); any other SQLAlchemy source quotes with its engine's own identifier preparer.
Identifiers are always quoted, so reserved words, quotes, spaces and unicode need no care.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.base import Source, TableRef

POSTGRES, VERTICA, MYSQL, SQLITE, GENERIC = "postgresql", "vertica", "mysql", "sqlite", "generic"


def double_quote(name: str) -> str:
    if "\x00" in name:
        raise ConfigError("An identifier cannot contain a NUL character.")
    return '"' + name.replace('"', '""') + '"'


def backtick(name: str) -> str:
    if "\x00" in name:
        raise ConfigError("An identifier cannot contain a NUL character.")
    return "`" + name.replace("`", "``") + "`"


def string_literal(value: str, family: str) -> str:
    """A string literal; MySQL also treats backslashes as escapes, so they are doubled."""
    if "\x00" in value:
        raise ConfigError("A literal cannot contain a NUL character.")
    text = value.replace("'", "''")
    if family == MYSQL:
        text = text.replace("\\", "\\\\")
    elif family == POSTGRES and "\\" in text:
        return "E'" + text.replace("\\", "\\\\") + "'"
    return "'" + text + "'"


@dataclass(frozen=True)
class Dialect:
    family: str
    quote: Callable[[str], str]
    # MySQL (MariaDB) tables are qualified by database; SQLite has one schema, "main".
    default_schema: str | None = None

    def table(self, ref: TableRef) -> str:
        schema = ref.schema if ref.schema is not None else self.default_schema
        if self.family == SQLITE and schema in (None, "main"):
            return self.quote(ref.name)
        if schema is None:
            return self.quote(ref.name)
        return f"{self.quote(schema)}.{self.quote(ref.name)}"

    def literal(self, value: str) -> str:
        return string_literal(value, self.family)

    @property
    def double(self) -> str:
        return {
            POSTGRES: "double precision",
            MYSQL: "DOUBLE",
            SQLITE: "REAL",
            VERTICA: "FLOAT",
        }.get(self.family, "FLOAT")

    def to_double(self, expr: str) -> str:
        return f"CAST({expr} AS {self.double})"

    def to_text(self, expr: str) -> str:
        if self.family == POSTGRES:
            return f"CAST({expr} AS text)"
        if self.family == MYSQL:
            return f"CAST({expr} AS CHAR)"
        if self.family == VERTICA:
            return f"CAST({expr} AS VARCHAR(65000))"
        if self.family == SQLITE:
            return f"CAST({expr} AS TEXT)"
        return f"CAST({expr} AS VARCHAR(4000))"

    def length(self, expr: str) -> str:
        fn = {MYSQL: "CHAR_LENGTH", POSTGRES: "length", SQLITE: "length"}.get(self.family)
        return f"{fn or 'LENGTH'}({expr})"

    @property
    def enforces_keys(self) -> bool:
        """Vertica does not enforce PRIMARY KEY unless asked: its keys prove nothing."""
        return self.family != VERTICA

    @property
    def has_stddev(self) -> bool:
        return self.family != SQLITE

    @property
    def percentiles(self) -> str | None:
        """``exact`` (percentile_cont), ``approx`` (APPROXIMATE_PERCENTILE) or None."""
        return {POSTGRES: "exact", VERTICA: "approx"}.get(self.family)

    def floor_div(self, expr: str) -> str:
        """floor() of a non-negative expression; SQLite may lack math functions."""
        if self.family == SQLITE:
            return f"CAST({expr} AS INTEGER)"
        return f"FLOOR({expr})"

    def epoch(self, expr: str, db_type: str) -> str | None:
        """Epoch seconds of a date/timestamp column, as a double; None where unsure."""
        if self.family == POSTGRES:
            return f"CAST(EXTRACT(EPOCH FROM {expr}) AS double precision)"
        if self.family == VERTICA:
            return f"CAST(EXTRACT(EPOCH FROM {expr}) AS FLOAT)"
        if self.family == MYSQL:
            # TIMESTAMPDIFF counts from a fixed origin in the session's zone (UTC, mysql.py).
            return f"CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01', {expr}) AS DOUBLE) / 1e6"
        if self.family == SQLITE:
            return f"((julianday({expr}) - 2440587.5) * 86400.0)"
        return None

    def number(self, expr: str, db_type: str) -> str:
        """The column as a number SQL can compare and add (MySQL BIT(n) is a byte string,
        PostgreSQL money prints a currency symbol)."""
        if self.family == MYSQL and db_type.lower().startswith("bit"):
            return f"CAST({expr} AS UNSIGNED)"
        if self.family == POSTGRES and db_type.lower() == "money":
            return f"CAST({expr} AS numeric)"
        return expr

    def exact_number(self, db_type: str) -> bool:
        """A column read as text that holds exact numbers: PostgreSQL numeric without a
        precision Arrow can hold (any size, kept exact) and money; profiled as numbers."""
        t = db_type.lower()
        return self.family == POSTGRES and (t == "money" or t.startswith("numeric"))

    def text_extreme(self, fn: str, expr: str, db_type: str, note: str | None) -> str | None:
        """min/max of a text-read column whose own order is not its text's: PostgreSQL
        enums (declaration order) and intervals; MySQL ENUM (MIN() there
        compares labels as text, so the index is taken and its label looked up)."""
        t = db_type.lower()
        if self.family == POSTGRES and ((note or "").startswith("enum") or t == "interval"):
            return f"CAST({fn}({expr}) AS text)"
        if self.family == MYSQL and t.startswith("enum(") and t.endswith(")"):
            return f"ELT({fn}({expr} + 0), {db_type[5:-1]})"
        return None

    def specials(self, expr: str, kind: str, db_type: str) -> list[tuple[str, str]]:
        """(label, predicate) of the values a column may hold outside its statistics:
        PostgreSQL's NaN/±Infinity (floats, numeric) and ±infinity (dates, timestamps);
        SQLite's ±Inf (9e999) and values of another storage class (``'abc'`` in an INTEGER
        column; dynamic typing); MySQL/MariaDB's zero or invalid dates (``0000-00-00``)."""
        t = db_type.lower()
        if self.family == POSTGRES:
            if kind == "numeric" and t.startswith(("real", "double", "float", "numeric")):
                return [(lbl, f"{expr} = '{lbl}'") for lbl in ("NaN", "Infinity", "-Infinity")]
            if kind == "temporal":
                return [(lbl, f"{expr} = '{lbl}'") for lbl in ("infinity", "-infinity")]
        if self.family == SQLITE and kind == "numeric":
            return [
                ("Infinity", f"{expr} = 9e999"),
                ("-Infinity", f"{expr} = -9e999"),
                ("text", f"typeof({expr}) = 'text'"),
                ("blob", f"typeof({expr}) = 'blob'"),
            ]
        if self.family in (SQLITE, MYSQL) and kind == "temporal":
            label = "invalid date" if self.family == SQLITE else "zero or invalid date"
            return [(label, f"({expr} IS NOT NULL AND {self.epoch(expr, db_type)} IS NULL)")]
        return []

    def finite(self, expr: str, kind: str, db_type: str) -> str:
        """The column with its special values (``specials``) turned into NULL."""
        preds = [p for _, p in self.specials(expr, kind, db_type)]
        if not preds:
            return expr
        return f"(CASE WHEN {' OR '.join(preds)} THEN NULL ELSE {expr} END)"

    def epoch_us(self, expr: str) -> str | None:
        """Exact microseconds since 1970 of a (finite) date/timestamp: an integer or exact
        decimal, so extremes keep every digit and any year (BC, past 9999) survives."""
        if self.family in (POSTGRES, VERTICA):
            return f"(EXTRACT(EPOCH FROM {expr}) * 1000000)"
        if self.family == MYSQL:
            return f"TIMESTAMPDIFF(MICROSECOND, '1970-01-01', {expr})"
        if self.family == SQLITE:
            return f"(CAST(round((julianday({expr}) - 2440587.5) * 86400000.0) AS INTEGER) * 1000)"
        return None

    def regex_match(self, expr: str, pattern: str) -> str | None:
        """A predicate true where ``expr`` matches ``pattern``; None: evaluate client-side."""
        lit = self.literal(pattern)
        if self.family == POSTGRES:
            return f"({expr} ~ {lit})"
        if self.family == MYSQL:
            return f"({expr} REGEXP {lit})"
        if self.family == VERTICA:
            return f"REGEXP_LIKE({expr}, {lit})"
        return None

    def hash_bucket(self, expr: str) -> str | None:
        """A well-spread non-negative integer hash of a value, for hash-sampled distinct
        counting; None where the engine has no cheap built-in hash."""
        if self.family == POSTGRES:
            # A 64-bit hash, made non-negative; collisions are negligible below ~10^8 values.
            return f"abs(hashtextextended({self.to_text(expr)}, 0) % 1000003)"
        if self.family == MYSQL:
            return f"(CRC32({expr}) % 1000003)"
        return None

    def limit_sql(self, n: int) -> str:
        return f" LIMIT {int(n)}"


def _mysql_schema(source: Source) -> str | None:
    url = getattr(source, "url", None)
    return getattr(url, "database", None) or None


def dialect_for(source: Source) -> Dialect:
    """The SQL spelling for ``source``, from its class (never from user input)."""
    name = type(source).__name__
    if name == "PostgresSource":
        return Dialect(POSTGRES, double_quote)
    if name == "VerticaSource":
        return Dialect(VERTICA, double_quote)
    if name == "MySQLSource":
        return Dialect(MYSQL, backtick, default_schema=_mysql_schema(source))
    if name == "SQLiteSource":
        return Dialect(SQLITE, double_quote)
    engine = getattr(source, "engine", None)
    if engine is not None:
        preparer = engine.dialect.identifier_preparer

        def quote(name: str) -> str:
            return preparer.quote_identifier(name)

        return Dialect(GENERIC, quote)
    return Dialect(GENERIC, double_quote)
