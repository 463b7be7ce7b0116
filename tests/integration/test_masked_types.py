"""A masked export keeps each column's type where the operator allows, and the manifest says
how and why a masked column's type changed (issue 14: the manifest said "kept as int8" for a
column written as text; tokenized timestamps read ``9076-90-87 27:45:23``; 599 customer ids
collapsed to 557 when the text tokens were cast back; an integer phone was generalised to a
bucket showing 9 of its 10 digits). On a real MariaDB, through `dte`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pymysql

from tests.conftest import MY_HOST, MY_PORT

ROWS = 599


def dte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )


def _load(url: str) -> None:
    db = url.rsplit("/", 1)[1]
    conn = pymysql.connect(host=MY_HOST, port=MY_PORT, user="root", password="", database=db)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE customers (customer_id INT PRIMARY KEY, active TINYINT(1),"
                " phone BIGINT, born DATE, seen DATETIME(6), prefs JSON, score DOUBLE,"
                " balance DECIMAL(12,2), note VARCHAR(40), dob INT)"
            )
            rows = [
                (
                    i,
                    i % 2,
                    5123016300 + 7 * i,
                    f"19{50 + i % 50:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:07.250000",
                    json.dumps({"lang": "en", "n": i}),
                    i / 7,
                    f"{i * 3}.25",
                    f"note {i}",
                    int(f"19{50 + i % 50:02d}{1 + i % 12:02d}{1 + i % 28:02d}"),
                )
                for i in range(1, ROWS + 1)
            ]
            cur.executemany("INSERT INTO customers VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows)
        conn.commit()
    finally:
        conn.close()


def test_masked_export_keeps_types_and_the_manifest_says_what_changed(
    dte_home: str, mysql_url: str, tmp_path: Path
) -> None:
    _load(mysql_url)
    assert dte("connections", "add", "shop", "--url", mysql_url).returncode == 0
    # The phone column is Proprietary (generalize) and known to hold phone numbers.
    res = dte("classify", "shop", "customers", "phone", "--level", "Proprietary", "--pii", "phone")
    assert res.returncode == 0, res.stderr
    # A birth date kept as an integer YYYYMMDD, and the policy says "year only".
    res = dte(
        "classify", "shop", "customers", "dob", "--level", "Proprietary", "--pii", "date_of_birth"
    )
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    res = dte("export", "shop", "customers", "--out", str(out), "--mask")
    assert res.returncode == 0, res.stderr
    table = pq.read_table(out / "customers.parquet")
    raw = pq.read_table(out / "customers.parquet").schema  # as written
    manifest = json.loads((out / "manifest.json").read_text())["tables"]["customers"]
    ops = manifest["masking"]
    # Unclassified columns fall to the default level (Confidential: tokenize).
    assert ops["customer_id"] == "tokenize" and ops["phone"] == "generalize"

    ids = table.column("customer_id").to_pylist()
    assert raw.field("customer_id").type == pa.int32()
    assert len(set(ids)) == ROWS and sorted(ids) != list(range(1, ROWS + 1))
    assert raw.field("active").type == pa.int8()  # tinyint(1) kept as int8, and written so
    assert raw.field("born").type == pa.date32()
    assert raw.field("seen").type == pa.timestamp("us")
    assert raw.field("score").type == pa.float64()
    assert raw.field("balance").type == pa.decimal128(12, 2)
    for doc in table.column("prefs").to_pylist():
        assert set(json.loads(doc)) == {"lang", "n"}
    phones = table.column("phone").to_pylist()
    assert set(phones) == {"+1 512 xxxxxxx"}

    years = table.column("dob").to_pylist()
    assert set(years) == {f"19{50 + i % 50:02d}" for i in range(1, ROWS + 1)}

    notes = manifest.get("masked_type_notes", {})
    assert set(notes) == {"phone", "dob"}, notes  # the only columns whose type changed
    assert notes["phone"].startswith("int64 written as string: generalize")
    assert notes["dob"].startswith("int32 written as string: generalize")
