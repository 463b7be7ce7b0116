"""Each source class declares its kind and owns its SQL dialect; the registry reads them."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from dte_desktop.core.profiling.dialect import dialect_for
from dte_desktop.core.sources.base import TableRef
from dte_desktop.core.sources.registry import kind_of, kinds, open_source, source_class
from dte_desktop.core.sources.sqlite_dialect import SQLiteDialect

CORE = pathlib.Path(__file__).resolve().parents[2] / "dte_desktop" / "core"


def test_kinds_are_read_from_the_source_classes() -> None:
    listed = kinds()
    assert [k.label for k in listed] == [
        "PostgreSQL / Greenplum",
        "MySQL / MariaDB",
        "Vertica",
        "SQLite",
        "Other SQLAlchemy URL",
    ]
    ports = {k.key: k.default_port for k in listed}
    assert ports == {"postgresql": 5432, "mysql": 3306, "vertica": 5433, "sqlite": None,
                     "generic": None}  # fmt: skip
    for cls in {source_class(f"{s}://h/db") for k in listed for s in k.schemes}:
        assert cls.scheme == cls.kind.key
    assert kind_of("mariadb+pymysql://u@h/db").key == "mysql"
    assert kind_of("greenplum://u@h/db").key == "postgresql"
    assert kind_of("mssql+pyodbc://u@h/db").key == "generic"
    ssl = {k.key: [o.key for o in k.options] for k in listed}
    assert "sslmode" in ssl["postgresql"] and "ssl_ca" in ssl["mysql"]
    assert "tlsmode" in ssl["vertica"] and ssl["sqlite"] == []


def test_a_source_owns_its_dialect(tmp_path) -> None:
    src = open_source(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        d = dialect_for(src)
        assert isinstance(d, SQLiteDialect)
        assert d.table(TableRef("main", "t")) == '"t"'
    finally:
        src.close()


def test_opening_sqlite_imports_no_other_driver(tmp_path) -> None:
    code = (
        "import sys, json; from dte_desktop.core.sources.registry import open_source; "
        f"open_source('sqlite:///{tmp_path / 'x.db'}').close(); "
        "drivers = {'psycopg', 'pymysql', 'vertica_python'}; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & drivers)))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []


def test_profiling_and_sampling_never_branch_on_the_family() -> None:
    hits = [
        f"{p.relative_to(CORE)}:{n}"
        for p in CORE.rglob("*.py")
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if "family ==" in line or "family in (" in line or "family not in" in line
    ]
    assert hits == []
