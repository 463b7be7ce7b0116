"""The Vertica test server against the real, unmodified vertica-python client: startup,
authentication, types in text and binary, errors, cancel, TLS refusal, prepared statements."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime
from datetime import time as dtime
from decimal import Decimal

import pytest
import vertica_python
from dateutil.relativedelta import relativedelta
from vertica_python import errors

from tests.vertica_server import VerticaTestServer
from tests.vertica_server.fixture import PASSWORD

pytestmark = pytest.mark.postgres


def connect(server: VerticaTestServer, **kw: object) -> vertica_python.Connection:
    opts = {"host": "127.0.0.1", "port": server.port, "user": "dbadmin",
            "database": server.database, "tlsmode": "disable", **kw}  # fmt: skip
    return vertica_python.connect(**opts)


@pytest.mark.parametrize("user", ["pw_user", "md5_user", "sha_user"])
def test_password_methods_accept_the_right_password_only(vertica_server, user) -> None:
    with connect(vertica_server, user=user, password=PASSWORD) as conn:
        assert conn.cursor().execute("SELECT current_user = current_user").fetchone() == [True]
        assert conn.parameters["protocol_version"] >= 3 << 16 | 12
        assert conn.backend_pid and conn.backend_key
    with pytest.raises(errors.ConnectionError) as err:
        connect(vertica_server, user=user, password=PASSWORD + "x")
    assert "28000" in str(err.value) and "Invalid username or password" in str(err.value)
    assert PASSWORD not in str(err.value)


def test_unknown_user_and_database_are_refused(vertica_server) -> None:
    with pytest.raises(errors.ConnectionError, match="28000"):
        connect(vertica_server, user="nobody", password="x")
    with pytest.raises(errors.ConnectionError, match="3D000"):
        connect(vertica_server, database="other_db")


def test_tls_is_refused(vertica_server) -> None:
    with pytest.raises(errors.SSLNotSupported):
        connect(vertica_server, tlsmode="require")
    with pytest.warns(UserWarning, match="TLS is not configured"):
        conn = connect(vertica_server, tlsmode="prefer")
    with conn:
        assert conn.cursor().execute("SELECT 1").fetchone() == [1]


TYPES_DDL = """CREATE TABLE types_t (
  id INT PRIMARY KEY, i INT, f FLOAT, n NUMERIC(38,10), n2 NUMERIC(12,2), c CHAR(3),
  v VARCHAR(20), lv LONG VARCHAR(100000), b BOOLEAN, d DATE, t TIME, ttz TIMETZ,
  ts TIMESTAMP, tstz TIMESTAMPTZ, ids INTERVAL DAY TO SECOND, iym INTERVAL YEAR TO MONTH,
  u UUID, bi BINARY(2), vb VARBINARY(8), lvb LONG VARBINARY(100), ai ARRAY[INT],
  av ARRAY[VARCHAR(10)])"""
ROW = (
    "1, -9223372036854775807, -1.5e300, 1234567890123456789012345678.0123456789, -0.05, 'ab', "
    "'zé\\x', 'long', true, '2024-02-29', '23:59:59.999999', '01:02:03+05:30', "
    "'1999-12-31 23:59:59.5', '2024-01-01 12:00:00+02', '1 day 02:03:04.5', '3 years 2 mons', "
    "'6f1c1a3e-6a1f-4e4a-9d0b-2f8f5e6d7c8b', HEX_TO_BINARY('0x00ff'), HEX_TO_BINARY('0x5c00'), "
    "HEX_TO_BINARY('0x01'), ARRAY[1, NULL, 3], ARRAY['a', 'b\"c']"
)
EXPECTED = [
    1, -9223372036854775807, -1.5e300, Decimal("1234567890123456789012345678.0123456789"),
    Decimal("-0.05"), "ab ", "zé\\x", "long", True, date(2024, 2, 29),
    dtime(23, 59, 59, 999999), "01:02:03+05:30", datetime(1999, 12, 31, 23, 59, 59, 500000),
    datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
    relativedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000),
    relativedelta(years=3, months=2), uuid.UUID("6f1c1a3e-6a1f-4e4a-9d0b-2f8f5e6d7c8b"),
    b"\x00\xff", b"\\\x00", b"\x01", [1, None, 3], ["a", 'b"c'],
]  # fmt: skip
CODES = [6, 6, 7, 16, 16, 8, 9, 9, 5, 10, 11, 15, 12, 13, 14, 114, 20, 17, 17, 17, 1506, 1509]


def _norm(v: object) -> object:
    if isinstance(v, dtime) and v.tzinfo is not None:
        off = v.utcoffset()
        assert off is not None
        sign, mins = ("+" if off.total_seconds() >= 0 else "-"), abs(int(off.total_seconds())) // 60
        return f"{v.replace(tzinfo=None).isoformat()}{sign}{mins // 60:02d}:{mins % 60:02d}"
    return v


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("prepared", [False, True], ids=["simple", "prepared"])
def test_every_type_round_trips(vertica_server, binary: bool, prepared: bool) -> None:
    with connect(vertica_server, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute(TYPES_DDL)
        cur.execute(f"INSERT INTO types_t VALUES ({ROW})")
        assert cur.fetchall() == [[1]]  # Vertica's OUTPUT row
        cur.execute("INSERT INTO types_t (id) VALUES (2)")
    with connect(vertica_server, binary_transfer=binary, use_prepared_statements=prepared) as conn:
        cur = conn.cursor()
        cur.execute("SET TIME ZONE TO 'UTC'")
        if prepared:
            cur.execute("SELECT * FROM types_t WHERE id >= ? ORDER BY id", [1])
        else:
            cur.execute("SELECT * FROM types_t ORDER BY id")
        rows = cur.fetchall()
        assert [d.type_code for d in cur.description] == CODES
        assert [_norm(v) for v in rows[0]] == EXPECTED
        assert rows[1] == [2] + [None] * (len(EXPECTED) - 1)
        num = cur.description[3]
        assert (num.precision, num.scale) == (38, 10)
        # Arrays have no binary form (the whole result came as text); without them, binary.
        scalars = "id, i, f, n, n2, c, v, lv, b, d, t, ttz, ts, tstz, ids, iym, u, bi, vb, lvb"
        if prepared:
            cur.execute(f"SELECT {scalars} FROM types_t WHERE id >= ? ORDER BY id", [1])
        else:
            cur.execute(f"SELECT {scalars} FROM types_t ORDER BY id")
        rows = cur.fetchall()
        assert {d.format_code for d in cur.description} == {int(binary)}
        assert [_norm(v) for v in rows[0]] == EXPECTED[:-2]
        assert rows[1] == [2] + [None] * (len(EXPECTED) - 3)


def test_binary_parameters_and_placeholders_bind(vertica_server) -> None:
    with connect(vertica_server, use_prepared_statements=True, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE p (id INT, v VARCHAR(10), b VARBINARY(8), ok BOOLEAN)")
        cur.execute("INSERT INTO p VALUES (?, ?, ?, ?)", [7, "it's ?", b"\x00\\z", False])
        cur.execute("SELECT id, v, b, ok FROM p WHERE v = ?", ["it's ?"])
        assert cur.fetchall() == [[7, "it's ?", b"\x00\\z", False]]


def test_errors_carry_vertica_sqlstates_and_keep_the_transaction(vertica_server) -> None:
    with connect(vertica_server) as conn:  # autocommit off: one transaction
        cur = conn.cursor()
        cur.execute("CREATE TABLE e (id INT)")
        cur.execute("INSERT INTO e VALUES (1)")
        with pytest.raises(errors.MissingRelation) as err:
            cur.execute("SELECT * FROM no_such_table")
        assert err.value.sqlstate == "42V01"
        with pytest.raises(errors.MissingColumn):
            cur.execute("SELECT nope FROM e")
        with pytest.raises(errors.VerticaSyntaxError):
            cur.execute("SELEC 1")
        # Vertica rolls back the failed statement only: the insert is still there.
        assert cur.execute("SELECT count(*) FROM e").fetchone() == [1]
        cur.execute("ROLLBACK")
        with pytest.raises(errors.MissingRelation):
            cur.execute("SELECT * FROM e")


def test_several_statements_and_empty_query(vertica_server) -> None:
    with connect(vertica_server) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 1; SELECT 'two' AS t")
        assert cur.fetchall() == [[1]]
        assert cur.nextset() and cur.fetchall() == [["two"]]
        assert not cur.nextset()
        assert cur.execute("-- nothing").fetchall() == []  # EmptyQueryResponse
        assert cur.execute("SELECT 3").fetchone() == [3]


def test_cancel_request_stops_a_running_query(vertica_server) -> None:
    with connect(vertica_server) as conn:
        cur = conn.cursor()
        timer = threading.Timer(0.5, conn.cancel)
        started = time.monotonic()
        timer.start()
        with pytest.raises(errors.QueryError) as err:
            cur.execute("SELECT pg_sleep(30)")
            cur.fetchall()
        assert time.monotonic() - started < 10
        assert err.value.sqlstate == "57014"
        assert cur.execute("SELECT 2").fetchone() == [2]  # the session survives


def test_vertica_functions_are_translated(vertica_server) -> None:
    with connect(vertica_server) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE h AS SELECT g AS id, g % 7 AS k FROM generate_series(1, 1000) g")
        cur.execute(
            "SELECT APPROXIMATE_COUNT_DISTINCT(k), APPROXIMATE_COUNT_DISTINCT(id, 0.5), "
            "APPROXIMATE_PERCENTILE(id USING PARAMETERS percentile=0.5), APPROXIMATE_MEDIAN(k), "
            "MIN(HASH(id, k)) >= 0, MAX(HASH(id)) < 9223372036854775807, "
            "COUNT(DISTINCT HASH(id)) FROM h"
        )
        assert cur.fetchone() == [7, 1000, 500.5, 3.0, True, True, 1000]
        cur.execute(
            "SELECT SUM(c) FROM (SELECT MOD(HASH(id), 4) AS b, COUNT(*) AS c FROM h GROUP BY 1) x"
        )
        assert cur.fetchone() == [1000]
        assert cur.execute("SELECT HASH(NULL) = HASH(NULL)").fetchone() == [True]
        cur.execute("SELECT k, id FROM h LIMIT 2 OVER (PARTITION BY k ORDER BY id)")
        rows = cur.fetchall()
        assert len(rows) == 14 and {(r[1], r[2]) for r in rows if r[1] == 0} == {(0, 7), (0, 14)}
        cur.execute("SELECT COUNT(*) FROM h TABLESAMPLE(50)")
        assert 300 < cur.fetchone()[0] < 700
        assert "Vertica" in cur.execute("SELECT version()").fetchone()[0]


def test_copy_from_stdin(vertica_server) -> None:
    with connect(vertica_server, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE c (id INT, name VARCHAR(20), amount NUMERIC(8,2))")
        cur.copy("COPY c FROM STDIN", "1|a b|1.50\n2||\n3|pipe\\|in|-2\n")
        cur.copy(
            "COPY c (id, name) FROM STDIN DELIMITER ',' ENCLOSED BY '\"' SKIP 1 ABORT ON ERROR",
            b'id,name\n4,"x, y"\n5,\n',
        )
        cur.execute("SELECT id, name, amount FROM c ORDER BY id")
        assert cur.fetchall() == [
            [1, "a b", Decimal("1.50")],
            [2, None, None],
            [3, "pipe|in", Decimal("-2.00")],
            [4, "x, y", None],
            [5, None, None],
        ]
        with pytest.raises(errors.QueryError) as err:
            cur.copy("COPY c FROM STDIN", "not-a-number|x|1\n")
        assert err.value.sqlstate == "22P02"
        assert cur.execute("SELECT count(*) FROM c").fetchone() == [5]
