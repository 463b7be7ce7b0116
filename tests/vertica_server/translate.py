"""Vertica SQL → PostgreSQL SQL: the small, explicit rewrite layer of the test server.

Rewritten (outside string literals, quoted identifiers and comments):

* ``HASH(a, b, …)`` → ``v_catalog.vt_hash(ROW(a, b, …)::text)``: a deterministic 63-bit hash,
  0 ≤ x < 2^63, NULLs hash too (Vertica's values differ; only the properties are kept).
* ``APPROXIMATE_COUNT_DISTINCT(x[, tolerance])`` → ``COUNT(DISTINCT x)`` (exact).
* ``APPROXIMATE_PERCENTILE(x USING PARAMETERS percentile=p)`` and ``APPROXIMATE_MEDIAN(x)``
  → ``percentile_cont(p) WITHIN GROUP (ORDER BY x)`` (exact).
* ``TABLESAMPLE(p)`` → ``TABLESAMPLE BERNOULLI (p)`` (row sampling, like Vertica's).
* ``LIMIT n OVER (PARTITION BY … ORDER BY …)`` → a ``row_number()`` filter around the query.
* ``version()`` → a Vertica version string naming this server; ``SET TIME ZONE TO x`` →
  ``SET TIME ZONE x``.
* In ``CREATE TABLE``: INT/INTEGER/SMALLINT/TINYINT/BIGINT → BIGINT (Vertica integers are
  64-bit), ``LONG VARCHAR``/``BINARY``/``VARBINARY``/``LONG VARBINARY`` → the catalog's domains
  (lengths dropped), ``ARRAY[T]`` → ``T[]``, ``DATETIME`` → TIMESTAMP, and trailing projection
  clauses (``ORDER BY``, ``SEGMENTED BY …``, ``UNSEGMENTED …``, ``KSAFE``) are dropped.

Everything else goes to PostgreSQL as it is: both dialects share most of their syntax.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

VERSION = "Vertica Analytic Database v24.1.0-0 (dte test server on PostgreSQL)"

_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/""", re.S)


def _segments(sql: str) -> list[tuple[bool, str]]:
    """(is_code, text) pieces: literals, quoted identifiers and comments are not code."""
    out, pos = [], 0
    for m in _TOKEN.finditer(sql):
        if m.start() > pos:
            out.append((True, sql[pos : m.start()]))
        out.append((False, m.group()))
        pos = m.end()
    if pos < len(sql):
        out.append((True, sql[pos:]))
    return out


def _code_sub(sql: str, pattern: re.Pattern[str], repl: str | Callable[..., str]) -> str:
    return "".join(pattern.sub(repl, t) if code else t for code, t in _segments(sql))


def _mask(sql: str) -> str:
    """The SQL with every non-code character blanked (same length): safe to scan for
    parentheses and commas."""
    return "".join(t if code else _blank(t) for code, t in _segments(sql))


def _blank(token: str) -> str:
    if token[0] in "'\"":  # keep the quotes: a literal still separates tokens
        return token[0] + " " * (len(token) - 2) + token[-1]
    return " " * len(token)


