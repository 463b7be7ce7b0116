"""Redaction on real log records, on exceptions from real failed connects, in errors."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from dte_desktop.core.errors import ConnectionFailed
from dte_desktop.core.logs import get_logger, redact, redact_mapping, register_secret, setup_logging
from dte_desktop.core.paths import app_paths
from tests.conftest import MY_HOST, MY_PORT, require_server

SECRET = "Xy9-very-secret"


@pytest.mark.parametrize(
    "text",
    [
        f"postgresql://bob:{SECRET}@db:5432/x",
        f"mysql+pymysql://root:{SECRET}@127.0.0.1/db?charset=utf8",
        f"host=db password={SECRET} user=x",
        f"PGPASSWORD={SECRET} psql -h db",
        f'{{"password": "{SECRET}", "user": "x"}}',
        f"Authorization: Bearer {SECRET}abcdef",
        f"api_key={SECRET}",
        f"MYSQL_PWD='{SECRET}'",
        f"DTE_MASTER_PASSPHRASE={SECRET}",
    ],
)
def test_patterns_remove_secrets(text: str) -> None:
    out = redact(text)
    assert SECRET not in out and "***" in out


def test_redaction_keeps_what_is_not_secret() -> None:
    assert redact("SELECT * FROM t WHERE id = 3") == "SELECT * FROM t WHERE id = 3"
    assert redact("postgresql://bob@db/x") == "postgresql://bob@db/x"
    cfg = redact_mapping({"password": SECRET, "tables": ["a"], "nested": {"token": SECRET}})
    assert cfg == {"password": "***", "tables": ["a"], "nested": {"token": "***"}}


def _log_text() -> str:
    for h in logging.getLogger("dte_desktop").handlers:
        h.flush()
    return (app_paths().logs_dir / "dte.log").read_text("utf-8")


def test_log_file_never_holds_a_password() -> None:
    setup_logging(app_paths().ensure().logs_dir)
    log = get_logger("test")
    log.info("connecting to postgresql://bob:%s@db/x", SECRET)
    log.warning("env PGPASSWORD=%s", SECRET)
    register_secret("an-opaque-one-9")
    log.error("the server said: an-opaque-one-9 was rejected")
    try:
        raise ValueError(f"boom with password={SECRET}")
    except ValueError:
        log.exception("failed")
    text = _log_text()
    assert SECRET not in text and "an-opaque-one-9" not in text
    assert text.count("***") >= 4 and "boom with password=***" in text


def test_failed_real_connect_leaves_no_password_in_logs_or_errors() -> None:
    """A real MariaDB refuses a wrong password; whatever carries the URL gets redacted."""
    require_server("MariaDB", MY_HOST, MY_PORT)
    setup_logging(app_paths().ensure().logs_dir)
    url = f"mysql+pymysql://dte_nobody:{SECRET}@{MY_HOST}:{MY_PORT}/mysql"
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    with pytest.raises(sa.exc.OperationalError) as info:
        engine.connect()
    rendered = engine.url.render_as_string(hide_password=False)
    assert SECRET in rendered  # the careless rendering a developer might log
    log = get_logger("test")
    try:
        raise RuntimeError(f"cannot connect to {rendered}") from info.value
    except RuntimeError:
        log.exception("connect to %s failed", rendered)
    err = ConnectionFailed(
        f"Could not connect to {rendered}: {info.value}", detail=f"dsn={rendered}"
    )
    assert SECRET not in str(err) and SECRET not in (err.detail or "")
    assert "Access denied" in str(err)
    text = _log_text()
    assert SECRET not in text and "Access denied" in text
