"""The Vertica source's batch decoding of DataRow messages (``vertica_rows``) gives exactly what
the client's own converters give, value by value, for every type, in text and binary transfer,
at batch edges, for rows longer than the client's socket buffer, and keeps the client's errors."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import vertica_python

from dte_desktop.core.errors import DteError
from dte_desktop.core.sources import vertica_rows
from dte_desktop.core.sources.base import SelectSpec, TableRef
from dte_desktop.core.sources.vertica import VerticaSource
from tests.integration.test_vertica_protocol import ROW, TYPES_DDL
from tests.vertica_server import VerticaTestServer

pytestmark = [pytest.mark.postgres, pytest.mark.filterwarnings("ignore:TLS is not configured")]

EDGES = [
    "3, 9223372036854775807, 'Infinity', -99999999999999999999999999.9999999999, 9999999999.99, "
    "'', '', NULL, false, '0001-01-01', '00:00:00', '23:59:59-11', '0001-01-01 00:00:00', "
    "'9999-12-30 23:59:59.999999+00', '-3 days 00:00:01', '-1 years', "
    "'00000000-0000-0000-0000-000000000000', HEX_TO_BINARY('0x0000'), HEX_TO_BINARY('0x'), "
    "NULL, ARRAY[]::int[], NULL",
    "4, 0, 'NaN', 0, -0.01, NULL, 'x', NULL, NULL, '9999-12-31', NULL, NULL, "
    "'2000-01-01 00:00:00', '1970-01-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, "
    "HEX_TO_BINARY('0xffff'), NULL, ARRAY['']",
]


def _conn(server: VerticaTestServer) -> vertica_python.Connection:
    return vertica_python.connect(
        host="127.0.0.1", port=server.port, user="dbadmin", database=server.database,
        autocommit=True, tlsmode="disable",
    )  # fmt: skip


@pytest.fixture
def types_server(vertica_server: VerticaTestServer) -> VerticaTestServer:
    with _conn(vertica_server) as conn:
        cur = conn.cursor()
        cur.execute(TYPES_DDL)
        cur.execute(f"INSERT INTO types_t VALUES ({ROW})")
        cur.execute("INSERT INTO types_t (id) VALUES (2)")
        for row in EDGES:
            cur.execute(f"INSERT INTO types_t VALUES ({row})")
        # More rows than one batch, one LONG VARCHAR far longer than the client's 8 KB buffer.
        cur.execute(
            "INSERT INTO types_t (id, i, f, n, n2, v, lv, b, d, ts, tstz, vb) "
            "SELECT g, g * 1000003 - 5000000, g / 7.0, g * 1.5, -g / 4.0, 'v' || g, "
            "CASE WHEN g = 77 THEN repeat('é', 60000) ELSE repeat('l', g % 50) END, "
            "g % 3 = 0, DATE '2000-01-01' + g, TIMESTAMP '2000-01-01' + g * INTERVAL '1 hour', "
            "TIMESTAMPTZ '1999-12-31 00:00:00+00' - g * INTERVAL '1 minute', "
            "HEX_TO_BINARY('0x0102') FROM generate_series(10, 400) g"
        )
    return vertica_server


# Arrays have no binary form: a result with one comes wholly as text (the client's rule).
SCALARS = ("id", "i", "f", "n", "n2", "c", "v", "lv", "b", "d", "t", "ttz", "ts", "tstz", "ids",
           "iym", "u", "bi", "vb", "lvb")  # fmt: skip


def _read(
    server: VerticaTestServer, *, fast: bool, binary: bool, batch_rows: int, columns=SCALARS
) -> pa.Table:
    src = VerticaSource(server.url(), fast_decode=fast, binary_transfer=binary)
    spec = SelectSpec(table=TableRef("public", "types_t"), columns=columns)
    batches = list(src.read_batches(spec, batch_rows=batch_rows))
    assert all(b.num_rows <= batch_rows for b in batches)
    return pa.Table.from_batches(batches).sort_by("id")


def _same(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    """Equal values, NaN equal to NaN (and nowhere else)."""
    if pa.types.is_floating(a.type):
        nan_a, nan_b = pc.is_nan(a), pc.is_nan(b)
        if not nan_a.equals(nan_b):
            return False
        a, b = pc.if_else(nan_a, 0.0, a), pc.if_else(nan_b, 0.0, b)
    return a.equals(b)


@pytest.mark.parametrize(
    ("binary", "columns"),
    [(True, SCALARS), (False, SCALARS), (True, ())],
    ids=["binary", "text", "with-arrays"],
)
def test_batch_decoding_equals_the_clients_converters(types_server, binary, columns) -> None:
    rowwise = _read(types_server, fast=False, binary=binary, batch_rows=64, columns=columns)
    assert rowwise.num_rows == 395
    for batch_rows in (64, 1, 1000):
        fast = _read(types_server, fast=True, binary=binary, batch_rows=batch_rows, columns=columns)
        assert fast.schema == rowwise.schema
        for name in rowwise.column_names:
            assert _same(fast.column(name), rowwise.column(name)), name
    edge = fast.filter(pc.equal(fast.column("id"), 3)).to_pylist()[0]
    assert edge["i"] == 2**63 - 1 and edge["f"] == float("inf")
    assert str(edge["n"]) == "-99999999999999999999999999.9999999999"
    assert edge["d"].isoformat() == "0001-01-01" and edge["lv"] is None
    assert fast.filter(pc.equal(fast.column("id"), 77)).column("lv")[0].as_py() == ("é" * 60000)


def test_fast_types_skip_the_clients_converters(types_server, monkeypatch) -> None:
    """Only the columns the batch decoder cannot prove go through per-value conversion."""
    converted: list[str] = []
    real = vertica_rows.column_array

    def spy(values, typ, name="?", **kw):
        converted.append(name)
        return real(values, typ, name, **kw)

    monkeypatch.setattr(vertica_rows, "column_array", spy)
    _read(types_server, fast=True, binary=True, batch_rows=1000)
    assert sorted(set(converted)) == ["ids", "iym", "t", "ttz", "u"]
    converted.clear()
    _read(types_server, fast=True, binary=False, batch_rows=1000)  # text: bytes are escaped
    assert sorted(set(converted)) == ["bi", "ids", "iym", "lvb", "t", "ttz", "u", "vb"]


def test_dates_the_client_refuses_fail_the_same_way(vertica_server) -> None:
    with _conn(vertica_server) as conn:
        conn.cursor().execute(
            "CREATE TABLE bc AS SELECT g AS id, DATE '2000-01-01' - g * 400000 AS d "
            "FROM generate_series(0, 3) g"
        )
    errors = []
    for fast in (False, True):
        src = VerticaSource(vertica_server.url(), fast_decode=fast)
        with pytest.raises(DteError) as err:
            list(src.read_batches(SelectSpec(table=TableRef("public", "bc"))))
        errors.append((type(err.value), str(err.value)))
    assert errors[0] == errors[1]
    assert "Before Christ" in errors[0][1]


def test_datarow_encoding_inverts_the_clients_parser() -> None:
    from vertica_python.vertica.messages import DataRow

    values = [b"", None, b"abc", b"\x00" * 70000]
    raw = vertica_rows.encode_datarow(values)
    assert raw[:1] == b"D" and int.from_bytes(raw[1:5], "big") == len(raw) - 1
    assert DataRow(raw[5:]).values == values
