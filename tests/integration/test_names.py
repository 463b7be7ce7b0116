"""Table and column names as users type them (issue 14 item 6): an unknown name is refused
with the closest one, and names match the way each engine matches them — on real
PostgreSQL, MariaDB and SQLite servers, through the CLI's own ``main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dte_desktop.core.sources.identifiers import Fold, rule_for

DEMO = "Demo (SQLite)"


def dte(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    from dte_desktop.cli import main
    from dte_desktop.core.logs import reset_logging

    code = main(list(args))
    reset_logging()
    got = capsys.readouterr()
    return code, got.out, got.err


def stored(capsys, name: str) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    code, out, _ = dte(capsys, "classifications", "list", name, "--json")
    assert code == 0
    return {(r["table"], r["column"], r["level"]) for r in json.loads(out)}


def preview_levels(capsys, name: str, table: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    code, out, err = dte(capsys, "preview", name, table, "--limit", "3", "--json")
    assert code == 0, err
    return {c["name"]: c["classification"] for c in json.loads(out)["columns"]}


def import_labels(capsys, tmp_path: Path, name: str, entries: str) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "labels.toml"
    f.write_text(f'version = 1\nconnection = "{name}"\n{entries}')
    code, _, err = dte(capsys, "classifications", "import", name, str(f))
    assert code == 0, err


def test_rules_per_engine() -> None:
    pg = rule_for("postgresql")
    assert pg.match("Customer", ["customer", "Customer"], column=False) == "customer"
    assert pg.match("Customer", ["customer", "Customer"], column=False, quoted=True) == "Customer"
    assert pg.match("Email", ["email"], column=True, quoted=True) is None
    assert pg.same("Email", "email", column=True) and not pg.same("email", "Email", column=True)
    my = rule_for("mysql", lower_case_table_names=0)
    assert my.tables is Fold.EXACT and my.columns is Fold.CASELESS
    assert my.match("mixed case", ["Mixed Case"], column=True) == "Mixed Case"
    assert my.match("mixed", ["Mixed"], column=False) is None
    assert rule_for("mariadb", lower_case_table_names=1).match("MIXED", ["mixed"], column=False)
    assert rule_for("vertica").match("ABC", ["abc"], column=False, quoted=True) == "abc"
    lite = rule_for("sqlite")
    assert lite.match("CUSTOMERS", ["customers"], column=False) == "customers"
    assert lite.match("É", ["é"], column=True) is None  # SQLite folds ASCII letters only
    assert rule_for("oracle").match("A", ["a"], column=True) is None


def test_sqlite_classify_refuses_unknown_names_and_stores_the_catalogs_spelling(
    demo_home, capsys
) -> None:
    code, _, err = dte(capsys, "classify", DEMO, "customers", "emial", "--level", "HRCI")
    assert code == 2 and "No column 'emial' in customers. Did you mean 'email'?" in err
    code, _, err = dte(capsys, "classify", DEMO, "nosuchtable", "--level", "HRCI")
    assert code == 2 and "No table or view 'nosuchtable'" in err
    code, _, err = dte(capsys, "classify", DEMO, "custmers", "--level", "HRCI")
    assert code == 2 and "Did you mean 'customers'?" in err
    before = stored(capsys, DEMO)
    assert not {r for r in before if r[0] in ("nosuchtable", "custmers") or r[1] == "emial"}
    # SQLite compares ASCII letters caselessly: the label is the column's, as the catalog
    # spells it.
    code, _, err = dte(capsys, "classify", DEMO, "PRODUCTS", "SKU", "--level", "HRCI")
    assert code == 0, err
    assert ("products", "sku", "HRCI") in stored(capsys, DEMO)
    assert preview_levels(capsys, DEMO, "products")["sku"] == "HRCI"


def test_mariadb_names_match_as_the_engine_does(mysql_url, capsys, tmp_path) -> None:
    import pymysql
    from sqlalchemy.engine import make_url

    u = make_url(mysql_url)
    con = pymysql.connect(host=u.host, port=u.port, user="root", database=u.database)
    with con.cursor() as cur:
        cur.execute(
            "CREATE TABLE `Mixed` (id INT PRIMARY KEY, `Mixed Case` VARCHAR(20), note TEXT)"
        )
        cur.execute("INSERT INTO `Mixed` VALUES (1, 'abc', 'x'), (2, 'def', 'y')")
        cur.execute("SELECT @@lower_case_table_names")
        (lctn,) = cur.fetchone()
    con.commit()
    con.close()
    assert dte(capsys, "connections", "add", "my", "--url", mysql_url)[0] == 0
    # Item 6's report: a classification of `mixed case` did not apply to `Mixed Case` (a
    # label stored before names were checked, straight through core).
    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.privacy.labels import classify
    from dte_desktop.core.sources.base import TableRef

    ctx = bootstrap()
    classify(ctx.store, "my", TableRef(None, "Mixed"), "mixed case", "HRCI")
    ctx.close()
    assert preview_levels(capsys, "my", "Mixed")["Mixed Case"] == "HRCI"
    # An imported file is checked like `dte classify`: a typo refuses the whole file.
    f = tmp_path / "typo.toml"
    f.write_text('version = 1\n[[classification]]\ntable = "Mixed"\ncolumn = "NOTE"\n'
                 'level = "Proprietary"\n[[classification]]\ntable = "Mixd"\n'
                 'level = "HRCI"\n')  # fmt: skip
    code, _, err = dte(capsys, "classifications", "import", "my", str(f))
    assert code == 2 and "No table or view 'Mixd'" in err and "Did you mean 'Mixed'?" in err
    assert ("Mixed", "note", "Proprietary") not in stored(capsys, "my")
    import_labels(capsys, tmp_path, "my", '[[classification]]\ntable = "Mixed"\n'
                  'column = "NOTE"\nlevel = "Proprietary"\n')  # fmt: skip
    assert ("Mixed", "note", "Proprietary") in stored(capsys, "my")
    code, _, err = dte(capsys, "classify", "my", "Mixed", "NOTE", "--level", "Confidential")
    assert code == 0, err
    assert ("Mixed", "note", "Confidential") in stored(capsys, "my")
    assert ("Mixed", "note", "Proprietary") not in stored(capsys, "my")
    code, _, err = dte(capsys, "classify", "my", "Mixed", "nots", "--level", "HRCI")
    assert code == 2 and "Did you mean 'note'?" in err
    code, _, err = dte(capsys, "classify", "my", "mixed", "note", "--level", "HRCI")
    if lctn == 0:  # table names are case-sensitive on this server
        assert code == 2 and "Did you mean 'Mixed'?" in err
    else:
        assert code == 0, err


def test_postgresql_folds_unquoted_names_only(pg_url, capsys, tmp_path) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE customer (id int PRIMARY KEY, email text, note text)")
        con.execute("""CREATE TABLE "Orders" (id int PRIMARY KEY, "Total" numeric, memo text)""")
        con.execute("INSERT INTO customer VALUES (1, 'a@example.org', 'x')")
        con.execute("""INSERT INTO "Orders" VALUES (1, 9.5, 'y')""")
    assert dte(capsys, "connections", "add", "pg", "--url", pg_url)[0] == 0
    code, _, err = dte(capsys, "classify", "pg", "Customer", "NOTE", "--level", "HRCI")
    assert code == 0, err  # unquoted: folded to lower case, as PostgreSQL does
    code, _, err = dte(capsys, "classify", "pg", '"Customer"', "note", "--level", "HRCI")
    assert code == 2 and "Did you mean 'customer'?" in err  # quoted: exact
    code, _, err = dte(capsys, "classify", "pg", '"Orders"', '"total"', "--level", "HRCI")
    assert code == 2 and "Did you mean 'Total'?" in err
    code, _, err = dte(capsys, "classify", "pg", '"Orders"', '"Total"', "--level", "HRCI")
    assert code == 0, err
    code, _, err = dte(capsys, "classify", "pg", "public.custmer", "--level", "HRCI")
    assert code == 2 and "in schema public. Did you mean 'customer'?" in err
    code, _, err = dte(capsys, "classify", "pg", "pubic.customer", "--level", "HRCI")
    assert code == 2 and "No schema 'pubic'" in err
    assert {("customer", "note", "HRCI"), ("Orders", "Total", "HRCI")} <= stored(capsys, "pg")
    # A label stored (imported) as Orders.MEMO applies to "Orders".memo: unquoted, MEMO is
    # what PostgreSQL resolves to memo.
    import_labels(capsys, tmp_path, "pg", '[[classification]]\ntable = "Orders"\n'
                  'column = "MEMO"\nlevel = "Proprietary"\n')  # fmt: skip
    assert preview_levels(capsys, "pg", '"Orders"')["memo"] == "Proprietary"
    assert preview_levels(capsys, "pg", "customer")["note"] == "HRCI"


@pytest.mark.parametrize("fold", list(Fold))
def test_index_keys_agree_with_same(fold: Fold) -> None:
    from dte_desktop.core.sources.identifiers import IdentifierRule

    rule = IdentifierRule("t", fold, fold)
    names = ["email", "Email", "EMAIL", "É", "é", "Mixed Case", "mixed case"]
    for s in names:
        for a in names:
            by_index = rule.lookup_key(a, column=True) in rule.index_keys(s, column=True)
            assert by_index == rule.same(s, a, column=True), (s, a)


def test_other_commands_refuse_unknown_names_with_the_closest_one(
    demo_home, capsys, tmp_path
) -> None:
    """Siblings of item 6: every command that takes a table or column name."""
    out = str(tmp_path / "out")
    cases = [
        (["profile", DEMO, "custmers"], "Did you mean 'customers'?"),
        (["export", DEMO, "products", "--columns", "nme,unit_price", "--out", out],
         "Did you mean 'name'?"),
        (["export", DEMO, "prodcts", "--out", out], "Did you mean 'products'?"),
        (["rules", "add", DEMO, "customers", "not_null", "emial"], "Did you mean 'email'?"),
        (["rules", "add", DEMO, "orders", "referential", "customer_id", "--ref-table",
          "customer", "--ref-column", "customer_id"], "Did you mean 'customers'?"),
        (["rules", "check", DEMO, "custmers"], "Did you mean 'customers'?"),
        (["sample", DEMO, "custmers", "--size", "5"], "Did you mean 'customers'?"),
        (["sample", DEMO, "customers", "--size", "5", "--stratify", "stat"],
         "Did you mean 'state'?"),
        (["risk", DEMO, "customers", "--qi", "postal_cod,state"],
         "Did you mean 'postal_code'?"),
    ]  # fmt: skip
    for args, hint in cases:
        code, _, err = dte(capsys, *args)
        assert code == 2 and hint in err, (args, code, err)
    assert not (tmp_path / "out").exists()  # refused before any job or file
    code, out_json, _ = dte(capsys, "rules", "list", DEMO, "--json")
    assert json.loads(out_json) == []
    # Spelled another way the engine accepts: stored and run as the catalog spells it.
    code, _, err = dte(capsys, "rules", "add", DEMO, "CUSTOMERS", "not_null", "EMAIL")
    assert code == 0, err
    code, out_json, _ = dte(capsys, "rules", "list", DEMO, "--json")
    assert [(r["table"], r["column"]) for r in json.loads(out_json)] == [("customers", "email")]
    code, out_json, err = dte(capsys, "rules", "check", DEMO, "Customers", "--json")
    assert [r["column"] for r in json.loads(out_json)["results"]] == ["email"], err


def test_mariadb_columns_match_caselessly_in_export_and_risk(mysql_url, capsys, tmp_path):  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq
    import pymysql
    from sqlalchemy.engine import make_url

    u = make_url(mysql_url)
    con = pymysql.connect(host=u.host, port=u.port, user="root", database=u.database)
    with con.cursor() as cur:
        cur.execute(
            "CREATE TABLE people (id INT PRIMARY KEY, `Zip Code` VARCHAR(5), Gender CHAR(1))"
        )
        cur.executemany("INSERT INTO people VALUES (%s, %s, %s)",
                        [(i, f"{10000 + i % 7}", "FM"[i % 2]) for i in range(60)])  # fmt: skip
    con.commit()
    con.close()
    assert dte(capsys, "connections", "add", "my", "--url", mysql_url)[0] == 0
    out = tmp_path / "out"
    code, _, err = dte(capsys, "export", "my", "people", "--columns", "zip code,GENDER",
                       "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert pq.read_table(out / "people.parquet").column_names == ["Zip Code", "Gender"]
    code, report, err = dte(capsys, "risk", "my", "people", "--qi", "ZIP CODE,gender", "--json")
    assert code == 0, err
    assert json.loads(report)["quasi_identifiers"] == ["Zip Code", "Gender"]
