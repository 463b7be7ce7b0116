"""Which profiled columns count as gender-like (low cardinality) quasi-identifiers."""

from __future__ import annotations

from dte_desktop.core.privacy.qi_suggest import low_cardinality, quasi_identifier_reasons


def _col(**kw: object) -> dict[str, object]:
    return {"kind": "string", "arrow_type": "string", "count": 1000, "nulls": 0,
            "distinct": 2, "distinct_approx": False, **kw}  # fmt: skip


def test_low_cardinality_needs_exact_few_values_held_by_many_rows() -> None:
    assert low_cardinality(_col()) == "2 distinct values in 1,000 rows (gender-like, last profile)"
    assert low_cardinality(_col(kind="boolean", arrow_type="bool"))
    assert low_cardinality(_col(kind="numeric", arrow_type="int64", distinct=5))
    assert low_cardinality(_col(distinct=6)) is None  # more than a handful
    assert low_cardinality(_col(distinct=1)) is None  # a constant singles no one out
    assert low_cardinality(_col(distinct_approx=True)) is None
    assert low_cardinality(_col(kind="numeric", arrow_type="double")) is None
    assert low_cardinality(_col(kind="temporal", arrow_type="date32[day]")) is None
    assert low_cardinality(_col(count=25, nulls=10, distinct=2)) is None  # 15 rows, 2 values
    assert low_cardinality(_col(distinct=None)) is None


def test_reasons_combine_names_classification_and_profile() -> None:
    names = ["id", "zip", "sx", "signup", "city_email", "status"]
    profile = {"sx": _col(), "signup": {"pii": {"type": "date_of_birth"}}, "status": _col()}
    types = {"city_email": "email", "status": "person_name"}
    got = quasi_identifier_reasons(names, pii_types=types, profile=profile)
    assert got == {
        "zip": "name (zip)",
        "sx": "2 distinct values in 1,000 rows (gender-like, last profile)",
        "signup": "detected as date_of_birth (last profile)",
    }  # city_email and status are stored as direct identifiers: not quasi
