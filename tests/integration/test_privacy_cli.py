"""Compliance guarantees through `dte`, on the demo database: masked values never leak,
reveals need permission and a reason and are audited, a locked site policy cannot be
loosened, a site can force masked exports."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

DEMO = "Demo (SQLite)"
SENSITIVE = [
    "email",
    "phone",
    "ssn",
    "card_number",
    "iban",
    "street",
    "first_name",
    "last_name",
    "birth_date",
]


def dte(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def raw_values(home: str, limit: int) -> list[str]:
    con = sqlite3.connect(Path(home) / "demo.sqlite")
    cols = ", ".join(SENSITIVE)
    rows = con.execute(f"SELECT {cols} FROM customers ORDER BY customer_id LIMIT {limit}")
    # long enough that a masked value cannot contain one by chance
    return sorted({str(v) for r in rows for v in r if v is not None and len(str(v)) >= 8})


def all_bytes_under(*roots: Path) -> bytes:
    out = b""
    for root in roots:
        for f in root.rglob("*"):
            if f.is_file():
                out += f.read_bytes()
    return out


def test_masked_values_never_reach_output_files_or_logs(demo_home: str, tmp_path: Path):
    raw = raw_values(demo_home, 200)
    assert len(raw) > 500
    prev = dte("preview", DEMO, "customers", "--limit", "200", "--json")
    assert prev.returncode == 0, prev.stderr
    text = dte("preview", DEMO, "customers", "--limit", "200")
    out = tmp_path / "masked"
    only = ["--where", "customer_id <= 200"]  # the rows whose raw values we look for
    exp = dte("export", DEMO, "customers", "--out", str(out), "--mask", "--partitions", "2", *only)
    assert exp.returncode == 0, exp.stdout + exp.stderr
    csv = dte(
        "export",
        DEMO,
        "customers",
        "--out",
        str(tmp_path / "csv"),
        "--mask",
        "--format",
        "csv",
        *only,
    )
    assert csv.returncode == 0
    haystack = (prev.stdout + text.stdout + exp.stdout + exp.stderr).encode()
    haystack += all_bytes_under(out, tmp_path / "csv", Path(demo_home) / "logs")
    haystack += (Path(demo_home) / "history.sqlite").read_bytes()
    # Parquet pages are compressed: look at what a reader of the file would see.
    for f in out.rglob("*.parquet"):
        haystack += repr(pq.read_table(f).to_pylist()).encode()
    assert len(haystack) > 100_000
    assert [v for v in raw if v.encode() in haystack] == []
    cols = {c["name"]: c for c in json.loads(prev.stdout)["columns"]}
    assert cols["ssn"]["classification"] == "HRCI" and cols["ssn"]["operator"] == "redact"
    assert cols["city"]["operator"] == "keep"  # Public stays readable
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["masked"] is True and len(manifest["masking_policy"]["fingerprint"]) == 64
    assert manifest["tables"]["customers"]["masking"]["card_number"] == "redact"
    audit = json.loads(dte("audit", "list", "--json").stdout)
    assert {"preview", "export"} <= {r["action"] for r in audit}
    assert dte("audit", "verify").returncode == 0


def write_site(tmp_path: Path, policy_lines: str) -> dict[str, str]:
    policy = (Path(__file__).resolve().parents[2] / "resources/masking_policy.toml").read_text()
    for line in policy_lines.strip().splitlines():
        key = line.split("=")[0].strip()
        policy = "\n".join(x for x in policy.splitlines() if not x.startswith(f"{key} ="))
        policy = line + "\n" + policy
    (tmp_path / "site_policy.toml").write_text(policy)
    site = tmp_path / "site.toml"
    site.write_text(
        '[site]\nname = "Test site"\n\n[masking]\npolicy_file = "site_policy.toml"\n'
        '\n[[connections]]\nname = "Warehouse"\n'
        'url = "postgresql://analyst@dw.example:5432/dw"\n'
    )
    return {"DTE_SITE_FILE": str(site)}


def test_reveal_needs_permission_and_a_reason_and_is_audited(demo_home, tmp_path) -> None:
    raw_email = raw_values(demo_home, 1)
    refused = dte(
        "preview",
        DEMO,
        "customers",
        "--limit",
        "1",
        "--reveal",
        "email",
        "--reason",
        "customer complaint #4411",
    )
    assert refused.returncode == 2 and "does not allow revealing" in refused.stderr
    env = write_site(tmp_path, "allow_reveal = true")
    short = dte(
        "preview", DEMO, "customers", "--limit", "1", "--reveal", "email", "--reason", "x", env=env
    )
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    ok = dte(
        "preview",
        DEMO,
        "customers",
        "--limit",
        "1",
        "--reveal",
        "email",
        "--reason",
        "customer complaint #4411",
        "--json",
        env=env,
    )
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    email_col = [c["name"] for c in data["columns"]].index("email")
    assert data["rows"][0][email_col] in raw_email  # shown as it is
    assert data["rows"][0][[c["name"] for c in data["columns"]].index("ssn")] == "████"
    reveals = [
        r for r in json.loads(dte("audit", "list", "--json").stdout) if r["action"] == "reveal"
    ]
    assert len(reveals) == 1
    assert reveals[0]["details"]["reason"] == "customer complaint #4411"
    assert reveals[0]["details"]["columns"] == ["email"]
    # Issue 14 item 7: the two refusals above are audited too, with why.
    refusals = [
        r
        for r in json.loads(dte("audit", "list", "--json").stdout)
        if r["action"] == "reveal_refused"
    ]
    assert [r["details"]["columns"] for r in refusals] == [["email"], ["email"]]
    assert "does not allow revealing" in refusals[0]["details"]["refused_because"]
    assert "at least 10 characters" in refusals[1]["details"]["refused_because"]


def test_locked_site_policy_cannot_be_loosened_from_the_cli(demo_home, tmp_path) -> None:
    env = write_site(tmp_path, "locked = true")
    loosen = tmp_path / "mine.toml"
    loosen.write_text('[levels.HRCI]\noperator = "keep"\n')
    out = dte("policy", "set", str(loosen), env=env)
    assert out.returncode == 2 and "Not allowed by policy" in out.stderr
    assert "HRCI" in out.stderr
    assert dte("policy", "check", str(loosen), env=env).returncode == 2
    assert not (Path(demo_home) / "masking_policy.toml").exists()
    tighten = tmp_path / "tight.toml"
    tighten.write_text('[levels.Public]\noperator = "generalize"\n')
    assert dte("policy", "set", str(tighten), env=env).returncode == 0
    shown = json.loads(dte("policy", "show", "--json", env=env).stdout)
    assert shown["policy"]["levels"]["Public"]["operator"] == "generalize"
    prev = json.loads(dte("preview", DEMO, "orders", "--limit", "1", "--json", env=env).stdout)
    assert {c["operator"] for c in prev["columns"]} == {"generalize"}
    changes = [
        r
        for r in json.loads(dte("audit", "list", "--json").stdout)
        if r["action"] == "policy_change"
    ]
    assert len(changes) == 1  # the refused attempt changed nothing


def test_site_can_force_masked_exports_and_preset_connections(demo_home, tmp_path) -> None:
    env = write_site(tmp_path, "force_masked_export = true")
    out = tmp_path / "out"
    res = dte("export", DEMO, "customers", "--out", str(out), "--json", env=env)
    assert res.returncode == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["masked"] is True and manifest["masking_policy"]["forced_by_site"] is True
    conns = {c["name"]: c for c in json.loads(dte("connections", "list", "--json", env=env).stdout)}
    assert conns["Warehouse"]["origin"] == "site"
    rm = dte("connections", "remove", "Warehouse", env=env)
    assert rm.returncode == 2 and "site configuration" in rm.stderr
    # Issue 14 item 8's sibling: a padded name got past the command's own check and the
    # store (which strips names) overwrote the preset.
    for name in (" Warehouse", "Warehouse ", "Warehouse"):
        add = dte("connections", "add", name, "--url", "sqlite:///mine.sqlite", env=env)
        assert add.returncode == 2 and "read-only" in add.stderr, (name, add.stderr)
    conns = {c["name"]: c for c in json.loads(dte("connections", "list", "--json", env=env).stdout)}
    assert conns["Warehouse"]["origin"] == "site" and "sqlite" not in conns["Warehouse"]["url"]


def test_classifications_set_list_export_import(demo_home, tmp_path) -> None:
    assert dte("classify", DEMO, "orders", "note", "--level", "Confidential").returncode == 0
    listed = json.loads(dte("classifications", "list", DEMO, "--table", "orders", "--json").stdout)
    assert {(r["column"], r["level"]) for r in listed} == {
        ("*", "Public"),
        ("note", "Confidential"),
    }
    prev = json.loads(dte("preview", DEMO, "orders", "--limit", "30", "--json").stdout)
    ops = {c["name"]: c["operator"] for c in prev["columns"]}
    assert ops["note"] == "tokenize" and ops["quantity"] == "keep"
    f = tmp_path / "labels.toml"
    assert dte("classifications", "export", DEMO, "--out", str(f)).returncode == 0
    assert (
        dte("connections", "add", "copy", "--url", f"sqlite:///{demo_home}/demo.sqlite").returncode
        == 0
    )
    imp = dte("classifications", "import", "copy", str(f))
    assert imp.returncode == 0 and "imported" in imp.stdout
    assert len(json.loads(dte("classifications", "list", "copy", "--json").stdout)) == len(
        json.loads(dte("classifications", "list", DEMO, "--json").stdout)
    )
    bad = dte("classify", DEMO, "orders", "note", "--level", "Secret")
    assert bad.returncode == 2 and "Secret" in bad.stderr
    changes = [
        r
        for r in json.loads(dte("audit", "list", "--json").stdout)
        if r["action"] == "classification_change"
    ]
    assert any(r["object"] == "orders" and r["details"]["columns"] == ["note"] for r in changes)


def test_exports_and_samples_are_masked_unless_no_mask_is_asked_for(demo_home, tmp_path) -> None:
    """The CLI's default is the GUI's: masked. Raw needs --no-mask, which is audited, and a
    site that forces masked exports refuses it (exit 2) instead of quietly masking."""
    raw = raw_values(demo_home, 200)
    only = ["--where", "customer_id <= 200"]
    plain = tmp_path / "plain"
    assert dte("export", DEMO, "customers", "--out", str(plain), *only).returncode == 0
    sample = tmp_path / "sample"
    res = dte("sample", DEMO, "customers", "--size", "50", "--seed", "1", "--out", str(sample))
    assert res.returncode == 0, res.stderr
    written = all_bytes_under(plain, sample)
    assert json.loads((plain / "manifest.json").read_text())["masked"] is True
    assert not [v for v in raw if v.encode() in written]

    unmasked = tmp_path / "unmasked"
    res = dte("export", DEMO, "customers", "--out", str(unmasked), "--no-mask", *only)
    assert res.returncode == 0, res.stderr
    ssns = pq.read_table(unmasked / "customers.parquet").column("ssn").to_pylist()
    assert set(ssns) & set(raw)  # raw values, as asked
    exports = [r for r in json.loads(dte("audit", "list", "--json").stdout)
               if r["action"] == "export"]  # fmt: skip
    assert [e["details"]["masked"] for e in exports] == [True, True, False], exports

    env = write_site(tmp_path, "force_masked_export = true")
    refused = dte("export", DEMO, "customers", "--out", str(tmp_path / "no"), "--no-mask", env=env)
    assert refused.returncode == 2 and "forces masked exports" in refused.stderr
    assert not (tmp_path / "no" / "manifest.json").exists()
