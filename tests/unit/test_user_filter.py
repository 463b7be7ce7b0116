"""``--where`` cannot leave its parentheses (issue 15 item 6), under any engine's quoting."""

from __future__ import annotations

import pytest

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.user_filter import check_filter, filter_group, plausible_filter

ACCEPTED = [
    "id > 5",
    "id IN (1, 2, 3) AND (h LIKE 'a%' OR h IS NULL)",
    "h = ')' OR h = '('",
    "h = 'it''s (fine'",
    'h = "odd )name"',
    "h = E'a\\\\b'",  # a PostgreSQL escape string with an escaped backslash
    "x > 1 -- trailing comment )",
    "x > 1 /* ) */",
    "id > 1;",  # a trailing semicolon is dropped, as for queries
]
REFUSED = [
    "1=1) OR (true",  # the issue's filter: closes our group
    "1=1)) OR ((true",
    "(id > 1",
    "id > 1); DROP TABLE t; --",
    "id > 1; SELECT 1",
    "h = 'a\\') OR (true --'",  # PostgreSQL ends the string at \\'
    'h = "a\\") OR (true -- "',  # PostgreSQL ends the name at \\\"
    "h = $$'$$) OR (true --'",  # PostgreSQL dollar quoting hides the first quote
    "h = date'x\\') OR (true --'",  # a typed literal is no E-string
    "id = 1--1) OR (true",  # MySQL: --1 is minus minus one, not a comment
    "id = 1 /*!) OR (true*/",  # MySQL runs /*! … */
    "[']) OR (true --']",  # SQLite: [ … ] is a name
    "h = E'a\\') OR (true --'",  # text to PostgreSQL, but SQLite ends it at \\': refused
    "h = 'open",
    "x > 1 /* open",
    "  ;  ",
]


@pytest.mark.parametrize(
    ("engine", "where"),
    [
        ("mysql", "`it's` = 'o''clock' AND h = 'a\\'b'"),
        ("postgresql", "h = E'a\\') OR (true --' AND h = $x$ ) $x$"),
        ("sqlite", "[odd ) name] = 1"),
    ],
)
def test_each_engine_reads_its_own_quoting(engine: str, where: str) -> None:
    assert check_filter(where, engine) == where
    assert plausible_filter(where) == where
    with pytest.raises(ConfigError):  # an engine not known must pass every reading
        check_filter(where)


def test_the_issue_filter_is_refused_by_every_engine() -> None:
    for engine in ("postgresql", "mysql", "sqlite", "vertica", None):
        with pytest.raises(ConfigError, match="did not open"):
            check_filter("1=1) OR (true", engine)
    with pytest.raises(ConfigError, match="did not open"):
        plausible_filter("1=1) OR (true")


@pytest.mark.parametrize("where", ACCEPTED)
def test_one_expression_is_accepted(where: str) -> None:
    assert filter_group(where) == f"({check_filter(where)}\n)"


@pytest.mark.parametrize("where", REFUSED)
def test_a_filter_that_could_leave_its_group_is_refused(where: str) -> None:
    with pytest.raises(ConfigError, match=r"--where|row filter"):
        check_filter(where)
