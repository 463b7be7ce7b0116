"""``dte-desktop --selftest --screenshots DIR`` tours a first session on a new PostgreSQL
database (issue 20, Done when): add connection → browse → preview → profile → classify →
masked export → job detail, a PNG per step named in steps.txt and index.html. No raw value
of the masked columns (email, ssn) reaches any file the tour writes, the export, its output
or the widgets (their texts are dumped to widget-text.txt, the pixels are not searchable)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from PySide6.QtGui import QImage

from dte_desktop.ui.first_session import MASKED, ROWS, STEPS, TourDatabase

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def tour_db():  # type: ignore[no-untyped-def]
    name = f"dte_t_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DTE_MASTER_PASSPHRASE"}
    return {**env, "QT_QPA_PLATFORM": "offscreen"}


def _tour(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ["--selftest", "--screenshots", str(out), "--tour", "first-session", *extra]
    return subprocess.run(
        [sys.executable, "-m", "dte_desktop.ui.app", *args],
        capture_output=True,
        text=True,
        timeout=480,
        env=_env(),
    )


def _distinct_colours(path: Path) -> int:
    img = QImage(str(path))
    assert not img.isNull(), path
    seen = {
        img.pixel(x, y)
        for x in range(0, img.width(), max(1, img.width() // 80))
        for y in range(0, img.height(), max(1, img.height() // 60))
    }
    return len(seen)


@pytest.mark.postgres
@pytest.mark.slow
def test_first_session_tour_on_a_new_postgres_database(demo_home, tour_db, tmp_path) -> None:
    db = TourDatabase.prepare(tour_db)  # the customers table, as the tour would seed it
    with psycopg.connect(tour_db) as conn:  # the raw values, read independently
        cols = ", ".join(MASKED)
        raw = {str(v) for row in conn.execute(f"SELECT {cols} FROM customers") for v in row}
    assert len(raw) == 2 * ROWS and set(db.raw_values) == raw

    out = tmp_path / "tour"
    run = _tour(out, "--pg-url", tour_db)
    assert run.returncode == 0, run.stderr[-3000:]

    # Every step has its picture, named in the index; none is blank.
    listed = [line.split("\t")[0] for line in (out / "steps.txt").read_text().splitlines()]
    assert listed == [f"{slug}.png" for slug, _t in STEPS]
    index = (out / "index.html").read_text()
    for name in listed:
        shot = out / name
        assert f"selftest screenshot: {shot}" in run.stdout
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
        assert _distinct_colours(shot) >= 12, f"{name} looks blank"
        assert f"src='{name}'" in index

    # The widgets' texts were dumped for every step, the preview grid's cells included.
    texts = (out / "widget-text.txt").read_text()
    assert all(f"== {slug}" in texts for slug, _t in STEPS)
    assert "Profile and suggest classifications" in texts and "tokenize" in texts
    assert f"{ROWS} rows, masked" in texts

    # The export is there and masked: nothing the tour wrote holds a raw email or SSN.
    export = out / "export" / "public.customers.csv"
    lines = export.read_text().splitlines()
    assert len(lines) == ROWS + 1 and lines[0].split(",")[2] == '"email"'
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= len(STEPS) + 4
    blobs = [p.read_bytes() for p in files] + [run.stdout.encode(), run.stderr.encode()]
    leaks = sorted({v for v in raw for b in blobs if v.encode() in b})
    assert not leaks, f"{len(leaks)} raw values in the tour's output, e.g. {leaks[0][:3]}…"


def test_a_step_that_cannot_work_is_named(demo_home, tmp_path) -> None:
    run = _tour(tmp_path / "tour", "--pg-url", "postgresql://postgres@127.0.0.1:1/nowhere")
    assert run.returncode == 1
    assert "selftest failed: step 0 'prepare the database'" in run.stderr
    assert "127.0.0.1:1/nowhere" in run.stderr and "--pg-url" in run.stderr
