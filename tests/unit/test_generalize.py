"""``generalize`` never leaks more than the policy allows (issue 14 item 4).

An integer phone ``5123016309`` used to become ``5123016300–5123016309`` (9 of 10 digits, and
the raw value itself a bucket bound); an integer ``YYYYMMDD`` birth date showed year, month
and tens of day although the policy said "year only".
"""

from __future__ import annotations

import datetime as dt
import decimal
import re

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dte_desktop.core.privacy._generalize import number_label
from dte_desktop.core.privacy.classification import ColumnClassification, Level
from dte_desktop.core.privacy.operators import generalize
from dte_desktop.core.privacy.policy import apply_policy, default_policy, parse_policy

KEY = b"k" * 32
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The 170 integer phone numbers of the shape: the raw value was a bound in 31 of them.
PHONES = [5123016300 + 7 * i for i in range(170)]


def _visible_digits(label: str) -> int:
    return sum(ch.isdigit() for ch in label)


def test_integer_phone_is_not_leaked_by_buckets() -> None:
    out = generalize(pa.array(PHONES, pa.int64())).to_pylist()
    for raw, label in zip(PHONES, out, strict=True):
        assert str(raw) not in label
        assert _visible_digits(label) <= 5, label  # at most half of the 10 digits
        assert label.endswith("x")


def test_phone_pii_keeps_area_code_only() -> None:
    out = generalize(pa.array(PHONES[:3], pa.int64()), pii_type="phone").to_pylist()
    assert out == ["+1 512 xxxxxxx"] * 3
    text = generalize(pa.array(["(512) 301-6309", "+44 20 7946 0958", "N/A"]), pii_type="phone")
    assert text.to_pylist() == ["+1 512 xxxxxxx", "+44 20 xxxxxxxx", "████"]


def test_integer_birth_date_becomes_its_year() -> None:
    out = generalize(pa.array([19850312, 19791231, None, 42]), pii_type="date_of_birth")
    assert out.to_pylist() == ["1985", "1979", None, "████"]


@pytest.mark.parametrize(
    "values",
    [
        pa.array([dt.date(1985, 3, 12)]),
        pa.array([dt.datetime(1985, 3, 12, 8, 30)], pa.timestamp("us")),
        pa.array(["1985-03-12"]),
        pa.array(["12/03/1985"]),
        pa.array(["19850312"]),
        pa.array([decimal.Decimal("19850312")], pa.decimal128(8, 0)),
    ],
    ids=lambda a: str(a.type),
)
def test_birth_date_is_year_whatever_its_storage(values: pa.Array) -> None:
    # The policy's date_unit does not matter: a birth date shows its year only.
    assert generalize(values, date_unit="month", pii_type="date_of_birth").to_pylist() == ["1985"]


def test_policy_passes_the_detected_type_to_generalize() -> None:
    """Through apply_policy, as exports and previews use it: a Proprietary column
    (generalize) that holds phones or birth dates as integers."""
    policy = default_policy()
    batch = pa.RecordBatch.from_pydict(
        {"phone": pa.array(PHONES[:2]), "dob": pa.array([19850312, 19900101])}
    )
    classes = {
        "phone": ColumnClassification("phone", Level.PROPRIETARY, "phone", "profiler"),
        "dob": ColumnClassification("dob", Level.PROPRIETARY, "date_of_birth", "profiler"),
    }
    masked, applied = apply_policy(batch, classes, policy, KEY)
    assert applied == {"phone": "generalize", "dob": "generalize"}
    assert masked.column("phone").to_pylist() == ["+1 512 xxxxxxx"] * 2
    assert masked.column("dob").to_pylist() == ["1985", "1990"]


def test_tie_between_level_and_pii_rule_takes_the_stricter() -> None:
    """The same operator for the level and the PII type: the PII rule used to win even
    when it revealed more (months where the level asked for years)."""
    policy = parse_policy(
        """
version = 1
name = "tie"
[levels.HRCI]
operator = "redact"
[levels.Confidential]
operator = "generalize"
params = { date_unit = "year", bucket_width = 1000 }
[levels.Proprietary]
operator = "generalize"
[levels.Public]
operator = "keep"
[pii.date_of_birth]
operator = "generalize"
params = { date_unit = "month" }
[pii.phone]
operator = "generalize"
params = { bucket_width = 100000 }
"""
    )
    dob = ColumnClassification("dob", Level.CONFIDENTIAL, "date_of_birth", "manual")
    assert policy.resolve("dob", dob).rule.params["date_unit"] == "year"
    # Per parameter, the stricter of the two: the PII rule's width, the level's years.
    phone = ColumnClassification("tel", Level.CONFIDENTIAL, "phone", "manual")
    resolved = policy.resolve("tel", phone)
    assert resolved.rule.params["bucket_width"] == 100000
    assert resolved.rule.params["date_unit"] == "year"
    assert resolved.pii_type == "phone"
    # A tie of partial rules: the fewest characters shown.
    from dte_desktop.core.privacy.operators import tightest

    tight = tightest("partial", {"keep_last": 4, "keep_first": 1}, {"keep_last": 2})
    assert (tight["keep_first"], tight["keep_last"]) == (0, 2)


