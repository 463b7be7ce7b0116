"""The SQL spelling the profiler and the sampler need from a database: identifier quoting,
the qualified table name, casts, sampling clauses, approximate functions, quantiles and
hashing. ``Dialect`` spells ANSI SQL (any other SQLAlchemy source, quoted by its engine's
own identifier preparer); each source class owns a subclass that overrides what its
engine spells differently (``Source.sql_dialect()``), so callers never branch on the
database family. Identifiers are always quoted: reserved words, quotes, spaces and unicode
need no care.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.base import ColumnInfo, TableRef


def double_quote(name: str) -> str:
    if "\x00" in name:
        raise ConfigError("An identifier cannot contain a NUL character.")
    return '"' + name.replace('"', '""') + '"'


def backtick(name: str) -> str:
    if "\x00" in name:
        raise ConfigError("An identifier cannot contain a NUL character.")
    return "`" + name.replace("`", "``") + "`"


def plain_literal(value: str) -> str:
    """A standard SQL string literal: quotes doubled, backslashes plain characters."""
    if "\x00" in value:
        raise ConfigError("A literal cannot contain a NUL character.")
    return "'" + value.replace("'", "''") + "'"


def order_sql(quote: Callable[[str], str], order_by: Sequence[tuple[str, bool]]) -> str:
    """``"a" DESC, "b" ASC`` for ``SelectSpec.order_by``, names quoted by the source's own
    quoting (the preview's server-side sort)."""
    return ", ".join(f"{quote(name)} {'DESC' if desc else 'ASC'}" for name, desc in order_by)


class Dialect:
    """ANSI SQL; the defaults are what an engine we know nothing special about gets."""

    family: ClassVar[str] = "generic"  # a name for messages and logs, never for branching
    double: ClassVar[str] = "FLOAT"
    text_type: ClassVar[str] = "VARCHAR(4000)"
    length_fn: ClassVar[str] = "LENGTH"
    # Vertica does not enforce PRIMARY KEY unless asked: its keys prove nothing.
    enforces_keys: ClassVar[bool] = True
    has_stddev: ClassVar[bool] = True
    # ``exact`` (percentile_cont), ``approx`` (APPROXIMATE_PERCENTILE) or None.
    percentiles: ClassVar[str | None] = None
    # Quantile edges by percentile_disc(...) WITHIN GROUP in one statement.
    ordered_set_quantiles: ClassVar[bool] = False
    # Quantile edges by row_number() over a sorted column, one statement per column.
    window_quantiles: ClassVar[bool] = False
    # Top values of several columns in one GROUPING SETS scan.
    grouping_sets_top: ClassVar[bool] = False
    # Compare and group text-like columns as text: engines whose odd types (json, arrays)
    # have no ordering. Off where a cast would change the collation.
    compare_as_text: ClassVar[bool] = True
    has_rowid: ClassVar[bool] = False  # SQLite's implicit integer row id

    def __init__(
        self, quote: Callable[[str], str] = double_quote, default_schema: str | None = None
    ) -> None:
        self.quote = quote
        # MySQL (MariaDB) tables are qualified by database.
        self.default_schema = default_schema

    def __repr__(self) -> str:
        return f"{type(self).__name__}(default_schema={self.default_schema!r})"

    # -- names and literals ---------------------------------------------------------------
    def table(self, ref: TableRef) -> str:
        schema = ref.schema if ref.schema is not None else self.default_schema
        if schema is None:
            return self.quote(ref.name)
        return f"{self.quote(schema)}.{self.quote(ref.name)}"

    def literal(self, value: str) -> str:
        return plain_literal(value)

    def ddl_column(self, column: ColumnInfo) -> str:
        """One column of a reconstructed CREATE TABLE (core/sources/ddl.py)."""
        null = "" if column.nullable else " NOT NULL"
        return f"{self.quote(column.name)} {column.db_type}{null}"

    def bool_literal(self, value: bool) -> str:
        return str(int(value))

    def bytes_literal(self, value: bytes) -> str:
        return f"X'{value.hex()}'"

    # -- casts and functions ----------------------------------------------------------------
    def to_double(self, expr: str) -> str:
        return f"CAST({expr} AS {self.double})"

    def to_text(self, expr: str) -> str:
        return f"CAST({expr} AS {self.text_type})"

    def prefix(self, expr: str, n: int, binary: bool) -> str:
        """The first ``n`` characters (bytes for a binary value) of ``expr``, cut on the
        server: a preview of a 10 MB value then carries ``n``, not 10 MB."""
        return f"SUBSTR({expr}, 1, {int(n)})"

    def length(self, expr: str) -> str:
        return f"{self.length_fn}({expr})"

    def floor_div(self, expr: str) -> str:
        """floor() of a non-negative expression."""
        return f"FLOOR({expr})"

    def epoch(self, expr: str, db_type: str) -> str | None:
        """Epoch seconds of a date/timestamp column, as a double; None where unsure."""
        return None

    def epoch_us(self, expr: str) -> str | None:
        """Exact microseconds since 1970 of a (finite) date/timestamp: an integer or exact
        decimal, so extremes keep every digit and any year (BC, past 9999) survives."""
        return None

    def epoch_monotone(self, db_type: str) -> bool:
        """Whether ``epoch``/``epoch_us`` of a column of ``db_type`` keep its order, so the
        extremes' epochs can be taken after min/max (one cheap comparison per row) instead of
        converting every row."""
        return False

    def number(self, expr: str, db_type: str) -> str:
        """The column as a number SQL can compare and add."""
        return expr

    def exact_number(self, db_type: str) -> bool:
        """A column read as text that holds exact numbers, profiled as numbers."""
        return False

    def text_extreme(self, fn: str, expr: str, db_type: str, note: str | None) -> str | None:
        """min/max of a text-read column whose own order is not its text's."""
        return None

    def specials(self, expr: str, kind: str, db_type: str) -> list[tuple[str, str]]:
        """(label, predicate) of the values a column may hold outside its statistics."""
        return []

    def finite(self, expr: str, kind: str, db_type: str) -> str:
        """The column with its special values (``specials``) turned into NULL."""
        preds = [p for _, p in self.specials(expr, kind, db_type)]
        if not preds:
            return expr
        return f"(CASE WHEN {' OR '.join(preds)} THEN NULL ELSE {expr} END)"

    def regex_match(self, expr: str, pattern: str) -> str | None:
        """A predicate true where ``expr`` matches ``pattern``; None: evaluate client-side."""
        return None

    def regex_text(self, expr: str) -> str:
        """``expr`` as the regex operator wants it (PostgreSQL's ``~`` takes text only)."""
        return expr

    def stored_text(self, value: str) -> str:
        """A temporal quantile from a profile (ISO text) as the engine stores it."""
        return value

    def limit_sql(self, n: int) -> str:
        return f" LIMIT {int(n)}"

    # -- hashing and approximate functions ---------------------------------------------------
    def hash_bucket(self, expr: str) -> str | None:
        """A well-spread non-negative integer hash of a value, for hash-sampled distinct
        counting; None where the engine has no cheap built-in hash."""
        return None

    def approx_count_distinct(self, expr: str) -> str | None:
        """An approximate distinct count the engine computes itself; None: none built in."""
        return None

    def record_digest(self, alias: str) -> str | None:
        """A digest of a whole row named by its table alias (None: the engine cannot)."""
        return None

    def hash_mod(self, expr: str, space: int) -> str | None:
        """A non-negative hash of text ``expr`` below ``space``; None: no built-in hash."""
        return None

    def row_hash(self, alias: str, cols: Sequence[str]) -> str | None:
        """A hash of every column of a row (for tables without a key); None: cannot."""
        return None

    def seeded_hash(self, exprs: Sequence[str], seed: int, rowid: str | None) -> str | None:
        """Orders rows reproducibly for a seed; None: no usable hash (order by the key)."""
        return None

    def row_in(self, lhs: str, rows: str) -> str:
        """A row-value IN over a list of parenthesised rows."""
        return f"{lhs} IN ({rows})"

    # -- sampling clauses ----------------------------------------------------------------------
    def profile_sample(
        self, cols: str, table_sql: str, frac: float, blocks: bool, seed: int
    ) -> tuple[str, str] | None:
        """(SELECT over a ~``frac`` random share of the table, how it was taken) for the
        profiler's sample; ``blocks``: the table is big enough for block sampling. None:
        the engine has no cheap random sample (the first rows are read instead)."""
        return None

    def bernoulli(self, from_sql: str, pct: float, seed: int) -> str | None:
        """``from_sql`` thinned to a repeatable ``pct`` % row sample (TABLESAMPLE), or None."""
        return None

    def sample_where(self, frac: float, seed: int, rowid: str | None) -> str | None:
        """A WHERE predicate keeping a repeatable ~``frac`` share of rows, or None."""
        return None


class GenericDialect(Dialect):
    """Any other SQLAlchemy engine: ANSI SQL quoted by the engine's identifier preparer."""

    @classmethod
    def for_engine(cls, engine: Any) -> Dialect:
        preparer = engine.dialect.identifier_preparer

        def quote(name: str) -> str:
            return preparer.quote_identifier(name)

        return cls(quote)


def dialect_for(source: Any) -> Dialect:
    """The SQL spelling ``source`` owns (from its class, never from user input)."""
    own = getattr(source, "sql_dialect", None)
    if own is not None:
        return own()
    engine = getattr(source, "engine", None)
    if engine is not None:
        return GenericDialect.for_engine(engine)
    return Dialect()
