"""Masking policy: loading, resolution, apply_policy, and locked site policies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from dte_desktop.core.errors import ConfigError, PolicyViolation
from dte_desktop.core.paths import resources_dir
from dte_desktop.core.privacy.classification import (
    ColumnClassification,
    Level,
    most_sensitive,
    parse_level,
)
from dte_desktop.core.privacy.locking import merge_policies, parse_overlay
from dte_desktop.core.privacy.policy import (
    MaskingPolicy,
    apply_policy,
    default_policy,
    load_policy,
    parse_policy,
    policy_to_toml,
    save_policy,
)

KEY = b"site-key-for-tests-0123456789abcd"

SITE = """
version = 1
name = "ACME site policy"
locked = true
default_level = "Confidential"
force_masked_export = true
allow_reveal = false

[levels.HRCI]
operator = "redact"
[levels.Confidential]
operator = "tokenize"
[levels.Proprietary]
operator = "partial"
params = { keep_last = 4 }
[levels.Public]
operator = "keep"

[pii.email]
operator = "partial"
params = { keep_first = 1, keep_last = 0, keep_from = "@" }

[columns."hr.employees.salary"]
operator = "generalize"
params = { bucket_width = 10000 }
"""


@pytest.fixture
def site() -> MaskingPolicy:
    return parse_policy(SITE, "site.toml")


# --- classification ----------------------------------------------------------------


def test_levels_are_ordered_and_parsed() -> None:
    assert Level.HRCI > Level.CONFIDENTIAL > Level.PROPRIETARY > Level.PUBLIC
    assert Level.HRCI.is_more_sensitive_than(Level.PUBLIC)
    assert parse_level(" hrci ") is Level.HRCI
    assert most_sensitive(["Public", "confidential", Level.PROPRIETARY]) is Level.CONFIDENTIAL
    with pytest.raises(ConfigError, match="Unknown classification level 'Secret'"):
        parse_level("Secret")
    with pytest.raises(ValueError):
        most_sensitive([])
    assert most_sensitive([], default=Level.HRCI) is Level.HRCI


def test_column_classification_validates() -> None:
    c = ColumnClassification("ssn", "hrci", "ssn", "profiler")
    assert c.level is Level.HRCI
    with pytest.raises(ConfigError, match="source"):
        ColumnClassification("x", Level.PUBLIC, None, "guess")  # type: ignore[arg-type]


# --- loading ----------------------------------------------------------------------------


def test_default_policy_ships_and_loads() -> None:
    path = resources_dir() / "masking_policy.toml"
    assert path.is_file()
    policy = default_policy()
    assert policy.levels[Level.HRCI].operator in {"redact", "hash"}
    assert policy.levels[Level.PUBLIC].operator == "keep"
    assert policy.pii["email"].params["keep_from"] == "@"
    assert not policy.locked


def test_round_trip_through_toml(tmp_path: Path, site: MaskingPolicy) -> None:
    target = tmp_path / "p.toml"
    save_policy(site, target)
    again = load_policy(target)
    assert again == site
    assert again.fingerprint() == site.fingerprint()
    assert "locked = true" in policy_to_toml(site)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("version = 2\nname='x'", "version 2 is not supported"),
        ("name = 'x'", "version None"),
        ("version = 1\nname = 'x'\n[levels.HRCI]\noperator='redact'", "no rule for level"),
        (SITE.replace('operator = "redact"', 'operator = "scramble"'), "scramble"),
        (SITE.replace("keep_last = 4", "keep_last = -4"), "levels.Proprietary"),
        (SITE.replace("[levels.Public]", "[levels.Secret]"), "Secret"),
        (SITE + "\ncolour = 'red'\n", "unknown key"),
        ("version = 1\nname = [", "not valid TOML"),
        (SITE.replace("locked = true", 'locked = "yes"'), "locked must be true or false"),
    ],
)
def test_bad_policy_files_raise_clear_errors(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        parse_policy(text)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read masking policy"):
        load_policy(tmp_path / "nope.toml")


# --- resolution -------------------------------------------------------------------------


def test_resolution_order(site: MaskingPolicy) -> None:
    hrci_email = ColumnClassification("mail", Level.HRCI, "email")
    public_email = ColumnClassification("mail", Level.PUBLIC, "email")
    # The stronger of level and PII rule applies: PII never masks less than the level.
    assert site.resolve("mail", hrci_email).rule.operator == "redact"
    assert site.resolve("mail", public_email).rule.operator == "partial"
    assert site.resolve("anything").rule.operator == "tokenize"  # default_level
    salary = ColumnClassification("salary", Level.PUBLIC)
    assert site.resolve("salary", salary, table="hr.employees").rule.operator == "generalize"
    assert site.resolve("salary", salary, table="sales.orders").rule.operator == "keep"


def test_glob_overrides_pick_the_most_specific() -> None:
    policy = parse_policy(
        SITE.replace("locked = true", "locked = false")
        + """
