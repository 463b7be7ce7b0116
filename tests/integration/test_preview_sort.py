"""The table preview's server-side sort (issue 20, grids): ``PreviewSession.sort`` orders
the whole table through each source's ORDER BY (PostgreSQL's is in tests/ui/test_grid.py;
here SQLite and MariaDB, the SQLAlchemy path); a masked column is refused before any row is
read (its stored values' order would leak), and a query is never re-wrapped to sort it."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from dte_desktop.core.errors import ConfigError, PolicyViolation
from dte_desktop.core.privacy.labels import classify
from dte_desktop.core.privacy.preview_session import PreviewSession, QueryText
from dte_desktop.core.sources.base import TableRef

N = 3_000


def _fill(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE t (id integer PRIMARY KEY, score integer, secret text)")
        c.execute(
            sa.text("INSERT INTO t VALUES (:i, :s, :x)"),
            [{"i": i, "s": (i * 7919) % 10_007, "x": f"zz{(i * 31) % 997:04d}"} for i in range(N)],
        )
    engine.dispose()


def _check(ctx, name: str, url: str) -> None:  # type: ignore[no-untyped-def]
    _fill(url)
    ctx.store.save_connection(name, url)
    ref = TableRef(None, "t")
    for col in ("id", "score"):
        classify(ctx.store, name, ref, col, "Public", reason="test")
    session = PreviewSession(ctx, name, ref, page_rows=1_000)
    try:
        first = session.open()
        assert first.operators["secret"] != "keep" and first.operators["score"] == "keep"
        page = session.sort("score", descending=True)
        got = page.batch.column("score").to_pylist()
        want = sorted(((i * 7919) % 10_007 for i in range(N)), reverse=True)
        assert got == want[:1_000]  # the whole table, not the first page, was ordered
        nxt = session.next_page()
        assert nxt is not None and nxt.batch.column("score").to_pylist() == want[1_000:2_000]
        with pytest.raises(PolicyViolation, match="secret is masked"):
            session.sort("secret")
        assert session.order_by == (("score", True),)  # the refused sort changed nothing
    finally:
        session.close()
    query = PreviewSession(ctx, name, QueryText("SELECT id, score FROM t"), page_rows=1_000)
    try:
        query.open()
        with pytest.raises(ConfigError, match="sorted in the grid"):
            query.sort("score")
    finally:
        query.close()


def test_sqlite_preview_sorts_on_the_server(tmp_path, dte_home) -> None:
    from dte_desktop.core.app import bootstrap

    db = tmp_path / "s.sqlite"
    sqlite3.connect(db).close()
    ctx = bootstrap()
    try:
        _check(ctx, "lite", f"sqlite:///{db}")
    finally:
        ctx.close()


@pytest.mark.mariadb
def test_mariadb_preview_sorts_on_the_server(mysql_url, dte_home) -> None:
    from dte_desktop.core.app import bootstrap

    ctx = bootstrap()
    try:
        _check(ctx, "maria", mysql_url.replace("mysql://", "mysql+pymysql://"))
    finally:
        ctx.close()
