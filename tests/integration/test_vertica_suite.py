"""The Vertica source through the same checks as PostgreSQL, against the Vertica test server
(``tests/vertica_server``, always on): exports in every format partitioned by HASH, profile in
every mode, rules, samples, masked preview. Truth comes from the backing PostgreSQL database,
read with psycopg, never through the code under test."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pytest

from dte_desktop.core.app import bootstrap
from dte_desktop.core.export.manifest import verify_manifest
from dte_desktop.core.export.spec import ExportSpec, FormatOptions
from dte_desktop.core.privacy.classification import Level
from dte_desktop.core.privacy.gate import PrivacyGate
from dte_desktop.core.privacy.labels import classify
from dte_desktop.core.privacy.policy import default_policy
from dte_desktop.core.privacy.service import masked_preview
from dte_desktop.core.profiling.rules import check_rule
from dte_desktop.core.sampling import SampleSpec, run_sample
from dte_desktop.core.sources.base import SelectSpec, TableRef
from dte_desktop.core.sources.registry import open_source
from dte_desktop.core.sources.vertica import VerticaSource
from dte_desktop.core.store import JobStatus, Store
from tests.integration.export_helpers import as_text_rows, export, read_output
from tests.integration.profiling_helpers import percentile_cont, rank_error, run_profile
from tests.integration.test_profile_rules import CASES as RULE_CASES
from tests.vertica_server import VerticaTestServer

pytestmark = [pytest.mark.postgres, pytest.mark.filterwarnings("ignore:TLS is not configured")]

ROWS = 3000
LABEL = 'public."Mixed ""Case"" tbl"'
REF = TableRef("public", 'Mixed "Case" tbl')
DDL = """CREATE TABLE public."Mixed ""Case"" tbl" (
  id INT PRIMARY KEY, "select" INT, amount NUMERIC(10,2), score FLOAT,
  "naïve ünïcode" VARCHAR(100), email VARCHAR(100), category VARCHAR(10), flag BOOLEAN,
  d DATE, ts TIMESTAMPTZ, blob VARBINARY(16), uid UUID)
SEGMENTED BY HASH(id) ALL NODES"""
# generate_series is PostgreSQL's: the test server passes it through (the data is the point).
FILL = f"""INSERT INTO public."Mixed ""Case"" tbl"
SELECT g,
  CASE WHEN g % 10 = 0 THEN NULL ELSE (g * 7919) % 500 - 100 END,
  CASE WHEN g % 13 = 0 THEN NULL ELSE round(((g * 104729) % 100000) / 7.0, 2) END,
  CASE WHEN g % 17 = 0 THEN NULL ELSE sqrt(g) * 3.5 END,
  CASE WHEN g % 11 = 0 THEN NULL ELSE 'Ünï ' || (g % 97) || ' ''q"' END,
  'user' || g || '@example.com', (ARRAY['red','green','blue'])[1 + g % 3],
  CASE WHEN g % 19 = 0 THEN NULL ELSE g % 4 = 0 END,
  DATE '2000-01-01' + (g * 37) % 9000,
  TIMESTAMPTZ '2020-01-01 00:00:00+00' + (g * 7001) * INTERVAL '1 second',
  decode(md5(g::text), 'hex'), md5(g::text)::uuid