def test_bucket_width_is_rounded_up_to_a_power_of_ten() -> None:
    assert generalize(pa.array([55123, 34]), bucket_width=5000).to_pylist() == ["5xxxx", "xxxx"]
    assert generalize(pa.array([34, 40])).to_pylist() == ["3x", "4x"]
    assert generalize(pa.array([-35, 0, 7])).to_pylist() == ["-3x", "x", "x"]


def test_floats_and_decimals() -> None:
    assert generalize(pa.array([34.5, float("inf"), float("nan"), 3.75])).to_pylist() == [
        "3x",
        None,
        None,
        "x",
    ]
    assert generalize(pa.array([3.75]), bucket_width=0.1).to_pylist() == ["3.x"]
    assert generalize(pa.array([3.75]), bucket_width=1).to_pylist() == ["3.x"]
    dec = pa.array([decimal.Decimal("12345.67")], pa.decimal128(10, 2))
    assert generalize(dec, bucket_width=1000).to_pylist() == ["12xxx"]
    assert generalize(pa.array([2**64 - 1], pa.uint64())).to_pylist() == ["1844674407xxxxxxxxxx"]


def test_email_and_ip_pii() -> None:
    out = generalize(pa.array(["ann@example.com", "n/a"]), pii_type="email").to_pylist()
    assert out == ["@example.com", "████"]
    out = generalize(pa.array(["10.1.2.3", "2001:db8::1"]), pii_type="ip_address").to_pylist()
    assert out == ["10.1.x.x", "2001:0db8:x"]


@SETTINGS
@given(
    st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=40),
    st.sampled_from([1, 10, 25, 1000, 5000, 10**6]),
)
def test_integer_labels_never_show_the_value_or_more_than_half_its_digits(
    values: list[int | None], width: int
) -> None:
    out = generalize(pa.array(values, pa.int64()), bucket_width=width).to_pylist()
    for v, label in zip(values, out, strict=True):
        if v is None:
            assert label is None
            continue
        assert label == number_label(v, 1 if width == 1 else len(str(width - 1)))
        m = re.fullmatch(r"(-?)(\d*)(x+)", label)
        assert m is not None, label
        digits = len(str(abs(v)))
        assert len(m.group(2)) <= (digits + 1) // 2 or (digits == 1 and not m.group(2))
        # The bucket contains the value: its leading digits, then at least one hidden one.
        assert str(abs(v)).startswith(m.group(2)) and len(m.group(2) + m.group(3)) >= digits
        assert str(abs(v)) not in label or (abs(v) == 0 and label == "x")


@SETTINGS
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30))
def test_float_labels_never_show_the_value(values: list[float]) -> None:
    out = generalize(pa.array(values, pa.float64())).to_pylist()
    for v, label in zip(values, out, strict=True):
        if v != v or v in (float("inf"), float("-inf")):
            assert label is None
        else:
            assert label.endswith("x")


def test_urls_macs_and_secrets() -> None:
    urls = generalize(pa.array(["https://shop.example.com/u/ann?id=7", "n/a"]), pii_type="url")
    assert urls.to_pylist() == ["https://shop.example.com/…", "████"]
    macs = generalize(pa.array(["00:1A:2B:3C:4D:5E", "001a2b3c4d5e"]), pii_type="mac_address")
    assert macs.to_pylist() == ["00:1A:2B:xx:xx:xx", "00:1a:2b:xx:xx:xx"]
    # No coarser form of a secret is safe, whatever its storage (a PIN kept as a number).
    for values in (pa.array(["hunter22", None]), pa.array([4711, None])):
        assert generalize(values, pii_type="secret").to_pylist() == ["████", None]


def test_detected_pii_type_joins_a_stored_level_without_one() -> None:
    """A column an officer classified Proprietary (generalize) without a PII type, whose
    values are SSNs: the SSN rule (tokenize, stronger) applies, not the SSNs' first digits;
    integer phones get the phone rule's generalisation (area code), not number buckets."""
    from dte_desktop.core.privacy.gate import PrivacyGate
    from dte_desktop.core.privacy.labels import TableLabels
    from dte_desktop.core.sources.names import TableRef

    ssns = ["536-22-8145", "401-73-2290", "612-48-3307", "287-91-4456"] * 3
    labels = TableLabels(
        {
            "ssn": ColumnClassification("ssn", Level.PROPRIETARY),
            "phone": ColumnClassification("phone", Level.PROPRIETARY),
        },
        None,
    )
    gate = PrivacyGate(default_policy(), KEY, lambda _t: labels)
    b = pa.RecordBatch.from_pydict({"ssn": ssns, "phone": PHONES[:12]})
    decided = gate.decide("hr.people", b, table=TableRef("hr", "people"))
    assert decided["ssn"].level == Level.PROPRIETARY  # the stored level stands
    assert decided["ssn"].rule.operator == "tokenize"
    masked, _ops = gate.mask_table(TableRef("hr", "people"), b)
    assert not {s[:3] for s in ssns} & set(masked.column("ssn").to_pylist())
    assert set(masked.column("phone").to_pylist()) == {"+1 512 xxxxxxx"}
