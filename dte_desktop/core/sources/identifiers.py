"""How each engine compares the names of schemas, tables and columns — the one place that
knows it — and the resolution of names a user typed against a source's catalog.

- PostgreSQL / Greenplum: an unquoted name folds to lower case, a quoted one is exact.
- Vertica: names are case-insensitive, quoted or not.
- MySQL / MariaDB: column names are case-insensitive; schema and table names follow the
  server's ``lower_case_table_names`` (0: case-sensitive, 1 and 2: compared in lower case).
- SQLite: case-insensitive for ASCII letters only, quoted or not.
- Any other SQLAlchemy engine: exact (we cannot know better).

Stored names (classifications, rules) carry no quote marks: they are compared as a user
would have typed them unquoted, and an exact spelling always wins over a folded one.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dte_desktop.core.errors import ConfigError, NotFound
from dte_desktop.core.sources.base import Source, TableRef


class Fold(enum.Enum):
    EXACT = "exact"
    UNQUOTED_LOWER = "unquoted names fold to lower case"
    CASELESS = "case-insensitive"
    ASCII_CASELESS = "case-insensitive (ASCII letters)"


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _key(fold: Fold, name: str) -> str:
    if fold is Fold.CASELESS:
        return name.casefold()
    if fold is Fold.ASCII_CASELESS:
        return name.translate(_ASCII_LOWER)
    return name


@dataclass(frozen=True)
class IdentifierRule:
    engine: str
    tables: Fold  # schema and table names
    columns: Fold

    def fold(self, *, column: bool) -> Fold:
        return self.columns if column else self.tables

    def same(self, stored: str, actual: str, *, column: bool) -> bool:
        """Whether a stored (unquoted) name denotes the engine's ``actual`` one."""
        fold = self.fold(column=column)
        if fold is Fold.UNQUOTED_LOWER:
            return actual in (stored, stored.lower())
        return _key(fold, stored) == _key(fold, actual)

    def index_keys(self, stored: str, *, column: bool) -> tuple[str, ...]:
        """Keys under which to index a stored name so that ``lookup_key(actual)`` finds it
        exactly when ``same(stored, actual)``: one dictionary probe per table."""
        fold = self.fold(column=column)
        if fold is Fold.UNQUOTED_LOWER:
            return (stored, stored.lower()) if stored != stored.lower() else (stored,)
        return (_key(fold, stored),)

    def lookup_key(self, actual: str, *, column: bool) -> str:
        fold = self.fold(column=column)
        return actual if fold is Fold.UNQUOTED_LOWER else _key(fold, actual)

    def match(
        self,
        typed: str,
        names: Iterable[str],
        *,
        column: bool,
        quoted: bool = False,
        exact_first: bool = False,
    ) -> str | None:
        """The engine's name that ``typed`` denotes among ``names``, or None. A quoted
        name on PostgreSQL is exact; an unquoted one is looked up folded to lower case
        first (as the server does), then as typed (as this app always accepted), or the
        other way round for a name that came from a catalog (``exact_first``)."""
        names = list(names)
        fold = self.fold(column=column)
        if fold is Fold.UNQUOTED_LOWER:
            order = [typed] if quoted else [typed.lower(), typed]
            if exact_first:
                order.reverse()
            return next((n for n in order if n in names), None)
        if typed in names:
            return typed
        hits = [n for n in names if _key(fold, n) == _key(fold, typed)]
        if len(hits) > 1:
            raise ConfigError(
                f"{typed!r} could be any of {', '.join(map(repr, hits))}: spell it exactly."
            )
        return hits[0] if hits else None


_RULES = {
    "postgresql": IdentifierRule("PostgreSQL", Fold.UNQUOTED_LOWER, Fold.UNQUOTED_LOWER),
    "greenplum": IdentifierRule("Greenplum", Fold.UNQUOTED_LOWER, Fold.UNQUOTED_LOWER),
    "vertica": IdentifierRule("Vertica", Fold.CASELESS, Fold.CASELESS),
    "sqlite": IdentifierRule("SQLite", Fold.ASCII_CASELESS, Fold.ASCII_CASELESS),
}
_MYSQL = ("mysql", "mariadb")


def rule_for(family: str, *, lower_case_table_names: int | None = None) -> IdentifierRule:
    """The rule of a URL family (``registry.family_of``). MySQL's table names depend on the
    server; without it (``None``) they are taken as case-sensitive, the Linux default."""
    if family in _MYSQL:
        tables = Fold.CASELESS if lower_case_table_names in (1, 2) else Fold.EXACT
        return IdentifierRule("MySQL/MariaDB", tables, Fold.CASELESS)
    return _RULES.get(family, IdentifierRule(family or "generic", Fold.EXACT, Fold.EXACT))


