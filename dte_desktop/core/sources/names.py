'''Table names as users type them: ``schema.table``, SQL double quotes around any part that
holds dots, quotes, spaces or capitals (``"Sales Ops"."Order ""Lines"""``).'''

from __future__ import annotations

from dte_desktop.core.errors import ConfigError
from dte_desktop.core.sources.base import TableRef


def split_name(text: str) -> list[str]:
    return [part for part, _quoted in split_name_quoted(text)]


def split_name_quoted(text: str) -> list[tuple[str, bool]]:
    """Each part with whether it was quoted (PostgreSQL folds only unquoted parts)."""
    parts: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            buf, i = [], i + 1
            while True:
                if i >= n:
                    raise ConfigError(f"Unclosed double quote in table name {text!r}.")
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(text[i])
                i += 1
            parts.append(("".join(buf), True))
        else:
            j = text.find(".", i)
            j = n if j < 0 else j
            raw = text[i:j]
            if '"' in raw:
                raise ConfigError(f"A quote inside an unquoted name part: {text!r}.")
            if not raw:
                raise ConfigError(f"Empty part in table name {text!r}.")
            parts.append((raw, False))
            i = j
        if i < n:
            if text[i] != ".":
                raise ConfigError(f"Expected '.' after a quoted part in {text!r}.")
            i += 1
            if i == n:
                raise ConfigError(f"Table name {text!r} ends with a dot.")
    if not parts:
        raise ConfigError("An empty table name.")
    return parts


def parse_table(text: str, default_schema: str | None = None) -> TableRef:
    """``table`` (default schema) or ``schema.table``. Unquoted parts are kept as typed:
    each source resolves case the way its engine does."""
    parts = split_name(text.strip())
    if len(parts) == 1:
        return TableRef(default_schema, parts[0])
    if len(parts) == 2:
        return TableRef(parts[0], parts[1])
    raise ConfigError(
        f"{text!r} has {len(parts)} parts; write schema.table, quoting parts that hold dots."
    )


def split_columns(text: str) -> list[str]:
    """A comma-separated column list as typed, each name kept with its SQL double quotes
    (``a, "zip code", "x,y"`` -> ``['a', '"zip code"', '"x,y"']``) so the catalog lookup
    knows which ones are exact."""
    out: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted  # a doubled "" inside quotes toggles twice: stays inside
        if ch == "," and not quoted:
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if quoted:
        raise ConfigError(f"Unclosed double quote in the column list {text!r}.")
    out.append("".join(buf).strip())
    if any(not c for c in out):
        raise ConfigError(f"An empty column name in {text!r}.")
    return out