[columns."*.*.ssn"]
operator = "hash"
[columns."hr.*.ssn"]
operator = "nullify"
[columns."*_token"]
operator = "redact"
"""
    )
    assert policy.resolve("ssn", table="sales.customers").rule.operator == "hash"
    assert policy.resolve("SSN", table="HR.people").rule.operator == "nullify"
    assert policy.resolve("api_token").rule.operator == "redact"
    assert "column override" in policy.resolve("api_token").reason


# --- apply_policy -----------------------------------------------------------------------


def test_apply_policy_masks_each_column(site: MaskingPolicy) -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "id": pa.array([1, 2, 3]),
            "email": pa.array(["ann@acme.example", None, "bob@acme.example"]),
            "ssn": pa.array(["123-45-6789", "219-09-9999", None]),
            "salary": pa.array([52_000, 61_500, None]),
            "born": pa.array([dt.date(1980, 1, 2), None, dt.date(1990, 5, 6)]),
            "note": pa.array(["hello", "world", None]),
        }
    )
    classifications = {
        "id": ColumnClassification("id", Level.PUBLIC),
        "email": ColumnClassification("email", Level.PUBLIC, "email", "profiler"),
        "ssn": ColumnClassification("ssn", Level.HRCI, "ssn"),
        "salary": ColumnClassification("salary", Level.CONFIDENTIAL),
    }
    masked, applied = apply_policy(batch, classifications, site, KEY, table="hr.employees")
    assert applied == {
        "id": "keep",
        "email": "partial",
        "ssn": "redact",
        "salary": "generalize",
        "born": "tokenize",
        "note": "tokenize",
    }
    assert masked.num_rows == 3
    assert masked.column("id").type == pa.int64()
    assert masked.column("email").to_pylist() == ["a**@acme.example", None, "b**@acme.example"]
    assert masked.column("ssn").to_pylist() == ["████", "████", None]
    assert masked.column("salary").to_pylist() == ["5xxxx", "6xxxx", None]
    born = masked.column("born").to_pylist()
    # A tokenized date is a valid date (issue 14), not a string of date-like digits.
    assert born[1] is None and isinstance(born[0], dt.date) and born[0] != dt.date(1980, 1, 2)
    assert masked.schema.field("born").type == pa.date32()
    for col in ("email", "ssn", "salary", "note"):
        assert masked.schema.field(col).type == pa.string()
    # Deterministic: a second batch masks the same values the same way (joins still work).
    again, _ = apply_policy(batch, classifications, site, KEY, table="hr.employees")
    assert again.equals(masked)


def test_apply_policy_needs_the_key_for_keyed_operators(site: MaskingPolicy) -> None:
    batch = pa.RecordBatch.from_pydict({"x": ["secret"]})
    with pytest.raises(ConfigError, match="site key"):
        apply_policy(batch, {}, site, b"")


# --- locked site policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overlay", "fragment"),
    [
        ("[levels.HRCI]\noperator = 'keep'", "levels.HRCI = redact; keep would loosen"),
        ("[levels.Confidential]\noperator = 'partial'", "partial is weaker than tokenize"),
        ("[levels.Proprietary]\noperator = 'partial'\nparams = { keep_last = 6 }", "keep_last"),
        ("[pii.email]\nremove = true", "cannot be removed"),
        ('[columns."hr.employees.salary"]\nremove = true', "cannot be removed"),
        (
            '[columns."hr.employees.salary"]\noperator = "generalize"\n'
            "params = { bucket_width = 100 }",
            "bucket_width",
        ),
        ('[columns."*.*.notes"]\noperator = "keep"', "keep"),
        ("force_masked_export = false", "force_masked_export cannot be turned off"),
        ("allow_reveal = true", "allow_reveal cannot be turned on"),
        ("locked = false", "cannot be unlocked"),
        ('default_level = "Public"', "default_level"),
    ],
)
def test_locked_site_policy_cannot_be_loosened(
    site: MaskingPolicy, overlay: str, fragment: str
) -> None:
    with pytest.raises(PolicyViolation, match=fragment) as info:
        merge_policies(site, parse_overlay(overlay))
    assert "ACME site policy" in str(info.value)


def test_a_whole_replacement_policy_missing_a_rule_is_refused(site: MaskingPolicy) -> None:
    edited = parse_policy(SITE.replace("locked = true", "locked = false").split("[pii.email]")[0])
    with pytest.raises(PolicyViolation, match=r"pii\.email"):
        merge_policies(site, edited)


def test_tightening_a_locked_policy_is_allowed(site: MaskingPolicy) -> None:
    merged = merge_policies(
        site,
        parse_overlay(
            """
name = "Analyst tightening"
default_level = "HRCI"
[levels.Confidential]
operator = "hash"
[levels.Public]
operator = "generalize"
[levels.Proprietary]
operator = "partial"
params = { keep_last = 2, mask_char = "#" }
[pii.phone]
operator = "redact"
[columns."*.*.notes"]
operator = "nullify"
"""
        ),
    )
    assert merged.locked and merged.force_masked_export and not merged.allow_reveal
    assert merged.levels[Level.CONFIDENTIAL].operator == "hash"
    assert merged.levels[Level.PUBLIC].operator == "generalize"
    assert merged.pii["phone"].operator == "redact"
    assert merged.pii["email"] == site.pii["email"]  # inherited
    assert merged.default_level is Level.HRCI
    assert merged.resolve("notes", table="a.b").rule.operator == "nullify"


def test_site_floor_applies_to_new_overrides(site: MaskingPolicy) -> None:
    merged = merge_policies(site, parse_overlay('[columns."*.*.ssn"]\noperator = "partial"'))
    hrci = ColumnClassification("ssn", Level.HRCI)
    resolved = merged.resolve("ssn", hrci, table="hr.people")
    assert resolved.rule.operator == "redact"
    assert "locked site policy" in resolved.reason
    public = ColumnClassification("ssn", Level.PUBLIC)
    assert merged.resolve("ssn", public, table="hr.people").rule.operator == "partial"


def test_unlocked_site_policy_can_be_changed_freely(site: MaskingPolicy) -> None:
    unlocked = parse_policy(SITE.replace("locked = true", "locked = false"))
    merged = merge_policies(
        unlocked,
        parse_overlay(
            "force_masked_export = false\nallow_reveal = true\n[levels.HRCI]\noperator = 'keep'\n"
            "[pii.email]\nremove = true"
        ),
    )
    assert merged.levels[Level.HRCI].operator == "keep"
    assert "email" not in merged.pii
    assert merged.allow_reveal and not merged.force_masked_export