def rule_of(source: Source) -> IdentifierRule:
    """The rule of an open source (asks a MySQL server for ``lower_case_table_names``)."""
    family = getattr(source, "scheme", "")
    if family in _MYSQL:
        lctn = getattr(source, "lower_case_table_names", None)
        return rule_for(family, lower_case_table_names=lctn() if callable(lctn) else None)
    return rule_for(family)


def suggest(typed: str, names: Iterable[str]) -> str | None:
    """The closest name, for a typo's error message."""
    names = list(names)
    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(typed.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _not_found(what: str, typed: str, where: str, names: Sequence[str]) -> NotFound:
    hint = suggest(typed, names)
    tail = f" Did you mean {hint!r}?" if hint else ""
    return NotFound(f"No {what} {typed!r} in {where}.{tail}")


def unquote_column(text: str) -> tuple[str, bool]:
    """A column as typed: ``"Mixed Case"`` (quoted, exact on PostgreSQL) or ``email``."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"'), True
    return text, False


def resolve_table(
    source: Source, text: str | TableRef, rule: IdentifierRule | None = None
) -> TableRef:
    """The table or view ``text`` names (as typed, quotes and all; or a ``TableRef``, whose
    exact spelling wins), spelled as the catalog spells it; ``NotFound`` (with the closest
    name) when there is none. A schema-less name stays schema-less."""
    from dte_desktop.core.sources.names import split_name_quoted

    rule = rule or rule_of(source)
    exact_first = isinstance(text, TableRef)
    if isinstance(text, TableRef):
        parts = [(p, False) for p in (text.schema, text.name) if p is not None]
    else:
        parts = split_name_quoted(text.strip())
    if len(parts) > 2:
        raise ConfigError(f"{text!r} has {len(parts)} parts; write schema.table.")
    schema: str | None = None
    if len(parts) == 2:
        (typed_schema, quoted_schema) = parts[0]
        schemas = source.list_schemas(include_system=True)
        schema = rule.match(
            typed_schema, schemas, column=False, quoted=quoted_schema, exact_first=exact_first
        )
        if schema is None:
            raise _not_found("schema", typed_schema, "the database", schemas)
    typed, quoted = parts[-1]
    names = [t.ref.name for t in source.list_tables(schema)]
    found = rule.match(typed, names, column=False, quoted=quoted, exact_first=exact_first)
    if found is not None:
        return TableRef(schema, found)
    if schema is None:
        # PostgreSQL's search path reaches past the current schema: ask the engine itself.
        try:
            source.describe(TableRef(None, typed))
            return TableRef(None, typed)
        except NotFound:
            pass
    raise _not_found("table or view", typed, f"schema {schema}" if schema else "the database",
                     names)  # fmt: skip


def resolve_schema(source: Source, text: str, rule: IdentifierRule | None = None) -> str:
    """The schema ``text`` names (quoted or folded as the engine does); ``NotFound``."""
    from dte_desktop.core.sources.names import split_name_quoted

    parts = split_name_quoted(text.strip())
    if len(parts) != 1:
        raise ConfigError(f"{text!r} is not one schema name; quote a name that holds dots.")
    typed, quoted = parts[0]
    schemas = source.list_schemas(include_system=True)
    found = (rule or rule_of(source)).match(typed, schemas, column=False, quoted=quoted)
    if found is None:
        raise _not_found("schema", typed, "the database", schemas)
    return found


def resolve_columns(
    source: Source,
    table: TableRef,
    typed: Sequence[str],
    rule: IdentifierRule | None = None,
    *,
    stored: bool = False,
) -> list[str]:
    """Each typed column as the catalog spells it; ``NotFound`` (with the closest name).
    ``stored``: names from a file or the history (no quotes; an exact spelling wins)."""
    rule = rule or rule_of(source)
    names = [c.name for c in source.describe(table)]
    out = []
    for text in typed:
        name, quoted = (text, False) if stored else unquote_column(text)
        found = rule.match(name, names, column=True, quoted=quoted, exact_first=stored)
        if found is None:
            raise _not_found("column", name, table.display(), names)
        out.append(found)
    return out


def resolve_tables(
    source: Source, texts: Sequence[str], rule: IdentifierRule | None = None
) -> list[TableRef]:
    """Every table ``texts`` names, checked before any work starts: one ``NotFound`` that
    names each missing table (with its closest name), never a silent drop of one of them."""
    rule = rule or rule_of(source)
    found: list[TableRef] = []
    missing: list[str] = []
    for text in texts:
        try:
            found.append(resolve_table(source, text, rule))
        except NotFound as exc:
            missing.append(str(exc))
    if missing:
        raise NotFound(" ".join(missing))
    return found
