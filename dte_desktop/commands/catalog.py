"""``dte catalog``, ``dte describe`` and ``dte demo``: what a database holds."""

from __future__ import annotations

import argparse
from typing import Any

from dte_desktop.commands import add_command
from dte_desktop.commands._context import context, emit, prompt_password
from dte_desktop.core.sources.base import ColumnInfo, Source, TableInfo
from dte_desktop.core.sources.identifiers import resolve_schema, resolve_table
from dte_desktop.core.sources.keys import TableKeys, keys_of, suggest_rules


def register(sub: argparse._SubParsersAction) -> None:
    cat = add_command(sub, "catalog")
    cat.add_argument("name", help="connection name or URL")
    cat.add_argument("--schema", help="only this schema")
    cat.add_argument("--system", action="store_true", help="include system schemas")
    cat.add_argument("--json", action="store_true")
    cat.set_defaults(func=cmd_catalog)

    desc = add_command(sub, "describe")
    desc.add_argument("name", help="connection name or URL")
    desc.add_argument("table", help="schema.table; quote parts with dots/spaces: '\"A B\".t'")
    desc.add_argument("--json", action="store_true")
    desc.set_defaults(func=cmd_describe)

    demo = add_command(sub, "demo")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(func=cmd_demo)


def table_json(t: TableInfo) -> dict[str, Any]:
    return {
        "schema": t.ref.schema,
        "name": t.ref.name,
        "kind": t.kind,
        "estimated_rows": t.estimated_rows,
        "size_bytes": t.size_bytes,
        "parent": t.parent,
    }


def column_json(c: ColumnInfo) -> dict[str, Any]:
    return {
        "name": c.name,
        "db_type": c.db_type,
        "arrow_type": str(c.arrow_type),
        "nullable": c.nullable,
        "primary_key": c.primary_key,
        "type_note": c.type_note,
    }


def catalog_of(source: Source, schema: str | None, system: bool) -> list[dict[str, Any]]:
    """``schema`` as the engine resolves it (unquoted names folded): a schema that does not
    exist is ``NotFound``, not an empty listing."""
    if schema and source.capabilities.has_schemas:
        schema = resolve_schema(source, schema)
    schemas = [schema] if schema else (source.list_schemas(include_system=system) or [None])
    return [
        {"schema": s, "tables": [table_json(t) for t in source.list_tables(s)]} for s in schemas
    ]


def _catalog_text(cat: list[dict[str, Any]]) -> str:
    lines = []
    for s in cat:
        lines.append(f"{s['schema'] or '(default)'}")
        for t in s["tables"]:
            rows = "?" if t["estimated_rows"] is None else f"~{t['estimated_rows']:,}"
            lines.append(f"  {t['name']:<40} {t['kind']:<18} {rows:>14} rows")
        if not s["tables"]:
            lines.append("  (no tables)")
    return "\n".join(lines)


def cmd_catalog(args: argparse.Namespace) -> int:
    source = context(args).open_source(args.name, prompt_password)
    try:
        cat = catalog_of(source, args.schema, args.system)
    finally:
        source.close()
    emit(args, cat, lambda: _catalog_text(cat))
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    source = context(args).open_source(args.name, prompt_password)
    try:
        table = resolve_table(source, args.table)  # PUBLIC.film finds public.film
        cols = source.describe(table)
        keys = keys_of(source, table)
    finally:
        source.close()
    rules = suggest_rules(keys)
    data = {
        "table": table.display(),
        "columns": [column_json(c) for c in cols],
        **keys.to_json(),
        "suggested_rules": [{**r.to_json(), "command": r.command(args.name, table)} for r in rules],
    }

    def text() -> str:
        out = [data["table"]]
        for c in cols:
            flags = ("PK " if c.primary_key else "") + ("" if c.nullable else "NOT NULL")
            note = f"  ({c.type_note})" if c.type_note else ""
            out.append(f"  {c.name:<32} {c.db_type:<24} {c.arrow_type!s:<24} {flags}{note}")
        out += _keys_text(keys)
        if rules:
            out.append("suggested rules (from the keys):")
            out += [f"  {r.command(args.name, table)}" for r in rules]
        return "\n".join(out)

    emit(args, data, text)
    return 0


def _keys_text(keys: TableKeys) -> list[str]:
    if not keys.listed:
        return ["keys: this source lists none beyond the primary key"]
    out = []
    if keys.foreign_keys:
        out.append("foreign keys:")
        out += [
            f"  {fk.name or '(unnamed)'}: ({', '.join(fk.columns)}) -> "
            f"{fk.ref_table.display()} ({', '.join(fk.ref_columns)})"
            for fk in keys.foreign_keys
        ]
    if keys.indexes:
        out.append("indexes:")
        for ix in keys.indexes:
            kind = "primary key" if ix.primary else "unique" if ix.unique else "index"
            out.append(f"  {ix.name or '(unnamed)'}: ({', '.join(ix.columns)}) {kind}")
    return out


def cmd_demo(args: argparse.Namespace) -> int:
    from dte_desktop.core.demo import DEMO_CONNECTION

    ctx = context(args)
    source = ctx.open_source(DEMO_CONNECTION)
    try:
        cat = catalog_of(source, None, False)
    finally:
        source.close()
    emit(
        args,
        {"connection": DEMO_CONNECTION, "path": str(ctx.paths.demo_db), "catalog": cat},
        lambda: f"{DEMO_CONNECTION}: {ctx.paths.demo_db}\n" + _catalog_text(cat),
    )
    return 0
