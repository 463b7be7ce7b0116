"""A user's row filter (``--where``) is one boolean expression that cannot leave its group.

Every source embeds the filter as ``(… our predicates …) AND (FILTER\\n)``. A filter such as
``1=1) OR (true`` closed that group and turned the slice predicate into ``… OR true``: with
``--partitions 2`` every slice read every row, and the export reported ``complete`` with each
row twice. So the filter is scanned here, the one place every engine's reader calls, and
refused unless its parentheses balance and never close more than they opened, with no ``;``.

Quotes decide what is text, and engines quote differently (PostgreSQL: ``E'…'`` escapes
and ``$tag$…$tag$``; MySQL: backslash escapes in ``'…'`` and ``"…"``, backticks, ``#`` and
``-- `` comments, ``/*! … */`` that runs; SQLite: ``[…]`` names). Each source checks the
filter the way its engine reads it; an engine this module does not know must pass every
reading, so a string that one engine ends earlier than another cannot hide a parenthesis.
"""

from __future__ import annotations

import re

from dte_desktop.core.errors import ConfigError

_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


_READINGS = ("postgresql", "mysql", "brackets")


def _escapes(sql: str, i: int, quote: str, reading: str) -> bool:
    """Does a backslash escape inside the quoted text starting at ``sql[i]``?"""
    if reading == "mysql":
        return quote in "'\""
    if reading != "postgresql" or quote != "'" or i == 0 or sql[i - 1] not in "eE":
        return False
    # E'…' only when the E stands alone: date'…' is a typed literal without escapes.
    return i == 1 or not (sql[i - 2].isalnum() or sql[i - 2] in "_$")


def _problem(sql: str, reading: str) -> str | None:
    """What is wrong with ``sql`` under one engine family's reading."""
    mysql = reading == "mysql"
    quotes = {"postgresql": "'\"", "mysql": "'\"`", "brackets": "'\"`["}[reading]
    depth, i, n = 0, 0, len(sql)
    while i < n:
        ch = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        dash_comment = ch == "-" and nxt == "-" and (not mysql or i + 2 >= n or sql[i + 2] <= " ")
        if dash_comment or (mysql and ch == "#"):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if ch == "/" and nxt == "*":
            if mysql and sql.startswith("/*!", i):
                return "MySQL's /*! … */ runs its content; write it as plain SQL"
            end = sql.find("*/", i + 2)
            if end < 0:
                return "a /* comment is not closed"
            if "/*" in sql[i + 2 : end]:
                return "nested /* comments are not accepted in a filter"
            i = end + 2
            continue
        if ch == "$" and reading == "postgresql" and (m := _DOLLAR.match(sql, i)):
            end = sql.find(m.group(0), m.end())
            if end < 0:
                return "a $-quoted string is not closed"
            i = end + len(m.group(0))
            continue
        if ch in quotes:
            close = "]" if ch == "[" else ch
            escapes = _escapes(sql, i, ch, reading)
            j = i + 1
            while True:
                if j >= n:
                    return "a quoted string or name is not closed"
                if escapes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == close:
                    if close != "]" and j + 1 < n and sql[j + 1] == close:  # doubled: inside
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            continue
        if ch == ";":
            return "it holds a ';' (one expression, not statements)"
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return "it closes a parenthesis it did not open"
        i += 1
    if depth:
        return "its parentheses do not balance"
    return None


_BY_ENGINE = {
    "postgresql": ("postgresql",),
    "greenplum": ("postgresql",),
    "vertica": ("postgresql",),
    "mysql": ("mysql",),
    "mariadb": ("mysql",),
    "sqlite": ("brackets",),
}


def _clean(where: str) -> str:
    text = where.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise ConfigError("The row filter (--where) is empty.")
    return text


def _refuse(why: str) -> ConfigError:
    return ConfigError(f"The row filter (--where) must be one boolean expression: {why}.")


def check_filter(where: str, engine: str | None = None) -> str:
    """The filter without trailing blanks and semicolons, or ``ConfigError`` saying why it
    is not one self-contained expression the way ``engine`` reads it (every reading when
    the engine is not known)."""
    text = _clean(where)
    for reading in _BY_ENGINE.get(engine or "", _READINGS):
        why = _problem(text, reading)
        if why:
            raise _refuse(why)
    return text


def plausible_filter(where: str) -> str:
    """The early check, before the engine is known: some engine could read it as one
    expression (the source checks it again, its own way, before any row is read)."""
    text = _clean(where)
    problems = [_problem(text, reading) for reading in _READINGS]
    if all(problems):
        raise _refuse(str(problems[0]))
    return text


def filter_group(where: str, engine: str | None = None) -> str:
    """The filter as the group every source appends with AND. Its own line before the
    closing parenthesis: a trailing ``-- comment`` cannot swallow it."""
    return f"({check_filter(where, engine)}\n)"
