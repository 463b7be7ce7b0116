"""The privacy gate's decisions: stored labels, detectors, stored defaults, the policy's
levels for unclassified and untraced columns, and what may be shown of a column's values."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pytest

from dte_desktop.core.errors import PolicyViolation
from dte_desktop.core.privacy.classification import ColumnClassification, Level
from dte_desktop.core.privacy.gate import PrivacyGate
from dte_desktop.core.privacy.labels import TableLabels
from dte_desktop.core.privacy.locking import merge_policies, parse_overlay
from dte_desktop.core.privacy.policy import default_policy, parse_policy, policy_to_toml
from dte_desktop.core.sources.base import ColumnOrigin, TableRef, origin_of, with_origins

KEY = b"gate-test-key-0123456789abcdef01"
ADDRESS = TableRef("public", "address")
ADDRESSES = ["1913 Hanoi Way", "1121 Loja Avenue", "692 Joliet Street", "1566 Inegl Manor"]
PHONES = ["28303384290", "491271355190", "6172235589", "705814003527"]


def stored(table: TableRef) -> TableLabels:
    if table.name == "address":
        return TableLabels(
            {
                "address": ColumnClassification("address", Level.HRCI),
                "phone": ColumnClassification("phone", Level.CONFIDENTIAL, "phone"),
                "district": ColumnClassification("district", Level.PUBLIC),
            },
            None,
        )
    if table.name == "staff":
        return TableLabels({}, Level.PROPRIETARY)
    return TableLabels({}, None)


def public_default():
    return replace(default_policy(), default_level=Level.PUBLIC)


def batch(**cols: list) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({k: pa.array(v) for k, v in cols.items()})


def test_stored_classification_decides_and_is_never_shown_raw():
    gate = PrivacyGate(public_default(), KEY, stored)
    b = batch(address=ADDRESSES, phone=PHONES, district=["Alberta"] * 4)
    d = gate.decide("public.address", b, table=ADDRESS)
    assert (d["address"].level, d["address"].rule.operator, d["address"].basis) == (
        Level.HRCI,
        "redact",
        "stored",
    )
    assert not d["address"].shown_raw and not d["phone"].shown_raw
    assert d["district"].shown_raw
    masked, ops = gate.mask_table(ADDRESS, b)
    assert ops["address"] == "redact"
    assert not set(ADDRESSES) & set(masked.column("address").to_pylist())


def test_unclassified_column_gets_the_policy_default_not_public():
    gate = PrivacyGate(default_policy(), KEY, stored)
    d = gate.decide("public.staff_x", batch(password=["8cb2237d0679ca88db6464eac60da963"]),
                    table=TableRef("public", "staff_x"))  # fmt: skip
    assert d["password"].basis == "policy default"
    assert d["password"].level == Level.CONFIDENTIAL and not d["password"].shown_raw
    # a stored table default beats the policy's
    s = gate.decide("public.staff", batch(password=["x"]), table=TableRef("public", "staff"))
    assert (s["password"].basis, s["password"].level) == ("table default", Level.PROPRIETARY)


def test_detected_pii_raises_an_unclassified_column():
    gate = PrivacyGate(public_default(), KEY, stored)
    emails = [f"person{i}@example.org" for i in range(20)]
    d = gate.decide("public.customer", batch(email=emails), table=TableRef("public", "customer"))
    assert d["email"].basis == "detected" and d["email"].classification.pii_type == "email"
    assert not d["email"].shown_raw


def test_query_column_traced_to_its_stored_column_is_masked_like_the_table():
    gate = PrivacyGate(public_default(), KEY, stored)
    b = batch(addr=ADDRESSES, n=[1, 2, 3, 4])
    origins = [ColumnOrigin(ADDRESS, "address"), None]
    traced = pa.RecordBatch.from_arrays(b.columns, schema=with_origins(b.schema, origins))
    assert origin_of(traced.schema.field("addr")) == origins[0]
    d = gate.decide("query:q", traced)
    table = gate.decide("public.address", batch(address=ADDRESSES), table=ADDRESS)
    assert d["addr"].rule == table["address"].rule
    assert d["addr"].basis == "stored" and d["addr"].origin == origins[0]
    masked, ops = gate.mask_query("q", traced)
    assert ops["addr"] == "redact"
    assert not set(ADDRESSES) & set(masked.column("addr").to_pylist())


def test_untraced_query_column_is_never_public_by_accident():
    policy = public_default()
    assert policy.untraced_level == Level.CONFIDENTIAL
    gate = PrivacyGate(policy, KEY, stored)
    d = gate.decide("query:q", batch(code=["QX-1", "QX-2", "QX-3"]))
    assert d["code"].basis == "untraced" and not d["code"].shown_raw
    # a policy that says so on purpose may show them
    explicit = replace(policy, unknown_level=Level.PUBLIC)
    d = PrivacyGate(explicit, KEY, stored).decide("query:q", batch(x=["a"]))
    assert d["x"].shown_raw
    assert "unknown_level" in policy_to_toml(explicit)
    assert "unknown_level" not in policy_to_toml(policy)


def test_unknown_level_is_read_and_a_locked_site_floor_holds():
    text = policy_to_toml(replace(default_policy(), locked=True, unknown_level=Level.HRCI))
    site = parse_policy(text)
    assert site.unknown_level == Level.HRCI
    with pytest.raises(PolicyViolation):
        merge_policies(site, parse_overlay('unknown_level = "Confidential"'))
    merged = merge_policies(site, parse_overlay('default_level = "HRCI"'))
    assert merged.untraced_level == Level.HRCI


def test_show_values_raw_masked_or_withheld():
    gate = PrivacyGate(public_default(), KEY, stored)
    d = gate.decide("public.address", batch(address=ADDRESSES, phone=PHONES,
                                            district=["Alberta"] * 4), table=ADDRESS)  # fmt: skip
    assert gate.show_values(d["district"], ["Alberta"]) == ["Alberta"]
    assert gate.show_values(d["address"], ADDRESSES) is None  # redact: nothing to show
    shown = gate.show_values(d["phone"], PHONES)
    assert shown is not None and len(shown) == 4 and not set(PHONES) & set(shown)
    keyless = PrivacyGate(public_default(), None, stored)
    assert keyless.show_values(d["phone"], PHONES) is None


def test_first_decision_stands_for_every_batch_of_an_output():
    gate = PrivacyGate(public_default(), KEY, stored)
    t = TableRef("public", "customer")
    emails = [f"person{i}@example.org" for i in range(20)]
    first = gate.decide("public.customer", batch(email=emails), table=t)
    later = gate.decide("public.customer", batch(email=["n/a"] * 20), table=t)
    assert later["email"] is first["email"]
    # a subset first, then the whole batch: both columns decided, the first kept
    gate.decide("x", batch(a=["1"]), table=t)
    both = gate.decide("x", batch(a=["1"], b=["2"]), table=t)
    assert set(both) == {"a", "b"}


def test_error_text_keeps_identifiers_and_withholds_values():
    from dte_desktop.core.privacy.error_text import withhold_values

    cases = {
        'invalid input syntax for type integer: "MARY.SMITH@x.org"':
            'invalid input syntax for type integer: "…"',
        'value "123456789012" is out of range for type integer':
            'value "…" is out of range for type integer',
        "Incorrect integer value: 'abc' for column 'c' at row 1":
            "Incorrect integer value: '…' for column 'c' at row 1",
        "Duplicate entry 'x@y.org' for key 'PRIMARY'": "Duplicate entry '…' for key 'PRIMARY'",
        "CSV conversion error to int64: invalid value 'RONALD'":
            "CSV conversion error to int64: invalid value '…'",
        'column "emial" does not exist': 'column "emial" does not exist',
        'syntax error at or near "FROM"': 'syntax error at or near "FROM"',
    }  # fmt: skip
    for raw, shown in cases.items():
        assert withhold_values(raw) == shown
