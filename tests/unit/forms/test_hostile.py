"""Hostile submissions: validation never raises and stays bounded."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.forms import UploadedFile, render_model, unflatten, validate

from ._data import form
from .test_validation import PLAN, VARIABLES, good

PERMIT = form("permit-application.form")
INVOICE = form("invoice.form")

KEYS = st.sampled_from(
    [
        "applicant",
        "name",
        "email",
        "visitors",
        "fee",
        "kind",
        "needs",
        "stalls",
        "size",
        "food",
        "alcohol",
        "x",
        "start",
    ]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.decimals(allow_nan=True),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=5), children, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(data=JSON)
def test_validation_never_raises_on_arbitrary_json(data: Any) -> None:
    for target in (PERMIT, INVOICE):
        result = validate(target, data, variables=VARIABLES, language="nl")
        assert isinstance(result.values, dict)
        for error in result.errors:
            assert error.message
            assert error.id.startswith("field-")
        render_model(target, data, result.errors, "nl", variables=VARIABLES)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=20))
def test_unflatten_never_raises(pairs: list[tuple[str, str]]) -> None:
    data, rejected = unflatten(pairs)
    assert isinstance(data, dict)
    validate(PERMIT, data, variables=VARIABLES)
    assert len(rejected) <= len(pairs)


def test_enormous_strings_are_refused_without_work() -> None:
    huge = "9" * 5_000_000
    data = good()
    data["applicant"]["name"] = huge
    data["visitors"] = huge
    data["start"] = huge
    data["kind"] = huge
    result = validate(PERMIT, data, files={"sitePlan": PLAN}, variables=VARIABLES)
    codes = {error.name: error.code.value for error in result.errors}
    assert codes == {"applicant.name": "too_long", "visitors": "number", "start": "datetime", "kind": "choice"}
    assert result.errors[0].message == "Full name is too long"


def test_catastrophic_pattern_is_bounded() -> None:
    from civicflow.forms import load_form

    evil = load_form({"components": [{"type": "textfield", "key": "a", "validate": {"pattern": "^(a+)+$"}}]})
    result = validate(evil, {"a": "a" * 5_000 + "!"})
    assert [error.code.value for error in result.errors] == ["pattern"]


def test_many_forged_keys_are_reported_up_to_a_bound() -> None:
    data = good() | {f"forged{index}": index for index in range(10_000)}
    result = validate(PERMIT, data, files={"sitePlan": PLAN}, variables=VARIABLES)
    assert result.ok
    assert len(result.dropped) == 100


def test_huge_lists_are_cut() -> None:
    data = good()
    data["stalls"] = [{"name": "s"}] * 100_000
    data["needs"] = ["road"] * 1_000_000
    result = validate(PERMIT, data, files={"sitePlan": PLAN}, variables=VARIABLES)
    codes = {error.name: error.code.value for error in result.errors}
    assert codes == {"stalls": "max_items", "needs": "too_long"}


def test_deeply_nested_data_is_harmless() -> None:
    deep: Any = "x"
    for _ in range(50_000):
        deep = {"applicant": deep}
    result = validate(PERMIT, deep, variables=VARIABLES)
    assert result.error_for("applicant.name") is not None


def test_negative_file_size_is_refused() -> None:
    bogus = [UploadedFile(name="a.pdf", content_type="application/pdf", size=-1)]
    result = validate(PERMIT, good(), files={"sitePlan": bogus}, variables=VARIABLES)
    assert [error.code.value for error in result.errors] == ["file_size"]