FROM generate_series(1, {ROWS}) g"""


def vsql(server: VerticaTestServer, *statements: str) -> None:
    import vertica_python

    conn = vertica_python.connect(
        host="127.0.0.1",
        port=server.port,
        user="dbadmin",
        database=server.database,
        autocommit=True,
        tlsmode="disable",
    )
    with conn:
        cur = conn.cursor()
        for s in statements:
            cur.execute(s)


def truth(server: VerticaTestServer, sql: str) -> list[tuple]:
    with psycopg.connect(server.pg_dsn, options="-c TimeZone=UTC") as c:
        return c.execute(sql).fetchall()


@pytest.fixture(scope="module")
def vt(vertica_server_module: VerticaTestServer) -> VerticaTestServer:
    refs = "INSERT INTO public.refs SELECT generate_series(-50, 200)"
    vsql(vertica_server_module, DDL, FILL, "CREATE TABLE public.refs (k INT)", refs)
    return vertica_server_module


def read_all(url: str) -> pa.Table:
    src = open_source(url)
    return pa.Table.from_batches(list(src.read_batches(SelectSpec(table=REF))))


def test_reads_match_the_backing_database(vt) -> None:
    table = read_all(vt.url())
    assert table.num_rows == ROWS
    assert table.schema.field("amount").type == pa.decimal128(10, 2)
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    rows = truth(
        vt,
        'SELECT id, amount, ts, blob, uid::text, "naïve ünïcode" '
        'FROM "Mixed ""Case"" tbl" ORDER BY id',
    )
    got = table.sort_by("id")
    assert got.column("id").to_pylist() == [r[0] for r in rows]
    assert got.column("amount").to_pylist() == [r[1] for r in rows]
    assert got.column("ts").to_pylist() == [r[2] for r in rows]
    assert got.column("blob").to_pylist() == [bytes(r[3]) for r in rows]
    assert got.column("naïve ünïcode").to_pylist() == [r[5] for r in rows]
    assert got.column("uid").to_pylist() == [r[4] for r in rows]
    # A query's columns are typed from the driver's description like a table's: UUID as text
    # (Arrow would infer its uuid extension type, which the profiler's kernels reject).
    src = open_source(vt.url())
    spec = SelectSpec(query='SELECT uid, ts FROM "Mixed ""Case"" tbl" ORDER BY id')
    q = pa.Table.from_batches(list(src.read_batches(spec)))
    assert q.schema.field("uid").type == pa.string()
    assert q.column("uid").to_pylist() == [r[4] for r in rows]


FORMATS = [("parquet", None), ("csv", "gzip"), ("arrow", None), ("feather", None),
           ("jsonl", None), ("xlsx", None)]  # fmt: skip


@pytest.mark.parametrize(("fmt", "compression"), FORMATS)
def test_export_every_format_partitioned_by_hash(vt, tmp_path: Path, fmt, compression) -> None:
    out = tmp_path / "out"
    spec = ExportSpec(mask=False, connection=vt.url(), out_dir=str(out), tables=(LABEL,),
                      format=fmt, options=FormatOptions(compression=compression),
                      layout="folder", partitions=4, workers=2, batch_rows=700)  # fmt: skip
    assert export(spec)[1] == JobStatus.COMPLETE
    manifest = json.loads((out / "manifest.json").read_text())
    files = manifest["files"]
    assert len(files) == 4 and sum(f["rows"] for f in files) == ROWS
    assert all(0 < f["rows"] < ROWS for f in files)  # HASH spread the rows over the slices
    assert manifest["snapshot"].startswith("not shared")  # Vertica: no snapshot across sessions
    assert verify_manifest(out) == []
    want = read_all(vt.url()).sort_by("id")
    parts = [read_output(out / f["path"], fmt, want.schema) for f in files]
    if fmt in ("jsonl", "xlsx"):
        got = sorted((r for p in parts for r in p), key=lambda r: r["id"])
        assert [r["id"] for r in got] == want.column("id").to_pylist()
        assert [r["email"] for r in got] == want.column("email").to_pylist()
        assert [r["naïve ünïcode"] for r in got] == want.column("naïve ünïcode").to_pylist()
        return
    got = pa.concat_tables(parts)
    if fmt == "csv":
        rows = sorted(
            zip(*[c.to_pylist() for c in got.columns], strict=True), key=lambda r: int(r[0])
        )
        assert rows == as_text_rows(want)
        return
    got = got.sort_by("id")
    assert got.schema == want.schema and got.equals(want)


@pytest.mark.parametrize("mode", ["pushdown", "stream", "auto"])
def test_profile_every_mode_against_sql(vt, mode: str) -> None:
    store = Store.open()
    try:
        _, prof = run_profile(open_source(vt.url()), store, REF, mode=mode)
    finally:
        store.close()
    assert prof.row_count == ROWS
    cols = {c["name"]: c for c in prof.to_json()["columns"]}
    t = '"Mixed ""Case"" tbl"'
    for name, c in cols.items():
        q = '"' + name.replace('"', '""') + '"'
        n, nn, distinct = truth(vt, f"SELECT count(*), count({q}), count(DISTINCT {q}) FROM {t}")[0]
        assert (c["count"], c["nulls"]) == (n, n - nn), name
        if mode == "pushdown":  # APPROXIMATE_COUNT_DISTINCT is exact on the test server
            assert c["distinct"] == distinct, name
        else:
            assert c["distinct"] == pytest.approx(distinct, rel=0.02), name
    for name in ("select", "amount", "score"):
        q = f'"{name}"'
        mn, mx, avg = truth(
            vt, f"SELECT min({q})::float8, max({q})::float8, avg({q})::float8 FROM {t}"
        )[0]
        c = cols[name]
        assert (c["min"], c["max"]) == pytest.approx((mn, mx)) and c["mean"] == pytest.approx(avg)
        values = np.array(
            [r[0] for r in truth(vt, f"SELECT {q}::float8 FROM {t} WHERE {q} IS NOT NULL")]
        )
        if mode == "pushdown":  # APPROXIMATE_PERCENTILE is percentile_cont on the test server
            exact = percentile_cont(values)
            assert list(c["quantiles"].values()) == pytest.approx(list(exact.values()), rel=1e-9)
        else:  # a sketch: within its rank error
            assert rank_error(values, c["quantiles"]) <= 0.02, name


def test_rules_of_every_kind_against_sql(vt) -> None:
    src = open_source(vt.url())
    gate = PrivacyGate(replace(default_policy(), default_level=Level.PUBLIC), b"k" * 32)
    t = '"Mixed ""Case"" tbl"'
    for kind, col, params, sql in RULE_CASES:
        res = check_rule(src, REF, kind, col, params, gate=gate)
        expected = truth(vt, sql.format(t=t))[0][0] or 0
        checked_sql = (
            f"SELECT count(*) FROM {t}" if kind == "not_null" else f'SELECT count("{col}") FROM {t}'
        )
        assert (res.failed, res.checked) == (expected, truth(vt, checked_sql)[0][0]), (kind, col)
        assert res.method == "sql", (kind, col)
        if col == "email" and res.samples:  # detected PII: failing samples masked
            assert not any(str(v).startswith("user") for v in res.samples)


@pytest.fixture
def ctx(vt):
    c = bootstrap(demo=False)
    c.store.save_connection("vt", vt.url())
    classify(c.store, "vt", REF, None, "Public")
    classify(c.store, "vt", REF, "email", "Confidential", pii_type="email")
    yield c
    c.close()


def test_samples_and_masked_preview(ctx, vt) -> None:
    ctx.store.add_rule("vt", REF.display(), "category", "allowed", {"values": ["red", "green"]})
    spec = SampleSpec("vt", LABEL, 40, {"anomaly": 20, "boundary": 10, "random": 10}, seed=7)
    data = run_sample(ctx, spec).to_json()
    ids = [x["key"]["id"] for x in data["lineage"]]
    assert len(ids) == 40 == len(set(ids))
    blue = {
        r[0] for r in truth(vt, 'SELECT id FROM "Mixed ""Case"" tbl" WHERE category = \'blue\'')
    }
    anomalies = [x for x in data["lineage"] if x["strategy"] == "anomaly"]
    assert anomalies and {x["key"]["id"] for x in anomalies if x.get("why") == "rule"} <= blue
    assert run_sample(ctx, spec).to_json()["lineage"] == data["lineage"]  # same seed, same rows
    shown = json.dumps(data["rows"])
    assert "@example.com" not in shown and data["masking"]["email"] != "keep"

    preview = masked_preview(ctx, "vt", REF, limit=25)
    assert preview.table.num_rows == 25
    emails = preview.table.column("email").to_pylist()
    assert emails and not any(e and e.endswith("@example.com") for e in emails)
    assert preview.operators["email"] != "keep" and preview.operators["id"] == "keep"


def test_catalog_and_describe(vt) -> None:
    src = open_source(vt.url())
    assert isinstance(src, VerticaSource)
    tables = {t.ref.name: t for t in src.list_tables("public")}
    assert tables[REF.name].estimated_rows == ROWS and tables[REF.name].size_bytes > 0
    cols = {c.name: c for c in src.describe(REF)}
    assert [c.db_type for c in cols.values()] == [
        "int", "int", "numeric(10,2)", "float", "varchar(100)", "varchar(100)", "varchar(10)",
        "boolean", "date", "timestamptz", "varbinary(80)", "uuid"]  # fmt: skip
    assert cols["id"].primary_key and not cols["id"].nullable
    assert [p.predicate for p in src.partition(REF, 2)] == [
        'MOD(HASH("id"), 2) = 0',
        'MOD(HASH("id"), 2) = 1',
    ]
