"""The words of a user's SQL, as the server will see them: outside string literals and
comments, with quoted identifiers kept apart. What the read-only checks look at (a query must
be SELECT-like; MariaDB must not ``SELECT … INTO OUTFILE``; PostgreSQL must not call a
function that writes outside the database). Each source says which rules apply; this module
only reads the text.

MySQL/MariaDB run the inside of ``/*! … */`` and ``/*M! … */`` comments, so those count as
code here; ``#`` starts a comment there. PostgreSQL has dollar quotes and nested comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dte_desktop.core.errors import PermissionDenied

SELECT_LIKE = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_EXEC_COMMENT = re.compile(r"/\*M?!\d*")
_IDENT_QUOTES = {"mysql": "`", "postgresql": '"', "sqlite": '"`[', "ansi": '"'}


@dataclass(frozen=True)
class Word:
    text: str  # upper-cased for bare words, as written for quoted identifiers
    quoted: bool


def words(sql: str, dialect: str) -> list[Word]:
    """``dialect``: "mysql", "postgresql", "sqlite" or "ansi" (any other engine)."""
    out: list[Word] = []
    for kind, text in _tokens(sql, dialect):
        if kind == "ident":
            out.append(Word(text, True))
        elif kind == "word":
            out.append(Word(text.upper(), False))
    return out


_NUMBER = re.compile(r"(?<![A-Za-z0-9_$])\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|(?<![\w$])\.\d+")


def without_literals(sql: str, dialect: str) -> str:
    """The statement's shape, for an audit record: every string and number literal becomes
    ``?`` and comments are dropped (like ``pg_stat_statements``), so a value someone typed
    into a filter (an SSN in ``WHERE ssn = '…'``) is not kept; names and structure are."""
    parts: list[str] = []
    for kind, text in _tokens(sql, dialect):
        if kind == "string":
            parts.append("?")
        elif kind == "other":
            parts.append(_NUMBER.sub("?", text))
        elif kind == "ident":
            q = _IDENT_QUOTES[dialect][0]
            close = "]" if q == "[" else q
            parts.append(q + text.replace(close, close * 2) + close)
        elif kind == "word":
            parts.append(text)
        else:  # a comment
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _tokens(sql: str, dialect: str) -> list[tuple[str, str]]:
    """(kind, text) in order: "comment", "string", "ident" (unquoted content), "word" (a bare
    word as written) and "other" (everything between)."""
    mysql, pg = dialect == "mysql", dialect == "postgresql"
    out: list[tuple[str, str]] = []
    i, n, other = 0, len(sql), 0

    def flush(upto: int) -> None:
        if upto > other:
            out.append(("other", sql[other:upto]))

    while i < n:
        ch = sql[i]
        two = sql[i : i + 2]
        start = i
        if two == "--" or (mysql and ch == "#"):
            end = sql.find("\n", i)
            i, kind = (n if end < 0 else end + 1), "comment"
        elif two == "/*":
            m = _EXEC_COMMENT.match(sql, i) if mysql else None
            if m:  # executed by the server: read on as code, drop the closing */ later
                flush(i)
                i = other = m.end()
                continue
            i, kind = _comment_end(sql, i, nested=pg), "comment"
        elif mysql and two == "*/":
            flush(i)
            i = other = i + 2  # the end of an executable comment
            continue
        elif ch == "'" or (mysql and ch == '"'):
            i, kind = _quoted_end(sql, i, ch, backslash=mysql or _e_string(sql, i)), "string"
        elif ch in _IDENT_QUOTES[dialect]:
            close = "]" if ch == "[" else ch
            end = _quoted_end(sql, i, close, backslash=False)
            flush(start)
            out.append(("ident", sql[i + 1 : end - 1].replace(close * 2, close)))
            i = other = end
            continue
        elif pg and ch == "$" and (m := _DOLLAR.match(sql, i)):
            end = sql.find(m.group(0), m.end())
            i, kind = (n if end < 0 else end + len(m.group(0))), "string"
        elif (m := _WORD.match(sql, i)) and not (i and sql[i - 1].isdigit()):  # not 1e5's e5
            flush(start)
            out.append(("word", m.group(0)))
            i = other = m.end()
            continue
        else:
            i += 1
            continue
        flush(start)
        out.append((kind, sql[start:i]))
        other = i
    flush(n)
    return out


def _e_string(sql: str, i: int) -> bool:
    """PostgreSQL's E'…' strings take backslash escapes."""
    return i > 0 and sql[i - 1] in "eE" and (i < 2 or not sql[i - 2].isalnum())


def _quoted_end(sql: str, i: int, close: str, *, backslash: bool) -> int:
    j = i + 1
    while j < len(sql):
        c = sql[j]
        if backslash and c == "\\":
            j += 2
            continue
        if c == close:
            if close != "]" and sql[j + 1 : j + 2] == close:  # a doubled quote stays inside
                j += 2
                continue
            return j + 1
        j += 1
    return len(sql)


def _comment_end(sql: str, i: int, *, nested: bool) -> int:
    depth, j = 1, i + 2
    while j < len(sql) and depth:
        if nested and sql.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif sql.startswith("*/", j):
            depth, j = depth - 1, j + 2
        else:
            j += 1
    return j


def require_select_like(sql: str, dialect: str) -> list[Word]:
    """Only a query can be read: SELECT, WITH … SELECT, VALUES or TABLE. Checked before the
    text reaches the server, so a statement that changes something never runs at all."""
    ws = words(sql, dialect)
    first = next((w for w in ws if not w.quoted), None)
    if first is None or first.text not in SELECT_LIKE:
        start = first.text if first else "nothing"
        raise PermissionDenied(
            "Only a query can be read here: the connection is read-only and only reads with "
            f"SELECT, WITH … SELECT, VALUES or TABLE. This statement starts with {start} and "
            "was not sent."
        )
    return ws


def refuse_words(
    ws: list[Word], banned: dict[str, str], what: str, *, quoted_too: bool = False
) -> None:
    """``banned``: upper-cased word -> why it is refused. Quoted identifiers count only with
    ``quoted_too`` (a function can be called by its quoted name; a keyword cannot be quoted)."""
    for w in ws:
        if w.quoted and not quoted_too:
            continue
        reason = banned.get(w.text.upper())
        if reason is not None:
            raise PermissionDenied(f"{what} is read-only: {reason} ({w.text}) is refused here.")
