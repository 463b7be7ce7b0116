"""A profile asks the detectors about each sample column twice (its patterns step, then the
privacy gate): the same Arrow values with the same settings are examined once (issue 21:
py-spy put the per-value detectors at ~60 % of a 300k-row stream profile's CPU, half of it
the repeat)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from dte_desktop.core.privacy import detectors


def test_the_same_values_are_examined_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = detectors._detect_all
    monkeypatch.setattr(detectors, "_detect_all", lambda *a: calls.append(a[1]) or real(*a))
    ssn = pa.chunked_array([pa.array([f"{100 + i:03d}-{10 + i % 80:02d}-{1000 + i:04d}"
                                      for i in range(300)])])  # fmt: skip
    first = detectors.detect_all(ssn, "ssn")
    assert first and first[0].type == "ssn"
    assert detectors.detect_pii(ssn, "ssn") == first[0]  # the gate's question: no new scan
    assert calls == ["ssn"]
    detectors.detect_all(ssn, "ssn", default_region="GB")  # other settings: examined again
    same_text = pa.chunked_array([pa.array(ssn.to_pylist())])  # another object: again
    assert detectors.detect_all(same_text, "ssn") == first
    assert calls == ["ssn", "ssn", "ssn"]


def test_python_lists_are_never_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = detectors._detect_all
    monkeypatch.setattr(detectors, "_detect_all", lambda *a: calls.append(a[1]) or real(*a))
    values = ["a@example.com", "b@example.com"]
    detectors.detect_all(values, "email")
    values[0] = "not an email"  # a list can change between the calls
    detectors.detect_all(values, "email")
    assert calls == ["email", "email"]