def _calls(sql: str, name: str, rewrite: Callable[[list[str], str], str]) -> str:
    """Rewrite every call ``name(args)``, innermost-last, with ``rewrite(args, inner_text)``."""
    pattern = re.compile(rf"\b{name}\s*\(", re.I)
    while True:
        masked = _mask(sql)
        m = pattern.search(masked)
        if not m:
            return sql
        depth, i, cuts = 1, m.end(), []
        while depth:
            ch = masked[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 1:
                cuts.append(i)
            i += 1
        bounds = [m.end() - 1, *cuts, i - 1]
        args = [sql[a + 1 : b].strip() for a, b in itertools.pairwise(bounds)]
        sql = sql[: m.start()] + rewrite(args, sql[m.end() : i - 1]) + sql[i:]


def _percentile(args: list[str], _inner: str) -> str:
    m = re.match(
        r"(.*?)\s+USING\s+PARAMETERS\s+percentile\s*=\s*([\d.eE+-]+)\s*$", args[0], re.I | re.S
    )
    if not m:
        raise ValueError("APPROXIMATE_PERCENTILE needs USING PARAMETERS percentile=…")
    return f"percentile_cont({m.group(2)}) WITHIN GROUP (ORDER BY {m.group(1)})"


_LIMIT_OVER = re.compile(
    r"\bLIMIT\s+(\d+)\s+OVER\s*\(\s*PARTITION\s+BY\s+(.+?)\s+ORDER\s+BY\s+(.+?)\)\s*$",
    re.I | re.S,
)
_SELECT = re.compile(r"^\s*SELECT\s", re.I)


def _limit_over(sql: str) -> str:
    """``SELECT … LIMIT n OVER (PARTITION BY p ORDER BY o)`` → top-n rows per partition."""
    masked = _mask(sql)
    m = _LIMIT_OVER.search(masked)
    if not m or not _SELECT.match(masked):
        return sql
    body = sql[: m.start()]
    part, order = sql[m.start(2) : m.end(2)], sql[m.start(3) : m.end(3)]
    inner = _SELECT.sub(
        f"SELECT row_number() OVER (PARTITION BY {part} ORDER BY {order}) AS dte_rn, ", body, 1
    )
    return f"SELECT * FROM ({inner}) dte_lo WHERE dte_rn <= {m.group(1)}"


_DDL_TYPES = [
    (re.compile(r"\bLONG\s+VARCHAR\s*(\(\s*\d+\s*\))?", re.I), "v_catalog.long_varchar"),
    (re.compile(r"\bLONG\s+VARBINARY\s*(\(\s*\d+\s*\))?", re.I), "v_catalog.long_varbinary"),
    (re.compile(r"\bVARBINARY\s*(\(\s*\d+\s*\))?", re.I), "v_catalog.varbinary"),
    (re.compile(r"(?<![.\w])BINARY\s*(\(\s*\d+\s*\))?", re.I), "v_catalog.binary"),
    (re.compile(r"\b(?:TINYINT|SMALLINT|INTEGER|BIGINT|INT8|INT)\b", re.I), "BIGINT"),
    (re.compile(r"\bDATETIME\b", re.I), "TIMESTAMP"),
    (re.compile(r"\bARRAY\s*\[\s*([\w .(),]+?)\s*\]", re.I), r"\1[]"),
]
_PROJECTION_TAIL = re.compile(
    r"\)\s*(?:ORDER\s+BY\b|SEGMENTED\s+BY\b|UNSEGMENTED\b|KSAFE\b|PARTITION\s+BY\b).*$", re.I | re.S
)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(?:(?:LOCAL\s+)?TEMP(?:ORARY)?\s+)?TABLE\b", re.I)


def _ddl(sql: str) -> str:
    for pattern, repl in _DDL_TYPES:
        sql = _code_sub(sql, pattern, repl)
    masked = _mask(sql)
    m = _PROJECTION_TAIL.search(masked)
    if m:
        sql = sql[: m.start() + 1]
    return sql


_SIMPLE = [
    (re.compile(r"^\s*SET\s+TIME\s*ZONE\s+TO\b", re.I), "SET TIME ZONE"),
    (re.compile(r"\bversion\s*\(\s*\)", re.I), "'" + VERSION + "'"),
    (re.compile(r"\bTABLESAMPLE\s*\((?!\s*(?:SYSTEM|BERNOULLI))", re.I), "TABLESAMPLE BERNOULLI ("),
]


def translate(sql: str) -> str:
    """One Vertica statement (no trailing semicolon needed) as PostgreSQL runs it."""
    if _CREATE_TABLE.match(sql):
        sql = _ddl(sql)
    for pattern, repl in _SIMPLE:
        sql = _code_sub(sql, pattern, repl)
    sql = _calls(sql, "HASH", lambda a, inner: f"v_catalog.vt_hash(ROW({inner})::text)")
    sql = _calls(sql, "APPROXIMATE_COUNT_DISTINCT", lambda a, _: f"COUNT(DISTINCT {a[0]})")
    sql = _calls(sql, "APPROXIMATE_PERCENTILE", _percentile)
    sql = _calls(
        sql,
        "APPROXIMATE_MEDIAN",
        lambda a, _: f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {a[0]})",
    )
    return _limit_over(sql)


def split_statements(sql: str) -> list[str]:
    """A simple-query string cut at top-level semicolons (empty statements dropped)."""
    masked, out, start = _mask(sql), [], 0
    for i, ch in enumerate(masked):
        if ch == ";":
            out.append(sql[start:i])
            start = i + 1
    out.append(sql[start:])
    return [s for s in (p.strip() for p in out) if s and _mask(s).strip()]


_PLACEHOLDER = re.compile(r"\?")


def number_placeholders(sql: str) -> tuple[str, int]:
    """vertica-python's server-side ``?`` placeholders as PostgreSQL's ``$1, $2, …``."""
    count = 0

    def repl(_m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return _code_sub(sql, _PLACEHOLDER, repl), count


_COPY = re.compile(r"^\s*COPY\s+(.+?)\s+FROM\s+STDIN\b(.*)$", re.I | re.S)
_COPY_OPTION = re.compile(
    r"\b(DELIMITER|ENCLOSED\s+BY|NULL|ESCAPE\s+AS)\s+(?:AS\s+)?('(?:[^']|'')*'|E'(?:[^']|\\.)*')"
    r"|\bSKIP\s+(\d+)",
    re.I,
)


def copy_from_stdin(sql: str) -> str | None:
    """Vertica's ``COPY t [(cols)] FROM STDIN [DELIMITER 'd'] [ENCLOSED BY 'q'] [NULL 'n']
    [SKIP 1] …`` as PostgreSQL's COPY (None if ``sql`` is no such COPY). Vertica's defaults:
    ``|`` between fields, an empty field is NULL, no enclosure; with ENCLOSED BY the CSV
    format. Other options (DIRECT, ABORT ON ERROR, REJECTED DATA, …) are ignored."""
    m = _COPY.match(sql)
    if not m:
        return None
    opts = {"DELIMITER": "'|'", "NULL": "''"}
    skip = 0
    for o in _COPY_OPTION.finditer(m.group(2)):
        if o.group(3):
            skip = int(o.group(3))
        else:
            opts[" ".join(o.group(1).upper().split())] = o.group(2)
    quote = opts.pop("ENCLOSED BY", None)
    fmt = "csv" if quote else "text"
    parts = [f"FORMAT {fmt}", f"DELIMITER {opts['DELIMITER']}", f"NULL {opts['NULL']}"]
    if quote:
        parts.append(f"QUOTE {quote}")
    if skip:
        parts.append("HEADER true")
    return f"COPY {m.group(1)} FROM STDIN WITH ({', '.join(parts)})"
