"""A password typed into a connection URL is used, kept in the credential store, and never
written or shown anywhere else: not in the job history, profiles, the audit chain, manifests,
HTML reports, logs, exported files or any command's output — in plain, URL-encoded or base64
form. Runs against the password-checking test cluster, so the password really is needed."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.integration.conftest import SOCKET_DIR, AuthCluster


def dte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ.copy(),
    )


@pytest.fixture
def auth_schema(auth_cluster: AuthCluster):  # type: ignore[no-untyped-def]
    """A schema of the test user's own in the password-checking cluster, dropped after."""
    import psycopg

    name = f"sec_{uuid.uuid4().hex[:10]}"
    dsn = f"host={SOCKET_DIR} port={auth_cluster.port} user=postgres dbname={auth_cluster.db_ok}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name} AUTHORIZATION {auth_cluster.user}")
        conn.execute(f"CREATE TABLE {name}.t (id int PRIMARY KEY, city text, age int)")
        conn.execute(
            f"INSERT INTO {name}.t SELECT g, 'city' || (g % 7), 20 + g % 50 "
            "FROM generate_series(1, 300) g"
        )
        conn.execute(f"ALTER TABLE {name}.t OWNER TO {auth_cluster.user}")
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def encodings(password: str) -> dict[str, bytes]:
    raw = password.encode()
    return {
        "plain": raw,
        "url-encoded": quote(password, safe="").encode(),
        "base64": base64.b64encode(raw).rstrip(b"="),
        "base64-urlsafe": base64.urlsafe_b64encode(raw).rstrip(b"="),
    }


def leaks(blob: bytes, password: str) -> list[str]:
    return [name for name, form in encodings(password).items() if form in blob]


def every_byte(*roots: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for root in roots:
        files = [root] if root.is_file() else [f for f in root.rglob("*") if f.is_file()]
        for f in files:
            out[str(f)] = f.read_bytes()
    return out


def test_a_url_password_is_used_and_kept_only_in_the_credential_store(
    auth_cluster: AuthCluster, auth_schema: str, dte_home: str, tmp_path: Path
) -> None:
    pw = auth_cluster.password
    assert quote(pw, safe="") != pw  # the URL-encoded form is a separate search
    host = f"{auth_cluster.host}:{auth_cluster.port}/{auth_cluster.db_ok}"
    url = f"postgresql://{auth_cluster.user}:{quote(pw, safe='')}@{host}"
    bare = f"postgresql://{auth_cluster.user}@{host}"
    table = f"{auth_schema}.t"
    out, report = tmp_path / "out", tmp_path / "report.html"
    runs = {
        "export": dte("export", url, table, "--out", str(out), "--partitions", "2", "--json"),
        "profile": dte("profile", url, table, "--report", str(report), "--json"),
        "catalog": dte("catalog", url, "--schema", auth_schema, "--json"),
        "describe": dte("describe", url, table, "--json"),
        "sample": dte("sample", url, table, "--size", "20", "--json"),
        "risk": dte("risk", url, table, "--qi", "city,age", "--json"),
        "connections test": dte("connections", "test", url, "--json"),
    }
    for name, r in runs.items():
        assert r.returncode == 0, (name, r.stdout, r.stderr)
    job = json.loads(runs["export"].stdout)["job_id"]
    # Without the password: the credential store has it, under the URL without it.
    runs["test without password"] = dte("connections", "test", bare, "--json")
    assert json.loads(runs["test without password"].stdout)["ok"], runs["test without password"]
    runs.update(
        {
            "jobs list": dte("jobs", "list", "--json"),
            "jobs show": dte("jobs", "show", str(job), "--json"),
            "audit list": dte("audit", "list", "--json"),
            "audit export json": dte("audit", "export", "--out", str(tmp_path / "a.json")),
            "audit export csv": dte("audit", "export", "--out", str(tmp_path / "a.csv")),
            "audit verify": dte("audit", "verify", "--json"),
        }
    )
    for name, r in runs.items():
        assert r.returncode == 0, (name, r.stdout, r.stderr)
    jobs = json.loads(runs["jobs list"].stdout)
    assert {j["connection"] for j in jobs} == {bare}  # the URL is kept, its password is not
    assert json.loads(runs["audit verify"].stdout)["ok"]

    found = {
        f"output of dte {name}": leaks((r.stdout + r.stderr).encode(), pw)
        for name, r in runs.items()
    }
    files = every_byte(Path(dte_home), out, report, tmp_path / "a.json", tmp_path / "a.csv")
    assert any(p.endswith("history.sqlite") for p in files) and any("logs" in p for p in files)
    assert any(p.endswith("manifest.json") for p in files) and str(report) in files
    found.update({path: leaks(blob, pw) for path, blob in files.items()})
    assert {k: v for k, v in found.items() if v} == {}
