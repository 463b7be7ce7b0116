"""The words the read-only checks see: strings, comments and quoted names are skipped per
dialect; MySQL's executable comments are code."""

from __future__ import annotations

import pytest

from dte_desktop.core.errors import PermissionDenied
from dte_desktop.core.sources.sql_words import require_select_like, words


def bare(sql: str, dialect: str) -> list[str]:
    return [w.text for w in words(sql, dialect) if not w.quoted]


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        ("SELECT 'it\\'s into' , \"into\" FROM t", "mysql", ["SELECT", "FROM", "T"]),
        ("SELECT 1 /*!50000 INTO */ -- into\n# into\n", "mysql", ["SELECT", "INTO"]),
        ("SELECT 1 /*M!100000 into */ x", "mysql", ["SELECT", "INTO", "X"]),
        ("SELECT 1 /* into */ x", "mysql", ["SELECT", "X"]),
        ("SELECT $$ lo_export $$, $q$ a $q$ x", "postgresql", ["SELECT", "X"]),
        ("SELECT E'\\' lo_export' x", "postgresql", ["SELECT", "E", "X"]),
        ("SELECT 'a\\' lo_export", "postgresql", ["SELECT", "LO_EXPORT"]),  # standard strings
        ("SELECT /* a /* nested */ lo_export */ x", "postgresql", ["SELECT", "X"]),
        ('SELECT [attach], `vacuum`, "x" FROM t', "sqlite", ["SELECT", "FROM", "T"]),
        ("SELECT 'a''b into' x", "ansi", ["SELECT", "X"]),
    ],
)
def test_words_outside_strings_and_comments(sql: str, dialect: str, expected: list[str]):
    assert bare(sql, dialect) == expected


def test_quoted_identifiers_are_kept_apart() -> None:
    ws = words('SELECT "lo_export"(1), `a``b`', "postgresql")
    assert [(w.text, w.quoted) for w in ws][:2] == [("SELECT", False), ("lo_export", True)]
    assert [w.text for w in words("SELECT `a``b`", "mysql") if w.quoted] == ["a`b"]


@pytest.mark.parametrize(
    "sql",
    [
        "(SELECT 1) UNION (SELECT 2)",
        " -- c\n with x as (select 1) select * from x",
        "VALUES (1)",
        "TABLE t",
    ],
)
def test_queries_pass(sql: str) -> None:
    require_select_like(sql, "postgresql")


@pytest.mark.parametrize("sql", ["", "-- only a comment", "SET x = 1", "'SELECT'", '"SELECT" 1'])
def test_anything_else_is_not_a_query(sql: str) -> None:
    with pytest.raises(PermissionDenied, match="Only a query"):
        require_select_like(sql, "postgresql")
